package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/midonet-go/midonet/internal/db"
	"github.com/midonet-go/midonet/internal/jsonenc"
	"github.com/midonet-go/midonet/internal/model"
	"github.com/midonet-go/midonet/internal/plugin"
	"github.com/midonet-go/midonet/internal/policy"
	"github.com/midonet-go/midonet/internal/resource"
)

// Lists of keyed collections (resource.Resource.Keyed) read the database's key index
// (internal/db/keys.go) instead of every document:
//
//   - a filter on an attribute the index holds (a sort key, tags, a fixed IP's address or
//     subnet, a project through the resources table's project index) narrows the
//     candidates to the documents the index names for its values; when that is a small
//     set, it is loaded and paged in memory as before;
//   - so does the caller's get rule when it can pass only documents of given owners or
//     flags (scopeCandidates): a member's ports are its project's and those on its
//     project's networks; its networks and security groups are its project's, those shared
//     with it (the stored `shared` of a share with everyone, the key index's rows of the
//     RBAC targets for one with its project) and external networks; its subnets its
//     project's and those on networks shared with it;
//   - otherwise a page walks the index in its order from the marker, reading batches until
//     it holds `limit` documents the caller may see and the filters match;
//   - a full list walks the whole order in batches and streams its JSON, rendering the
//     cache's shared documents without copying them where it can (listshared.go).
//
// Visibility, filters and rendering are the same functions as for any list (visible,
// matches, render), applied to each document read, so what a caller sees does not change;
// only what is read does.

// narrowLimit is the most candidates an indexed filter may name and still be loaded whole;
// a filter naming more is not selective, and the list walks the index instead.
const narrowLimit = 2000

// lookUpFilters makes lists answer their filters from the index where it can (false: they
// walk, the tests' reference).
var lookUpFilters = true

// streamBatch is the number of documents a full list reads at a time (a variable for the
// tests).
var streamBatch = 500

// keyed reports whether a list can go through the key index: a keyed collection whose plugin
// lists its stored documents, in an order the index holds (indexOrder), with no filter the
// plugin interprets itself.
func (s *Server) keyed(col plugin.Collection, q *query) bool {
	res := col.Resource()
	if !res.Keyed {
		return false
	}
	if _, ok := indexOrder(res, q); !ok {
		return false
	}
	if _, ok := plugin.As[plugin.StoredLister](col); !ok {
		return false
	}
	if _, ok := plugin.As[plugin.Getter](col); ok {
		return false
	}
	for k := range q.filters {
		if a := res.Attr(k); a != nil && a.FilterOnly {
			return false
		}
	}
	return true
}

// indexOrder is the key index's walk for q's sort keys, forward (page_reverse flips both
// directions afterwards), when the index holds that order:
//
//   - no sort key, or id first: the primary key, in id's direction (what follows a unique id
//     never decides);
//   - one attribute the index sorts by: its values in its direction, documents of one value
//     by ascending id, as Neutron adds id ascending to every sort;
//   - an attribute then id: the same with id in its own direction.
//
// tenant_id sorts as project_id, which always holds the same value. Other orders (two
// attributes, a key named twice, three keys, an attribute the index does not hold) are
// sorted in memory.
func indexOrder(res *resource.Resource, q *query) (db.PageQuery, bool) {
	var pq db.PageQuery
	switch {
	case len(q.sortKeys) == 0:
		return pq, true
	case len(q.sortKeys) > 2 || (len(q.sortKeys) == 2 && q.sortKeys[0] == q.sortKeys[1]):
		return pq, false
	case q.sortKeys[0] == "id":
		pq.IDDesc = !q.sortAsc[0]
		return pq, true
	case len(q.sortKeys) == 2 && q.sortKeys[1] != "id":
		return pq, false
	}
	attr := q.sortKeys[0]
	if attr == "tenant_id" && res.Attr("project_id") != nil {
		attr = "project_id"
	}
	if !slices.Contains(res.SortKeys(), attr) {
		return pq, false
	}
	pq.Sort, pq.KeyDesc = attr, !q.sortAsc[0]
	if len(q.sortKeys) == 2 {
		pq.IDDesc = !q.sortAsc[1]
	}
	return pq, true
}

