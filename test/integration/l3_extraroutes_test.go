package integration

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/layer3/extraroutes"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/layer3/routers"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/ports"

	"github.com/midonet-go/midonet/test/testenv"
)

// l3Route is one extra route as the server shows it; Source is "-" when the
// route has no source key at all.
type l3Route struct{ Destination, Nexthop, Source string }

func (r l3Route) String() string {
	return fmt.Sprintf("%s via %s from %s", r.Destination, r.Nexthop, r.Source)
}

// l3RoutesOf reads the routes of a router document (a raw map), sorted.
func l3RoutesOf(t *testing.T, router map[string]any) []l3Route {
	t.Helper()
	list, ok := router["routes"].([]any)
	if !ok {
		t.Fatalf("routes = %#v, want a list", router["routes"])
	}
	out := []l3Route{}
	for _, x := range list {
		m, _ := x.(map[string]any)
		r := l3Route{Destination: l3Str(m["destination"]), Nexthop: l3Str(m["nexthop"]), Source: "-"}
		if s, ok := m["source"]; ok {
			r.Source = fmt.Sprint(s)
		}
		for k := range m {
			if k != "destination" && k != "nexthop" && k != "source" {
				t.Errorf("route %v has the unexpected key %q", m, k)
			}
		}
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].String() < out[j].String() })
	return out
}

// l3WantRoutes fails unless got and want hold the same routes.
func l3WantRoutes(t *testing.T, what string, got []l3Route, want ...l3Route) {
	t.Helper()
	sort.Slice(want, func(i, j int) bool { return want[i].String() < want[j].String() })
	if len(got) != len(want) {
		t.Errorf("%s: routes %v, want %v", what, got, want)
		return
	}
	for i := range got {
		if got[i] != want[i] {
			t.Errorf("%s: routes %v, want %v", what, got, want)
			return
		}
	}
}

// l3SetRoutes PUTs routes (raw route maps) on a router and returns the
// router the server answered with.
func l3SetRoutes(t *testing.T, c *gophercloud.ServiceClient, id string, rs ...map[string]any) (map[string]any, error) {
	t.Helper()
	list := make([]any, len(rs))
	for i, r := range rs {
		list[i] = r
	}
	out, _, err := l3Put(t, c, "routers/"+id, map[string]any{"router": map[string]any{"routes": list}}, 200)
	r, _ := out["router"].(map[string]any)
	return r, err
}

func l3RouteOf(dst, nh string) map[string]any {
	return map[string]any{"destination": dst, "nexthop": nh}
}

func l3RouteFrom(dst, nh, src string) map[string]any {
	return map[string]any{"destination": dst, "nexthop": nh, "source": src}
}

