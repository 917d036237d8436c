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
