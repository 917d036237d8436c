// Package plugin holds what every plugin shares: the caller of a request, the contract the API
// layer drives (one Collection per resource), and the standard attributes every resource
// carries (ids, owners, timestamps, revision numbers, tags) with the journal entry of each write.
package plugin

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/midonet-go/midonet/internal/db"
	"github.com/midonet-go/midonet/internal/journal"
	"github.com/midonet-go/midonet/internal/model"
	"github.com/midonet-go/midonet/internal/resource"
)

// Caller is who asks.
type Caller struct {
	ProjectID string
	UserID    string
	IsAdmin   bool
	RequestID string
	// Sees reports whether the caller may see a document of a collection: the API sets it to
	// Neutron's get_<member> policy over the document and its parents. Nil: admins see
	// everything, others what their project owns. Fetch reads it.
	Sees func(ctx context.Context, tx *db.Tx, collection string, d db.Doc) (bool, error)
	// Catalog describes the collections a request may name (their 404s); the API sets it.
	Catalog *resource.Catalog
	// Served reports whether the server serves a collection ([DEFAULT] service_plugins may
	// leave a service out while the catalogue keeps it); the API sets it. Nil: everything in
	// the catalogue is served.
	Served func(collection string) bool
}

// Serves reports whether a collection of the catalogue is served to this caller's server.
func (c *Caller) Serves(collection string) bool {
	if c == nil || c.Catalog == nil || c.Catalog.Get(collection) == nil {
		return false
	}
	return c.Served == nil || c.Served(collection)
}

// Now is the timestamp format of Neutron's standard attributes.
func Now() string { return time.Now().UTC().Format("2006-01-02T15:04:05Z") }

// NewID returns a fresh UUID.
func NewID() string { return uuid.NewString() }

// Stamp fills the standard attributes of a new document.
func Stamp(d db.Doc, revision int) {
	if d["id"] == nil {
		d["id"] = NewID()
	}
	now := Now()
	d["created_at"] = now
	d["updated_at"] = now
	d["revision_number"] = revision
	if d["tags"] == nil {
		d["tags"] = []any{}
	}
}

// Bump marks a document changed: revision_number + 1 and a new updated_at.
func Bump(d db.Doc) {
	n, _ := model.Int(d["revision_number"])
	d["revision_number"] = int(n) + 1
	d["updated_at"] = Now()
}

// Apply copies changes onto a copy of cur.
func Apply(cur, changes db.Doc) db.Doc {
	out := Copy(cur)
	for k, v := range changes {
		out[k] = v
	}
	return out
}

// Journal appends the task of one write.
func Journal(ctx context.Context, tx *db.Tx, c *Caller, typ, collection string, d db.Doc) error {
	id, _ := d["id"].(string)
	tenant, _ := d["tenant_id"].(string)
	data := d
	if typ == journal.Delete {
		data = nil
	}
	reqID := ""
	if c != nil {
		reqID = c.RequestID
	}
	return journal.Append(ctx, tx, typ, collection, id, tenant, reqID, data)
}

// NullFilter reports whether a filter value also matches a document without the attribute
// (the API's list filters: empty, None, null), which no key row holds: a List cannot narrow
// its read by that value.
func NullFilter(v string) bool { return v == "" || v == "None" || v == "null" }

// Str reads a string attribute.
func Str(d db.Doc, k string) string {
	s, _ := d[k].(string)
	return s
}

// Bool reads a boolean attribute.
func Bool(d db.Doc, k string) bool {
	b, _ := d[k].(bool)
	return b
}

// List reads a list attribute.
func List(d db.Doc, k string) []any {
	l, _ := d[k].([]any)
	return l
}

// Strings reads a list of strings.
func Strings(d db.Doc, k string) []string {
	var out []string
	for _, x := range List(d, k) {
		if s, ok := x.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

// Objects reads a list of JSON objects (fixed_ips, routes, pools, ...); an entry that is not
// an object is left out. Documents the server stored hold only objects there; a request
// body's lists were validated before a plugin sees them.
func Objects(l []any) []map[string]any {
	out := make([]map[string]any, 0, len(l))
	for _, x := range l {
		if m, ok := x.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}

// Copy deep-copies a document.
func Copy(d db.Doc) db.Doc {
	out, _ := resource.Clone(d).(map[string]any)
	return out
}
