// Package resource describes every API resource once, as data: its attributes, who may set
// them, their defaults, converters and validators, and the extension each belongs to. The
// request pipeline (parsing, defaults, validation, response filtering, policy checks) and the
// /v2.0/extensions list all read these descriptions; nothing else restates them.
package resource

import (
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/midonet-go/midonet/internal/fault"
)

// unset is the type of Unset.
type unset struct{}

// Unset is the default of an attribute whose absence means "let the plugin decide"
// (Neutron's ATTR_NOT_SPECIFIED): the plugin sees the key missing from the parsed body.
var Unset = unset{}

// Attr describes one attribute of a resource.
type Attr struct {
	Name string
	// Post and Put say whether a client may set the attribute on create and on update.
	Post, Put bool
	// Required means a create must carry the attribute.
	Required bool
	// Default is used on create when the attribute is absent (nil is JSON null; Unset leaves
	// it absent for the plugin to fill).
	Default any
	// Convert normalises a client value (convert_to); a failure is InvalidInput.
	Convert func(v any) (any, error)
	// Validate returns "" for a valid value or the reason it is not.
	Validate func(v any) string
	// Hidden attributes are never shown in answers.
	Hidden bool
	// Ext is the alias of the extension that adds the attribute ("" for core ones).
	Ext string
	// Policy means attribute-level policy rules ("create_port:binding:host_id") apply.
	Policy bool
	// NoSort marks attributes that cannot be used as sort keys.
	NoSort bool
	// NoFilter marks attributes that cannot be used as filters.
	NoFilter bool
	// FilterOnly marks a query parameter the plugin reads (rule types' all_rules): accepted
	// as a filter, never shown, never matched against documents by the API.
	FilterOnly bool
	// Optional attributes are shown only when the document has them (a rule type's
	// drivers: in its details, not in the list).
	Optional bool
	// Secret marks a write-only secret (a BGP peer's MD5 password): never shown, never
	// written to a task; the cluster reads it from the database when it applies the task.
	Secret bool
}

// Boolean reports whether the attribute holds booleans only (it converts with ToBool), so
// that its stored values are true, false or absent.
func (a *Attr) Boolean() bool {
	return a.Convert != nil && reflect.ValueOf(a.Convert).Pointer() == reflect.ValueOf(ToBool).Pointer()
}

// Resource is one collection, described once: the API's view (attributes, URL, 404) and
// everything the rest of the server needs to know about it (database parent, journal data
// type, cluster REST path, quota, translation order, listing). A Catalog of them is built
// once at start-up and read by every layer; nothing else restates a collection.
type Resource struct {
	Collection string // "security_groups": the JSON key of a list and the database kind
	// Key is the JSON key of a list when it is not Collection: two collections of the same
	// name in two API versions (FWaaS v1's and v2's firewall_rules) are stored as two kinds
	// but answer under the one key their clients read. Policy "field:" checks read it too.
	Key      string
	Member   string // "security_group": the JSON key of one item, the <member> of policy rules
	Path     string // "security-groups": the URL segment under /v2.0/ ("" = not served)
	Attrs    []*Attr
	Tags     bool                         // supports /tags
	NotFound func(id string) *fault.Fault // the 404 for a missing id

	// Parent is the attribute stored (and indexed) as the document's parent, if any.
	Parent *Parent
	// DataType is the MidoNet task data type of the collection's journal entries
	// ("SECURITYGROUP"); "" = the collection is not journaled.
	DataType string
	// RESTPath is the collection's segment on the cluster's REST endpoint (MidoNet's
	// NeutronUriBuilder: "floating_ips"); "" = Collection.
	RESTPath string
	// Translate > 0 means the cluster keeps a copy of every document and translates it;
	// collections are applied in ascending order (a network before its subnets and ports).
	Translate int
	// Quota is the quota resource name counting the collection ("security_group"); "" = none.
	Quota string
	// QuotaAlso counts what a create makes besides the document itself, by quota name (a new
	// security group comes with two egress rules): a create that would take any of them
	// over its limit is refused too, as Neutron reserves them together.
	QuotaAlso map[string]int
	// Root lists the collection in the /v2.0/ document (Neutron lists the core ones).
	Root bool
	// PagerMarker: Neutron pages the collection through its versioned objects, where a
	// marker the caller cannot see (or a missing one) is ignored; otherwise it is a 404.
	PagerMarker bool
	// ErrorOnRefusal sets status ERROR when the backend refuses an update (routers and
	// floating IPs do, as upstream; networks and ports keep their status).
	ErrorOnRefusal bool
	// Sub serves the collection under its parent's member URL, as Neutron's sub-resources:
	// /v2.0/{parent path}/{parent id}/{Path}[/{id}]. The parent (Parent.Attr, a hidden
	// attribute the API fills from the URL) must exist and be visible to the caller.
	Sub bool
	// WrongParent, when set, is the answer to a show, update or delete of a sub-resource
	// the caller sees under another parent than the URL names (networking-midonet's 400
	// RemoteMacEntryWrongGatewayDevice); nil: a rule shows through any parent and updates
	// and deletes answer NotFound.
	WrongParent func(id, parent string) *fault.Fault
	// ShowAdminOnly answers 403 to a non-admin's show (QoS rule-type details: "available
	// only for users with admin rights, not to expose details about cloud infra").
	ShowAdminOnly bool
	// PolicyMember names the collection in policy rules when it is not Member (a
	// sub-resource's rules carry its parent's name: create_policy_bandwidth_limit_rule).
	PolicyMember string
	// RBAC is the object type RBAC policies name the collection's documents by ("network",
	// "qos_policy", "security_group"; "" = not shareable through rbac-policies). Such a
	// document records its entries' targets in the hidden attributes RBACShared (and, for
	// networks, RBACExternal); what a caller sees of it depends on them (plugin.Caller.View).
	RBAC string

	// Keyed asks the database to index the collection's sortable attributes (and its tags and
	// KeyPaths), so that its pages and indexed filters read only what they return
	// (internal/db/keys.go). It suits large collections whose plugin lists the stored
	// documents as they are.
	Keyed bool
	// KeyPaths are further multi-valued paths to index: "fixed_ips.ip_address" keys that
	// field of every element of fixed_ips.
	KeyPaths []string
	// KeySorts, when set, are the only sortable attributes indexed: each costs a write into
	// one more index on every create (BENCHMARKS.md measures it), so a large collection keys
	// what clients sort and filter by; sorting by another attribute stays correct, in memory.
	KeySorts []string
	// Lookups are attributes (or list.field paths) its plugins look documents up by
	// (db.Tx.ListBy) in a collection that is not Keyed: the key index holds their values
	// for those lookups (a device's router, a group's subnets), and lists do not use them.
	Lookups []string
	// Few says the collection stays small, a few documents a deployment (subnet pools,
	// segment ranges, flavors), so a write may read it whole. A write reading any other collection whole is
	// counted (midonet_db_whole_collection_reads_total), and fails the integration tests:
	// it would slow down as the deployment grows.
	Few bool

	// byName indexes Attrs. NewCatalog builds it before any request runs (once, however
	// many catalogues share the description), and it is only read afterwards; Attrs must
	// not change once a description is in a catalogue.
	indexOnce sync.Once
	byName    map[string]*Attr
}

