package integration

import (
	"testing"
	"time"

	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/layer3/routers"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/ports"
)

// TestRouterPortsBecomeActive: MidoNet routers are distributed, so a router's interface and
// gateway ports are ACTIVE once the cluster has applied them, with no L3 agent to wait for
// (clients such as gophercloud's router-interface helpers wait for ACTIVE); a VM port no host
// binds stays DOWN.
func TestRouterPortsBecomeActive(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		c := e.admin("it-l3-status")
		ext, _ := l3ExternalNetwork(t, c, "st-ext", "172.24.60.0/24", "", "")
		n, s := newNetwork(t, c, "st-n", "10.61.1.0/24")
		r := l3CreateRouter(t, c, routers.CreateOpts{Name: "st-r", GatewayInfo: &routers.GatewayInfo{NetworkID: ext.ID}})
		vm := createPort(t, c, ports.CreateOpts{NetworkID: n.ID, Name: "st-vm"})
		byPort := createPort(t, c, ports.CreateOpts{NetworkID: n.ID, Name: "st-if"})

		waitStatus := func(t *testing.T, id, want string) {
			t.Helper()
			var got string
			for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
				if got = showPort(t, c, id).Status; got == want {
					return
				}
			}
			t.Fatalf("port %s status %q after 60 s, want %q", id, got, want)
		}

		gw := l3DevicePorts(t, c, r.ID, "network:router_gateway")
		if len(gw) != 1 {
			t.Fatalf("router has %d gateway ports, want 1", len(gw))
		}
		t.Run("gateway port", func(t *testing.T) { waitStatus(t, gw[0].ID, "ACTIVE") })

		bySubnet := l3AddInterface(t, c, r.ID, routers.AddInterfaceOpts{SubnetID: s.ID})
		t.Run("interface by subnet", func(t *testing.T) { waitStatus(t, bySubnet.PortID, "ACTIVE") })

		if got := showPort(t, c, byPort.ID).Status; got != "DOWN" {
			t.Fatalf("a new port no host binds has status %q, want DOWN", got)
		}
		r2 := l3CreateRouter(t, c, routers.CreateOpts{Name: "st-r2"}) // r has an interface on the subnet
		l3AddInterface(t, c, r2.ID, routers.AddInterfaceOpts{PortID: byPort.ID})
		t.Run("interface by port", func(t *testing.T) { waitStatus(t, byPort.ID, "ACTIVE") })

		t.Run("an unbound VM port stays DOWN", func(t *testing.T) {
			if got := showPort(t, c, vm.ID).Status; got != "DOWN" {
				t.Errorf("VM port status %q, want DOWN", got)
			}
		})
	})
}
