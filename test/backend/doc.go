// Package backend holds end-to-end tests of the MidoNet backend spine: the real `midonet
// serve` binary (test/testenv) on SQLite or PostgreSQL, in both client modes (the REST client
// and the task journal), with its NSDB on the embedded etcd or on a real 3-member etcd
// cluster. The tests read the NSDB and the Neutron database directly while the server runs,
// kill the server at random points of a concurrent workload, and run `midonet db-manage
// verify|repair` against what is left.
//
//	go test ./test/backend/ -count=1 -v
//
// MIDONET_BENCH=1 also runs TestMeasureBackend, the latency and task-throughput measurement
// recorded in BENCHMARKS.md.
package backend
