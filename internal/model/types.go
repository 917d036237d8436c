package model

import (
	"net/netip"
	"slices"
)

// Standard are the attributes every resource carries.
type Standard struct {
	ID             string   `json:"id"`
	TenantID       string   `json:"tenant_id,omitempty"`
	ProjectID      string   `json:"project_id,omitempty"`
	Name           string   `json:"name,omitempty"`
	Description    string   `json:"description,omitempty"`
	RevisionNumber int64    `json:"revision_number,omitempty"`
	CreatedAt      string   `json:"created_at,omitempty"`
	UpdatedAt      string   `json:"updated_at,omitempty"`
	Tags           []string `json:"tags,omitempty"`
}

// Network is a Neutron network.
type Network struct {
	Standard
	AdminStateUp        bool     `json:"admin_state_up"`
	Status              string   `json:"status,omitempty"`
	Shared              bool     `json:"shared,omitempty"`
	External            *bool    `json:"router:external,omitempty"`
	MTU                 int      `json:"mtu,omitempty"`
	PortSecurityEnabled bool     `json:"port_security_enabled"`
	NetworkType         string   `json:"provider:network_type,omitempty"`
	PhysicalNetwork     string   `json:"provider:physical_network,omitempty"`
	SegmentationID      *int     `json:"provider:segmentation_id,omitempty"`
	QosPolicyID         string   `json:"qos_policy_id,omitempty"`
	Subnets             []string `json:"subnets,omitempty"`
}

// SetDefaults gives an absent admin_state_up and port_security_enabled Neutron's true.
func (n *Network) SetDefaults() { n.AdminStateUp, n.PortSecurityEnabled = true, true }

// IsExternal reports router:external.
func (n *Network) IsExternal() bool { return n.External != nil && *n.External }

// IsUplink reports MidoNet's uplink network type (its ports become router ports).
func (n *Network) IsUplink() bool { return n.NetworkType == NetworkTypeUplink }

// AllocationPool is one range of a subnet's allocation_pools.
type AllocationPool struct {
	Start string `json:"start"`
	End   string `json:"end"`
}

// HostRoute is one of a subnet's host_routes.
type HostRoute struct {
	Destination string `json:"destination"`
	NextHop     string `json:"nexthop"`
}

// Subnet is a Neutron subnet.
type Subnet struct {
	Standard
	NetworkID       string           `json:"network_id"`
	IPVersion       int              `json:"ip_version"`
	CIDR            string           `json:"cidr"`
	GatewayIP       string           `json:"gateway_ip,omitempty"` // "" = no gateway
	AllocationPools []AllocationPool `json:"allocation_pools,omitempty"`
	DNSNameservers  []string         `json:"dns_nameservers,omitempty"`
	HostRoutes      []HostRoute      `json:"host_routes,omitempty"`
	EnableDHCP      bool             `json:"enable_dhcp"`
	IPv6RAMode      string           `json:"ipv6_ra_mode,omitempty"`
	IPv6AddressMode string           `json:"ipv6_address_mode,omitempty"`
	SubnetPoolID    string           `json:"subnetpool_id,omitempty"`
}

// SetDefaults gives an absent enable_dhcp Neutron's true.
func (s *Subnet) SetDefaults() { s.EnableDHCP = true }

// Prefix is the parsed cidr (invalid when the subnet has none).
func (s *Subnet) Prefix() netip.Prefix {
	p, _ := netip.ParsePrefix(s.CIDR)
	return p
}

// Gateway is the parsed gateway_ip (invalid when there is none).
func (s *Subnet) Gateway() netip.Addr {
	a, _ := netip.ParseAddr(s.GatewayIP)
	return a
}

// FixedIP is one address of a port (or of a router gateway).
type FixedIP struct {
	SubnetID  string `json:"subnet_id,omitempty"`
	IPAddress string `json:"ip_address,omitempty"`
}

// Addr is the parsed ip_address (invalid when absent).
func (f FixedIP) Addr() netip.Addr {
	a, _ := netip.ParseAddr(f.IPAddress)
	return a
}

// AddressPair is one of a port's allowed_address_pairs (an address or a CIDR).
type AddressPair struct {
	IPAddress  string `json:"ip_address"`
	MACAddress string `json:"mac_address,omitempty"`
}

