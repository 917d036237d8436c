package ndpproxy

import (
	"strings"
	"testing"

	"github.com/midonet-go/midonet/internal/cluster/translate"
	"github.com/midonet-go/midonet/internal/fault"
	"github.com/midonet-go/midonet/internal/model"
	"github.com/midonet-go/midonet/internal/resource"
	"github.com/midonet-go/midonet/internal/topology"
)

// world: router r1 proxying NDP, its gateway gw on the public network (2001:db8:e::/64,
// gateway 2001:db8:e::1), its interface rif on 2001:db8:a::/64, and port vm there.
func world() *translate.World {
	w := translate.NewWorld()
	w.Put("subnets", map[string]any{"id": "ext6", "network_id": "pub", "cidr": "2001:db8:e::/64", "ip_version": 6, "gateway_ip": "2001:db8:e::1"})
	w.Put("subnets", map[string]any{"id": "a6", "network_id": "a", "cidr": "2001:db8:a::/64", "ip_version": 6, "gateway_ip": "2001:db8:a::1"})
	w.Put("routers", map[string]any{"id": "r1", "gw_port_id": "gw", "enable_ndp_proxy": true, "external_gateway_info": map[string]any{"network_id": "pub"}})
	w.Put("ports", map[string]any{"id": "gw", "network_id": "pub", "device_owner": model.OwnerRouterGateway, "device_id": "r1",
		"mac_address": "fa:16:3e:00:00:01", "fixed_ips": []any{map[string]any{"subnet_id": "ext6", "ip_address": "2001:db8:e::10"}}})
	w.Put("ports", map[string]any{"id": "rif", "network_id": "a", "device_owner": model.OwnerRouterInterface, "device_id": "r1",
		"mac_address": "fa:16:3e:00:00:02", "fixed_ips": []any{map[string]any{"subnet_id": "a6", "ip_address": "2001:db8:a::1"}}})
	w.Put("ports", map[string]any{"id": "vm", "network_id": "a", "device_owner": "compute:nova",
		"mac_address": "fa:16:3e:00:00:03", "fixed_ips": []any{map[string]any{"subnet_id": "a6", "ip_address": "2001:db8:a::5"}}})
	w.Put(NDPProxies.Collection, map[string]any{"id": "np", "router_id": "r1", "port_id": "vm", "ip_address": "2001:db8:a::5"})
	return w
}

// TestOwned: a proxy becomes one NdpProxy naming the gateway's and the interface's
// router-side ports, the VM's MAC and the external subnet's gateway, and the seed of the
// VM's MAC on its network; nothing while the
// router does not proxy NDP, has no gateway, or has no interface on the address's subnet.
func TestOwned(t *testing.T) {
	objs := owned(world(), "np")
	if len(objs) != 2 {
		t.Fatalf("owned: %v", objs)
	}
	if m := objs[1].(*topology.MacEntry); m.NetworkID != "a" || m.MAC != "fa:16:3e:00:00:03" || m.PortID != "vm" {
		t.Errorf("MAC seed %+v", *m)
	}
	got := objs[0].(*topology.NdpProxy)
	want := topology.NdpProxy{Meta: topology.Meta{ID: "np"}, RouterID: "r1", GatewayPortID: topology.TenantGwPortID("gw"),
		InterfacePortID: topology.RouterInterfacePortPeerID("rif"), PortID: "vm", IP: "2001:db8:a::5", MAC: "fa:16:3e:00:00:03", Upstream: "2001:db8:e::1"}
	if *got != want {
		t.Errorf("owned %+v\nwant  %+v", *got, want)
	}
	for name, change := range map[string]func(w *translate.World){
		"not proxying": func(w *translate.World) {
			r := w.Get("routers", "r1")
			r["enable_ndp_proxy"] = false
			w.Put("routers", r)
		},
		"no gateway":   func(w *translate.World) { w.Put("routers", map[string]any{"id": "r1", "enable_ndp_proxy": true}) },
		"no interface": func(w *translate.World) { w.Delete("ports", "rif") },
		"port gone":    func(w *translate.World) { w.Delete("ports", "vm") },
	} {
		w := world()
		change(w)
		if objs := owned(w, "np"); len(objs) != 0 {
			t.Errorf("%s: owned %v", name, objs)
		}
	}
}

// TestLongDescription: a proxy's description may be 1024 characters (neutron-lib's
// LONG_DESCRIPTION_FIELD_SIZE), not more; proxies have no tags.
func TestLongDescription(t *testing.T) {
	d := NDPProxies.Attr("description")
	if d.Validate(strings.Repeat("x", 1024)) != "" || d.Validate(strings.Repeat("x", 1025)) == "" {
		t.Errorf("description limit is not 1024")
	}
	if NDPProxies.Attr("tags") != nil {
		t.Errorf("proxies have tags")
	}
	if resource.StandardAttrs()[3].Validate(strings.Repeat("x", 1024)) == "" {
		t.Errorf("the shared standard description changed too")
	}
}

// FuzzPickAddress: whatever ip_address a request gives, the proxy gets an IPv6 address of
// the port on a subnet of the router, or a 4xx fault, never a panic.
func FuzzPickAddress(f *testing.F) {
	for _, s := range []string{"", "2001:db8:a::5", "2001:db8:a::6", "2001:db8:b::5", "10.0.0.5", "::ffff:10.0.0.5", "fe80::1%eth0", "garbage"} {
		f.Add(s)
	}
	port := model.Port{FixedIPs: []model.FixedIP{{SubnetID: "a4", IPAddress: "10.0.0.5"}, {SubnetID: "a6", IPAddress: "2001:db8:a::5"},
		{SubnetID: "b6", IPAddress: "2001:db8:b::5"}}}
	port.ID = "vm"
	router := []model.Port{{FixedIPs: []model.FixedIP{{SubnetID: "a6", IPAddress: "2001:db8:a::1"}}}}
	f.Fuzz(func(t *testing.T, s string) {
		d := map[string]any{"router_id": "r1", "port_id": "vm"}
		if s != "" {
			d["ip_address"] = s
		}
		got, err := pickAddress(d, port, router)
		if err != nil {
			if f, ok := fault.As(err); !ok || f.Status < 400 || f.Status > 499 {
				t.Fatalf("%q: error %v is not a 4xx fault", s, err)
			}
			return
		}
		if got != "2001:db8:a::5" {
			t.Fatalf("%q: picked %q, not the port's address on the router's subnet", s, got)
		}
	})
}
