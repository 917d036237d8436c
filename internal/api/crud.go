package api

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/midonet-go/midonet/internal/db"
	"github.com/midonet-go/midonet/internal/fault"
	"github.com/midonet-go/midonet/internal/journal"
	"github.com/midonet-go/midonet/internal/model"
	"github.com/midonet-go/midonet/internal/plugin"
	"github.com/midonet-go/midonet/internal/resource"
)

// fakeProject owns what an unauthenticated (noauth) caller creates without naming a project.
const fakeProject = "fake_project_id"

// write runs fn in one transaction after the write gate, recording the changes it
// journals, and hands them to the backend once committed.
func (s *Server) write(ctx context.Context, fn func(*db.Tx) error) error {
	_, err := s.writeChanges(ctx, fn)
	return err
}

// writeChanges is write that also returns the changes, and the backend's error separately
// so that callers can compensate.
// Write runs fn as a write of the server's own (no request): the write gate, one
// transaction with its journal, and the backend's apply, as for a request.
func (s *Server) Write(ctx context.Context, fn func(*db.Tx) error) error {
	_, err := s.writeChanges(ctx, fn)
	return err
}

// Writable reports whether writes are allowed now (not read-only, disk not full).
func (s *Server) Writable(ctx context.Context) bool {
	g, ok := s.Writes.(interface{ Open(context.Context) error })
	return !ok || g.Open(ctx) == nil
}

// DBHandle is the Neutron database the server writes.
func (s *Server) DBHandle() *db.DB { return s.DB }

func (s *Server) writeChanges(ctx context.Context, fn func(*db.Tx) error) ([]journal.Change, error) {
	rec := &journal.Recorder{WriteTasks: s.WriteTasks}
	err := s.Writes.Write(ctx, func(tx *db.Tx) error {
		rec.Reset()
		journal.Attach(tx, rec)
		return fn(tx)
	})
	if err != nil {
		return nil, err
	}
	changes := rec.Changes()
	if s.Backend != nil && len(changes) > 0 {
		bctx := ctx
		if !s.WriteTasks {
			// The backend applies the change now (the REST client): see it through. With
			// the task client the change is in the journal already and Commit only waits
			// for the cluster, which a caller that went away need not do.
			bctx = s.afterCommit(ctx)
		}
		if err := s.Backend.Commit(bctx, changes); err != nil {
			return changes, &BackendError{Err: err}
		}
	}
	return changes, nil
}

// afterCommit is the context of what must follow a commit: the request's values (its log
// identity), but cancelled only when the server's Lifetime ends, not when the client goes
// away. A client that closes its connection after the database committed (a load client
// stopped, a proxy's timeout) would otherwise cut the backend's apply half-way and then the
// undo of the create as well, leaving resources in the database the NSDB never got.
func (s *Server) afterCommit(ctx context.Context) context.Context {
	if s.Lifetime == nil {
		return context.WithoutCancel(ctx)
	}
	return lifetimeCtx{Context: s.Lifetime, values: ctx}
}

// lifetimeCtx has the deadline and cancellation of the server's lifetime and the values of
// a request.
type lifetimeCtx struct {
	context.Context
	values context.Context
}

func (c lifetimeCtx) Value(key any) any { return c.values.Value(key) }

// BackendError is a failure of the backend after the database committed.
type BackendError struct{ Err error }

func (e *BackendError) Error() string { return "backend: " + e.Err.Error() }
func (e *BackendError) Unwrap() error { return e.Err }

// owner settles tenant_id/project_id of a new resource.
func (s *Server) owner(rq *request, body map[string]any) error {
	t, tok := body["tenant_id"].(string)
	p, pok := body["project_id"].(string)
	switch {
	case tok && pok && t != p:
		return fault.BadRequest("'project_id' and 'tenant_id' do not match")
	case tok:
		body["project_id"] = t
	case pok:
		body["tenant_id"] = p
	default:
		proj := rq.caller.ProjectID
		if proj == "" && s.NoAuth {
			proj = fakeProject
		}
		if proj == "" {
			return fault.BadRequest("Failed to parse request. Required attribute 'tenant_id' not specified")
		}
		body["tenant_id"], body["project_id"] = proj, proj
	}
	return nil
}

