package backend

import (
	"slices"
	"testing"

	"github.com/midonet-go/midonet/internal/topology"
)

// TestVPNReachesTheNSDB: a VPN service and a site connection made through the API become the
// router's VpnService, its IPsec container port (bound to the host of the gateway port) with
// the route to the peer CIDRs, and the IPSecSiteConnection with the policies' parameters and
// the pre-shared key, which follows an update and never reaches a task; a disabled
// connection leaves the NSDB, and the last one deleted takes the container with it; no drift,
// with the task client and with the REST client.
func TestVPNReachesTheNSDB(t *testing.T) {
	for _, mode := range []struct {
		name  string
		tasks bool
	}{{"rest", false}, {"tasks", true}} {
		t.Run(mode.name, func(t *testing.T) {
			e := startEnv(t, envOpts{tasks: mode.tasks})
			a := e.api
			ext := a.must(t, 201, "POST", "networks", map[string]any{"network": map[string]any{"name": "ext", "router:external": true}})["id"].(string)
			a.must(t, 201, "POST", "subnets", map[string]any{"subnet": map[string]any{"network_id": ext, "cidr": "172.24.41.0/24", "ip_version": 4}})
			tenant := a.must(t, 201, "POST", "networks", map[string]any{"network": map[string]any{"name": "t"}})["id"].(string)
			sub := a.must(t, 201, "POST", "subnets", map[string]any{"subnet": map[string]any{"network_id": tenant, "cidr": "10.93.0.0/24", "ip_version": 4}})["id"].(string)
			r := a.must(t, 201, "POST", "routers", map[string]any{"router": map[string]any{"name": "r", "external_gateway_info": map[string]any{"network_id": ext}}})
			router := r["id"].(string)
			gw := r["external_gateway_info"].(map[string]any)["external_fixed_ips"].([]any)[0].(map[string]any)["ip_address"].(string)
			a.must(t, 200, "PUT", "routers/"+router+"/add_router_interface", map[string]any{"subnet_id": sub})
			ports := a.must(t, 200, "GET", "ports?device_owner=network:router_gateway&device_id="+router, nil)["ports"].([]any)
			a.must(t, 200, "PUT", "ports/"+ports[0].(map[string]any)["id"].(string), map[string]any{"port": map[string]any{"binding:host_id": "vpn-host"}})

			ike := a.must(t, 201, "POST", "vpn/ikepolicies", map[string]any{"ikepolicy": map[string]any{"ike_version": "v2", "pfs": "group14", "lifetime": map[string]any{"value": 7200}}})["id"].(string)
			ipsec := a.must(t, 201, "POST", "vpn/ipsecpolicies", map[string]any{"ipsecpolicy": map[string]any{"encryption_algorithm": "aes-256"}})["id"].(string)
			svc := a.must(t, 201, "POST", "vpn/vpnservices", map[string]any{"vpnservice": map[string]any{"router_id": router, "subnet_id": sub}})["id"].(string)
			e.waitDrained(t, 30e9)
			vs, ok := e.object(t, topology.KindVpnService, svc).(*topology.VpnService)
			if !ok || vs.RouterID != router || vs.ExternalIP != gw || vs.ContainerPortID != "" {
				t.Fatalf("VpnService without connections in the NSDB: %+v", vs)
			}
			conn := a.must(t, 201, "POST", "vpn/ipsec-site-connections", map[string]any{"ipsec_site_connection": map[string]any{
				"vpnservice_id": svc, "ikepolicy_id": ike, "ipsecpolicy_id": ipsec, "peer_address": "203.0.113.7", "peer_id": "203.0.113.7",
				"psk": "vpn-key-first", "peer_cidrs": []string{"192.168.77.0/24"}}})["id"].(string)
			a.must(t, 200, "PUT", "vpn/ipsec-site-connections/"+conn, map[string]any{"ipsec_site_connection": map[string]any{"psk": "vpn-key-second"}})
			e.waitDrained(t, 30e9)
			vs, _ = e.object(t, topology.KindVpnService, svc).(*topology.VpnService)
			if vs == nil || vs.ContainerPortID == "" || vs.ContainerIP == "" {
				t.Fatalf("VpnService with a connection: %+v", vs)
			}
			cp, ok := e.object(t, topology.KindPort, vs.ContainerPortID).(*topology.Port)
			if !ok || cp.RouterID != router || cp.HostID != "vpn-host" || cp.InterfaceName == "" || len(cp.PortSubnets) != 1 {
				t.Fatalf("IPsec container port: %+v", cp)
			}
			c, ok := e.object(t, topology.KindIPSecConn, conn).(*topology.IPSecSiteConnection)
			if !ok || c.PSK != "vpn-key-second" || c.PeerAddress != "203.0.113.7" || !slices.Equal(c.LocalCIDRs, []string{"10.93.0.0/24"}) ||
				!slices.Equal(c.PeerCIDRs, []string{"192.168.77.0/24"}) || c.IKE.Version != "v2" || c.IKE.PFS != "group14" || c.IKE.Lifetime != 7200 ||
				c.IPSec.Encryption != "aes-256" || c.IPSec.TransformProtocol != "esp" || c.DPDAction != "hold" {
				t.Fatalf("IPSecSiteConnection in the NSDB: %+v", c)
			}
			vpnRoute := func() bool {
				for _, o := range e.objects(t, topology.KindRoute) {
					rt := o.(*topology.Route)
					if rt.RouterID == router && rt.SrcSubnet == "10.93.0.0/24" && rt.DstSubnet == "192.168.77.0/24" &&
						rt.NextHopPortID == vs.ContainerPortID && rt.NextHopGateway == vs.ContainerIP {
						return true
					}
				}
				return false
			}
			if !vpnRoute() {
				t.Fatal("no route from the local subnet to the peer CIDR through the IPsec container")
			}
			var leaked int
			if err := e.db(t).QueryRow("SELECT COUNT(*) FROM midonet_tasks WHERE data LIKE '%vpn-key%'").Scan(&leaked); err != nil {
				t.Fatal(err)
			}
			if leaked != 0 {
				t.Errorf("%d tasks hold a pre-shared key", leaked)
			}

			// Disabled: the connection and its route leave the NSDB (the agent tears the tunnel down).
			a.must(t, 200, "PUT", "vpn/ipsec-site-connections/"+conn, map[string]any{"ipsec_site_connection": map[string]any{"admin_state_up": false}})
			e.waitDrained(t, 30e9)
			if o := e.object(t, topology.KindIPSecConn, conn); o != nil {
				t.Errorf("a disabled connection is still in the NSDB: %+v", o)
			}
			if vpnRoute() {
				t.Error("a disabled connection's route is still in the NSDB")
			}
			// Deleted: no connection left, no container.
			a.must(t, 204, "DELETE", "vpn/ipsec-site-connections/"+conn, nil)
			e.waitDrained(t, 30e9)
			if o := e.object(t, topology.KindPort, vs.ContainerPortID); o != nil {
				t.Errorf("the IPsec container port outlived the last connection: %+v", o)
			}
			if d := e.verify(t); d.Total != 0 {
				t.Errorf("drift after the VPN writes: %+v", d)
			}
		})
	}
}