// tagList is the tags of a tag filter's values (each a comma-separated list, as matchTags
// reads them), each once.
func tagList(vals []string) []string {
	var out []string
	for _, v := range vals {
		for _, tag := range strings.Split(v, ",") {
			if tag != "" && !slices.Contains(out, tag) {
				out = append(out, tag)
			}
		}
	}
	return out
}

// storeFilter is what the resources table's own columns can narrow.
func storeFilter(res *resource.Resource, f map[string][]string) db.Filter {
	h := db.FilterOf(f)
	if p := res.ParentAttr(); p != "" {
		if v := f[p]; len(v) == 1 {
			h.ParentID = v[0]
		}
	}
	return h
}

// lookup is one indexed filter: the documents with any of values at attr.
type lookup struct {
	attr   string
	values []string
	typed  []any // a sort key's values, of every type a matching document may hold (filterValues)
}

// indexLookups lists the filters of q the index can answer (a project filter of a
// collection whose key rows do not hold project_id: the resources table's project index).
// Each must name a superset of the documents the filter matches (matches decides
// afterwards), so values an index row cannot hold (empty, None: they match null too) leave a
// filter out.
func indexLookups(res *resource.Resource, q *query) []lookup {
	if !lookUpFilters {
		return nil
	}
	keys := res.SortKeys()
	multi := res.MultiKeys()
	var out []lookup
	for k, vals := range q.filters {
		switch {
		case slices.Contains(keys, k):
			if typed, ok := filterValues(vals); ok {
				out = append(out, lookup{attr: k, typed: typed})
			}
		case k == "tenant_id" || k == "project_id":
			// A collection keying only a few attributes (rules): the resources table's
			// (kind, project_id) index.
			if !slices.ContainsFunc(vals, plugin.NullFilter) {
				out = append(out, lookup{attr: projectLookup, values: vals})
			}
		case k == "fixed_ips" && slices.Contains(multi, "fixed_ips.ip_address") && slices.Contains(multi, "fixed_ips.subnet_id"):
			// Values are ORed: one lookup per key, their union (see candidates).
			byKey := map[string][]string{}
			ok := true
			for _, v := range vals {
				key, want, _ := strings.Cut(v, "=")
				if (key != "ip_address" && key != "subnet_id") || want == "" {
					ok = false
					break
				}
				byKey["fixed_ips."+key] = append(byKey["fixed_ips."+key], want)
			}
			if ok {
				for a, w := range byKey {
					out = append(out, lookup{attr: "|" + a, values: w}) // "|": union with the other fixed_ips lookups
				}
			}
		case (k == "tags" || k == "tags-any") && slices.Contains(multi, "tags"):
			var tags []string
			for _, v := range vals {
				for _, t := range strings.Split(v, ",") {
					if t != "" {
						tags = append(tags, t)
					}
				}
			}
			if len(tags) == 0 {
				continue
			}
			if k == "tags" {
				tags = tags[:1] // every document with all of them has the first
			}
			out = append(out, lookup{attr: "tags", values: tags})
		}
	}
	return out
}

// filterValues lists, for a filter's values, every value a document's attribute may hold
// and match one of them (matchValue): the string itself and the integer, number, boolean or
// object it spells (mtu=1450 matches the integer, router:external=True the boolean), so
// that their key rows name a superset of the documents the filter matches whatever the
// attribute's type; matches decides afterwards. A value that also matches a missing
// attribute (plugin.NullFilter) leaves the filter to the walk (false).
func filterValues(vals []string) ([]any, bool) {
	var out []any
	for _, v := range vals {
		if plugin.NullFilter(v) {
			return nil, false
		}
		out = append(out, v)
		if n, ok := model.Int(v); ok {
			out = append(out, n)
		} else if f, err := strconv.ParseFloat(v, 64); err == nil {
			out = append(out, f)
		}
		if b, err := resource.ToBool(v); err == nil {
			out = append(out, b)
		}
		if strings.HasPrefix(v, "{") && json.Valid([]byte(v)) {
			out = append(out, json.RawMessage(v))
		}
	}
	return out, true
}

// projectLookup is the lookup of a project filter through the resources table's project
// index, for a collection whose key index does not hold project_id.
const projectLookup = "@project"

