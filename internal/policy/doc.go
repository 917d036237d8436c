// Package policy implements the oslo.policy rule language as Neutron uses it
// and carries Neutron's default rules, so the API server can authorise each
// request the way neutron-server with networking-midonet would.
//
// # Rule language
//
//	@                        always true (so is the empty rule)
//	!                        always false
//	rule:NAME                the rule called NAME (undefined: false)
//	role:NAME                the caller has role NAME (any case)
//	KEY:VALUE                the caller's credential KEY (tenant_id,
//	                         project_id, user_id, is_admin, roles) equals
//	                         VALUE; VALUE may use %(attr)s from the target,
//	                         and a missing attr makes the check false. KEY
//	                         may instead be a literal (True, 'text', 42)
//	                         compared with VALUE.
//	field:COLL:ATTR=VALUE    Neutron's field check: the target's ATTR (or its
//	                         parent's, flattened as "singular:ATTR") equals
//	                         VALUE; VALUE starting with '~' is a regexp
//	not, and, or, ( )        in that order of precedence
//
// Neutron's owner check, tenant_id:%(tenant_id)s, and the network owner
// check, tenant_id:%(network:tenant_id)s, are generic checks here: the API
// layer flattens parent attributes into the target instead of the policy
// engine fetching the parent.
//
// # Defaults
//
// The default rules are Neutron's legacy ("deprecated") rules, i.e. those in
// effect with [oslo_policy] enforce_new_defaults off, as of Victoria, the last
// release networking-midonet followed; plus networking-midonet's own rules
// and those of the stadium services it drives (BGP dynamic routing, VPNaaS,
// tap-as-a-service, L2 gateway, FWaaS). They live in defaults*.go as data.
// An operator's policy file (LoadFile) overrides rules by name.
package policy
