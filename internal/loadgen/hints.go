package loadgen

import (
	"fmt"
	"time"
)

// serverPoolSize is `[database] max_pool_size`'s default: connections the server keeps open.
const serverPoolSize = 5

// postgresHints says what to tune on a server that stores in PostgreSQL, from what the run
// measured; each hint names the setting and why this run points at it.
func postgresHints(cfg *Config, rep *Report) []string {
	var h []string
	if cfg.Concurrency > serverPoolSize {
		h = append(h, fmt.Sprintf("%d clients but the server keeps [database] max_pool_size = %d connections by default: "+
			"set max_pool_size to at least %d (connections beyond it come from max_overflow and are closed again); "+
			"PostgreSQL's max_connections must exceed (max_pool_size + max_overflow) summed over every API server",
			cfg.Concurrency, serverPoolSize, cfg.Concurrency))
	}
	c := rep.Create.Stats
	if c.Count > 0 && c.P50 > 4*time.Millisecond {
		h = append(h, fmt.Sprintf("port create p50 %s is over 4 ms: every commit waits for a WAL flush; on slow disks set "+
			"commit_delay = 200 (µs) and commit_siblings = 4 so concurrent commits share a flush, and check wal_sync_method; "+
			"synchronous_commit = off is faster still but loses the last acknowledged writes on a crash", ms(c.P50)))
	}
	if cfg.Concurrency > 1 && c.Count > 0 && c.P99 > 50*time.Millisecond {
		h = append(h, fmt.Sprintf("port create p99 %s with %d clients: look for lock waits in pg_stat_activity (wait_event_type = 'Lock') "+
			"and raise max_wal_size if the log shows \"checkpoints are occurring too frequently\"", ms(c.P99), cfg.Concurrency))
	}
	slowRead := false
	if p := rep.PageWalk; p != nil && p.Count > 0 && p.P50 > 3*time.Millisecond {
		slowRead = true
	}
	if rep.List.Count > 0 && rep.List.Ports > 0 && rep.List.P50 > time.Duration(rep.List.Ports)*15*time.Microsecond {
		slowRead = true
	}
	if o := rep.Mix; o != nil {
		if l := o.Operations["list"]; l != nil && l.Count > 0 && l.P50 > 2*time.Millisecond {
			slowRead = true
		}
	}
	if slowRead {
		h = append(h, "reads are slow: after a bulk load run ANALYZE (or wait for autovacuum) so the planner uses the indexes, "+
			"and give shared_buffers room for the whole database (SELECT pg_size_pretty(pg_database_size(current_database())))")
	}
	if cfg.Bulk > 1 {
		h = append(h, "bulk creates write many rows per transaction: after the load, VACUUM ANALYZE brings the statistics up to date")
	}
	if len(h) == 0 {
		h = append(h, "nothing in this run points at a PostgreSQL setting; the defaults (fsync and synchronous_commit on) are the safe ones")
	}
	return h
}
