// Package concurrency holds end-to-end tests of many clients writing at once: two
// `midonet serve` processes on one PostgreSQL database, racing port creates for addresses
// and MACs. Run them with the race detector:
//
//	go test -race -v ./test/concurrency
package concurrency
