package sim

import (
	"net/netip"
	"testing"

	"github.com/midonet-go/midonet/internal/ipam"
)

// TestIPv6LinkLocalAndDAD: a VM on an IPv6 subnet may send from its own link-local address
// (fe80::/64 with its MAC's EUI-64) and run duplicate address detection from the
// unspecified address, as Neutron's firewall lets it; another link-local address is still
// a spoof, and so is anything but ICMPv6 from ::.
func TestIPv6LinkLocalAndDAD(t *testing.T) {
	e := ndpEnv(t)
	lla := ipam.EUI64(netip.MustParsePrefix("fe80::/64"), macA)
	global2 := ip("2001:db8:a::6")

	t.Run("a ping from the own link-local address", func(t *testing.T) {
		expectForward(t, e.sim(NewPing6(macA, macA2, lla, global2, 1, 1), vmA), vmA2)
	})
	t.Run("a neighbor solicitation from the own link-local address", func(t *testing.T) {
		r := e.sim(NewNS(macA, lla, global2), vmA)
		if r.Verdict == Dropped {
			t.Fatalf("dropped:\n%s", dump(r))
		}
	})
	t.Run("duplicate address detection from ::", func(t *testing.T) {
		dad := NewNS(macA, netip.IPv6Unspecified(), ip("2001:db8:a::5"))
		dad.ND.LinkAddr = MAC{} // RFC 4862: no source link-layer option from ::
		if r := e.sim(dad, vmA); r.Verdict == Dropped {
			t.Fatalf("dropped:\n%s", dump(r))
		}
	})
	t.Run("another link-local address is a spoof", func(t *testing.T) {
		d := expectDrop(t, e.sim(NewPing6(macA, macA2, ip("fe80::1"), global2, 1, 1), vmA), DropAntiSpoof)
		if d.PortID != vmA {
			t.Errorf("drop %+v, want vmA's anti-spoofing", *d)
		}
	})
	t.Run("only ICMPv6 from ::", func(t *testing.T) {
		expectDrop(t, e.sim(NewUDP6(macA, macA2, netip.IPv6Unspecified(), global2, 5000, 53), vmA), DropAntiSpoof)
	})
}
