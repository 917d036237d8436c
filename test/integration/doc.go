// Package integration drives a real `midonet serve` with gophercloud, the Go
// OpenStack SDK, the way a user's program would, and checks what the user
// sees: IDs returned, values that round-trip, status codes and the
// NeutronError types of failures.
//
// Every test body runs once per database backend: SQLite (the embedded
// default) and PostgreSQL (a private instance started by the testenv
// package). Each backend gets its own server per test function; subtests
// share it and stay apart by using their own project IDs.
//
// Run one backend with a subtest pattern, e.g.
//
//	go test ./test/integration/ -run '/sqlite'
package integration
