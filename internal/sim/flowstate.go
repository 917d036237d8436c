package sim

import (
	"encoding/binary"
	"errors"
)

// Flow state between hosts (MidoNet's flow-state messages): the connection-tracking keys and
// NAT bindings one simulation wrote, encoded so that the host where the flow's return traffic
// enters (the host of an egress port) can import them into its own State before that traffic
// arrives. A simulation records them when Options.RecordFlowState is set (FlowCache:
// SetRecordFlowState); Result.FlowState holds the encoding.

// Entry kinds and sizes of the encoding.
const (
	fsCT        byte = 1
	fsNAT       byte = 2
	fsARP       byte = 3 // dev, ip (16), mac
	fsMAC       byte = 4 // dev, mac, vlan, port id length, port id
	fsExpect    byte = 5 // a conntrack helper's expectation: key, orig ip, orig port, helper length, helper
	fsARPLen         = 1 + 16 + 16 + 6
	fsMACLen         = 1 + 16 + 6 + 2 + 1    // + the port id
	fsTuple          = 4 + 4 + 2 + 2 + 1 + 1 // src, dst, sport, dport, proto, kind
	fsKey            = 16 + fsTuple          // device + tuple
	fsCTLen          = 1 + fsKey
	fsNATLen         = 1 + 2*fsKey + 4 + 4 + 2 + 2 + 1 + (16 + 4 + 4 + 2 + 2)
	fsExpectLen      = 1 + fsKey + 4 + 2 + 1 // + the helper's name
	fsMaxSize        = 64 * 1024
)

func putTuple(b []byte, t *flowTuple) {
	copy(b[0:4], t.src[:])
	copy(b[4:8], t.dst[:])
	binary.BigEndian.PutUint16(b[8:10], t.sport)
	binary.BigEndian.PutUint16(b[10:12], t.dport)
	b[12], b[13] = t.proto, t.kind
}

func getTuple(b []byte) flowTuple {
	var t flowTuple
	copy(t.src[:], b[0:4])
	copy(t.dst[:], b[4:8])
	t.sport = binary.BigEndian.Uint16(b[8:10])
	t.dport = binary.BigEndian.Uint16(b[10:12])
	t.proto, t.kind = b[12], b[13]
	return t
}

func putKey(b []byte, dev devKey, t *flowTuple) {
	copy(b[0:16], dev[:])
	putTuple(b[16:], t)
}

func getKey(b []byte) (devKey, flowTuple) {
	var d devKey
	copy(d[:], b[0:16])
	return d, getTuple(b[16:])
}

// recordCT appends a new return key to the result's flow state.
func (c *ctx) recordCT(k *ctKey) {
	if !c.recordState || len(c.res.FlowState)+fsCTLen > fsMaxSize {
		return
	}
	e := make([]byte, fsCTLen)
	e[0] = fsCT
	putKey(e[1:], k.dev, &k.t)
	c.res.FlowState = append(c.res.FlowState, e...)
}

// recordNAT appends a new NAT binding to the result's flow state.
func (c *ctx) recordNAT(b *binding) {
	if !c.recordState || len(c.res.FlowState)+fsNATLen > fsMaxSize {
		return
	}
	e := make([]byte, fsNATLen)
	e[0] = fsNAT
	o := 1
	putKey(e[o:], b.fwd.dev, &b.fwd.t)
	o += fsKey
	putKey(e[o:], b.rev.dev, &b.rev.t)
	o += fsKey
	copy(e[o:o+4], b.ip[:])
	copy(e[o+4:o+8], b.origIP[:])
	binary.BigEndian.PutUint16(e[o+8:o+10], b.port)
	binary.BigEndian.PutUint16(e[o+10:o+12], b.origPort)
	o += 12
	if b.hasUsed {
		e[o] = 1
		copy(e[o+1:o+17], b.used.dev[:])
		copy(e[o+17:o+21], b.used.tip[:])
		copy(e[o+21:o+25], b.used.dip[:])
		binary.BigEndian.PutUint16(e[o+25:o+27], b.used.dport)
		binary.BigEndian.PutUint16(e[o+27:o+29], b.used.tport)
	}
	c.res.FlowState = append(c.res.FlowState, e...)
}

// recordARP appends a learned ARP entry (shared by every host, as MidoNet's ARP tables in
// the NSDB were).
func (c *ctx) recordARP(k *arpKey, m MAC) {
	if !c.recordState || len(c.res.FlowState)+fsARPLen > fsMaxSize {
		return
	}
	e := make([]byte, fsARPLen)
	e[0] = fsARP
	copy(e[1:17], k.dev[:])
	copy(e[17:33], k.ip[:])
	copy(e[33:39], m[:])
	c.res.FlowState = append(c.res.FlowState, e...)
	c.res.FlowStateShared = true
}

