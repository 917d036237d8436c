package datapath

import (
	"encoding/binary"
	"net/netip"
	"strconv"
	"strings"

	"github.com/midonet-go/midonet/internal/sim"
)

// build makes the frame of a packet the topology generated (ARP, ICMP echo replies and
// errors, DHCP replies). in and inL are the frame that caused it: an echo reply carries the
// request's data, an ICMP error the offending datagram's header and first 8 bytes.
// It returns nil for a packet it cannot build.
func build(p *sim.Packet, in []byte, inL layout) []byte {
	return pushVLAN(buildUntagged(p, in, inL), p.VLAN)
}

// buildUntagged is build without the packet's VLAN tag.
func buildUntagged(p *sim.Packet, in []byte, inL layout) []byte {
	eth := make([]byte, 14, 14+28)
	copy(eth[0:6], p.EthDst[:])
	copy(eth[6:12], p.EthSrc[:])
	binary.BigEndian.PutUint16(eth[12:14], p.EtherType)
	switch p.EtherType {
	case sim.EtherARP:
		a := make([]byte, 28)
		binary.BigEndian.PutUint16(a[0:2], 1) // Ethernet
		binary.BigEndian.PutUint16(a[2:4], sim.EtherIPv4)
		a[4], a[5] = 6, 4
		binary.BigEndian.PutUint16(a[6:8], p.ARP.Op)
		copy(a[8:14], p.ARP.SenderMAC[:])
		put4(a[14:18], p.ARP.SenderIP)
		copy(a[18:24], p.ARP.TargetMAC[:])
		put4(a[24:28], p.ARP.TargetIP)
		return append(eth, a...)
	case sim.EtherIPv4:
	case sim.EtherIPv6:
		if d := buildIPv6(p, in, inL); d != nil {
			return append(eth, d...)
		}
		return nil
	default:
		return nil
	}
	var l4 []byte
	switch p.IP.Proto {
	case sim.ProtoICMP:
		l4 = make([]byte, 8)
		l4[0], l4[1] = p.ICMP.Type, p.ICMP.Code
		switch p.ICMP.Type {
		case sim.ICMPEchoReply:
			binary.BigEndian.PutUint16(l4[4:6], p.ICMP.ID)
			binary.BigEndian.PutUint16(l4[6:8], p.ICMP.Seq)
			if inL.l4 != 0 && inL.ipEnd-inL.l4 > 8 {
				l4 = append(l4, in[inL.l4+8:inL.ipEnd]...)
			}
		case sim.ICMPUnreachable, sim.ICMPTimeExceeded:
			if inL.ipEnd != 0 {
				end := min(inL.ipEnd, inL.l3+int(in[inL.l3]&0x0f)*4+8)
				l4 = append(l4, in[inL.l3:end]...)
			}
		}
		binary.BigEndian.PutUint16(l4[2:4], checksum(l4, 0))
	case sim.ProtoUDP:
		if p.DHCP == nil {
			return nil
		}
		payload := dhcpReply(p.DHCP)
		l4 = make([]byte, 8, 8+len(payload))
		binary.BigEndian.PutUint16(l4[0:2], p.SrcPort)
		binary.BigEndian.PutUint16(l4[2:4], p.DstPort)
		binary.BigEndian.PutUint16(l4[4:6], uint16(8+len(payload)))
		l4 = append(l4, payload...)
	default:
		return nil
	}
	ip := make([]byte, 20)
	ip[0] = 0x45
	ip[1] = p.IP.TOS
	binary.BigEndian.PutUint16(ip[2:4], uint16(20+len(l4)))
	ttl := p.IP.TTL
	if ttl == 0 {
		ttl = 64
	}
	ip[8], ip[9] = ttl, p.IP.Proto
	put4(ip[12:16], p.IP.Src)
	put4(ip[16:20], p.IP.Dst)
	binary.BigEndian.PutUint16(ip[10:12], checksum(ip, 0))
	if p.IP.Proto == sim.ProtoUDP {
		c := l4Checksum(ip, l4)
		if c == 0 {
			c = 0xffff
		}
		binary.BigEndian.PutUint16(l4[6:8], c)
	}
	return append(append(eth, ip...), l4...)
}

func put4(b []byte, a netip.Addr) {
	if a.Is4() {
		v := a.As4()
		copy(b, v[:])
	}
}

