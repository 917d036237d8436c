package core_test

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/midonet-go/midonet/internal/db"
	"github.com/midonet-go/midonet/internal/fault"
	"github.com/midonet-go/midonet/internal/model"
	"github.com/midonet-go/midonet/internal/plugin/core"
	"github.com/midonet-go/midonet/internal/testutil/plugintest"
)

// network makes a network with a /24 subnet whose pool is .10–.100 (fixed addresses in the
// tests stay outside it, so random allocations never collide with them).
func network(t *testing.T, e *plugintest.Env, cidr string) (netID, subID string) {
	t.Helper()
	n := e.MustCreate("networks", map[string]any{"name": "net"})
	pfx := netip.MustParsePrefix(cidr)
	base := pfx.Addr().As4()
	at := func(i byte) string { b := base; b[3] = i; return netip.AddrFrom4(b).String() }
	s := e.MustCreate("subnets", map[string]any{"network_id": n["id"], "cidr": cidr, "ip_version": 4,
		"allocation_pools": []any{map[string]any{"start": at(10), "end": at(100)}}})
	return n["id"].(string), s["id"].(string)
}

func TestPortCreateAllocates(t *testing.T) {
	e := plugintest.New(t)
	netID, subID := network(t, e, "10.1.0.0/24")
	p := model.MustDecode[model.Port](e.MustCreate("ports", map[string]any{"network_id": netID, "device_owner": "compute:nova"}))
	if len(p.FixedIPs) != 1 || p.FixedIPs[0].SubnetID != subID {
		t.Fatalf("fixed_ips %+v, want one address of the subnet", p.FixedIPs)
	}
	if a := p.FixedIPs[0].Addr(); a.Compare(netip.MustParseAddr("10.1.0.10")) < 0 || a.Compare(netip.MustParseAddr("10.1.0.100")) > 0 {
		t.Errorf("address %s outside the pool .10–.100", a)
	}
	if len(p.MACAddress) != 17 || p.MACAddress[:8] != "fa:16:3e" {
		t.Errorf("mac_address %q, want one of the fa:16:3e prefix", p.MACAddress)
	}
	if len(p.SecurityGroups) != 1 {
		t.Errorf("security_groups %v, want the project's default group", p.SecurityGroups)
	}
	if len(e.Changes) == 0 || e.Changes[len(e.Changes)-1].DataType != "PORT" || e.Changes[len(e.Changes)-1].ResourceID != p.ID {
		t.Errorf("journal %+v, want the port's PORT task last", e.Changes)
	}
}

func TestRefusals(t *testing.T) {
	e := plugintest.New(t)
	netID, subID := network(t, e, "10.2.0.0/24")
	fixed := func(ip string) map[string]any {
		return map[string]any{"network_id": netID, "fixed_ips": []any{map[string]any{"subnet_id": subID, "ip_address": ip}}}
	}
	first := e.MustCreate("ports", fixed("10.2.0.200"))
	sg := e.MustCreate("security_groups", map[string]any{"name": "web"})
	rule := map[string]any{"security_group_id": sg["id"], "direction": "ingress", "protocol": "tcp", "port_range_min": 80, "port_range_max": 80}
	e.MustCreate("security_group_rules", rule)
	cases := []struct {
		name   string
		err    func() error
		status int
		typ    string
	}{
		{"an address twice", func() error { _, err := e.Create("ports", fixed("10.2.0.200")); return err }, 409, "IpAddressAlreadyAllocated"},
		{"an address outside the subnet", func() error { _, err := e.Create("ports", fixed("10.9.0.5")); return err }, 400, "InvalidIpForSubnet"},
		{"a subnet with ports", func() error { return e.Delete("subnets", subID) }, 409, "SubnetInUse"},
		{"a network with ports", func() error { return e.Delete("networks", netID) }, 409, "NetworkInUse"},
		{"a rule twice", func() error { _, err := e.Create("security_group_rules", rule); return err }, 409, "SecurityGroupRuleExists"},
		{"a port range without a protocol", func() error {
			_, err := e.Create("security_group_rules", map[string]any{"security_group_id": sg["id"], "direction": "ingress", "port_range_min": 1, "port_range_max": 2})
			return err
		}, 400, "SecurityGroupProtocolRequiredWithPorts"},
		{"an overlapping subnet", func() error {
			_, err := e.Create("subnets", map[string]any{"network_id": netID, "cidr": "10.2.0.128/25", "ip_version": 4})
			return err
		}, 400, "InvalidInput"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f, ok := fault.As(c.err())
			if !ok || f.Status != c.status || f.Type != c.typ {
				t.Fatalf("got %v, want %d %s", f, c.status, c.typ)
			}
		})
	}
	// Nothing refused changed the first port.
	got := model.MustDecode[model.Port](e.Get("ports", first["id"].(string)))
	if want := model.MustDecode[model.Port](first); got.RevisionNumber != want.RevisionNumber || got.FixedIPs[0] != want.FixedIPs[0] {
		t.Errorf("the first port changed: %+v", got)
	}
}

