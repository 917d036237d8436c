package integration

import (
	"net/http"
	"reflect"
	"testing"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/layer3/routers"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/vpnaas/endpointgroups"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/vpnaas/ikepolicies"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/vpnaas/ipsecpolicies"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/vpnaas/services"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/vpnaas/siteconnections"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/subnets"
)

// vpnSite is a router with a gateway on an external network and two tenant subnets.
type vpnSite struct {
	router           routers.Router
	gatewayIP        string
	sub1, sub2, free subnets.Subnet
}

func newVPNSite(t *testing.T, c *gophercloud.ServiceClient, name string) vpnSite {
	t.Helper()
	ext, _ := l3ExternalNetwork(t, c, name+"-ext", "172.24.31.0/24", "", "")
	n, sub1 := newNetwork(t, c, name+"-a", "10.91.1.0/24")
	sub2 := createSubnet(t, c, subnets.CreateOpts{NetworkID: n.ID, CIDR: "10.91.2.0/24", IPVersion: gophercloud.IPv4, Name: name + "-b"})
	free := createSubnet(t, c, subnets.CreateOpts{NetworkID: n.ID, CIDR: "10.91.3.0/24", IPVersion: gophercloud.IPv4, Name: name + "-free"})
	r := l3CreateRouter(t, c, routers.CreateOpts{Name: name, GatewayInfo: &routers.GatewayInfo{NetworkID: ext.ID}})
	l3AddInterface(t, c, r.ID, routers.AddInterfaceOpts{SubnetID: sub1.ID})
	l3AddInterface(t, c, r.ID, routers.AddInterfaceOpts{SubnetID: sub2.ID})
	return vpnSite{router: r, gatewayIP: r.GatewayInfo.ExternalFixedIPs[0].IPAddress, sub1: sub1, sub2: sub2, free: free}
}

