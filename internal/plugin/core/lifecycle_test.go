package core_test

import (
	"context"
	"net/netip"
	"testing"

	"github.com/midonet-go/midonet/internal/db"
	"github.com/midonet-go/midonet/internal/model"
	"github.com/midonet-go/midonet/internal/testutil/plugintest"
)

// pooled makes a network with one IPv4 subnet on cidr whose allocation pool is [start, end].
func pooled(t *testing.T, e *plugintest.Env, cidr, start, end string) (netID, subID string) {
	t.Helper()
	n := e.MustCreate("networks", map[string]any{"name": "net-" + cidr})
	s := e.MustCreate("subnets", map[string]any{"network_id": n["id"], "cidr": cidr, "ip_version": 4,
		"allocation_pools": []any{map[string]any{"start": start, "end": end}}})
	return n["id"].(string), s["id"].(string)
}

// allocations reads the address allocations of a subnet: address → port.
func allocations(t *testing.T, e *plugintest.Env, subnetID string) map[string]string {
	t.Helper()
	out := map[string]string{}
	ctx := context.Background()
	err := e.DB.Read(ctx, func(tx *db.Tx) error {
		rows, err := tx.Query(ctx, "SELECT ip_address, port_id FROM ip_allocations WHERE subnet_id = ?", subnetID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var ip, port string
			if err := rows.Scan(&ip, &port); err != nil {
				return err
			}
			out[ip] = port
		}
		return rows.Err()
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// revision is a document's revision_number.
func revision(t *testing.T, d map[string]any) int64 {
	t.Helper()
	n, ok := model.Int(d["revision_number"])
	if !ok {
		t.Fatalf("revision_number = %#v", d["revision_number"])
	}
	return n
}

// TestLifecycle: every core collection through the plugin — a create journals a CREATE task
// of the collection's data type with the stored document, an update bumps revision_number and
// journals an UPDATE, a delete removes the document and journals a DELETE.
func TestLifecycle(t *testing.T) {
	e := plugintest.New(t)
	netID, subID := pooled(t, e, "10.10.0.0/24", "10.10.0.10", "10.10.0.100")
	sg := e.MustCreate("security_groups", map[string]any{"name": "for-rules"})
	cases := []struct {
		collection, dataType string
		body, change         map[string]any
	}{
		{"networks", "NETWORK", map[string]any{"name": "n"}, map[string]any{"name": "n2"}},
		{"subnets", "SUBNET", map[string]any{"network_id": netID, "cidr": "10.11.0.0/24", "ip_version": 4}, map[string]any{"name": "s2"}},
		{"subnetpools", "SUBNETPOOL", map[string]any{"name": "p", "prefixes": []any{"10.90.0.0/16"}, "default_prefixlen": 24}, map[string]any{"name": "p2"}},
		{"ports", "PORT", map[string]any{"network_id": netID}, map[string]any{"name": "p2"}},
		{"security_groups", "SECURITYGROUP", map[string]any{"name": "g"}, map[string]any{"name": "g2"}},
		{"security_group_rules", "SECURITYGROUPRULE", map[string]any{"security_group_id": sg["id"], "direction": "ingress", "protocol": "udp"},
			map[string]any{"description": "dns"}},
	}
	for _, tc := range cases {
		t.Run(tc.collection, func(t *testing.T) {
			d, err := e.Create(tc.collection, tc.body)
			if err != nil {
				t.Fatalf("create: %v", err)
			}
			id := d["id"].(string)
			ch, ok := e.Journaled(tc.dataType, id)
			if !ok || ch.Type != "CREATE" || ch.TaskID == 0 || ch.TenantID != "p1" || ch.Data["id"] != id {
				t.Fatalf("journal after create %+v, want a CREATE task of %s %s", e.Changes, tc.dataType, id)
			}
			stored := e.Get(tc.collection, id)
			if stored == nil || stored["project_id"] != "p1" {
				t.Fatalf("stored %v, want the new document of project p1", stored)
			}
			rev := revision(t, stored)
			u, err := e.Update(tc.collection, id, tc.change)
			if err != nil {
				t.Fatalf("update: %v", err)
			}
			for k, v := range tc.change {
				if u[k] != v || e.Get(tc.collection, id)[k] != v {
					t.Errorf("after the update %s = %v (stored %v), want %v", k, u[k], e.Get(tc.collection, id)[k], v)
				}
			}
			if got := revision(t, e.Get(tc.collection, id)); got <= rev {
				t.Errorf("revision_number %d after an update, want more than %d", got, rev)
			}
			if ch, ok := e.Journaled(tc.dataType, id); !ok || ch.Type != "UPDATE" || ch.TaskID == 0 {
				t.Errorf("journal after update %+v, want an UPDATE task", e.Changes)
			}
			if err := e.Delete(tc.collection, id); err != nil {
				t.Fatalf("delete: %v", err)
			}
			if e.Get(tc.collection, id) != nil {
				t.Error("the document outlived its delete")
			}
			if ch, ok := e.Journaled(tc.dataType, id); !ok || ch.Type != "DELETE" || ch.TaskID == 0 {
				t.Errorf("journal after delete %+v, want a DELETE task", e.Changes)
			}
		})
	}
	// The subnet of the fixture is still whole: nothing above touched it.
	if s := e.Get("subnets", subID); s == nil {
		t.Error("the fixture subnet went")
	}
}

// TestPortAddresses: a port's address and MAC are recorded as allocations, a port is refused
// a taken MAC, a full pool refuses the next port, and a deleted port gives its address back.
func TestPortAddresses(t *testing.T) {
	e := plugintest.New(t)
	// A /29 whose pool is three addresses (.2–.4); .6 stays outside it.
	netID, subID := pooled(t, e, "10.20.0.0/29", "10.20.0.2", "10.20.0.4")
	var held []model.Port
	for range 3 {
		p := model.MustDecode[model.Port](e.MustCreate("ports", map[string]any{"network_id": netID}))
		if ip := p.FixedIPs[0].Addr(); ip.Compare(netip.MustParseAddr("10.20.0.2")) < 0 || ip.Compare(netip.MustParseAddr("10.20.0.4")) > 0 {
			t.Fatalf("address %s outside the pool .2–.4", ip)
		}
		held = append(held, p)
	}
	alloc := allocations(t, e, subID)
	if len(alloc) != 3 {
		t.Fatalf("allocations %v, want the three ports'", alloc)
	}
	for _, p := range held {
		if alloc[p.FixedIPs[0].IPAddress] != p.ID {
			t.Errorf("allocation of %s = %q, want port %s", p.FixedIPs[0].IPAddress, alloc[p.FixedIPs[0].IPAddress], p.ID)
		}
	}
	_, err := e.Create("ports", map[string]any{"network_id": netID})
	plugintest.WantFault(t, "a port on a full pool", err, 409, "IpAddressGenerationFailure")
	// An address outside the pool is still given on request.
	e.MustCreate("ports", map[string]any{"network_id": netID, "fixed_ips": []any{map[string]any{"subnet_id": subID, "ip_address": "10.20.0.6"}}})
	_, err = e.Create("ports", map[string]any{"network_id": netID, "fixed_ips": []any{}, "mac_address": held[0].MACAddress})
	plugintest.WantFault(t, "a taken MAC", err, 409, "MacAddressInUse")
	// The same MAC on another network is fine.
	other, _ := pooled(t, e, "10.21.0.0/24", "10.21.0.10", "10.21.0.100")
	e.MustCreate("ports", map[string]any{"network_id": other, "mac_address": held[0].MACAddress})

	if err := e.Delete("ports", held[1].ID); err != nil {
		t.Fatal(err)
	}
	freed := held[1].FixedIPs[0].IPAddress
	if _, still := allocations(t, e, subID)[freed]; still {
		t.Errorf("%s still allocated after its port went", freed)
	}
	p := model.MustDecode[model.Port](e.MustCreate("ports", map[string]any{"network_id": netID}))
	if p.FixedIPs[0].IPAddress != freed {
		t.Errorf("the next port got %s, want the freed %s", p.FixedIPs[0].IPAddress, freed)
	}
}

// TestSubnetDelete: a subnet with a user's port is refused; one whose only port is a DHCP
// port goes, taking the port's address on it; a network goes with its subnets.
func TestSubnetDelete(t *testing.T) {
	e := plugintest.New(t)
	netID, subID := pooled(t, e, "10.30.0.0/24", "10.30.0.10", "10.30.0.100")
	vm := e.MustCreate("ports", map[string]any{"network_id": netID, "device_owner": "compute:nova"})
	plugintest.WantFault(t, "a subnet with a VM port", e.Delete("subnets", subID), 409, "SubnetInUse")
	if e.Get("subnets", subID) == nil {
		t.Fatal("the refused delete removed the subnet")
	}
	if err := e.Delete("ports", vm["id"].(string)); err != nil {
		t.Fatal(err)
	}
	dhcp := model.MustDecode[model.Port](e.MustCreate("ports", map[string]any{"network_id": netID, "device_owner": model.OwnerDHCP}))
	if err := e.Delete("subnets", subID); err != nil {
		t.Fatalf("a subnet with only a DHCP port: %v", err)
	}
	if ch, ok := e.Journaled("SUBNET", subID); !ok || ch.Type != "DELETE" {
		t.Errorf("journal %+v, want the subnet's DELETE", e.Changes)
	}
	if p := model.MustDecode[model.Port](e.Get("ports", dhcp.ID)); len(p.FixedIPs) != 0 {
		t.Errorf("the DHCP port keeps %v on the deleted subnet", p.FixedIPs)
	}
	if len(allocations(t, e, subID)) != 0 {
		t.Error("allocations of the deleted subnet remain")
	}

	// A network with subnets and a DHCP port goes whole.
	netID, subID = pooled(t, e, "10.31.0.0/24", "10.31.0.10", "10.31.0.100")
	dhcp = model.MustDecode[model.Port](e.MustCreate("ports", map[string]any{"network_id": netID, "device_owner": model.OwnerDHCP}))
	if err := e.Delete("networks", netID); err != nil {
		t.Fatal(err)
	}
	for _, gone := range []struct{ collection, id string }{{"networks", netID}, {"subnets", subID}, {"ports", dhcp.ID}} {
		if e.Get(gone.collection, gone.id) != nil {
			t.Errorf("%s %s outlived its network", gone.collection, gone.id)
		}
	}
}

// TestSubnetValidation: the pools, gateway and prefixes a subnet create refuses.
func TestSubnetValidation(t *testing.T) {
	e := plugintest.New(t)
	netID, _ := pooled(t, e, "10.40.0.0/24", "10.40.0.10", "10.40.0.100")
	subnet := func(extra map[string]any) error {
		body := map[string]any{"network_id": netID, "cidr": "10.41.0.0/24", "ip_version": 4}
		for k, v := range extra {
			body[k] = v
		}
		_, err := e.Create("subnets", body)
		return err
	}
	pool := func(start, end string) []any { return []any{map[string]any{"start": start, "end": end}} }
	for _, tc := range []struct {
		name   string
		extra  map[string]any
		status int
		typ    string
	}{
		{"a pool outside the CIDR", map[string]any{"allocation_pools": pool("10.41.1.10", "10.41.1.20")}, 400, "OutOfBoundsAllocationPool"},
		{"a pool ending before it starts", map[string]any{"allocation_pools": pool("10.41.0.20", "10.41.0.10")}, 400, "InvalidAllocationPool"},
		{"overlapping pools", map[string]any{"allocation_pools": append(pool("10.41.0.10", "10.41.0.20"), pool("10.41.0.15", "10.41.0.30")...)}, 409, "OverlappingAllocationPools"},
		{"the gateway inside the pool", map[string]any{"gateway_ip": "10.41.0.15", "allocation_pools": pool("10.41.0.10", "10.41.0.20")}, 409, "GatewayConflictWithAllocationPools"},
		{"a CIDR overlapping the network's subnet", map[string]any{"cidr": "10.40.0.0/25"}, 400, "InvalidInput"},
		{"too many name servers", map[string]any{"dns_nameservers": []any{"192.0.2.1", "192.0.2.2", "192.0.2.3", "192.0.2.4", "192.0.2.5", "192.0.2.6"}}, 400, "DNSNameServersExhausted"},
	} {
		t.Run(tc.name, func(t *testing.T) { plugintest.WantFault(t, tc.name, subnet(tc.extra), tc.status, tc.typ) })
	}
	// What a default subnet gets.
	s := model.MustDecode[model.Subnet](e.MustCreate("subnets", map[string]any{"network_id": netID, "cidr": "10.42.0.0/24", "ip_version": 4}))
	if s.GatewayIP != "10.42.0.1" || len(s.AllocationPools) != 1 || s.AllocationPools[0].Start != "10.42.0.2" || s.AllocationPools[0].End != "10.42.0.254" {
		t.Errorf("default subnet: gateway %q pools %+v, want .1 and .2–.254", s.GatewayIP, s.AllocationPools)
	}
}

// TestSubnetPools: subnets from a pool get disjoint prefixes of the default length inside it,
// an explicit CIDR outside the pool is refused, a pool in use cannot go, and a pool naming an
// address scope that does not exist is refused.
func TestSubnetPools(t *testing.T) {
	e := plugintest.New(t)
	pool := e.MustCreate("subnetpools", map[string]any{"name": "p", "prefixes": []any{"10.50.0.0/24"}, "default_prefixlen": 26})
	poolID := pool["id"].(string)
	netID := e.MustCreate("networks", map[string]any{"name": "n"})["id"].(string)
	whole := netip.MustParsePrefix("10.50.0.0/24")
	var got []netip.Prefix
	for range 4 {
		s := model.MustDecode[model.Subnet](e.MustCreate("subnets", map[string]any{"network_id": netID, "subnetpool_id": poolID, "ip_version": 4}))
		p := netip.MustParsePrefix(s.CIDR)
		if p.Bits() != 26 || !whole.Contains(p.Addr()) || s.SubnetPoolID != poolID {
			t.Fatalf("subnet %s (pool %q), want a /26 of %s", s.CIDR, s.SubnetPoolID, whole)
		}
		for _, q := range got {
			if q.Overlaps(p) {
				t.Fatalf("%s overlaps %s", p, q)
			}
		}
		got = append(got, p)
	}
	_, err := e.Create("subnets", map[string]any{"network_id": netID, "subnetpool_id": poolID, "ip_version": 4})
	plugintest.WantFault(t, "a fifth /26 of a /24", err, 409, "SubnetAllocationError")
	_, err = e.Create("subnets", map[string]any{"network_id": netID, "subnetpool_id": poolID, "ip_version": 4, "cidr": "10.60.0.0/26"})
	plugintest.WantFault(t, "a CIDR outside the pool", err, 409, "SubnetAllocationError")
	plugintest.WantFault(t, "deleting a pool in use", e.Delete("subnetpools", poolID), 400, "SubnetPoolDeleteError")
	_, err = e.Create("subnetpools", map[string]any{"name": "scoped", "prefixes": []any{"10.70.0.0/16"}, "address_scope_id": "00000000-0000-4000-8000-000000000000"})
	plugintest.WantFault(t, "an unknown address scope", err, 404, "AddressScopeNotFound")
}

// TestSecurityGroups: a new group has Neutron's two egress rules, the project's default group
// is made with its first port and cannot be deleted, a group a port uses cannot go, and a
// rule naming a group that does not exist is refused.
func TestSecurityGroups(t *testing.T) {
	e := plugintest.New(t)
	g := e.MustCreate("security_groups", map[string]any{"name": "web"})
	if ch, ok := e.Journaled("SECURITYGROUP", g["id"].(string)); !ok || ch.Type != "CREATE" {
		t.Errorf("journal %+v, want the group's CREATE", e.Changes)
	}
	var rules []db.Doc
	ctx := context.Background()
	if err := e.DB.Read(ctx, func(tx *db.Tx) error {
		var err error
		rules, err = tx.List(ctx, "security_group_rules", db.Filter{ParentID: g["id"].(string)})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if len(rules) != 2 {
		t.Fatalf("a new group's rules %v, want the two egress rules", rules)
	}
	for _, r := range rules {
		rule := model.MustDecode[model.Rule](r)
		if rule.Direction != "egress" || rule.SecurityGroupID != g["id"] {
			t.Errorf("default rule %+v, want egress of the new group", rule)
		}
	}
	netID, _ := pooled(t, e, "10.80.0.0/24", "10.80.0.10", "10.80.0.100")
	p := model.MustDecode[model.Port](e.MustCreate("ports", map[string]any{"network_id": netID}))
	if len(p.SecurityGroups) != 1 {
		t.Fatalf("port groups %v, want the default group", p.SecurityGroups)
	}
	def := e.Get("security_groups", p.SecurityGroups[0])
	if def == nil || def["name"] != "default" || def["project_id"] != "p1" {
		t.Fatalf("the port's group %v, want project p1's default", def)
	}
	_, err := e.Create("security_groups", map[string]any{"name": "default"})
	plugintest.WantFault(t, "a second default group", err, 409, "SecurityGroupDefaultAlreadyExists")
	e.MustCreate("ports", map[string]any{"network_id": netID, "security_groups": []any{g["id"]}})
	plugintest.WantFault(t, "deleting a group a port uses", e.Delete("security_groups", g["id"].(string)), 409, "SecurityGroupInUse")
	_, err = e.Create("security_group_rules", map[string]any{"security_group_id": "00000000-0000-4000-8000-000000000000", "direction": "ingress"})
	plugintest.WantFault(t, "a rule of a group that does not exist", err, 404, "SecurityGroupNotFound")
	_, err = e.Create("security_group_rules", map[string]any{"security_group_id": g["id"], "direction": "ingress", "remote_group_id": g["id"], "remote_ip_prefix": "192.0.2.0/24"})
	plugintest.WantFault(t, "both a remote group and a prefix", err, 400, "SecurityGroupMultipleRemoteEntites")
}
