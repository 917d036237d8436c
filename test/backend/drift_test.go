package backend

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
)

// TestDriftGaugeFollowsHeal: midonet_drift is what the last heal left different, right after
// each heal (here every second), not a figure refreshed now and then. A network planted in the
// Neutron database behind the API shows as drift; with the REST client one too large for the
// NSDB is skipped and reported by the heal (the rest goes on), and counts as drift until it
// is gone.
func TestDriftGaugeFollowsHeal(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		tasks   bool
		planted string // the planted network's name
	}{
		// Task client: heal only compares, so a missing network stays drift.
		{name: "tasks", tasks: true, planted: "planted"},
		// REST client: heal applies; a 9 MiB name passes the embedded etcd's 8 MiB limit.
		{name: "rest", planted: strings.Repeat("x", 9<<20)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := startEnv(t, envOpts{tasks: tc.tasks, extra: "reconcile_interval = 1\n"})
			waitDrift(t, e, 0)
			w, err := sql.Open("sqlite", "file:"+filepath.Join(e.srv.DataDir, "neutron.db")+"?_pragma=busy_timeout(10000)")
			if err != nil {
				t.Fatal(err)
			}
			defer w.Close()
			id := uuid.NewString()
			body, _ := json.Marshal(map[string]any{"id": id, "tenant_id": "backend-project", "project_id": "backend-project",
				"name": tc.planted, "admin_state_up": true, "provider:network_type": "midonet", "revision_number": 1})
			if _, err := w.Exec(`INSERT INTO resources (kind, id, project_id, body) VALUES ('networks', ?, 'backend-project', ?)`, id, string(body)); err != nil {
				t.Fatal(err)
			}
			waitDrift(t, e, 1)
			if !tc.tasks {
				if !e.srv.WaitLog("heal skipped a resource it cannot apply", 10*time.Second) || !strings.Contains(e.srv.Logs(), id) {
					t.Errorf("no log line names the skipped network %s", id)
				}
				// Everything else still reaches the NSDB.
				other := str(e.api.must(t, 201, "POST", "networks", map[string]any{"network": map[string]any{"name": "beside"}}), "id")
				if e.neutronCopy(t, "networks", other) == nil {
					t.Errorf("a network created beside the skipped one has no NSDB copy")
				}
			}
			if _, err := w.Exec(`DELETE FROM resources WHERE kind = 'networks' AND id = ?`, id); err != nil {
				t.Fatal(err)
			}
			waitDrift(t, e, 0)
		})
	}
}

// waitDrift waits up to 30 s for /metrics to say midonet_drift want.
func waitDrift(t *testing.T, e *env, want int) {
	t.Helper()
	line := fmt.Sprintf("midonet_drift %d\n", want)
	var last string
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		resp, err := http.Get(e.srv.URL + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if strings.Contains(string(b), line) {
			return
		}
		if i := strings.Index(string(b), "midonet_drift "); i >= 0 {
			last = strings.SplitN(string(b)[i:], "\n", 2)[0]
		}
	}
	t.Fatalf("midonet_drift did not become %d within 30 s (last: %q)", want, last)
}
