package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/midonet-go/midonet/internal/db"
	"github.com/midonet-go/midonet/internal/fault"
	"github.com/midonet-go/midonet/internal/model"
	"github.com/midonet-go/midonet/internal/plugin"
	"github.com/midonet-go/midonet/internal/resource"
)

// reserved query parameters that are not filters.
var reserved = map[string]bool{"fields": true, "sort_key": true, "sort_dir": true, "limit": true, "marker": true, "page_reverse": true}

var tagFilters = map[string]bool{"tags": true, "tags-any": true, "not-tags": true, "not-tags-any": true}

// query is a parsed list request.
type query struct {
	fields   []string
	sortKeys []string
	sortAsc  []bool
	limit    int
	marker   string
	reverse  bool
	filters  map[string][]string
}

func fieldsOf(r *http.Request) []string { return r.URL.Query()["fields"] }

// parseQuery reads fields, filters, sorting and paging, refusing what upstream refuses.
func parseQuery(r *http.Request, res *resource.Resource) (*query, error) {
	v := r.URL.Query()
	q := &query{fields: v["fields"], filters: map[string][]string{}, marker: v.Get("marker")}
	keys, dirs := v["sort_key"], v["sort_dir"]
	if len(keys) != len(dirs) {
		return nil, fault.BadRequest("The number of sort_keys and sort_dirs must be same")
	}
	var badKeys, badDirs []string
	for i, k := range keys {
		a := res.Attr(k)
		if a == nil || a.Hidden || a.NoSort || a.FilterOnly {
			badKeys = append(badKeys, "'"+k+"'")
		}
		switch dirs[i] {
		case "asc", "desc":
		default:
			badDirs = append(badDirs, "'"+dirs[i]+"'")
		}
		q.sortKeys = append(q.sortKeys, k)
		q.sortAsc = append(q.sortAsc, dirs[i] == "asc")
	}
	if len(badKeys) > 0 {
		return nil, fault.BadRequest("[%s] is invalid attribute for sort_keys", strings.Join(badKeys, ", "))
	}
	if len(badDirs) > 0 {
		return nil, fault.BadRequest("[%s] is invalid value for sort_dirs, valid value is 'asc' and 'desc'", strings.Join(badDirs, ", "))
	}
	if l := v.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 0 {
			return nil, fault.BadRequestOf("limit", "Limit must be an integer 0 or greater and not '%s'", l)
		}
		q.limit = n
	}
	if pr := v.Get("page_reverse"); pr != "" {
		b, err := resource.ToBool(pr)
		if err != nil {
			return nil, fault.InvalidInput("%s", err.Error())
		}
		q.reverse = b.(bool)
	}
	var bad []string
	for k, vals := range v {
		if reserved[k] {
			continue
		}
		if !tagFilters[k] {
			if a := res.Attr(k); a == nil || a.Hidden || a.NoFilter {
				bad = append(bad, "'"+k+"'")
				continue
			}
		}
		q.filters[k] = vals
	}
	if len(bad) > 0 {
		sort.Strings(bad)
		return nil, fault.BadRequest("[%s] is invalid attribute for filtering", strings.Join(bad, ", "))
	}
	return q, nil
}

func (s *Server) list(rq *request, col plugin.Collection) error {
	res := col.Resource()
	q, err := parseQuery(rq.r, res)
	if err != nil {
		return err
	}
	ctx := rq.r.Context()
	if pd, ok := plugin.As[plugin.ProjectDefaults](col); ok {
		if err := s.ensureDefaults(ctx, rq, q, pd); err != nil {
			return err
		}
	}
	if rq.parent != nil {
		q.filters[res.ParentAttr()] = []string{rq.parent.id}
	}
	if s.keyed(col, q) {
		return s.listKeyed(rq, col, q)
	}
	var rendered []any
	var links []any
	err = s.DB.Read(ctx, func(tx *db.Tx) error {
		if _, err := s.loadParent(ctx, tx, rq); err != nil {
			return err
		}
		docs, err := col.List(ctx, tx, rq.caller, s.ownerHint(rq, res, q.filters))
		if err != nil {
			return err
		}
		rendered, links, err = s.pageInMemory(ctx, tx, rq, col, q, docs)
		return err
	})
	if err != nil {
		return err
	}
	writeList(rq, res, rendered, links)
	return nil
}

// ownerHint is the filters a collection's List gets: the request's, and a tenant_id naming
// the caller's project when the collection's get rule passes, for this caller, only
// documents of that project (policy.Enforcer.Scope: a member's routers, floating IPs,
// trunks). The plugins narrow their read by that hint (db.Filter.ProjectID, the project
// index), as Neutron's project-scoped query does, instead of reading every project's
// documents. What the answer is matched against is not changed: every document the rule
// passes holds that tenant_id and project_id anyway (the collection has both attributes).
func (s *Server) ownerHint(rq *request, res *resource.Resource, filters map[string][]string) map[string][]string {
	if len(filters["tenant_id"]) > 0 || len(filters["project_id"]) > 0 || res.Attr("tenant_id") == nil || res.Attr("project_id") == nil {
		return filters
	}
	eqs, bounded := s.Policy.Scope(res.Rule("get"), rq.creds)
	if !bounded || len(eqs) == 0 {
		return filters
	}
	for _, eq := range eqs {
		if (eq.Key != "tenant_id" && eq.Key != "project_id") || eq.Value != eqs[0].Value {
			return filters
		}
	}
	out := make(map[string][]string, len(filters)+1)
	maps.Copy(out, filters)
	out["tenant_id"] = []string{eqs[0].Value}
	return out
}

