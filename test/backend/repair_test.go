package backend

import (
	"context"
	"encoding/json"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/midonet-go/midonet/internal/nsdb"
	"github.com/midonet-go/midonet/internal/topology"
)

// TestRepair tampers with the NSDB — deletes an owned object, corrupts two (one changed, one
// not even JSON), adds an object its owner does not produce, drops and alters Neutron copies,
// and adds an object nobody owns — and checks that `db-manage verify` exits 1 naming each
// owned difference, that `db-manage repair` restores every owned object and leaves the
// un-owned one alone, and that verify then exits 0. Online: beside a running serve (task
// client), through the embedded etcd's endpoint. Offline: with serve stopped (REST client),
// db-manage opening the embedded etcd itself; serve then starts on the repaired NSDB.
func TestRepair(t *testing.T) {
	t.Parallel()
	t.Run("online/tasks", func(t *testing.T) {
		t.Parallel()
		e := startEnv(t, envOpts{tasks: true})
		ids := repairFixture(t, e)
		tamper(t, e.nsdb(t), ids)
		checkRepair(t, e, ids, func() *nsdb.Store { return e.nsdb(t) }, func(*nsdb.Store) {})
		// The running server goes on from the repaired NSDB.
		e.api.must(t, 200, "PUT", "ports/"+ids.port, map[string]any{"port": map[string]any{"name": "after-repair"}})
		e.api.must(t, 200, "PUT", "routers/"+ids.router, map[string]any{"router": map[string]any{"name": "after-repair"}})
		e.checkClean(t, "after repair and two more updates")
		if o := e.object(t, topology.KindChain, ids.unowned); o == nil {
			t.Errorf("the un-owned Chain/%s disappeared after more writes", ids.unowned)
		}
	})
	t.Run("offline/rest", func(t *testing.T) {
		t.Parallel()
		e := startEnv(t, envOpts{})
		ids := repairFixture(t, e)
		e.closeHandles()
		e.srv.Stop()
		open := func() *nsdb.Store {
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			s, err := nsdb.OpenEmbedded(ctx, nsdb.EmbeddedOptions{Dir: filepath.Join(e.srv.DataDir, "etcd")})
			if err != nil {
				t.Fatalf("open the stopped server's embedded NSDB: %v", err)
			}
			return s
		}
		s := open()
		tamper(t, s, ids)
		s.Close()
		checkRepair(t, e, ids, open, func(s *nsdb.Store) { s.Close() })
		// serve starts on the repaired NSDB (its own startup repair runs too) and keeps the
		// operator's object.
		e.restart(t)
		e.api.must(t, 200, "PUT", "ports/"+ids.port, map[string]any{"port": map[string]any{"name": "after-repair"}})
		if d := e.verify(t); d.exit != 0 || d.Total != 0 {
			t.Errorf("after restarting serve on the repaired NSDB: db-manage verify: %s", d)
		}
		if o := e.object(t, topology.KindChain, ids.unowned); o == nil {
			t.Errorf("serve's startup repair deleted the un-owned Chain/%s", ids.unowned)
		}
	})
}

// repairIDs names what the fixture made and what tamper touched.
type repairIDs struct {
	net, port, router, fip, rule string
	deleted, changed, garbage    string // owned objects tampered with ("Kind/id")
	extra                        string // an object claiming an owner that does not produce it
	unowned                      string // a Chain id with no owner
	before                       map[string][]byte
}

