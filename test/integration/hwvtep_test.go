package integration

import (
	"context"
	"fmt"
	"net"
	"strconv"
	"testing"
	"time"

	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/networks"

	"github.com/midonet-go/midonet/internal/ovsdb"
	"github.com/midonet-go/midonet/internal/testutil/ovsdbtest"
	"github.com/midonet-go/midonet/internal/vtep"
	"github.com/midonet-go/midonet/test/testenv"
)

// vtepView is the part of a hardware VTEP's database the test reads: logical switches with
// their tunnel keys, and port p1's VLAN bindings by switch name.
func vtepView(ctx context.Context, c *ovsdb.Client) (map[string]int, map[int]string, error) {
	res, err := c.Transact(ctx, vtep.DB, ovsdb.Operation{Op: "select", Table: "Logical_Switch"},
		ovsdb.Operation{Op: "select", Table: "Physical_Port", Where: []ovsdb.Condition{ovsdb.Equal("name", "p1")}})
	if err != nil {
		return nil, nil, err
	}
	switches, names := map[string]int{}, map[string]string{}
	for _, r := range res[0].Rows {
		k, _ := r["tunnel_key"].(float64)
		switches[r["name"].(string)] = int(k)
		names[fmt.Sprint(r["_uuid"].([]any)[1])] = r["name"].(string)
	}
	bindings := map[int]string{}
	for _, r := range res[1].Rows {
		for _, p := range r["vlan_bindings"].([]any)[1].([]any) {
			kv := p.([]any)
			bindings[int(kv[0].(float64))] = names[fmt.Sprint(kv[1].([]any)[1])]
		}
	}
	return switches, bindings, nil
}

// TestHardwareVtepConnection: a hw_vtep gateway device whose management address is a real
// ovsdb-server (hardware_vtep schema) on loopback TCP, seeded as a switch with port p1. An
// L2 gateway on it binding p1 VLAN 100 and a connection of a network with segmentation id
// 5000 make `midonet serve`'s hardware VTEP service create logical switch mn-<network>
// with tunnel key 5000 and bind p1 VLAN 100 to it; deleting the connection removes both.
// SQLite and PostgreSQL.
func TestHardwareVtepConnection(t *testing.T) {
	t.Parallel()
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			ovs := ovsdbtest.StartTCP(t)
			srv := testenv.StartServer(t, testenv.Options{Postgres: b.postgres, Config: "[DEFAULT]\nauth_strategy = noauth\n[MIDONET]\nvxgw_sync_interval = 1\n"})
			e := &env{srv: srv}
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			c, err := ovsdb.Dial(ctx, "tcp", ovs.TCP)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			if _, err := c.Transact(ctx, vtep.DB,
				ovsdb.Operation{Op: "insert", Table: "Physical_Port", UUIDName: "p1", Row: map[string]any{"name": "p1"}},
				ovsdb.Operation{Op: "insert", Table: "Physical_Switch", UUIDName: "sw", Row: map[string]any{"name": "tor1", "ports": ovsdb.Set(ovsdb.NamedUUID("p1"))}},
				ovsdb.Operation{Op: "insert", Table: "Global", Row: map[string]any{"switches": ovsdb.Set(ovsdb.NamedUUID("sw"))}},
			); err != nil {
				t.Fatal(err)
			}
			host, port, _ := net.SplitHostPort(ovs.TCP)
			pn, _ := strconv.Atoi(port)
			admin := e.admin("it-hwvtep")
			net1 := createNetwork(t, admin, networks.CreateOpts{Name: "hw-net"})
			dev := gwMust(t, admin, map[string]any{"name": "tor1", "type": "hw_vtep", "management_ip": host, "management_port": pn})
			if dev["management_protocol"] != "ovsdb" {
				t.Fatalf("device %v", dev)
			}
			gw, err := l2gwPost(t, admin, "l2-gateways", "l2_gateway", map[string]any{"name": "tor1", "devices": []any{map[string]any{
				"device_id": dev["id"], "interfaces": []any{map[string]any{"name": "p1", "segmentation_id": []any{100}}}}}})
			must(t, err)
			conn, err := l2gwPost(t, admin, "l2-gateway-connections", "l2_gateway_connection", map[string]any{
				"l2_gateway_id": gw["id"], "network_id": net1.ID, "segmentation_id": "5000"})
			must(t, err)

			ls := vtep.LogicalSwitch(net1.ID)
			waitFor := func(what string, ok func(map[string]int, map[int]string) bool) {
				t.Helper()
				var switches map[string]int
				var bindings map[int]string
				for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
					if switches, bindings, err = vtepView(ctx, c); err == nil && ok(switches, bindings) {
						return
					}
				}
				t.Fatalf("%s: the VTEP holds switches %v, p1 bindings %v (err %v)", what, switches, bindings, err)
			}
			waitFor("after the connection", func(s map[string]int, b map[int]string) bool {
				return s[ls] == 5000 && b[100] == ls && len(b) == 1
			})
			must(t, gwDelete(t, admin, "l2-gateway-connections/"+conn["id"].(string)))
			waitFor("after the connection's delete", func(s map[string]int, b map[int]string) bool {
				_, there := s[ls]
				return !there && len(b) == 0
			})
		})
	}
}
