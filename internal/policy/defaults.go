package policy

// Rule is one default policy: its name, its check string in the rule
// language, a one-line description and the REST operations it guards. The
// description and operations only feed documentation (Sample); enforcement
// reads Name and Check.
//
// The tables in defaults_*.go are unkeyed literals in the field order
// {Name, Check, Description, Operations}.
type Rule struct {
	Name        string
	Check       string
	Description string
	Operations  []Operation
}

// Operation is an HTTP method and a path template relative to /v2.0.
type Operation struct {
	Method string
	Path   string
}

// Check strings used often enough to be worth a name (AdminOnly and AdminOrOwner also for
// the rules services bring).
const (
	AdminOnly    = ruleAdminOnly
	AdminOrOwner = ruleAdminOrOwner

	ruleAny                = "rule:regular_user"
	ruleAdminOnly          = "rule:admin_only"
	ruleAdminOrOwner       = "rule:admin_or_owner"
	ruleAdminOrNetOwner    = "rule:admin_or_network_owner"
	ruleAdminOrParentOwner = "rule:admin_or_ext_parent_owner"
)

func ops(method string, paths []string) []Operation {
	out := make([]Operation, len(paths))
	for i, p := range paths {
		out[i] = Operation{Method: method, Path: p}
	}
	return out
}

func get(paths ...string) []Operation  { return ops("GET", paths) }
func post(paths ...string) []Operation { return ops("POST", paths) }
func put(paths ...string) []Operation  { return ops("PUT", paths) }
func del(paths ...string) []Operation  { return ops("DELETE", paths) }

// Get, Post, Put and Delete are the operations of a service's rules (documentation only).
func Get(paths ...string) []Operation    { return get(paths...) }
func Post(paths ...string) []Operation   { return post(paths...) }
func Put(paths ...string) []Operation    { return put(paths...) }
func Delete(paths ...string) []Operation { return del(paths...) }

// Neutron's legacy base rules (neutron/conf/policies/base.py as of Victoria,
// the last release networking-midonet followed, plus network_owner which
// later releases added with the same legacy meaning).
var baseRules = []Rule{
	{"context_is_admin", "role:admin", "Rule for cloud admin access", nil},
	{"owner", "tenant_id:%(tenant_id)s", "Rule for resource owner access", nil},
	{"admin_or_owner", "rule:context_is_admin or rule:owner", "Rule for admin or owner access", nil},
	{"context_is_advsvc", "role:advsvc", "Rule for advsvc role access", nil},
	{"admin_or_network_owner", "rule:context_is_admin or tenant_id:%(network:tenant_id)s", "Rule for admin or network owner access", nil},
	{"admin_owner_or_network_owner", "rule:owner or rule:admin_or_network_owner", "Rule for resource owner, admin or network owner access", nil},
	{"network_owner", "tenant_id:%(network:tenant_id)s", "Rule for network owner access", nil},
	{"admin_only", "rule:context_is_admin", "Rule for admin-only access", nil},
	{"regular_user", "", "Rule for regular user access", nil},
	{"shared", "field:networks:shared=True", "Rule of shared network", nil},
	{"default", ruleAdminOrOwner, "Default access rule", nil},
	{"admin_or_ext_parent_owner", "rule:context_is_admin or tenant_id:%(ext_parent:tenant_id)s", "Rule for common parent owner check", nil},
}

// ruleGroups lists every default table in the order Sample prints them.
var ruleGroups = [][]Rule{
	baseRules,
	// Neutron core resources.
	networkRules, subnetRules, subnetpoolRules, addressScopeRules, portRules,
	securityGroupRules, rbacRules, segmentRules, networkSegmentRangeRules,
	networkIpAvailabilityRules, quotasRules, trunkRules, availabilityZoneRules,
	autoAllocatedTopologyRules, serviceTypeRules, flavorRules,
	// Neutron L3, agents and service plugins shipped in-tree.
	routerRules, floatingipRules, floatingipPoolsRules,
	floatingipPortForwardingRules, l3ConntrackHelperRules, agentRules,
	meteringRules, loggingRules, qosRules,
	// networking-midonet and the stadium services it drives.
	midonetRules, bgpRules, vpnaasRules, taasRules,
	l2gwRules, fwaasV1Rules, fwaasRules,
}

// Defaults returns a copy of every default rule, in Sample order, followed by the rules the
// wired services bring (extra: each service folder's own, for example agent memberships).
func Defaults(extra ...[]Rule) []Rule {
	var out []Rule
	for _, g := range append(append([][]Rule{}, ruleGroups...), extra...) {
		for _, r := range g {
			r.Operations = append([]Operation(nil), r.Operations...)
			out = append(out, r)
		}
	}
	return out
}
