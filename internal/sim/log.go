package sim

import (
	"net/netip"

	"github.com/midonet-go/midonet/internal/topology"
)

// Packet logging (seed 8.2.4, MidoNet's rule loggers): a chain that implements a firewall
// (metadata firewall_id) or a security group may have loggers (topology.RuleLogger, matched
// to chains by what they implement). A simulation records the decisions taken in such
// chains — a firewall rule that allows (RETURN) or denies/rejects, a security-group rule
// that accepts, a port filter's final drop after its security groups matched nothing — and
// turns them into Result.Logs for the enabled loggers that want the event. An ACCEPT is
// logged once per connection: not for return traffic, nor for a forward packet whose
// connection is already tracked. A drop writes no state, so its flow is cached and its next
// packets are not simulated again: one line per dropped flow while the flow is cached.

// LogEntry is one line a logger writes: what decided, on which packet.
type LogEntry struct {
	LogID        string
	ResourceType string // "firewall" or "security_group"
	ResourceID   string // the firewall, firewall group or security group
	TenantID     string
	RuleID       string // the Neutron firewall rule (or security-group rule; "" for a drop)
	RouterID     string // the router whose chain decided ("" on a port)
	PortID       string // the port whose filter decided ("" on a router)
	Action       string // "ACCEPT" or "DROP"
	Src, Dst     netip.Addr
	SrcPort      uint16
	DstPort      uint16
	Proto        uint8
}

const maxLogEvents = 8

// logEvent is a decision taken in a logged chain.
type logEvent struct {
	ch     *chain
	sgs    [maxSGs]*chain // a security-group drop: the logged groups evaluated
	nSGs   int
	rule   string
	router string
	port   string
	accept bool
	pkt    pktFields
}

// pktFields are the fields of a packet a log line shows.
type pktFields struct {
	ip           bool
	src, dst     netip.Addr
	sport, dport uint16
	proto        uint8
}

func fieldsOf(p *Packet) pktFields {
	if !p.isIPv4() {
		return pktFields{}
	}
	f := pktFields{ip: true, src: p.IP.Src, dst: p.IP.Dst, proto: p.IP.Proto}
	if f.proto == ProtoTCP || f.proto == ProtoUDP {
		f.sport, f.dport = p.SrcPort, p.DstPort
	}
	return f
}

// compileLoggers attaches loggers to the chains implementing what they log.
func (t *Topology) compileLoggers(ls []*topology.RuleLogger) {
	if len(ls) == 0 {
		return
	}
	t.loggers = true
	for _, c := range t.chains {
		for _, l := range ls {
			switch l.ResourceType {
			case "firewall":
				if c.fw != "" && c.fw == l.ResourceID {
					c.loggers = append(c.loggers, l)
				}
			case "security_group":
				if c.sg != "" && (c.sg == l.ResourceID || (l.ResourceID == "" && c.tenant == l.TenantID)) {
					c.loggers = append(c.loggers, l)
				}
			}
		}
	}
}

// logDecision records a decision of a firewall rule in ch (router or port filter).
func (c *ctx) logDecision(fr *frame, ch *chain, dev *device, r *rule, accept bool) {
	if len(ch.loggers) == 0 || len(c.logs) == maxLogEvents {
		return
	}
	e := logEvent{ch: ch, rule: r.obj.Metadata[topology.MetaFirewallRuleID], accept: accept, port: portID(c.filterPort)}
	if dev.kind == kindRouter {
		e.router = dev.id
	}
	e.pkt = fieldsOf(&fr.pkt)
	c.logs = append(c.logs, e)
}

// logFilter records what a port or router filter decided about security groups: an accept
// by a rule of a logged group, or a drop after the logged groups it checked matched nothing.
func (c *ctx) logFilter(fr *frame, a action) {
	if !c.topo.loggers || len(c.logs) == maxLogEvents {
		return
	}
	e := logEvent{port: portID(c.filterPort), pkt: fieldsOf(&fr.pkt)}
	switch {
	case a == actAccept && c.decChain != nil && c.decChain.sg != "" && len(c.decChain.loggers) > 0:
		e.ch, e.accept, e.rule = c.decChain, true, c.decRule.id
	case (a == actDrop || a == actReject) && c.decChain != nil && c.decChain.sg == "" && !c.decChain.antiSpoof && c.decChain.fw == "":
		for i := 0; i < c.nChains; i++ {
			if ch := c.chains[i]; ch.sg != "" && len(ch.loggers) > 0 && e.nSGs < maxSGs {
				e.sgs[e.nSGs] = ch
				e.nSGs++
			}
		}
		if e.nSGs == 0 {
			return
		}
	default:
		return
	}
	c.logs = append(c.logs, e)
}

// finishLogs turns the recorded decisions into the result's log entries.
func (c *ctx) finishLogs() {
	for i := range c.logs {
		e := &c.logs[i]
		if e.accept && (c.ct == ctReturn || c.ctKnown) {
			continue // not a new connection
		}
		if e.ch != nil {
			c.addEntries(e, e.ch)
		}
		for j := 0; j < e.nSGs; j++ {
			c.addEntries(e, e.sgs[j])
		}
		e.ch = nil
		for j := range e.sgs {
			e.sgs[j] = nil
		}
	}
}

func (c *ctx) addEntries(e *logEvent, ch *chain) {
	action := topology.LogDrop
	if e.accept {
		action = topology.LogAccept
	}
	for _, l := range ch.loggers {
		if !l.Enabled || (l.Event != topology.LogAll && l.Event != action) || (l.PortID != "" && l.PortID != e.port) {
			continue
		}
		le := LogEntry{LogID: l.LogID, ResourceType: l.ResourceType, TenantID: l.TenantID, RuleID: e.rule,
			RouterID: e.router, PortID: e.port, Action: action}
		if ch.fw != "" {
			le.ResourceID = ch.fw
		} else {
			le.ResourceID = ch.sg
		}
		if e.pkt.ip {
			le.Src, le.Dst, le.Proto = e.pkt.src, e.pkt.dst, e.pkt.proto
			le.SrcPort, le.DstPort = e.pkt.sport, e.pkt.dport
		}
		c.res.Logs = append(c.res.Logs, le)
	}
}
