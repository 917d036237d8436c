// Package ipam does the address arithmetic of subnets: default gateways and allocation
// pools, pool validation, EUI-64 addresses, and choosing free addresses. Uniqueness itself is
// enforced by the database (one row per allocated address); this package only proposes.
package ipam

import (
	"encoding/binary"
	"math/big"
	"math/bits"
	"math/rand/v2"
	"net/netip"
	"sort"
)

// Range is an inclusive address range.
type Range struct{ Start, End netip.Addr }

// Contains reports whether a is in r.
func (r Range) Contains(a netip.Addr) bool {
	return a.Compare(r.Start) >= 0 && a.Compare(r.End) <= 0
}

// Overlaps reports whether two ranges share an address.
func (r Range) Overlaps(o Range) bool {
	return r.Start.Compare(o.End) <= 0 && o.Start.Compare(r.End) <= 0
}

// Size is the number of addresses in r (capped for huge IPv6 ranges).
func (r Range) Size() *big.Int {
	s := new(big.Int).SetBytes(r.End.AsSlice())
	s.Sub(s, new(big.Int).SetBytes(r.Start.AsSlice()))
	return s.Add(s, big.NewInt(1))
}

// sizeUpTo is Size, or limit when Size is larger, without allocating.
func (r Range) sizeUpTo(limit uint64) uint64 {
	s, e := r.Start.As16(), r.End.As16()
	lo, borrow := bits.Sub64(binary.BigEndian.Uint64(e[8:]), binary.BigEndian.Uint64(s[8:]), 0)
	hi, borrow := bits.Sub64(binary.BigEndian.Uint64(e[:8]), binary.BigEndian.Uint64(s[:8]), borrow)
	switch {
	case borrow != 0: // End before Start: as Size's big.Int, negative or zero
		return 0
	case hi != 0 || lo >= limit-1:
		return limit
	}
	return lo + 1
}

// First is the network address of p.
func First(p netip.Prefix) netip.Addr { return p.Masked().Addr() }

// Last is the last address of p (the broadcast address for IPv4).
func Last(p netip.Prefix) netip.Addr {
	a := p.Masked().Addr().AsSlice()
	bits := p.Bits()
	for i := range a {
		for b := 0; b < 8; b++ {
			if i*8+b >= bits {
				a[i] |= 0x80 >> b
			}
		}
	}
	out, _ := netip.AddrFromSlice(a)
	return out
}

// Add returns a+n (n may be negative), without overflow checks beyond the family's width.
func Add(a netip.Addr, n int64) netip.Addr {
	if out, ok := add128(a, n); ok {
		return out
	}
	v := new(big.Int).SetBytes(a.AsSlice())
	v.Add(v, big.NewInt(n))
	return fromBig(v, a.Is4())
}

// add128 is Add in 128-bit arithmetic, without allocating (a random draw makes several),
// when a+n stays within a's family; false otherwise, where Add keeps its big.Int answer.
func add128(a netip.Addr, n int64) (netip.Addr, bool) {
	b := a.As16()
	hi, lo := binary.BigEndian.Uint64(b[:8]), binary.BigEndian.Uint64(b[8:])
	var carry uint64
	if n >= 0 {
		lo, carry = bits.Add64(lo, uint64(n), 0)
		hi, carry = bits.Add64(hi, 0, carry)
	} else {
		lo, carry = bits.Sub64(lo, uint64(-n), 0) // -MinInt64 is 1<<63 as a uint64
		hi, carry = bits.Sub64(hi, 0, carry)
	}
	if carry != 0 {
		return netip.Addr{}, false
	}
	if a.Is4() {
		if hi != 0 || lo>>32 != 0xffff { // left ::ffff:0:0/96, the IPv4 addresses
			return netip.Addr{}, false
		}
		return netip.AddrFrom4([4]byte{byte(lo >> 24), byte(lo >> 16), byte(lo >> 8), byte(lo)}), true
	}
	binary.BigEndian.PutUint64(b[:8], hi)
	binary.BigEndian.PutUint64(b[8:], lo)
	return netip.AddrFrom16(b), true
}

func fromBig(v *big.Int, v4 bool) netip.Addr {
	size := 16
	if v4 {
		size = 4
	}
	b := v.Bytes()
	buf := make([]byte, size)
	if len(b) > size {
		b = b[len(b)-size:]
	}
	copy(buf[size-len(b):], b)
	out, _ := netip.AddrFromSlice(buf)
	return out
}

// DefaultGateway is the first host of an IPv4 subnet and the subnet-router anycast address
// (the network address) of an IPv6 one, as Neutron chooses.
func DefaultGateway(p netip.Prefix) netip.Addr {
	if p.Addr().Is4() {
		if p.Bits() >= 31 {
			return First(p)
		}
		return Add(First(p), 1)
	}
	return First(p)
}

// UsableRange is the range of addresses a port may hold: IPv4 without the network and
// broadcast addresses (all for /31 and /32), IPv6 without the subnet-router anycast address.
func UsableRange(p netip.Prefix) Range {
	first, last := First(p), Last(p)
	if p.Addr().Is4() {
		if p.Bits() >= 31 {
			return Range{first, last}
		}
		return Range{Add(first, 1), Add(last, -1)}
	}
	if p.Bits() == 128 {
		return Range{first, last}
	}
	return Range{Add(first, 1), last}
}

// PoolBounds is the range an allocation pool of p must stay inside, as Neutron's
// validate_allocation_pools computes it: an IPv4 subnet without its network and broadcast
// addresses (all of a /31 or /32), an IPv6 one without its subnet-router anycast address (so
// a /128 has no room for a pool: ok is false).
func PoolBounds(p netip.Prefix) (r Range, ok bool) {
	first, last := First(p), Last(p)
	if p.Addr().Is4() {
		if p.Bits() >= 31 {
			return Range{first, last}, true
		}
		return Range{Add(first, 1), Add(last, -1)}, true
	}
	if p.Bits() == 128 {
		return Range{}, false
	}
	return Range{Add(first, 1), last}, true
}

