package integration

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/layer3/floatingips"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/layer3/portforwarding"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/layer3/routers"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/ports"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/subnets"
	"github.com/gophercloud/gophercloud/v2/pagination"

	"github.com/midonet-go/midonet/test/testenv"
)

// pfWorld is a project's network behind a router with a gateway on a public network.
type pfWorld struct {
	ext    network
	net    network
	sub    subnets.Subnet
	router routers.Router
}

func newPFWorld(t *testing.T, admin, c *gophercloud.ServiceClient, n int) pfWorld {
	t.Helper()
	ext, _ := l3ExternalNetwork(t, admin, fmt.Sprintf("pf-public-%d", n), fmt.Sprintf("172.30.%d.0/24", n), "", "")
	net, sub := newNetwork(t, c, "pf-net", fmt.Sprintf("10.90.%d.0/24", n))
	r := l3CreateRouter(t, c, routers.CreateOpts{Name: "pf-r", GatewayInfo: &routers.GatewayInfo{NetworkID: ext.ID}})
	l3AddInterface(t, c, r.ID, routers.AddInterfaceOpts{SubnetID: sub.ID})
	return pfWorld{ext: ext, net: net, sub: sub, router: r}
}

func (w pfWorld) port(t *testing.T, c *gophercloud.ServiceClient, name string) port {
	t.Helper()
	return createPort(t, c, ports.CreateOpts{NetworkID: w.net.ID, Name: name})
}

func (w pfWorld) fip(t *testing.T, c *gophercloud.ServiceClient) floatingips.FloatingIP {
	t.Helper()
	return l3CreateFIP(t, c, floatingips.CreateOpts{FloatingNetworkID: w.ext.ID})
}

func pfList(t *testing.T, c *gophercloud.ServiceClient, fip string) []portforwarding.PortForwarding {
	t.Helper()
	var out []portforwarding.PortForwarding
	err := portforwarding.List(c, portforwarding.ListOpts{}, fip).EachPage(ctx(t), func(_ context.Context, p pagination.Page) (bool, error) {
		l, err := portforwarding.ExtractPortForwardings(p)
		out = append(out, l...)
		return true, err
	})
	must(t, err)
	return out
}

