package cli_test

import (
	"bytes"
	"context"
	"errors"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/midonet-go/midonet/internal/nsdb"
	"github.com/midonet-go/midonet/internal/topology"
	"github.com/midonet-go/midonet/test/testenv"
)

// runStatus runs the midonet binary and returns its stdout and exit status.
func runStatus(t *testing.T, args ...string) ([]byte, int) {
	t.Helper()
	cmd := exec.Command(testenv.Binary(t), args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		return stdout.Bytes(), exit.ExitCode()
	case err != nil:
		t.Fatalf("midonet %s: %v\nstderr:\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return stdout.Bytes(), 0
}

// TestJSONOutputsWithDrift: with drift to report (the NSDB copy of a network and a port's
// inbound chain deleted while serve is stopped), `db-manage verify --json` exits 1 and still
// prints one document of the verify schema with the differences in its lists, and
// `db-manage repair --json` prints one document of the repair schema, after which verify
// finds nothing.
func TestJSONOutputsWithDrift(t *testing.T) {
	srv := testenv.StartServer(t, testenv.Options{})
	net := post(t, srv, "networks", "network", map[string]any{"name": "n"})
	post(t, srv, "subnets", "subnet", map[string]any{"network_id": net, "cidr": "10.8.0.0/24", "ip_version": 4})
	port := post(t, srv, "ports", "port", map[string]any{"name": "a", "network_id": net, "device_owner": "compute:nova"})
	srv.Stop()

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	s, err := nsdb.OpenEmbedded(ctx, nsdb.EmbeddedOptions{Dir: filepath.Join(srv.DataDir, "etcd")})
	if err != nil {
		t.Fatalf("open the stopped server's embedded NSDB: %v", err)
	}
	v := int64(1)
	if kv, err := s.Get(ctx, nsdb.ActiveVersionKey); err != nil {
		t.Fatal(err)
	} else if kv != nil {
		if v, err = strconv.ParseInt(string(kv.Value), 10, 64); err != nil {
			t.Fatal(err)
		}
	}
	// The port's inbound chain is in the port's bundle: the bundle is written back without it.
	bundleKey := nsdb.OwnedKey(v, "ports/"+port)
	for _, k := range []string{nsdb.NeutronKey(v, "networks", net), bundleKey} {
		if kv, err := s.Get(ctx, k); err != nil || kv == nil {
			t.Fatalf("before tampering: %s: %v (present %v)", k, err, kv != nil)
		}
	}
	kv, err := s.Get(ctx, bundleKey)
	if err != nil {
		t.Fatal(err)
	}
	bos, err := nsdb.DecodeBundle(kv.Value)
	if err != nil {
		t.Fatal(err)
	}
	var kept []nsdb.BundleObject
	for _, bo := range bos {
		if bo.Key() != "Chain/"+topology.InChainID(port) {
			kept = append(kept, bo)
		}
	}
	if len(kept) != len(bos)-1 {
		t.Fatalf("before tampering: the bundle of ports/%s has no Chain/%s", port, topology.InChainID(port))
	}
	tampered, err := nsdb.EncodeBundle(kept)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Txn(ctx, nil, []nsdb.Op{{Key: nsdb.NeutronKey(v, "networks", net), Delete: true}, {Key: bundleKey, Value: tampered}}); err != nil {
		t.Fatal(err)
	}
	s.Close()

	dataDir := "--data-dir=" + srv.DataDir
	out, code := runStatus(t, "db-manage", "verify", dataDir, "--json")
	if code != 1 {
		t.Errorf("db-manage verify with drift: exit %d, want 1", code)
	}
	doc := verifySchema.check(t, "db-manage verify with drift", out)
	drift, _ := doc["drift"].(map[string]any)
	found := 0
	for _, l := range driftLists {
		if l != "skipped" && l != "pending_resources" { // not counted in total: what a repair could not apply, what waits for the task consumer
			found += len(asList(drift[l]))
		}
	}
	if doc["total"] != float64(found) || !contains(drift["missing_resources"], "networks/"+net) ||
		!contains(drift["missing_objects"], "Chain/"+topology.InChainID(port)) {
		t.Errorf("verify: want networks/%s missing, Chain/%s missing and total the sum of the lists, got:\n%s",
			net, topology.InChainID(port), out)
	}
	total := doc["total"]

	out, code = runStatus(t, "db-manage", "repair", dataDir, "--json")
	if code != 0 {
		t.Fatalf("db-manage repair: exit %d:\n%s", code, out)
	}
	doc = repairSchema.check(t, "db-manage repair with drift", out)
	if doc["total"] != total || doc["drift_after"] != float64(0) {
		t.Errorf("repair: want total %v (as verify found) and drift_after 0, got:\n%s", total, out)
	}

	out, code = runStatus(t, "db-manage", "verify", dataDir, "--json")
	if doc := verifySchema.check(t, "db-manage verify after repair", out); code != 0 || doc["total"] != float64(0) {
		t.Errorf("verify after repair: exit %d:\n%s", code, out)
	}
}

func asList(v any) []any { l, _ := v.([]any); return l }

func contains(list any, s string) bool {
	for _, e := range asList(list) {
		if e == s {
			return true
		}
	}
	return false
}
