package agent

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/midonet-go/midonet/internal/topology"
)

// compactCases are JSON values the compact form must give back as json.Compact gives them.
var compactCases = []string{
	`{}`, `[]`, `null`, `true`, `false`, `0`, `7`, `-1`, `18446744073709551615`, `18446744073709551616`,
	`1.5`, `-0`, `1e9`, `2E-3`, `""`, `"x"`,
	`"0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0"`, `"0F1E2D3C-4B5A-4968-8776-A5B4C3D2E1F0"`,
	`"ports/0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0"`, `"OS_PORT_0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0_INBOUND"`,
	`"0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0/0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f1"`,
	`"0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f"`, `"0f1e2d3c_4b5a-4968-8776-a5b4c3d2e1f0"`,
	`"fa:16:3e:00:ab:ff"`, `"FA:16:3E:00:AB:FF"`, `"fa-16-3e-00-ab-ff"`, `"fa:16:3e:00:ab:fg"`,
	`"a \"quoted\" \\ \u00e9 \ud83d\ude00 \n"`, `"\u0030f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0"`,
	` { "a" : [ 1 , "b" , { } , [ ] , null ] , "c" : { "d" : true } } `,
	`{"a":1,"a":2}`, `[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]`,
	`{"key with \"escape\"":"v","fa:16:3e:00:00:01":"0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0"}`,
}

func TestCompactRoundTrip(t *testing.T) {
	var n names
	for _, in := range compactCases {
		checkRoundTrip(t, &n, []byte(in))
	}
	for i := 0; i < 3; i++ {
		for _, o := range portObjects(i) {
			b, err := json.Marshal(o)
			if err != nil {
				t.Fatal(err)
			}
			c := checkRoundTrip(t, &n, b)
			if c[0] == tokRaw {
				t.Errorf("%s: kept as JSON, want the compact form", b)
			}
		}
	}
}

func checkRoundTrip(t *testing.T, n *names, in []byte) []byte {
	t.Helper()
	c := compactJSON(n, in)
	out, ok := expandJSON(n, nil, c)
	var want bytes.Buffer
	if err := json.Compact(&want, in); err != nil {
		t.Fatalf("%s: not JSON: %v", in, err)
	}
	if !ok || !bytes.Equal(out, want.Bytes()) {
		t.Errorf("%s: compact form %x expands to %s (ok %v), want %s", in, c, out, ok, want.Bytes())
	}
	return c
}

func FuzzCompactRoundTrip(f *testing.F) {
	for _, c := range compactCases {
		f.Add([]byte(c))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		if !json.Valid(in) {
			return
		}
		var n names
		checkRoundTrip(t, &n, in)
	})
}

// TestExpandDamaged: a damaged compact form is refused, never expanded into something else.
func TestExpandDamaged(t *testing.T) {
	var n names
	c := compactJSON(&n, []byte(`{"id":"0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0","n":[1,"fa:16:3e:00:00:01"]}`))
	for i := 1; i < len(c); i++ {
		if out, ok := expandJSON(&n, nil, c[:i]); ok && json.Valid(out) {
			t.Errorf("prefix %x of the form expands to %s", c[:i], out)
		}
	}
	for _, bad := range [][]byte{{}, {tokEndObj}, {tokObject, tokUint, 1, tokUint, 1, tokEndObj}, {tokUint, 1, tokUint, 2}, {tokName0 + 200}} {
		if out, ok := expandJSON(&n, nil, bad); ok {
			t.Errorf("%x expands to %s", bad, out)
		}
	}
}

// TestCachePackedKinds: the cache gives back every object as it was stored, whether it keeps
// it decoded or packed, by get, each, find and all; deleting and replacing keep the count.
func TestCachePackedKinds(t *testing.T) {
	for _, pack := range []bool{true, false} {
		t.Run(fmt.Sprintf("pack=%v", pack), func(t *testing.T) { testCache(t, pack) })
	}
}

func testCache(t *testing.T, pack bool) {
	c := newCache(pack)
	objs := append(portObjects(1), portObjects(2)...)
	objs = append(objs, &topology.Rule{Meta: topology.Meta{ID: "not-a-uuid", Owner: "firewall_groups/x"}, ChainID: "c", Type: "jump",
		Action: "continue", JumpChainID: "d", NAT: &topology.NAT{Targets: []topology.NatTarget{{NwStart: "1.1.1.1", NwEnd: "1.1.1.2", TpStart: 1, TpEnd: 65535}}, DNAT: true},
		Metadata: map[string]string{topology.MetaFirewallRuleID: "r"}, Condition: topology.Condition{TpDst: &topology.Range{Start: 22, End: 22}, NwProto: 6}})
	for _, o := range objs {
		c.set(o)
	}
	if c.len() != len(objs) {
		t.Fatalf("len %d, want %d", c.len(), len(objs))
	}
	if packed := len(c.packed[topology.KindRule]); (packed > 0) != pack {
		t.Errorf("%d rules packed", packed)
	}
	byKey := map[string]topology.Object{}
	for _, o := range objs {
		byKey[topology.Key(o)] = o
		if got := c.get(o.Kind(), o.Base().ID); !reflect.DeepEqual(got, o) {
			t.Errorf("get %s: %+v, want %+v", topology.Key(o), got, o)
		}
	}
	seen := 0
	c.all(func(o topology.Object) {
		seen++
		if want := byKey[topology.Key(o)]; !reflect.DeepEqual(o, want) {
			t.Errorf("all: %+v, want %+v", o, want)
		}
	})
	if seen != len(objs) {
		t.Errorf("all gave %d objects, want %d", seen, len(objs))
	}
	want := map[string]bool{objs[0].Base().ID: true, objs[3].Base().ID: true, "not-a-uuid": true, "absent": true}
	var found []string
	c.find(want, func(o topology.Object) { found = append(found, topology.Key(o)) })
	if got := strings.Join(sorted(found), " "); got != strings.Join(sorted([]string{topology.Key(objs[0]), topology.Key(objs[3]), "Rule/not-a-uuid"}), " ") {
		t.Errorf("find: %s", got)
	}
	c.set(objs[4]) // again: replaces
	c.del(topology.KindRule, "not-a-uuid")
	c.del(topology.KindRule, "absent")
	c.del(topology.KindPort, objs[0].Base().ID)
	if c.len() != len(objs)-2 || c.get(topology.KindRule, "not-a-uuid") != nil || c.get(topology.KindPort, objs[0].Base().ID) != nil {
		t.Errorf("after deletes: len %d, want %d", c.len(), len(objs)-2)
	}
}

func sorted(s []string) []string {
	out := append([]string(nil), s...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}
