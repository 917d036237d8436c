package api

import (
	"context"

	"github.com/midonet-go/midonet/internal/db"
	"github.com/midonet-go/midonet/internal/resource"
)

// policyCache evaluates get policies over many documents of one request: rules that read
// nothing of the target are decided once, each parent network is loaded once, and targets
// are built in the (throw-away) documents themselves rather than copied.
type policyCache struct {
	s       *Server
	ctx     context.Context
	tx      *db.Tx
	res     *resource.Resource
	parents map[string]viewedParent // policy parents read so far, by id
	attrs   []string                // attributes with a get_<member>:<attr> rule
	decided map[string]bool         // target-free rules, decided for this caller
}

func (s *Server) newPolicyCache(ctx context.Context, tx *db.Tx, res *resource.Resource) *policyCache {
	pc := &policyCache{s: s, ctx: ctx, tx: tx, res: res, parents: map[string]viewedParent{}, decided: map[string]bool{}}
	for _, a := range res.Attrs {
		if a.Policy && s.Policy.Has(res.Rule("get")+":"+a.Name) {
			pc.attrs = append(pc.attrs, a.Name)
		}
	}
	return pc
}

// enforce evaluates rule on d; the target is d itself with its collection and its network's
// attributes flattened in ("network:tenant_id", ...), which rendering ignores.
func (pc *policyCache) enforce(rq *request, rule string, d db.Doc) bool {
	if v, ok := pc.decided[rule]; ok {
		return v
	}
	if pc.s.Policy.TargetFree(rule) {
		v := pc.s.Policy.Enforce(rule, map[string]any{"_collection": pc.res.Plural()}, rq.creds)
		pc.decided[rule] = v
		return v
	}
	pc.prepare(rq, d)
	return pc.s.Policy.Enforce(rule, d, rq.creds)
}

// prepare makes d a policy target, once: its collection, what RBAC makes of it for the caller
// (plugin.Caller.View: `shared` as the caller sees it; "_hidden" when RBAC hides it), and
// its policy parent as the caller sees it, flattened in.
func (pc *policyCache) prepare(rq *request, d db.Doc) {
	if _, ok := d["_collection"]; ok {
		return
	}
	d["_collection"] = pc.res.Plural()
	if !rq.caller.View(pc.res.Collection, d) {
		d["_hidden"] = true
	}
	if pr := pc.s.parentOf(pc.res.Collection); pr != nil {
		if id, _ := d[pr.Attr].(string); id != "" {
			pc.parent(rq, pr, id).addTo(d)
		}
	}
}

// parent returns policy parent id as the caller sees it (without a document when there is
// none), reading it once per request.
func (pc *policyCache) parent(rq *request, pr *resource.Parent, id string) viewedParent {
	parent, ok := pc.parents[id]
	if !ok {
		doc, _ := pc.tx.Peek(pc.ctx, pr.Collection, id) // the cache's copy: only read
		parent = pc.s.viewParent(rq, pr, doc)
		pc.parents[id] = parent
	}
	return parent
}

// visible reports whether the caller may see d: RBAC lets it, and the get policy passes.
func (pc *policyCache) visible(rq *request, d db.Doc) bool {
	pc.prepare(rq, d)
	if d["_hidden"] == true {
		return false
	}
	return pc.enforce(rq, pc.res.Rule("get"), d)
}

// render shapes a document for an answer: visible attributes of advertised extensions that
// the caller may read, narrowed to the requested fields.
func (s *Server) render(rq *request, res *resource.Resource, d db.Doc, fields []string, pc *policyCache) map[string]any {
	pc.prepare(rq, d)
	var want map[string]bool
	if len(fields) > 0 {
		want = make(map[string]bool, len(fields))
		for _, f := range fields {
			want[f] = true
		}
	}
	out := make(map[string]any, len(res.Attrs))
	for _, a := range res.Attrs {
		if a.Hidden || a.FilterOnly || !s.Extensions.Has(a.Ext) || (want != nil && !want[a.Name]) {
			continue
		}
		if _, has := d[a.Name]; a.Optional && !has {
			continue
		}
		out[a.Name] = d[a.Name]
	}
	for _, name := range pc.attrs {
		if _, shown := out[name]; shown && !pc.enforce(rq, res.Rule("get")+":"+name, d) {
			delete(out, name)
		}
	}
	return out
}
