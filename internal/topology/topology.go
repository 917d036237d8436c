// Package topology is the MidoNet virtual topology: bridges (networks), routers, ports,
// chains of rules with their conditions and NAT, routes, IP address groups, port groups,
// DHCP subnets and hosts, MAC/ARP seeds, hosts and tunnel zones. The cluster's translators
// produce these objects from Neutron resources and the NSDB stores them; agents simulate
// packets through them.
//
// Every object records the Neutron resource it was translated from (its owner) and that
// resource's revision, so drift between the Neutron database and the NSDB can be measured.
// Rules carry their chain and an Order instead of living in an ordered list on the chain:
// each rule then has a single owner (a port, a floating IP, a router) and a chain's
// evaluation order is the rules sorted by (Order, ID).
package topology

import (
	"encoding/json"
	"fmt"
)

// Kind names an object type; it is also the NSDB key segment.
type Kind string

// The object kinds.
const (
	KindNetwork       Kind = "Network"
	KindPort          Kind = "Port"
	KindRouter        Kind = "Router"
	KindRoute         Kind = "Route"
	KindChain         Kind = "Chain"
	KindRule          Kind = "Rule"
	KindIPAddrGroup   Kind = "IPAddrGroup"
	KindIPAddrMember  Kind = "IPAddrMember"
	KindPortGroup     Kind = "PortGroup"
	KindDhcp          Kind = "Dhcp"
	KindDhcpHost      Kind = "DhcpHost"
	KindMacEntry      Kind = "MacEntry"
	KindArpEntry      Kind = "ArpEntry"
	KindFip64Entry    Kind = "Fip64Entry"
	KindTunnelZone    Kind = "TunnelZone"
	KindTunnelMember  Kind = "TunnelZoneMember"
	KindHost          Kind = "Host"
	KindQosPolicy     Kind = "QosPolicy"
	KindBgpPeer       Kind = "BgpPeer"
	KindBgpNetwork    Kind = "BgpNetwork"
	KindMirror        Kind = "Mirror"
	KindGatewayDevice Kind = "GatewayDevice"
	KindRemoteMac     Kind = "RemoteMacEntry"
	KindVpnService    Kind = "VpnService"
	KindIPSecConn     Kind = "IPSecSiteConnection"
	KindRuleLogger    Kind = "RuleLogger"
	KindMeterLabel    Kind = "MeteringLabel"
	KindCtHelper      Kind = "ConntrackHelper"
	KindLocalIP       Kind = "LocalIPEntry"
	KindTrunkSubport  Kind = "TrunkSubport"
	KindNdpProxy      Kind = "NdpProxy"
)

// Kinds lists every kind the translators write.
var Kinds = []Kind{KindNetwork, KindPort, KindRouter, KindRoute, KindChain, KindRule, KindIPAddrGroup,
	KindIPAddrMember, KindPortGroup, KindDhcp, KindDhcpHost, KindMacEntry, KindArpEntry, KindFip64Entry,
	KindTunnelZone, KindTunnelMember, KindQosPolicy, KindBgpPeer, KindBgpNetwork, KindMirror,
	KindVpnService, KindIPSecConn, KindGatewayDevice, KindRemoteMac, KindRuleLogger,
	KindMeterLabel, KindCtHelper, KindLocalIP, KindTrunkSubport, KindNdpProxy}

// Meta is what every object carries.
type Meta struct {
	ID string `json:"id"`
	// Owner is the Neutron resource this object was translated from, "<collection>/<id>".
	Owner string `json:"owner,omitempty"`
	// Revision is the owner's revision_number at translation.
	Revision int64 `json:"neutron_revision"`
}

// Object is any topology object.
type Object interface {
	Kind() Kind
	Base() *Meta
}

// Key is the NSDB key suffix of an object: "<Kind>/<id>".
func Key(o Object) string { return string(o.Kind()) + "/" + o.Base().ID }

