package plugin

import (
	"context"

	"github.com/midonet-go/midonet/internal/db"
	"github.com/midonet-go/midonet/internal/fault"
	"github.com/midonet-go/midonet/internal/resource"
)

// The plugin contract: what the API layer drives. Collection is required; the other
// interfaces are capabilities a collection may add. The API depends on these interfaces
// only, never on a plugin's types.

// Collection is one resource's plugin, as the API layer drives it. Every method runs inside
// the transaction it is given; the API layer owns commit and rollback.
type Collection interface {
	Resource() *resource.Resource
	// Create gets the parsed body (defaults filled; tenant_id and project_id set) and returns
	// the stored document.
	Create(ctx context.Context, tx *db.Tx, c *Caller, body db.Doc) (db.Doc, error)
	// Update gets the current document and the parsed changes and returns the new document.
	Update(ctx context.Context, tx *db.Tx, c *Caller, cur, changes db.Doc) (db.Doc, error)
	// Delete removes the current document and what hangs off it.
	Delete(ctx context.Context, tx *db.Tx, c *Caller, cur db.Doc) error
	// List returns candidate documents; the API layer filters, sorts and pages them. The
	// filters are a hint for narrowing the database query.
	List(ctx context.Context, tx *db.Tx, c *Caller, filters map[string][]string) ([]db.Doc, error)
}

// Actioner is a collection with member actions (PUT /{collection}/{id}/{action}).
type Actioner interface {
	Action(ctx context.Context, tx *db.Tx, c *Caller, cur db.Doc, action string, body map[string]any) (any, error)
	// ActionMethod says which HTTP method an action takes ("" = not an action).
	ActionMethod(action string) string
}

// Getter is a collection whose documents do not live in the resources table (agents).
type Getter interface {
	Get(ctx context.Context, tx *db.Tx, id string) (db.Doc, error)
}

// SubKeyed is a sub-resource whose URL names a member by something other than its document
// id (a Local IP's port association, by the port): DocID is the document of that key under
// that parent, NotFoundIn the 404 when there is none.
type SubKeyed interface {
	DocID(parentID, key string) string
	NotFoundIn(parentID, key string) *fault.Fault
}

// StoredLister is a collection whose List returns its stored documents as they are, only
// narrowed by the filters' hints: the API may then read a keyed collection's pages and
// filtered lists through the database's key index instead of calling List.
type StoredLister interface {
	ListsStored()
}

// Expander is a collection whose documents embed related ones before rendering.
type Expander interface {
	Expand(ctx context.Context, tx *db.Tx, docs []db.Doc) error
}

// ProjectDefaults is a collection that gives each project default members, made when the
// project first lists the collection (Neutron's default security group).
type ProjectDefaults interface {
	HasDefaults(ctx context.Context, tx *db.Tx, project string) (bool, error)
	MakeDefaults(ctx context.Context, tx *db.Tx, c *Caller, project string) error
}

// Quotas is the quota plugin as the API drives it: /v2.0/quotas and the check before every
// create.
type Quotas interface {
	Names() []string
	Known(name string) bool
	Default(name string) int
	Limit(ctx context.Context, tx *db.Tx, project, name string) (int, error)
	Used(ctx context.Context, tx *db.Tx, project, name string) (int, error)
	Set(ctx context.Context, tx *db.Tx, project string, limits map[string]int) error
	Reset(ctx context.Context, tx *db.Tx, project string) error
	Projects(ctx context.Context, tx *db.Tx) ([]string, error)
	CheckCreate(ctx context.Context, tx *db.Tx, project string, res *resource.Resource) error
}

// ReadOnly gives a computed collection (rule types, floating IP pools, IP availability) the
// writes it does not serve: each answers 405, as Neutron does for a method a resource lacks.
type ReadOnly struct{}

// Create is not part of a read-only collection.
func (ReadOnly) Create(context.Context, *db.Tx, *Caller, db.Doc) (db.Doc, error) {
	return nil, fault.MethodNotAllowed()
}

// Update is not part of a read-only collection.
func (ReadOnly) Update(context.Context, *db.Tx, *Caller, db.Doc, db.Doc) (db.Doc, error) {
	return nil, fault.MethodNotAllowed()
}

// Delete is not part of a read-only collection.
func (ReadOnly) Delete(context.Context, *db.Tx, *Caller, db.Doc) error {
	return fault.MethodNotAllowed()
}

// Composer is a collection whose members are composed of other collections' resources,
// made on demand (the auto-allocated topology of a project: a network, subnets and a router).
// GET /{collection}/{id} runs Compose in one write transaction and DELETE runs Decompose;
// the API enforces get_<member> / delete_<member> first. Both reach the other collections only
// through the Requests they are given, so that each resource is made or removed exactly as a
// separate request would (see Requests). Whatever a failed Compose wrote is rolled back with
// its transaction; when the backend refuses the committed changes, the API runs Decompose.
type Composer interface {
	// Owner is the project a member id names for the policy check (the caller's project for
	// "None", as Neutron reads it), or an error (NotAuthorized for another project's).
	Owner(c *Caller, id string) (string, error)
	// Compose makes (or finds) the member and returns its document; fields are the
	// request's ?fields= (a composer may give them a meaning, such as dry-run).
	Compose(ctx context.Context, tx *db.Tx, c *Caller, r Requests, id string, fields []string) (db.Doc, error)
	// Decompose removes the member and what it is made of; a missing member is no error.
	Decompose(ctx context.Context, tx *db.Tx, c *Caller, r Requests, id string) error
}

// Requests is the API's own write path offered to a Composer: each call does, inside the
// composer's transaction, what the separate request would — the body parsed and defaulted
// against the collection's description, the owner settled, the create/update/delete/action
// policy of the caller enforced, the quota checked, the collection's hooks run, the changes
// journaled — and the API tells its observers (the Nova notifier) of each change once the
// transaction commits.
type Requests interface {
	Create(ctx context.Context, tx *db.Tx, collection string, body map[string]any) (db.Doc, error)
	Update(ctx context.Context, tx *db.Tx, collection, id string, body map[string]any) (db.Doc, error)
	Action(ctx context.Context, tx *db.Tx, collection, id, action string, body map[string]any) (any, error)
	Delete(ctx context.Context, tx *db.Tx, collection, id string) error
}