func (s *Server) create(rq *request, col plugin.Collection) error {
	res := col.Resource()
	body, err := readBody(rq.r)
	if err != nil {
		return err
	}
	var items []map[string]any
	bulk := false
	if raw, ok := body[res.Plural()]; ok && len(body) == 1 {
		list, ok := raw.([]any)
		if !ok || len(list) == 0 {
			return fault.BadRequest("Resources required")
		}
		bulk = true
		for _, x := range list {
			m, ok := x.(map[string]any)
			if !ok {
				return fault.BadRequest("Body contains invalid data")
			}
			items = append(items, unwrapItem(m, res.Member))
		}
	} else {
		raw, ok := body[res.Member]
		if !ok || len(body) != 1 {
			return fault.BadRequest("Unable to find '%s' in request body", res.Member)
		}
		m, ok := raw.(map[string]any)
		if !ok {
			return fault.BadRequest("Body contains invalid data")
		}
		items = []map[string]any{m}
	}
	parsed := make([]db.Doc, len(items))
	for i, it := range items {
		p, err := res.ParseCreate(it)
		if err != nil {
			return err
		}
		if err := s.owner(rq, p); err != nil {
			return err
		}
		parsed[i] = p
	}
	ctx := rq.r.Context()
	var out, shown []db.Doc
	var pc *policyCache
	_, err = s.writeChanges(ctx, func(tx *db.Tx) error {
		out = out[:0]
		for i, p := range parsed {
			// Policy first, then the parent, as Neutron's sub-resource controller (a member
			// creating a rule is refused whatever policy id it names).
			if err := s.authorizeCreate(ctx, tx, rq, res, p, items[i]); err != nil {
				return err
			}
			parent, err := s.loadParent(ctx, tx, rq)
			if err != nil {
				return err
			}
			scopeCreate(rq, res.ParentAttr(), parent, p)
			d, err := col.Create(ctx, tx, rq.caller, resource.Clone(p).(map[string]any))
			if err != nil {
				return err
			}
			out = append(out, d)
		}
		// What the answer shows is read here, in the write's own transaction: the
		// expanders' attributes and the policy parents (which the create has just read,
		// so they come from the transaction's memory), as of the create's commit, without
		// a read transaction after it. The answer's copies are expanded, never out, which
		// the backend, Observe and an undo see as created.
		tx.EndLocking()
		shown = shown[:0]
		for _, d := range out {
			shown = append(shown, maps.Clone(d))
		}
		if e, ok := plugin.As[plugin.Expander](col); ok {
			if err := e.Expand(ctx, tx, shown); err != nil {
				return err
			}
		}
		pc = s.newPolicyCache(ctx, tx, res)
		for _, d := range shown {
			pc.prepare(rq, d)
		}
		return nil
	})
	var be *BackendError
	if errors.As(err, &be) {
		// The backend refused what the database took: undo the creates, as upstream's
		// plugin deletes a resource whose backend create failed.
		s.compensateCreate(ctx, rq, col, out)
		return backendFault(be)
	}
	if err != nil {
		return err
	}
	if s.Observe != nil {
		for _, d := range out {
			s.Observe(ctx, res.Collection, nil, d)
		}
	}
	rendered := make([]any, 0, len(shown))
	for _, d := range shown {
		// pc's transaction has ended: render reads nothing, prepare read the parents.
		rendered = append(rendered, s.render(rq, res, d, nil, pc))
	}
	if bulk {
		writeJSON(rq.w, http.StatusCreated, map[string]any{res.Plural(): rendered})
	} else {
		writeJSON(rq.w, http.StatusCreated, map[string]any{res.Member: rendered[0]})
	}
	return nil
}

// unwrapItem accepts bulk items both bare and wrapped in their member key.
func unwrapItem(m map[string]any, member string) map[string]any {
	if inner, ok := m[member].(map[string]any); ok && len(m) == 1 {
		return inner
	}
	return m
}