// Network is a virtual bridge.
type Network struct {
	Meta
	TenantID     string `json:"tenant_id,omitempty"`
	Name         string `json:"name,omitempty"`
	AdminStateUp bool   `json:"admin_state_up"`
	QosPolicyID  string `json:"qos_policy_id,omitempty"`
	// Uplink marks a provider network of type uplink (not translated to a bridge; kept only
	// for bookkeeping of edge routers).
	MTU int `json:"mtu,omitempty"`
}

// Port is a port of a bridge (NetworkID set) or of a router (RouterID set).
type Port struct {
	Meta
	NetworkID        string   `json:"network_id,omitempty"`
	RouterID         string   `json:"router_id,omitempty"`
	AdminStateUp     bool     `json:"admin_state_up"`
	InboundFilterID  string   `json:"inbound_filter_id,omitempty"`
	OutboundFilterID string   `json:"outbound_filter_id,omitempty"`
	TunnelKey        uint32   `json:"tunnel_key,omitempty"`
	PeerID           string   `json:"peer_id,omitempty"`
	HostID           string   `json:"host_id,omitempty"` // Neutron binding:host_id (a host name or id)
	InterfaceName    string   `json:"interface_name,omitempty"`
	PortGroupIDs     []string `json:"port_group_ids,omitempty"`
	PortSubnets      []string `json:"port_subnets,omitempty"` // router ports: "10.0.0.1/24"
	PortAddress      string   `json:"port_address,omitempty"`
	PortMAC          string   `json:"port_mac,omitempty"`
	DhcpID           string   `json:"dhcp_id,omitempty"`
	QosPolicyID      string   `json:"qos_policy_id,omitempty"`
	// Neutron facts the agent needs for a bridge port: its MAC and fixed IPs, and whether it
	// is a VM port (untrusted) or a service port.
	MAC         string   `json:"mac,omitempty"`
	FixedIPs    []string `json:"fixed_ips,omitempty"`
	DeviceOwner string   `json:"device_owner,omitempty"`
	// VTEP router ports (an L2 gateway connection on a router_vtep device): the VXLAN VNI
	// of the connection and the device's tunnel IP. A bridge port of a VLAN-aware network
	// (network_vlan) carries its VLAN id.
	VNI      uint32 `json:"vni,omitempty"`
	TunnelIP string `json:"tunnel_ip,omitempty"`
	VlanID   int    `json:"vlan_id,omitempty"`
	// Mirrors at the port's tap points (MidoNet's post_in_filter_mirror_ids: what the device
	// behind the port sent, after the port's inbound filter; pre_out_filter_mirror_ids: what
	// leaves toward it, before the outbound filter). Tap flows set them (TaaS).
	PostInFilterMirrorIDs []string `json:"post_in_filter_mirror_ids,omitempty"`
	PreOutFilterMirrorIDs []string `json:"pre_out_filter_mirror_ids,omitempty"`
}

// Router is a virtual router.
type Router struct {
	Meta
	TenantID         string `json:"tenant_id,omitempty"`
	Name             string `json:"name,omitempty"`
	AdminStateUp     bool   `json:"admin_state_up"`
	InboundFilterID  string `json:"inbound_filter_id,omitempty"`  // pre-routing
	OutboundFilterID string `json:"outbound_filter_id,omitempty"` // post-routing
	ForwardChainID   string `json:"forward_chain_id,omitempty"`
	ASNumber         int64  `json:"as_number,omitempty"`
}

// Next-hop kinds of a route.
const (
	NextHopPort      = "PORT"
	NextHopLocal     = "LOCAL"
	NextHopBlackhole = "BLACKHOLE"
	NextHopReject    = "REJECT"
	NextHopFIP64     = "FIP64"
)

// Route is a router's route: both src and dst must match; the longest dst prefix wins,
// then the lowest weight.
type Route struct {
	Meta
	RouterID       string `json:"router_id"`
	SrcSubnet      string `json:"src_subnet"`
	DstSubnet      string `json:"dst_subnet"`
	NextHop        string `json:"next_hop"`
	NextHopPortID  string `json:"next_hop_port_id,omitempty"`
	NextHopGateway string `json:"next_hop_gateway,omitempty"`
	Weight         int    `json:"weight"`
	GatewayDhcpID  string `json:"gateway_dhcp_id,omitempty"`
	// Learned routes come from a BGP peer through the agent that runs the session; they live
	// under the NSDB's learned/ prefix on that agent's lease, not in the translated topology.
	Learned bool `json:"learned,omitempty"`
}

