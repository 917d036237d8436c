package metrics

import "github.com/prometheus/client_golang/prometheus"

// DocCache is the decoded-document cache as /metrics reports it (db.DocCacheState).
type DocCache struct {
	Entries      int
	Bytes        int64 // estimated memory of the entries
	Budget       int64 // the most Bytes may reach; 0 when the cache is off
	Hits, Misses int64 // lookups so far
}

// docCacheCollector reads the cache once per scrape, so that its series agree with each
// other; nothing is counted on the read path for it.
type docCacheCollector struct {
	read                                 func() DocCache
	entries, bytes, budget, hits, misses *prometheus.Desc
}

// RegisterDocCache exports the decoded-document cache that read reports at each scrape: its
// entries, their estimated bytes, its budget, and its lookups that hit and missed.
func (m *Metrics) RegisterDocCache(read func() DocCache) {
	d := func(name, help string) *prometheus.Desc {
		return prometheus.NewDesc("midonet_doc_cache_"+name, help, nil, nil)
	}
	m.Registry.MustRegister(&docCacheCollector{
		read:    read,
		entries: d("entries", "Documents held decoded by the decoded-document cache."),
		bytes:   d("bytes", "Estimated memory the decoded-document cache holds (its entries and their memos)."),
		budget:  d("budget_bytes", "Most memory the decoded-document cache may hold ([database] doc_cache_size_mb; 0: off)."),
		hits:    d("hits_total", "Document reads the decoded-document cache answered without decoding."),
		misses:  d("misses_total", "Document reads the decoded-document cache did not hold (decoded, then kept if they fit)."),
	})
}

func (c *docCacheCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.entries, c.bytes, c.budget, c.hits, c.misses} {
		ch <- d
	}
}

func (c *docCacheCollector) Collect(ch chan<- prometheus.Metric) {
	s := c.read()
	ch <- prometheus.MustNewConstMetric(c.entries, prometheus.GaugeValue, float64(s.Entries))
	ch <- prometheus.MustNewConstMetric(c.bytes, prometheus.GaugeValue, float64(s.Bytes))
	ch <- prometheus.MustNewConstMetric(c.budget, prometheus.GaugeValue, float64(s.Budget))
	ch <- prometheus.MustNewConstMetric(c.hits, prometheus.CounterValue, float64(s.Hits))
	ch <- prometheus.MustNewConstMetric(c.misses, prometheus.CounterValue, float64(s.Misses))
}
