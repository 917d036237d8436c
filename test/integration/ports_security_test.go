package integration

import (
	"fmt"
	"slices"
	"testing"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/extradhcpopts"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/portsecurity"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/security/groups"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/networks"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/ports"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/subnets"
)

func TestPortSecurity(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		const project = "it-portsec"
		c := e.admin(project)
		net, _ := newNetwork(t, c, "psnet", "10.30.0.0/24")
		sgDefault := defaultGroup(t, c, project)
		web, err := groups.Create(ctx(t), c, groups.CreateOpts{Name: "web"}).Extract()
		must(t, err)
		base := func(name string) ports.CreateOpts { return ports.CreateOpts{NetworkID: net.ID, Name: name} }
		withGroups := func(name string, ids ...string) ports.CreateOpts {
			o := base(name)
			o.SecurityGroups = &ids
			return o
		}

		t.Run("security groups", func(t *testing.T) {
			cases := []struct {
				name string
				opts ports.CreateOpts
				want []string
			}{
				{"default group", base("default-sg"), []string{sgDefault.ID}},
				{"one group", withGroups("web", web.ID), []string{web.ID}},
				{"two groups", withGroups("two", web.ID, sgDefault.ID), []string{web.ID, sgDefault.ID}},
				{"no group", withGroups("none"), nil},
			}
			for _, tc := range cases {
				t.Run(tc.name, func(t *testing.T) {
					p := createPort(t, c, tc.opts)
					if !sameSet(p.SecurityGroups, tc.want) || !p.PortSecurityEnabled {
						t.Errorf("security_groups %v port_security %v; want %v, true", p.SecurityGroups, p.PortSecurityEnabled, tc.want)
					}
					if s := showPort(t, c, p.ID); !sameSet(s.SecurityGroups, tc.want) {
						t.Errorf("show gives security_groups %v", s.SecurityGroups)
					}
				})
			}
			wantError(t, ports.Create(ctx(t), c, withGroups("bad", missingID)).Err, 404, "SecurityGroupNotFound")
		})

		t.Run("port_security_enabled", func(t *testing.T) {
			off := ptr(false)
			p := createPort(t, c, portsecurity.PortCreateOptsExt{CreateOptsBuilder: base("nosec"), PortSecurityEnabled: off})
			if p.PortSecurityEnabled || len(p.SecurityGroups) != 0 {
				t.Errorf("port_security %v groups %v, want false and none", p.PortSecurityEnabled, p.SecurityGroups)
			}
			err := ports.Create(ctx(t), c, portsecurity.PortCreateOptsExt{CreateOptsBuilder: withGroups("bad", web.ID), PortSecurityEnabled: off}).Err
			wantError(t, err, 400, "PortSecurityAndIPRequiredForSecurityGroups")

			p1 := createPort(t, c, withGroups("p1", web.ID))
			err = ports.Update(ctx(t), c, p1.ID, portsecurity.PortUpdateOptsExt{UpdateOptsBuilder: ports.UpdateOpts{}, PortSecurityEnabled: off}).Err
			wantError(t, err, 409, "PortSecurityPortHasSecurityGroup")
			u := into[port](t, ports.Update(ctx(t), c, p1.ID, portsecurity.PortUpdateOptsExt{
				UpdateOptsBuilder: ports.UpdateOpts{SecurityGroups: &[]string{}}, PortSecurityEnabled: off}))
			if u.PortSecurityEnabled || len(u.SecurityGroups) != 0 {
				t.Errorf("after disabling: port_security %v groups %v", u.PortSecurityEnabled, u.SecurityGroups)
			}
			err = ports.Update(ctx(t), c, p1.ID, ports.UpdateOpts{SecurityGroups: &[]string{web.ID}}).Err
			wantError(t, err, 400, "PortSecurityAndIPRequiredForSecurityGroups")
			u = into[port](t, ports.Update(ctx(t), c, p1.ID, portsecurity.PortUpdateOptsExt{
				UpdateOptsBuilder: ports.UpdateOpts{SecurityGroups: &[]string{web.ID}}, PortSecurityEnabled: ptr(true)}))
			if !u.PortSecurityEnabled || !slices.Equal(u.SecurityGroups, []string{web.ID}) {
				t.Errorf("after re-enabling: port_security %v groups %v", u.PortSecurityEnabled, u.SecurityGroups)
			}

			err = ports.Create(ctx(t), c, portsecurity.PortCreateOptsExt{
				CreateOptsBuilder:   ports.CreateOpts{NetworkID: net.ID, AllowedAddressPairs: []ports.AddressPair{{IPAddress: "192.168.50.13"}}},
				PortSecurityEnabled: off}).Err
			wantError(t, err, 409, "AddressPairAndPortSecurityRequired")
		})

		t.Run("network without port security", func(t *testing.T) {
			offNet := createNetwork(t, c, portsecurity.NetworkCreateOptsExt{
				CreateOptsBuilder: networks.CreateOpts{Name: "psnet-off"}, PortSecurityEnabled: ptr(false)})
			if offNet.PortSecurityEnabled {
				t.Errorf("network port_security_enabled = true, want false")
			}
			createSubnet(t, c, subnets.CreateOpts{NetworkID: offNet.ID, CIDR: "10.31.0.0/24", IPVersion: gophercloud.IPv4})
			p := createPort(t, c, ports.CreateOpts{NetworkID: offNet.ID, Name: "inherit"})
			if p.PortSecurityEnabled || len(p.SecurityGroups) != 0 {
				t.Errorf("port on the network: port_security %v groups %v, want false and none", p.PortSecurityEnabled, p.SecurityGroups)
			}
			err := ports.Create(ctx(t), c, ports.CreateOpts{NetworkID: offNet.ID, SecurityGroups: &[]string{web.ID}}).Err
			wantError(t, err, 400, "PortSecurityAndIPRequiredForSecurityGroups")
		})

		t.Run("allowed address pairs", func(t *testing.T) {
			o := base("aap")
			o.AllowedAddressPairs = []ports.AddressPair{{IPAddress: "192.168.50.10"}, {IPAddress: "192.168.60.0/24", MACAddress: "fa:16:3e:00:01:bb"}}
			p := createPort(t, c, o)
			want := []ports.AddressPair{{IPAddress: "192.168.50.10", MACAddress: p.MACAddress}, {IPAddress: "192.168.60.0/24", MACAddress: "fa:16:3e:00:01:bb"}}
			if !slices.Equal(p.AllowedAddressPairs, want) {
				t.Errorf("allowed_address_pairs = %v, want %v (a pair without a MAC takes the port's)", p.AllowedAddressPairs, want)
			}
			pairs := []ports.AddressPair{{IPAddress: "192.168.70.1"}}
			u := into[port](t, ports.Update(ctx(t), c, p.ID, ports.UpdateOpts{AllowedAddressPairs: &pairs}))
			if !slices.Equal(u.AllowedAddressPairs, []ports.AddressPair{{IPAddress: "192.168.70.1", MACAddress: p.MACAddress}}) {
				t.Errorf("after replacing: %v", u.AllowedAddressPairs)
			}
			cases := []struct {
				name  string
				pairs []any
				typ   string
			}{
				{"bad address", []any{doc{"ip_address": "not-an-ip"}}, "HTTPBadRequest"},
				{"no ip_address", []any{doc{"mac_address": "fa:16:3e:00:01:bc"}}, "AllowedAddressPairsMissingIP"},
				{"duplicate", []any{doc{"ip_address": "192.168.50.11"}, doc{"ip_address": "192.168.50.11"}}, "DuplicateAddressPairInRequest"},
				{"unknown key", []any{doc{"ip_address": "192.168.50.12", "foo": "bar"}}, "HTTPBadRequest"},
			}
			for _, tc := range cases {
				t.Run(tc.name, func(t *testing.T) {
					err := ports.Create(ctx(t), c, doc{"port": doc{"network_id": net.ID, "allowed_address_pairs": tc.pairs}}).Err
					wantError(t, err, 400, tc.typ)
				})
			}
		})

		t.Run("extra dhcp options", func(t *testing.T) {
			p := createPort(t, c, extradhcpopts.CreateOptsExt{CreateOptsBuilder: base("dhcp"), ExtraDHCPOpts: []extradhcpopts.CreateExtraDHCPOpt{
				{OptName: "bootfile-name", OptValue: "pxelinux.0"},
				{OptName: "tftp-server", OptValue: "192.168.0.5"},
				{OptName: "dns-server", OptValue: "2001:db8::53", IPVersion: gophercloud.IPv6},
			}})
			want := []extradhcpopts.ExtraDHCPOpt{
				{OptName: "bootfile-name", OptValue: "pxelinux.0", IPVersion: 4},
				{OptName: "tftp-server", OptValue: "192.168.0.5", IPVersion: 4},
				{OptName: "dns-server", OptValue: "2001:db8::53", IPVersion: 6},
			}
			if !sameOpts(p.ExtraDHCPOpts, want) {
				t.Errorf("extra_dhcp_opts = %v, want %v", p.ExtraDHCPOpts, want)
			}
			u := into[port](t, ports.Update(ctx(t), c, p.ID, extradhcpopts.UpdateOptsExt{UpdateOptsBuilder: ports.UpdateOpts{},
				ExtraDHCPOpts: []extradhcpopts.UpdateExtraDHCPOpt{{OptName: "tftp-server", OptValue: nil}}}))
			if !sameOpts(u.ExtraDHCPOpts, []extradhcpopts.ExtraDHCPOpt{want[0], want[2]}) {
				t.Errorf("after removing tftp-server with a null value: %v", u.ExtraDHCPOpts)
			}
			for _, bad := range []doc{{"opt_value": "x"}, {"opt_name": "x", "opt_value": "y", "ip_version": 5}} {
				err := ports.Create(ctx(t), c, doc{"port": doc{"network_id": net.ID, "extra_dhcp_opts": []doc{bad}}}).Err
				wantError(t, err, 400, "InvalidInput")
			}
		})

		t.Run("group in use", func(t *testing.T) {
			wantErrorMentions(t, groups.Delete(ctx(t), c, web.ID).ExtractErr(), 409, "SecurityGroupInUse", web.ID)
		})
	})
}

func sameOpts(a, b []extradhcpopts.ExtraDHCPOpt) bool {
	key := func(o extradhcpopts.ExtraDHCPOpt) string {
		return fmt.Sprintf("%s|%s|%d", o.OptName, o.OptValue, o.IPVersion)
	}
	var x, y []string
	for _, o := range a {
		x = append(x, key(o))
	}
	for _, o := range b {
		y = append(y, key(o))
	}
	return sameSet(x, y)
}
