package metrics

import "github.com/prometheus/client_golang/prometheus"

// The database's reads that grow with a whole collection: counters read at each scrape.

// countsCollector reports, at each scrape, the counters each returns with their labels'
// values.
type countsCollector struct {
	desc *prometheus.Desc
	each func(emit func(n int64, labels ...string))
}

func (c *countsCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }

func (c *countsCollector) Collect(ch chan<- prometheus.Metric) {
	c.each(func(n int64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(c.desc, prometheus.CounterValue, float64(n), labels...)
	})
}

// RegisterUnindexedLookups exports the lookups by an attribute that the key index could not
// answer, so that each read every document of its collection (db.DB.UnindexedLookups): one
// series per collection and attribute that had one. None is expected: a lookup the
// catalogue does not key grows with its collection.
func (m *Metrics) RegisterUnindexedLookups(read func() map[[2]string]int64) {
	m.Registry.MustRegister(&countsCollector{
		desc: prometheus.NewDesc("midonet_db_unindexed_lookups_total",
			"Lookups of documents by an attribute the key index does not hold, each of which read the whole collection.",
			[]string{"collection", "attribute"}, nil),
		each: func(emit func(int64, ...string)) {
			for k, n := range read() {
				emit(n, k[0], k[1])
			}
		},
	})
}

// RegisterWholeReads exports the writes' reads of every document of a collection
// (db.DB.WholeReads, less the collections that stay small): one series per collection that
// had one. None is expected: such a write slows down as its collection grows.
func (m *Metrics) RegisterWholeReads(read func() map[string]int64) {
	m.Registry.MustRegister(&countsCollector{
		desc: prometheus.NewDesc("midonet_db_whole_collection_reads_total",
			"Reads of every document of a collection inside write transactions.",
			[]string{"collection"}, nil),
		each: func(emit func(int64, ...string)) {
			for k, n := range read() {
				emit(n, k)
			}
		},
	})
}