// pageInMemory filters, sorts, pages, expands and renders candidate documents.
func (s *Server) pageInMemory(ctx context.Context, tx *db.Tx, rq *request, col plugin.Collection, q *query, docs []db.Doc) ([]any, []any, error) {
	res := col.Resource()
	pc := s.newPolicyCache(ctx, tx, res)
	matched := docs[:0]
	for _, d := range docs {
		if !pc.visible(rq, d) || !matches(res, d, q.filters) {
			continue
		}
		matched = append(matched, d)
	}
	page, links, err := s.paginate(ctx, tx, rq, col, q, matched)
	if err != nil {
		return nil, nil, err
	}
	if e, ok := plugin.As[plugin.Expander](col); ok {
		if err := e.Expand(ctx, tx, page); err != nil {
			return nil, nil, err
		}
	}
	rendered := make([]any, 0, len(page))
	for _, d := range page {
		rendered = append(rendered, s.render(rq, res, d, q.fields, pc))
	}
	return rendered, links, nil
}

// writeList answers a list: the documents and, for a page, its links.
func writeList(rq *request, res *resource.Resource, rendered, links []any) {
	out := map[string]any{res.Plural(): rendered}
	if len(links) > 0 {
		out[res.Plural()+"_links"] = links
	}
	writeJSON(rq.w, http.StatusOK, out)
}

// ensureDefaultGroups creates the default security group of the project a list is about,
// as upstream does when a project first lists its groups.
func (s *Server) ensureDefaults(ctx context.Context, rq *request, q *query, pd plugin.ProjectDefaults) error {
	projects := q.filters["tenant_id"]
	if len(projects) == 0 {
		projects = q.filters["project_id"]
	}
	if len(projects) == 0 && rq.caller.ProjectID != "" {
		projects = []string{rq.caller.ProjectID}
	}
	for _, p := range projects {
		var has bool
		if err := s.DB.Read(ctx, func(tx *db.Tx) error {
			var err error
			has, err = pd.HasDefaults(ctx, tx, p)
			return err
		}); err != nil {
			return err
		}
		if has || (!rq.caller.IsAdmin && p != rq.caller.ProjectID) {
			continue
		}
		if _, err := s.writeChanges(ctx, func(tx *db.Tx) error { return pd.MakeDefaults(ctx, tx, rq.caller, p) }); err != nil {
			if f, ok := fault.As(err); ok && f.Status == http.StatusServiceUnavailable {
				continue // read-only mode: list without creating it
			}
			var be *BackendError
			if !errors.As(err, &be) {
				return err
			}
			s.Log.Warn("backend failed to apply a default security group; reconciliation will", "project", p, "err", be.Err)
		}
	}
	return nil
}

