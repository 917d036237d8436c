package fwaas

import (
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"github.com/midonet-go/midonet/internal/cluster/translate"
	"github.com/midonet-go/midonet/internal/model"
	"github.com/midonet-go/midonet/internal/plugin"
	"github.com/midonet-go/midonet/internal/topology"
)

// Translation (backend facts 2.14, MidoNet's FirewallTranslator). A firewall is a chain:
//
//  1. administratively down: DROP everything (the rules below stay, so enabling is cheap);
//  2. ACCEPT return flows (connection tracking: replies of what a rule let through pass);
//  3. each enabled rule of its policy, in order: allow → RETURN (back to the router's
//     chain, whose other rules still apply), deny → DROP, reject → REJECT; IPv6 rules are
//     left out (the simulator filters IPv4);
//  4. DROP everything else.
//
// v1: one chain per firewall, jumped to from the forward chain of each of its routers for
// traffic entering or leaving through a router interface (gateway↔gateway traffic is not
// filtered, as MidoNet's). v2: one chain per direction and group: on a router interface port
// the router's forward chain jumps to the ingress chain for traffic entering through the
// port and to the egress chain for traffic leaving through it; on a VM port the port's own
// chains jump to them (egress: from the VM; ingress: to the VM). The chains carry the
// firewall's id in their metadata and each rule its firewall rule's, so a trace and a log
// name both.

// Orders of the jumps: in a router's forward chain (before anything else there), and in a
// VM port's chains (after the anti-spoofing jump, before the return-flow accept).
const (
	orderRouterJump = 5
	orderPortInJump = 15 // port inbound chain (from the VM): anti-spoof 10, return flows 20
	orderPortOut    = 5  // port outbound chain (to the VM): return flows 10
)

// Rule orders inside a firewall chain.
const (
	orderAdminDown = 0
	orderReturn    = 1
	orderFirst     = 10
	orderDropAll   = 1 << 30
)

// ruleDependents: a rule change re-translates the firewalls or groups whose policies hold it.
func ruleDependents(v version) func(w *translate.World, id string, d translate.Doc, add func(string, ...string)) {
	return func(w *translate.World, id string, _ translate.Doc, add func(string, ...string)) {
		for _, p := range w.Mentioning(v.policies.Collection, id) {
			if slices.Contains(plugin.Strings(p, "firewall_rules"), id) {
				addUsers(w, v, plugin.Str(p, "id"), add)
			}
		}
	}
}

// policyDependents: a policy change re-translates the firewalls or groups that use it.
func policyDependents(v version) func(w *translate.World, id string, d translate.Doc, add func(string, ...string)) {
	return func(w *translate.World, id string, _ translate.Doc, add func(string, ...string)) {
		addUsers(w, v, id, add)
	}
}

func addUsers(w *translate.World, v version, policy string, add func(string, ...string)) {
	for _, a := range w.Mentioning(v.applied.Collection, policy) {
		if slices.Contains(v.policiesOf(a), policy) {
			add(v.applied.Collection, plugin.Str(a, "id"))
		}
	}
}

// groupsOfRouter follows a router's change to the groups listing one of its ports (a group
// reads whether a router interface's router exists). A group reads the ports it lists and a
// v1 firewall its routers and their interfaces: a project's default group makes groups as
// many as projects, so a port's or router's change re-translates those that read it, found
// by searching their JSON, not all of them.
func groupsOfRouter(w *translate.World, id string, _ translate.Doc, add func(...string)) {
	for _, p := range w.PortsOf(id) {
		add(w.MentioningIDs(Groups.Collection, p.ID)...)
	}
}

// ChainName is the name of a firewall's chain: OS_FW_FORWARD_<id> (v1), OS_FWG_INGRESS_<id>
// or OS_FWG_EGRESS_<id> (v2).
func ChainName(kind, id string) string { return "OS_" + kind + "_" + id }

// GroupChainID is the chain of a firewall group's direction ("ingress" or "egress").
func GroupChainID(group, direction string) string { return topology.DerivedID(group, "fwg", direction) }

