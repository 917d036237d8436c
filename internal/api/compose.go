package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/midonet-go/midonet/internal/db"
	"github.com/midonet-go/midonet/internal/fault"
	"github.com/midonet-go/midonet/internal/plugin"
	"github.com/midonet-go/midonet/internal/resource"
)

// The composite write path: one request whose plugin makes or removes resources of other
// collections (plugin.Composer: the auto-allocated topology). The plugin gets a
// plugin.Requests, the API's own create/update/action/delete steps run inside the request's
// one transaction, so that every resource it makes passes the same parsing, owner, policy,
// quota, hooks and journal as a separate request; a failure anywhere rolls all of it back.

// compose answers GET /{collection}/{id} of a Composer.
func (s *Server) compose(rq *request, col plugin.Collection, k plugin.Composer, id string) error {
	res := col.Resource()
	if err := s.authorizeComposite(rq, res, k, id, "get"); err != nil {
		return err
	}
	ctx := rq.r.Context()
	var out db.Doc
	var reqs *subRequests
	_, err := s.writeChanges(ctx, func(tx *db.Tx) error {
		reqs = &subRequests{s: s, rq: rq}
		var err error
		out, err = k.Compose(ctx, tx, rq.caller, reqs, id, fieldsOf(rq.r))
		return err
	})
	var be *BackendError
	if errors.As(err, &be) {
		// The backend refused what the database took: take the whole composition apart, as
		// a refused create is undone.
		s.undoComposite(ctx, rq, k, id)
		return backendFault(be)
	}
	if err != nil {
		return err
	}
	reqs.observe(ctx)
	writeJSON(rq.w, http.StatusOK, map[string]any{res.Member: out})
	return nil
}

// decompose answers DELETE /{collection}/{id} of a Composer.
func (s *Server) decompose(rq *request, col plugin.Collection, k plugin.Composer, id string) error {
	res := col.Resource()
	if err := s.authorizeComposite(rq, res, k, id, "delete"); err != nil {
		return err
	}
	ctx := rq.r.Context()
	var reqs *subRequests
	_, err := s.writeChanges(ctx, func(tx *db.Tx) error {
		reqs = &subRequests{s: s, rq: rq}
		return k.Decompose(ctx, tx, rq.caller, reqs, id)
	})
	var be *BackendError
	if errors.As(err, &be) {
		s.Log.Warn("backend failed to apply a delete; reconciliation will finish it", "collection", res.Collection, "id", id, "err", be.Err)
		err = nil
	}
	if err != nil {
		return err
	}
	reqs.observe(ctx)
	rq.w.WriteHeader(http.StatusNoContent)
	return nil
}

// authorizeComposite enforces <action>_<member> against the project the id names. An
// unauthenticated (noauth) caller that names no project acts for fake_project_id, which owns
// what it creates anyway.
func (s *Server) authorizeComposite(rq *request, res *resource.Resource, k plugin.Composer, id, action string) error {
	if s.NoAuth && rq.caller.ProjectID == "" {
		c := *rq.caller
		c.ProjectID = fakeProject
		rq.caller = &c
		rq.creds.ProjectID = fakeProject
	}
	owner, err := k.Owner(rq.caller, id)
	if err != nil {
		return err
	}
	t := withCollection(db.Doc{"tenant_id": owner, "project_id": owner}, res.Plural(), 0)
	if rule := res.Rule(action); !s.Policy.Enforce(rule, t, rq.creds) {
		return fault.Forbidden(rule)
	}
	return nil
}

// undoComposite takes apart a composition the backend refused.
func (s *Server) undoComposite(ctx context.Context, rq *request, k plugin.Composer, id string) {
	ctx = s.afterCommit(ctx) // the client may be gone: see afterCommit
	var reqs *subRequests
	_, err := s.writeChanges(ctx, func(tx *db.Tx) error {
		reqs = &subRequests{s: s, rq: rq}
		return k.Decompose(ctx, tx, rq.caller, reqs, id)
	})
	if err != nil {
		s.Log.Warn("could not undo a composition the backend refused", "id", id, "err", err)
		return
	}
	reqs.observe(ctx)
}

// subRequests is plugin.Requests for one attempt of a composite request's transaction: the
// steps of the separate requests, and what they changed, for the observers after the commit.
type subRequests struct {
	s       *Server
	rq      *request
	changes []observed
}