// Prefix is the pair's address as a prefix (a bare address is a host prefix).
func (a AddressPair) Prefix() (netip.Prefix, bool) {
	if p, err := netip.ParsePrefix(a.IPAddress); err == nil {
		return p, true
	}
	if ip, err := netip.ParseAddr(a.IPAddress); err == nil {
		return netip.PrefixFrom(ip, ip.BitLen()), true
	}
	return netip.Prefix{}, false
}

// DHCPOpt is one of a port's extra_dhcp_opts.
type DHCPOpt struct {
	Name      string `json:"opt_name"`
	Value     string `json:"opt_value"`
	IPVersion int    `json:"ip_version,omitempty"` // 0 = both
}

// Port is a Neutron port.
type Port struct {
	Standard
	NetworkID           string         `json:"network_id"`
	MACAddress          string         `json:"mac_address"`
	FixedIPs            []FixedIP      `json:"fixed_ips,omitempty"`
	DeviceID            string         `json:"device_id,omitempty"`
	DeviceOwner         string         `json:"device_owner,omitempty"`
	AdminStateUp        bool           `json:"admin_state_up"`
	Status              string         `json:"status,omitempty"`
	SecurityGroups      []string       `json:"security_groups,omitempty"`
	PortSecurityEnabled bool           `json:"port_security_enabled"`
	AllowedAddressPairs []AddressPair  `json:"allowed_address_pairs,omitempty"`
	ExtraDHCPOpts       []DHCPOpt      `json:"extra_dhcp_opts,omitempty"`
	HostID              string         `json:"binding:host_id,omitempty"`
	Profile             map[string]any `json:"binding:profile,omitempty"`
	VNICType            string         `json:"binding:vnic_type,omitempty"`
	QosPolicyID         string         `json:"qos_policy_id,omitempty"`
}

// SetDefaults gives an absent admin_state_up and port_security_enabled Neutron's true.
func (p *Port) SetDefaults() { p.AdminStateUp, p.PortSecurityEnabled = true, true }

// Trusted is PortTrusted of the port's owner.
func (p *Port) Trusted() bool { return PortTrusted(p.DeviceOwner) }

// IsRouterPort reports a router interface or gateway port (linked to its router, never bound).
func (p *Port) IsRouterPort() bool { return IsRouterOwner(p.DeviceOwner) }

// IsRouterOwner reports a router interface's or gateway's device_owner.
func IsRouterOwner(owner string) bool {
	return owner == OwnerRouterInterface || owner == OwnerRouterGateway
}

// Addrs are the port's parsed fixed addresses, in order (unparsable ones left out).
func (p *Port) Addrs() []FixedIP {
	out := make([]FixedIP, 0, len(p.FixedIPs))
	for _, f := range p.FixedIPs {
		if f.Addr().IsValid() {
			out = append(out, f)
		}
	}
	return out
}

// HasAddress reports whether one of the port's fixed addresses is ip.
func (p *Port) HasAddress(ip string) bool {
	return slices.ContainsFunc(p.FixedIPs, func(f FixedIP) bool { return f.IPAddress == ip })
}

// InterfaceName is the host interface a bound port is plugged into: binding:profile's
// interface_name, else Nova's "tap" + the first 11 characters of the id; "" while unbound.
func (p *Port) InterfaceName() string {
	if p.HostID == "" {
		return ""
	}
	if name, ok := p.Profile["interface_name"].(string); ok && name != "" {
		return name
	}
	name := defaultInterfacePrefix + p.ID
	return name[:min(maxLinuxInterfaceNameLen, len(name))]
}

// GatewayInfo is a router's external_gateway_info.
type GatewayInfo struct {
	NetworkID        string    `json:"network_id"`
	EnableSNAT       *bool     `json:"enable_snat,omitempty"`
	ExternalFixedIPs []FixedIP `json:"external_fixed_ips,omitempty"`
}

// SNAT reports enable_snat (absent = true, Neutron's default).
func (g *GatewayInfo) SNAT() bool { return g.EnableSNAT == nil || *g.EnableSNAT }

// Route is one of a router's extra routes (source only when given).
type Route struct {
	Destination string `json:"destination"`
	NextHop     string `json:"nexthop"`
	Source      string `json:"source,omitempty"`
}