// Chain is a named list of rules.
type Chain struct {
	Meta
	Name     string            `json:"name"`
	TenantID string            `json:"tenant_id,omitempty"`
	Metadata map[string]string `json:"metadata,omitempty"`
}

// Rule types and actions.
const (
	RuleLiteral = "LITERAL"
	RuleNAT     = "NAT"
	RuleJump    = "JUMP"

	ActionAccept   = "ACCEPT"
	ActionContinue = "CONTINUE"
	ActionDrop     = "DROP"
	ActionJump     = "JUMP"
	ActionReject   = "REJECT"
	ActionReturn   = "RETURN"
)

// Fragment policies of a condition.
const (
	FragAny          = "ANY"
	FragHeader       = "HEADER"
	FragNonHeader    = "NONHEADER"
	FragUnfragmented = "UNFRAGMENTED"
)

// Range is an inclusive integer range (L4 ports, ICMP type or code).
type Range struct {
	Start int `json:"start"`
	End   int `json:"end"`
}

// Condition is what a rule matches; unset fields match everything, each has its own
// inversion, and ConjunctionInv inverts the whole AND (fragment policy excepted).
type Condition struct {
	MatchForwardFlow bool     `json:"match_forward_flow,omitempty"`
	MatchReturnFlow  bool     `json:"match_return_flow,omitempty"`
	InPortIDs        []string `json:"in_port_ids,omitempty"`
	InPortInv        bool     `json:"in_port_inv,omitempty"`
	OutPortIDs       []string `json:"out_port_ids,omitempty"`
	OutPortInv       bool     `json:"out_port_inv,omitempty"`
	PortGroupID      string   `json:"port_group_id,omitempty"`
	InvPortGroup     bool     `json:"inv_port_group,omitempty"`
	IPAddrGroupSrc   string   `json:"ip_addr_group_id_src,omitempty"`
	InvIPAddrSrc     bool     `json:"inv_ip_addr_group_id_src,omitempty"`
	IPAddrGroupDst   string   `json:"ip_addr_group_id_dst,omitempty"`
	InvIPAddrDst     bool     `json:"inv_ip_addr_group_id_dst,omitempty"`
	DlType           int      `json:"dl_type,omitempty"` // 0 = any
	InvDlType        bool     `json:"inv_dl_type,omitempty"`
	DlSrc            string   `json:"dl_src,omitempty"`
	InvDlSrc         bool     `json:"inv_dl_src,omitempty"`
	DlDst            string   `json:"dl_dst,omitempty"`
	InvDlDst         bool     `json:"inv_dl_dst,omitempty"`
	NwProto          int      `json:"nw_proto,omitempty"` // 0 = any
	NwProtoInv       bool     `json:"nw_proto_inv,omitempty"`
	NwSrcIP          string   `json:"nw_src_ip,omitempty"` // CIDR
	NwSrcInv         bool     `json:"nw_src_inv,omitempty"`
	NwDstIP          string   `json:"nw_dst_ip,omitempty"`
	NwDstInv         bool     `json:"nw_dst_inv,omitempty"`
	TpSrc            *Range   `json:"tp_src,omitempty"`
	TpSrcInv         bool     `json:"tp_src_inv,omitempty"`
	TpDst            *Range   `json:"tp_dst,omitempty"`
	TpDstInv         bool     `json:"tp_dst_inv,omitempty"`
	TraversedDevice  string   `json:"traversed_device,omitempty"`
	FragmentPolicy   string   `json:"fragment_policy,omitempty"` // "" = UNFRAGMENTED
	NwDstRewritten   bool     `json:"match_nw_dst_rewritten,omitempty"`
	// VLAN matches frames tagged with an 802.1Q id in the range (untagged frames never match).
	// MidoNet's condition names one id; a range keeps a TaaS vlan_filter ("0-4095") small.
	VLAN           *Range `json:"vlan,omitempty"`
	ConjunctionInv bool   `json:"conjunction_inv,omitempty"`
}