// TestL3ExtraRoutes covers extraroute (with networking-midonet's optional
// source CIDR), extraroute-atomic and the interface a route holds.
func TestL3ExtraRoutes(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		const project = "it-l3-er"
		c := e.admin(project)
		ext, _ := l3ExternalNetwork(t, c, "er-ext", "172.24.30.0/24", "", "")
		_, s1 := newNetwork(t, c, "er-n1", "10.40.1.0/24")
		n2, s2 := newNetwork(t, c, "er-n2", "10.40.2.0/24")
		r := l3CreateRouter(t, c, routers.CreateOpts{Name: "er-r", GatewayInfo: &routers.GatewayInfo{NetworkID: ext.ID}})
		gwIP := r.GatewayInfo.ExternalFixedIPs[0].IPAddress
		l3AddInterface(t, c, r.ID, routers.AddInterfaceOpts{SubnetID: s1.ID})
		p2 := createPort(t, c, ports.CreateOpts{NetworkID: n2.ID, FixedIPs: []ports.IP{{SubnetID: s2.ID, IPAddress: "10.40.2.50"}}})
		l3AddInterface(t, c, r.ID, routers.AddInterfaceOpts{PortID: p2.ID})

		t.Run("routes through connected nexthops", func(t *testing.T) {
			u := l3UpdateRouter(t, c, r.ID, routers.UpdateOpts{Routes: &[]routers.Route{
				{DestinationCIDR: "192.168.100.0/24", NextHop: "10.40.1.20"},
				{DestinationCIDR: "192.168.200.0/24", NextHop: "10.40.2.20"},
				{DestinationCIDR: "198.51.100.0/24", NextHop: "172.24.30.50"}, // via the gateway's subnet
			}})
			if len(u.Routes) != 3 {
				t.Errorf("update answered routes %v", u.Routes)
			}
			l3WantRoutes(t, "show", l3RoutesOf(t, l3RawRouter(t, c, r.ID)),
				l3Route{"192.168.100.0/24", "10.40.1.20", "-"}, l3Route{"192.168.200.0/24", "10.40.2.20", "-"},
				l3Route{"198.51.100.0/24", "172.24.30.50", "-"})
			u = l3UpdateRouter(t, c, r.ID, routers.UpdateOpts{Routes: &[]routers.Route{}})
			if len(u.Routes) != 0 || len(l3GetRouter(t, c, r.ID).Routes) != 0 {
				t.Errorf("routes [] left %v", u.Routes)
			}
		})

		t.Run("source", func(t *testing.T) {
			got, err := l3SetRoutes(t, c, r.ID,
				l3RouteFrom("192.168.101.0/24", "10.40.1.20", "10.40.1.0/24"),
				l3RouteOf("192.168.102.0/24", "10.40.1.21"))
			must(t, err)
			want := []l3Route{{"192.168.101.0/24", "10.40.1.20", "10.40.1.0/24"}, {"192.168.102.0/24", "10.40.1.21", "-"}}
			l3WantRoutes(t, "update answer", l3RoutesOf(t, got), want...)
			l3WantRoutes(t, "show", l3RoutesOf(t, l3RawRouter(t, c, r.ID)), want...)
			listed := get(t, c, "routers?id="+r.ID)["routers"].([]any)
			if len(listed) != 1 {
				t.Fatalf("list by id gave %d routers", len(listed))
			}
			l3WantRoutes(t, "list", l3RoutesOf(t, listed[0].(map[string]any)), want...)

			// The same destination and nexthop from two sources are two routes.
			got, err = l3SetRoutes(t, c, r.ID,
				l3RouteFrom("192.168.101.0/24", "10.40.1.20", "10.40.1.0/25"),
				l3RouteFrom("192.168.101.0/24", "10.40.1.20", "10.40.1.128/25"))
			must(t, err)
			l3WantRoutes(t, "two sources", l3RoutesOf(t, got),
				l3Route{"192.168.101.0/24", "10.40.1.20", "10.40.1.0/25"}, l3Route{"192.168.101.0/24", "10.40.1.20", "10.40.1.128/25"})
		})

		t.Run("invalid routes", func(t *testing.T) {
			before := l3RoutesOf(t, l3RawRouter(t, c, r.ID))
			cases := []struct {
				name   string
				route  map[string]any
				status int
				typ    string
				frag   string
			}{
				{"nexthop not connected", l3RouteOf("192.168.110.0/24", "10.99.0.1"), 400, "InvalidRoutes", "the nexthop is not connected with router"},
				{"nexthop is the router's interface address", l3RouteOf("192.168.110.0/24", "10.40.1.1"), 400, "InvalidRoutes", "the nexthop is used by router"},
				{"nexthop is the router's port address", l3RouteOf("192.168.110.0/24", "10.40.2.50"), 400, "InvalidRoutes", "the nexthop is used by router"},
				{"nexthop is the router's gateway address", l3RouteOf("192.168.110.0/24", gwIP), 400, "InvalidRoutes", "the nexthop is used by router"},
				{"bad destination", l3RouteOf("192.168.110.0/33", "10.40.1.20"), 400, "HTTPBadRequest", "192.168.110.0/33"},
				{"bad nexthop", l3RouteOf("192.168.110.0/24", "10.40.1.300"), 400, "HTTPBadRequest", "10.40.1.300"},
				{"bad source prefix", l3RouteFrom("192.168.110.0/24", "10.40.1.20", "10.40.1.0/33"), 400, "HTTPBadRequest", "10.40.1.0/33"},
				{"source not a CIDR", l3RouteFrom("192.168.110.0/24", "10.40.1.20", "anywhere"), 400, "HTTPBadRequest", "anywhere"},
				{"source not a string", map[string]any{"destination": "192.168.110.0/24", "nexthop": "10.40.1.20", "source": 24}, 400, "HTTPBadRequest", ""},
				{"source of another IP version", l3RouteFrom("192.168.110.0/24", "10.40.1.20", "2001:db8::/64"), 400, "InvalidRoutes", ""},
				{"missing nexthop", map[string]any{"destination": "192.168.110.0/24"}, 400, "HTTPBadRequest", ""},
				{"unknown key", map[string]any{"destination": "192.168.110.0/24", "nexthop": "10.40.1.20", "metric": 5}, 400, "HTTPBadRequest", ""},
			}
			for _, tc := range cases {
				t.Run(tc.name, func(t *testing.T) {
					_, err := l3SetRoutes(t, c, r.ID, tc.route)
					if tc.frag == "" {
						wantError(t, err, tc.status, tc.typ)
					} else {
						wantErrorMentions(t, err, tc.status, tc.typ, tc.frag)
					}
				})
			}
			l3WantRoutes(t, "after refused updates", l3RoutesOf(t, l3RawRouter(t, c, r.ID)), before...)
			// Like host routes, one list may not name a route twice (neutron-lib's
			// validate_hostroutes: "Duplicate hostroute").
			got, err := l3SetRoutes(t, c, r.ID, l3RouteOf("192.168.110.0/24", "10.40.1.20"), l3RouteOf("192.168.110.0/24", "10.40.1.20"))
			wantError(t, err, 400, "HTTPBadRequest")
			if err == nil {
				t.Logf("the duplicate list was stored as %v", l3RoutesOf(t, got))
			}
			err = routers.Create(ctx(t), c, l3body{"router": map[string]any{"name": "er-post", "routes": []any{l3RouteOf("192.168.0.0/24", "10.40.1.20")}}}).Err
			wantError(t, err, 400, "HTTPBadRequest")
		})

		t.Run("add_extraroutes and remove_extraroutes", func(t *testing.T) {
			_, err := l3SetRoutes(t, c, r.ID, l3RouteOf("192.168.100.0/24", "10.40.1.20"))
			must(t, err)
			a, b := routers.Route{DestinationCIDR: "192.168.100.0/24", NextHop: "10.40.1.20"}, routers.Route{DestinationCIDR: "192.168.102.0/24", NextHop: "10.40.2.20"}
			got, err := extraroutes.Add(ctx(t), c, r.ID, extraroutes.Opts{Routes: &[]routers.Route{b, a}}).Extract()
			must(t, err)
			if got.ID != r.ID || len(got.Routes) != 2 {
				t.Errorf("add_extraroutes answered router %s with routes %v; want the router with 2 routes (the duplicate skipped)", got.ID, got.Routes)
			}
			l3WantRoutes(t, "show after add", l3RoutesOf(t, l3RawRouter(t, c, r.ID)),
				l3Route{"192.168.100.0/24", "10.40.1.20", "-"}, l3Route{"192.168.102.0/24", "10.40.2.20", "-"})

			// The answer is the whole router under "router".
			out, _, err := l3Put(t, c, "routers/"+r.ID+"/add_extraroutes",
				map[string]any{"router": map[string]any{"routes": []any{l3RouteFrom("192.168.103.0/24", "10.40.2.21", "10.40.2.0/24")}}}, 200)
			must(t, err)
			rt, _ := out["router"].(map[string]any)
			if l3Str(rt["id"]) != r.ID || l3Str(rt["name"]) != "er-r" {
				t.Errorf("add_extraroutes answer %v, want the router", out)
			}
			l3WantRoutes(t, "add with a source", l3RoutesOf(t, rt),
				l3Route{"192.168.100.0/24", "10.40.1.20", "-"}, l3Route{"192.168.102.0/24", "10.40.2.20", "-"},
				l3Route{"192.168.103.0/24", "10.40.2.21", "10.40.2.0/24"})

			// Removing an absent route is harmless; a route is matched with its source.
			got, err = extraroutes.Remove(ctx(t), c, r.ID, extraroutes.Opts{Routes: &[]routers.Route{
				a, {DestinationCIDR: "192.168.199.0/24", NextHop: "10.40.1.99"}, {DestinationCIDR: "192.168.103.0/24", NextHop: "10.40.2.21"},
			}}).Extract()
			must(t, err)
			l3WantRoutes(t, "show after remove", l3RoutesOf(t, l3RawRouter(t, c, r.ID)),
				l3Route{"192.168.102.0/24", "10.40.2.20", "-"}, l3Route{"192.168.103.0/24", "10.40.2.21", "10.40.2.0/24"})
			if len(got.Routes) != 2 {
				t.Errorf("remove_extraroutes answered routes %v", got.Routes)
			}
			_, _, err = l3Put(t, c, "routers/"+r.ID+"/remove_extraroutes",
				map[string]any{"router": map[string]any{"routes": []any{l3RouteFrom("192.168.103.0/24", "10.40.2.21", "10.40.2.0/24")}}}, 200)
			must(t, err)
			l3WantRoutes(t, "after removing the sourced route", l3RoutesOf(t, l3RawRouter(t, c, r.ID)),
				l3Route{"192.168.102.0/24", "10.40.2.20", "-"})

			// An absent source means 0.0.0.0/0: stating it names the same route.
			_, _, err = l3Put(t, c, "routers/"+r.ID+"/add_extraroutes",
				map[string]any{"router": map[string]any{"routes": []any{l3RouteFrom("192.168.102.0/24", "10.40.2.20", "0.0.0.0/0")}}}, 200)
			must(t, err)
			if got := l3RoutesOf(t, l3RawRouter(t, c, r.ID)); len(got) != 1 || got[0].Destination != "192.168.102.0/24" {
				t.Errorf("adding the route again with source 0.0.0.0/0 gave %v; want it recognised as the same route", got)
			}
			_, _, err = l3Put(t, c, "routers/"+r.ID+"/remove_extraroutes",
				map[string]any{"router": map[string]any{"routes": []any{l3RouteFrom("192.168.102.0/24", "10.40.2.20", "0.0.0.0/0")}}}, 200)
			must(t, err)
			l3WantRoutes(t, "after removing with source 0.0.0.0/0", l3RoutesOf(t, l3RawRouter(t, c, r.ID)))

			// The atomic actions validate like an update.
			err = extraroutes.Add(ctx(t), c, r.ID, extraroutes.Opts{Routes: &[]routers.Route{{DestinationCIDR: "192.168.104.0/24", NextHop: "10.99.0.1"}}}).Err
			wantError(t, err, 400, "InvalidRoutes")
			_, _, err = l3Put(t, c, "routers/"+r.ID+"/add_extraroutes",
				map[string]any{"router": map[string]any{"routes": []any{l3RouteFrom("192.168.104.0/24", "10.40.1.20", "300.0.0.0/8")}}}, 200)
			wantError(t, err, 400, "")
			_, _, err = l3Put(t, c, "routers/"+r.ID+"/add_extraroutes", map[string]any{"routes": []any{}}, 200)
			wantError(t, err, 400, "")
			err = extraroutes.Add(ctx(t), c, missingID, extraroutes.Opts{Routes: &[]routers.Route{a}}).Err
			wantError(t, err, 404, "RouterNotFound")
			if got := l3RoutesOf(t, l3RawRouter(t, c, r.ID)); len(got) != 0 {
				t.Errorf("refused atomic actions left routes %v", got)
			}
		})

		t.Run("an interface a route needs stays", func(t *testing.T) {
			_, err := l3SetRoutes(t, c, r.ID, l3RouteOf("192.168.102.0/24", "10.40.2.20"), l3RouteFrom("192.168.105.0/24", "10.40.1.25", "10.40.2.0/24"))
			must(t, err)
			err = routers.RemoveInterface(ctx(t), c, r.ID, routers.RemoveInterfaceOpts{PortID: p2.ID}).Err
			wantErrorMentions(t, err, 409, "RouterInterfaceInUseByRoute", s2.ID)
			err = routers.RemoveInterface(ctx(t), c, r.ID, routers.RemoveInterfaceOpts{SubnetID: s1.ID}).Err
			wantErrorMentions(t, err, 409, "RouterInterfaceInUseByRoute", s1.ID)
			if got := l3DevicePorts(t, c, r.ID, "network:router_interface"); len(got) != 2 {
				t.Errorf("refused removals left %d interfaces", len(got))
			}
			_, err = l3SetRoutes(t, c, r.ID, l3RouteFrom("192.168.105.0/24", "10.40.1.25", "10.40.2.0/24"))
			must(t, err)
			// The source does not hold its subnet's interface: only the nexthop does.
			l3RemoveInterface(t, c, r.ID, routers.RemoveInterfaceOpts{PortID: p2.ID})
			wantError(t, routers.RemoveInterface(ctx(t), c, r.ID, routers.RemoveInterfaceOpts{SubnetID: s1.ID}).Err, 409, "RouterInterfaceInUseByRoute")
			l3UpdateRouter(t, c, r.ID, routers.UpdateOpts{Routes: &[]routers.Route{}})
			l3RemoveInterface(t, c, r.ID, routers.RemoveInterfaceOpts{SubnetID: s1.ID})
			// With no interface left, only the gateway's subnet is connected.
			_, err = l3SetRoutes(t, c, r.ID, l3RouteOf("192.168.100.0/24", "10.40.1.20"))
			wantError(t, err, 400, "InvalidRoutes")
			_, err = l3SetRoutes(t, c, r.ID, l3RouteOf("192.168.100.0/24", "172.24.30.60"))
			must(t, err)
		})
	})
}

