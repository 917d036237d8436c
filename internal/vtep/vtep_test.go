package vtep_test

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/midonet-go/midonet/internal/ovsdb"
	"github.com/midonet-go/midonet/internal/testutil/ovsdbtest"
	"github.com/midonet-go/midonet/internal/vtep"
)

// switchState is what a hardware VTEP's database says about its logical switches, read back
// independently of the package under test.
type switchState struct {
	switches map[string]int               // name → tunnel key
	bindings map[string]map[int]string    // port → vlan → logical switch name
	ucast    map[string]map[string]string // logical switch → MAC → "ip@locator"
	flood    map[string][]string          // logical switch → unknown-dst locators
}

func readState(t *testing.T, c *ovsdb.Client) switchState {
	t.Helper()
	sel := func(table string) ovsdb.Operation { return ovsdb.Operation{Op: "select", Table: table} }
	res, err := c.Transact(context.Background(), vtep.DB, sel("Logical_Switch"), sel("Physical_Port"), sel("Physical_Locator"),
		sel("Ucast_Macs_Remote"), sel("Mcast_Macs_Remote"), sel("Physical_Locator_Set"))
	if err != nil {
		t.Fatal(err)
	}
	id := func(v any) string { return fmt.Sprint(v.([]any)[1]) }
	lsName, locIP := map[string]string{}, map[string]string{}
	st := switchState{switches: map[string]int{}, bindings: map[string]map[int]string{}, ucast: map[string]map[string]string{}, flood: map[string][]string{}}
	for _, r := range res[0].Rows {
		lsName[id(r["_uuid"])] = r["name"].(string)
		k := -1
		if f, ok := r["tunnel_key"].(float64); ok {
			k = int(f)
		}
		st.switches[r["name"].(string)] = k
	}
	for _, r := range res[1].Rows {
		m := map[int]string{}
		for _, p := range r["vlan_bindings"].([]any)[1].([]any) {
			kv := p.([]any)
			m[int(kv[0].(float64))] = lsName[id(kv[1])]
		}
		st.bindings[r["name"].(string)] = m
	}
	for _, r := range res[2].Rows {
		locIP[id(r["_uuid"])] = r["dst_ip"].(string)
	}
	for _, r := range res[3].Rows {
		ls := lsName[id(r["logical_switch"])]
		if st.ucast[ls] == nil {
			st.ucast[ls] = map[string]string{}
		}
		st.ucast[ls][r["MAC"].(string)] = r["ipaddr"].(string) + "@" + locIP[id(r["locator"])]
	}
	sets := map[string][]string{}
	for _, r := range res[5].Rows {
		var ips []string
		v := r["locators"].([]any)
		if v[0] == "uuid" {
			ips = append(ips, locIP[id(v)])
		} else {
			for _, x := range v[1].([]any) {
				ips = append(ips, locIP[id(x)])
			}
		}
		sort.Strings(ips)
		sets[id(r["_uuid"])] = ips
	}
	for _, r := range res[4].Rows {
		ls := lsName[id(r["logical_switch"])]
		st.flood[ls] = append(st.flood[ls], r["MAC"].(string)+"→"+strings.Join(sets[id(r["locator_set"])], ","))
	}
	return st
}

