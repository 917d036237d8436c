// Package ml2 is ML2's vxlan, vlan and flat type drivers as this server has them: their
// configuration ([ml2_type_vxlan] vni_ranges, [ml2_type_vlan] network_vlan_ranges,
// [ml2_type_flat] flat_networks, the MTU options), the validation of a provider segment, the
// MTU Neutron gives a network of each type, and the segmentation ids segments hold (the
// segment_allocations table: its primary key is what keeps two API servers on one database
// from handing out one id twice). The midonet and uplink types stay in internal/plugin/core;
// the segments and network segment range services (internal/plugin/segments,
// internal/plugin/segmentrange) use this package too. See internal/plugin/segments/README.md
// for what the backend does with each type.
package ml2

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/midonet-go/midonet/internal/config"
)

// The network types of this package.
const (
	TypeVXLAN = "vxlan"
	TypeVLAN  = "vlan"
	TypeFlat  = "flat"
)

// Types are the network types this package drives.
var Types = []string{TypeVXLAN, TypeVLAN, TypeFlat}

// Identifier bounds: 802.1Q VLAN ids and 24-bit VXLAN network identifiers.
const (
	MinVLAN = 1
	MaxVLAN = 4094
	MinVNI  = 1
	MaxVNI  = 1<<24 - 1
)

// Range is an inclusive range of segmentation ids.
type Range struct{ Min, Max int }

// Size is the number of ids in the range.
func (r Range) Size() int { return r.Max - r.Min + 1 }

// Contains reports whether id is in the range.
func (r Range) Contains(id int) bool { return id >= r.Min && id <= r.Max }

// Config is the type drivers' configuration.
type Config struct {
	// VNIRanges are [ml2_type_vxlan] vni_ranges: the VNIs project networks get.
	VNIRanges []Range
	// VLANRanges are [ml2_type_vlan] network_vlan_ranges by physical network; a physical
	// network listed without a range has none (provider networks only).
	VLANRanges map[string][]Range
	// VLANPhysnets are the physical networks of network_vlan_ranges in their order.
	VLANPhysnets []string
	// FlatNetworks are [ml2_type_flat] flat_networks; FlatAny is its "*".
	FlatNetworks []string
	FlatAny      bool
	// GlobalPhysnetMTU is [DEFAULT] global_physnet_mtu, PathMTU [ml2] path_mtu (0: unset),
	// PhysnetMTUs [ml2] physical_network_mtus, OverlayIPVersion [ml2] overlay_ip_version.
	GlobalPhysnetMTU int
	PathMTU          int
	PhysnetMTUs      map[string]int
	OverlayIPVersion int
}

// Options are the configuration values Parse reads, as the INI file lists them.
type Options struct {
	VNIRanges, NetworkVLANRanges, FlatNetworks, PhysicalNetworkMTUs []string
	GlobalPhysnetMTU, PathMTU, OverlayIPVersion                     int
}

// Parse reads the type drivers' options; a malformed entry is an error naming it, as
// neutron-server refuses to start on one.
func Parse(o Options) (*Config, error) {
	c := &Config{VLANRanges: map[string][]Range{}, PhysnetMTUs: map[string]int{},
		GlobalPhysnetMTU: o.GlobalPhysnetMTU, PathMTU: o.PathMTU, OverlayIPVersion: o.OverlayIPVersion}
	if c.OverlayIPVersion == 0 {
		c.OverlayIPVersion = 4
	}
	if c.OverlayIPVersion != 4 && c.OverlayIPVersion != 6 {
		return nil, fmt.Errorf("ml2: [ml2] overlay_ip_version = %d: want 4 or 6", c.OverlayIPVersion)
	}
	for _, e := range o.VNIRanges {
		lo, hi, ok := strings.Cut(strings.TrimSpace(e), ":")
		r, err := parseRange(lo, hi, ok, MinVNI, MaxVNI)
		if err != nil {
			return nil, fmt.Errorf("ml2: [ml2_type_vxlan] vni_ranges entry %q: %w", e, err)
		}
		c.VNIRanges = append(c.VNIRanges, r)
	}
	for _, e := range o.NetworkVLANRanges {
		parts := strings.Split(strings.TrimSpace(e), ":")
		phys := strings.TrimSpace(parts[0])
		if phys == "" || len(phys) > 64 || (len(parts) != 1 && len(parts) != 3) {
			return nil, fmt.Errorf("ml2: [ml2_type_vlan] network_vlan_ranges entry %q: want <physical_network>[:<vlan_min>:<vlan_max>]", e)
		}
		if _, seen := c.VLANRanges[phys]; !seen {
			c.VLANPhysnets = append(c.VLANPhysnets, phys)
			c.VLANRanges[phys] = nil
		}
		if len(parts) == 3 {
			r, err := parseRange(parts[1], parts[2], true, MinVLAN, MaxVLAN)
			if err != nil {
				return nil, fmt.Errorf("ml2: [ml2_type_vlan] network_vlan_ranges entry %q: %w", e, err)
			}
			c.VLANRanges[phys] = append(c.VLANRanges[phys], r)
		}
	}
	for _, e := range o.FlatNetworks {
		e = strings.TrimSpace(e)
		switch {
		case e == "*":
			c.FlatAny = true
		case e != "":
			c.FlatNetworks = append(c.FlatNetworks, e)
		}
	}
	for _, e := range o.PhysicalNetworkMTUs {
		phys, v, ok := strings.Cut(strings.TrimSpace(e), ":")
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if !ok || phys == "" || err != nil || n <= 0 {
			return nil, fmt.Errorf("ml2: [ml2] physical_network_mtus entry %q: want <physical_network>:<mtu>", e)
		}
		c.PhysnetMTUs[phys] = n
	}
	return c, nil
}

