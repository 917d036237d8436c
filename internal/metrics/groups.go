package metrics

import "github.com/prometheus/client_golang/prometheus"

// RegisterWriteGroups exports how much writes share their commits: the SQLite write batches
// and the write transactions they held (dbGroups), and the combined cluster applies and the
// REST calls they held (clusterGroups; nil without a cluster). writes/batches is the mean
// batch size; 1 means no sharing.
func (m *Metrics) RegisterWriteGroups(dbGroups, clusterGroups func() (batches, members int64)) {
	pair := func(read func() (int64, int64), batchName, batchHelp, memberName, memberHelp string) {
		m.Registry.MustRegister(
			prometheus.NewCounterFunc(prometheus.CounterOpts{Name: batchName, Help: batchHelp}, func() float64 {
				b, _ := read()
				return float64(b)
			}),
			prometheus.NewCounterFunc(prometheus.CounterOpts{Name: memberName, Help: memberHelp}, func() float64 {
				_, n := read()
				return float64(n)
			}))
	}
	if dbGroups != nil {
		pair(dbGroups, "midonet_db_write_batches_total", "SQLite write batches committed (group commit; 0 on PostgreSQL and MySQL).",
			"midonet_db_batched_writes_total", "Write transactions committed in those batches.")
	}
	if clusterGroups != nil {
		pair(clusterGroups, "midonet_cluster_combined_applies_total", "Combined applies of concurrent REST changes (one etcd transaction each).",
			"midonet_cluster_combined_calls_total", "REST calls those combined applies held.")
	}
}

// RegisterPipelined exports how many cluster applies were translated while the previous
// apply's etcd transaction was in flight (read: the count so far).
func (m *Metrics) RegisterPipelined(read func() int64) {
	m.Registry.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{
		Name: "midonet_cluster_pipelined_applies_total",
		Help: "Cluster applies translated while the previous apply's etcd transaction was in flight (sent once it was answered).",
	}, func() float64 { return float64(read()) }))
}