// TestSyncAgainstOvsdbServer: a real ovsdb-server with the hardware_vtep schema, seeded as a
// switch would seed it (one Physical_Switch with ports p1 and p2, and a logical switch of
// someone else's bound on p2 VLAN 7). Sync creates the network's logical switch with the
// VNI, binds p1 VLAN 100, writes a Ucast_Macs_Remote row per MidoNet MAC through the
// locator of its host, and the unknown-dst flood row; a second Sync changes nothing; a
// changed binding moves what changed; an empty one removes everything MidoNet made and
// leaves the other logical switch and its binding.
func TestSyncAgainstOvsdbServer(t *testing.T) {
	srv := ovsdbtest.Start(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	c, err := ovsdb.Dial(ctx, "unix", srv.Socket)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Transact(ctx, vtep.DB,
		ovsdb.Operation{Op: "insert", Table: "Logical_Switch", UUIDName: "other", Row: map[string]any{"name": "other", "tunnel_key": 7}},
		ovsdb.Operation{Op: "insert", Table: "Physical_Port", UUIDName: "p1", Row: map[string]any{"name": "p1"}},
		ovsdb.Operation{Op: "insert", Table: "Physical_Port", UUIDName: "p2", Row: map[string]any{"name": "p2",
			"vlan_bindings": ovsdb.Map(map[int]any{7: ovsdb.NamedUUID("other")}, func(a, b int) bool { return a < b })}},
		ovsdb.Operation{Op: "insert", Table: "Physical_Switch", UUIDName: "sw", Row: map[string]any{"name": "sw1",
			"ports": ovsdb.Set(ovsdb.NamedUUID("p1"), ovsdb.NamedUUID("p2")), "tunnel_ips": ovsdb.Set("192.0.2.1")}},
		ovsdb.Operation{Op: "insert", Table: "Global", Row: map[string]any{"switches": ovsdb.Set(ovsdb.NamedUUID("sw"))}},
	); err != nil {
		t.Fatal(err)
	}
	const net = "3f0c5a9e-1b2d-4c3e-9f10-aa0000000001"
	ls := vtep.LogicalSwitch(net)
	b := vtep.Binding{NetworkID: net, VNI: 5000, Ports: []vtep.PortVLAN{{Port: "p1", VLAN: 100}},
		MACs: []vtep.RemoteMAC{{MAC: "fa:16:3e:00:00:01", IP: "10.0.1.10", TunnelIP: "198.51.100.1"},
			{MAC: "fa:16:3e:00:00:02", TunnelIP: "198.51.100.2"}},
		Flood: []string{"198.51.100.1"}}
	n, err := vtep.Sync(ctx, c, []vtep.Binding{b})
	if err != nil || n == 0 {
		t.Fatalf("first sync: %d operations, %v", n, err)
	}
	st := readState(t, c)
	if st.switches[ls] != 5000 || st.switches["other"] != 7 {
		t.Errorf("logical switches %v", st.switches)
	}
	if fmt.Sprint(st.bindings["p1"]) != fmt.Sprintf("map[100:%s]", ls) || fmt.Sprint(st.bindings["p2"]) != "map[7:other]" {
		t.Errorf("port bindings %v", st.bindings)
	}
	if fmt.Sprint(st.ucast[ls]) != "map[fa:16:3e:00:00:01:10.0.1.10@198.51.100.1 fa:16:3e:00:00:02:@198.51.100.2]" {
		t.Errorf("remote MACs %v", st.ucast)
	}
	if fmt.Sprint(st.flood[ls]) != "[unknown-dst→198.51.100.1]" {
		t.Errorf("flood rows %v", st.flood)
	}

	if n, err := vtep.Sync(ctx, c, []vtep.Binding{b}); err != nil || n != 0 {
		t.Fatalf("second sync of the same binding: %d operations, %v", n, err)
	}

	b.VNI = 5001
	b.Ports = []vtep.PortVLAN{{Port: "p2", VLAN: 200}}
	b.MACs = []vtep.RemoteMAC{{MAC: "fa:16:3e:00:00:02", TunnelIP: "198.51.100.3"}, {MAC: "fa:16:3e:00:00:03", IP: "10.0.1.30", TunnelIP: "198.51.100.3"}}
	b.Flood = []string{"198.51.100.1", "198.51.100.3"}
	if _, err := vtep.Sync(ctx, c, []vtep.Binding{b}); err != nil {
		t.Fatal(err)
	}
	st = readState(t, c)
	if st.switches[ls] != 5001 || len(st.bindings["p1"]) != 0 || fmt.Sprint(st.bindings["p2"]) != fmt.Sprintf("map[7:other 200:%s]", ls) {
		t.Errorf("after the change: switches %v bindings %v", st.switches, st.bindings)
	}
	if fmt.Sprint(st.ucast[ls]) != "map[fa:16:3e:00:00:02:@198.51.100.3 fa:16:3e:00:00:03:10.0.1.30@198.51.100.3]" {
		t.Errorf("remote MACs after the change %v", st.ucast)
	}
	if fmt.Sprint(st.flood[ls]) != "[unknown-dst→198.51.100.1,198.51.100.3]" {
		t.Errorf("flood rows after the change %v", st.flood)
	}

	if _, err := vtep.Sync(ctx, c, nil); err != nil {
		t.Fatal(err)
	}
	st = readState(t, c)
	if _, ok := st.switches[ls]; ok || st.switches["other"] != 7 || len(st.ucast) != 0 || len(st.flood) != 0 {
		t.Errorf("after removing the binding: switches %v ucast %v flood %v", st.switches, st.ucast, st.flood)
	}
	if len(st.bindings["p1"]) != 0 || fmt.Sprint(st.bindings["p2"]) != "map[7:other]" {
		t.Errorf("port bindings after removing the binding %v", st.bindings)
	}
}