// dhcpReply is the BOOTP message of a DHCP OFFER or ACK with its options.
func dhcpReply(d *sim.DHCP) []byte {
	b := make([]byte, 240, 400)
	b[0], b[1], b[2] = 2, 1, 6 // BOOTREPLY, Ethernet, 6-byte addresses
	binary.BigEndian.PutUint32(b[4:8], d.XID)
	put4(b[16:20], d.YourIP)
	put4(b[20:24], d.ServerID)
	copy(b[28:34], d.ClientMAC[:])
	binary.BigEndian.PutUint32(b[236:240], dhcpMagic)
	opt := func(code byte, v []byte) {
		if len(v) > 255 {
			v = v[:255]
		}
		b = append(b, code, byte(len(v)))
		b = append(b, v...)
	}
	addr := func(a netip.Addr) []byte { v := a.As4(); return v[:] }
	opt(53, []byte{d.MsgType})
	if d.ServerID.Is4() {
		opt(54, addr(d.ServerID))
	}
	lease := make([]byte, 4)
	binary.BigEndian.PutUint32(lease, uint32(d.LeaseSeconds))
	opt(51, lease)
	if d.Mask.Is4() {
		opt(1, addr(d.Mask))
	}
	if d.Broadcast.Is4() {
		opt(28, addr(d.Broadcast))
	}
	if d.Router.Is4() {
		opt(3, addr(d.Router))
	}
	var dns []byte
	for _, a := range d.DNS {
		if a.Is4() {
			dns = append(dns, addr(a)...)
		}
	}
	if len(dns) > 0 {
		opt(6, dns)
	}
	if d.MTU > 0 {
		mtu := make([]byte, 2)
		binary.BigEndian.PutUint16(mtu, uint16(d.MTU))
		opt(26, mtu)
	}
	if d.Hostname != "" {
		opt(12, []byte(d.Hostname))
	}
	var routes []byte
	for _, r := range d.Routes {
		if !r.Dst.Addr().Is4() || !r.Gateway.Is4() {
			continue
		}
		bits := r.Dst.Bits()
		a := r.Dst.Addr().As4()
		routes = append(routes, byte(bits))
		routes = append(routes, a[:(bits+7)/8]...)
		routes = append(routes, addr(r.Gateway)...)
	}
	if len(routes) > 0 {
		// RFC 3442: with option 121 a client ignores option 3, so the default route goes in too.
		if d.Router.Is4() {
			routes = append(routes, 0)
			routes = append(routes, addr(d.Router)...)
		}
		opt(121, routes)
	}
	for _, o := range d.Options {
		if code, v, ok := extraOption(o); ok {
			opt(code, v)
		}
	}
	return append(b, 255)
}

// dhcpOptionNames are the dnsmasq names Neutron's extra_dhcp_opts use, with their codes and
// how their values are encoded.
var dhcpOptionNames = map[string]struct {
	code byte
	kind byte // 'a' addresses, 'n' a 16-bit number, 't' text
}{
	"netmask": {1, 'a'}, "router": {3, 'a'}, "dns-server": {6, 'a'}, "log-server": {7, 'a'},
	"hostname": {12, 't'}, "domain-name": {15, 't'}, "root-path": {17, 't'}, "mtu": {26, 'n'},
	"broadcast": {28, 'a'}, "ntp-server": {42, 'a'}, "netbios-ns": {44, 'a'},
	"server-ip-address": {54, 'a'}, "tftp-server": {66, 't'}, "bootfile-name": {67, 't'},
	"domain-search": {119, 't'},
}

// extraOption encodes one of a port's extra DHCP options: by dnsmasq name, or by number with
// the value as text.
func extraOption(o sim.DHCPOption) (byte, []byte, bool) {
	if code, err := strconv.Atoi(o.Name); err == nil {
		if code <= 0 || code >= 255 {
			return 0, nil, false
		}
		return byte(code), []byte(o.Value), true
	}
	def, ok := dhcpOptionNames[o.Name]
	if !ok {
		return 0, nil, false
	}
	switch def.kind {
	case 'a':
		var v []byte
		for _, f := range strings.Split(o.Value, ",") {
			a, err := netip.ParseAddr(strings.TrimSpace(f))
			if err != nil || !a.Is4() {
				return 0, nil, false
			}
			b := a.As4()
			v = append(v, b[:]...)
		}
		return def.code, v, len(v) > 0
	case 'n':
		n, err := strconv.Atoi(strings.TrimSpace(o.Value))
		if err != nil || n < 0 || n > 0xffff {
			return 0, nil, false
		}
		v := make([]byte, 2)
		binary.BigEndian.PutUint16(v, uint16(n))
		return def.code, v, true
	}
	return def.code, []byte(o.Value), true
}
