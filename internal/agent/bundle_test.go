package agent_test

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/midonet-go/midonet/internal/agent"
	"github.com/midonet-go/midonet/internal/hosts"
	"github.com/midonet-go/midonet/internal/nsdb"
	"github.com/midonet-go/midonet/internal/testutil/agenttest"
	"github.com/midonet-go/midonet/internal/topology"
)

// TestBundlesFollowTheNSDB: objects stored in their owner's bundle reach the agent as if
// each had its own key — loaded at start, and each change of a bundle (an object changed,
// added, dropped; the bundle deleted) applied object by object; a lazy kind (rules) read
// from its bundle when asked; a port bound here in a bundle is marked active and unmarked
// when its bundle unbinds it.
func TestBundlesFollowTheNSDB(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	store, put := embeddedNSDB(ctx, t)
	const host = "11111111-1111-4111-8111-111111111111"
	const portID = "44444444-4444-4444-8444-444444444444"
	owner := "ports/" + portID
	port := func(hostID string) *topology.Port {
		return &topology.Port{Meta: topology.Meta{ID: portID, Owner: owner}, HostID: hostID, InterfaceName: "tap1"}
	}
	chain := &topology.Chain{Meta: topology.Meta{ID: "55555555-5555-4555-8555-555555555555", Owner: owner}, Name: "in"}
	rule := func(n int, action string) *topology.Rule {
		return &topology.Rule{Meta: topology.Meta{ID: fmt.Sprintf("66666666-6666-4666-8666-00000000000%d", n), Owner: owner},
			ChainID: chain.ID, Type: "literal", Action: action}
	}
	writeBundle := func(objs ...topology.Object) {
		t.Helper()
		op := nsdb.Op{Key: nsdb.OwnedKey(1, owner), Delete: true}
		if len(objs) > 0 {
			b, err := nsdb.BundleOf(objs)
			if err != nil {
				t.Fatal(err)
			}
			op = nsdb.Op{Key: op.Key, Value: b}
		}
		if _, _, err := store.Txn(ctx, nil, []nsdb.Op{op}); err != nil {
			t.Fatal(err)
		}
	}
	put(&topology.Network{Meta: topology.Meta{ID: "net-1"}, Name: "own key"})
	writeBundle(port(host), chain, rule(1, "accept"), rule(2, "drop"))
	a := agenttest.Run(ctx, t, store, agent.Options{HostID: host, HostName: "h", Resync: time.Hour})

	describe := func() string {
		var out []string
		if err := a.Do(ctx, func(st *agent.State) {
			for _, o := range st.All() {
				s := topology.Key(o)
				switch v := o.(type) {
				case *topology.Rule:
					s += ":" + v.Action
				case *topology.Port:
					s += ":" + v.HostID
				}
				out = append(out, s)
			}
			for _, o := range st.Find(map[string]bool{rule(1, "").ID: true}) {
				out = append(out, "found "+o.(*topology.Rule).Action)
			}
		}); err != nil {
			t.Fatal(err)
		}
		sort.Strings(out)
		st, err := a.Status(ctx)
		if err != nil {
			t.Fatal(err)
		}
		active, err := hosts.ActivePorts(ctx, store)
		if err != nil {
			t.Fatal(err)
		}
		var act []string
		for id := range active {
			act = append(act, id)
		}
		return fmt.Sprintf("%s objects=%d active=%v", strings.Join(out, " "), st.Objects, act)
	}
	waitFor := func(step, want string) {
		t.Helper()
		deadline := time.Now().Add(20 * time.Second)
		for {
			got := describe()
			if got == want {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: the agent gives\n%s, want\n%s", step, got, want)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	c, p, r1, r2 := "Chain/"+chain.ID, "Port/"+portID, "Rule/"+rule(1, "").ID, "Rule/"+rule(2, "").ID
	waitFor("loaded", fmt.Sprintf("%s Network/net-1 %s:%s %s:accept %s:drop found accept objects=5 active=[%s]", c, p, host, r1, r2, portID))
	writeBundle(port(host), chain, rule(1, "reject"), rule(3, "accept"))
	r3 := "Rule/" + rule(3, "").ID
	waitFor("rules changed", fmt.Sprintf("%s Network/net-1 %s:%s %s:reject %s:accept found reject objects=5 active=[%s]", c, p, host, r1, r3, portID))
	writeBundle(port(""), chain, rule(1, "reject"), rule(3, "accept"))
	waitFor("unbound", fmt.Sprintf("%s Network/net-1 %s: %s:reject %s:accept found reject objects=5 active=[]", c, p, r1, r3))
	writeBundle(port(host), chain)
	waitFor("bound again, rules dropped", fmt.Sprintf("%s Network/net-1 %s:%s objects=3 active=[%s]", c, p, host, portID))
	writeBundle()
	waitFor("bundle deleted", "Network/net-1 objects=1 active=[]")
}