func repairFixture(t *testing.T, e *env) *repairIDs {
	a := e.api
	ext := a.must(t, 201, "POST", "networks", map[string]any{"network": map[string]any{"name": "ext", "router:external": true}})
	a.must(t, 201, "POST", "subnets", map[string]any{"subnet": map[string]any{"network_id": str(ext, "id"), "cidr": "172.25.0.0/24", "ip_version": 4}})
	net := a.must(t, 201, "POST", "networks", map[string]any{"network": map[string]any{"name": "n"}})
	sub := a.must(t, 201, "POST", "subnets", map[string]any{"subnet": map[string]any{"network_id": str(net, "id"), "cidr": "10.60.0.0/24", "ip_version": 4}})
	sg := a.must(t, 201, "POST", "security-groups", map[string]any{"security_group": map[string]any{"name": "sg"}})
	rule := a.must(t, 201, "POST", "security-group-rules", map[string]any{"security_group_rule": map[string]any{
		"security_group_id": str(sg, "id"), "direction": "ingress", "ethertype": "IPv4", "protocol": "udp", "port_range_min": 53, "port_range_max": 53}})
	port := a.must(t, 201, "POST", "ports", map[string]any{"port": map[string]any{"network_id": str(net, "id"), "device_owner": "compute:nova", "device_id": "vm", "security_groups": []string{str(sg, "id")}}})
	router := a.must(t, 201, "POST", "routers", map[string]any{"router": map[string]any{"name": "r", "external_gateway_info": map[string]any{"network_id": str(ext, "id")}}})
	a.must(t, 200, "PUT", "routers/"+str(router, "id")+"/add_router_interface", map[string]any{"subnet_id": str(sub, "id")})
	fip := a.must(t, 201, "POST", "floatingips", map[string]any{"floatingip": map[string]any{"floating_network_id": str(ext, "id"), "port_id": str(port, "id")}})
	ids := &repairIDs{net: str(net, "id"), port: str(port, "id"), router: str(router, "id"), fip: str(fip, "id"), rule: str(rule, "id")}
	ids.deleted = "Chain/" + topology.InChainID(ids.port)
	ids.changed = "Router/" + ids.router
	ids.garbage = "Rule/" + topology.FipDnatRuleID(ids.fip)
	ids.extra = "Rule/" + uuid.NewString()
	ids.unowned = uuid.NewString()
	return ids
}

func topoKey(v int64, kindID string) string { return nsdb.DataPrefix(v) + "topology/" + kindID }

