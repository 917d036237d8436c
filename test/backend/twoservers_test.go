package backend

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/midonet-go/midonet/test/testenv"
)

// TestTwoServersTaskOrder: two `midonet serve` processes with the task client share one
// PostgreSQL (or MariaDB) database, each with its own cluster and NSDB, and take concurrent
// writes from eight clients. The journal is shared, so each cluster must apply every task of
// both servers: afterwards each NSDB mirrors the Neutron database, `db-manage verify` finds
// no drift, its journal position reached the last task id and only ever grew. On PostgreSQL
// the writers draw task ids without a lock and the consumers wait at gaps; a consumer that
// passed over a task committed late would leave its resource missing from that NSDB.
func TestTwoServersTaskOrder(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name string
		o    envOpts
	}{
		{"postgres", envOpts{tasks: true, postgres: true}},
		{"mariadb", envOpts{tasks: true, mariadb: true}},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			a := startEnv(t, c.o)
			b := &env{t: t, o: c.o, conf: a.conf, dsn: a.dsn}
			b.srv = testenv.StartServer(t, testenv.Options{DataDir: t.TempDir(), ConfigFiles: []string{a.conf}})
			b.api = newAPI(b.srv.URL, "backend-project")
			t.Cleanup(b.closeHandles)
			loads := []*workload{newWorkload(t, a.api, 1), newWorkload(t, b.api, 2)}
			const workers, steps = 8, 40
			var wg sync.WaitGroup
			for i := range workers {
				w := loads[i%2]
				wg.Go(func() {
					r := rand.New(rand.NewPCG(uint64(i), 14))
					for range steps {
						if err := w.step(r); err != nil {
							t.Errorf("worker %d: %v", i, err)
							return
						}
					}
				})
			}
			wg.Wait()
			for i, e := range []*env{a, b} {
				e.checkAfterRestart(t, fmt.Sprintf("server %d after the writes", i+1))
				e.checkLastTaskHistory(t)
			}
			for i, w := range loads {
				if w.ok.Load() < workers/2*steps/4 {
					t.Errorf("server %d: only %d requests succeeded: %s", i+1, w.ok.Load(), w.stats())
				}
				w.statusMu.Lock()
				if len(w.serverErrors) > 0 {
					t.Errorf("server %d: %d requests answered 5xx:\n  %s", i+1, len(w.serverErrors), summarize(w.serverErrors, 5))
				}
				w.statusMu.Unlock()
			}
		})
	}
}
