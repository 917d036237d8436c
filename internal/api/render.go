package api

import (
	"context"

	"github.com/midonet-go/midonet/internal/db"
	"github.com/midonet-go/midonet/internal/resource"
)

// policyCache evaluates get policies over many documents of one list, loading each parent
// network once.
type policyCache struct {
	s        *Server
	ctx      context.Context
	tx       *db.Tx
	res      *resource.Resource
	networks map[string]db.Doc
	attrs    []string // attributes with a get_<member>:<attr> rule
}

func (s *Server) newPolicyCache(ctx context.Context, tx *db.Tx, res *resource.Resource) *policyCache {
	pc := &policyCache{s: s, ctx: ctx, tx: tx, res: res, networks: map[string]db.Doc{}}
	for _, a := range res.Attrs {
		if a.Policy && s.Policy.Has("get_"+res.Member+":"+a.Name) {
			pc.attrs = append(pc.attrs, a.Name)
		}
	}
	return pc
}

func (pc *policyCache) target(d db.Doc) map[string]any {
	t := withCollection(d, pc.res.Collection)
	if netID, _ := d["network_id"].(string); netID != "" && pc.res.Collection != "networks" {
		net, ok := pc.networks[netID]
		if !ok {
			net, _ = pc.tx.Get(pc.ctx, "networks", netID)
			pc.networks[netID] = net
		}
		addParent(t, "network", net)
	}
	return t
}

// visible reports whether the caller may see d.
func (pc *policyCache) visible(rq *request, d db.Doc) bool {
	if rq.creds.IsAdmin {
		return pc.s.Policy.Enforce("get_"+pc.res.Member, withCollection(d, pc.res.Collection), rq.creds)
	}
	return pc.s.Policy.Enforce("get_"+pc.res.Member, pc.target(d), rq.creds)
}

// render shapes a document for an answer: visible attributes of advertised extensions that
// the caller may read, narrowed to the requested fields.
func (s *Server) render(rq *request, res *resource.Resource, d db.Doc, fields []string, pc *policyCache) map[string]any {
	var want map[string]bool
	if len(fields) > 0 {
		want = map[string]bool{}
		for _, f := range fields {
			want[f] = true
		}
	}
	out := make(map[string]any, len(res.Attrs))
	for _, a := range res.Attrs {
		if a.Hidden || !s.Extensions.Has(a.Ext) || (want != nil && !want[a.Name]) {
			continue
		}
		v, ok := d[a.Name]
		if !ok {
			v = nil
		}
		out[a.Name] = v
	}
	if len(pc.attrs) > 0 {
		var t map[string]any
		for _, name := range pc.attrs {
			if _, shown := out[name]; !shown {
				continue
			}
			if t == nil {
				t = pc.target(d)
			}
			if !s.Policy.Enforce("get_"+res.Member+":"+name, t, rq.creds) {
				delete(out, name)
			}
		}
	}
	return out
}