// bundled finds an owned object ("<Kind>/<id>") in the owners' bundles: its owner and its
// JSON ("" and nil when no bundle holds it).
func bundled(ctx context.Context, t *testing.T, s *nsdb.Store, v int64, kindID string) (string, []byte) {
	t.Helper()
	var owner string
	var js []byte
	_, err := s.EachBundleObject(ctx, v, func() { owner, js = "", nil }, func(o string, bo nsdb.BundleObject) error {
		if bo.Key() == kindID {
			owner, js = o, bo.JSON
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return owner, js
}

// editBundles returns the writes that set, in their owners' bundles, each "<Kind>/<id>" of
// edit to its JSON, or drop it when that is nil; owners names each object's owner.
func editBundles(ctx context.Context, t *testing.T, s *nsdb.Store, v int64, owners map[string]string, edit map[string][]byte) []nsdb.Op {
	t.Helper()
	byOwner := map[string]map[string][]byte{}
	for k, js := range edit {
		o := owners[k]
		if byOwner[o] == nil {
			byOwner[o] = map[string][]byte{}
		}
		byOwner[o][k] = js
	}
	var ops []nsdb.Op
	for owner, ed := range byOwner {
		kv, err := s.Get(ctx, nsdb.OwnedKey(v, owner))
		if err != nil || kv == nil {
			t.Fatalf("bundle of %s: %v (present %v)", owner, err, kv != nil)
		}
		b, err := nsdb.EditBundle(kv.Value, ed)
		if err != nil {
			t.Fatal(err)
		}
		ops = append(ops, nsdb.Op{Key: kv.Key, Value: b})
	}
	return ops
}

// tamper changes the NSDB behind the cluster's back and remembers the owned objects' values.
func tamper(t *testing.T, s *nsdb.Store, ids *repairIDs) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	v := activeVersion(t, s)
	ids.before = map[string][]byte{}
	owners := map[string]string{ids.extra: "ports/" + ids.port}
	for _, k := range []string{ids.deleted, ids.changed, ids.garbage} {
		owner, js := bundled(ctx, t, s, v, k)
		if js == nil {
			t.Fatalf("before tampering: no bundle holds %s", k)
		}
		ids.before[k], owners[k] = js, owner
	}
	var router map[string]any
	if err := json.Unmarshal(ids.before[ids.changed], &router); err != nil {
		t.Fatal(err)
	}
	router["name"], router["admin_state_up"] = "tampered", false
	changed, _ := json.Marshal(router)
	extra, _ := json.Marshal(map[string]any{"id": strings.TrimPrefix(ids.extra, "Rule/"), "owner": "ports/" + ids.port, "neutron_revision": 1,
		"chain_id": topology.InChainID(ids.port), "order": 1, "type": "LITERAL", "action": "ACCEPT", "condition": map[string]any{}})
	unowned, _ := json.Marshal(map[string]any{"id": ids.unowned, "name": "operator-made chain"})
	netCopy, err := s.Get(ctx, nsdb.NeutronKey(v, "networks", ids.net))
	if err != nil || netCopy == nil {
		t.Fatalf("NSDB copy of networks/%s: %v", ids.net, err)
	}
	var nd map[string]any
	_ = json.Unmarshal(netCopy.Value, &nd)
	nd["name"] = "tampered"
	netTampered, _ := json.Marshal(nd)
	ops := editBundles(ctx, t, s, v, owners, map[string][]byte{
		ids.deleted: nil,
		ids.changed: changed,
		ids.garbage: []byte("{not json"),
		ids.extra:   extra,
	})
	ops = append(ops, []nsdb.Op{
		{Key: topoKey(v, "Chain/"+ids.unowned), Value: unowned},
		{Key: nsdb.NeutronKey(v, "security_group_rules", ids.rule), Delete: true},
		{Key: nsdb.NeutronKey(v, "networks", ids.net), Value: netTampered},
	}...)
	if ok, _, err := s.Txn(ctx, nil, ops); err != nil || !ok {
		t.Fatalf("tamper: %v %v", ok, err)
	}
}

func checkRepair(t *testing.T, e *env, ids *repairIDs, open func() *nsdb.Store, done func(*nsdb.Store)) {
	t.Helper()
	d := e.verify(t)
	if d.exit != 1 {
		t.Errorf("verify after tampering exited %d, want 1:\n%s", d.exit, d.raw)
	}
	want := []struct {
		list []string
		name string
		item string
	}{
		{d.Drift.MissingObjects, "missing objects", ids.deleted},
		{d.Drift.StaleObjects, "stale objects", ids.changed},
		{append(slices.Clone(d.Drift.MissingObjects), d.Drift.StaleObjects...), "missing or stale objects", ids.garbage},
		{d.Drift.ExtraObjects, "extra objects", ids.extra},
		{d.Drift.MissingResources, "missing resources", "security_group_rules/" + ids.rule},
		{d.Drift.StaleResources, "stale resources", "networks/" + ids.net},
	}
	for _, w := range want {
		if !slices.Contains(w.list, w.item) {
			t.Errorf("verify after tampering does not list %s among the %s: %s", w.item, w.name, d)
		}
	}
	if strings.Contains(d.raw, ids.unowned) {
		t.Errorf("verify reports the un-owned Chain/%s, which is not the cluster's: %s", ids.unowned, d)
	}

	out, code := e.dbManage(t, "repair")
	if code != 0 || !strings.Contains(out, "drift now: 0") {
		t.Errorf("db-manage repair exited %d, want 0 and \"drift now: 0\":\n%s", code, out)
	}
	if d := e.verify(t); d.exit != 0 || d.Total != 0 {
		t.Errorf("verify after repair: %s", d)
	}

	s := open()
	defer done(s)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	v := activeVersion(t, s)
	for k, b := range ids.before {
		_, js := bundled(ctx, t, s, v, k)
		switch {
		case js == nil:
			t.Errorf("repair did not restore %s", k)
		case canonical(mustDecode(t, js)) != canonical(mustDecode(t, b)):
			t.Errorf("repair restored %s as %s, it was %s", k, js, b)
		}
	}
	if _, js := bundled(ctx, t, s, v, ids.extra); js != nil {
		t.Errorf("repair left %s, which its owner ports/%s does not produce", ids.extra, ids.port)
	}
	if kv, _ := s.Get(ctx, topoKey(v, "Chain/"+ids.unowned)); kv == nil {
		t.Errorf("repair deleted the un-owned Chain/%s", ids.unowned)
	}
	if kv, _ := s.Get(ctx, nsdb.NeutronKey(v, "security_group_rules", ids.rule)); kv == nil {
		t.Errorf("repair did not restore the Neutron copy of security_group_rules/%s", ids.rule)
	}
	if kv, _ := s.Get(ctx, nsdb.NeutronKey(v, "networks", ids.net)); kv == nil || strings.Contains(string(kv.Value), "tampered") {
		t.Errorf("repair did not restore the Neutron copy of networks/%s: %s", ids.net, kvValue(kv))
	}
}

func mustDecode(t *testing.T, b []byte) any {
	t.Helper()
	v, err := decodeAny(b)
	if err != nil {
		return string(b)
	}
	return v
}

func kvValue(kv *nsdb.KV) string {
	if kv == nil {
		return "<absent>"
	}
	return string(kv.Value)
}
