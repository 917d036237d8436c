package sim

import (
	"net/netip"
	"sort"

	"github.com/midonet-go/midonet/internal/topology"
)

// Metering (Neutron's metering labels, as the metering agent counted them on a router's
// gateway): a packet a router forwards in through one of a label's gateway ports is ingress
// for the label, one it forwards out through one is egress. The label counts the packet
// when a rule of that direction matches its addresses as the router sees them (after
// pre-routing DNAT, before post-routing SNAT) and no excluded rule of that direction does.
// The simulation only names the labels (Result.Meters); whoever carries the packet out (the
// datapath) counts it, on every packet of the flow, cached or not.

// meterLabel is a label compiled for matching.
type meterLabel struct {
	id      string
	ingress []meterRule
	egress  []meterRule
}

type meterRule struct {
	src, dst netip.Prefix // invalid: any
	excluded bool
}

func (r *meterRule) matches(src, dst netip.Addr) bool {
	return (!r.src.IsValid() || r.src.Contains(src)) && (!r.dst.IsValid() || r.dst.Contains(dst))
}

// counts reports whether the rules count a packet: one included rule matches, no excluded one.
func counts(rules []meterRule, src, dst netip.Addr) bool {
	hit := false
	for i := range rules {
		if rules[i].matches(src, dst) {
			if rules[i].excluded {
				return false
			}
			hit = true
		}
	}
	return hit
}

// compileMeters indexes the labels by the router ports they count on.
func (t *Topology) compileMeters(labels []*topology.MeteringLabel) {
	sort.Slice(labels, func(i, j int) bool { return labels[i].ID < labels[j].ID })
	for _, l := range labels {
		m := &meterLabel{id: l.ID}
		for _, r := range l.Rules {
			mr := meterRule{excluded: r.Excluded}
			var err error
			if r.Source != "" {
				if mr.src, err = netip.ParsePrefix(r.Source); err != nil {
					t.warn("metering label %s rule %s: bad source %q (rule ignored)", l.ID, r.ID, r.Source)
					continue
				}
				mr.src = mr.src.Masked()
			}
			if r.Destination != "" {
				if mr.dst, err = netip.ParsePrefix(r.Destination); err != nil {
					t.warn("metering label %s rule %s: bad destination %q (rule ignored)", l.ID, r.ID, r.Destination)
					continue
				}
				mr.dst = mr.dst.Masked()
			}
			switch r.Direction {
			case "ingress":
				m.ingress = append(m.ingress, mr)
			case "egress":
				m.egress = append(m.egress, mr)
			}
		}
		for _, p := range l.PortIDs {
			if t.meters == nil {
				t.meters = map[string][]*meterLabel{}
			}
			t.meters[p] = append(t.meters[p], m)
		}
	}
}

// meter names the labels that count a packet the router forwards from in to out.
func (c *ctx) meter(r *router, in, out *port, pkt *Packet) {
	if len(c.topo.meters) == 0 {
		return
	}
	add := func(ls []*meterLabel, ingress bool) {
		for _, l := range ls {
			rules, dir := l.egress, "egress"
			if ingress {
				rules, dir = l.ingress, "ingress"
			}
			if !counts(rules, pkt.IP.Src, pkt.IP.Dst) {
				continue
			}
			c.res.Meters = append(c.res.Meters, l.id)
			if c.trace {
				c.note(&r.device, in, "metering label %s counts the packet (%s, %s → %s)", l.id, dir, pkt.IP.Src, pkt.IP.Dst)
			}
		}
	}
	if in != out {
		add(c.topo.meters[in.id], true)
	}
	add(c.topo.meters[out.id], false)
}