// recordMAC appends a learned MAC entry (shared by every host, as MidoNet's MAC tables).
func (c *ctx) recordMAC(k *macKey, port string) {
	if !c.recordState || len(port) > 255 || len(c.res.FlowState)+fsMACLen+len(port) > fsMaxSize {
		return
	}
	e := make([]byte, fsMACLen, fsMACLen+len(port))
	e[0] = fsMAC
	copy(e[1:17], k.dev[:])
	copy(e[17:23], k.mac[:])
	binary.BigEndian.PutUint16(e[23:25], k.vlan)
	e[25] = byte(len(port))
	c.res.FlowState = append(append(c.res.FlowState, e...), port...)
	c.res.FlowStateShared = true
}

// recordExpect appends a conntrack helper's expectation: the related connection enters
// where the request left, on the host of its egress port.
func (c *ctx) recordExpect(k *ctKey, x expectation) {
	if !c.recordState || len(x.helper) > 255 || len(c.res.FlowState)+fsExpectLen+len(x.helper) > fsMaxSize {
		return
	}
	e := make([]byte, fsExpectLen, fsExpectLen+len(x.helper))
	e[0] = fsExpect
	putKey(e[1:], k.dev, &k.t)
	o := 1 + fsKey
	copy(e[o:o+4], x.origIP[:])
	binary.BigEndian.PutUint16(e[o+4:o+6], x.origPort)
	e[o+6] = byte(len(x.helper))
	c.res.FlowState = append(append(c.res.FlowState, e...), x.helper...)
}

var errFlowState = errors.New("sim: malformed flow state")

// ImportFlowState installs flow state another host's simulation recorded: its return keys,
// and its NAT bindings with their SNAT ports (marked taken here too, so this host does not
// hand the same port to another flow). A binding this host already has for the same forward
// key is kept.
func (s *State) ImportFlowState(b []byte) error {
	for len(b) > 0 {
		switch {
		case b[0] == fsCT && len(b) >= fsCTLen:
			dev, t := getKey(b[1:])
			k := ctKey{dev: dev, t: t}
			s.ctStore(&k)
			b = b[fsCTLen:]
		case b[0] == fsNAT && len(b) >= fsNATLen:
			e := b[1:fsNATLen]
			nb := &binding{}
			nb.fwd.dev, nb.fwd.t = getKey(e)
			nb.rev.dev, nb.rev.t = getKey(e[fsKey:])
			o := 2 * fsKey
			copy(nb.ip[:], e[o:o+4])
			copy(nb.origIP[:], e[o+4:o+8])
			nb.port = binary.BigEndian.Uint16(e[o+8 : o+10])
			nb.origPort = binary.BigEndian.Uint16(e[o+10 : o+12])
			o += 12
			if e[o] == 1 {
				nb.hasUsed = true
				copy(nb.used.dev[:], e[o+1:o+17])
				copy(nb.used.tip[:], e[o+17:o+21])
				copy(nb.used.dip[:], e[o+21:o+25])
				nb.used.dport = binary.BigEndian.Uint16(e[o+25 : o+27])
				nb.used.tport = binary.BigEndian.Uint16(e[o+27 : o+29])
				sh := s.shardOf(nb.used.allocHash())
				sh.mu.Lock()
				if _, taken := sh.used[nb.used]; !taken {
					sh.used[nb.used] = nb
				}
				sh.mu.Unlock()
			}
			s.natInsert(nb) // a binding this host already has for the key wins
			b = b[fsNATLen:]
		case b[0] == fsARP && len(b) >= fsARPLen:
			var k arpKey
			var m MAC
			copy(k.dev[:], b[1:17])
			copy(k.ip[:], b[17:33])
			copy(m[:], b[33:39])
			s.arpLearn(&k, m)
			b = b[fsARPLen:]
		case b[0] == fsMAC && len(b) >= fsMACLen && len(b) >= fsMACLen+int(b[25]):
			var k macKey
			copy(k.dev[:], b[1:17])
			copy(k.mac[:], b[17:23])
			k.vlan = binary.BigEndian.Uint16(b[23:25])
			n := fsMACLen + int(b[25])
			s.macLearn(&k, string(b[fsMACLen:n]))
			b = b[n:]
		case b[0] == fsExpect && len(b) >= fsExpectLen && len(b) >= fsExpectLen+int(b[fsExpectLen-1]):
			var x expectation
			dev, t := getKey(b[1:])
			o := 1 + fsKey
			copy(x.origIP[:], b[o:o+4])
			x.origPort = binary.BigEndian.Uint16(b[o+4 : o+6])
			n := fsExpectLen + int(b[fsExpectLen-1])
			x.helper = string(b[fsExpectLen:n])
			s.expects.put(ctKey{dev: dev, t: t}, x)
			b = b[n:]
		default:
			return errFlowState
		}
	}
	return nil
}