// TestVPNaaS drives every VPNaaS resource and rule through gophercloud on SQLite and
// PostgreSQL: policy defaults and lifetimes, services ACTIVE on a router with a gateway (the
// MidoNet driver's, seed 2.7) and updatable, endpoint groups, connections in both styles with
// neutron-vpnaas's validation (DOWN until a tunnel is up; the psk is answered to its owner),
// and the in-use rules that keep policies, groups, services, subnets, interfaces, the
// gateway and the router.
func TestVPNaaS(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		c := e.admin("it-vpn")
		site := newVPNSite(t, c, "vpn")

		// Policies: neutron-vpnaas's defaults; a partial lifetime update keeps the units.
		ike, err := ikepolicies.Create(ctx(t), c, ikepolicies.CreateOpts{Name: "ike"}).Extract()
		must(t, err)
		if ike.AuthAlgorithm != "sha1" || ike.EncryptionAlgorithm != "aes-128" || ike.IKEVersion != "v1" || ike.PFS != "group5" ||
			ike.Phase1NegotiationMode != "main" || ike.Lifetime.Units != "seconds" || ike.Lifetime.Value != 3600 {
			t.Errorf("IKE policy defaults %+v", ike)
		}
		wantError(t, ikepolicies.Create(ctx(t), c, ikepolicies.CreateOpts{Name: "short", Lifetime: &ikepolicies.LifetimeCreateOpts{Units: "seconds", Value: 59}}).Err, 400, "HTTPBadRequest")
		wantError(t, ikepolicies.Create(ctx(t), c, ikepolicies.CreateOpts{Name: "md5", AuthAlgorithm: "md5"}).Err, 400, "HTTPBadRequest")
		ike, err = ikepolicies.Update(ctx(t), c, ike.ID, ikepolicies.UpdateOpts{Lifetime: &ikepolicies.LifetimeUpdateOpts{Value: 1800}, IKEVersion: "v2"}).Extract()
		must(t, err)
		if ike.Lifetime.Units != "seconds" || ike.Lifetime.Value != 1800 || ike.IKEVersion != "v2" {
			t.Errorf("IKE policy after the update %+v", ike)
		}
		ipsec, err := ipsecpolicies.Create(ctx(t), c, ipsecpolicies.CreateOpts{Name: "ipsec", PFS: "group14", EncryptionAlgorithm: "aes-256"}).Extract()
		must(t, err)
		if ipsec.TransformProtocol != "esp" || ipsec.EncapsulationMode != "tunnel" || ipsec.AuthAlgorithm != "sha1" || ipsec.Lifetime.Value != 3600 {
			t.Errorf("IPsec policy defaults %+v", ipsec)
		}
		bundle, err := ipsecpolicies.Create(ctx(t), c, ipsecpolicies.CreateOpts{Name: "ah-esp", TransformProtocol: "ah-esp"}).Extract()
		must(t, err)

		// Services: a router without a gateway is refused; the service is ACTIVE at once,
		// answers the gateway address, and can be renamed.
		bare := l3CreateRouter(t, c, routers.CreateOpts{Name: "bare"})
		wantError(t, services.Create(ctx(t), c, services.CreateOpts{AdminStateUp: gophercloud.Enabled, RouterID: bare.ID}).Err, 400, "RouterIsNotExternal")
		wantError(t, services.Create(ctx(t), c, services.CreateOpts{AdminStateUp: gophercloud.Enabled, RouterID: site.router.ID, SubnetID: site.free.ID}).Err, 400, "SubnetIsNotConnectedToRouter")
		svc, err := services.Create(ctx(t), c, services.CreateOpts{AdminStateUp: gophercloud.Enabled, Name: "groups", RouterID: site.router.ID}).Extract()
		must(t, err)
		legacy, err := services.Create(ctx(t), c, services.CreateOpts{AdminStateUp: gophercloud.Enabled, Name: "legacy", RouterID: site.router.ID, SubnetID: site.sub1.ID}).Extract()
		must(t, err)
		got := get(t, c, "vpn/vpnservices/"+svc.ID)["vpnservice"].(map[string]any)
		if got["status"] != "ACTIVE" || got["external_v4_ip"] != site.gatewayIP || got["external_v6_ip"] != nil || got["subnet_id"] != nil {
			t.Errorf("service %v, want ACTIVE with external_v4_ip %s", got, site.gatewayIP)
		}
		if s, err := services.Update(ctx(t), c, svc.ID, services.UpdateOpts{Name: ptr("renamed")}).Extract(); err != nil || s.Name != "renamed" {
			t.Errorf("rename an ACTIVE service: %v %+v", err, s)
		}

		// Endpoint groups.
		local, err := endpointgroups.Create(ctx(t), c, endpointgroups.CreateOpts{Name: "local", Type: "subnet", Endpoints: []string{site.sub2.ID}}).Extract()
		must(t, err)
		peer, err := endpointgroups.Create(ctx(t), c, endpointgroups.CreateOpts{Name: "peer", Type: "cidr", Endpoints: []string{"192.168.70.0/24"}}).Extract()
		must(t, err)
		peer6, err := endpointgroups.Create(ctx(t), c, endpointgroups.CreateOpts{Name: "peer6", Type: "cidr", Endpoints: []string{"2001:db8:70::/64"}}).Extract()
		must(t, err)
		freeGroup, err := endpointgroups.Create(ctx(t), c, endpointgroups.CreateOpts{Name: "free", Type: "subnet", Endpoints: []string{site.free.ID}}).Extract()
		must(t, err)
		wantError(t, endpointgroups.Create(ctx(t), c, endpointgroups.CreateOpts{Type: "subnet", Endpoints: []string{"00000000-0000-0000-0000-000000000001"}}).Err, 400, "NonExistingSubnetInEndpointGroup")
		wantError(t, endpointgroups.Create(ctx(t), c, endpointgroups.CreateOpts{Type: "cidr", Endpoints: []string{"10.0.0/24"}}).Err, 400, "InvalidEndpointInEndpointGroup")
		wantError(t, endpointgroups.Create(ctx(t), c, endpointgroups.CreateOpts{Type: "cidr", Endpoints: []string{}}).Err, 400, "MissingEndpointForEndpointGroup")
		_, _, err = raw(t, c, http.MethodPut, "vpn/endpoint-groups/"+peer.ID, map[string]any{"endpoint_group": map[string]any{"endpoints": []string{"10.1.0.0/16"}}}, nil, 200)
		wantError(t, err, 400, "HTTPBadRequest")

		// Connections and their validation.
		conn := func(o siteconnections.CreateOpts) siteconnections.CreateOpts {
			o.IKEPolicyID, o.IPSecPolicyID, o.PeerAddress, o.PeerID, o.PSK = ike.ID, ipsec.ID, "203.0.113.9", "203.0.113.9", "s3cret"
			return o
		}
		c1, err := siteconnections.Create(ctx(t), c, conn(siteconnections.CreateOpts{Name: "c1", VPNServiceID: svc.ID, LocalEPGroupID: local.ID, PeerEPGroupID: peer.ID})).Extract()
		must(t, err)
		if c1.Status != "DOWN" || c1.PSK != "s3cret" || c1.MTU != 1500 || c1.Initiator != "bi-directional" || c1.DPD.Action != "hold" ||
			c1.DPD.Interval != 30 || c1.DPD.Timeout != 120 || c1.RouteMode != "static" || c1.AuthMode != "psk" || len(c1.PeerCIDRs) != 0 {
			t.Errorf("connection %+v", c1)
		}
		c2, err := siteconnections.Create(ctx(t), c, conn(siteconnections.CreateOpts{Name: "c2", VPNServiceID: legacy.ID, PeerCIDRs: []string{"192.168.80.0/24"},
			DPD: &siteconnections.DPDCreateOpts{Action: "restart", Interval: 10}})).Extract()
		must(t, err)
		if c2.DPD.Action != "restart" || c2.DPD.Interval != 10 || c2.DPD.Timeout != 120 || len(c2.PeerCIDRs) != 1 {
			t.Errorf("legacy connection %+v", c2)
		}
		for _, tc := range []struct {
			name   string
			opts   siteconnections.CreateOpts
			status int
			typ    string
		}{
			{"peer_cidrs with groups", conn(siteconnections.CreateOpts{VPNServiceID: svc.ID, PeerCIDRs: []string{"192.168.1.0/24"}}), 400, "PeerCidrsInvalid"},
			{"no groups", conn(siteconnections.CreateOpts{VPNServiceID: svc.ID}), 400, "MissingRequiredEndpointGroup"},
			{"groups on a legacy service", conn(siteconnections.CreateOpts{VPNServiceID: legacy.ID, PeerCIDRs: []string{"192.168.1.0/24"}, LocalEPGroupID: local.ID}), 400, "InvalidEndpointGroup"},
			{"legacy without peer_cidrs", conn(siteconnections.CreateOpts{VPNServiceID: legacy.ID}), 400, "MissingPeerCidrs"},
			{"groups swapped", conn(siteconnections.CreateOpts{VPNServiceID: svc.ID, LocalEPGroupID: peer.ID, PeerEPGroupID: local.ID}), 400, "WrongEndpointGroupType"},
			{"local subnet not on the router", conn(siteconnections.CreateOpts{VPNServiceID: svc.ID, LocalEPGroupID: freeGroup.ID, PeerEPGroupID: peer.ID}), 400, "SubnetIsNotConnectedToRouter"},
			{"IPv4 local, IPv6 peer", conn(siteconnections.CreateOpts{VPNServiceID: svc.ID, LocalEPGroupID: local.ID, PeerEPGroupID: peer6.ID}), 400, "MixedIPVersionsForIPSecConnection"},
			{"mixed peer_cidrs", conn(siteconnections.CreateOpts{VPNServiceID: legacy.ID, PeerCIDRs: []string{"192.168.1.0/24", "2001:db8::/64"}}), 400, "MixedIPVersionsForPeerCidrs"},
			{"mtu below 68", conn(siteconnections.CreateOpts{VPNServiceID: legacy.ID, PeerCIDRs: []string{"192.168.1.0/24"}, MTU: 67}), 400, "IPsecSiteConnectionMtuError"},
			{"dpd timeout below interval", conn(siteconnections.CreateOpts{VPNServiceID: legacy.ID, PeerCIDRs: []string{"192.168.1.0/24"}, DPD: &siteconnections.DPDCreateOpts{Interval: 200}}), 400, "IPsecSiteConnectionDpdIntervalValueError"},
			{"missing service", conn(siteconnections.CreateOpts{VPNServiceID: "00000000-0000-0000-0000-000000000001", PeerCIDRs: []string{"192.168.1.0/24"}}), 404, "VPNServiceNotFound"},
		} {
			t.Run(tc.name, func(t *testing.T) { wantError(t, siteconnections.Create(ctx(t), c, tc.opts).Err, tc.status, tc.typ) })
		}
		byName := conn(siteconnections.CreateOpts{VPNServiceID: legacy.ID, PeerCIDRs: []string{"192.168.1.0/24"}})
		byName.PeerAddress = "vpn.example.org"
		wantError(t, siteconnections.Create(ctx(t), c, byName).Err, 400, "VPNPeerAddressNotResolved")
		v6peer := conn(siteconnections.CreateOpts{VPNServiceID: legacy.ID, PeerCIDRs: []string{"192.168.1.0/24"}})
		v6peer.PeerAddress = "2001:db8::9"
		wantError(t, siteconnections.Create(ctx(t), c, v6peer).Err, 400, "ExternalNetworkHasNoSubnet")
		ahesp := conn(siteconnections.CreateOpts{VPNServiceID: legacy.ID, PeerCIDRs: []string{"192.168.1.0/24"}})
		ahesp.IPSecPolicyID = bundle.ID
		wantError(t, siteconnections.Create(ctx(t), c, ahesp).Err, 400, "IpsecValidationFailure")

		// Updates: a connection that is not pending can change; turning it off keeps it DOWN.
		up, err := siteconnections.Update(ctx(t), c, c2.ID, siteconnections.UpdateOpts{MTU: 1400, PSK: "n3w", AdminStateUp: ptr(false),
			DPD: &siteconnections.DPDUpdateOpts{Timeout: 60}}).Extract()
		must(t, err)
		if up.MTU != 1400 || up.PSK != "n3w" || up.AdminStateUp || up.Status != "DOWN" || up.DPD.Action != "restart" || up.DPD.Timeout != 60 {
			t.Errorf("updated connection %+v", up)
		}
		wantError(t, siteconnections.Update(ctx(t), c, c2.ID, siteconnections.UpdateOpts{PeerEPGroupID: peer.ID}).Err, 400, "InvalidEndpointGroup")
		_, _, err = raw(t, c, http.MethodPut, "vpn/ipsec-site-connections/"+c2.ID, map[string]any{"ipsec_site_connection": map[string]any{"vpnservice_id": svc.ID}}, nil, 200)
		wantError(t, err, 400, "HTTPBadRequest")

		// In use.
		wantError(t, ikepolicies.Delete(ctx(t), c, ike.ID).ExtractErr(), 409, "IKEPolicyInUse")
		wantError(t, ikepolicies.Update(ctx(t), c, ike.ID, ikepolicies.UpdateOpts{Name: ptr("x")}).Err, 409, "IKEPolicyInUse")
		wantError(t, ipsecpolicies.Delete(ctx(t), c, ipsec.ID).ExtractErr(), 409, "IPsecPolicyInUse")
		wantError(t, endpointgroups.Delete(ctx(t), c, local.ID).ExtractErr(), 400, "EndpointGroupInUse")
		wantError(t, services.Delete(ctx(t), c, svc.ID).ExtractErr(), 409, "VPNServiceInUse")
		_, err = routers.RemoveInterface(ctx(t), c, site.router.ID, routers.RemoveInterfaceOpts{SubnetID: site.sub1.ID}).Extract()
		wantError(t, err, 409, "SubnetInUseByVPNService")
		_, err = routers.RemoveInterface(ctx(t), c, site.router.ID, routers.RemoveInterfaceOpts{SubnetID: site.sub2.ID}).Extract()
		wantError(t, err, 409, "SubnetInUseByIPsecSiteConnection")
		wantError(t, subnets.Delete(ctx(t), c, site.free.ID).ExtractErr(), 409, "SubnetInUseByEndpointGroup")
		_, _, err = raw(t, c, http.MethodPut, "routers/"+site.router.ID, map[string]any{"router": map[string]any{"external_gateway_info": map[string]any{}}}, nil, 200)
		wantError(t, err, 409, "RouterInUse")

		// Taking it apart in order.
		for _, id := range []string{c1.ID, c2.ID} {
			must(t, siteconnections.Delete(ctx(t), c, id).ExtractErr())
		}
		wantError(t, siteconnections.Delete(ctx(t), c, c1.ID).ExtractErr(), 404, "IPsecSiteConnectionNotFound")
		for _, id := range []string{local.ID, peer.ID, peer6.ID, freeGroup.ID} {
			must(t, endpointgroups.Delete(ctx(t), c, id).ExtractErr())
		}
		must(t, subnets.Delete(ctx(t), c, site.free.ID).ExtractErr())
		// Interfaces gone, the services still keep the router.
		must(t, services.Delete(ctx(t), c, legacy.ID).ExtractErr())
		for _, s := range []subnets.Subnet{site.sub1, site.sub2} {
			_, err := routers.RemoveInterface(ctx(t), c, site.router.ID, routers.RemoveInterfaceOpts{SubnetID: s.ID}).Extract()
			must(t, err)
		}
		wantError(t, routers.Delete(ctx(t), c, site.router.ID).ExtractErr(), 409, "RouterInUse")
		must(t, services.Delete(ctx(t), c, svc.ID).ExtractErr())
		must(t, ikepolicies.Delete(ctx(t), c, ike.ID).ExtractErr())
		must(t, ipsecpolicies.Delete(ctx(t), c, ipsec.ID).ExtractErr())
		must(t, routers.Delete(ctx(t), c, site.router.ID).ExtractErr())
	})
}