type observed struct {
	collection    string
	before, after db.Doc
}

// collection is the served collection named so (decorated as the API drives it).
func (r *subRequests) collection(name string) (plugin.Collection, error) {
	for _, c := range r.s.order {
		if res := c.Resource(); res.Collection == name && !res.Sub {
			return c, nil
		}
	}
	return nil, fmt.Errorf("api: composite request names collection %q, which the server does not serve", name)
}

// Create is POST /{collection} with body (the member's attributes).
func (r *subRequests) Create(ctx context.Context, tx *db.Tx, collection string, body map[string]any) (db.Doc, error) {
	col, err := r.collection(collection)
	if err != nil {
		return nil, err
	}
	res := col.Resource()
	given := resource.Clone(body).(map[string]any)
	p, err := res.ParseCreate(resource.Clone(body).(map[string]any))
	if err != nil {
		return nil, err
	}
	if err := r.s.owner(r.rq, p); err != nil {
		return nil, err
	}
	if err := r.s.authorizeCreate(ctx, tx, r.rq, res, p, given); err != nil {
		return nil, err
	}
	d, err := col.Create(ctx, tx, r.rq.caller, resource.Clone(p).(map[string]any))
	if err != nil {
		return nil, err
	}
	r.changes = append(r.changes, observed{collection: collection, after: d})
	return d, nil
}

// Update is PUT /{collection}/{id} with body (the changed attributes).
func (r *subRequests) Update(ctx context.Context, tx *db.Tx, collection, id string, body map[string]any) (db.Doc, error) {
	col, err := r.collection(collection)
	if err != nil {
		return nil, err
	}
	res := col.Resource()
	changes, err := res.ParseUpdate(resource.Clone(body).(map[string]any))
	if err != nil {
		return nil, err
	}
	cur, _, err := r.s.load(ctx, tx, r.rq, col, id)
	if err != nil {
		return nil, err
	}
	if err := r.s.authorizeUpdate(ctx, tx, r.rq, res, cur, changes); err != nil {
		return nil, err
	}
	before := resource.Clone(cur).(map[string]any)
	out, err := col.Update(ctx, tx, r.rq.caller, cur, resource.Clone(changes).(map[string]any))
	if err != nil {
		return nil, err
	}
	r.changes = append(r.changes, observed{collection: collection, before: before, after: out})
	return out, nil
}

// Action is PUT /{collection}/{id}/{action} with body.
func (r *subRequests) Action(ctx context.Context, tx *db.Tx, collection, id, action string, body map[string]any) (any, error) {
	col, err := r.collection(collection)
	if err != nil {
		return nil, err
	}
	a, ok := plugin.As[plugin.Actioner](col)
	if !ok || a.ActionMethod(action) != http.MethodPut {
		return nil, fmt.Errorf("api: composite request names action %q that %s does not have", action, collection)
	}
	res := col.Resource()
	cur, t, err := r.s.load(ctx, tx, r.rq, col, id)
	if err != nil {
		return nil, err
	}
	rule := action
	if !r.s.Policy.Has(rule) {
		rule = res.Rule("update")
	}
	if !r.s.Policy.Enforce(rule, t, r.rq.creds) {
		return nil, r.s.refused(r.rq, res, t, rule)
	}
	return a.Action(ctx, tx, r.rq.caller, cur, action, resource.Clone(body).(map[string]any))
}

// Delete is DELETE /{collection}/{id}.
func (r *subRequests) Delete(ctx context.Context, tx *db.Tx, collection, id string) error {
	col, err := r.collection(collection)
	if err != nil {
		return err
	}
	res := col.Resource()
	cur, t, err := r.s.load(ctx, tx, r.rq, col, id)
	if err != nil {
		return err
	}
	if rule := res.Rule("delete"); !r.s.Policy.Enforce(rule, t, r.rq.creds) {
		return r.s.refused(r.rq, res, t, rule)
	}
	if err := col.Delete(ctx, tx, r.rq.caller, cur); err != nil {
		return err
	}
	r.changes = append(r.changes, observed{collection: collection, before: cur})
	return nil
}

// observe tells the server's observers of the committed changes, in order.
func (r *subRequests) observe(ctx context.Context) {
	if r == nil || r.s.Observe == nil {
		return
	}
	for _, c := range r.changes {
		r.s.Observe(ctx, c.collection, c.before, c.after)
	}
}
