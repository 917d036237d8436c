// Package isolation proves that one project cannot reach, wire or break
// another project's network (issue 18).
//
// The package itself (non-test code) holds what both proofs share: Setup, which
// builds with gophercloud a World of resources that an admin makes for project
// A (a private network, subnets, ports, a router with a gateway and an
// interface, a floating IP, a security group with rules, a private subnet
// pool, a shared network with a subnet) and that project B makes for itself;
// the table of Attacks project B tries against A, each with the status and
// NeutronError type Neutron 21 answers (the comments name the upstream code
// where it is not obvious); and Take, a Snapshot of every document of A
// (fetched as admin, together with what B could attach to A: ports on A's
// networks or naming A's router, subnets from A's pool, rules naming A's
// group) to compare before and after each attack.
//
// Two tests use it:
//
//   - TestCrossProject (this package's tests) runs every attack against the
//     real `midonet serve` on SQLite and PostgreSQL with noauth identity
//     headers, and on SQLite with real Keystone tokens (shared/tools/
//     keystone-up.sh; MIDONET_TEST_KEYSTONE=0 skips that variant). One server
//     per variant is shared by all attacks, which run in order.
//   - FuzzCrossProject (internal/api) sends random requests as project B to an
//     in-process server and checks that A's documents never change, nothing of
//     A leaks and the server never answers 5xx; its seed corpus is Attacks.
//
// Run one variant with a subtest pattern, e.g.
//
//	go test ./test/isolation/ -run 'TestCrossProject/sqlite-noauth'
package isolation
