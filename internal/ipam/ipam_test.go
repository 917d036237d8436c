package ipam

import (
	"math"
	"math/big"
	"math/rand/v2"
	"net/netip"
	"testing"
)

func TestDefaultGatewayAndPools(t *testing.T) {
	cases := []struct {
		cidr, gateway string
		want          []string // start-end
	}{
		{"10.0.0.0/24", "10.0.0.1", []string{"10.0.0.2-10.0.0.254"}},
		{"10.0.0.0/24", "10.0.0.100", []string{"10.0.0.1-10.0.0.99", "10.0.0.101-10.0.0.254"}},
		{"10.0.0.0/24", "", []string{"10.0.0.1-10.0.0.254"}},
		{"10.0.0.0/30", "10.0.0.1", []string{"10.0.0.2-10.0.0.2"}},
		{"10.0.0.0/31", "", []string{"10.0.0.0-10.0.0.1"}},
		{"2001:db8::/64", "2001:db8::", []string{"2001:db8::1-2001:db8::ffff:ffff:ffff:ffff"}},
	}
	for _, c := range cases {
		p := netip.MustParsePrefix(c.cidr)
		var gw netip.Addr
		if c.gateway != "" {
			gw = netip.MustParseAddr(c.gateway)
		}
		got := DefaultPools(p, gw)
		if len(got) != len(c.want) {
			t.Errorf("%s gw %s: %d pools %v, want %v", c.cidr, c.gateway, len(got), got, c.want)
			continue
		}
		for i, r := range got {
			if s := r.Start.String() + "-" + r.End.String(); s != c.want[i] {
				t.Errorf("%s gw %s pool %d = %s, want %s", c.cidr, c.gateway, i, s, c.want[i])
			}
		}
	}
	if g := DefaultGateway(netip.MustParsePrefix("10.1.2.0/24")); g.String() != "10.1.2.1" {
		t.Errorf("v4 default gateway %s", g)
	}
	if g := DefaultGateway(netip.MustParsePrefix("2001:db8:1::/64")); g.String() != "2001:db8:1::" {
		t.Errorf("v6 default gateway %s (the subnet-router anycast address)", g)
	}
}

func TestEUI64(t *testing.T) {
	mac := [6]byte{0xfa, 0x16, 0x3e, 0x12, 0x34, 0x56}
	if got := EUI64(netip.MustParsePrefix("2001:db8::/64"), mac); got.String() != "2001:db8::f816:3eff:fe12:3456" {
		t.Errorf("EUI-64 = %s", got)
	}
}

func TestCandidatesSkipUsedAndExhaust(t *testing.T) {
	r := Range{netip.MustParseAddr("10.0.0.2"), netip.MustParseAddr("10.0.0.5")}
	used := map[netip.Addr]bool{netip.MustParseAddr("10.0.0.3"): true}
	got := Candidates([]Range{r}, used, 10)
	if len(got) != 3 {
		t.Fatalf("candidates %v, want the 3 free addresses", got)
	}
	seen := map[netip.Addr]bool{}
	for _, a := range got {
		if used[a] || !r.Contains(a) || seen[a] {
			t.Errorf("bad candidate %s in %v", a, got)
		}
		seen[a] = true
	}
	for _, a := range []string{"10.0.0.2", "10.0.0.4", "10.0.0.5"} {
		used[netip.MustParseAddr(a)] = true
	}
	if got := Candidates([]Range{r}, used, 10); len(got) != 0 {
		t.Errorf("an exhausted pool proposed %v", got)
	}
}

func TestMerge(t *testing.T) {
	in := []netip.Prefix{
		netip.MustParsePrefix("10.0.1.0/24"), netip.MustParsePrefix("10.0.0.0/24"),
		netip.MustParsePrefix("10.0.0.128/25"), netip.MustParsePrefix("192.168.0.0/24"),
	}
	got := Merge(in)
	want := []string{"10.0.0.0/23", "192.168.0.0/24"}
	if len(got) != len(want) {
		t.Fatalf("merge = %v, want %v", got, want)
	}
	for i := range want {
		if got[i].String() != want[i] {
			t.Errorf("merge[%d] = %s, want %s", i, got[i], want[i])
		}
	}
}

func TestRandomStaysInPools(t *testing.T) {
	pools := []Range{
		{netip.MustParseAddr("10.0.0.10"), netip.MustParseAddr("10.0.0.20")},
		{netip.MustParseAddr("10.0.1.0"), netip.MustParseAddr("10.0.1.255")},
	}
	seen := map[netip.Addr]bool{}
	for _, a := range Random(pools, 2000) {
		if !pools[0].Contains(a) && !pools[1].Contains(a) {
			t.Fatalf("%s is outside the pools", a)
		}
		seen[a] = true
	}
	if len(seen) < 200 {
		t.Errorf("only %d distinct addresses in 2000 draws", len(seen))
	}
	if Random(nil, 3) != nil {
		t.Error("no pools must give no addresses")
	}
}