func TestPortUpdateKeepsAndReleases(t *testing.T) {
	e := plugintest.New(t)
	netID, subID := network(t, e, "10.3.0.0/24")
	p := e.MustCreate("ports", map[string]any{"network_id": netID, "fixed_ips": []any{map[string]any{"subnet_id": subID, "ip_address": "10.3.0.200"}}})
	id := p["id"].(string)
	u, err := e.Update("ports", id, map[string]any{"fixed_ips": []any{map[string]any{"subnet_id": subID, "ip_address": "10.3.0.201"}}})
	if err != nil {
		t.Fatal(err)
	}
	if got := model.MustDecode[model.Port](u); len(got.FixedIPs) != 1 || got.FixedIPs[0].IPAddress != "10.3.0.201" || got.RevisionNumber <= 1 {
		t.Fatalf("after the update %+v", got)
	}
	// The released address is free again.
	if _, err := e.Create("ports", map[string]any{"network_id": netID, "fixed_ips": []any{map[string]any{"subnet_id": subID, "ip_address": "10.3.0.200"}}}); err != nil {
		t.Errorf("the released address is still taken: %v", err)
	}
	if err := e.Delete("ports", id); err != nil {
		t.Fatal(err)
	}
	if e.Get("ports", id) != nil || len(e.Changes) == 0 || e.Changes[len(e.Changes)-1].Type != "DELETE" {
		t.Errorf("after delete: stored %v, journal %+v", e.Get("ports", id), e.Changes)
	}
}

// TestSubnetChangesBumpNetwork: a network shows its subnets, so a subnet's create, update and
// delete are each a new revision of its network (Neutron's
// test_update_subnet_bumps_network_revision).
func TestSubnetChangesBumpNetwork(t *testing.T) {
	e := plugintest.New(t)
	netID := e.MustCreate("networks", map[string]any{"name": "n"})["id"].(string)
	rev := func() int64 { return model.MustDecode[model.Network](e.Get("networks", netID)).RevisionNumber }
	last := rev()
	step := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if now := rev(); now <= last {
			t.Errorf("network revision %d after the subnet's %s, want more than %d", now, what, last)
		} else {
			last = now
		}
		if _, ok := e.Journaled("NETWORK", netID); !ok {
			t.Errorf("%s: the network's new revision was not journaled: %+v", what, e.Changes)
		}
	}
	sub, err := e.Create("subnets", map[string]any{"network_id": netID, "cidr": "10.4.0.0/24", "ip_version": 4})
	step("create", err)
	_, err = e.Update("subnets", sub["id"].(string), map[string]any{"name": "renamed"})
	step("update", err)
	step("delete", e.Delete("subnets", sub["id"].(string)))
}

// TestPortDeleteReleasesMAC: deleting a port frees its MAC on its network, found by the MAC
// table's primary key; a row that does not hold the address the port's document shows (as a
// hand-edited database could leave) is freed too, by port id.
func TestPortDeleteReleasesMAC(t *testing.T) {
	e := plugintest.New(t)
	net := e.MustCreate("networks", map[string]any{"name": "n"})["id"].(string)
	for _, tc := range []struct {
		name, mac, rowMAC string // rowMAC: what the MAC table holds for the port, when not mac
	}{
		{"as recorded", "fa:16:3e:00:00:01", ""},
		{"a row the document does not name", "fa:16:3e:00:00:02", "fa:16:3e:00:00:03"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := e.MustCreate("ports", map[string]any{"network_id": net, "mac_address": tc.mac})
			id := p["id"].(string)
			freed := tc.mac
			if tc.rowMAC != "" {
				ctx := t.Context()
				err := e.DB.Write(ctx, func(tx *db.Tx) error {
					_, err := tx.Exec(ctx, "UPDATE mac_addresses SET mac_address = ? WHERE port_id = ?", tc.rowMAC, id)
					return err
				})
				if err != nil {
					t.Fatal(err)
				}
				freed = tc.rowMAC
			}
			if _, err := e.Create("ports", map[string]any{"network_id": net, "mac_address": freed}); err == nil {
				t.Fatalf("MAC %s is free while its port exists", freed)
			}
			if err := e.Delete("ports", id); err != nil {
				t.Fatal(err)
			}
			if _, err := e.Create("ports", map[string]any{"network_id": net, "mac_address": freed}); err != nil {
				t.Errorf("the deleted port's MAC %s is still taken: %v", freed, err)
			}
		})
	}
}