// authorizeCreate checks create_<member> and the attribute rules of explicitly set attributes.
func (s *Server) authorizeCreate(ctx context.Context, tx *db.Tx, rq *request, res *resource.Resource, parsed, given map[string]any) error {
	target, err := s.target(ctx, tx, rq, res, parsed)
	if err != nil {
		return err
	}
	action := res.Rule("create")
	admin := s.Policy.Enforce("context_is_admin", map[string]any{}, rq.creds)
	if !admin && parsed["tenant_id"] != rq.caller.ProjectID {
		// neutron-lib's _validate_privileges, which runs before any policy rule.
		return fault.BadRequest("Specifying 'project_id' or 'tenant_id' other than the authenticated project in request requires admin or advsvc privileges")
	}
	if err := s.checkParent(ctx, tx, rq, res, parsed, admin); err != nil {
		return err
	}
	if !s.Policy.Enforce(action, target, rq.creds) {
		// Neutron's policy hook hides only existing items (update and delete) behind a 404;
		// a refused create is always 403.
		return fault.Forbidden(action)
	}
	for _, a := range res.Attrs {
		v, ok := given[a.Name]
		if !ok || !a.Policy {
			continue
		}
		if a.Default != nil && a.Default != resource.Unset && fmt.Sprint(a.Default) == fmt.Sprint(parsed[a.Name]) {
			continue
		}
		if err := s.attrRules(action, a.Name, v, target, rq); err != nil {
			return err
		}
	}
	return nil
}

// authorizeUpdate checks update_<member> and the rules of every attribute the body names,
// as Neutron does: against the document as it would be after the update (the stored one with
// the new values merged in), and for each attribute present even when its value does not
// change. The caller may see the document (load checked), so a refusal is 403.
func (s *Server) authorizeUpdate(ctx context.Context, tx *db.Tx, rq *request, res *resource.Resource, cur, changes db.Doc) error {
	t, err := s.target(ctx, tx, rq, res, plugin.Apply(cur, changes))
	if err != nil {
		return err
	}
	action := res.Rule("update")
	if !s.Policy.Enforce(action, t, rq.creds) {
		return s.refused(rq, res, t, action)
	}
	names := make([]string, 0, len(changes))
	for k := range changes {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		if a := res.Attr(k); a == nil || !a.Policy {
			continue
		}
		if err := s.attrRules(action, k, changes[k], t, rq); err != nil {
			return err
		}
	}
	return nil
}

// refused is the answer to a write the policy refuses on a document the caller loaded:
// 403, unless the caller could not see the document as Neutron's policy hook checks it —
// the get rule against its visible attributes only — which answers the document's 404
// (pecan's PolicyHook "pretends it does not exist"). That differs from what the caller sees
// only where a hidden attribute grants the view: an address group shared by an RBAC policy
// (its `shared` is not visible) is 404 to update or delete, a shared network 403.
func (s *Server) refused(rq *request, res *resource.Resource, t map[string]any, rule string) error {
	visible := make(map[string]any, len(t))
	for k, v := range t {
		if a := res.Attr(k); a != nil && a.Hidden {
			continue
		}
		visible[k] = v
	}
	if get := res.Rule("get"); s.Policy.Has(get) && !s.Policy.Enforce(get, visible, rq.creds) {
		return rq.caller.NotFound(res.Collection, plugin.Str(t, "id"))
	}
	return fault.Forbidden(rule)
}

// attrRules enforces "<action>:<attr>" and, for object values, "<action>:<attr>:<key>".
func (s *Server) attrRules(action, attr string, v any, target map[string]any, rq *request) error {
	rule := action + ":" + attr
	if s.Policy.Has(rule) && !s.Policy.Enforce(rule, target, rq.creds) {
		return fault.Forbidden(rule)
	}
	maps := []map[string]any{}
	switch t := v.(type) {
	case map[string]any:
		maps = append(maps, t)
	case []any:
		for _, x := range t {
			if m, ok := x.(map[string]any); ok {
				maps = append(maps, m)
			}
		}
	}
	for _, m := range maps {
		for k := range m {
			sub := rule + ":" + k
			if s.Policy.Has(sub) && !s.Policy.Enforce(sub, target, rq.creds) {
				return fault.Forbidden(sub)
			}
		}
	}
	return nil
}