// NatTarget is one NAT destination range.
type NatTarget struct {
	NwStart string `json:"nw_start"`
	NwEnd   string `json:"nw_end"`
	TpStart int    `json:"tp_start"`
	TpEnd   int    `json:"tp_end"`
}

// NAT is the NAT part of a rule.
type NAT struct {
	Targets []NatTarget `json:"nat_targets,omitempty"`
	DNAT    bool        `json:"dnat"`
	Reverse bool        `json:"reverse"`
}

// Rule is one rule of a chain.
type Rule struct {
	Meta
	ChainID     string    `json:"chain_id"`
	Order       int       `json:"order"`
	Type        string    `json:"type"`
	Action      string    `json:"action"`
	Condition   Condition `json:"condition"`
	JumpChainID string    `json:"jump_chain_id,omitempty"`
	NAT         *NAT      `json:"nat,omitempty"`
	FipPortID   string    `json:"fip_port_id,omitempty"`
	// Metadata names what the rule was made from where a trace or a log needs it
	// ("firewall_rule_id" for a firewall's rules).
	Metadata map[string]string `json:"metadata,omitempty"`
}

// Metadata keys of chains and rules.
const (
	MetaFirewallID     = "firewall_id"      // chain: the firewall (v1) or firewall group (v2) it implements
	MetaFirewallRuleID = "firewall_rule_id" // rule: the Neutron firewall rule it implements
	MetaTenantID       = "tenant_id"        // chain: the firewall's project
	MetaRouterID       = "router_id"        // rule: the router a firewall jump sits on
)

// Events a rule logger records.
const (
	LogAccept = "ACCEPT"
	LogDrop   = "DROP"
	LogAll    = "ALL"
)

// RuleLogger makes agents log the decisions taken in the chains of a firewall or security
// group (MidoNet's RuleLogger, which named one chain; here the chains are found by what they
// implement): one line per connection a rule of them decides, in the file of LogID. A
// firewall log (logging-resource) makes one for its firewall; a Neutron log of security
// groups one for its group, or for every group of its project when it names none.
type RuleLogger struct {
	Meta
	// LogID names the file: fw-<LogID>.log (firewall logs), sg-<LogID>.log (security-group
	// logs).
	LogID string `json:"log_id"`
	// ResourceType is "firewall" or "security_group"; ResourceID the firewall, firewall
	// group or security group.
	ResourceType string `json:"resource_type"`
	ResourceID   string `json:"resource_id"`
	TenantID     string `json:"tenant_id,omitempty"`
	Event        string `json:"event"` // LogAccept, LogDrop or LogAll
	Enabled      bool   `json:"enabled"`
	// PortID limits the logger to decisions on one port (a Neutron log's target_id).
	PortID string `json:"port_id,omitempty"`
}

// IPAddrGroup is an address set rule conditions match: a security group's (its members'
// addresses, IPAddrMember) or an address group's (Neutron's address-group extension: its
// Prefixes, CIDRs that match every address inside them).
type IPAddrGroup struct {
	Meta
	Name            string   `json:"name,omitempty"`
	InboundChainID  string   `json:"inbound_chain_id,omitempty"`
	OutboundChainID string   `json:"outbound_chain_id,omitempty"`
	Prefixes        []string `json:"prefixes,omitempty"`
}

// MeteringLabel is a Neutron metering label as the routers apply it: the router-side
// gateway ports whose traffic it counts (every gateway of the label's project, or of every
// project for a shared label) and its rules. Traffic entering through one of the ports and
// routed elsewhere is ingress, traffic routed out through one is egress; the addresses
// matched are those inside the router (after pre-routing DNAT, before post-routing SNAT).
type MeteringLabel struct {
	Meta
	Name     string `json:"name,omitempty"`
	TenantID string `json:"tenant_id,omitempty"`
	Shared   bool   `json:"shared,omitempty"`
	// PortIDs are the router gateway ports (router side) the label counts on.
	PortIDs []string       `json:"port_ids,omitempty"`
	Rules   []MeteringRule `json:"rules,omitempty"`
}

