// Package trace answers "what happens to a packet from this port to that address?" by Neutron
// names: it resolves the port in the Neutron database, builds the packet a VM on that port
// would send (its MAC and IP, and the MAC of the next hop it would ARP for), and runs it
// through the simulator over the agent's topology cache — the same engine, not a copy.
package trace

import (
	"context"
	"fmt"
	"io"
	"net/netip"
	"sort"
	"strings"

	"github.com/midonet-go/midonet/internal/agent"
	"github.com/midonet-go/midonet/internal/db"
	"github.com/midonet-go/midonet/internal/fault"
	"github.com/midonet-go/midonet/internal/model"
	"github.com/midonet-go/midonet/internal/sim"
	"github.com/midonet-go/midonet/internal/topology"
)

// Request is one trace.
type Request struct {
	FromPort string `json:"from_port"` // Neutron port name or id
	Dst      string `json:"dst"`       // destination IPv4 or IPv6 address
	Proto    string `json:"proto"`     // tcp, udp, icmp (default) or ns (an IPv6 neighbor solicitation for Dst)
	DPort    int    `json:"dport"`
	SPort    int    `json:"sport"`
	// SrcIP and SrcMAC override the port's own addresses (to see anti-spoofing at work).
	SrcIP  string `json:"src_ip,omitempty"`
	SrcMAC string `json:"src_mac,omitempty"`
	// DHCP sends a DHCP discover from the port instead (Dst is then ignored).
	DHCP bool `json:"dhcp,omitempty"`
	// Reply also traces the answer to the packet: from its first egress port, addresses and
	// ports swapped, on the state tables the packet left (connection tracking, NAT).
	Reply bool `json:"reply,omitempty"`
	// VLAN tags the frame: on a trunk's parent port it is the frame of the subport of that
	// VLAN, whose addresses it then carries; on a trunk port of a VLAN-aware network, the
	// network's VLAN.
	// DstMAC overrides the destination MAC (a remote MAC behind a VTEP, say).
	DstMAC string `json:"dst_mac,omitempty"`
	VLAN   int    `json:"vlan,omitempty"`
	// VxlanVNI > 0 sends a VXLAN packet (UDP to port 4789 of Dst) whose frame is the
	// packet Proto, DPort and SPort describe between the Inner addresses: what a VTEP sends
	// to a VTEP router's tunnel IP.
	VxlanVNI    int    `json:"vxlan_vni,omitempty"`
	InnerSrcMAC string `json:"inner_src_mac,omitempty"`
	InnerDstMAC string `json:"inner_dst_mac,omitempty"`
	InnerSrcIP  string `json:"inner_src_ip,omitempty"`
	InnerDstIP  string `json:"inner_dst_ip,omitempty"`
}

// Endpoint is a port the packet enters or leaves by.
type Endpoint struct {
	PortID   string `json:"port_id"`
	PortName string `json:"port_name,omitempty"`
	Headers  string `json:"headers,omitempty"`
	// Packet is the packet itself, with a DHCP reply's options when it is one.
	Packet *sim.Packet `json:"packet,omitempty"`
}

// Response is a trace's answer.
type Response struct {
	Verdict string `json:"verdict"` // forwarded, dropped or consumed
	// Summary is the verdict in one sentence by Neutron names ("forwarded to vm-b (…)",
	// "blocked entering vm-c (…) by security group `locked` (…): no ingress rule allows
	// tcp/80").
	Summary   string     `json:"summary"`
	Ingress   Endpoint   `json:"ingress"`
	Egress    []Endpoint `json:"egress"`
	Generated []Endpoint `json:"generated"`
	// Mirrored are the copies TaaS mirrors made, each out of its tap port.
	Mirrored []Endpoint `json:"mirrored"`
	Drop     *sim.Drop  `json:"drop,omitempty"`
	Hops     []Hop      `json:"hops"`
	// Meters are the metering labels that would count the packet (once per router crossed).
	Meters []string `json:"meters"`
	// Reply is the trace of the answer (with --reply, when the packet was forwarded).
	Reply *Response `json:"reply,omitempty"`
}

// Exit statuses of `midonet trace`.
const (
	ExitForwarded = 0 // forwarded, or answered by the topology (ARP, ICMP echo, DHCP)
	ExitDropped   = 1
	ExitError     = 2 // the trace could not be run
)