// checkParent is upstream's ownership hook for things created under a parent of the policy
// (a port's or subnet's network, a rule's group): a caller who cannot see the parent gets
// its 404; one who can see but does not own a network that is not shared gets 403. Admins
// pass.
func (s *Server) checkParent(ctx context.Context, tx *db.Tx, rq *request, res *resource.Resource, d db.Doc, admin bool) error {
	pr := res.Parent
	if pr == nil || !pr.Policy || admin {
		return nil
	}
	id, _ := d[pr.Attr].(string)
	if id == "" {
		return nil
	}
	parent, err := plugin.Fetch(ctx, tx, rq.caller, pr.Collection, id)
	if err != nil || !pr.OwnedUnlessShared {
		return err
	}
	// Shared as the caller sees it (an RBAC entry for its project, or for everyone).
	if plugin.SharedWith(parent, rq.caller.ProjectID) {
		return nil
	}
	if owner, _ := parent["tenant_id"].(string); owner != d["tenant_id"] {
		return fault.ForbiddenOnNetwork(d["tenant_id"], res.Member)
	}
	return nil
}

// withCollection copies d into a policy target named for its collection, with room for
// that many more keys (a parent's attributes).
func withCollection(d db.Doc, col string, room int) map[string]any {
	t := make(map[string]any, len(d)+2+room) // + _collection, _hidden
	for k, v := range d {
		t[k] = v
	}
	t["_collection"] = col
	return t
}

// target builds the policy target of a document: its attributes plus its network's,
// flattened with a "network:" prefix.
func (s *Server) target(ctx context.Context, tx *db.Tx, rq *request, res *resource.Resource, d db.Doc) (map[string]any, error) {
	return s.targetOf(ctx, tx, rq, res.Collection, d)
}

// sees reports whether the caller of rq may see d, a document of collection: Neutron's
// get_<member> policy over d and its parents. It backs plugin.Fetch, so that every id a
// request names is looked up as the caller sees it.
func (s *Server) sees(ctx context.Context, tx *db.Tx, rq *request, collection string, d db.Doc) (bool, error) {
	r := s.Catalog.Get(collection)
	if r == nil {
		return false, nil
	}
	t, err := s.targetOf(ctx, tx, rq, collection, d)
	if err != nil {
		return false, err
	}
	return t["_hidden"] != true && s.Policy.Enforce(r.Rule("get"), t, rq.creds), nil
}

// targetOf is target for a document of collection. A parent that writes of its children
// only read (a port's network: resource.Parent.ChildWritesOnlyRead) is read with
// db.Tx.PeekForShare, so that writes of one parent's children run side by side on
// PostgreSQL.
func (s *Server) targetOf(ctx context.Context, tx *db.Tx, rq *request, collection string, d db.Doc) (map[string]any, error) {
	key := collection
	if r := s.Catalog.Get(collection); r != nil {
		key = r.Plural()
	}
	var parent viewedParent
	if pr := s.parentOf(collection); pr != nil {
		if id, _ := d[pr.Attr].(string); id != "" {
			peek := tx.Peek
			if pr.ChildWritesOnlyRead {
				peek = tx.PeekForShare
			}
			doc, err := peek(ctx, pr.Collection, id) // the cache's copy: only read
			if err != nil {
				return nil, err
			}
			parent = s.viewParent(rq, pr, doc)
		}
	}
	t := withCollection(d, key, len(parent.doc)+1) // room for the parent's attributes
	if !rq.caller.View(collection, t) {
		t["_hidden"] = true
	}
	parent.addTo(t)
	return t, nil
}

// parentOf is the policy parent of a collection, or nil.
func (s *Server) parentOf(collection string) *resource.Parent {
	if r := s.Catalog.Get(collection); r != nil && r.Parent != nil && r.Parent.Policy {
		return r.Parent
	}
	return nil
}

// viewedParent is a policy parent as the caller sees it, without a copy of its own: doc is
// only read, and shared is what the caller's View would set in a copy (when set).
type viewedParent struct {
	doc         db.Doc
	member      string // the parent collection's member name, its attributes' prefix
	shared, set bool
}

func (s *Server) viewParent(rq *request, pr *resource.Parent, doc db.Doc) viewedParent {
	v := viewedParent{doc: doc, member: s.Catalog.Get(pr.Collection).Member}
	v.shared, v.set = rq.caller.SharedOf(pr.Collection, doc)
	return v
}

// addTo adds the parent's attributes to t, a policy target, each named
// "<member>:<attribute>".
func (v viewedParent) addTo(t map[string]any) {
	if v.doc == nil {
		return
	}
	addParent(t, v.member, v.doc)
	if v.set {
		t[parentKey(v.member, "shared")] = v.shared
	}
}