// matches applies attribute and tag filters; repeated values of one filter are ORed.
func matches(res *resource.Resource, d db.Doc, filters map[string][]string) bool {
	for k, vals := range filters {
		if tagFilters[k] {
			if !matchTags(d, k, vals) {
				return false
			}
			continue
		}
		if k == "fixed_ips" {
			if !matchFixedIPs(d, vals) {
				return false
			}
			continue
		}
		a := res.Attr(k)
		if a != nil && a.FilterOnly {
			continue
		}
		ok := false
		for _, want := range vals {
			if matchValue(a, d[k], want) {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

func matchValue(a *resource.Attr, have any, want string) bool {
	if l, ok := have.([]any); ok {
		for _, x := range l {
			if matchValue(a, x, want) {
				return true
			}
		}
		return false
	}
	switch h := have.(type) {
	case nil:
		return plugin.NullFilter(want)
	case bool:
		b, err := resource.ToBool(want)
		return err == nil && b == h
	case string:
		if strings.HasPrefix(a.Name, "mac") {
			return strings.EqualFold(h, want)
		}
		return h == want
	case map[string]any:
		b, _ := json.Marshal(h)
		return string(b) == want
	}
	if n, ok := model.Int(have); ok {
		m, ok := model.Int(want)
		return ok && m == n
	}
	return fmt.Sprint(have) == want
}

func matchFixedIPs(d db.Doc, vals []string) bool {
	for _, v := range vals {
		k, want, _ := strings.Cut(v, "=")
		for _, x := range plugin.List(d, "fixed_ips") {
			m, _ := x.(map[string]any)
			got := plugin.Str(m, k)
			if k == "ip_address_substr" {
				if strings.Contains(plugin.Str(m, "ip_address"), want) {
					return true
				}
				continue
			}
			if got == want {
				return true
			}
		}
	}
	return false
}

func matchTags(d db.Doc, kind string, vals []string) bool {
	have := map[string]bool{}
	for _, t := range plugin.Strings(d, "tags") {
		have[t] = true
	}
	want := tagList(vals)
	all, anyOf := true, false
	for _, t := range want {
		if have[t] {
			anyOf = true
		} else {
			all = false
		}
	}
	switch kind {
	case "tags":
		return all
	case "tags-any":
		return anyOf
	case "not-tags":
		return !all || len(want) == 0
	default: // not-tags-any
		return !anyOf
	}
}

// compareValues orders JSON values: null first, then numbers, booleans and strings.
func compareValues(a, b any) int {
	if a == nil || b == nil {
		switch {
		case a == nil && b == nil:
			return 0
		case a == nil:
			return -1
		}
		return 1
	}
	if x, ok := a.(bool); ok {
		y, _ := b.(bool)
		switch {
		case x == y:
			return 0
		case !x:
			return -1
		}
		return 1
	}
	if x, ok := model.Int(a); ok {
		if _, isStr := a.(string); !isStr {
			if y, ok := model.Int(b); ok {
				switch {
				case x < y:
					return -1
				case x > y:
					return 1
				}
				return 0
			}
		}
	}
	return strings.Compare(fmt.Sprint(a), fmt.Sprint(b))
}

func (q *query) less(a, b db.Doc) int {
	for i, k := range q.sortKeys {
		c := compareValues(a[k], b[k])
		if !q.sortAsc[i] {
			c = -c
		}
		if c != 0 {
			return c
		}
	}
	return strings.Compare(plugin.Str(a, "id"), plugin.Str(b, "id"))
}

// paginate sorts and pages the matched documents and builds the _links upstream shows. As in
// Neutron, a marker counts only with a limit, and only a document the caller may see is one:
// a hidden document is never compared on the sort keys, which would disclose its values page
// by page.
func (s *Server) paginate(ctx context.Context, tx *db.Tx, rq *request, col plugin.Collection, q *query, docs []db.Doc) ([]db.Doc, []any, error) {
	if len(q.sortKeys) == 0 && q.limit == 0 {
		return docs, nil, nil
	}
	sort.SliceStable(docs, func(i, j int) bool { return q.less(docs[i], docs[j]) < 0 })
	if q.limit == 0 {
		return docs, nil, nil
	}
	page := docs
	m, err := s.markerDoc(ctx, tx, rq, col, q)
	if err != nil {
		return nil, nil, err
	}
	if m != nil {
		page = page[:0:0]
		for _, d := range docs {
			c := q.less(d, m)
			if (!q.reverse && c > 0) || (q.reverse && c < 0) {
				page = append(page, d)
			}
		}
	}
	if q.limit > 0 && len(page) > q.limit {
		if q.reverse {
			page = page[len(page)-q.limit:]
		} else {
			page = page[:q.limit]
		}
	}
	if q.limit == 0 {
		return page, nil, nil
	}
	return page, pageLinks(rq, q, page), nil
}

// markerDoc loads a page's marker: as in Neutron, a marker counts only with a limit, and only
// a document the caller may see is one. A collection Neutron pages through its versioned
// objects ignores a marker it cannot find (nil); any other answers 404.
func (s *Server) markerDoc(ctx context.Context, tx *db.Tx, rq *request, col plugin.Collection, q *query) (db.Doc, error) {
	if q.marker == "" || q.limit == 0 {
		return nil, nil
	}
	m, _, err := s.load(ctx, tx, rq, col, q.marker)
	if f, ok := fault.As(err); ok && f.Status == http.StatusNotFound && col.Resource().PagerMarker {
		return nil, nil
	}
	return m, err
}

// pageLinks are Neutron's links of a page: next unless a forward page came up short,
// previous unless a backward one did; an empty page's link has no marker (it starts from the
// other end).
func pageLinks(rq *request, q *query, page []db.Doc) []any {
	var first, last string
	if len(page) > 0 {
		first, last = plugin.Str(page[0], "id"), plugin.Str(page[len(page)-1], "id")
	}
	full := len(page) == q.limit
	var links []any
	if !q.reverse {
		if full {
			links = append(links, link(rq, "next", last, false))
		}
		links = append(links, link(rq, "previous", first, true))
	} else {
		links = append(links, link(rq, "next", last, false))
		if full {
			links = append(links, link(rq, "previous", first, true))
		}
	}
	return links
}

func link(rq *request, rel, marker string, reverse bool) map[string]any {
	v := rq.r.URL.Query()
	v.Del("marker")
	if marker != "" {
		v.Set("marker", marker)
	}
	v.Del("page_reverse")
	if reverse {
		v.Set("page_reverse", "True")
	}
	return map[string]any{"rel": rel, "href": rq.base + rq.r.URL.Path + "?" + encodeQuery(v)}
}

func encodeQuery(v url.Values) string {
	keys := make([]string, 0, len(v))
	for k := range v {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		for _, x := range v[k] {
			parts = append(parts, url.QueryEscape(k)+"="+url.QueryEscape(x))
		}
	}
	return strings.Join(parts, "&")
}
