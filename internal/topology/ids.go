package topology

import (
	"crypto/sha1"
	"encoding/binary"
	"net/netip"

	"github.com/google/uuid"
)

// Derived objects get ids computed from a parent id, so they can be found without a search,
// as MidoNet does: the parent's two 64-bit halves XORed with a constant pair, never touching
// the UUID version nibble or the variant bits.
const (
	msbMask = 0xffffffffffff0fff
	lsbMask = 0x3fffffffffffffff
)

func halves(id string) (uint64, uint64) {
	u, err := uuid.Parse(id)
	if err != nil {
		u = uuid.NewSHA1(uuid.NameSpaceOID, []byte(id))
	}
	return binary.BigEndian.Uint64(u[:8]), binary.BigEndian.Uint64(u[8:])
}

func join(msb, lsb uint64) string {
	var u uuid.UUID
	binary.BigEndian.PutUint64(u[:8], msb)
	binary.BigEndian.PutUint64(u[8:], lsb)
	return u.String()
}

// Xor derives an id from a parent id and a constant pair.
func Xor(id string, m, l uint64) string {
	msb, lsb := halves(id)
	return join(msb^(m&msbMask), lsb^(l&lsbMask))
}

// XorAddr derives an id from a parent, a constant pair and an address.
func XorAddr(id string, m, l uint64, addr string) string {
	msb, lsb := halves(Xor(id, m, l))
	if a, err := netip.ParseAddr(addr); err == nil {
		b := a.As16()
		if a.Is4() {
			v4 := a.As4()
			lsb ^= uint64(binary.BigEndian.Uint32(v4[:])) & lsbMask
		} else {
			msb ^= binary.BigEndian.Uint64(b[:8]) & msbMask
			lsb ^= binary.BigEndian.Uint64(b[8:]) & lsbMask
		}
	} else {
		msb ^= strHash(addr, 0) & msbMask
		lsb ^= strHash(addr, 8) & lsbMask
	}
	return join(msb, lsb)
}

// XorStr derives an id from a parent and free text (extra route keys).
func XorStr(id string, text string) string {
	msb, lsb := halves(id)
	return join(msb^(strHash(text, 0)&msbMask), lsb^(strHash(text, 8)&lsbMask))
}

func strHash(s string, from int) uint64 {
	h := uint64(1)
	b := []byte(s)
	for i := from; i < from+8 && i < len(b); i++ {
		h = 31*h + uint64(int8(b[i]))
	}
	return h
}

// Derived id constructors (MidoNet's constant table).