// ExitStatus is the status `midonet trace` exits with for this answer.
func (r *Response) ExitStatus() int {
	if r.Verdict == string(sim.Dropped) {
		return ExitDropped
	}
	return ExitForwarded
}

// Tracer runs traces over an agent's cache.
type Tracer struct {
	DB    *db.DB
	Agent *agent.Agent
}

type portInfo struct {
	port model.Port
	mac  string
	ip   netip.Addr
	cidr netip.Prefix
}

func (t *Tracer) resolve(ctx context.Context, tx *db.Tx, ref string) (model.Port, error) {
	if d, err := tx.Get(ctx, "ports", ref); err != nil {
		return model.Port{}, err
	} else if d != nil {
		return model.Decode[model.Port](d)
	}
	ports, err := tx.List(ctx, "ports", db.Filter{})
	if err != nil {
		return model.Port{}, err
	}
	var found []db.Doc
	for _, p := range ports {
		if name, _ := p["name"].(string); name == ref {
			found = append(found, p)
		}
	}
	switch len(found) {
	case 0:
		return model.Port{}, fault.PortNotFound(ref)
	case 1:
		return model.Decode[model.Port](found[0])
	}
	return model.Port{}, fault.AmbiguousPortName(len(found), ref)
}

// subnet reads one subnet (nil when it is gone).
func subnet(ctx context.Context, tx *db.Tx, id string) (*model.Subnet, error) {
	d, err := tx.Get(ctx, "subnets", id)
	if err != nil || d == nil {
		return nil, err
	}
	s, err := model.Decode[model.Subnet](d)
	return &s, err
}

// source reads the port's MAC and first address of the family asked for with its subnet.
func source(ctx context.Context, tx *db.Tx, p model.Port, v6 bool) (portInfo, error) {
	info := portInfo{port: p, mac: p.MACAddress}
	for _, f := range p.FixedIPs {
		a := f.Addr()
		if !a.IsValid() || a.Is6() != v6 {
			continue
		}
		sub, err := subnet(ctx, tx, f.SubnetID)
		if err != nil {
			return info, err
		}
		if sub != nil {
			info.ip, info.cidr = a, sub.Prefix()
			return info, nil
		}
	}
	if v6 {
		return info, fault.BadRequest("Port %s has no IPv6 address to trace from.", p.ID)
	}
	return info, fault.BadRequest("Port %s has no IPv4 address to trace from.", p.ID)
}

// nextHop is the address the VM would ARP for (the destination on its own subnet, else the
// subnet's gateway) and, as a fallback for the ARP seeds, the MAC of the port holding it.
func nextHop(ctx context.Context, tx *db.Tx, src portInfo, dst netip.Addr) (netip.Addr, string, error) {
	target := dst
	if !src.cidr.Contains(dst) {
		sub, err := subnetOf(ctx, tx, src)
		if err != nil {
			return target, "", err
		}
		gw := sub.Gateway()
		if !gw.IsValid() {
			return target, "", fault.BadRequest("The port's subnet has no gateway to reach %s.", dst)
		}
		target = gw
	}
	ports, err := tx.List(ctx, "ports", db.Filter{ParentID: src.port.NetworkID})
	if err != nil {
		return target, "", err
	}
	for _, d := range ports {
		p, err := model.Decode[model.Port](d)
		if err != nil {
			return target, "", err
		}
		if p.HasAddress(target.String()) {
			return target, p.MACAddress, nil
		}
	}
	return target, "ff:ff:ff:ff:ff:ff", nil
}

func subnetOf(ctx context.Context, tx *db.Tx, src portInfo) (*model.Subnet, error) {
	for _, f := range src.port.FixedIPs {
		if f.IPAddress == src.ip.String() {
			if sub, err := subnet(ctx, tx, f.SubnetID); err != nil || sub != nil {
				return sub, err
			}
		}
	}
	return nil, fault.BadRequest("The port's subnet of %s is gone.", src.ip)
}

