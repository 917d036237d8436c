package api

import (
	"context"

	"github.com/midonet-go/midonet/internal/db"
	"github.com/midonet-go/midonet/internal/fault"
	"github.com/midonet-go/midonet/internal/plugin"
	"github.com/midonet-go/midonet/internal/resource"
)

// Sub-resources (Neutron's SUB_RESOURCE_ATTRIBUTE_MAP: a QoS policy's rules) live under their
// parent's member URL. The URL names the parent; the document keeps the parent's id in its
// parent attribute (hidden); the parent must exist and be visible to the caller, else its
// own 404 answers, whatever the sub-resource.

// parentScope is the parent a sub-resource request names in its URL.
type parentScope struct {
	col plugin.Collection
	id  string
}

// loadParent reads the parent of a sub-resource request as the caller sees it (nil when the
// request is not about a sub-resource).
func (s *Server) loadParent(ctx context.Context, tx *db.Tx, rq *request) (db.Doc, error) {
	if rq.parent == nil {
		return nil, nil
	}
	d, _, err := s.load(ctx, tx, rq, rq.parent.col, rq.parent.id)
	return d, err
}

// scopeCreate gives a new sub-resource its parent: the parent attribute, and the parent's
// project as its own (a rule belongs to its policy's project).
func scopeCreate(rq *request, attr string, parent, d db.Doc) {
	if rq.parent == nil {
		return
	}
	d[attr] = rq.parent.id
	d["tenant_id"], d["project_id"] = parent["tenant_id"], parent["project_id"]
}

// inScope reports whether a document belongs to the parent the URL names (always, outside a
// sub-resource request).
func inScope(rq *request, attr string, d db.Doc) bool {
	if rq.parent == nil {
		return true
	}
	id, _ := d[attr].(string)
	return id == rq.parent.id
}

// outOfScope is the answer to an update or delete of a sub-resource that lives under another
// parent than the URL's: the resource's WrongParent when it has one, else its 404.
func outOfScope(rq *request, res *resource.Resource, id string) *fault.Fault {
	if res.WrongParent != nil {
		return res.WrongParent(id, rq.parent.id)
	}
	return res.NotFound(id)
}
