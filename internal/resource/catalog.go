package resource

import (
	"fmt"
	"sort"
)

// Catalog is every collection the server knows, built once at start-up (internal/app) from
// the descriptions the plugins bring, and read-only afterwards: safe for any number of
// goroutines. Each layer asks it instead of keeping a table of its own: the API for routes,
// the /v2.0/ list, quotas and policy parents; the database for parent keys; the journal
// and the cluster for task data types, REST paths and the translation order; metrics for
// the labels of requests.
type Catalog struct {
	all        []*Resource
	byName     map[string]*Resource
	byPath     map[string]*Resource
	byDataType map[string]*Resource
	byREST     map[string]*Resource
	byRBAC     map[string]*Resource
	translated []*Resource
	quotas     []*Resource
}

// NewCatalog builds a catalogue; names, paths, data types, REST paths and quota names must
// be unique, and every translated collection needs a data type.
func NewCatalog(rs ...*Resource) (*Catalog, error) {
	c := &Catalog{byName: map[string]*Resource{}, byPath: map[string]*Resource{},
		byDataType: map[string]*Resource{}, byREST: map[string]*Resource{}, byRBAC: map[string]*Resource{}}
	quotas := map[string]bool{}
	for _, r := range rs {
		if r.Collection == "" {
			return nil, fmt.Errorf("catalog: a description without a collection name")
		}
		if _, dup := c.byName[r.Collection]; dup {
			return nil, fmt.Errorf("catalog: collection %q described twice", r.Collection)
		}
		c.byName[r.Collection] = r
		if r.Path != "" {
			// A sub-resource's path is a segment under its parent's members: it may repeat a
			// top-level path (a flavor's service_profiles), which keeps the top-level name.
			o, dup := c.byPath[r.Path]
			switch {
			case dup && !o.Sub && !r.Sub:
				return nil, fmt.Errorf("catalog: path %q of %s is %s's", r.Path, r.Collection, o.Collection)
			case !dup || (o.Sub && !r.Sub):
				c.byPath[r.Path] = r
			}
		}
		if r.DataType != "" {
			if o, dup := c.byDataType[r.DataType]; dup {
				return nil, fmt.Errorf("catalog: data type %q of %s is %s's", r.DataType, r.Collection, o.Collection)
			}
			c.byDataType[r.DataType] = r
		}
		if r.Translate > 0 {
			if r.DataType == "" {
				return nil, fmt.Errorf("catalog: %s is translated but has no task data type", r.Collection)
			}
			if o, dup := c.byREST[r.REST()]; dup {
				return nil, fmt.Errorf("catalog: REST path %q of %s is %s's", r.REST(), r.Collection, o.Collection)
			}
			c.byREST[r.REST()] = r
			c.translated = append(c.translated, r)
		}
		if r.Quota != "" {
			if quotas[r.Quota] {
				return nil, fmt.Errorf("catalog: quota %q counted twice", r.Quota)
			}
			quotas[r.Quota] = true
			c.quotas = append(c.quotas, r)
		}
		if r.RBAC != "" {
			if o, dup := c.byRBAC[r.RBAC]; dup {
				return nil, fmt.Errorf("catalog: RBAC object type %q of %s is %s's", r.RBAC, r.Collection, o.Collection)
			}
			c.byRBAC[r.RBAC] = r
		}
		r.indexOnce.Do(r.index)
		c.all = append(c.all, r)
	}
	for _, r := range rs {
		if r.Parent != nil && r.Parent.Collection != "" {
			if _, ok := c.byName[r.Parent.Collection]; !ok {
				return nil, fmt.Errorf("catalog: parent %s of %s is not in the catalogue", r.Parent.Collection, r.Collection)
			}
		}
	}
	sort.SliceStable(c.translated, func(i, j int) bool { return c.translated[i].Translate < c.translated[j].Translate })
	sort.Slice(c.quotas, func(i, j int) bool { return c.quotas[i].Quota < c.quotas[j].Quota })
	return c, nil
}

// MustCatalog is NewCatalog for descriptions known to be consistent (tests, built-ins).
func MustCatalog(rs ...*Resource) *Catalog {
	c, err := NewCatalog(rs...)
	if err != nil {
		panic(err)
	}
	return c
}

// REST is the collection's segment on the cluster's REST endpoint.
func (r *Resource) REST() string {
	if r.RESTPath != "" {
		return r.RESTPath
	}
	return r.Collection
}

// ByRBAC returns the collection whose documents RBAC policies name by object type (nil when
// none).
func (c *Catalog) ByRBAC(objectType string) *Resource {
	if c == nil {
		return nil
	}
	return c.byRBAC[objectType]
}

// RBACTypes lists the object types RBAC policies may name, sorted.
func (c *Catalog) RBACTypes() []string {
	out := make([]string, 0, len(c.byRBAC))
	for t := range c.byRBAC {
		out = append(out, t)
	}
	sort.Strings(out)
	return out
}

// All lists the collections in the order they were given.
func (c *Catalog) All() []*Resource { return c.all }

// Get returns a collection by name (nil when unknown).
func (c *Catalog) Get(collection string) *Resource {
	if c == nil {
		return nil
	}
	return c.byName[collection]
}

// ByPath returns the collection served at /v2.0/<path> (nil when none).
func (c *Catalog) ByPath(path string) *Resource { return c.byPath[path] }

// ByDataType returns the collection of a task data type (nil when unknown).
func (c *Catalog) ByDataType(dataType string) *Resource { return c.byDataType[dataType] }

// ByREST returns the translated collection of a cluster REST path segment (nil when none).
func (c *Catalog) ByREST(segment string) *Resource { return c.byREST[segment] }

// Translated lists the collections the cluster keeps and translates, in dependency order.
func (c *Catalog) Translated() []string {
	out := make([]string, len(c.translated))
	for i, r := range c.translated {
		out[i] = r.Collection
	}
	return out
}

// Quotas lists the collections that have a quota, by quota name.
func (c *Catalog) Quotas() []*Resource { return c.quotas }

// ParentKey is the attribute stored as a document's parent ("" when none); the database
// indexes it.
func (c *Catalog) ParentKey(collection string) string {
	if r := c.Get(collection); r != nil {
		return r.ParentAttr()
	}
	return ""
}

// DataType is the task data type the journal writes for a collection ("" when the
// collection is unknown or not journaled).
func (c *Catalog) DataType(collection string) string {
	if r := c.Get(collection); r != nil {
		return r.DataType
	}
	return ""
}

// KeyAttrs is what the database indexes of a collection's documents (db.KeyedKinds).
func (c *Catalog) KeyAttrs(collection string) (sort, multi []string) {
	if r := c.Get(collection); r != nil {
		return r.IndexKeys()
	}
	return nil, nil
}

// KeyedKindNames lists the collections the key index holds (db.KindLister): the keyed ones
// and those with Lookups.
func (c *Catalog) KeyedKindNames() []string {
	var out []string
	for _, r := range c.all {
		if r.Keyed || len(r.Lookups) > 0 {
			out = append(out, r.Collection)
		}
	}
	return out
}

// Paths are the URL segments under /v2.0/ the server answers: every served collection, plus
// quotas and extensions.
func (c *Catalog) Paths() []string {
	out := []string{"quotas", "extensions"}
	for _, r := range c.all {
		if r.Path != "" {
			out = append(out, r.Path)
		}
	}
	return out
}