// Run traces one packet.
func (t *Tracer) Run(ctx context.Context, req Request) (*Response, error) {
	if req.DHCP && req.Dst == "" {
		req.Dst = "255.255.255.255"
	}
	if req.VLAN < 0 || req.VLAN > 4095 {
		return nil, fault.BadRequest("--vlan must be in 0..4095, got %d", req.VLAN)
	}
	dst, err := netip.ParseAddr(req.Dst)
	if err != nil || dst.Zone() != "" || req.DHCP && !dst.Is4() || req.VxlanVNI != 0 && !dst.Is4() {
		return nil, fault.BadRequest("--dst must be an IPv4 address (or IPv6, without --dhcp and --vxlan-vni), got %q", req.Dst)
	}
	v6 := dst.Is6()
	ns := strings.EqualFold(req.Proto, "ns")
	if ns && !v6 {
		return nil, fault.BadRequest("--proto ns solicits an IPv6 address, got %q", req.Dst)
	}
	var src portInfo
	var dstMAC string
	var target netip.Addr
	names := map[string]string{}
	parentID := ""
	err = t.DB.Read(ctx, func(tx *db.Tx) error {
		p, err := t.resolve(ctx, tx, req.FromPort)
		if err != nil {
			return err
		}
		parentID = p.ID
		if req.VLAN >= 1 && req.VLAN <= 4094 {
			if sub, err := subportOf(ctx, tx, p.ID, req.VLAN); err != nil {
				return err
			} else if sub != nil {
				p = *sub
			}
		}
		if src, err = source(ctx, tx, p, v6); err != nil {
			return err
		}
		if req.DHCP {
			dstMAC = "ff:ff:ff:ff:ff:ff"
		} else if ns {
			_, group := sim.SolicitedNode(dst)
			target, dstMAC = dst, group.String()
		} else if target, dstMAC, err = nextHop(ctx, tx, src, dst); err != nil {
			return err
		}
		ports, err := tx.List(ctx, "ports", db.Filter{})
		if err != nil {
			return err
		}
		for _, p := range ports {
			id, _ := p["id"].(string)
			names[id], _ = p["name"].(string)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if req.SrcMAC != "" {
		src.mac = req.SrcMAC
	}
	if req.SrcIP != "" {
		if src.ip, err = netip.ParseAddr(req.SrcIP); err != nil || src.ip.Is6() != v6 {
			return nil, fault.BadRequest("--src-ip must be an address of --dst's family, got %q", req.SrcIP)
		}
	}
	ethSrc, err := sim.ParseMAC(src.mac)
	if err != nil {
		return nil, fault.BadRequest("source MAC %q: %v", src.mac, err)
	}
	// What ARP would answer: the translated seeds of the port's network (a floating IP
	// resolves to its router port's MAC), else the port holding the address.
	netID := src.port.NetworkID
	if err := t.Agent.Do(ctx, func(st *agent.State) {
		if mac, ok := arpSeeds(st)[arpSeed{netID, target.String()}]; ok && !req.DHCP {
			dstMAC = mac
		}
		// An address a router proxies NDP for answers, on the network of the router's
		// gateway, with the gateway's MAC (as if the sender had it on-link: what an upstream
		// router relying on the proxy does).
		if proxies := st.Objects(topology.KindNdpProxy); v6 && !ns && len(proxies) > 0 {
			ports := map[string]*topology.Port{}
			for _, o := range st.Objects(topology.KindPort) {
				ports[o.Base().ID] = o.(*topology.Port)
			}
			for _, o := range proxies {
				e := o.(*topology.NdpProxy)
				if gw := ports[e.GatewayPortID]; e.IP == dst.String() && gw != nil && ports[gw.PeerID] != nil && ports[gw.PeerID].NetworkID == netID {
					target, dstMAC = dst, gw.PortMAC
				}
			}
		}
		// A Local IP answers with the MAC of its port on the sender's host.
		for _, o := range st.Objects(topology.KindLocalIP) {
			if e := o.(*topology.LocalIPEntry); e.NetworkID == netID && e.LocalIP == target.String() && !req.DHCP &&
				e.HostID != "" && e.HostID == src.port.HostID && e.PortID != src.port.ID {
				dstMAC = e.MAC
			}
		}
	}); err != nil {
		return nil, err
	}
	if req.DstMAC != "" {
		dstMAC = req.DstMAC
	}
	ethDst, err := sim.ParseMAC(dstMAC)
	if err != nil {
		return nil, fault.BadRequest("destination MAC %q: %v", dstMAC, err)
	}
	sport := uint16(req.SPort)
	if sport == 0 {
		sport = 40000
	}
	var pkt sim.Packet
	if req.VxlanVNI != 0 {
		if pkt, err = vxlanPacket(req, ethSrc, ethDst, src.ip, dst, sport); err != nil {
			return nil, err
		}
	} else {
		switch {
		case req.DHCP:
			pkt = sim.NewDHCPDiscover(ethSrc, 0x4d494430)
		case ns:
			pkt = sim.NewNS(ethSrc, src.ip, dst)
		default:
			if pkt, err = packet(req.Proto, ethSrc, ethDst, src.ip, dst, sport, uint16(req.DPort)); err != nil {
				return nil, err
			}
		}
	}
	pkt.VLAN = uint16(req.VLAN)
	// The packet enters the port named, even when it carries a subport's addresses.
	portID := parentID
	var res, rres sim.Result
	var reply sim.Packet
	replyPort := ""
	err = t.Agent.Do(ctx, func(st *agent.State) {
		topo := st.View("sim", func() any { return sim.NewTopology(st.All()) }).(*sim.Topology)
		// A trace is hypothetical: it runs on fresh state tables, as a new connection would.
		state := sim.NewState()
		res = sim.Simulate(topo, state, pkt, portID)
		if req.Reply && res.Verdict == sim.Forwarded && len(res.Egress) > 0 {
			reply, replyPort = answer(res.Egress[0].Packet), res.Egress[0].PortID
			rres = sim.Simulate(topo, state, reply, replyPort)
		}
	})
	if err != nil {
		return nil, err
	}
	n, err := newNamer(ctx, t.DB, t.Agent, &res)
	if err != nil {
		return nil, err
	}
	out := n.response(req, &res, pkt, portID, names)
	if replyPort != "" {
		rn, err := newNamer(ctx, t.DB, t.Agent, &rres)
		if err != nil {
			return nil, err
		}
		out.Reply = rn.response(req, &rres, reply, replyPort, names)
	}
	return out, nil
}

// answer is the packet a host sends back to p: addresses and ports swapped, an echo request
// answered by an echo reply.
func answer(p sim.Packet) sim.Packet {
	r := p
	r.EthSrc, r.EthDst = p.EthDst, p.EthSrc
	r.IP.Src, r.IP.Dst = p.IP.Dst, p.IP.Src
	r.SrcPort, r.DstPort = p.DstPort, p.SrcPort
	r.IP.TTL = 64
	if p.IP.Proto == sim.ProtoICMP && p.ICMP.Type == sim.ICMPEchoRequest {
		r.ICMP.Type = sim.ICMPEchoReply
	}
	if p.IP.Proto == sim.ProtoICMPv6 && p.ICMP.Type == sim.ICMPv6EchoRequest {
		r.ICMP.Type = sim.ICMPv6EchoReply
	}
	r.DHCP, r.Inner = nil, nil
	return r
}

// response renders one simulation, its hops by Neutron names.
func (n *namer) response(req Request, res *sim.Result, pkt sim.Packet, portID string, names map[string]string) *Response {
	out := &Response{Verdict: string(res.Verdict), Drop: res.Drop, Meters: append([]string{}, res.Meters...),
		Ingress: Endpoint{PortID: portID, PortName: names[portID], Headers: pkt.String()}, Egress: []Endpoint{}}
	for _, e := range res.Egress {
		p := e.Packet
		out.Egress = append(out.Egress, Endpoint{PortID: e.PortID, PortName: names[e.PortID], Headers: p.String(), Packet: &p})
	}
	for _, e := range res.Generated {
		p := e.Packet
		out.Generated = append(out.Generated, Endpoint{PortID: e.PortID, PortName: names[e.PortID], Headers: p.String(), Packet: &p})
	}
	for _, e := range res.Mirrored {
		p := e.Packet
		out.Mirrored = append(out.Mirrored, Endpoint{PortID: e.PortID, PortName: names[e.PortID], Headers: p.String(), Packet: &p})
	}
	out.Hops = n.explain(req, res, out.Ingress.Headers)
	out.Summary = n.summary(req, out)
	out.normalize()
	return out
}

// normalize gives every list of the answer a value, so that JSON shows [] and never null.
func (r *Response) normalize() {
	if r.Egress == nil {
		r.Egress = []Endpoint{}
	}
	if r.Generated == nil {
		r.Generated = []Endpoint{}
	}
	if r.Mirrored == nil {
		r.Mirrored = []Endpoint{}
	}
	if r.Hops == nil {
		r.Hops = []Hop{}
	}
	for i := range r.Hops {
		if r.Hops[i].Resources == nil {
			r.Hops[i].Resources = []Resource{}
		}
	}
	if r.Meters == nil {
		r.Meters = []string{}
	}
	if r.Drop != nil && r.Drop.SecurityGroupIDs == nil {
		r.Drop.SecurityGroupIDs = []string{}
	}
	for _, e := range append(append([]Endpoint{r.Ingress}, r.Egress...), r.Generated...) {
		for p := e.Packet; p != nil; p = p.Inner {
			if d := p.DHCP; d != nil {
				if d.DNS == nil {
					d.DNS = []netip.Addr{}
				}
				if d.Routes == nil {
					d.Routes = []sim.DHCPRoute{}
				}
				if d.Options == nil {
					d.Options = []sim.DHCPOption{}
				}
			}
		}
	}
}

// Print writes a trace for people: the packet, every step by Neutron names (with
// verbose, the minor steps and the MidoNet ids of each too), and the verdict.
func Print(w io.Writer, r *Response, verbose bool) {
	fmt.Fprintf(w, "%s from %s\n", r.Ingress.Headers, portText(r.Ingress))
	step := 0
	for _, h := range r.Hops {
		if h.Minor && !verbose {
			continue
		}
		step++
		text := h.Text
		if text == "" {
			text = rawHop(h.Hop)
		}
		fmt.Fprintf(w, "%3d. %s\n", step, text)
		if verbose {
			fmt.Fprintf(w, "       [%s]\n", rawHop(h.Hop))
		}
	}
	if strings.HasPrefix(r.Summary, r.Verdict) {
		fmt.Fprintln(w, r.Summary)
	} else {
		fmt.Fprintf(w, "%s: %s\n", r.Verdict, r.Summary)
	}
	egress := append([]Endpoint(nil), r.Egress...)
	sort.Slice(egress, func(i, j int) bool { return egress[i].PortID < egress[j].PortID })
	for _, e := range egress {
		fmt.Fprintf(w, "  out of %s: %s\n", portText(e), e.Headers)
	}
	for _, e := range r.Generated {
		fmt.Fprintf(w, "  answered out of %s: %s\n", portText(e), e.Headers)
	}
	for _, e := range r.Mirrored {
		fmt.Fprintf(w, "  mirrored to %s: %s\n", portText(e), e.Headers)
	}
	if d := r.Drop; d != nil && verbose {
		fmt.Fprintf(w, "  drop (%s): %s\n", d.Kind, d.Reason)
	}
	if d := r.Drop; d != nil && d.FirewallID != "" {
		rule := d.FirewallRuleID
		if rule == "" {
			rule = "none (no rule of its policy matched)"
		}
		fmt.Fprintf(w, "  firewall %s, firewall rule %s\n", d.FirewallID, rule)
	}
	if r.Reply != nil {
		fmt.Fprintln(w, "reply:")
		Print(w, r.Reply, verbose)
	}
}

// subportOf is the port a trunk with parent port parentID carries on vlan (nil when none).
func subportOf(ctx context.Context, tx *db.Tx, parentID string, vlan int) (*model.Port, error) {
	trunks, err := tx.List(ctx, "trunks", db.Filter{ParentID: parentID})
	if err != nil {
		return nil, err
	}
	for _, t := range trunks {
		l, _ := t["sub_ports"].([]any)
		for _, x := range l {
			m, _ := x.(map[string]any)
			if id, _ := model.Int(m["segmentation_id"]); m != nil && id == int64(vlan) {
				pid, _ := m["port_id"].(string)
				d, err := tx.Get(ctx, "ports", pid)
				if err != nil || d == nil {
					return nil, err
				}
				p, err := model.Decode[model.Port](d)
				if err != nil {
					return nil, err
				}
				return &p, nil
			}
		}
	}
	return nil, nil
}

func portText(e Endpoint) string {
	if e.PortName != "" {
		return "port " + e.PortName + " (" + e.PortID + ")"
	}
	return "port (" + e.PortID + ")"
}

// rawHop is a hop in MidoNet's terms (devices, chains and rules by id).
func rawHop(h sim.Hop) string {
	line := h.DeviceType + " " + h.Device
	if h.Port != "" && h.Port != h.Device {
		line += " port " + h.Port
	}
	if h.Direction != "" {
		line += " " + h.Direction
	}
	if h.Chain != "" {
		name := h.ChainName
		if name == "" {
			name = h.Chain
		}
		line += " chain " + name
	}
	if h.Rule != "" {
		line += " rule " + h.Rule
	}
	if h.RuleAction != "" {
		line += " → " + h.RuleAction
	}
	if h.NAT != "" {
		line += " NAT " + h.NAT
	}
	if h.Note != "" {
		line += " (" + h.Note + ")"
	}
	return strings.TrimSpace(line)
}

// packet builds a TCP, UDP or ICMP echo packet.
func packet(proto string, ethSrc, ethDst sim.MAC, src, dst netip.Addr, sport, dport uint16) (sim.Packet, error) {
	if dst.Is6() {
		switch strings.ToLower(proto) {
		case "tcp":
			return sim.NewTCP6(ethSrc, ethDst, src, dst, sport, dport), nil
		case "udp":
			return sim.NewUDP6(ethSrc, ethDst, src, dst, sport, dport), nil
		case "", "icmp":
			return sim.NewPing6(ethSrc, ethDst, src, dst, 1, 1), nil
		}
	}
	switch strings.ToLower(proto) {
	case "tcp":
		return sim.NewTCP(ethSrc, ethDst, src, dst, sport, dport), nil
	case "udp":
		return sim.NewUDP(ethSrc, ethDst, src, dst, sport, dport), nil
	case "", "icmp":
		return sim.NewPing(ethSrc, ethDst, src, dst, 1, 1), nil
	}
	return sim.Packet{}, fault.BadRequest("--proto must be tcp, udp or icmp, got %q", proto)
}

// vxlanPacket builds a VXLAN packet from the port to dst carrying the inner frame the
// request describes.
func vxlanPacket(req Request, ethSrc, ethDst sim.MAC, src, dst netip.Addr, sport uint16) (sim.Packet, error) {
	if req.VxlanVNI < 1 || req.VxlanVNI > 1<<24-1 {
		return sim.Packet{}, fault.BadRequest("--vxlan-vni must be in 1..16777215, got %d", req.VxlanVNI)
	}
	isrc, err1 := sim.ParseMAC(req.InnerSrcMAC)
	idst, err2 := sim.ParseMAC(req.InnerDstMAC)
	if err1 != nil || err2 != nil {
		return sim.Packet{}, fault.BadRequest("--inner-src-mac and --inner-dst-mac must be MAC addresses, got %q and %q", req.InnerSrcMAC, req.InnerDstMAC)
	}
	iip, err1 := netip.ParseAddr(req.InnerSrcIP)
	dip, err2 := netip.ParseAddr(req.InnerDstIP)
	if err1 != nil || err2 != nil || !iip.Is4() || !dip.Is4() {
		return sim.Packet{}, fault.BadRequest("--inner-src-ip and --inner-dst-ip must be IPv4 addresses, got %q and %q", req.InnerSrcIP, req.InnerDstIP)
	}
	inner, err := packet(req.Proto, isrc, idst, iip, dip, sport, uint16(req.DPort))
	if err != nil {
		return sim.Packet{}, err
	}
	outer := sim.NewUDP(ethSrc, ethDst, src, dst, 49152, sim.VXLANPort)
	outer.VNI = uint32(req.VxlanVNI)
	outer.Inner = &inner
	return outer, nil
}

// arpSeed names an address on a network in the ARP seeds.
type arpSeed struct{ network, ip string }

// arpSeeds maps each seeded address to its MAC (of several entries for one address, the one
// with the greatest id), built once per topology generation: the agent of `midonet serve`
// reads ARP entries from the NSDB, so a lookup must not list them for every trace.
func arpSeeds(st *agent.State) map[arpSeed]string {
	return st.View("trace-arp-seeds", func() any {
		m := map[arpSeed]string{}
		for _, o := range st.Objects(topology.KindArpEntry) { // sorted by id
			e := o.(*topology.ArpEntry)
			m[arpSeed{e.NetworkID, e.IP}] = e.MAC
		}
		return m
	}).(map[arpSeed]string)
}
