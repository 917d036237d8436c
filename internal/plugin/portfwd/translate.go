package portfwd

import (
	"net/netip"

	"github.com/midonet-go/midonet/internal/cluster/translate"
	"github.com/midonet-go/midonet/internal/topology"
)

// Orders in the router's chains: the forwarding's DNAT runs in pre-routing before a
// floating IP's (10); its reverse DNAT in post-routing before the jumps into the SNAT
// chains (1–4), so that a reply of a forwarded connection leaves from the floating IP and
// not from the gateway's SNAT address.
const (
	orderDNAT    = 5
	orderRevDNAT = 0
)

// protoNumbers are the protocols the data plane forwards.
var protoNumbers = map[string]int{"tcp": 6, "udp": 17}

// owned translates a forwarding through the gateway of its router: the ARP entry of the
// floating IP on the floating network, the DNAT of (floating IP, protocol, external ports)
// to (internal IP, internal ports) — one rule, or one per port when N ports map to N — and
// the reverse DNAT of the replies. Nothing while the router has no gateway holding the
// floating IP's subnet, or for protocols other than TCP and UDP.
func owned(w *translate.World, id string) []topology.Object {
	d := w.Get(PortForwardings.Collection, id)
	if d == nil {
		return nil
	}
	proto := protoNumbers[str(d, "protocol")]
	fip := w.FloatingIP(str(d, "floatingip_id"))
	r := w.Router(str(d, "router_id"))
	if proto == 0 || fip == nil || r == nil || r.GatewayPortID == "" {
		return nil
	}
	addr, err1 := netip.ParseAddr(fip.FloatingIPAddress)
	in, err2 := netip.ParseAddr(str(d, "internal_ip_address"))
	g := w.Port(r.GatewayPortID)
	if err1 != nil || err2 != nil || !addr.Is4() || !in.Is4() || g == nil || g.NetworkID != fip.FloatingNetworkID {
		return nil
	}
	ext, inner, err := spec(d)
	if err != nil {
		return nil
	}
	pre, post := topology.InChainID(r.ID), topology.OutChainID(r.ID)
	gw := topology.TenantGwPortID(g.ID)
	objs := []topology.Object{
		&topology.ArpEntry{Meta: topology.Meta{ID: topology.DerivedID("pfarp", id)}, NetworkID: fip.FloatingNetworkID, IP: addr.String(), MAC: g.MACAddress},
	}
	dnat := func(rid string, e, i portRange) *topology.Rule {
		return &topology.Rule{Meta: topology.Meta{ID: rid}, ChainID: pre, Order: orderDNAT, Type: topology.RuleNAT, Action: topology.ActionAccept,
			Condition: topology.Condition{InPortIDs: []string{gw}, NwDstIP: host(addr), NwProto: proto, TpDst: &topology.Range{Start: e.lo, End: e.hi}},
			NAT:       &topology.NAT{DNAT: true, Targets: []topology.NatTarget{{NwStart: in.String(), NwEnd: in.String(), TpStart: i.lo, TpEnd: i.hi}}}}
	}
	if inner.size() == 1 || ext.size() == 1 {
		objs = append(objs, dnat(topology.DerivedID("pfdnat", id), ext, inner))
	} else {
		for k := 0; k < ext.size(); k++ {
			e, i := portRange{ext.lo + k, ext.lo + k}, portRange{inner.lo + k, inner.lo + k}
			objs = append(objs, dnat(topology.DerivedID("pfdnat", id, e.String()), e, i))
		}
	}
	objs = append(objs, &topology.Rule{Meta: topology.Meta{ID: topology.DerivedID("pfrevdnat", id)}, ChainID: post, Order: orderRevDNAT,
		Type: topology.RuleNAT, Action: topology.ActionAccept,
		Condition: topology.Condition{OutPortIDs: []string{gw}, NwSrcIP: host(in), NwProto: proto, TpSrc: &topology.Range{Start: inner.lo, End: inner.hi}},
		NAT:       &topology.NAT{DNAT: true, Reverse: true}})
	return objs
}

func host(a netip.Addr) string { return netip.PrefixFrom(a, 32).String() }

func str(d map[string]any, k string) string {
	s, _ := d[k].(string)
	return s
}
