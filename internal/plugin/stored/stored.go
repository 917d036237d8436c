// Package stored is the plugin of a simple stored collection: documents of one resource
// kept as the API layer hands them over (parsed, defaults filled, project set), each write
// stored and journaled in one call (plugin.Add, plugin.Save, plugin.Remove). A service folder
// describes what is its own (the checks before a write, the standard attributes, the
// documents that go with a deleted one, the list query that names a parent) in a Collection
// and gets the list/create/update/delete the API drives, so that the same steps are written
// once. Policy, project visibility and rendering stay the API layer's, as for every plugin.
package stored

import (
	"context"
	"fmt"

	"github.com/midonet-go/midonet/internal/db"
	"github.com/midonet-go/midonet/internal/fault"
	"github.com/midonet-go/midonet/internal/plugin"
	"github.com/midonet-go/midonet/internal/resource"
)

// Hook is a step a service adds to a write: it checks or completes d inside the write's
// transaction; an error stops the write (the API layer rolls it back).
type Hook func(ctx context.Context, tx *db.Tx, c *plugin.Caller, d db.Doc) error

// UpdateHook checks an update: cur is the stored document, changes what the request
// changes, d the document about to be stored (cur with the changes applied), which it may
// complete.
type UpdateHook func(ctx context.Context, tx *db.Tx, c *plugin.Caller, cur, changes, d db.Doc) error

// Collection is a plugin.Collection over the stored documents of Res. The zero value of
// each field is the plainest behaviour: no checks, no standard attributes, updates stored
// with the revision the API left, lists narrowed by project only.
type Collection struct {
	Res *resource.Resource

	// Standard fills the standard attributes of a new document (created_at, updated_at,
	// revision_number 0, tags) and makes updates bump revision_number and updated_at.
	Standard bool
	// Bump makes updates bump revision_number and updated_at (plugin.Save) where the
	// resource has no tags or creation stamps of its own (Standard implies it).
	Bump bool
	// Frozen is a resource none of whose attributes can be updated (the API refuses
	// them): an update (an empty one) stores and journals nothing and answers the document.
	Frozen bool
	// Unjournaled stores documents the backend has nothing to build from (address scopes,
	// flavors): no journal task for their writes.
	Unjournaled bool
	// Unscoped lists every document: the query's tenant_id/project_id do not narrow the
	// database read (the API still keeps only what the caller may see).
	Unscoped bool
	// ParentQuery is the list filter naming one parent ("router_id", "metering_label_id"):
	// given once, the read is narrowed to that parent's documents.
	ParentQuery string
	// Children are the collections whose documents hang off this one's (their parent is
	// its id): a delete removes them first, as Neutron's foreign keys cascade.
	Children []string

	// Prepare checks and completes a new document (a copy of the body) before it gets its
	// id and is stored.
	Prepare Hook
	// Created runs after a new document is stored (claims on other documents, attributes
	// the answer shows but the store does not keep).
	Created Hook
	// Check checks and completes an updated document before it is stored.
	Check UpdateHook
	// Updated runs after an updated document is stored.
	Updated Hook
	// Refuse runs first on a delete: the reason the document cannot go (in use), or
	// clean-up of what names it.
	Refuse Hook
	// Deleted runs after the document and its children are removed.
	Deleted Hook
}

// Resource describes the collection.
func (s Collection) Resource() *resource.Resource { return s.Res }

// Create stores a copy of body: Prepare, a fresh id when the body has none, the standard
// attributes when asked, then Created.
func (s Collection) Create(ctx context.Context, tx *db.Tx, c *plugin.Caller, body db.Doc) (db.Doc, error) {
	d := plugin.Copy(body)
	if s.Prepare != nil {
		if err := s.Prepare(ctx, tx, c, d); err != nil {
			return nil, err
		}
	}
	if d["id"] == nil {
		d["id"] = plugin.NewID()
	}
	if s.Standard {
		plugin.Stamp(d, 0)
	}
	if err := s.add(ctx, tx, c, d); err != nil {
		return nil, err
	}
	if s.Created != nil {
		if err := s.Created(ctx, tx, c, d); err != nil {
			return nil, err
		}
	}
	return d, nil
}

// Update stores cur with the changes applied, after Check; Updated runs last.
func (s Collection) Update(ctx context.Context, tx *db.Tx, c *plugin.Caller, cur, changes db.Doc) (db.Doc, error) {
	if s.Frozen {
		return cur, nil
	}
	d := plugin.Apply(cur, changes)
	if s.Check != nil {
		if err := s.Check(ctx, tx, c, cur, changes, d); err != nil {
			return nil, err
		}
	}
	if err := s.save(ctx, tx, c, d); err != nil {
		return nil, err
	}
	if s.Updated != nil {
		if err := s.Updated(ctx, tx, c, d); err != nil {
			return nil, err
		}
	}
	return d, nil
}

// Delete removes cur after Refuse, its children first; Deleted runs last.
func (s Collection) Delete(ctx context.Context, tx *db.Tx, c *plugin.Caller, cur db.Doc) error {
	if s.Refuse != nil {
		if err := s.Refuse(ctx, tx, c, cur); err != nil {
			return err
		}
	}
	for _, child := range s.Children {
		if err := RemoveOf(ctx, tx, c, child, plugin.Str(cur, "id")); err != nil {
			return err
		}
	}
	if err := s.remove(ctx, tx, c, cur); err != nil {
		return err
	}
	if s.Deleted != nil {
		return s.Deleted(ctx, tx, c, cur)
	}
	return nil
}