// Parent is a collection's parent reference: the attribute naming it, the parent's
// collection, and whether the parent takes part in policy checks.
type Parent struct {
	Attr       string // "network_id"
	Collection string // "networks"; "" = an index only (an RBAC policy's object, of any type)
	// Policy flattens the parent into policy targets as "<member>:<attr>" (a port's
	// network:shared) and makes a create naming a parent the caller cannot see a 404.
	Policy bool
	// OwnedUnlessShared refuses (403) a create by a non-admin on a parent of another
	// project unless the parent is shared (Neutron's network ownership hook).
	OwnedUnlessShared bool
	// ChildWritesOnlyRead says the writes of a child only read its parent (a port's create,
	// update and delete its network): their policy check reads the parent with
	// db.Tx.GetForShare, so that writes of one parent's children commit side by side on
	// PostgreSQL.
	ChildWritesOnlyRead bool
}

// Rule is the policy rule of an action on the collection: "get_port", "create_policy_dscp_marking_rule".
func (r *Resource) Rule(action string) string {
	if r.PolicyMember != "" {
		return action + "_" + r.PolicyMember
	}
	return action + "_" + r.Member
}

// Plural is the JSON key of a list of the collection's documents.
func (r *Resource) Plural() string {
	if r.Key != "" {
		return r.Key
	}
	return r.Collection
}

// ParentAttr is the parent attribute, or "".
func (r *Resource) ParentAttr() string {
	if r.Parent == nil {
		return ""
	}
	return r.Parent.Attr
}

// SortKeys lists the attributes the database indexes for sorting a keyed collection: the
// sortable attributes but id (its primary key) and shared of a collection RBAC shares (each
// caller sees its own value). Nil for a collection that is not keyed.
func (r *Resource) SortKeys() []string {
	if !r.Keyed {
		return nil
	}
	var out []string
	for _, a := range r.Attrs {
		if a.Hidden || a.FilterOnly || a.NoSort || a.Name == "id" || (r.RBAC != "" && a.Name == "shared") {
			continue
		}
		if r.KeySorts != nil && !slices.Contains(r.KeySorts, a.Name) {
			continue
		}
		out = append(out, a.Name)
	}
	return out
}