// get reads one of the parent's attributes as addTo names it without its prefix.
func (v viewedParent) get(attr string) (any, bool) {
	if attr == "shared" && v.set {
		return v.shared, true
	}
	x, ok := v.doc[attr]
	return x, ok
}

func addParent(t map[string]any, prefix string, parent db.Doc) {
	for k, v := range parent {
		if !strings.HasPrefix(k, "_") {
			t[parentKey(prefix, k)] = v
		}
	}
}

// parentKeys remembers the "<member>:<attribute>" names addParent made, so that a request's
// policy target does not build them anew: the names are attributes of the catalogue's
// collections, a small set (bounded anyway, for documents holding other keys).
var parentKeys struct {
	sync.RWMutex
	m map[[2]string]string
}

const maxParentKeys = 4096

func parentKey(prefix, k string) string {
	parentKeys.RLock()
	name, ok := parentKeys.m[[2]string{prefix, k}]
	parentKeys.RUnlock()
	if ok {
		return name
	}
	name = prefix + ":" + k
	parentKeys.Lock()
	if parentKeys.m == nil {
		parentKeys.m = map[[2]string]string{}
	}
	if len(parentKeys.m) < maxParentKeys {
		parentKeys.m[[2]string{strings.Clone(prefix), strings.Clone(k)}] = name
	}
	parentKeys.Unlock()
	return name
}

// load fetches one document the caller may see, else the resource's 404.
func (s *Server) load(ctx context.Context, tx *db.Tx, rq *request, col plugin.Collection, id string) (db.Doc, map[string]any, error) {
	res := col.Resource()
	notFound := res.NotFound
	if k, ok := plugin.As[plugin.SubKeyed](col); ok && res.Sub && rq.parent != nil {
		// A sub-resource named in its URL by another attribute (a Local IP's association by
		// its port): the document of that parent and that key.
		parent, key := rq.parent.id, id
		id = k.DocID(parent, key)
		notFound = func(string) *fault.Fault { return k.NotFoundIn(parent, key) }
	}
	var d db.Doc
	var err error
	if g, ok := plugin.As[plugin.Getter](col); ok {
		d, err = g.Get(ctx, tx, id)
	} else {
		d, err = tx.Get(ctx, res.Collection, id)
	}
	if err != nil {
		return nil, nil, err
	}
	if d == nil {
		return nil, nil, notFound(id)
	}
	t, err := s.target(ctx, tx, rq, res, d)
	if err != nil {
		return nil, nil, err
	}
	if t["_hidden"] == true || !s.Policy.Enforce(res.Rule("get"), t, rq.creds) {
		return nil, nil, notFound(id)
	}
	return d, t, nil
}

// loadToChange fetches the document an update or delete names, as load does, and checks that
// it belongs to the parent in the URL and matches the request's If-Match revision.
func (s *Server) loadToChange(ctx context.Context, tx *db.Tx, rq *request, col plugin.Collection, id string) (db.Doc, map[string]any, error) {
	if _, err := s.loadParent(ctx, tx, rq); err != nil {
		return nil, nil, err
	}
	cur, t, err := s.load(ctx, tx, rq, col, id)
	if err != nil {
		return nil, nil, err
	}
	res := col.Resource()
	if !inScope(rq, res.ParentAttr(), cur) {
		return nil, nil, outOfScope(rq, res, id)
	}
	if err := checkIfMatch(rq.r, cur); err != nil {
		return nil, nil, err
	}
	return cur, t, nil
}

func (s *Server) show(rq *request, col plugin.Collection, id string) error {
	res := col.Resource()
	if res.ShowAdminOnly && !rq.caller.IsAdmin {
		return fault.Forbidden(res.Rule("get"))
	}
	ctx := rq.r.Context()
	var out any
	err := s.DB.Read(ctx, func(tx *db.Tx) error {
		// A rule shows through any policy the caller sees, as Neutron's get_policy_rule
		// (only update and delete insist on the policy that holds it).
		if _, err := s.loadParent(ctx, tx, rq); err != nil {
			return err
		}
		d, _, err := s.load(ctx, tx, rq, col, id)
		if err != nil {
			return err
		}
		if res.WrongParent != nil && !inScope(rq, res.ParentAttr(), d) {
			return res.WrongParent(id, rq.parent.id)
		}
		if e, ok := plugin.As[plugin.Expander](col); ok {
			if err := e.Expand(ctx, tx, []db.Doc{d}); err != nil {
				return err
			}
		}
		out = s.render(rq, res, d, fieldsOf(rq.r), s.newPolicyCache(ctx, tx, res))
		return nil
	})
	if err != nil {
		return err
	}
	writeJSON(rq.w, http.StatusOK, map[string]any{res.Member: out})
	return nil
}

