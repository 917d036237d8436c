package vpnaas

import (
	"net/netip"
	"strings"
)

// Lifetime is a policy's SA lifetime.
type Lifetime struct {
	Units string `json:"units"`
	Value int64  `json:"value"`
}

// IKEPolicy is an IKE (phase 1) policy as stored.
type IKEPolicy struct {
	ID                    string   `json:"id"`
	TenantID              string   `json:"tenant_id"`
	AuthAlgorithm         string   `json:"auth_algorithm"`
	EncryptionAlgorithm   string   `json:"encryption_algorithm"`
	Phase1NegotiationMode string   `json:"phase1_negotiation_mode"`
	IKEVersion            string   `json:"ike_version"`
	PFS                   string   `json:"pfs"`
	Lifetime              Lifetime `json:"lifetime"`
}

// IPsecPolicy is an IPsec (phase 2) policy as stored.
type IPsecPolicy struct {
	ID                  string   `json:"id"`
	TenantID            string   `json:"tenant_id"`
	TransformProtocol   string   `json:"transform_protocol"`
	AuthAlgorithm       string   `json:"auth_algorithm"`
	EncryptionAlgorithm string   `json:"encryption_algorithm"`
	EncapsulationMode   string   `json:"encapsulation_mode"`
	PFS                 string   `json:"pfs"`
	Lifetime            Lifetime `json:"lifetime"`
}

// EndpointGroup is a VPN endpoint group as stored.
type EndpointGroup struct {
	ID        string   `json:"id"`
	TenantID  string   `json:"tenant_id"`
	Type      string   `json:"type"`
	Endpoints []string `json:"endpoints"`
}

// VPNService is a VPN service as stored.
type VPNService struct {
	ID           string `json:"id"`
	TenantID     string `json:"tenant_id"`
	RouterID     string `json:"router_id"`
	SubnetID     string `json:"subnet_id,omitempty"`
	AdminStateUp bool   `json:"admin_state_up"`
	ExternalV4IP string `json:"external_v4_ip,omitempty"`
	ExternalV6IP string `json:"external_v6_ip,omitempty"`
	Status       string `json:"status"`
}

// DPD is a connection's dead-peer detection.
type DPD struct {
	Action   string `json:"action"`
	Interval int64  `json:"interval"`
	Timeout  int64  `json:"timeout"`
}

// Connection is an IPsec site connection as stored; PSK is its pre-shared key (a secret
// below the API: never in a task, never logged).
type Connection struct {
	ID             string   `json:"id"`
	TenantID       string   `json:"tenant_id"`
	Name           string   `json:"name"`
	VPNServiceID   string   `json:"vpnservice_id"`
	IKEPolicyID    string   `json:"ikepolicy_id"`
	IPsecPolicyID  string   `json:"ipsecpolicy_id"`
	PeerAddress    string   `json:"peer_address"`
	PeerID         string   `json:"peer_id"`
	LocalID        string   `json:"local_id"`
	PeerCIDRs      []string `json:"peer_cidrs"`
	LocalEPGroupID string   `json:"local_ep_group_id,omitempty"`
	PeerEPGroupID  string   `json:"peer_ep_group_id,omitempty"`
	MTU            int64    `json:"mtu"`
	Initiator      string   `json:"initiator"`
	DPD            DPD      `json:"dpd"`
	AdminStateUp   bool     `json:"admin_state_up"`
	Status         string   `json:"status"`
	PSK            string   `json:"psk,omitempty"`
}

// parseCIDR parses a subnet as neutron-lib's validate_subnet accepts it: address/length, an
// IPv4 address in four dotted parts (host bits allowed, as netaddr keeps them).
func parseCIDR(s string) (netip.Prefix, bool) {
	if strings.TrimSpace(s) != s || !strings.Contains(s, "/") {
		return netip.Prefix{}, false
	}
	p, err := netip.ParsePrefix(s)
	if err != nil || p.Addr().Zone() != "" {
		return netip.Prefix{}, false
	}
	return p, true
}

// version is the IP version of a prefix.
func version(p netip.Prefix) int {
	if p.Addr().Is4() {
		return 4
	}
	return 6
}