// add, save and remove write one document, journaled unless Unjournaled.
func (s Collection) add(ctx context.Context, tx *db.Tx, c *plugin.Caller, d db.Doc) error {
	if s.Unjournaled {
		return tx.Insert(ctx, s.Res.Collection, d)
	}
	return plugin.Add(ctx, tx, c, s.Res.Collection, d)
}

func (s Collection) save(ctx context.Context, tx *db.Tx, c *plugin.Caller, d db.Doc) error {
	if s.Standard || s.Bump {
		plugin.Bump(d)
	}
	if s.Unjournaled {
		return tx.Put(ctx, s.Res.Collection, d)
	}
	return plugin.SaveAsIs(ctx, tx, c, s.Res.Collection, d)
}

func (s Collection) remove(ctx context.Context, tx *db.Tx, c *plugin.Caller, d db.Doc) error {
	if s.Unjournaled {
		_, err := tx.Delete(ctx, s.Res.Collection, plugin.Str(d, "id"))
		return err
	}
	return plugin.Remove(ctx, tx, c, s.Res.Collection, d)
}

// List returns the candidate documents (narrowed as the query allows); the API layer keeps
// those the caller may see and applies the filters.
func (s Collection) List(ctx context.Context, tx *db.Tx, _ *plugin.Caller, f map[string][]string) ([]db.Doc, error) {
	var h db.Filter
	if !s.Unscoped {
		h = ProjectFilter(f)
	}
	if s.ParentQuery != "" {
		if p := f[s.ParentQuery]; len(p) == 1 {
			h.ParentID = p[0]
		}
	}
	return tx.List(ctx, s.Res.Collection, h)
}

// StampUntagged fills the standard attributes of a new document of a resource without tags
// (FWaaS's, logging's): id, timestamps, revision 0, project_id from tenant_id.
func StampUntagged(d db.Doc) {
	plugin.Stamp(d, 0)
	delete(d, "tags")
	if d["project_id"] == nil {
		d["project_id"] = d["tenant_id"]
	}
}

// ProjectFilter narrows a database read to one project when the query names exactly one
// (tenant_id, else project_id).
func ProjectFilter(f map[string][]string) db.Filter {
	var h db.Filter
	if t := f["tenant_id"]; len(t) == 1 {
		h.ProjectID = t[0]
	} else if t := f["project_id"]; len(t) == 1 {
		h.ProjectID = t[0]
	}
	return h
}

// RemoveOf removes (and journals) every document of collection whose parent is parentID.
func RemoveOf(ctx context.Context, tx *db.Tx, c *plugin.Caller, collection, parentID string) error {
	docs, err := tx.List(ctx, collection, db.Filter{ParentID: parentID})
	if err != nil {
		return fmt.Errorf("%s of %s: %w", collection, parentID, err)
	}
	return RemoveAll(ctx, tx, c, collection, docs)
}

// Where lists every project's documents of collection whose attr is value (through the key
// index when the catalogue keys attr: the networks of a QoS policy), in id order.
func Where(ctx context.Context, tx *db.Tx, collection, attr, value string) ([]db.Doc, error) {
	docs, err := tx.ListBy(ctx, collection, attr, value)
	if err != nil {
		return nil, fmt.Errorf("%s by %s: %w", collection, attr, err)
	}
	return docs, nil
}

// InUse is a Refuse hook: a document that a document of collection names in attr cannot go,
// and refused(id) is the answer (Neutron's …InUse conflicts).
func InUse(collection, attr string, refused func(id string) *fault.Fault) Hook {
	return func(ctx context.Context, tx *db.Tx, _ *plugin.Caller, cur db.Doc) error {
		id := plugin.Str(cur, "id")
		users, err := Where(ctx, tx, collection, attr, id)
		if err != nil {
			return err
		}
		if len(users) > 0 {
			return refused(id)
		}
		return nil
	}
}

// RemoveWhere removes (and journals) every document of collection whose attr is value (what
// names a deleted document, as Neutron's foreign keys cascade).
func RemoveWhere(ctx context.Context, tx *db.Tx, c *plugin.Caller, collection, attr, value string) error {
	docs, err := Where(ctx, tx, collection, attr, value)
	if err != nil {
		return err
	}
	return RemoveAll(ctx, tx, c, collection, docs)
}

// RemoveAll removes (and journals) docs, documents of collection.
func RemoveAll(ctx context.Context, tx *db.Tx, c *plugin.Caller, collection string, docs []db.Doc) error {
	for _, d := range docs {
		if err := plugin.Remove(ctx, tx, c, collection, d); err != nil {
			return err
		}
	}
	return nil
}

// Visible is d as an answer shows it outside the API layer's rendering (an action's answer,
// an embedded list): the attributes of res that are not hidden, those d has.
func Visible(res *resource.Resource, d db.Doc) map[string]any {
	out := map[string]any{}
	for _, a := range res.Attrs {
		if v, ok := d[a.Name]; ok && res.Visible(a.Name) {
			out[a.Name] = v
		}
	}
	return out
}