var ifMatchRe = regexp.MustCompile(`^revision_number=(\d+)$`)

// checkIfMatch enforces an If-Match: revision_number=N header.
func checkIfMatch(r *http.Request, d db.Doc) error {
	h := r.Header.Get("If-Match")
	if h == "" {
		return nil
	}
	m := ifMatchRe.FindStringSubmatch(strings.TrimSpace(h))
	if m == nil {
		return fault.BadRequestOf("if-match", "Revision number etag must be in the format of revision_number=<int>")
	}
	want, _ := strconv.ParseInt(m[1], 10, 64)
	cur, _ := model.Int(d["revision_number"])
	if want != cur {
		return fault.RevisionNumberConstraintFailed(want, cur)
	}
	return nil
}

func (s *Server) update(rq *request, col plugin.Collection, id string) error {
	res := col.Resource()
	body, err := readBody(rq.r)
	if err != nil {
		return err
	}
	raw, ok := body[res.Member].(map[string]any)
	if !ok || len(body) != 1 {
		return fault.BadRequest("Unable to find '%s' in request body", res.Member)
	}
	changes, err := res.ParseUpdate(raw)
	if err != nil {
		return err
	}
	ctx := rq.r.Context()
	var out, before db.Doc
	_, err = s.writeChanges(ctx, func(tx *db.Tx) error {
		cur, _, err := s.loadToChange(ctx, tx, rq, col, id)
		if err != nil {
			return err
		}
		if err := s.authorizeUpdate(ctx, tx, rq, res, cur, changes); err != nil {
			return err
		}
		if s.Observe != nil {
			before = resource.Clone(cur).(map[string]any)
		}
		out, err = col.Update(ctx, tx, rq.caller, cur, resource.Clone(changes).(map[string]any))
		return err
	})
	var be *BackendError
	if errors.As(err, &be) {
		// The database keeps the new values; resources with a status show the failure.
		s.markError(ctx, res, id)
		return backendFault(be)
	}
	if err != nil {
		return err
	}
	if s.Observe != nil {
		s.Observe(ctx, res.Collection, before, out)
	}
	var rendered any
	err = s.DB.Read(ctx, func(tx *db.Tx) error {
		if e, ok := plugin.As[plugin.Expander](col); ok {
			if err := e.Expand(ctx, tx, []db.Doc{out}); err != nil {
				return err
			}
		}
		rendered = s.render(rq, res, out, nil, s.newPolicyCache(ctx, tx, res))
		return nil
	})
	if err != nil {
		return err
	}
	writeJSON(rq.w, http.StatusOK, map[string]any{res.Member: rendered})
	return nil
}

