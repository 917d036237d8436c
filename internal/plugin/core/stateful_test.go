package core_test

import (
	"testing"

	"github.com/midonet-go/midonet/internal/fault"
	"github.com/midonet-go/midonet/internal/testutil/plugintest"
)

// TestStatefulSecurityGroup: a group's statefulness changes only while no port uses it.
func TestStatefulSecurityGroup(t *testing.T) {
	e := plugintest.New(t)
	sg := e.MustCreate("security_groups", map[string]any{"name": "g"})
	id := sg["id"].(string)
	if sg["stateful"] != true {
		t.Fatalf("a new group's stateful = %v, want true", sg["stateful"])
	}
	d, err := e.Update("security_groups", id, map[string]any{"stateful": false})
	if err != nil || d["stateful"] != false {
		t.Fatalf("unused group made stateless: %v, %v", d, err)
	}
	net := e.MustCreate("networks", map[string]any{"name": "n"})["id"].(string)
	e.MustCreate("ports", map[string]any{"network_id": net, "security_groups": []any{id}})
	_, err = e.Update("security_groups", id, map[string]any{"stateful": true})
	if f, ok := fault.As(err); !ok || f.Status != 409 || f.Type != "SecurityGroupInUse" {
		t.Fatalf("changing a used group = %v, want 409 SecurityGroupInUse", err)
	}
	if _, err := e.Update("security_groups", id, map[string]any{"stateful": false, "name": "renamed"}); err != nil {
		t.Errorf("an update that keeps statefulness was refused: %v", err)
	}
}

// TestMACRegenerate: mac_address null gives the port a new MAC, recorded as the network's;
// an update without it keeps the MAC (port-mac-address-regenerate).
func TestMACRegenerate(t *testing.T) {
	e := plugintest.New(t)
	net := e.MustCreate("networks", map[string]any{"name": "n"})["id"].(string)
	p := e.MustCreate("ports", map[string]any{"network_id": net})
	old := p["mac_address"].(string)
	d, err := e.Update("ports", p["id"].(string), map[string]any{"mac_address": nil})
	if err != nil {
		t.Fatal(err)
	}
	mac, _ := d["mac_address"].(string)
	if mac == "" || mac == old {
		t.Fatalf("MAC after regenerate = %q (was %q)", mac, old)
	}
	d, err = e.Update("ports", p["id"].(string), map[string]any{"description": "x"})
	if err != nil || d["mac_address"] != mac {
		t.Fatalf("an unrelated update changed the MAC: %v, %v", d["mac_address"], err)
	}
	// The old MAC is free again: another port may take it.
	if _, err := e.Create("ports", map[string]any{"network_id": net, "mac_address": old}); err != nil {
		t.Errorf("the released MAC is still taken: %v", err)
	}
	if _, err := e.Create("ports", map[string]any{"network_id": net, "mac_address": mac}); err == nil {
		t.Error("the new MAC is not recorded as taken")
	}
}