// TestVPNaaSCrossProject: project B sees none of project A's VPN resources (404 for each, an
// empty list), cannot build on them (A's router, service, policies, groups and subnets are
// not found), and A's documents are unchanged afterwards.
func TestVPNaaSCrossProject(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		a := e.admin("it-vpn-a")
		site := newVPNSite(t, a, "vpn-a")
		ike, err := ikepolicies.Create(ctx(t), a, ikepolicies.CreateOpts{Name: "ike"}).Extract()
		must(t, err)
		ipsec, err := ipsecpolicies.Create(ctx(t), a, ipsecpolicies.CreateOpts{Name: "ipsec"}).Extract()
		must(t, err)
		svc, err := services.Create(ctx(t), a, services.CreateOpts{AdminStateUp: gophercloud.Enabled, Name: "svc", RouterID: site.router.ID, SubnetID: site.sub1.ID}).Extract()
		must(t, err)
		group, err := endpointgroups.Create(ctx(t), a, endpointgroups.CreateOpts{Name: "g", Type: "cidr", Endpoints: []string{"192.168.9.0/24"}}).Extract()
		must(t, err)
		cn, err := siteconnections.Create(ctx(t), a, siteconnections.CreateOpts{VPNServiceID: svc.ID, IKEPolicyID: ike.ID, IPSecPolicyID: ipsec.ID,
			PeerAddress: "203.0.113.9", PeerID: "203.0.113.9", PSK: "a-secret", PeerCIDRs: []string{"192.168.9.0/24"}}).Extract()
		must(t, err)
		before := map[string]map[string]any{}
		paths := map[string]string{
			"vpn/ikepolicies/" + ike.ID: "IKEPolicyNotFound", "vpn/ipsecpolicies/" + ipsec.ID: "IPsecPolicyNotFound",
			"vpn/vpnservices/" + svc.ID: "VPNServiceNotFound", "vpn/endpoint-groups/" + group.ID: "VPNEndpointGroupNotFound",
			"vpn/ipsec-site-connections/" + cn.ID: "IPsecSiteConnectionNotFound",
		}
		for p := range paths {
			before[p] = get(t, a, p)
		}

		b := e.member("it-vpn-b")
		bAdmin := e.admin("it-vpn-b") // an admin of B may still name only what exists
		for p, typ := range paths {
			_, _, err := raw(t, b, http.MethodGet, p, nil, nil, 200)
			wantError(t, err, 404, typ)
			_, _, err = raw(t, b, http.MethodDelete, p, nil, nil, 204)
			wantError(t, err, 404, typ)
		}
		_, _, err = raw(t, b, http.MethodPut, "vpn/ipsec-site-connections/"+cn.ID, map[string]any{"ipsec_site_connection": map[string]any{"psk": "stolen"}}, nil, 200)
		wantError(t, err, 404, "IPsecSiteConnectionNotFound")
		for _, coll := range []string{"ikepolicies", "ipsecpolicies", "vpnservices", "endpoint_groups", "ipsec_site_connections"} {
			path := map[string]string{"endpoint_groups": "endpoint-groups", "ipsec_site_connections": "ipsec-site-connections"}[coll]
			if path == "" {
				path = coll
			}
			if l := get(t, b, "vpn/"+path)[coll].([]any); len(l) != 0 {
				t.Errorf("project B lists %d of A's %s", len(l), coll)
			}
		}
		wantError(t, services.Create(ctx(t), b, services.CreateOpts{AdminStateUp: gophercloud.Enabled, RouterID: site.router.ID}).Err, 404, "RouterNotFound")
		wantError(t, endpointgroups.Create(ctx(t), b, endpointgroups.CreateOpts{Type: "subnet", Endpoints: []string{site.sub2.ID}}).Err, 400, "NonExistingSubnetInEndpointGroup")
		ikeB, err := ikepolicies.Create(ctx(t), b, ikepolicies.CreateOpts{Name: "b"}).Extract()
		must(t, err)
		wantError(t, siteconnections.Create(ctx(t), b, siteconnections.CreateOpts{VPNServiceID: svc.ID, IKEPolicyID: ikeB.ID, IPSecPolicyID: ipsec.ID,
			PeerAddress: "203.0.113.9", PeerID: "x", PSK: "x", PeerCIDRs: []string{"192.168.9.0/24"}}).Err, 404, "VPNServiceNotFound")
		// B's own service, A's policy: not found.
		siteB := newVPNSite(t, bAdmin, "vpn-b")
		svcB, err := services.Create(ctx(t), b, services.CreateOpts{AdminStateUp: gophercloud.Enabled, RouterID: siteB.router.ID, SubnetID: siteB.sub1.ID}).Extract()
		must(t, err)
		wantError(t, siteconnections.Create(ctx(t), b, siteconnections.CreateOpts{VPNServiceID: svcB.ID, IKEPolicyID: ike.ID, IPSecPolicyID: ipsec.ID,
			PeerAddress: "203.0.113.9", PeerID: "x", PSK: "x", PeerCIDRs: []string{"192.168.9.0/24"}}).Err, 404, "IKEPolicyNotFound")

		for p, want := range before {
			if got := get(t, a, p); !sameJSON(got, want) {
				t.Errorf("%s changed by project B: %v → %v", p, want, got)
			}
		}
	})
}

func sameJSON(a, b map[string]any) bool { return reflect.DeepEqual(a, b) }