// TestPortForwardingLifecycle: a forwarding of a free floating IP to a port's fixed IP is
// created, shown, listed, updated and deleted as Neutron shows them; the floating IP lists
// it and takes the router; collisions and ranges are checked as Neutron does; a floating IP
// with forwardings cannot be associated with a port or deleted; a port with a floating IP,
// or a floating IP with a port, cannot be used; deleting the internal port deletes its
// forwardings. SQLite and PostgreSQL.
func TestPortForwardingLifecycle(t *testing.T) {
	l3ForEachBackend(t, testenv.Options{}, func(t *testing.T, e *env) {
		admin, c := e.admin("it-pf-admin"), e.member("it-pf-a")
		w := newPFWorld(t, admin, c, 1)
		vm := w.port(t, c, "vm")
		ip := vm.FixedIPs[0].IPAddress
		fip := w.fip(t, c)
		pf, err := portforwarding.Create(ctx(t), c, fip.ID, portforwarding.CreateOpts{InternalPortID: vm.ID, InternalIPAddress: ip,
			InternalPort: 22, ExternalPort: 2222, Protocol: "tcp", Description: "ssh"}).Extract()
		must(t, err)
		if pf.InternalPort != 22 || pf.ExternalPort != 2222 || pf.Protocol != "tcp" || pf.InternalIPAddress != ip || pf.InternalPortID != vm.ID ||
			pf.Description != "ssh" || pf.ExternalPortRange != "2222:2222" || pf.InternalPortRange != "22:22" {
			t.Fatalf("created %+v", pf)
		}
		raw1 := get(t, c, "floatingips/"+fip.ID+"/port_forwardings/"+pf.ID)["port_forwarding"].(map[string]any)
		for _, hidden := range []string{"floatingip_id", "router_id", "tenant_id", "project_id"} {
			if _, has := raw1[hidden]; has {
				t.Errorf("a forwarding shows %s", hidden)
			}
		}
		f := get(t, c, "floatingips/"+fip.ID)["floatingip"].(map[string]any)
		if f["router_id"] != w.router.ID {
			t.Errorf("floating IP router_id %v; want %s", f["router_id"], w.router.ID)
		}
		l, _ := f["port_forwardings"].([]any)
		want := map[string]any{"id": pf.ID, "internal_ip_address": ip, "protocol": "tcp", "internal_port": 22.0, "external_port": 2222.0, "internal_port_id": vm.ID}
		if len(l) != 1 || fmt.Sprint(l[0]) != fmt.Sprint(want) {
			t.Errorf("floating IP port_forwardings %v; want [%v]", l, want)
		}
		if got := pfList(t, c, fip.ID); len(got) != 1 || got[0].ID != pf.ID {
			t.Errorf("list %+v", got)
		}
		// A list of floating IPs shows each one's forwardings too.
		for range 5 {
			w.fip(t, c)
		}
		for _, x := range get(t, c, "floatingips")["floatingips"].([]any) {
			f := x.(map[string]any)
			if n := len(f["port_forwardings"].([]any)); (f["id"] == fip.ID) != (n == 1) {
				t.Errorf("listed floating IP %v shows %d forwardings", f["id"], n)
			}
		}
		up, err := portforwarding.Update(ctx(t), c, fip.ID, pf.ID, portforwarding.UpdateOpts{InternalPort: 2022}).Extract()
		must(t, err)
		if up.InternalPort != 2022 || up.ExternalPort != 2222 {
			t.Errorf("updated %+v", up)
		}

		// Collisions: the same external port, the same destination.
		vm2 := w.port(t, c, "vm2")
		_, err = portforwarding.Create(ctx(t), c, fip.ID, portforwarding.CreateOpts{InternalPortID: vm2.ID, InternalIPAddress: vm2.FixedIPs[0].IPAddress,
			InternalPort: 80, ExternalPort: 2222, Protocol: "tcp"}).Extract()
		wantError(t, err, 400, "BadRequest")
		_, err = portforwarding.Create(ctx(t), c, fip.ID, portforwarding.CreateOpts{InternalPortID: vm.ID, InternalIPAddress: ip,
			InternalPort: 2022, ExternalPort: 3000, Protocol: "tcp"}).Extract()
		wantError(t, err, 400, "BadRequest")
		// The same destination through another floating IP collides too (found through the
		// port's forwardings, not the floating IP's).
		other := l3CreateFIP(t, c, floatingips.CreateOpts{FloatingNetworkID: w.ext.ID})
		_, err = portforwarding.Create(ctx(t), c, other.ID, portforwarding.CreateOpts{InternalPortID: vm.ID, InternalIPAddress: ip,
			InternalPort: 2022, ExternalPort: 3001, Protocol: "tcp"}).Extract()
		wantErrorMentions(t, err, 400, "BadRequest", "internal_port_range")
		must(t, floatingips.Delete(ctx(t), c, other.ID).ExtractErr())
		// The same port in UDP is another forwarding.
		_, err = portforwarding.Create(ctx(t), c, fip.ID, portforwarding.CreateOpts{InternalPortID: vm2.ID, InternalIPAddress: vm2.FixedIPs[0].IPAddress,
			InternalPort: 53, ExternalPort: 2222, Protocol: "udp"}).Extract()
		must(t, err)
		// Ranges: N-N and N-1 pass, N-M does not, nor ranges mixed with ports, nor ports out of range.
		rng, err := portforwarding.Create(ctx(t), c, fip.ID, portforwarding.CreateOpts{InternalPortID: vm2.ID, InternalIPAddress: vm2.FixedIPs[0].IPAddress,
			InternalPortRange: "8000:8009", ExternalPortRange: "9000:9009", Protocol: "tcp"}).Extract()
		must(t, err)
		if rng.ExternalPortRange != "9000:9009" || rng.InternalPortRange != "8000:8009" || rng.ExternalPort != 0 {
			t.Errorf("range forwarding %+v", rng)
		}
		_, err = portforwarding.Create(ctx(t), c, fip.ID, portforwarding.CreateOpts{InternalPortID: vm2.ID, InternalIPAddress: vm2.FixedIPs[0].IPAddress,
			InternalPortRange: "443", ExternalPortRange: "10000:10010", Protocol: "tcp"}).Extract()
		must(t, err)
		bad := []map[string]any{
			{"internal_port_range": "100:105", "external_port_range": "200:210"},
			{"internal_port": 1, "external_port": 2, "external_port_range": "3:4", "internal_port_range": "5:6"},
			{"internal_port": 1, "external_port": 70000},
			{"internal_port": 0, "external_port": 7000},
			{"internal_port_range": "10:5", "external_port_range": "10:15"},
			{"internal_port": 1},
		}
		for _, b := range bad {
			b["internal_port_id"], b["internal_ip_address"], b["protocol"] = vm2.ID, vm2.FixedIPs[0].IPAddress, "tcp"
			_, status, _ := raw(t, c, http.MethodPost, "floatingips/"+fip.ID+"/port_forwardings", map[string]any{"port_forwarding": b}, nil, 201)
			if status != 400 {
				t.Errorf("create %v: %d; want 400", b, status)
			}
		}
		_, status, _ := raw(t, c, http.MethodPut, "floatingips/"+fip.ID+"/port_forwardings/"+pf.ID, map[string]any{"port_forwarding": map[string]any{"external_port": 108343}}, nil, 200)
		if status != 400 {
			t.Errorf("update to port 108343: %d; want 400", status)
		}
		// An address the port does not have (IPAM may have given it .250 itself).
		notVM2 := "10.90.1.250"
		if vm2.FixedIPs[0].IPAddress == notVM2 {
			notVM2 = "10.90.1.251"
		}
		_, err = portforwarding.Create(ctx(t), c, fip.ID, portforwarding.CreateOpts{InternalPortID: vm2.ID, InternalIPAddress: notVM2,
			InternalPort: 1, ExternalPort: 4001, Protocol: "tcp"}).Extract()
		wantError(t, err, 400, "BadRequest")

		// A floating IP with forwardings is neither associated nor deleted.
		_, err = floatingips.Update(ctx(t), c, fip.ID, floatingips.UpdateOpts{PortID: &vm.ID}).Extract()
		wantError(t, err, 409, "FipInUseByPortForwarding")
		wantError(t, floatingips.Delete(ctx(t), c, fip.ID).ExtractErr(), 409, "FipInUseByPortForwarding")
		// A port with a floating IP, a floating IP with a port.
		vm3 := w.port(t, c, "vm3")
		assoc := l3CreateFIP(t, c, floatingips.CreateOpts{FloatingNetworkID: w.ext.ID, PortID: vm3.ID})
		_, err = portforwarding.Create(ctx(t), c, fip.ID, portforwarding.CreateOpts{InternalPortID: vm3.ID, InternalIPAddress: vm3.FixedIPs[0].IPAddress,
			InternalPort: 1, ExternalPort: 4002, Protocol: "tcp"}).Extract()
		wantError(t, err, 409, "PortHasBindingFloatingIP")
		_, err = portforwarding.Create(ctx(t), c, assoc.ID, portforwarding.CreateOpts{InternalPortID: vm2.ID, InternalIPAddress: vm2.FixedIPs[0].IPAddress,
			InternalPort: 1, ExternalPort: 4003, Protocol: "tcp"}).Extract()
		wantError(t, err, 409, "FloatingIPPortAlreadyAssociated")

		// Deleting vm2 deletes its forwardings; deleting the last one frees the floating IP.
		must(t, ports.Delete(ctx(t), c, vm2.ID).ExtractErr())
		if got := pfList(t, c, fip.ID); len(got) != 1 || got[0].ID != pf.ID {
			t.Errorf("after deleting vm2: %+v", got)
		}
		must(t, portforwarding.Delete(ctx(t), c, fip.ID, pf.ID).ExtractErr())
		_, err = portforwarding.Get(ctx(t), c, fip.ID, pf.ID).Extract()
		wantError(t, err, 404, "PortForwardingNotFound")
		f = get(t, c, "floatingips/"+fip.ID)["floatingip"].(map[string]any)
		if f["router_id"] != nil || len(f["port_forwardings"].([]any)) != 0 {
			t.Errorf("floating IP after its last forwarding: router %v, forwardings %v", f["router_id"], f["port_forwardings"])
		}
		must(t, floatingips.Delete(ctx(t), c, fip.ID).ExtractErr())

		// The router's gateway cannot go while a floating IP forwards through it (and so
		// neither can the floating network).
		fip2 := w.fip(t, c)
		_, err = portforwarding.Create(ctx(t), c, fip2.ID, portforwarding.CreateOpts{InternalPortID: vm.ID, InternalIPAddress: ip,
			InternalPort: 22, ExternalPort: 2222, Protocol: "tcp"}).Extract()
		must(t, err)
		_, err = routers.Update(ctx(t), c, w.router.ID, routers.UpdateOpts{GatewayInfo: &routers.GatewayInfo{}}).Extract()
		wantError(t, err, 409, "")
	})
}

