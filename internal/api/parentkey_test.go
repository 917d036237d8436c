package api

import (
	"fmt"
	"testing"
)

// TestAddParentNames: addParent names each parent attribute "<member>:<attribute>", leaves out
// the hidden ones, and still names them right once parentKey's memory is full.
func TestAddParentNames(t *testing.T) {
	for i := range maxParentKeys + 10 {
		k := fmt.Sprintf("attr%d", i)
		if got := parentKey("network", k); got != "network:"+k {
			t.Fatalf("parentKey(network, %s) = %q", k, got)
		}
	}
	target := map[string]any{"id": "p1"}
	addParent(target, "network", map[string]any{"tenant_id": "t1", "shared": true, "_hidden": "x", "attr5000": 1})
	want := map[string]any{"id": "p1", "network:tenant_id": "t1", "network:shared": true, "network:attr5000": 1}
	if len(target) != len(want) {
		t.Fatalf("target %v, want %v", target, want)
	}
	for k, v := range want {
		if target[k] != v {
			t.Errorf("target[%q] = %v, want %v", k, target[k], v)
		}
	}
}