// projectIDs returns the ids of the documents of kind that projects own, unless they are
// more than narrowLimit (over: the filter is then not selective).
func projectIDs(ctx context.Context, tx *db.Tx, kind string, projects []string) (ids []string, over bool, err error) {
	for _, p := range projects {
		got, over, err := tx.ProjectIDs(ctx, kind, p, narrowLimit)
		if err != nil || over {
			return nil, over, err
		}
		ids = append(ids, got...)
	}
	return ids, len(ids) > narrowLimit, nil
}

// candidates returns the ids the selective indexed filters allow (narrowed) or reports that
// none is selective enough.
func candidates(ctx context.Context, tx *db.Tx, res *resource.Resource, q *query) (ids []string, narrowed bool, err error) {
	var sets []map[string]bool
	union := map[string]bool{}
	unionFull := false
	hasUnion := false
	for _, l := range indexLookups(res, q) {
		attr, isUnion := strings.CutPrefix(l.attr, "|")
		var got []string
		var over bool
		var err error
		switch {
		case attr == projectLookup:
			got, over, err = projectIDs(ctx, tx, res.Collection, l.values)
		case l.typed != nil:
			got, err = tx.KeyValueIDs(ctx, res.Collection, attr, l.typed, narrowLimit+1)
			over = len(got) > narrowLimit
		default:
			got, err = tx.KeyIDs(ctx, res.Collection, attr, l.values, narrowLimit+1)
			over = len(got) > narrowLimit
		}
		if err != nil {
			return nil, false, err
		}
		if isUnion {
			hasUnion = true
			if over {
				unionFull = true
			}
			for _, id := range got {
				union[id] = true
			}
			continue
		}
		if over {
			continue
		}
		set := make(map[string]bool, len(got))
		for _, id := range got {
			set[id] = true
		}
		sets = append(sets, set)
	}
	if hasUnion && !unionFull && len(union) <= narrowLimit {
		sets = append(sets, union)
	}
	if len(sets) == 0 {
		return nil, false, nil
	}
	slices.SortFunc(sets, func(a, b map[string]bool) int { return len(a) - len(b) })
	for id := range sets[0] {
		in := true
		for _, o := range sets[1:] {
			if !o[id] {
				in = false
				break
			}
		}
		if in {
			ids = append(ids, id)
		}
	}
	return ids, true, nil
}

// scopeCandidates narrows a list as Neutron's project-scoped query does before the policy:
// when the collection's get rule can pass, for this caller, only documents of given owners
// or flags (policy.Enforcer.Scope: a member's get_port passes its project's ports and the
// ports on its project's networks; its get_network its project's networks, the shared and
// the external ones; its get_subnet its project's subnets and those of shared networks), the
// candidates are those documents, read through the project index, the parent's key rows and
// the key rows of the flags, when they are few (narrowLimit).
// Each is still checked by the same visibility as any list, so what the caller sees does
// not change; a tenant's list then reads its own documents instead of the deployment's.
func (s *Server) scopeCandidates(ctx context.Context, tx *db.Tx, rq *request, res *resource.Resource) ([]string, bool, error) {
	eqs, bounded := s.Policy.Scope(res.Rule("get"), rq.creds)
	if !bounded {
		return nil, false, nil
	}
	pr := s.parentOf(res.Collection)
	var parentMember string
	if pr != nil {
		parentMember = s.Catalog.Get(pr.Collection).Member
	}
	set := map[string]bool{}
	for _, eq := range eqs {
		var got []string
		var over bool
		var err error
		switch {
		case eq.Key == "tenant_id" || eq.Key == "project_id":
			got, over, err = tx.ProjectIDs(ctx, res.Collection, eq.Value, narrowLimit)
		case res.RBAC != "" && eq.Key == policy.FieldKey(res.Collection, "shared"):
			var ok bool
			if got, over, ok, err = sharedWith(ctx, tx, rq, res, eq.Value); !ok {
				return nil, false, nil
			}
		case pr != nil && eq.Key == policy.FieldKey(pr.Collection, "shared") && slices.Contains(res.SortKeys(), pr.Attr):
			// The children of parents shared with the caller (a subnet's network:shared).
			var parents []string
			var ok bool
			if parents, over, ok, err = sharedWith(ctx, tx, rq, s.Catalog.Get(pr.Collection), eq.Value); !ok {
				return nil, false, nil
			}
			if err == nil && !over {
				got, over, err = tx.KeyIDsUpTo(ctx, res.Collection, pr.Attr, parents, narrowLimit)
			}
		case strings.HasPrefix(eq.Key, "field:"):
			// A boolean sort key holding the check's literal (a network's router:external).
			attr, ok := strings.CutPrefix(eq.Key, policy.FieldKey(res.Collection, ""))
			a := res.Attr(attr)
			want, isBool := policy.FieldBool(eq.Value)
			if !ok || a == nil || !a.Boolean() || !isBool || !slices.Contains(res.SortKeys(), attr) {
				return nil, false, nil
			}
			got, over, err = tx.KeyValueIDsUpTo(ctx, res.Collection, attr, []any{want}, narrowLimit)
		case pr != nil && (eq.Key == parentMember+":tenant_id" || eq.Key == parentMember+":project_id") &&
			slices.Contains(res.SortKeys(), pr.Attr):
			var parents []string
			if parents, over, err = tx.ProjectIDs(ctx, pr.Collection, eq.Value, narrowLimit); err == nil && !over {
				got, over, err = tx.KeyIDsUpTo(ctx, res.Collection, pr.Attr, parents, narrowLimit)
			}
		default:
			return nil, false, nil // a value no index here holds
		}
		if err != nil {
			return nil, false, err
		}
		if over {
			return nil, false, nil // not selective: walk the index
		}
		for _, id := range got {
			set[id] = true
		}
		if len(set) > narrowLimit {
			return nil, false, nil
		}
	}
	ids := make([]string, 0, len(set))
	for id := range set {
		ids = append(ids, id)
	}
	return ids, true, nil
}