// TestPortDefaultGroupAfterItChanged: a port created without groups gets its project's
// default group even when the one the plugin last gave that project is gone: deleted, or
// made by a create that rolled back.
func TestPortDefaultGroupAfterItChanged(t *testing.T) {
	e := plugintest.New(t)
	net := e.MustCreate("networks", map[string]any{"name": "n"})["id"].(string)
	defaultOf := func(t *testing.T, project string) string {
		t.Helper()
		d, err := e.Create("ports", map[string]any{"network_id": net, "tenant_id": project})
		if err != nil {
			t.Fatalf("create a port of %s: %v", project, err)
		}
		p := model.MustDecode[model.Port](d)
		if len(p.SecurityGroups) != 1 {
			t.Fatalf("security_groups %v, want the project's default group", p.SecurityGroups)
		}
		sg := e.Get("security_groups", p.SecurityGroups[0])
		if sg == nil || sg["name"] != "default" || sg["tenant_id"] != project {
			t.Fatalf("the port's group %s is %v, want project %s's default group", p.SecurityGroups[0], sg, project)
		}
		if err := e.Delete("ports", p.ID); err != nil {
			t.Fatal(err)
		}
		return p.SecurityGroups[0]
	}
	t.Run("deleted", func(t *testing.T) {
		first := defaultOf(t, "p-deleted")
		if again := defaultOf(t, "p-deleted"); again != first {
			t.Fatalf("a second port got group %s, want the default %s", again, first)
		}
		if err := e.Delete("security_groups", first); err != nil {
			t.Fatal(err)
		}
		if next := defaultOf(t, "p-deleted"); next == first {
			t.Fatalf("the port got the deleted group %s", first)
		}
	})
	t.Run("rolled back", func(t *testing.T) {
		// This create fails after the port's groups were settled (a project's first port
		// makes its default group), so its default group goes with it.
		_, err := e.Create("ports", map[string]any{"network_id": net, "tenant_id": "p-rolled-back",
			"extra_dhcp_opts": []any{map[string]any{"opt_name": "mtu", "opt_value": ""}}})
		if f, ok := fault.As(err); !ok || !strings.Contains(f.Message, "No valid key specs") {
			t.Fatalf("create with an empty DHCP option = %v, want InvalidInput", err)
		}
		defaultOf(t, "p-rolled-back")
	})
}

// TestExpandEmbedsEachGroupsRules: the groups of a list get their own rules, whether Expand
// reads them by the groups' ids (a page) or reads every rule (many groups).
func TestExpandEmbedsEachGroupsRules(t *testing.T) {
	e := plugintest.New(t)
	var groups []db.Doc
	want := map[string]int{}
	for i := range 4 {
		g := e.MustCreate("security_groups", map[string]any{"name": "g"})
		id := g["id"].(string)
		want[id] = 2 // the two egress rules of a new group
		for k := range i {
			e.MustCreate("security_group_rules", map[string]any{"security_group_id": id, "direction": "ingress",
				"protocol": "tcp", "port_range_min": 100 + k, "port_range_max": 100 + k})
			want[id]++
		}
		groups = append(groups, db.Doc{"id": id})
	}
	for _, tc := range []struct {
		name   string
		groups []db.Doc
	}{
		{"one group", groups[3:]},
		{"a page", groups[1:]},
		{"more than expandByParent", append(append([]db.Doc{}, groups...), manyGroups(501)...)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var sgs *core.SecurityGroups
			for _, c := range e.Core.Collections() {
				if g, ok := c.(*core.SecurityGroups); ok {
					sgs = g
				}
			}
			err := e.DB.Read(t.Context(), func(tx *db.Tx) error { return sgs.Expand(t.Context(), tx, tc.groups) })
			if err != nil {
				t.Fatal(err)
			}
			for _, g := range tc.groups {
				id := g["id"].(string)
				rules := g["security_group_rules"].([]any)
				if len(rules) != want[id] {
					t.Errorf("group %s has %d rules, want %d", id, len(rules), want[id])
				}
				for _, r := range rules {
					if sid := r.(map[string]any)["security_group_id"]; sid != id {
						t.Errorf("group %s embeds a rule of group %v", id, sid)
					}
				}
			}
		})
	}
}

// manyGroups are n documents of groups that do not exist (and have no rules).
func manyGroups(n int) []db.Doc {
	out := make([]db.Doc, n)
	for i := range out {
		out[i] = db.Doc{"id": "none-" + strings.Repeat("x", i%7) + string(rune('a'+i%26))}
	}
	return out
}