// ConntrackHelper is a router's conntrack helper (Neutron's l3-conntrack-helper): new
// connections of Protocol to Port through the router are inspected by the named helper,
// whose expected (related) connections the router then accepts and translates like the
// connection they belong to.
type ConntrackHelper struct {
	Meta
	RouterID string `json:"router_id"`
	Protocol int    `json:"protocol"` // IP protocol number
	Port     int    `json:"port"`
	Helper   string `json:"helper"`
}

// LocalIPEntry is one port association of a Neutron Local IP: on the port's network and
// host, the Local IP answers with the port's MAC and traffic to it reaches the port's fixed
// IP (translated back on the way out), or the Local IP itself with Passthrough.
type LocalIPEntry struct {
	Meta
	NetworkID   string `json:"network_id"`
	LocalIP     string `json:"local_ip"`
	PortID      string `json:"port_id"`
	FixedIP     string `json:"fixed_ip"`
	MAC         string `json:"mac"`
	HostID      string `json:"host_id,omitempty"`
	Passthrough bool   `json:"passthrough,omitempty"`
}

// NdpProxy is one IPv6 address a router proxies NDP for (Neutron's l3-ndp-proxy): its
// gateway port (router side) answers Neighbor Solicitations for IP on the external network
// with its own MAC, and the router forwards IPv6 for IP through InterfacePortID (router
// side, on the address's subnet) to MAC, and IPv6 from IP out of the gateway, to the
// destination when it is on the gateway's link, else to Upstream (the external IPv6
// subnet's gateway).
type NdpProxy struct {
	Meta
	RouterID        string `json:"router_id"`
	GatewayPortID   string `json:"gateway_port_id"`
	InterfacePortID string `json:"interface_port_id"`
	PortID          string `json:"port_id"` // the Neutron port holding IP
	IP              string `json:"ip"`
	MAC             string `json:"mac"`
	Upstream        string `json:"upstream,omitempty"`
}

// MeteringRule is one rule of a label: a packet of its direction counts when its source and
// destination are inside the prefixes given (unset: any) and no excluded rule of that
// direction matches it.
type MeteringRule struct {
	ID          string `json:"id"`
	Direction   string `json:"direction"` // "ingress" or "egress"
	Excluded    bool   `json:"excluded,omitempty"`
	Source      string `json:"source,omitempty"`
	Destination string `json:"destination,omitempty"`
}

// IPAddrMember puts one port's address into an address group.
type IPAddrMember struct {
	Meta
	GroupID string `json:"group_id"`
	IP      string `json:"ip"`
	PortID  string `json:"port_id"`
}

// PortGroup groups router ports; stateful groups share flow state.
type PortGroup struct {
	Meta
	Name     string `json:"name"`
	TenantID string `json:"tenant_id,omitempty"`
	Stateful bool   `json:"stateful"`
}

// Opt121Route is a classless static route handed out by DHCP.
type Opt121Route struct {
	Dst     string `json:"dst_subnet"`
	Gateway string `json:"gateway"`
}

// Dhcp is the DHCP configuration of one IPv4 subnet (id = Neutron subnet id).
type Dhcp struct {
	Meta
	NetworkID      string        `json:"network_id"`
	SubnetAddress  string        `json:"subnet_address"`
	Enabled        bool          `json:"enabled"`
	ServerAddress  string        `json:"server_address,omitempty"`
	DefaultGateway string        `json:"default_gateway,omitempty"`
	DNSServers     []string      `json:"dns_server_address,omitempty"`
	InterfaceMTU   int           `json:"interface_mtu,omitempty"`
	Opt121Routes   []Opt121Route `json:"opt121_routes,omitempty"`
}

