package vpnaas

import (
	"bytes"
	"encoding/json"
	"net/netip"
	"testing"

	"github.com/midonet-go/midonet/internal/cluster/translate"
	"github.com/midonet-go/midonet/internal/fault"
	"github.com/midonet-go/midonet/internal/resource"
	"github.com/midonet-go/midonet/internal/topology"
)

// world is a router with a gateway port bound to host "hv", a tenant subnet, two VPN services
// (a legacy one and an endpoint-group one) and a connection on each.
func world() *translate.World {
	w := translate.NewWorld()
	w.Put("networks", translate.Doc{"id": "ext", "admin_state_up": true, "router:external": true})
	w.Put("networks", translate.Doc{"id": "net", "admin_state_up": true})
	w.Put("subnets", translate.Doc{"id": "extsub", "network_id": "ext", "cidr": "172.24.9.0/24", "ip_version": 4, "gateway_ip": "172.24.9.1"})
	w.Put("subnets", translate.Doc{"id": "sub", "network_id": "net", "cidr": "10.9.0.0/24", "ip_version": 4, "gateway_ip": "10.9.0.1"})
	w.Put("routers", translate.Doc{"id": "r-1234567890", "admin_state_up": true, "gw_port_id": "gw",
		"external_gateway_info": map[string]any{"network_id": "ext", "external_fixed_ips": []any{map[string]any{"subnet_id": "extsub", "ip_address": "172.24.9.5"}}}})
	w.Put("ports", translate.Doc{"id": "gw", "network_id": "ext", "device_id": "r-1234567890", "device_owner": "network:router_gateway",
		"admin_state_up": true, "mac_address": "fa:16:3e:00:00:01", "binding:host_id": "hv",
		"fixed_ips": []any{map[string]any{"subnet_id": "extsub", "ip_address": "172.24.9.5"}}})
	w.Put(IKEPolicies.Collection, translate.Doc{"id": "ike", "auth_algorithm": "sha256", "encryption_algorithm": "aes-128", "ike_version": "v2",
		"pfs": "group14", "phase1_negotiation_mode": "main", "lifetime": map[string]any{"units": "seconds", "value": 3600}})
	w.Put(IPsecPolicies.Collection, translate.Doc{"id": "ipsec", "auth_algorithm": "sha1", "encryption_algorithm": "aes-256", "pfs": "group5",
		"transform_protocol": "esp", "encapsulation_mode": "tunnel", "lifetime": map[string]any{"units": "seconds", "value": 1800}})
	w.Put(EndpointGroups.Collection, translate.Doc{"id": "local", "type": "subnet", "endpoints": []any{"sub"}})
	w.Put(EndpointGroups.Collection, translate.Doc{"id": "peer", "type": "cidr", "endpoints": []any{"192.168.5.0/24", "192.168.6.0/24"}})
	w.Put(Services.Collection, translate.Doc{"id": "svc-a", "router_id": "r-1234567890", "subnet_id": "sub", "admin_state_up": true, "external_v4_ip": "172.24.9.5"})
	w.Put(Services.Collection, translate.Doc{"id": "svc-b", "router_id": "r-1234567890", "admin_state_up": true, "external_v4_ip": "172.24.9.5"})
	w.Put(Connections.Collection, translate.Doc{"id": "c-legacy", "vpnservice_id": "svc-a", "ikepolicy_id": "ike", "ipsecpolicy_id": "ipsec",
		"peer_address": "203.0.113.1", "peer_id": "203.0.113.1", "peer_cidrs": []any{"192.168.1.0/24"}, "psk": "k1", "admin_state_up": true,
		"mtu": 1500, "initiator": "bi-directional", "dpd": map[string]any{"action": "hold", "interval": 30, "timeout": 120}})
	w.Put(Connections.Collection, translate.Doc{"id": "c-groups", "vpnservice_id": "svc-b", "ikepolicy_id": "ike", "ipsecpolicy_id": "ipsec",
		"peer_address": "203.0.113.2", "peer_id": "203.0.113.2", "peer_cidrs": []any{}, "local_ep_group_id": "local", "peer_ep_group_id": "peer",
		"psk": "k2", "admin_state_up": true, "mtu": 1500, "initiator": "bi-directional", "dpd": map[string]any{"action": "hold", "interval": 30, "timeout": 120}})
	return w
}

func byKind(objs []topology.Object) map[topology.Kind][]topology.Object {
	out := map[topology.Kind][]topology.Object{}
	for _, o := range objs {
		out[o.Kind()] = append(out[o.Kind()], o)
	}
	return out
}

