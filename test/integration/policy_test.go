package integration

import (
	"testing"

	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/portsbinding"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/security/groups"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/security/rules"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/networks"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/ports"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/subnets"
)

// TestMemberPolicy acts as an ordinary member of project A (X-Roles:
// member) next to resources of project B made by an admin.
func TestMemberPolicy(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		const projectA, projectB = "it-pol-a", "it-pol-b"
		a := e.member(projectA)
		b := e.admin(projectB)
		private, _ := newNetwork(t, b, "b-private", "10.60.0.0/24")
		shared := createNetwork(t, b, networks.CreateOpts{Name: "b-shared", Shared: ptr(true)})
		own, _ := newNetwork(t, a, "a-own", "10.61.0.0/24")

		t.Run("visibility", func(t *testing.T) {
			wantErrorMentions(t, networks.Get(ctx(t), a, private.ID).Err, 404, "NetworkNotFound", private.ID)
			if n := showNetwork(t, a, shared.ID); n.Name != "b-shared" || !n.Shared {
				t.Errorf("shared network as seen by A: %+v", n.Network)
			}
			got := names(listNetworks(t, a, nil))
			if !sameSet(got, []string{"b-shared", "a-own"}) {
				t.Errorf("A lists %v, want its own network and B's shared one", got)
			}
			wantError(t, networks.Update(ctx(t), a, private.ID, networks.UpdateOpts{Name: ptr("x")}).Err, 404, "NetworkNotFound")
			wantError(t, networks.Delete(ctx(t), a, private.ID).ExtractErr(), 404, "NetworkNotFound")
			wantError(t, ports.Create(ctx(t), a, ports.CreateOpts{NetworkID: private.ID}).Err, 404, "NetworkNotFound")
			wantError(t, subnets.Create(ctx(t), a, subnets.CreateOpts{NetworkID: private.ID, CIDR: "10.62.0.0/24", IPVersion: 4}).Err, 404, "NetworkNotFound")
			if got := listPorts(t, b, ports.ListOpts{NetworkID: private.ID}); len(got) != 0 {
				t.Errorf("B's private network has %d ports after A's attempts", len(got))
			}
		})

		t.Run("forbidden attributes", func(t *testing.T) {
			wantError(t, networks.Create(ctx(t), a, networks.CreateOpts{Name: "a-shared", Shared: ptr(true)}).Err, 403, "PolicyNotAuthorized")
			wantError(t, networks.Create(ctx(t), a, doc{"network": doc{"name": "a-up", "provider:network_type": "uplink"}}).Err, 403, "PolicyNotAuthorized")
			wantError(t, networks.Create(ctx(t), a, doc{"network": doc{"name": "a-ext", "router:external": true}}).Err, 403, "PolicyNotAuthorized")
			wantError(t, networks.Update(ctx(t), a, own.ID, networks.UpdateOpts{Shared: ptr(true)}).Err, 403, "PolicyNotAuthorized")
			err := ports.Create(ctx(t), a, portsbinding.CreateOptsExt{
				CreateOptsBuilder: ports.CreateOpts{NetworkID: own.ID}, HostID: "compute-1"}).Err
			wantError(t, err, 403, "PolicyNotAuthorized")
		})

		t.Run("admin-only network attributes are hidden", func(t *testing.T) {
			out := get(t, a, "networks/"+own.ID)
			attrs, _ := out["network"].(map[string]any)
			for _, k := range []string{"provider:network_type", "provider:physical_network", "provider:segmentation_id"} {
				if _, ok := attrs[k]; ok {
					t.Errorf("A sees %s on its own network", k)
				}
			}
			for _, k := range []string{"router:external", "mtu", "port_security_enabled", "shared"} {
				if _, ok := attrs[k]; !ok {
					t.Errorf("A does not see %s on its own network", k)
				}
			}
		})

		t.Run("other project's resources", func(t *testing.T) {
			err := networks.Create(ctx(t), a, networks.CreateOpts{Name: "for-b", TenantID: projectB}).Err
			wantError(t, err, 400, "HTTPBadRequest") // neutron-lib _validate_privileges, before any policy rule
			if got := listNetworks(t, b, networks.ListOpts{ProjectID: projectB, Name: "for-b"}); len(got) != 0 {
				t.Errorf("A made a network in project B")
			}
			bg := defaultGroup(t, b, projectB)
			wantError(t, groups.Get(ctx(t), a, bg.ID).Err, 404, "SecurityGroupNotFound")
			if got := listGroups(t, a, groups.ListOpts{}); len(got) != 1 || got[0].ProjectID != projectA {
				t.Errorf("A lists %d security groups, want only its own default group", len(got))
			}
			// Rules go into a group A cannot see: Neutron (Victoria) answers 404
			// SecurityGroupNotFound, later releases 403 PolicyNotAuthorized.
			_, err = rules.Create(ctx(t), a, rules.CreateOpts{SecGroupID: bg.ID, Direction: rules.DirIngress,
				EtherType: rules.EtherType4, Protocol: rules.ProtocolTCP}).Extract()
			if status, ne, _ := parseNeutronError(err); !(status == 404 && ne.Type == "SecurityGroupNotFound") && !(status == 403 && ne.Type == "PolicyNotAuthorized") {
				t.Errorf("A adding a rule to B's group: %v; want 404 SecurityGroupNotFound or 403 PolicyNotAuthorized", err)
			}
			if got := listRules(t, b, rules.ListOpts{SecGroupID: bg.ID}); len(got) != 4 {
				t.Errorf("B's default group has %d rules after A's attempt, want 4", len(got))
			}
			bp := createPort(t, b, ports.CreateOpts{NetworkID: shared.ID, Name: "b-port"})
			wantError(t, ports.Get(ctx(t), a, bp.ID).Err, 404, "PortNotFound")
			for _, p := range listPorts(t, a, nil) {
				if p.ProjectID != projectA {
					t.Errorf("A lists port %s of project %s", p.ID, p.ProjectID)
				}
			}
		})

		t.Run("shared network of another project", func(t *testing.T) {
			wantError(t, networks.Update(ctx(t), a, shared.ID, networks.UpdateOpts{Name: ptr("mine")}).Err, 403, "PolicyNotAuthorized")
			wantError(t, networks.Delete(ctx(t), a, shared.ID).ExtractErr(), 403, "PolicyNotAuthorized")
			// The pool is the upper half: the addresses A asks for below (.50, .51) stay outside it.
			sharedSub := createSubnet(t, b, subnets.CreateOpts{NetworkID: shared.ID, CIDR: "10.63.0.0/24", IPVersion: 4,
				AllocationPools: []subnets.AllocationPool{upperHalf(t, "10.63.0.0/24")}})
			p := createPort(t, a, ports.CreateOpts{NetworkID: shared.ID, FixedIPs: []ports.IP{{SubnetID: sharedSub.ID}}})
			if p.ProjectID != projectA || len(p.FixedIPs) != 1 {
				t.Errorf("A's port on B's shared network: project %q fixed_ips %v", p.ProjectID, p.FixedIPs)
			}
			// Only the network's owner chooses addresses and MACs on it.
			cases := []struct {
				name string
				opts ports.CreateOptsBuilder
			}{
				{"fixed ip address", ports.CreateOpts{NetworkID: shared.ID, FixedIPs: []ports.IP{{IPAddress: "10.63.0.50"}}}},
				{"fixed ip address and subnet", ports.CreateOpts{NetworkID: shared.ID, FixedIPs: []ports.IP{{SubnetID: sharedSub.ID, IPAddress: "10.63.0.51"}}}},
				{"mac address", ports.CreateOpts{NetworkID: shared.ID, MACAddress: "fa:16:3e:00:63:01"}},
				{"router device owner", ports.CreateOpts{NetworkID: shared.ID, DeviceOwner: "network:router_interface"}},
				{"allowed address pairs", ports.CreateOpts{NetworkID: shared.ID, AllowedAddressPairs: []ports.AddressPair{{IPAddress: "10.63.0.52"}}}},
			}
			for _, tc := range cases {
				t.Run(tc.name, func(t *testing.T) {
					wantError(t, ports.Create(ctx(t), a, tc.opts).Err, 403, "PolicyNotAuthorized")
				})
			}
			wantError(t, subnets.Create(ctx(t), a, subnets.CreateOpts{NetworkID: shared.ID, CIDR: "10.64.0.0/24", IPVersion: 4}).Err, 403, "PolicyNotAuthorized")
			// B cannot take the network back while A uses it.
			wantError(t, networks.Update(ctx(t), b, shared.ID, networks.UpdateOpts{Shared: ptr(false)}).Err, 409, "InvalidSharedSetting")
			wantError(t, networks.Delete(ctx(t), b, shared.ID).ExtractErr(), 409, "NetworkInUse")
		})

		t.Run("external network of another project", func(t *testing.T) {
			ext := createNetwork(t, b, doc{"network": doc{"name": "b-ext", "router:external": true}})
			if n := showNetwork(t, a, ext.ID); !n.External {
				t.Errorf("A sees B's external network with router:external false")
			}
			// Visible but not shared: Neutron's ownership check refuses ports on it.
			wantError(t, ports.Create(ctx(t), a, ports.CreateOpts{NetworkID: ext.ID}).Err, 403, "HTTPForbidden")
		})

		t.Run("admin-only port attributes are hidden", func(t *testing.T) {
			p := createPort(t, a, ports.CreateOpts{NetworkID: own.ID, Name: "a-port"})
			if p.ProjectID != projectA || len(p.FixedIPs) != 1 {
				t.Errorf("A's port: project %q fixed_ips %v", p.ProjectID, p.FixedIPs)
			}
			out := get(t, a, "ports/"+p.ID)
			attrs, _ := out["port"].(map[string]any)
			for _, k := range []string{"binding:host_id", "binding:vif_type", "binding:vif_details", "binding:profile"} {
				if _, ok := attrs[k]; ok {
					t.Errorf("A sees %s on its own port", k)
				}
			}
			if _, ok := attrs["binding:vnic_type"]; !ok {
				t.Errorf("A does not see binding:vnic_type, which Neutron shows to owners")
			}
			err := ports.Update(ctx(t), a, p.ID, portsbinding.UpdateOptsExt{UpdateOptsBuilder: ports.UpdateOpts{}, HostID: ptr("compute-9")}).Err
			wantError(t, err, 403, "PolicyNotAuthorized")
			err = ports.Update(ctx(t), a, p.ID, ports.UpdateOpts{MACAddress: ptr("fa:16:3e:00:99:99")}).Err
			wantError(t, err, 403, "PolicyNotAuthorized")
			u := into[port](t, ports.Update(ctx(t), a, p.ID, ports.UpdateOpts{Name: ptr("a-port-2")}))
			if u.Name != "a-port-2" {
				t.Errorf("A could not rename its own port: %q", u.Name)
			}
			// The admin sees them all.
			if full := showPort(t, e.admin(projectB), p.ID); full.VIFType == "" {
				t.Errorf("admin does not see binding:vif_type")
			}
			for _, n := range listPorts(t, a, ports.ListOpts{ID: p.ID}) {
				if n.VIFType != "" || n.HostID != "" || n.VIFDetails != nil {
					t.Errorf("A's port list shows binding attributes %+v", n.PortsBindingExt)
				}
			}
		})
	})
}