// sharedWith reads the documents of res whose `shared` is, as the caller sees it, the field
// check's literal value when that is true: shared with everyone (the stored flag) or with the
// caller's project (a target of the document's access_as_shared policies); over when they
// are more than narrowLimit. ok is false when no index holds that set: res is not keyed with
// both, or the literal is no true.
func sharedWith(ctx context.Context, tx *db.Tx, rq *request, res *resource.Resource, value string) (ids []string, over, ok bool, err error) {
	if res == nil || res.RBAC == "" {
		return nil, false, false, nil
	}
	sortAttrs, multi := res.IndexKeys()
	if want, isBool := policy.FieldBool(value); !isBool || !want || !slices.Contains(sortAttrs, "shared") || !slices.Contains(multi, resource.RBACShared) {
		return nil, false, false, nil
	}
	ids, over, err = tx.KeyValueIDsUpTo(ctx, res.Collection, "shared", []any{true}, narrowLimit)
	if err == nil && !over && rq.creds.ProjectID != "" {
		var mine []string
		mine, over, err = tx.KeyIDsUpTo(ctx, res.Collection, resource.RBACShared, []string{rq.creds.ProjectID}, narrowLimit)
		ids = append(ids, mine...)
	}
	return ids, over || len(ids) > narrowLimit, true, err
}

// loadIDs loads the documents of ids that pass the store filter, in id order, as the walk
// answers an unsorted list (the store returns them in whatever order its plan reads them).
func loadIDs(ctx context.Context, tx *db.Tx, kind string, f db.Filter, ids []string) ([]db.Doc, error) {
	if len(f.IDs) > 0 {
		// Both name ids: the documents named by both.
		ids = slices.DeleteFunc(ids, func(id string) bool { return !slices.Contains(f.IDs, id) })
	}
	var out []db.Doc
	for len(ids) > 0 {
		n := min(len(ids), 500)
		f.IDs = ids[:n]
		docs, err := tx.List(ctx, kind, f)
		if err != nil {
			return nil, err
		}
		out = append(out, docs...)
		ids = ids[n:]
	}
	slices.SortFunc(out, func(a, b db.Doc) int { return strings.Compare(plugin.Str(a, "id"), plugin.Str(b, "id")) })
	return out, nil
}

// errStreamBroken says a streamed list failed after its first bytes went out.
var errStreamBroken = errors.New("api: list failed after its answer started")

