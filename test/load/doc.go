// Package load runs `midonet load` against a real `midonet serve` (SQLite and PostgreSQL) and
// checks each workload's report against what the API then shows: bulk creates spread over
// networks, a mix of operations in its proportions, a page walk that sees every port once,
// the PostgreSQL hints, and the refusal of bad flags. It asserts no timings.
package load