// TestL3ExtraRoutesMaxRoutes runs a server with [DEFAULT] max_routes = 2.
func TestL3ExtraRoutesMaxRoutes(t *testing.T) {
	l3ForEachBackend(t, testenv.Options{Config: "[DEFAULT]\nauth_strategy = noauth\nmax_routes = 2\n"}, func(t *testing.T, e *env) {
		c := e.admin("it-l3-maxr")
		_, s1 := newNetwork(t, c, "mr-n1", "10.41.1.0/24")
		r := l3CreateRouter(t, c, routers.CreateOpts{Name: "mr-r"})
		l3AddInterface(t, c, r.ID, routers.AddInterfaceOpts{SubnetID: s1.ID})
		three := []map[string]any{l3RouteOf("192.168.1.0/24", "10.41.1.10"), l3RouteOf("192.168.2.0/24", "10.41.1.10"), l3RouteOf("192.168.3.0/24", "10.41.1.10")}

		_, err := l3SetRoutes(t, c, r.ID, three...)
		wantErrorMentions(t, err, 400, "RoutesExhausted", "2")
		got, err := l3SetRoutes(t, c, r.ID, three[:2]...)
		must(t, err)
		if rs := l3RoutesOf(t, got); len(rs) != 2 {
			t.Errorf("two routes gave %v", rs)
		}
		err = extraroutes.Add(ctx(t), c, r.ID, l3body{"router": map[string]any{"routes": []any{three[2]}}}).Err
		wantError(t, err, 400, "RoutesExhausted")
		// Adding one already there does not count twice: Neutron merges the
		// lists (dropping duplicates) before update_router checks max_routes.
		_, _, err = l3Put(t, c, "routers/"+r.ID+"/add_extraroutes", map[string]any{"router": map[string]any{"routes": []any{three[0]}}}, 200)
		if err != nil {
			t.Errorf("add_extraroutes of a route already there, at max_routes: %v; want 200 with the routes unchanged", err)
		}
		if rs := l3RoutesOf(t, l3RawRouter(t, c, r.ID)); len(rs) != 2 {
			t.Errorf("after refused and duplicate additions: %v", rs)
		}
		if !strings.Contains(fmt.Sprint(l3RoutesOf(t, l3RawRouter(t, c, r.ID))), "192.168.2.0/24") {
			t.Errorf("the second route is gone")
		}
	})
}
