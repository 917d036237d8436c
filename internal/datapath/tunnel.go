package datapath

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"net"
	"net/netip"
	"slices"
)

// Tunnels between hosts: a frame whose egress port is bound on another host leaves as VXLAN
// (RFC 7348) from this host's tunnel address to that host's, with the egress port's tunnel
// key as VNI; the receiving host writes it to that port's interface without simulating it
// again (the sending host already did), as MidoNet's agents did. Only members of the tunnel
// zone send, and a host accepts tunnel traffic only from members.

// DefaultTunnelPort is the UDP port of VXLAN (IANA).
const DefaultTunnelPort = 4789

// Tunnels is the tunnel configuration the agent derives from the topology.
type Tunnels struct {
	// Local is this host's tunnel address (invalid: not a member, no tunnel traffic).
	Local netip.Addr
	// Members are the tunnel addresses of every member host, this one included.
	Members map[netip.Addr]bool
	// Remote maps a port bound on another member host to that host's tunnel address.
	Remote map[string]netip.Addr
}

// tunnelKey is a port's VNI: 24 bits of a hash of its id. Only the ports attached on one
// receiving host must differ; a clash there is logged and the first port keeps the key.
func tunnelKey(port string) uint32 {
	h := fnv.New32a()
	_, _ = h.Write([]byte(port))
	if k := h.Sum32() & 0xffffff; k != flowStateVNI {
		return k
	}
	return flowStateVNI - 1
}

// flowStateVNI marks a tunnel packet that carries flow state (connection tracking and NAT
// written by a simulation here) for the host where the flow's return traffic will enter.
const flowStateVNI = 0xffffff

// tunnel is the open tunnel socket of a host that is a zone member.
type tunnel struct {
	local netip.Addr
	conn  *net.UDPConn
	done  chan struct{}
}

func openTunnel(local netip.Addr, port int) (*tunnel, error) {
	conn, err := net.ListenUDP("udp4", net.UDPAddrFromAddrPort(netip.AddrPortFrom(local, uint16(port))))
	if err != nil {
		return nil, fmt.Errorf("datapath: tunnel socket on %s:%d: %w", local, port, err)
	}
	return &tunnel{local: local, conn: conn, done: make(chan struct{})}, nil
}

// encap prefixes a frame with a VXLAN header carrying vni.
func encap(vni uint32, frame []byte) []byte {
	b := make([]byte, 8, 8+len(frame))
	b[0] = 0x08 // the VNI is valid
	binary.BigEndian.PutUint32(b[4:8], vni<<8)
	return append(b, frame...)
}

// decap returns the VNI and inner frame of a VXLAN packet.
func decap(b []byte) (uint32, []byte, error) {
	if len(b) < 8+14 || b[0]&0x08 == 0 {
		return 0, nil, errors.New("datapath: not a VXLAN packet with a VNI")
	}
	return binary.BigEndian.Uint32(b[4:8]) >> 8, b[8:], nil
}

// SetTunnels applies the tunnel configuration: opens the tunnel socket on the local address
// (or closes it when this host is no longer a member) and records where remote ports are.
func (d *Datapath) SetTunnels(t Tunnels) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.tun != nil && d.tun.local != t.Local {
		_ = d.tun.conn.Close()
		<-d.tun.done
		d.o.Log.Info("datapath: tunnel closed", "address", d.tun.local.String())
		d.tun = nil
		d.tunnel.Store(nil)
	}
	if d.tun == nil && t.Local.IsValid() {
		tun, err := openTunnel(t.Local, d.o.TunnelPort)
		if err != nil {
			d.o.Log.Warn("datapath: no tunnel", "err", err)
		} else {
			d.tun = tun
			d.tunnel.Store(tun)
			go d.readTunnel(tun)
			d.o.Log.Info("datapath: tunnel open", "address", t.Local.String(), "port", d.o.TunnelPort)
		}
	}
	members := make(map[netip.Addr]bool, len(t.Members))
	for a := range t.Members {
		members[a] = true
	}
	remote := make(map[string]netip.Addr, len(t.Remote))
	for p, a := range t.Remote {
		if members[a] && a != t.Local {
			remote[p] = a
		}
	}
	d.members.Store(&members)
	d.remote.Store(&remote)
}

// readTunnel delivers what other hosts tunnel here to the attached port of each VNI.
func (d *Datapath) readTunnel(t *tunnel) {
	defer close(t.done)
	buf := make([]byte, 1<<16)
	for {
		n, from, err := t.conn.ReadFromUDPAddrPort(buf)
		if err != nil {
			return
		}
		d.tunnelIn.Add(1)
		if !(*d.members.Load())[from.Addr().Unmap()] {
			d.tunnelRefused.Add(1)
			continue
		}
		vni, frame, err := decap(buf[:n])
		if err != nil {
			d.undecodable.Add(1)
			continue
		}
		if vni == flowStateVNI {
			if err := d.state.ImportFlowState(frame); err != nil {
				d.undecodable.Add(1)
			} else {
				d.flowStateIn.Add(1)
			}
			continue
		}
		a := (*d.byKey.Load())[vni]
		if a == nil {
			d.noEgress.Add(1)
			continue
		}
		d.send(a, frame)
	}
}

// sendFlowState hands the flow state a simulation wrote to the hosts of its remote egress
// ports, ahead of the frames, so the return traffic entering there finds it; learned ARP and
// MAC entries (shared) go to every member.
func (d *Datapath) sendFlowState(state []byte, shared bool, egress []string) {
	t := d.tunnel.Load()
	if t == nil || len(state) == 0 {
		return
	}
	var to []netip.Addr
	if shared {
		for a := range *d.members.Load() {
			if a != t.local {
				to = append(to, a)
			}
		}
	} else {
		remote := *d.remote.Load()
		for _, p := range egress {
			if a, ok := remote[p]; ok && !slices.Contains(to, a) {
				to = append(to, a)
			}
		}
	}
	msg := encap(flowStateVNI, state)
	for _, a := range to {
		if _, err := t.conn.WriteToUDPAddrPort(msg, netip.AddrPortFrom(a, uint16(d.o.TunnelPort))); err != nil {
			d.writeErrors.Add(1)
			continue
		}
		d.flowStateOut.Add(1)
	}
}

// sendRemote tunnels a frame to the host of a port bound elsewhere; false when the port is
// on no member host (or this host is not a member).
func (d *Datapath) sendRemote(port string, frame []byte) bool {
	t := d.tunnel.Load()
	if t == nil {
		return false
	}
	to, ok := (*d.remote.Load())[port]
	if !ok {
		return false
	}
	if _, err := t.conn.WriteToUDPAddrPort(encap(tunnelKey(port), frame), netip.AddrPortFrom(to, uint16(d.o.TunnelPort))); err != nil {
		d.writeErrors.Add(1)
		return true
	}
	d.tunnelOut.Add(1)
	return true
}
