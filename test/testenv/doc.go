// Package testenv starts the real midonet binary, and a private PostgreSQL and
// MariaDB, for the repository's integration tests.
//
// Every integration test drives the same binary a user runs: [Binary] builds
// cmd/midonet once per test binary, [StartServer] runs `midonet serve` on a
// free loopback port and waits until it answers, and [StartPostgres] with
// [NewDatabase] gives a test its own database on a PostgreSQL instance that
// this package starts from the Debian packages (never the system service);
// [NewMariaDBDatabase] does the same on a private MariaDB (mariadb-install-db and
// mariadbd in a temporary directory).
//
// A test package that uses PostgreSQL or MariaDB calls [Main] from its TestMain so the
// instances are stopped when the tests end:
//
//	func TestMain(m *testing.M) { testenv.Main(m) }
//
// Environment variables:
//
//   - MIDONET_TEST_BINARY: use this prebuilt midonet binary instead of
//     building cmd/midonet.
//   - MIDONET_PG_BINDIR: directory holding initdb and postgres, instead of the
//     newest /usr/lib/postgresql/*/bin.
package testenv
