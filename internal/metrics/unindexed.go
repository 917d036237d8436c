package metrics

import "github.com/prometheus/client_golang/prometheus"

// unindexedCollector reports, at each scrape, the plugins' lookups that read a whole
// collection (db.DB.UnindexedLookups).
type unindexedCollector struct {
	read func() map[[2]string]int64
	desc *prometheus.Desc
}

// RegisterUnindexedLookups exports the lookups by an attribute that the key index could not
// answer, so that each read every document of its collection: one series per collection and
// attribute that had one. None is expected: a lookup the catalogue does not key grows with
// its collection.
func (m *Metrics) RegisterUnindexedLookups(read func() map[[2]string]int64) {
	m.Registry.MustRegister(&unindexedCollector{read: read, desc: prometheus.NewDesc("midonet_db_unindexed_lookups_total",
		"Lookups of documents by an attribute the key index does not hold, each of which read the whole collection.",
		[]string{"collection", "attribute"}, nil)})
}

func (c *unindexedCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }

func (c *unindexedCollector) Collect(ch chan<- prometheus.Metric) {
	for k, n := range c.read() {
		ch <- prometheus.MustNewConstMetric(c.desc, prometheus.CounterValue, float64(n), k[0], k[1])
	}
}
