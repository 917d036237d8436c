// Package core is the core plugin: networks (with the ML2 type-driver rules of the midonet and
// uplink types), subnets and their IPAM, ports (fixed IPs, MACs, security, binding) and
// security groups with their rules. Every method runs inside the caller's transaction.
package core

import (
	"context"
	"fmt"
	"strings"

	"github.com/midonet-go/midonet/internal/db"
	"github.com/midonet-go/midonet/internal/fault"
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
	Quotas              map[string]int
}

// DefaultSettings are upstream's defaults with the MidoNet ML2 configuration.
func DefaultSettings() Settings {
	return Settings{
		BaseMAC: "fa:16:3e:00:00:00", GlobalPhysnetMTU: 1500, TunnelProtocol: "vxlan",
		TypeDrivers: []string{"midonet", "uplink"}, TenantNetworkTypes: []string{"midonet"},
		MaxDNSNameservers: 5, MaxSubnetHostRoutes: 20, MaxAllowedAddrPairs: 10,
		Quotas: map[string]int{
			"network": 100, "subnet": 100, "subnetpool": -1, "port": 500, "security_group": 10,
			"security_group_rule": 100, "router": 10, "floatingip": 50,
		},
	}
}

// Plugin is the core plugin. Its collections are Networks, Subnets, Ports, SecurityGroups and
// SecurityGroupRules.
type Plugin struct {
	S Settings
	// OnPortDelete run before a port is removed (the L3 plugin dissociates floating IPs).
	OnPortDelete []func(ctx context.Context, tx *db.Tx, c *plugin.Caller, port db.Doc) error
}

// New builds the core plugin.
func New(s Settings) *Plugin { return &Plugin{S: s} }

// Collections returns the plugin's collections.
func (p *Plugin) Collections() []plugin.Collection {
	return []plugin.Collection{&Networks{p}, &Subnets{p}, &SubnetPools{p}, &Ports{p}, &SecurityGroups{p}, &SecurityGroupRules{p}}
}

// QuotaResources are the quota keys, in the order answers list them.
var QuotaResources = []string{"network", "subnet", "subnetpool", "port", "router", "floatingip", "security_group", "security_group_rule"}

// QuotaLimit returns a project's limit for a resource (-1 = unlimited).
func (p *Plugin) QuotaLimit(ctx context.Context, tx *db.Tx, project, res string) (int, error) {
	var n int
	err := tx.QueryRow(ctx, "SELECT hard_limit FROM quotas WHERE project_id = ? AND resource = ?", project, res).Scan(&n)
	if err == nil {
		return n, nil
	}
	if def, ok := p.S.Quotas[res]; ok {
		return def, nil
	}
	return -1, nil
}

// CheckQuota refuses a create that would take a project over its limit.
func (p *Plugin) CheckQuota(ctx context.Context, tx *db.Tx, project, res, kind string, adding int) error {
	if project == "" { // resources the system owns (router gateway and floating IP ports)
		return nil
	}
	limit, err := p.QuotaLimit(ctx, tx, project, res)
	if err != nil || limit < 0 {
		return err
	}
	used, err := tx.Count(ctx, kind, project)
	if err != nil {
		return fmt.Errorf("core: count %s: %w", kind, err)
	}
	if used+adding > limit {
		return fault.Conflict("OverQuota", "Quota exceeded for resources: ['%s'].", res)
	}
	return nil
}

// Network loads a network or answers NetworkNotFound.
func Network(ctx context.Context, tx *db.Tx, id string) (db.Doc, error) { return network(ctx, tx, id) }

// MidonetNetworkTypes are the types the MidoNet mechanism driver handles.
var MidonetNetworkTypes = []string{"midonet", "uplink"}

// network loads a network or answers NetworkNotFound.
func network(ctx context.Context, tx *db.Tx, id string) (db.Doc, error) {
	n, err := tx.Get(ctx, "networks", id)
	if err != nil {
		return nil, err
	}
	if n == nil {
		return nil, fault.NetworkNotFound(id)
	}
	return n, nil
}

// ownerOf returns the project of a new resource.
func ownerOf(body db.Doc) string {
	if t := plugin.Str(body, "tenant_id"); t != "" {
		return t
	}
	return plugin.Str(body, "project_id")
}

func lower(s string) string { return strings.ToLower(s) }
