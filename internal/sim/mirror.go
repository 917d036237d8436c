package sim

import "github.com/midonet-go/midonet/internal/topology"

// mirror is a compiled topology.Mirror: the tap port copies go to and the conditions, any of
// which selects a packet.
type mirror struct {
	id    string
	to    *port
	conds []cond
}

// compileMirrors builds the mirrors and hangs them on the ports whose tap points name them
// (a missing mirror or tap port is reported by Warnings).
func (t *Topology) compileMirrors(ms []*topology.Mirror) {
	for _, m := range ms {
		what := "mirror " + m.ID
		cm := &mirror{id: m.ID, to: t.ports[m.ToPortID]}
		if cm.to == nil {
			t.warn("%s: tap port %s missing", what, m.ToPortID)
		}
		for i := range m.Conditions {
			cm.conds = append(cm.conds, t.compileCond(&m.Conditions[i], what))
		}
		t.mirrors[m.ID] = cm
	}
	for _, p := range t.byIndex {
		p.postIn = t.mirrorList(p.obj.PostInFilterMirrorIDs, p.id)
		p.preOut = t.mirrorList(p.obj.PreOutFilterMirrorIDs, p.id)
	}
}

func (t *Topology) mirrorList(ids []string, portID string) []*mirror {
	var out []*mirror
	for _, id := range ids {
		if m := t.mirrors[id]; m != nil {
			out = append(out, m)
		} else {
			t.warn("port %s: mirror %s missing", portID, id)
		}
	}
	return out
}

// mirror runs the mirrors of a tap point of port p: each whose conditions select the frame
// copies it, as it is now, out of the mirror's tap port (MidoNet forks the packet to the
// tap port's egress). The copy leaves without the tap port's outbound filter, so a tap
// service receives what it mirrors whatever its own security groups say, as TaaS users
// expect; copies are never mirrored again. A tap port that is not bound takes no copy.
func (c *ctx) mirror(fr *frame, p *port, ms []*mirror) {
	c.view.load(&fr.pkt)
	for _, m := range ms {
		hit := false
		for i := range m.conds {
			if c.match(fr, &m.conds[i], false) {
				hit = true
				break
			}
		}
		if !hit {
			continue
		}
		if m.to == nil || !m.to.exterior {
			if c.trace {
				c.hop(Hop{Device: m.id, DeviceType: "mirror", Port: p.id, Note: "tap port " + portID(m.to) + " is not bound: no copy"})
			}
			continue
		}
		c.res.Mirrored = append(c.res.Mirrored, Emit{PortID: m.to.id, Packet: fr.pkt, From: p.id, Mirror: m.id, Generated: fr.generated})
		if c.trace {
			c.hop(Hop{Device: m.id, DeviceType: "mirror", Port: p.id, Note: "copy " + fr.pkt.String() + " to tap port " + m.to.id})
		}
	}
}
