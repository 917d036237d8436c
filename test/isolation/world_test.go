package isolation

import (
	"slices"
	"strings"
	"testing"
)

// testWorld is a World with two private resources of A.
func testWorld() *World {
	return &World{
		ProjectA: "pa", ProjectB: "pb",
		IDs:     map[string]string{"netA": "net-a-id", "portA": "port-a-id", "projectA": "pa"},
		private: map[string]string{"net-a-id": "netA", "port-a-id": "portA"},
	}
}

func TestExpand(t *testing.T) {
	w := testWorld()
	if got := w.Expand(`{"network_id": "{netA}", "tenant_id": "{projectA}", "x": "{unknown}"}`); got != `{"network_id": "net-a-id", "tenant_id": "pa", "x": "{unknown}"}` {
		t.Errorf("Expand = %s", got)
	}
	for _, a := range Attacks {
		for _, s := range []string{a.Path, a.Body, a.SameAs} {
			if strings.Contains(s, "{") && strings.Contains(s, "}") {
				for _, name := range placeholders(s) {
					if !slices.Contains(worldNames, name) {
						t.Errorf("attack %q uses {%s}, which Setup does not make", a.Name, name)
					}
				}
			}
		}
	}
}

// worldNames are the placeholders Setup records.
var worldNames = []string{"projectA", "projectB", "noSuchID", "netBType",
	"ext", "extSub", "netA", "subA", "subA2", "sgA", "ruleA", "ruleA2", "portA", "portA2", "routerA", "routerAPort",
	"fipA", "poolA", "scopeA", "agA", "lipA", "cthA", "mlA", "mlrA", "sharedNet", "sharedSub",
	"portAT", "portAS", "trunkA", "portAF", "portAFIP", "fipA2", "pfA",
	"scope6", "pool6", "ext6", "ext6Sub", "net6A", "sub6A", "router6A", "router6APort", "port6A", "npA",
	"netB", "subB", "poolB", "sgB", "routerB", "routerB2", "routerB3", "routerBPort", "portB", "portB2", "fipB", "portBShared", "portBShared2", "portBShared3", "portBShared4", "portBShared5"}

// placeholders returns the {names} of s that look like identifiers.
func placeholders(s string) []string {
	var out []string
	for {
		i := strings.Index(s, "{")
		if i < 0 {
			return out
		}
		j := strings.Index(s[i:], "}")
		if j < 0 {
			return out
		}
		name := s[i+1 : i+j]
		if name != "" && !strings.ContainsAny(name, `"{ :`) {
			out = append(out, name)
		}
		s = s[i+1:]
	}
}

func TestAttacksAreWellFormed(t *testing.T) {
	seen := map[string]bool{}
	for _, a := range Attacks {
		if seen[a.Name] {
			t.Errorf("two attacks named %q", a.Name)
		}
		seen[a.Name] = true
		if a.Status >= 400 && a.Type == "" || a.Status < 400 && a.Type != "" {
			t.Errorf("%q: status %d with type %q", a.Name, a.Status, a.Type)
		}
		if a.SameAs != "" && (a.Method != "GET" || a.Status != 200) {
			t.Errorf("%q: SameAs on a %s answering %d", a.Name, a.Method, a.Status)
		}
		if strings.HasPrefix(a.Path, "/") {
			t.Errorf("%q: path %q must be relative to /v2.0/", a.Name, a.Path)
		}
	}
}

func TestDiff(t *testing.T) {
	before := Snapshot{
		"networks/n": {"id": "n", "name": "x", "revision_number": 1.0},
		"ports/p":    {"id": "p"},
	}
	if d := Diff(before, before); len(d) != 0 {
		t.Errorf("Diff of a snapshot with itself: %v", d)
	}
	after := Snapshot{
		"networks/n": {"id": "n", "name": "y", "revision_number": 1.0},
		"ports/q":    {"id": "q"},
	}
	d := Diff(before, after)
	want := []string{`networks/n: name "x" -> "y"`, "ports/p: gone", `ports/q: new {"id":"q"}`}
	if !slices.Equal(d, want) {
		t.Errorf("Diff = %q, want %q", d, want)
	}
}

func TestLeaks(t *testing.T) {
	w := testWorld()
	if l := w.Leaks("networks/net-a-id", []byte(`{"NeutronError": {"message": "Network net-a-id could not be found."}}`)); len(l) != 0 {
		t.Errorf("an id the request named counted as a leak: %v", l)
	}
	if l := w.Leaks("networks", []byte(`{"networks": [{"id": "net-a-id"}]}`)); !slices.Equal(l, []string{"the id of netA"}) {
		t.Errorf("Leaks = %v", l)
	}
	if l := w.Leaks("ports", []byte(`{"message": "device a-secret-vm"}`)); len(l) != 1 {
		t.Errorf("a secret name did not count: %v", l)
	}
}

func TestLeakedDocs(t *testing.T) {
	w := testWorld()
	for _, c := range []struct {
		answer string
		want   []string
	}{
		{`{"networks": [{"id": "net-a-id", "project_id": "pa"}]}`, []string{"netA"}},
		{`{"port": {"id": "p-b", "project_id": "pb", "device_id": "net-a-id"}}`, nil},
		{`{"routers": [{"id": "r", "ports": [{"id": "port-a-id", "tenant_id": "pa"}]}]}`, []string{"portA"}},
		{`not json`, nil},
	} {
		if got := w.LeakedDocs([]byte(c.answer)); !slices.Equal(got, c.want) {
			t.Errorf("LeakedDocs(%s) = %v, want %v", c.answer, got, c.want)
		}
	}
}
