package ipam

import (
	"net/netip"
	"testing"
)

// BenchmarkRandom draws the six candidates a port create tries first, from a /16's pool.
func BenchmarkRandom(b *testing.B) {
	pools := []Range{{netip.MustParseAddr("10.0.0.2"), netip.MustParseAddr("10.0.255.254")}}
	b.ReportAllocs()
	for b.Loop() {
		if len(Random(pools, 6)) != 6 {
			b.Fatal("short")
		}
	}
}