// Router is a Neutron router. GatewayPortID is internal (Neutron's gw_port_id column): stored
// with the router and read by the plugin and the translator, never shown to clients.
type Router struct {
	Standard
	AdminStateUp  bool         `json:"admin_state_up"`
	Status        string       `json:"status,omitempty"`
	Gateway       *GatewayInfo `json:"external_gateway_info,omitempty"`
	Routes        []Route      `json:"routes,omitempty"`
	GatewayPortID string       `json:"gw_port_id,omitempty"`
}

// SetDefaults gives an absent admin_state_up Neutron's true.
func (r *Router) SetDefaults() { r.AdminStateUp = true }

// FloatingIP is a Neutron floating IP. FloatingPortID is internal (Neutron's
// floating_port_id column): the port that holds the address on the external network.
type FloatingIP struct {
	Standard
	FloatingNetworkID string `json:"floating_network_id"`
	FloatingIPAddress string `json:"floating_ip_address"`
	PortID            string `json:"port_id,omitempty"`
	FixedIPAddress    string `json:"fixed_ip_address,omitempty"`
	RouterID          string `json:"router_id,omitempty"`
	Status            string `json:"status,omitempty"`
	FloatingPortID    string `json:"floating_port_id,omitempty"`
}

// SecurityGroup is a Neutron security group.
type SecurityGroup struct {
	Standard
	Stateful *bool `json:"stateful,omitempty"`
}

// Rule is a security group rule. StandardAttrID orders the rules of a chain (Neutron shows
// it inside a group's embedded rules only).
type Rule struct {
	Standard
	SecurityGroupID string `json:"security_group_id"`
	Direction       string `json:"direction"`
	EtherType       string `json:"ethertype"`
	Protocol        string `json:"protocol,omitempty"`
	PortRangeMin    *int   `json:"port_range_min,omitempty"`
	PortRangeMax    *int   `json:"port_range_max,omitempty"`
	RemoteIPPrefix  string `json:"remote_ip_prefix,omitempty"`
	RemoteGroupID   string `json:"remote_group_id,omitempty"`
	// RemoteAddressGroupID names an address group (address-group extension) as the remote end.
	RemoteAddressGroupID string `json:"remote_address_group_id,omitempty"`
	StandardAttrID       int64  `json:"standard_attr_id,omitempty"`
}

// ProtocolNumber is the IP protocol number of the rule (-1: any; -2: not a protocol).
func (r *Rule) ProtocolNumber() int { return ProtocolNumber(r.Protocol) }

// Protocols are the protocol names Neutron accepts in a rule, with their numbers.
var Protocols = map[string]int{
	"ah": 51, "dccp": 33, "egp": 8, "esp": 50, "gre": 47, "hopopt": 0, "icmp": 1, "igmp": 2, "ip": 0,
	"ipip": 4, "ipv6-encap": 41, "ipv6-frag": 44, "ipv6-icmp": 58, "icmpv6": 58, "ipv6-nonxt": 59,
	"ipv6-opts": 60, "ipv6-route": 43, "ospf": 89, "pgm": 113, "rsvp": 46, "sctp": 132, "tcp": 6,
	"udp": 17, "udplite": 136, "vrrp": 112,
}

// ProtocolNumber resolves a rule protocol: a name or a decimal number; "" means any (-1);
// anything else is -2.
func ProtocolNumber(s string) int {
	if s == "" {
		return -1
	}
	if n, ok := Protocols[s]; ok {
		return n
	}
	if n, ok := Int(s); ok && n >= 0 && n <= 255 {
		return int(n)
	}
	return -2
}

// Config is the cluster's configuration singleton (the tunnel protocol of the DEFAULT zone).
type Config struct {
	ID             string `json:"id"`
	TunnelProtocol string `json:"tunnel_protocol,omitempty"`
}

// AgentMembership is a host's membership of the tunnel zone (id = host id).
type AgentMembership struct {
	ID        string `json:"id"`
	IPAddress string `json:"ip_address"`
}

// GetID returns the resource's id (for code generic over resources).
func (s Standard) GetID() string { return s.ID }

// Host is a MidoNet host as an agent registered it, with its liveness.
type Host struct {
	ID         string          `json:"id"`
	Name       string          `json:"name,omitempty"`
	Alive      bool            `json:"alive"`
	Interfaces []HostInterface `json:"interfaces,omitempty"`
}

// HostInterface is a network interface of a host.
type HostInterface struct {
	Name      string   `json:"name"`
	Addresses []string `json:"ip_addresses,omitempty"`
}