// DhcpOpt is an extra DHCP option of a host.
type DhcpOpt struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// DhcpHost is a static DHCP assignment.
type DhcpHost struct {
	Meta
	DhcpID        string    `json:"dhcp_id"`
	MAC           string    `json:"mac"`
	IP            string    `json:"ip_address"`
	Name          string    `json:"name,omitempty"`
	ExtraDhcpOpts []DhcpOpt `json:"extra_dhcp_opts,omitempty"`
}

// MacEntry seeds a bridge's MAC table: MAC → port.
type MacEntry struct {
	Meta
	NetworkID string `json:"network_id"`
	MAC       string `json:"mac"`
	PortID    string `json:"port_id"`
	VLAN      int    `json:"vlan,omitempty"`
}

// ArpEntry seeds a bridge's IPv4 → MAC table.
type ArpEntry struct {
	Meta
	NetworkID string `json:"network_id"`
	IP        string `json:"ip"`
	MAC       string `json:"mac"`
}

// Fip64Entry is an IPv6 floating IP for an IPv4 fixed IP (NAT64).
type Fip64Entry struct {
	Meta
	NetworkID  string `json:"network_id"`
	FixedIP    string `json:"fixed_ip"`
	FloatingIP string `json:"floating_ip"`
	NAT64Pool  string `json:"nat64_pool"`
	PortID     string `json:"port_id"`
	RouterID   string `json:"router_id"`
}

// TunnelZone is a set of hosts that tunnel to each other.
type TunnelZone struct {
	Meta
	Name string `json:"name"`
	Type string `json:"type"` // vxlan or gre
}

// QosPolicy is a QoS policy as MidoNet's QosPolicy object keeps it: the rules embedded (a
// rule change updates the whole policy, seed 8.3.1). Ports and bridges name it by
// QosPolicyID; a port's own policy wins over its network's.
type QosPolicy struct {
	Meta
	Name           string                  `json:"name"`
	TenantID       string                  `json:"tenant_id"`
	BandwidthLimit []QosBandwidthLimitRule `json:"bandwidth_limit_rules,omitempty"`
	DSCPMarking    []QosDSCPRule           `json:"dscp_marking_rules,omitempty"`
}

// QosBandwidthLimitRule is a token bucket: rate max_kbps, depth max_burst_kbps (kilobits).
type QosBandwidthLimitRule struct {
	ID           string `json:"id"`
	MaxKbps      int    `json:"max_kbps"`
	MaxBurstKbps int    `json:"max_burst_kbps"`
}

// QosDSCPRule rewrites the DSCP field of IP packets from the port.
type QosDSCPRule struct {
	ID       string `json:"id"`
	DSCPMark int    `json:"dscp_mark"`
}

// BgpPeer is a BGP session of a router (MidoNet's BgpPeer): the router speaks as LocalAS
// from its port on the peer's subnet to the peer at Address, AS.
type BgpPeer struct {
	Meta
	RouterID string `json:"router_id"`
	LocalAS  int64  `json:"local_as"`
	Address  string `json:"address"`
	AS       int64  `json:"as_number"`
	// MD5 says the session is authenticated with Password as the TCP MD5 key (RFC 2385);
	// MidoNet's BgpPeer carries the password for the agent that runs the session.
	MD5      bool   `json:"md5,omitempty"`
	Password string `json:"password,omitempty"`
}

// BgpNetwork is a prefix a router advertises to its BGP peers (MidoNet's BgpNetwork).
type BgpNetwork struct {
	Meta
	RouterID string `json:"router_id"`
	Subnet   string `json:"subnet"`
	NextHop  string `json:"next_hop,omitempty"`
}

// VpnService is a router's VPN service (MidoNet's VpnService with its IPsec container): IKE
// and IPsec traffic to ExternalIP is handed to the container port ContainerPortID, whose far
// end (ContainerIP, in a network namespace of the agent that binds the port) runs the
// tunnels; tenant traffic to the peers is routed to it. ContainerPortID is "" until the
// router has a connection.
type VpnService struct {
	Meta
	RouterID        string `json:"router_id"`
	ExternalIP      string `json:"external_ip,omitempty"`
	AdminStateUp    bool   `json:"admin_state_up"`
	ContainerPortID string `json:"container_port_id,omitempty"`
	ContainerIP     string `json:"container_ip,omitempty"` // the namespace's side of the /30
}

