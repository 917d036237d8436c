// Package core is the core plugin: networks (with the ML2 type-driver rules of the midonet and
// uplink types, and internal/ml2's vxlan, vlan and flat; each network's segment), subnets and their IPAM, ports (fixed IPs, MACs, security, binding) and
// security groups with their rules. Every method runs inside the caller's transaction.
package core

import (
	"context"
	"strings"

	"github.com/midonet-go/midonet/internal/db"
	"github.com/midonet-go/midonet/internal/fault"
	"github.com/midonet-go/midonet/internal/ml2"
	"github.com/midonet-go/midonet/internal/plugin"
)

// Settings are the configuration the core plugin reads.
type Settings struct {
	BaseMAC             string   // [DEFAULT] base_mac
	GlobalPhysnetMTU    int      // [DEFAULT] global_physnet_mtu
	TunnelProtocol      string   // [MIDONET] tunnel_protocol: vxlan or gre
	TypeDrivers         []string // [ml2] type_drivers
	TenantNetworkTypes  []string // [ml2] tenant_network_types
	ExternalNetworkType string   // [ml2] external_network_type
	MaxDNSNameservers   int      // [DEFAULT] max_dns_nameservers
	MaxSubnetHostRoutes int      // [DEFAULT] max_subnet_host_routes
	MaxAllowedAddrPairs int      // [DEFAULT] max_allowed_address_pair
	// ML2 is the vxlan, vlan and flat type drivers' configuration (nil: their defaults).
	ML2 *ml2.Config
}

// DefaultSettings are upstream's defaults with the MidoNet ML2 configuration.
func DefaultSettings() Settings {
	return Settings{
		BaseMAC: "fa:16:3e:00:00:00", GlobalPhysnetMTU: 1500, TunnelProtocol: "vxlan",
		TypeDrivers: []string{"midonet", "uplink"}, TenantNetworkTypes: []string{"midonet"},
		MaxDNSNameservers: 5, MaxSubnetHostRoutes: 20, MaxAllowedAddrPairs: 10,
	}
}

// Plugin is the core plugin. Its collections are Networks, Subnets, Ports, SecurityGroups and
// SecurityGroupRules.
type Plugin struct {
	S Settings
	// OnPortDelete run before a port is removed (the L3 plugin dissociates floating IPs).
	OnPortDelete []func(ctx context.Context, tx *db.Tx, c *plugin.Caller, port db.Doc) error
	// OnNetworkDelete run before a network's ports are checked for use (the L3 plugin deletes
	// the floating IPs on it that nothing uses, as Neutron's ML2 plugin has it do).
	OnNetworkDelete []func(ctx context.Context, tx *db.Tx, c *plugin.Caller, network db.Doc) error
	// defaultSGs remembers projects' default security groups for port creates.
	defaultSGs sgHints
}

// New builds the core plugin.
func New(s Settings) *Plugin { return &Plugin{S: s} }

// Collections returns the plugin's collections.
func (p *Plugin) Collections() []plugin.Collection {
	return []plugin.Collection{&Networks{p}, &Subnets{p}, &SubnetPools{p}, &Ports{p}, &SecurityGroups{p}, &SecurityGroupRules{p}}
}

// Network loads a network or answers NetworkNotFound.
func Network(ctx context.Context, tx *db.Tx, id string) (db.Doc, error) { return network(ctx, tx, id) }

// MidonetNetworkTypes are the types the MidoNet mechanism driver binds: its own, and the
// vxlan, vlan and flat networks internal/ml2 allocates, which MidoNet carries as overlay
// bridges like midonet networks (internal/plugin/segments/README.md).
var MidonetNetworkTypes = []string{"midonet", "uplink", ml2.TypeVXLAN, ml2.TypeVLAN, ml2.TypeFlat}

// ml2Config is the type drivers' configuration.
func (p *Plugin) ml2Config() *ml2.Config {
	if p.S.ML2 == nil {
		c := ml2.Defaults()
		c.GlobalPhysnetMTU = p.S.GlobalPhysnetMTU
		return c
	}
	return p.S.ML2
}

// network loads a network (locking it for update in a write) or answers NetworkNotFound.
func network(ctx context.Context, tx *db.Tx, id string) (db.Doc, error) {
	return loadNetwork(ctx, tx.Get, id)
}

// networkShared is network for a write that only reads the network (a port's writes): on
// PostgreSQL it is locked shared (db.Tx.PeekForShare), so port writes on one network run
// side by side. The document is the decoded-document cache's own: the caller must not
// change it.
func networkShared(ctx context.Context, tx *db.Tx, id string) (db.Doc, error) {
	return loadNetwork(ctx, tx.PeekForShare, id)
}

func loadNetwork(ctx context.Context, get func(ctx context.Context, kind, id string) (db.Doc, error), id string) (db.Doc, error) {
	n, err := get(ctx, "networks", id)
	if err != nil {
		return nil, err
	}
	if n == nil {
		return nil, fault.NetworkNotFound(id)
	}
	return n, nil
}

// A port create only reads its network and its security groups (networkShared, FetchShared).
func init() {
	db.ShareLockKind("networks")
	db.ShareLockKind("security_groups")
}

// ownerOf returns the project of a new resource.
func ownerOf(body db.Doc) string {
	if t := plugin.Str(body, "tenant_id"); t != "" {
		return t
	}
	return plugin.Str(body, "project_id")
}

func lower(s string) string { return strings.ToLower(s) }