func (s *Server) listKeyed(rq *request, col plugin.Collection, q *query) error {
	res := col.Resource()
	ctx := rq.r.Context()
	var rendered, links []any
	var lw *listWriter
	var pageBody []byte // a page rendered from shared documents, whole
	err := s.DB.Read(ctx, func(tx *db.Tx) error {
		if lw != nil && lw.started {
			return errStreamBroken // a retry cannot take back what went out
		}
		rendered, links, lw, pageBody = nil, nil, nil, nil
		if _, err := s.loadParent(ctx, tx, rq); err != nil {
			return err
		}
		base := storeFilter(res, q.filters)
		ids, narrowed, err := candidates(ctx, tx, res, q)
		if err == nil && !narrowed {
			ids, narrowed, err = s.scopeCandidates(ctx, tx, rq, res)
		}
		if err != nil {
			return err
		}
		if narrowed {
			docs, err := loadIDs(ctx, tx, res.Collection, base, ids)
			if err != nil {
				return err
			}
			rendered, links, err = s.pageInMemory(ctx, tx, rq, col, q, docs)
			return err
		}
		pq, _ := indexOrder(res, q) // keyed checked it
		pq.Filter = base
		if slices.Contains(res.MultiKeys(), "tags") {
			// The index leaves these out; matches still checks what comes back.
			pq.NotTags, pq.NotTagsAny = tagList(q.filters["not-tags"]), tagList(q.filters["not-tags-any"])
		}
		pc := s.newPolicyCache(ctx, tx, res)
		keep := func(d db.Doc) bool { return pc.visible(rq, d) && matches(res, d, q.filters) }
		if q.limit == 0 {
			lw = newListWriter(rq, res)
			if l, ok := s.sharedLister(rq, col, q, pc); ok {
				return s.streamShared(ctx, tx, res, q, pq, l, lw)
			}
			return s.streamAll(ctx, tx, rq, col, q, pq, pc, keep, lw)
		}
		m, err := s.markerDoc(ctx, tx, rq, col, q)
		if err != nil {
			return err
		}
		if m != nil {
			pq.After = &db.Cursor{ID: plugin.Str(m, "id")}
			if pq.Sort != "" {
				pq.After.Key = db.EncodeKey(pq.Sort, m[pq.Sort])
			}
		}
		if q.reverse {
			pq.KeyDesc, pq.IDDesc = !pq.KeyDesc, !pq.IDDesc
		}
		if l, ok := s.sharedLister(rq, col, q, pc); ok {
			pageBody, err = s.pageShared(ctx, tx, rq, res, q, pq, l)
			return err
		}
		page, err := walk(ctx, tx, res.Collection, pq, q.limit, keep)
		if err != nil {
			return err
		}
		if q.reverse {
			slices.Reverse(page)
		}
		if e, ok := plugin.As[plugin.Expander](col); ok {
			if err := e.Expand(ctx, tx, page); err != nil {
				return err
			}
		}
		rendered = make([]any, 0, len(page))
		for _, d := range page {
			rendered = append(rendered, s.render(rq, res, d, q.fields, pc))
		}
		links = pageLinks(rq, q, page)
		return nil
	})
	if lw != nil && lw.started {
		if err != nil {
			s.Log.ErrorContext(ctx, "streamed list failed half-way", "collection", res.Collection, "err", err)
			panic(http.ErrAbortHandler)
		}
		lw.finish()
		return nil
	}
	if err != nil {
		return err
	}
	if lw != nil {
		lw.finish()
		return nil
	}
	if pageBody != nil {
		rq.w.Header().Set("Content-Type", "application/json")
		rq.w.Header().Set("Content-Length", fmt.Sprint(len(pageBody)))
		rq.w.WriteHeader(http.StatusOK)
		_, _ = rq.w.Write(pageBody)
		putPageBuf(pageBody)
		return nil
	}
	writeList(rq, res, rendered, links)
	return nil
}

// walk reads pq's order in batches until it holds limit documents keep accepts (or the order
// ends): the first batch is the page itself, later ones grow while documents are skipped.
func walk(ctx context.Context, tx *db.Tx, kind string, pq db.PageQuery, limit int, keep func(db.Doc) bool) ([]db.Doc, error) {
	rows, err := walkRows(ctx, tx, kind, pq, limit, keep)
	out := make([]db.Doc, len(rows))
	for i, r := range rows {
		out[i] = r.Doc
	}
	return out, err
}