func TestPoolBounds(t *testing.T) {
	cases := []struct {
		cidr string
		want string // start-end, "" for no room
	}{
		{"10.48.0.0/29", "10.48.0.1-10.48.0.6"},
		{"10.0.0.0/30", "10.0.0.1-10.0.0.2"},
		{"10.0.0.0/31", "10.0.0.0-10.0.0.1"},
		{"10.0.0.7/32", "10.0.0.7-10.0.0.7"},
		{"2001:db8::/64", "2001:db8::1-2001:db8::ffff:ffff:ffff:ffff"},
		{"2001:db8::/127", "2001:db8::1-2001:db8::1"},
		{"2001:db8::5/128", ""},
	}
	for _, c := range cases {
		r, ok := PoolBounds(netip.MustParsePrefix(c.cidr))
		got := ""
		if ok {
			got = r.Start.String() + "-" + r.End.String()
		}
		if got != c.want {
			t.Errorf("PoolBounds(%s) = %q, want %q", c.cidr, got, c.want)
		}
	}
}

func TestSubtract(t *testing.T) {
	pp := func(ss ...string) []netip.Prefix {
		var out []netip.Prefix
		for _, s := range ss {
			out = append(out, netip.MustParsePrefix(s))
		}
		return out
	}
	for _, c := range []struct {
		ps, rm, want []netip.Prefix
	}{
		{pp("10.0.0.0/24", "192.168.2.0/24"), pp("192.168.2.0/24"), pp("10.0.0.0/24")},
		{pp("10.0.0.0/24"), pp("10.0.0.0/16"), nil},
		{pp("10.0.0.0/24"), pp("10.0.0.64/26"), pp("10.0.0.0/26", "10.0.0.128/25")},
		{pp("10.0.0.0/24"), pp("172.16.0.0/12"), pp("10.0.0.0/24")},
		{pp("2001:db8:1234::/48", "2001:db8:4321::/48"), pp("2001:db8:4321::/48"), pp("2001:db8:1234::/48")},
		{pp("2001:db8::/47"), pp("10.0.0.0/8"), pp("2001:db8::/47")},
	} {
		got := Subtract(c.ps, c.rm)
		if len(got) != len(c.want) {
			t.Errorf("%v - %v = %v, want %v", c.ps, c.rm, got, c.want)
			continue
		}
		for i := range got {
			if got[i] != c.want[i] {
				t.Errorf("%v - %v = %v, want %v", c.ps, c.rm, got, c.want)
				break
			}
		}
	}
}

// addBig is Add through big.Int only, the answer add128 must give wherever it gives one.
func addBig(a netip.Addr, n int64) netip.Addr {
	v := new(big.Int).SetBytes(a.AsSlice())
	v.Add(v, big.NewInt(n))
	return fromBig(v, a.Is4())
}

// TestAddMatchesBig: Add's 128-bit arithmetic gives big.Int's answer, across the ends of
// both families and random draws (wraps and underflows included).
func TestAddMatchesBig(t *testing.T) {
	addrs := []string{"0.0.0.0", "0.0.0.1", "10.0.0.255", "255.255.255.254", "255.255.255.255", "::", "::1",
		"::ffff:255.255.255.255", "2001:db8::ffff:ffff:ffff:ffff", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "fe80::"}
	ns := []int64{0, 1, -1, 2, -2, 255, 256, -256, 1 << 32, -(1 << 32), math.MaxInt64, math.MinInt64, math.MaxInt64 - 1}
	r := rand.New(rand.NewPCG(1, 2))
	for range 200 {
		var b [16]byte
		for i := range b {
			b[i] = byte(r.Uint32())
		}
		addrs = append(addrs, netip.AddrFrom16(b).String(), netip.AddrFrom4([4]byte(b[:4])).String())
		ns = append(ns, int64(r.Uint64()), int64(r.Uint32()), -int64(r.Uint32()))
	}
	for _, s := range addrs {
		a := netip.MustParseAddr(s)
		for _, n := range ns {
			if got, want := Add(a, n), addBig(a, n); got != want {
				t.Fatalf("Add(%s, %d) = %s, want %s", a, n, got, want)
			}
		}
	}
}

// TestSizeUpTo is Size capped, for the ranges Random draws from.
func TestSizeUpTo(t *testing.T) {
	for _, c := range []struct{ start, end string }{
		{"10.0.0.1", "10.0.0.1"}, {"10.0.0.0", "10.0.255.255"}, {"0.0.0.0", "255.255.255.255"},
		{"2001:db8::", "2001:db8::ffff"}, {"2001:db8::", "2001:db8::ffff:ffff:ffff:ffff"}, {"2001:db8::", "2001:db8:0:1::"}, {"::", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"},
	} {
		r := Range{netip.MustParseAddr(c.start), netip.MustParseAddr(c.end)}
		for _, limit := range []uint64{1 << 62, 1 << 20, 2} {
			want := limit
			if s := r.Size(); s.IsUint64() && s.Uint64() < limit {
				want = s.Uint64()
			}
			if got := r.sizeUpTo(limit); got != want {
				t.Errorf("%s–%s up to %d: %d, want %d", c.start, c.end, limit, got, want)
			}
		}
	}
}
