package sim

import (
	"sync"
	"time"

	"github.com/midonet-go/midonet/internal/topology"
)

// QoS on a VM's traffic as MidoNet's agent applied it: the policy of the port, else of its
// network (a port's own policy wins); on every packet the port sends into the network, the
// DSCP mark is rewritten and a token bucket (rate max_kbps, depth max_burst_kbps) drops
// what exceeds the limit. Traffic towards the VM is not shaped (MidoNet has no ingress
// limits; the API refuses them once bound).

// DropQoS: the port's bandwidth limit dropped the packet.
const DropQoS = "qos"

// defaultPacketBytes is the size of a packet that does not say (Packet.Size 0).
const defaultPacketBytes = 64

// qosOf is the policy that applies to what an exterior port sends (nil: none).
func (t *Topology) qosOf(p *port) *topology.QosPolicy {
	if p.obj == nil || !p.exterior {
		return nil
	}
	if q := t.qos[p.obj.QosPolicyID]; q != nil {
		return q
	}
	if p.bridge != nil && p.bridge.obj != nil {
		return t.qos[p.bridge.obj.QosPolicyID]
	}
	return nil
}

// bucket is one port's token bucket.
type bucket struct {
	tokens float64 // bits
	last   time.Time
}

// meters are the token buckets of the state, by port and rule.
type meters struct {
	mu      sync.Mutex
	buckets map[string]*bucket
	now     func() time.Time
}

// SetClock makes the state's token buckets read time from now (tests replay a burst at
// chosen instants); the default is the wall clock.
func (s *State) SetClock(now func() time.Time) {
	s.meters.mu.Lock()
	s.meters.now = now
	s.meters.mu.Unlock()
}

// conform takes bits from the bucket of rule r on port, refilled at the rule's rate since
// its last packet; false when the bucket holds too few (the packet is dropped, and takes
// nothing). A burst of 0 is 80 % of one second at the rate, as Neutron's agents default it.
func (m *meters) conform(port string, r topology.QosBandwidthLimitRule, bits float64) bool {
	rate := float64(r.MaxKbps) * 1000
	depth := float64(r.MaxBurstKbps) * 1000
	if depth == 0 {
		depth = rate * 0.8
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	now := time.Now()
	if m.now != nil {
		now = m.now()
	}
	if m.buckets == nil {
		m.buckets = map[string]*bucket{}
	}
	key := port + "/" + r.ID
	b := m.buckets[key]
	if b == nil {
		b = &bucket{tokens: depth, last: now}
		m.buckets[key] = b
	}
	if dt := now.Sub(b.last).Seconds(); dt > 0 {
		b.tokens = min(depth, b.tokens+dt*rate)
		b.last = now
	}
	if b.tokens < bits {
		return false
	}
	b.tokens -= bits
	return true
}

// applyQoS marks and meters a packet an exterior port sends; false when it is dropped.
func (c *ctx) applyQoS(fr *frame, p *port) bool {
	q := c.topo.qosOf(p)
	if q == nil || fr.generated {
		return true
	}
	for _, d := range q.DSCPMarking {
		if fr.pkt.isIP() {
			fr.pkt.IP.TOS = uint8(d.DSCPMark)<<2 | fr.pkt.IP.TOS&3
			if c.trace {
				c.hop(Hop{Device: p.id, DeviceType: "port", Port: p.id, Direction: "ingress",
					Note: "qos policy " + q.ID + " rule " + d.ID + ": dscp mark " + itoa(d.DSCPMark)})
			}
		}
	}
	size := fr.pkt.Size
	if size <= 0 {
		size = defaultPacketBytes
	}
	for _, r := range q.BandwidthLimit {
		if !c.st.meters.conform(p.id, r, float64(size)*8) {
			c.dropf(fr, DropQoS, p.dev.id, p.id, "qos policy %s rule %s: over %d kbps (burst %d kb)", q.ID, r.ID, r.MaxKbps, r.MaxBurstKbps)
			return false
		}
		if c.trace {
			c.hop(Hop{Device: p.id, DeviceType: "port", Port: p.id, Direction: "ingress",
				Note: "qos policy " + q.ID + " rule " + r.ID + ": within " + itoa(r.MaxKbps) + " kbps"})
		}
	}
	return true
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	neg := n < 0
	if neg {
		n = -n
	}
	var b [20]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	if neg {
		i--
		b[i] = '-'
	}
	return string(b[i:])
}
