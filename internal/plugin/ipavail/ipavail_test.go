package ipavail_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/midonet-go/midonet/internal/db"
	"github.com/midonet-go/midonet/internal/plugin/ipavail"
	"github.com/midonet-go/midonet/internal/testutil/plugintest"
)

// TestAvailability: totals are the allocation pools' sizes (an IPv6 /64 beyond 64 bits is a
// big number), used counts the ports' fixed IPs per subnet, and ip_version narrows a list.
func TestAvailability(t *testing.T) {
	e := plugintest.New(t)
	ctx := context.Background()
	net := e.MustCreate("networks", map[string]any{"name": "n"})["id"].(string)
	empty := e.MustCreate("networks", map[string]any{"name": "empty"})["id"].(string)
	v4 := e.MustCreate("subnets", map[string]any{"network_id": net, "cidr": "10.9.0.0/28", "ip_version": 4})["id"].(string)
	e.MustCreate("subnets", map[string]any{"network_id": net, "cidr": "2001:db8::/64", "ip_version": 6, "gateway_ip": "2001:db8::1"})
	e.MustCreate("ports", map[string]any{"network_id": net})
	e.MustCreate("ports", map[string]any{"network_id": net, "fixed_ips": []any{map[string]any{"subnet_id": v4}}})

	c := ipavail.Collection{}
	var got, none db.Doc
	var v4only, all []db.Doc
	err := e.DB.Read(ctx, func(tx *db.Tx) error {
		var err error
		if got, err = c.Get(ctx, tx, net); err != nil {
			return err
		}
		if none, err = c.Get(ctx, tx, "00000000-0000-0000-0000-000000000000"); err != nil {
			return err
		}
		if v4only, err = c.List(ctx, tx, e.Caller, map[string][]string{"ip_version": {"4"}}); err != nil {
			return err
		}
		all, err = c.List(ctx, tx, e.Caller, nil)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if none != nil {
		t.Errorf("a missing network has an availability: %v", none)
	}
	// /28: 13 in the pool; /64 with the gateway at ::1: 2^64 - 2. Two ports on v4, one on v6.
	if got["total_ips"] != json.Number("18446744073709551627") || got["used_ips"] != 3 {
		t.Errorf("network totals %v / %v, want 18446744073709551627 / 3", got["total_ips"], got["used_ips"])
	}
	subs := got["subnet_ip_availability"].([]any)
	if len(subs) != 2 {
		t.Fatalf("subnets %v", subs)
	}
	for _, s := range subs {
		m := s.(map[string]any)
		switch m["cidr"] {
		case "10.9.0.0/28":
			if m["total_ips"] != json.Number("13") || m["used_ips"] != 2 {
				t.Errorf("v4 subnet %v", m)
			}
		case "2001:db8::/64":
			if m["total_ips"] != json.Number("18446744073709551614") || m["used_ips"] != 1 {
				t.Errorf("v6 subnet %v", m)
			}
		}
	}
	if len(v4only) != 1 || len(v4only[0]["subnet_ip_availability"].([]any)) != 1 || v4only[0]["total_ips"] != json.Number("13") {
		t.Errorf("ip_version=4 list %v", v4only)
	}
	found := false
	for _, d := range all {
		if d["network_id"] == empty {
			found = d["total_ips"] == json.Number("0") && d["used_ips"] == 0
		}
	}
	if !found {
		t.Errorf("the network without subnets is missing or not empty: %v", all)
	}
}