// firewallChain builds a firewall's chain from a policy: the chain, its rules.
func firewallChain(w *translate.World, v version, chainID, name, fwID, tenant, policyID string, adminUp bool) []topology.Object {
	ch := &topology.Chain{Meta: topology.Meta{ID: chainID}, Name: name, TenantID: tenant,
		Metadata: map[string]string{topology.MetaFirewallID: fwID, topology.MetaTenantID: tenant}}
	all := topology.Condition{FragmentPolicy: topology.FragAny}
	objs := []topology.Object{ch,
		lit(topology.DerivedID(chainID, "return"), chainID, orderReturn, topology.ActionAccept, topology.Condition{MatchReturnFlow: true, FragmentPolicy: topology.FragAny}),
		lit(topology.DerivedID(chainID, "drop"), chainID, orderDropAll, topology.ActionDrop, all),
	}
	if !adminUp {
		objs = append(objs, lit(topology.DerivedID(chainID, "down"), chainID, orderAdminDown, topology.ActionDrop, all))
	}
	pol := w.Get(v.policies.Collection, policyID)
	for i, rid := range plugin.Strings(pol, "firewall_rules") {
		r := w.Get(v.rules.Collection, rid)
		if r == nil || !plugin.Bool(r, "enabled") {
			continue
		}
		c, ok := condition(r)
		if !ok {
			continue
		}
		action := topology.ActionDrop
		switch plugin.Str(r, "action") {
		case ActionAllow:
			action = topology.ActionReturn
		case ActionReject:
			action = topology.ActionReject
		}
		o := lit(topology.DerivedID(chainID, "rule", rid), chainID, orderFirst+i, action, c)
		o.Metadata = map[string]string{topology.MetaFirewallRuleID: rid}
		objs = append(objs, o)
	}
	return objs
}

func lit(id, chain string, order int, action string, c topology.Condition) *topology.Rule {
	return &topology.Rule{Meta: topology.Meta{ID: id}, ChainID: chain, Order: order, Type: topology.RuleLiteral, Action: action, Condition: c}
}

func jumpTo(id, chain string, order int, target string, c topology.Condition) *topology.Rule {
	r := lit(id, chain, order, topology.ActionJump, c)
	r.Type, r.JumpChainID = topology.RuleJump, target
	return r
}

// condition is a firewall rule's match; false for what the simulator cannot filter (IPv6).
func condition(r translate.Doc) (topology.Condition, bool) {
	ver, _ := model.Int(r["ip_version"])
	if ver == 6 {
		return topology.Condition{}, false
	}
	c := topology.Condition{DlType: 0x0800, FragmentPolicy: topology.FragAny}
	if p := plugin.Str(r, "protocol"); p != "" {
		c.NwProto = protoNumber[p]
	}
	c.NwSrcIP, c.NwDstIP = prefix(plugin.Str(r, "source_ip_address")), prefix(plugin.Str(r, "destination_ip_address"))
	c.TpSrc, c.TpDst = ports(plugin.Str(r, "source_port")), ports(plugin.Str(r, "destination_port"))
	if c.TpSrc != nil || c.TpDst != nil {
		c.FragmentPolicy = topology.FragHeader
	}
	return c, true
}

// protoNumber are the IANA numbers of the protocols a rule names.
var protoNumber = map[string]int{"icmp": 1, "tcp": 6, "udp": 17, "dccp": 33, "ipv6-icmp": 58, "sctp": 132}

// ProtocolNumber is the IANA number of a rule's protocol name (0 for any).
func ProtocolNumber(name string) int { return protoNumber[name] }

func prefix(s string) string {
	if s == "" {
		return ""
	}
	if p, err := netip.ParsePrefix(s); err == nil {
		return p.Masked().String()
	}
	if a, err := netip.ParseAddr(s); err == nil {
		return netip.PrefixFrom(a, a.BitLen()).String()
	}
	return ""
}

func ports(s string) *topology.Range {
	if s == "" {
		return nil
	}
	lo, hi, ok := strings.Cut(s, ":")
	a, _ := strconv.Atoi(lo)
	b := a
	if ok {
		b, _ = strconv.Atoi(hi)
	}
	return &topology.Range{Start: a, End: b}
}