// TestServiceObjects: the router's first service owns the container port (on the gateway's
// host) and its routes; each service owns its connections with their selectors and a route
// per (local, peer) pair; a disabled connection owns nothing.
func TestServiceObjects(t *testing.T) {
	w := world()
	a, b := byKind(serviceObjects(w, "svc-a")), byKind(serviceObjects(w, "svc-b"))
	if len(a[topology.KindPort]) != 1 || len(b[topology.KindPort]) != 0 {
		t.Fatalf("container ports: first service %d, second %d; want 1 and 0", len(a[topology.KindPort]), len(b[topology.KindPort]))
	}
	p := a[topology.KindPort][0].(*topology.Port)
	link, ctr := containerLink("r-1234567890")
	if p.ID != ContainerPortID("r-1234567890") || p.HostID != "hv" || p.InterfaceName != "vpn-r-123456" || p.PortSubnets[0] != link.String() || p.RouterID != "r-1234567890" {
		t.Errorf("container port %+v", p)
	}
	for _, svc := range []map[topology.Kind][]topology.Object{a, b} {
		vs := svc[topology.KindVpnService][0].(*topology.VpnService)
		if vs.ContainerPortID != p.ID || vs.ContainerIP != ctr.String() || vs.ExternalIP != "172.24.9.5" {
			t.Errorf("VpnService %+v", vs)
		}
	}
	ca := a[topology.KindIPSecConn][0].(*topology.IPSecSiteConnection)
	if ca.PSK != "k1" || ca.LocalCIDRs[0] != "10.9.0.0/24" || ca.PeerCIDRs[0] != "192.168.1.0/24" || ca.IKE.Version != "v2" || ca.IPSec.Lifetime != 1800 {
		t.Errorf("legacy connection %+v", ca)
	}
	cb := b[topology.KindIPSecConn][0].(*topology.IPSecSiteConnection)
	if len(cb.PeerCIDRs) != 2 || cb.LocalCIDRs[0] != "10.9.0.0/24" {
		t.Errorf("endpoint-group connection %+v", cb)
	}
	// a: the /30 route, the local route, one VPN route; b: two VPN routes.
	if len(a[topology.KindRoute]) != 3 || len(b[topology.KindRoute]) != 2 {
		t.Errorf("routes: %d and %d, want 3 and 2", len(a[topology.KindRoute]), len(b[topology.KindRoute]))
	}
	for _, o := range b[topology.KindRoute] {
		rt := o.(*topology.Route)
		if rt.SrcSubnet != "10.9.0.0/24" || rt.NextHopPortID != p.ID || rt.NextHopGateway != ctr.String() {
			t.Errorf("VPN route %+v", rt)
		}
	}
	// Disabled: the connection and its routes go; the container stays while a connection exists.
	w.Put(Connections.Collection, translate.Doc{"id": "c-groups", "vpnservice_id": "svc-b", "ikepolicy_id": "ike", "ipsecpolicy_id": "ipsec",
		"peer_address": "203.0.113.2", "local_ep_group_id": "local", "peer_ep_group_id": "peer", "admin_state_up": false})
	if b := byKind(serviceObjects(w, "svc-b")); len(b[topology.KindIPSecConn]) != 0 || len(b[topology.KindRoute]) != 0 {
		t.Errorf("a disabled connection still owns %v", b)
	}
	// No connection on the router: no container.
	w.Delete(Connections.Collection, "c-groups")
	w.Delete(Connections.Collection, "c-legacy")
	if a := byKind(serviceObjects(w, "svc-a")); len(a[topology.KindPort]) != 0 || a[topology.KindVpnService][0].(*topology.VpnService).ContainerPortID != "" {
		t.Errorf("a router without connections has a container: %v", a)
	}
}

// TestContainerLink: the link is a /30 in 169.254.0.0/16 outside the metadata /24, the same
// for a router every time.
func TestContainerLink(t *testing.T) {
	for _, id := range []string{"a", "b", "c7d1e1a0-0000-4000-8000-000000000001", "r-1234567890"} {
		link, ctr := containerLink(id)
		if link.Bits() != 30 || !netip.MustParsePrefix("169.254.0.0/16").Contains(ctr) || netip.MustParsePrefix("169.254.169.0/24").Contains(ctr) ||
			link.Masked().Addr().Next() != link.Addr() || link.Addr().Next() != ctr {
			t.Errorf("router %s: link %s container %s", id, link, ctr)
		}
		if l2, _ := containerLink(id); l2 != link {
			t.Errorf("router %s: link not stable", id)
		}
	}
}

// FuzzParse: any JSON body parses into a valid document or a 400 for every VPN resource,
// never a panic.
func FuzzParse(f *testing.F) {
	for _, s := range []string{`{"lifetime": {"units": "seconds", "value": 60}}`, `{"lifetime": {"value": "x"}}`, `{"lifetime": 3}`,
		`{"dpd": {"action": "hold", "interval": -1}}`, `{"dpd": null, "peer_cidrs": ["10.0.0.0/8", 5]}`, `{"endpoints": "x", "type": "cidr"}`,
		`{"peer_cidrs": "10.1.0.0/16", "mtu": "1400", "psk": "k"}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		d := json.NewDecoder(bytes.NewReader(data))
		d.UseNumber()
		var body map[string]any
		if d.Decode(&body) != nil || body == nil {
			return
		}
		for _, res := range []*resource.Resource{IKEPolicies, IPsecPolicies, EndpointGroups, Services, Connections} {
			for _, parse := range []func(map[string]any) (map[string]any, error){res.ParseCreate, res.ParseUpdate} {
				_, err := parse(resource.Clone(body).(map[string]any))
				if err == nil {
					continue
				}
				if f, ok := fault.As(err); !ok || f.Status != 400 {
					t.Fatalf("%s: %v is not a 400", res.Collection, err)
				}
			}
		}
	})
}
