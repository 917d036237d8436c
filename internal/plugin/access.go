package plugin

import (
	"slices"

	"github.com/midonet-go/midonet/internal/db"
	"github.com/midonet-go/midonet/internal/resource"
)

// What Neutron's RBAC policies grant, as the documents they name record it. A network, QoS
// policy or security group keeps the targets of its policies in hidden attributes
// (resource.RBACShared, resource.RBACExternal; the rbac service writes them in the same
// transaction as the policies), so that who may see and use it is a function of the document
// and the caller alone: no query per document, and the same answer in every layer.
//
// A document written before RBAC policies existed has no such attribute: its `shared` flag
// stands for a wildcard access_as_shared entry and `router:external` for a wildcard
// access_as_external one, which is what Neutron made of them.

// SharedTargets are the projects a document is shared with (access_as_shared), "*" for all.
func SharedTargets(d db.Doc) []string {
	if _, ok := d[resource.RBACShared]; ok {
		return Strings(d, resource.RBACShared)
	}
	if Bool(d, "shared") {
		return []string{"*"}
	}
	return nil
}

// ExternalTargets are the projects a network is external to (access_as_external), "*" for all.
func ExternalTargets(d db.Doc) []string {
	if _, ok := d[resource.RBACExternal]; ok {
		return Strings(d, resource.RBACExternal)
	}
	if Bool(d, "router:external") {
		return []string{"*"}
	}
	return nil
}

// SharedWith reports whether an access_as_shared entry gives project the document (Neutron's
// is_shared_with_project: a wildcard or the project itself).
func SharedWith(d db.Doc, project string) bool {
	t := SharedTargets(d)
	return slices.Contains(t, "*") || (project != "" && slices.Contains(t, project))
}

// ExternalTo reports whether an access_as_external entry gives project the network.
func ExternalTo(d db.Doc, project string) bool {
	t := ExternalTargets(d)
	return slices.Contains(t, "*") || (project != "" && slices.Contains(t, project))
}

// View sets in d, a document of collection, what depends on who asks (`shared` of what RBAC
// policies share: true when shared with the caller's project or with everyone), and reports
// whether RBAC lets the caller see d at all (Neutron's project-scoped query: an admin sees
// everything; others what they own, what is shared with them, and networks external to
// them or carrying any wildcard entry). The get policy still applies on top. d must be a
// copy the caller renders or checks policy against, never one a plugin stores.
func (c *Caller) View(collection string, d db.Doc) bool {
	shared, set := c.SharedOf(collection, d)
	if !set {
		return true
	}
	d["shared"] = shared
	project, admin := "", true
	if c != nil {
		project, admin = c.ProjectID, c.IsAdmin
	}
	if admin || shared || Str(d, "tenant_id") == project {
		return true
	}
	return c.describe(collection).RBAC == "network" && (ExternalTo(d, project) || slices.Contains(SharedTargets(d), "*"))
}

// SharedOf is the `shared` View would set in d, a document of collection, without changing
// d; set is false when View leaves d as it is.
func (c *Caller) SharedOf(collection string, d db.Doc) (shared, set bool) {
	r := c.describe(collection)
	if r == nil || r.RBAC == "" || d == nil {
		return false, false
	}
	project := ""
	if c != nil {
		project = c.ProjectID
	}
	return SharedWith(d, project), true
}

// Plain reports whether View leaves every document of collection as it is and hides none:
// the collection is not shared by RBAC policies. A list of it may then check and render
// documents it must not change.
func (c *Caller) Plain(collection string) bool {
	r := c.describe(collection)
	return r == nil || r.RBAC == ""
}

// RBACCollection describes the collection whose documents RBAC policies name by objectType
// (nil when the server serves none).
func (c *Caller) RBACCollection(objectType string) *resource.Resource {
	if c != nil && c.Catalog != nil {
		return c.Catalog.ByRBAC(objectType)
	}
	return builtins.ByRBAC(objectType)
}