// walkRows is walk, returning the rows (with their memos when pq.Shared).
func walkRows(ctx context.Context, tx *db.Tx, kind string, pq db.PageQuery, limit int, keep func(db.Doc) bool) ([]db.PageRow, error) {
	var out []db.PageRow
	batch := limit
	for {
		pq.Limit = batch
		rows, err := tx.Page(ctx, kind, pq)
		if err != nil {
			return nil, err
		}
		for _, r := range rows {
			if keep(r.Doc) {
				out = append(out, r)
				if len(out) == limit {
					return out, nil
				}
			}
		}
		if len(rows) < batch {
			return out, nil
		}
		last := rows[len(rows)-1].Cursor
		pq.After = &last
		batch = min(batch*2, 1000)
	}
}

// streamAll writes every document of pq's order that keep accepts, batch by batch.
func (s *Server) streamAll(ctx context.Context, tx *db.Tx, rq *request, col plugin.Collection, q *query, pq db.PageQuery, pc *policyCache, keep func(db.Doc) bool, lw *listWriter) error {
	res := col.Resource()
	e, expands := plugin.As[plugin.Expander](col)
	docs := make([]db.Doc, 0, streamBatch)
	for {
		pq.Limit = streamBatch
		rows, err := tx.Page(ctx, res.Collection, pq)
		if err != nil {
			return err
		}
		docs = docs[:0]
		for _, r := range rows {
			if keep(r.Doc) {
				docs = append(docs, r.Doc)
			}
		}
		if expands && len(docs) > 0 {
			if err := e.Expand(ctx, tx, docs); err != nil {
				return err
			}
		}
		for _, d := range docs {
			if err := lw.add(s.render(rq, res, d, q.fields, pc)); err != nil {
				return err
			}
		}
		if len(rows) < streamBatch {
			return nil
		}
		last := rows[len(rows)-1].Cursor
		pq.After = &last
	}
}

// listWriter writes a list answer as it is rendered: up to streamFlush bytes are kept (and
// answered with a Content-Length, as any answer); past that the answer goes out in chunks.
type listWriter struct {
	rq      *request
	buf     []byte
	n       int
	started bool
}

// streamFlush is how much of a list is kept before it goes out (a variable for the tests).
var streamFlush = 1 << 20

func newListWriter(rq *request, res *resource.Resource) *listWriter {
	b := make([]byte, 0, 64<<10)
	b = append(b, '{')
	b = jsonenc.AppendString(b, res.Plural())
	b = append(b, ':', '[')
	return &listWriter{rq: rq, buf: b}
}

func (lw *listWriter) add(v map[string]any) error {
	lw.next()
	var err error
	if lw.buf, err = jsonenc.Append(lw.buf, v); err != nil {
		return fmt.Errorf("api: encode a list entry: %w", err)
	}
	return lw.flush()
}

// next starts an entry: the caller appends it to lw.buf, then calls flush.
func (lw *listWriter) next() {
	if lw.n > 0 {
		lw.buf = append(lw.buf, ',')
	}
	lw.n++
}

// flush sends what is kept once it reaches streamFlush bytes.
func (lw *listWriter) flush() error {
	if len(lw.buf) >= streamFlush {
		if !lw.started {
			lw.rq.w.Header().Set("Content-Type", "application/json")
			lw.rq.w.WriteHeader(http.StatusOK)
			lw.started = true
		}
		if _, err := lw.rq.w.Write(lw.buf); err != nil {
			return fmt.Errorf("%w: %w", errStreamBroken, err)
		}
		lw.buf = lw.buf[:0]
	}
	return nil
}

// finish writes the end of the answer (the whole of it when it never started).
func (lw *listWriter) finish() {
	lw.buf = append(lw.buf, ']', '}', '\n')
	if !lw.started {
		lw.rq.w.Header().Set("Content-Type", "application/json")
		lw.rq.w.Header().Set("Content-Length", fmt.Sprint(len(lw.buf)))
		lw.rq.w.WriteHeader(http.StatusOK)
	}
	_, _ = lw.rq.w.Write(lw.buf)
}