func parseRange(lo, hi string, ok bool, min, max int) (Range, error) {
	if !ok {
		return Range{}, fmt.Errorf("want <min>:<max>")
	}
	a, err1 := strconv.Atoi(strings.TrimSpace(lo))
	b, err2 := strconv.Atoi(strings.TrimSpace(hi))
	switch {
	case err1 != nil || err2 != nil:
		return Range{}, fmt.Errorf("the bounds are not integers")
	case a < min || b > max:
		return Range{}, fmt.Errorf("ids must be in %d..%d", min, max)
	case b < a:
		return Range{}, fmt.Errorf("the end is below the start")
	}
	return Range{a, b}, nil
}

// Defaults are Neutron's defaults: no VNI or VLAN ranges, flat networks on any physical
// network, 1500 bytes on the wire.
func Defaults() *Config {
	c, _ := Parse(Options{FlatNetworks: []string{"*"}, GlobalPhysnetMTU: 1500})
	return c
}

// MTU is the largest MTU of a network of type typ on physnet, as Neutron's type drivers
// compute it: a VXLAN overlay takes its 30 bytes and the outer IP header off the smaller of
// global_physnet_mtu and path_mtu; a VLAN or flat network has the physical network's MTU
// (physical_network_mtus, else global_physnet_mtu). 0 for another type.
func (c *Config) MTU(typ, physnet string) int {
	switch typ {
	case TypeVXLAN:
		mtu := c.GlobalPhysnetMTU
		if c.PathMTU > 0 && (mtu <= 0 || c.PathMTU < mtu) {
			mtu = c.PathMTU
		}
		if mtu <= 0 {
			return 0
		}
		ipHeader := 20
		if c.OverlayIPVersion == 6 {
			ipHeader = 40
		}
		return mtu - 30 - ipHeader
	case TypeVLAN, TypeFlat:
		mtu := c.GlobalPhysnetMTU
		if m, ok := c.PhysnetMTUs[physnet]; ok && (mtu <= 0 || m < mtu) {
			mtu = m
		}
		return mtu
	}
	return 0
}

// RangeTypes are the network types that have segment ranges here.
var RangeTypes = []string{TypeVXLAN, TypeVLAN}

// DefaultRanges are the configured ranges, by type and physical network: the ranges every
// project allocates from (Neutron's default network segment ranges).
func (c *Config) DefaultRanges() []TypedRange {
	var out []TypedRange
	for _, r := range c.VNIRanges {
		out = append(out, TypedRange{Type: TypeVXLAN, Range: r})
	}
	for _, p := range c.VLANPhysnets {
		for _, r := range c.VLANRanges[p] {
			out = append(out, TypedRange{Type: TypeVLAN, Physnet: p, Range: r})
		}
	}
	return out
}

// TypedRange is a range of one network type (and physical network, for VLANs).
type TypedRange struct {
	Type, Physnet string
	Range
}

// KnownPhysnet reports whether a VLAN physical network is configured.
func (c *Config) KnownPhysnet(p string) bool {
	_, ok := c.VLANRanges[p]
	return ok
}

// sortedPhysnets are the VLAN physical networks in configuration order.
func (c *Config) sortedPhysnets() []string {
	out := slices.Clone(c.VLANPhysnets)
	if len(out) == 0 {
		for p := range c.VLANRanges {
			out = append(out, p)
		}
		sort.Strings(out)
	}
	return out
}

// FromConfig reads the type drivers' options of a server's configuration.
func FromConfig(cfg *config.Config) (*Config, error) {
	return Parse(Options{
		VNIRanges:           cfg.List(config.GroupML2TypeVXLAN, "vni_ranges"),
		NetworkVLANRanges:   cfg.List(config.GroupML2TypeVLAN, "network_vlan_ranges"),
		FlatNetworks:        cfg.List(config.GroupML2TypeFlat, "flat_networks"),
		PhysicalNetworkMTUs: cfg.List(config.GroupML2, "physical_network_mtus"),
		GlobalPhysnetMTU:    cfg.Int(config.DefaultGroup, "global_physnet_mtu"),
		PathMTU:             cfg.Int(config.GroupML2, "path_mtu"),
		OverlayIPVersion:    cfg.Int(config.GroupML2, "overlay_ip_version"),
	})
}
