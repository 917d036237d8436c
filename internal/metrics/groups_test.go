package metrics

import "testing"

// TestWriteGroups: the group-commit counters read what the database and the cluster
// report, each registered only when given.
func TestWriteGroups(t *testing.T) {
	for _, c := range []struct {
		name          string
		db, cluster   func() (int64, int64)
		want, missing map[string]float64
	}{
		{"both", func() (int64, int64) { return 10, 37 }, func() (int64, int64) { return 3, 9 },
			map[string]float64{"midonet_db_write_batches_total": 10, "midonet_db_batched_writes_total": 37,
				"midonet_cluster_combined_applies_total": 3, "midonet_cluster_combined_calls_total": 9}, nil},
		{"db only", func() (int64, int64) { return 1, 1 }, nil,
			map[string]float64{"midonet_db_write_batches_total": 1, "midonet_db_batched_writes_total": 1},
			map[string]float64{"midonet_cluster_combined_applies_total": 0}},
	} {
		t.Run(c.name, func(t *testing.T) {
			m := New(testPaths, nil)
			m.RegisterWriteGroups(c.db, c.cluster)
			families, err := m.Registry.Gather()
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]float64{}
			for _, f := range families {
				for _, s := range f.GetMetric() {
					got[f.GetName()] = s.GetCounter().GetValue()
				}
			}
			for k, v := range c.want {
				if g, ok := got[k]; !ok || g != v {
					t.Errorf("%s = %v (exported %v), want %v", k, g, ok, v)
				}
			}
			for k := range c.missing {
				if _, ok := got[k]; ok {
					t.Errorf("%s exported without a source", k)
				}
			}
		})
	}
}