// IndexKeys lists what the database indexes of a keyed collection: its sort keys and
// multi-valued paths and, when RBAC shares it, the stored `shared` (true for a share with
// everyone, as a document written before RBAC policies existed records it too) and the
// targets of its access_as_shared policies (RBACShared). Those two find what is shared
// with a project (a member's list, api.scopeCandidates); they are not sort keys, as each
// caller sees its own `shared`.
func (r *Resource) IndexKeys() (sort, multi []string) {
	sort, multi = r.SortKeys(), r.MultiKeys()
	if r.Keyed && r.RBAC != "" {
		if r.Attr("shared") != nil {
			sort = append(slices.Clip(sort), "shared")
		}
		if r.Attr(RBACShared) != nil {
			multi = append(slices.Clip(multi), RBACShared)
		}
	}
	return sort, multi
}

// MultiKeys lists the multi-valued paths the database indexes: a keyed collection's tags and
// KeyPaths, and any collection's Lookups.
func (r *Resource) MultiKeys() []string {
	var out []string
	if r.Keyed {
		if r.Tags {
			out = append(out, "tags")
		}
		out = append(out, r.KeyPaths...)
	}
	return append(out, r.Lookups...)
}

// Secrets lists the names of the resource's secret attributes.
func (r *Resource) Secrets() []string {
	var out []string
	for _, a := range r.Attrs {
		if a.Secret {
			out = append(out, a.Name)
		}
	}
	return out
}

// Attr returns the named attribute or nil. Safe for concurrent use.
func (r *Resource) Attr(name string) *Attr {
	r.indexOnce.Do(r.index) // done already for a description in a catalogue
	return r.byName[name]
}

func (r *Resource) index() {
	m := make(map[string]*Attr, len(r.Attrs))
	for _, a := range r.Attrs {
		m[a.Name] = a
	}
	r.byName = m
}

// Visible reports whether name is shown in answers.
func (r *Resource) Visible(name string) bool {
	a := r.Attr(name)
	return a != nil && !a.Hidden && !a.FilterOnly
}

// ParseCreate turns a create body into the attribute values the plugin sees: unknown or
// read-only attributes are refused, values converted and validated, defaults filled and
// required attributes enforced.
func (r *Resource) ParseCreate(body map[string]any) (map[string]any, error) {
	if err := r.checkKnown(body); err != nil {
		return nil, err
	}
	out := make(map[string]any, len(r.Attrs))
	for _, a := range r.Attrs {
		v, ok := body[a.Name]
		if ok && !a.Post {
			return nil, fault.BadRequest("Attribute '%s' not allowed in POST", a.Name)
		}
		if !ok {
			if !a.Post {
				continue
			}
			if a.Required {
				return nil, fault.BadRequest("Failed to parse request. Required attribute '%s' not specified", a.Name)
			}
			if a.Default == Unset {
				continue
			}
			out[a.Name] = clone(a.Default)
			continue
		}
		cv, err := a.apply(v)
		if err != nil {
			return nil, err
		}
		out[a.Name] = cv
	}
	return out, nil
}

// ParseUpdate checks an update body: only attributes writable on PUT, converted and validated.
func (r *Resource) ParseUpdate(body map[string]any) (map[string]any, error) {
	if err := r.checkKnown(body); err != nil {
		return nil, err
	}
	names := make([]string, 0, len(body))
	for k := range body {
		names = append(names, k)
	}
	sort.Strings(names)
	out := make(map[string]any, len(body))
	for _, k := range names {
		a := r.Attr(k)
		if !a.Put {
			return nil, fault.BadRequest("Cannot update read-only attribute %s", k)
		}
		cv, err := a.apply(body[k])
		if err != nil {
			return nil, err
		}
		out[k] = cv
	}
	return out, nil
}

func (r *Resource) checkKnown(body map[string]any) error {
	var unknown []string
	for k := range body {
		if r.Attr(k) == nil {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		return fault.BadRequest("Unrecognized attribute(s) '%s'", strings.Join(unknown, ", "))
	}
	return nil
}

func (a *Attr) apply(v any) (any, error) {
	if a.Convert != nil {
		cv, err := a.Convert(v)
		if err != nil {
			return nil, fault.InvalidInput("%s", err.Error())
		}
		v = cv
	}
	if a.Validate != nil {
		if reason := a.Validate(v); reason != "" {
			return nil, fault.BadRequest("Invalid input for %s. Reason: %s.", a.Name, strings.TrimSuffix(reason, "."))
		}
	}
	return v, nil
}

// clone copies default lists and maps so that no two resources share one.
func clone(v any) any {
	switch t := v.(type) {
	case []any:
		out := make([]any, len(t))
		for i, x := range t {
			out[i] = clone(x)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, x := range t {
			out[k] = clone(x)
		}
		return out
	}
	return v
}

// Clone deep-copies a JSON-shaped value.
func Clone(v any) any { return clone(v) }

// errorf is a small helper for converters.
func errorf(format string, args ...any) error { return fmt.Errorf(format, args...) }