// DefaultPools are the usable range of p minus the gateway.
func DefaultPools(p netip.Prefix, gateway netip.Addr) []Range {
	u := UsableRange(p)
	if !gateway.IsValid() || !u.Contains(gateway) {
		return []Range{u}
	}
	var out []Range
	if gateway.Compare(u.Start) > 0 {
		out = append(out, Range{u.Start, Add(gateway, -1)})
	}
	if gateway.Compare(u.End) < 0 {
		out = append(out, Range{Add(gateway, 1), u.End})
	}
	return out
}

// EUI64 builds the SLAAC address of mac in an IPv6 /64.
func EUI64(p netip.Prefix, mac [6]byte) netip.Addr {
	a := First(p).As16()
	a[8] = mac[0] ^ 0x02
	a[9], a[10], a[11], a[12] = mac[1], mac[2], 0xff, 0xfe
	a[13], a[14], a[15] = mac[3], mac[4], mac[5]
	return netip.AddrFrom16(a)
}

// Candidates proposes up to n distinct free addresses from pools, skipping those in used.
// It scans in order so small pools are exhausted exactly; the caller inserts them and tries
// the next on a conflict. Randomising the start spreads concurrent allocators apart.
func Candidates(pools []Range, used map[netip.Addr]bool, n int) []netip.Addr {
	var out []netip.Addr
	for _, r := range pools {
		// Start at a random offset inside the first 1024 addresses of big pools, wrapping.
		size := r.Size()
		span := int64(1024)
		if size.IsInt64() && size.Int64() < span {
			span = size.Int64()
		}
		off := int64(0)
		if span > 1 {
			off = rand.Int64N(span)
		}
		for i := int64(0); i < span && len(out) < n; i++ {
			a := Add(r.Start, (off+i)%span)
			if !used[a] {
				out = append(out, a)
			}
		}
		// Beyond the first window, scan on from there.
		if len(out) < n && !(size.IsInt64() && size.Int64() <= span) {
			a := Add(r.Start, span)
			for j := 0; j < 1<<16 && len(out) < n && r.Contains(a); j++ {
				if !used[a] {
					out = append(out, a)
				}
				a = a.Next()
			}
		}
		if len(out) >= n {
			break
		}
	}
	return out
}

// Merge folds a prefix list into its smallest equivalent: duplicates and prefixes inside
// others drop out, and sibling halves join into their parent.
func Merge(ps []netip.Prefix) []netip.Prefix {
	cur := append([]netip.Prefix(nil), ps...)
	for changed := true; changed; {
		changed = false
		sort.Slice(cur, func(i, j int) bool {
			if c := cur[i].Addr().Compare(cur[j].Addr()); c != 0 {
				return c < 0
			}
			return cur[i].Bits() < cur[j].Bits()
		})
		var out []netip.Prefix
		for _, p := range cur {
			if n := len(out); n > 0 {
				last := out[n-1]
				if last.Contains(p.Addr()) && last.Bits() <= p.Bits() {
					changed = changed || false
					continue
				}
				if last.Bits() == p.Bits() && last.Bits() > 0 {
					parent, _ := last.Addr().Prefix(last.Bits() - 1)
					if parent.Addr() == last.Addr() && parent.Contains(p.Addr()) {
						out[n-1] = parent
						changed = true
						continue
					}
				}
			}
			out = append(out, p)
		}
		cur = out
	}
	return cur
}

// Random proposes n addresses drawn uniformly from the pools (with repeats possible). On a
// big pool that is mostly free, one of a few draws is almost always free, so an allocator can
// claim an address without reading what is in use.
func Random(pools []Range, n int) []netip.Addr {
	var total uint64
	sizes := make([]uint64, len(pools))
	for i, r := range pools {
		sizes[i] = r.sizeUpTo(1 << 62)
		total += sizes[i]
	}
	if total == 0 {
		return nil
	}
	out := make([]netip.Addr, 0, n)
	for len(out) < n {
		k := rand.Uint64N(total)
		for i, r := range pools {
			if k < sizes[i] {
				out = append(out, Add(r.Start, int64(k)))
				break
			}
			k -= sizes[i]
		}
	}
	return out
}

// Subtract is the prefixes of ps less every address of rm, merged (netaddr's
// IPSet.difference followed by compact, as Neutron removes prefixes from a subnet pool).
func Subtract(ps, rm []netip.Prefix) []netip.Prefix {
	var out []netip.Prefix
	var cut func(p netip.Prefix)
	cut = func(p netip.Prefix) {
		for _, r := range rm {
			if !r.Overlaps(p) || r.Addr().Is4() != p.Addr().Is4() {
				continue
			}
			if r.Bits() <= p.Bits() {
				return // r covers p
			}
			// r lies inside p: keep the halves of p, less r.
			lo := netip.PrefixFrom(p.Addr(), p.Bits()+1)
			hi := netip.PrefixFrom(Add(Last(lo), 1), p.Bits()+1)
			cut(lo)
			cut(hi)
			return
		}
		out = append(out, p)
	}
	for _, p := range ps {
		cut(p.Masked())
	}
	return Merge(out)
}

// AnyOverlap reports whether a prefix of a shares an address with a prefix of b.
func AnyOverlap(a, b []netip.Prefix) bool {
	for _, p := range a {
		for _, q := range b {
			if p.Overlaps(q) {
				return true
			}
		}
	}
	return false
}