func InChainID(device string) string        { return Xor(device, 0xc84db1f73554442b, 0x8e7b38f2c703ee6a) }
func OutChainID(device string) string       { return Xor(device, 0x020940fb2cac401e, 0x9ffaf9c05d04b524) }
func FwdChainID(router string) string       { return Xor(router, 0xd90b1ceebd1bf51e, 0xb5e5dab5476adb8a) }
func FloatSnatExactChainID(r string) string { return Xor(r, 0xbf4ba34a4efdbf71, 0x590e41534b131c9b) }
func FloatSnatChainID(r string) string      { return Xor(r, 0xba661b9dbba322af, 0x5eff18f9c1de2512) }
func SkipSnatChainID(r string) string       { return Xor(r, 0x77e52b9ea61aae18, 0xcf5e9a5f30deb1fb) }
func FloatNat64ChainID(r string) string     { return Xor(r, 0x46da815f6c664a20, 0x0042ff946a15adda) }
func AntiSpoofChainID(p string) string      { return Xor(p, 0x0a7b611cfe7334fe, 0xbbac78cfe412ad35) }
func AntiSpoofJumpRuleID(p string) string   { return Xor(p, 0x4bcef582eeae45ac, 0xb0304fc7e7b3ba0d) }
func NonHeaderRuleID(r string) string       { return Xor(r, 0x933733b5db0f5cce, 0xeaa631e8b0b34cef) }
func RouterInterfacePortPeerID(p string) string {
	return Xor(p, 0x9c30300ec91f4f19, 0x88449d37e61b60f0)
}
func TenantGwPortID(p string) string { return Xor(p, 0xd3a45084502f4366, 0x9fd7d26cc7566972) }
func PortGroupID(r string) string    { return Xor(r, 0x3fb30e769f5041f1, 0xa50c3c4fb09a6a18) }
func RouterInterfacePortGroupID(r string) string {
	return Xor(r, 0x77e7c2e6ed0dbab5, 0x245499dbae09aa26)
}
func LocalRouteID(port, addr string) string {
	return XorAddr(port, 0x13bd079b6c0e43fb, 0x80fe647e6e718b72, addr)
}
func GatewayRouteID(port, addr string) string {
	return XorAddr(port, 0x6ba5df84b8a44ab4, 0x90adb3f665e7850d, addr)
}
func RouterInterfaceRouteID(port, addr string) string {
	return XorAddr(port, 0xb288abe0c5744762, 0xb3a04b12442bb179, addr)
}
func MetadataRouteID(port, addr string) string {
	return XorAddr(port, 0xa0132e5a1583461c, 0xa752d8609a517a6c, addr)
}
func FipSnatRuleID(f string) string        { return Xor(f, 0xf515a8fd119a4b82, 0x81e9b793d68a3b9e) }
func FipSnatExactRuleID(f string) string   { return Xor(f, 0xfaba87a8b7a850ac, 0x52c748d4a902f277) }
func FipDnatRuleID(f string) string        { return Xor(f, 0xe40c77c188694ac0, 0x9a8e6c1863e2232e) }
func FipSkipSnatOutRuleID(f string) string { return Xor(f, 0x30eddc1fede9b578, 0x1df21b732ecf45af) }
func FipSkipSnatInRuleID(f string) string  { return Xor(f, 0x7b37aca83867e33a, 0xc52b8965e7d9cf14) }
func ExtraRouteID(router, dst, nexthop string) string {
	return XorStr(router, dst+"|"+nexthop)
}
func OutSnatRuleID(r string) string { return Xor(r, 0x68fd6d8bbd3343d8, 0x9909aa4ad4b691d8) }
func OutDropUnmatchedFragmentsRuleID(r string) string {
	return Xor(r, 0xbac97789e63e4663, 0xa00989d341c8636f)
}
func InReverseSnatRuleID(r string) string { return Xor(r, 0x928eb605e3e04119, 0x8c40e4ca90769cf4) }
func InDropWrongPortTrafficRuleID(r string) string {
	return Xor(r, 0xb807509d2fa04b9e, 0x96b1f45a04e6d128)
}
func DstRewrittenSnatRuleID(r string) string  { return Xor(r, 0xf5d39101f0431a3e, 0xdd7a9236bf83a3e7) }
func SkipSnatOutGwPortRuleID(r string) string { return Xor(r, 0x6f90386f458e12ff, 0x6ec14164bde7cee6) }
func SkipSnatInGwPortRuleID(r string) string  { return Xor(r, 0x6a68eacaec7e7075, 0xa21d868b7315973b) }
func SkipSnatAcceptRuleID(r string) string    { return Xor(r, 0x9483a5a98a0098fb, 0xb6fa7a44027c7faa) }

// SameSubnetSnatRuleID is the same-subnet SNAT rule of a router port in a chain.
func SameSubnetSnatRuleID(chain, port string) string {
	pm, pl := halves(port)
	cm, cl := halves(Xor(chain, 0x3bcf2eb64be211e5, 0x84ae0242ac110003))
	return join(cm^(pm&msbMask), cl^(pl&lsbMask))
}

// DerivedID names objects that have no constant in MidoNet's table (SG rule fragments,
// address-group members, DHCP hosts, MAC/ARP seeds): a name-based UUID of the parts.
//
// It is uuid.NewSHA1(uuid.NameSpaceURL, parts joined each followed by a NUL byte), computed
// with one buffer and one string: a translation derives several ids a port.
func DerivedID(parts ...string) string {
	var stack [256]byte
	buf := append(stack[:0], uuid.NameSpaceURL[:]...)
	for _, p := range parts {
		buf = append(buf, p...)
		buf = append(buf, 0)
	}
	h := sha1.Sum(buf)
	var u [16]byte
	copy(u[:], h[:16])
	u[6] = u[6]&0x0f | 0x50 // version 5
	u[8] = u[8]&0x3f | 0x80 // RFC 4122 variant
	return UUIDString(u)
}