// interfacePorts are the MidoNet router ports of a router's interfaces.
func interfacePorts(w *translate.World, router string) []string {
	var out []string
	for _, p := range w.PortsOf(router) {
		if p.DeviceOwner == model.OwnerRouterInterface {
			out = append(out, topology.RouterInterfacePortPeerID(p.ID))
		}
	}
	slices.Sort(out)
	return out
}

// firewallObjects translates a v1 firewall: its chain and a jump from each router's forward
// chain for traffic in or out through a router interface.
func firewallObjects(w *translate.World, id string) []topology.Object {
	d := w.Get(Firewalls.Collection, id)
	if d == nil {
		return nil
	}
	chainID := topology.FwdChainID(id)
	tenant := plugin.Str(d, "tenant_id")
	objs := firewallChain(w, v1, chainID, ChainName("FW_FORWARD", id), id, tenant, plugin.Str(d, "firewall_policy_id"), plugin.Bool(d, "admin_state_up"))
	for _, router := range plugin.Strings(d, "router_ids") {
		if w.Router(router) == nil {
			continue
		}
		rifs := interfacePorts(w, router)
		if len(rifs) == 0 {
			continue
		}
		fwd := topology.FwdChainID(router)
		in := jumpTo(topology.DerivedID(fwd, "fw", id, "in"), fwd, orderRouterJump, chainID, topology.Condition{InPortIDs: rifs, FragmentPolicy: topology.FragAny})
		out := jumpTo(topology.DerivedID(fwd, "fw", id, "out"), fwd, orderRouterJump+1, chainID, topology.Condition{OutPortIDs: rifs, FragmentPolicy: topology.FragAny})
		in.Metadata = map[string]string{topology.MetaRouterID: router}
		out.Metadata = map[string]string{topology.MetaRouterID: router}
		objs = append(objs, in, out)
	}
	return objs
}

// groupObjects translates a v2 firewall group: a chain per direction that has a policy, and
// the jumps to them from its ports.
func groupObjects(w *translate.World, id string) []topology.Object {
	d := w.Get(Groups.Collection, id)
	if d == nil {
		return nil
	}
	tenant, up := plugin.Str(d, "tenant_id"), plugin.Bool(d, "admin_state_up")
	var objs []topology.Object
	chains := map[string]string{}
	for _, dir := range []string{"ingress", "egress"} {
		pol := plugin.Str(d, dir+"_firewall_policy_id")
		if pol == "" {
			continue
		}
		chains[dir] = GroupChainID(id, dir)
		objs = append(objs, firewallChain(w, v2, chains[dir], ChainName("FWG_"+strings.ToUpper(dir), id), id, tenant, pol, up)...)
	}
	for _, pid := range plugin.Strings(d, "ports") {
		p := w.Port(pid)
		if p == nil {
			continue
		}
		for dir, ch := range chains {
			switch {
			case p.DeviceOwner == model.OwnerRouterInterface && w.Router(p.DeviceID) != nil:
				fwd := topology.FwdChainID(p.DeviceID)
				rp := topology.RouterInterfacePortPeerID(p.ID)
				c := topology.Condition{InPortIDs: []string{rp}, FragmentPolicy: topology.FragAny}
				if dir == "egress" {
					c = topology.Condition{OutPortIDs: []string{rp}, FragmentPolicy: topology.FragAny}
				}
				j := jumpTo(topology.DerivedID(fwd, "fwg", id, pid, dir), fwd, orderRouterJump, ch, c)
				j.Metadata = map[string]string{topology.MetaRouterID: p.DeviceID}
				objs = append(objs, j)
			case !p.Trusted():
				chain, order := topology.OutChainID(p.ID), orderPortOut
				if dir == "egress" {
					chain, order = topology.InChainID(p.ID), orderPortInJump
				}
				objs = append(objs, jumpTo(topology.DerivedID(chain, "fwg", id, dir), chain, order, ch, topology.Condition{FragmentPolicy: topology.FragAny}))
			}
		}
	}
	return objs
}

// nothing is the translation of rules and policies: they own no objects (the firewalls and
// groups that use them do) but are kept in the cluster's world for those translations.
func nothing(*translate.World, string) []topology.Object { return nil }
