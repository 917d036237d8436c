package agent

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/midonet-go/midonet/internal/nsdb"
	"github.com/midonet-go/midonet/internal/testutil/nsdbtest"
	"github.com/midonet-go/midonet/internal/topology"
)

// TestCacheLazyKinds: the cache gives back every object as it was stored, whether it keeps
// it or reads it from its source when asked, by get, each, find and all; deleting and
// replacing keep the count.
func TestCacheLazyKinds(t *testing.T) {
	for _, lazy := range []bool{true, false} {
		t.Run(fmt.Sprintf("lazy=%v", lazy), func(t *testing.T) { testCache(t, lazy) })
	}
}

func testCache(t *testing.T, lazy bool) {
	src := memSource{}
	c := newCache(nil)
	if lazy {
		c = newCache(src)
	}
	objs := append(portObjects(1), portObjects(2)...)
	objs = append(objs, &topology.Rule{Meta: topology.Meta{ID: "not-a-uuid", Owner: "firewall_groups/x"}, ChainID: "c", Type: "jump",
		Action: "continue", JumpChainID: "d", NAT: &topology.NAT{Targets: []topology.NatTarget{{NwStart: "1.1.1.1", NwEnd: "1.1.1.2", TpStart: 1, TpEnd: 65535}}, DNAT: true},
		Metadata: map[string]string{topology.MetaFirewallRuleID: "r"}, Condition: topology.Condition{TpDst: &topology.Range{Start: 22, End: 22}, NwProto: 6}},
		&topology.Chain{Meta: topology.Meta{ID: "0F1E2D3C-4B5A-4968-8776-A5B4C3D2E1F0"}, Name: "upper-case id"})
	for _, o := range objs {
		v, err := json.Marshal(o)
		if err != nil {
			t.Fatal(err)
		}
		src[topology.Key(o)] = v
		c.set(o)
	}
	if c.len() != len(objs) {
		t.Fatalf("len %d, want %d", c.len(), len(objs))
	}
	if kept := len(c.kinds[topology.KindRule]); (kept == 0) != lazy {
		t.Errorf("%d rules kept decoded", kept)
	}
	byKey := map[string]topology.Object{}
	for _, o := range objs {
		byKey[topology.Key(o)] = o
		if got := c.get(o.Kind(), o.Base().ID); !reflect.DeepEqual(got, o) {
			t.Errorf("get %s: %+v, want %+v", topology.Key(o), got, o)
		}
	}
	if c.get(topology.KindChain, strings.ToLower("0F1E2D3C-4B5A-4968-8776-A5B4C3D2E1F0")) != nil {
		t.Error("a lower-case id finds the upper-case one")
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
	if n := len(kindsOf(&c, topology.KindRule)); n != 21 || c.count(topology.KindRule) != 21 {
		t.Errorf("%d rules handed over, %d counted; want 21", n, c.count(topology.KindRule))
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

// TestNSDBSourceAtRevision: the agent's source reads the NSDB at the cache's revision — the
// value an object had then, not a later one, and not an object created since — and, once
// that revision is compacted away, at the current one.
func TestNSDBSourceAtRevision(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	store := nsdbtest.Open(ctx, t)
	put := func(o topology.Object) int64 {
		ops, err := nsdb.PutObjectOps(1, o)
		if err != nil {
			t.Fatal(err)
		}
		_, rev, err := store.Txn(ctx, nil, ops)
		if err != nil {
			t.Fatal(err)
		}
		return rev
	}
	rule := func(id, action string) *topology.Rule {
		return &topology.Rule{Meta: topology.Meta{ID: id}, ChainID: "c", Type: "literal", Action: action}
	}
	const r1, r2 = "11111111-1111-4111-8111-111111111111", "22222222-2222-4222-8222-222222222222"
	put(rule(r1, "accept"))
	rev := put(&topology.Chain{Meta: topology.Meta{ID: "c"}})
	put(rule(r1, "drop"))
	now := put(rule(r2, "accept"))

	a := New(store, Options{HostID: "h", Log: nsdbtest.Quiet})
	c := a.newCache(ctx, 1)
	c.rev = rev
	c.hold(topology.KindRule, r1, "")
	if got, ok := c.get(topology.KindRule, r1).(*topology.Rule); !ok || got.Action != "accept" {
		t.Fatalf("get at revision %d: %+v, want the rule as it was (accept)", rev, got)
	}
	var actions []string
	c.each(topology.KindRule, func(o topology.Object) { actions = append(actions, o.(*topology.Rule).Action) })
	if strings.Join(actions, " ") != "accept" {
		t.Errorf("each at revision %d: %v, want [accept] (the second rule came later)", rev, actions)
	}
	if _, err := store.Client().Compact(ctx, now); err != nil {
		t.Fatal(err)
	}
	if got, ok := c.get(topology.KindRule, r1).(*topology.Rule); !ok || got.Action != "drop" {
		t.Errorf("get after compaction: %+v, want the current rule (drop)", got)
	}
	actions = nil
	c.each(topology.KindRule, func(o topology.Object) { actions = append(actions, o.(*topology.Rule).Action) })
	if strings.Join(sorted(actions), " ") != "accept drop" {
		t.Errorf("each after compaction: %v, want both rules as they are now", actions)
	}
}

// TestPutObjectChecksLazyKindsWithoutDecoding: an object of a lazy kind is held without
// being decoded and read back decoded when asked for; a value that is not a JSON object is
// left out, and one that does not decode is held and reads as absent.
func TestPutObjectChecksLazyKindsWithoutDecoding(t *testing.T) {
	src := memSource{}
	s := &state{objects: newCache(src)}
	a := &Agent{}
	rule := &topology.Rule{Meta: topology.Meta{ID: "9b1c8f2e-58a4-4d0e-9a57-4f3c2d1e0b9a"}, ChainID: "c", Type: "literal", Action: "accept"}
	good, err := json.Marshal(rule)
	if err != nil {
		t.Fatal(err)
	}
	src[topology.Key(rule)] = good
	src["Rule/wrong-type"] = []byte(`{"id": "wrong-type", "chain_id": 7}`)
	src["Rule/truncated"] = []byte(` {"id": "truncated"`)
	for _, c := range []struct {
		id    string
		value []byte
		held  bool
	}{
		{rule.ID, good, true},
		{"not-json", []byte(`not json`), false},
		{"empty", nil, false},
		{"wrong-type", src["Rule/wrong-type"], true},
		{"truncated", src["Rule/truncated"], true},
	} {
		a.putObject(s, topology.KindRule, c.id, "", c.value)
		if got := s.objects.heldIn(topology.KindRule, c.id, ""); got != c.held {
			t.Errorf("%s: held %v, want %v", c.id, got, c.held)
		}
	}
	if got := s.objects.get(topology.KindRule, rule.ID); !reflect.DeepEqual(got, rule) {
		t.Errorf("get: %+v, want %+v", got, rule)
	}
	for _, id := range []string{"wrong-type", "truncated"} {
		if got := s.objects.get(topology.KindRule, id); got != nil {
			t.Errorf("undecodable rule %s reads as %+v, want absent", id, got)
		}
	}
	if n := s.objects.count(topology.KindRule); n != 3 {
		t.Errorf("%d rules counted, want 3", n)
	}
}

// countingSource is a memSource that counts the objects read from it.
type countingSource struct {
	memSource
	reads *int
}

func (c countingSource) get(kind topology.Kind, id, owner string, rev int64) []byte {
	*c.reads++
	return c.memSource.get(kind, id, owner, rev)
}

// TestBoundPortsKeptDecoded: the agent `midonet serve` runs holds ports as ids, except the
// ones bound to its host, which it keeps decoded for the passes that plug them (of, decoded:
// no read of the NSDB); a port that moves here or away, or is deleted, follows. get still
// gives any port, read from the NSDB when not kept.
func TestBoundPortsKeptDecoded(t *testing.T) {
	reads := 0
	src := countingSource{memSource{}, &reads}
	s := &state{objects: newCache(src)}
	a := New(nil, Options{HostID: "11111111-1111-4111-8111-111111111111", HostName: "host-1"})
	port := func(id, host, iface string) *topology.Port {
		return &topology.Port{Meta: topology.Meta{ID: id}, NetworkID: "n", HostID: host, InterfaceName: iface, MAC: "fa:16:3e:00:00:01"}
	}
	const (
		unbound   = "00000000-0000-4000-8000-000000000001"
		elsewhere = "00000000-0000-4000-8000-000000000002"
		byID      = "00000000-0000-4000-8000-000000000003"
		byName    = "00000000-0000-4000-8000-000000000004"
		noIface   = "00000000-0000-4000-8000-000000000005"
	)
	put := func(objs ...topology.Object) { putObjects(t, a, s, src.memSource, objs...) }
	put(port(unbound, "", ""), port(elsewhere, "host-2", "tap2"), port(byID, a.o.HostID, "tap3"),
		port(byName, "host-1", "tap4"), port(noIface, "host-1", ""))
	kept := func() string {
		var ids []string
		for id, o := range s.objects.of(topology.KindPort) {
			if o.Base().ID != id {
				t.Errorf("kept under %s: %s", id, o.Base().ID)
			}
			ids = append(ids, id[len(id)-1:])
		}
		return strings.Join(sorted(ids), " ")
	}
	if got := kept(); got != "3 4" {
		t.Errorf("kept decoded: ports %s, want 3 4 (bound here by id and by name)", got)
	}
	for _, id := range []string{unbound, elsewhere, noIface} {
		if s.objects.decoded(topology.KindPort, id) != nil {
			t.Errorf("port %s decoded, want held only", id)
		}
	}
	if reads != 0 {
		t.Errorf("%d reads of the NSDB while putting ports, want none", reads)
	}
	if p, ok := s.objects.get(topology.KindPort, byID).(*topology.Port); !ok || p.InterfaceName != "tap3" || reads != 0 {
		t.Errorf("get of a kept port: %+v after %d reads, want it without a read", p, reads)
	}
	if p, ok := s.objects.get(topology.KindPort, elsewhere).(*topology.Port); !ok || p.HostID != "host-2" || reads != 1 {
		t.Errorf("get of a held port: %+v after %d reads, want it read once", p, reads)
	}
	if n := s.objects.count(topology.KindPort); n != 5 {
		t.Errorf("%d ports counted, want 5", n)
	}
	put(port(elsewhere, "host-1", "tap2"), port(byID, "host-2", "tap3")) // one moves here, one away
	// A delete, from the cache and from the NSDB, as the watch gives it.
	s.objects.del(topology.KindPort, byName)
	delete(src.memSource, "Port/"+byName)
	if got := kept(); got != "2" {
		t.Errorf("after the moves and the delete: kept %s, want 2", got)
	}
	if s.objects.get(topology.KindPort, byName) != nil || s.objects.count(topology.KindPort) != 4 {
		t.Errorf("the deleted port still reads, or %d counted (want 4)", s.objects.count(topology.KindPort))
	}
	var all []string
	s.objects.each(topology.KindPort, func(o topology.Object) { all = append(all, o.Base().ID[35:]) })
	if got := strings.Join(sorted(all), " "); got != "1 2 3 5" {
		t.Errorf("each: ports %s, want 1 2 3 5", got)
	}
}