// IPSecSiteConnection is one enabled site connection of a VPN service with everything the
// agent needs to run it: the peer, the traffic selectors, the IKE and IPsec proposals and
// the pre-shared key (MidoNet's IPSecSiteConnection carried it for its container).
type IPSecSiteConnection struct {
	Meta
	VpnServiceID string        `json:"vpnservice_id"`
	RouterID     string        `json:"router_id"`
	PeerAddress  string        `json:"peer_address"`
	PeerID       string        `json:"peer_id"`
	LocalID      string        `json:"local_id,omitempty"`
	LocalCIDRs   []string      `json:"local_cidrs"`
	PeerCIDRs    []string      `json:"peer_cidrs"`
	MTU          int64         `json:"mtu"`
	Initiator    string        `json:"initiator"`
	DPDAction    string        `json:"dpd_action"`
	DPDInterval  int64         `json:"dpd_interval"`
	DPDTimeout   int64         `json:"dpd_timeout"`
	PSK          string        `json:"psk,omitempty"`
	IKE          IPSecProposal `json:"ike"`
	IPSec        IPSecProposal `json:"ipsec"`
}

// IPSecProposal is an IKE or IPsec policy's parameters as Neutron names them.
type IPSecProposal struct {
	Version           string `json:"version,omitempty"` // IKE: v1 or v2
	AuthAlgorithm     string `json:"auth_algorithm"`
	Encryption        string `json:"encryption_algorithm"`
	PFS               string `json:"pfs"`
	Lifetime          int64  `json:"lifetime"`
	Phase1Mode        string `json:"phase1_negotiation_mode,omitempty"` // IKE
	TransformProtocol string `json:"transform_protocol,omitempty"`      // IPsec
	EncapsulationMode string `json:"encapsulation_mode,omitempty"`      // IPsec
}

// Mirror copies the packets that match any of its conditions, as they are at the tap point
// that names it, to the egress of ToPortID (MidoNet's Mirror; a TaaS tap service).
type Mirror struct {
	Meta
	ToPortID   string      `json:"to_port_id"`
	Conditions []Condition `json:"conditions"`
}

// TrunkSubport makes a port a subport of a trunk: frames of the parent port's interface
// tagged with VLAN enter the network as frames of the subport, untagged, and what the
// subport sends out leaves through the parent's interface with the tag pushed. Its id is the
// subport's port id (a port is the subport of one trunk at most).
type TrunkSubport struct {
	Meta
	TrunkID      string `json:"trunk_id"`
	ParentPortID string `json:"parent_port_id"`
	PortID       string `json:"port_id"`
	VLAN         int    `json:"vlan"`
}

// TunnelZoneMember puts a host into a tunnel zone with its tunnel address.
type TunnelZoneMember struct {
	Meta
	ZoneID string `json:"zone_id"`
	HostID string `json:"host_id"`
	IP     string `json:"ip_address"`
}

// Host is a machine running an agent.
type Host struct {
	Meta
	Name       string          `json:"name"`
	Interfaces []HostInterface `json:"interfaces,omitempty"`
}

// HostInterface is a network interface of a host.
type HostInterface struct {
	Name      string   `json:"name"`
	MAC       string   `json:"mac,omitempty"`
	Addresses []string `json:"ip_addresses,omitempty"`
	MTU       int      `json:"mtu,omitempty"`
	Up        bool     `json:"up"`
}