// TestPortForwardingIsolation: project B gets 404 for A's floating IP's forwardings (list,
// show, create, update, delete) and cannot forward its own floating IP to A's port.
// SQLite and PostgreSQL.
func TestPortForwardingIsolation(t *testing.T) {
	l3ForEachBackend(t, testenv.Options{}, func(t *testing.T, e *env) {
		admin, a, b := e.admin("it-pfi-admin"), e.member("it-pfi-a"), e.member("it-pfi-b")
		w := newPFWorld(t, admin, a, 2)
		vm := w.port(t, a, "vm")
		fip := w.fip(t, a)
		pf, err := portforwarding.Create(ctx(t), a, fip.ID, portforwarding.CreateOpts{InternalPortID: vm.ID, InternalIPAddress: vm.FixedIPs[0].IPAddress,
			InternalPort: 22, ExternalPort: 2222, Protocol: "tcp"}).Extract()
		must(t, err)
		_, err = portforwarding.Get(ctx(t), b, fip.ID, pf.ID).Extract()
		wantError(t, err, 404, "FloatingIPNotFound")
		err = portforwarding.List(b, portforwarding.ListOpts{}, fip.ID).EachPage(ctx(t), func(context.Context, pagination.Page) (bool, error) { return true, nil })
		wantError(t, err, 404, "FloatingIPNotFound")
		_, err = portforwarding.Update(ctx(t), b, fip.ID, pf.ID, portforwarding.UpdateOpts{InternalPort: 80}).Extract()
		wantError(t, err, 404, "FloatingIPNotFound")
		wantError(t, portforwarding.Delete(ctx(t), b, fip.ID, pf.ID).ExtractErr(), 404, "FloatingIPNotFound")
		_, err = portforwarding.Create(ctx(t), b, fip.ID, portforwarding.CreateOpts{InternalPortID: vm.ID, InternalIPAddress: vm.FixedIPs[0].IPAddress,
			InternalPort: 80, ExternalPort: 8080, Protocol: "tcp"}).Extract()
		wantError(t, err, 404, "FloatingIPNotFound")
		// B's own floating IP on the shared public network cannot reach A's port.
		bfip := l3CreateFIP(t, b, floatingips.CreateOpts{FloatingNetworkID: w.ext.ID})
		_, err = portforwarding.Create(ctx(t), b, bfip.ID, portforwarding.CreateOpts{InternalPortID: vm.ID, InternalIPAddress: vm.FixedIPs[0].IPAddress,
			InternalPort: 80, ExternalPort: 8080, Protocol: "tcp"}).Extract()
		wantError(t, err, 404, "PortNotFound")
		if got := pfList(t, a, fip.ID); len(got) != 1 || got[0].InternalPort != 22 {
			t.Errorf("A's forwardings after B's attempts: %+v", got)
		}
	})
}