func (s *Server) delete(rq *request, col plugin.Collection, id string) error {
	res := col.Resource()
	ctx := rq.r.Context()
	var gone db.Doc
	_, err := s.writeChanges(ctx, func(tx *db.Tx) error {
		cur, t, err := s.loadToChange(ctx, tx, rq, col, id)
		if err != nil {
			return err
		}
		action := res.Rule("delete")
		if !s.Policy.Enforce(action, t, rq.creds) {
			return s.refused(rq, res, t, action)
		}
		gone = cur
		return col.Delete(ctx, tx, rq.caller, cur)
	})
	var be *BackendError
	if errors.As(err, &be) {
		// The resource is gone from Neutron; the cluster's reconciliation removes what it left.
		s.Log.Warn("backend failed to apply a delete; reconciliation will finish it", "collection", res.Collection, "id", id, "err", be.Err)
		err = nil
	}
	if err != nil {
		return err
	}
	if s.Observe != nil && gone != nil {
		s.Observe(ctx, res.Collection, gone, nil)
	}
	rq.w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) action(rq *request, col plugin.Collection, a plugin.Actioner, id, name string) error {
	method := a.ActionMethod(name)
	if method == "" {
		return fault.HTTPNotFound()
	}
	if rq.r.Method != method {
		return fault.MethodNotAllowed()
	}
	ctx := rq.r.Context()
	body := map[string]any{}
	if method == http.MethodPut {
		var err error
		if body, err = readBody(rq.r); err != nil {
			return err
		}
	}
	res := col.Resource()
	var out any
	run := func(tx *db.Tx) error {
		cur, t, err := s.load(ctx, tx, rq, col, id)
		if err != nil {
			return err
		}
		rule := name
		if !s.Policy.Has(rule) {
			rule = res.Rule("update")
			if method == http.MethodGet {
				rule = res.Rule("get")
			}
		}
		if !s.Policy.Enforce(rule, t, rq.creds) {
			return s.refused(rq, res, t, rule)
		}
		out, err = a.Action(ctx, tx, rq.caller, cur, name, body)
		if err != nil {
			return err
		}
		// An action that answers the whole resource (add_extraroutes) shows it as a show would.
		if m, ok := out.(map[string]any); ok {
			if d, ok := m[res.Member].(db.Doc); ok {
				if e, ok := plugin.As[plugin.Expander](col); ok {
					return e.Expand(ctx, tx, []db.Doc{d})
				}
			}
		}
		return nil
	}
	var err error
	if method == http.MethodGet {
		err = s.DB.Read(ctx, run)
	} else {
		err = s.write(ctx, run)
	}
	var be *BackendError
	if errors.As(err, &be) {
		return backendFault(be)
	}
	if err != nil {
		return err
	}
	writeJSON(rq.w, http.StatusOK, out)
	return nil
}

// backendFault turns a backend failure into the answer: its own fault when it has one
// (upstream let MidoNet's status through), else 500.
func backendFault(be *BackendError) error {
	if f, ok := fault.As(be.Err); ok {
		return f
	}
	return fault.BackendFailed(be.Err.Error())
}

// compensateCreate deletes what a create made when the backend refused it (whether or not
// the client is still there: see afterCommit).
//
// The documents of a bulk go in one transaction, so that a bulk stays all or nothing even
// if the undo itself is cut short; only if that transaction fails is each one tried alone.
func (s *Server) compensateCreate(ctx context.Context, rq *request, col plugin.Collection, docs []db.Doc) {
	ctx = s.afterCommit(ctx)
	coll := col.Resource().Collection
	undo := func(docs []db.Doc) error {
		_, err := s.writeChanges(ctx, func(tx *db.Tx) error {
			for i := len(docs) - 1; i >= 0; i-- {
				cur, err := tx.Get(ctx, coll, docs[i]["id"].(string))
				if err != nil {
					return err
				}
				if cur == nil {
					continue
				}
				if err := col.Delete(ctx, tx, rq.caller, cur); err != nil {
					return err
				}
			}
			return nil
		})
		var be *BackendError
		if errors.As(err, &be) {
			// Gone from the database; the cluster's reconciliation removes what is left.
			s.Log.Warn("backend failed to apply the undo of a create; reconciliation will finish it", "collection", coll, "err", be.Err)
			return nil
		}
		return err
	}
	if len(docs) > 1 && undo(docs) == nil {
		return
	}
	for i := len(docs) - 1; i >= 0; i-- {
		if err := undo(docs[i : i+1]); err != nil {
			s.Log.Warn("could not undo a create the backend refused", "collection", coll, "id", docs[i]["id"], "err", err)
		}
	}
}

// markError sets status ERROR on a resource described so (routers, floating IPs) after the
// backend refused an update, as upstream does.
func (s *Server) markError(ctx context.Context, res *resource.Resource, id string) {
	if !res.ErrorOnRefusal {
		return
	}
	ctx = s.afterCommit(ctx)
	err := s.Writes.Write(ctx, func(tx *db.Tx) error {
		d, err := tx.Get(ctx, res.Collection, id)
		if err != nil || d == nil {
			return err
		}
		d["status"] = "ERROR"
		return tx.Put(ctx, res.Collection, d)
	})
	if err != nil {
		s.Log.Warn("could not mark a resource ERROR", "collection", res.Collection, "id", id, "err", err)
	}
}