func (o *Network) Kind() Kind             { return KindNetwork }
func (o *Port) Kind() Kind                { return KindPort }
func (o *Router) Kind() Kind              { return KindRouter }
func (o *Route) Kind() Kind               { return KindRoute }
func (o *Chain) Kind() Kind               { return KindChain }
func (o *Rule) Kind() Kind                { return KindRule }
func (o *IPAddrGroup) Kind() Kind         { return KindIPAddrGroup }
func (o *IPAddrMember) Kind() Kind        { return KindIPAddrMember }
func (o *PortGroup) Kind() Kind           { return KindPortGroup }
func (o *Dhcp) Kind() Kind                { return KindDhcp }
func (o *DhcpHost) Kind() Kind            { return KindDhcpHost }
func (o *MacEntry) Kind() Kind            { return KindMacEntry }
func (o *ArpEntry) Kind() Kind            { return KindArpEntry }
func (o *Fip64Entry) Kind() Kind          { return KindFip64Entry }
func (o *TunnelZone) Kind() Kind          { return KindTunnelZone }
func (o *TunnelZoneMember) Kind() Kind    { return KindTunnelMember }
func (o *Host) Kind() Kind                { return KindHost }
func (o *QosPolicy) Kind() Kind           { return KindQosPolicy }
func (o *BgpPeer) Kind() Kind             { return KindBgpPeer }
func (o *BgpNetwork) Kind() Kind          { return KindBgpNetwork }
func (o *VpnService) Kind() Kind          { return KindVpnService }
func (o *IPSecSiteConnection) Kind() Kind { return KindIPSecConn }
func (o *Mirror) Kind() Kind              { return KindMirror }
func (o *RuleLogger) Kind() Kind          { return KindRuleLogger }
func (o *MeteringLabel) Kind() Kind       { return KindMeterLabel }
func (o *ConntrackHelper) Kind() Kind     { return KindCtHelper }
func (o *LocalIPEntry) Kind() Kind        { return KindLocalIP }
func (o *TrunkSubport) Kind() Kind        { return KindTrunkSubport }
func (o *NdpProxy) Kind() Kind            { return KindNdpProxy }

// Base returns the common header.
func (m *Meta) Base() *Meta { return m }

// New returns an empty object of a kind.
func New(k Kind) (Object, error) {
	switch k {
	case KindNetwork:
		return &Network{}, nil
	case KindPort:
		return &Port{}, nil
	case KindRouter:
		return &Router{}, nil
	case KindRoute:
		return &Route{}, nil
	case KindChain:
		return &Chain{}, nil
	case KindRule:
		return &Rule{}, nil
	case KindIPAddrGroup:
		return &IPAddrGroup{}, nil
	case KindIPAddrMember:
		return &IPAddrMember{}, nil
	case KindPortGroup:
		return &PortGroup{}, nil
	case KindDhcp:
		return &Dhcp{}, nil
	case KindDhcpHost:
		return &DhcpHost{}, nil
	case KindMacEntry:
		return &MacEntry{}, nil
	case KindArpEntry:
		return &ArpEntry{}, nil
	case KindFip64Entry:
		return &Fip64Entry{}, nil
	case KindTunnelZone:
		return &TunnelZone{}, nil
	case KindTunnelMember:
		return &TunnelZoneMember{}, nil
	case KindHost:
		return &Host{}, nil
	case KindMeterLabel:
		return &MeteringLabel{}, nil
	case KindCtHelper:
		return &ConntrackHelper{}, nil
	case KindLocalIP:
		return &LocalIPEntry{}, nil
	case KindQosPolicy:
		return &QosPolicy{}, nil
	case KindBgpPeer:
		return &BgpPeer{}, nil
	case KindBgpNetwork:
		return &BgpNetwork{}, nil
	case KindTrunkSubport:
		return &TrunkSubport{}, nil
	case KindNdpProxy:
		return &NdpProxy{}, nil
	case KindVpnService:
		return &VpnService{}, nil
	case KindIPSecConn:
		return &IPSecSiteConnection{}, nil
	case KindGatewayDevice:
		return &GatewayDevice{}, nil
	case KindRemoteMac:
		return &RemoteMacEntry{}, nil
	case KindMirror:
		return &Mirror{}, nil
	case KindRuleLogger:
		return &RuleLogger{}, nil
	}
	return nil, fmt.Errorf("topology: unknown kind %q", k)
}

// Decode reads an object of a kind from JSON.
func Decode(k Kind, b []byte) (Object, error) {
	o, err := New(k)
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(b, o); err != nil {
		return nil, fmt.Errorf("topology: decode %s: %w", k, err)
	}
	return o, nil
}
