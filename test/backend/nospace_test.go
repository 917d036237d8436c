package backend

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/midonet-go/midonet/internal/nsdb"
)

// TestNSDBFullAnswers503AndCompactRecovers: with the embedded etcd at its quota (NOSPACE
// alarm raised), an API write answers 503 with a clear NeutronError and leaves nothing
// behind in either database; `db-manage nsdb-compact` beside the running server clears the
// alarm and the next write works without a restart.
func TestNSDBFullAnswers503AndCompactRecovers(t *testing.T) {
	t.Parallel()
	e := startEnv(t, envOpts{extra: "nsdb_quota_bytes = 33554432\n"})
	before := e.api.must(t, 201, "POST", "networks", map[string]any{"network": map[string]any{"name": "before"}})
	ctx, cancel := tctx(t)
	defer cancel()
	value := strings.Repeat("v", 1<<20)
	var full error
	for i := 0; i < 200 && full == nil; i++ {
		_, full = e.nsdb(t).Client().Put(ctx, "/midonet/test-filler", value)
	}
	if !nsdb.IsNoSpace(full) {
		t.Fatalf("overwriting 1 MiB under a 32 MiB quota: last error %v, want NOSPACE", full)
	}
	status, out, err := e.api.do(ctx, "POST", "networks", map[string]any{"network": map[string]any{"name": "while-full"}})
	if err != nil {
		t.Fatal(err)
	}
	ne, _ := out["NeutronError"].(map[string]any)
	if msg, _ := ne["message"].(string); status != 503 || ne["type"] != "ServiceUnavailable" || !strings.Contains(msg, "out of space") {
		t.Fatalf("create with the NSDB full = %d %v, want 503 ServiceUnavailable saying it is out of space", status, out)
	}
	_, list, err := e.api.do(ctx, "GET", "networks?name=while-full", nil)
	if err != nil {
		t.Fatal(err)
	}
	if l, _ := list["networks"].([]any); len(l) != 0 {
		t.Fatalf("the refused network is in the Neutron database: %v", l)
	}
	outText, code := e.dbManage(t, "nsdb-compact", "--json")
	var res nsdb.CompactResult
	if code != 0 || json.Unmarshal([]byte(outText), &res) != nil {
		t.Fatalf("db-manage nsdb-compact --json: exit %d:\n%s", code, outText)
	}
	if len(res.AlarmsCleared) != 1 || len(res.Members) != 1 || res.Members[0].BytesAfter >= res.Members[0].BytesBefore {
		t.Fatalf("nsdb-compact = %+v, want one alarm cleared and the database shrunk", res)
	}
	after := e.api.must(t, 201, "POST", "networks", map[string]any{"network": map[string]any{"name": "after"}})
	for _, n := range []map[string]any{before, after} {
		if e.neutronCopy(t, "networks", str(n, "id")) == nil {
			t.Errorf("network %s has no NSDB copy", str(n, "name"))
		}
	}
	if d := e.verify(t); d.exit != 0 || d.Total != 0 {
		t.Errorf("db-manage verify after recovery: %s", d)
	}
}
