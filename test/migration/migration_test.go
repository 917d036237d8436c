// Package migration_test moves a networking-midonet deployment of the monolithic v2 plugin to
// this server: an upstream Neutron database built from the upstream schema (testdata), copied
// by `midonet db-manage import`, converted to ML2 at the first `midonet serve` (seed 4).
package migration_test

import (
	"context"
	"database/sql"
	_ "embed"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	_ "github.com/go-sql-driver/mysql"
	_ "github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite"

	"github.com/midonet-go/midonet/internal/migratev2"
	"github.com/midonet-go/midonet/test/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

var (
	//go:embed testdata/upstream_pike.sql
	upstreamSchema string
	//go:embed testdata/v2_deployment.sql
	v2Deployment string
)

const (
	netTenant, netPublic, netUplink = "0e000000-0000-4000-8000-000000000001", "0e000000-0000-4000-8000-000000000002", "0e000000-0000-4000-8000-000000000003"
	portVM, portEdge                = "90000000-0000-4000-8000-000000000001", "90000000-0000-4000-8000-000000000005"
)

// upstream creates an upstream Neutron database holding the v2 deployment (plus extra SQL).
func upstream(t *testing.T, extra string) string {
	t.Helper()
	dsn := testenv.NewDatabase(t)
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	for _, q := range []string{upstreamSchema, v2Deployment, extra} {
		if q == "" {
			continue
		}
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatalf("build the upstream database: %v", err)
		}
	}
	return dsn
}

// midonet runs the binary and returns its output and error.
func midonet(t *testing.T, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, testenv.Binary(t), args...).CombinedOutput()
	return string(out), err
}

func get(t *testing.T, srv *testenv.Server, path string) map[string]any {
	t.Helper()
	resp, err := http.Get(srv.URL + "/v2.0/" + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != 200 {
		t.Fatalf("GET %s: %d %v", path, resp.StatusCode, err)
	}
	return out
}

// binding is what a port shows of its ML2 binding.
type binding struct {
	Host, VIFType, VNICType string
	Profile, Details        map[string]any
}

func bindingOf(p map[string]any) binding {
	b := binding{Host: p["binding:host_id"].(string), VIFType: p["binding:vif_type"].(string), VNICType: p["binding:vnic_type"].(string)}
	b.Profile, _ = p["binding:profile"].(map[string]any)
	b.Details, _ = p["binding:vif_details"].(map[string]any)
	return b
}

// TestV2ToML2: every network gets a segment (uplink for the v2 plugin's uplink network,
// midonet for the others), every port its ML2 binding (vif midonet with interface_name and
// port_filter for the bound ones, unbound for the rest); the v2 rows are gone; the log says so
// once; the second start changes nothing; the resources came across whole.
func TestV2ToML2(t *testing.T) {
	for _, target := range []string{"sqlite", "postgres", "mariadb"} {
		t.Run(target, func(t *testing.T) { v2ToML2(t, target) })
	}
}

// target is this server's database: SQLite under dir, or a new PostgreSQL or MariaDB database
// through a configuration file; args are what every command needs to reach it.
type target struct {
	dir, conf, dsn, driver, driverDSN string
}

func newTarget(t *testing.T, engine string) target {
	tg := target{dir: t.TempDir()}
	switch engine {
	case "postgres":
		tg.dsn, tg.driver = testenv.NewDatabase(t), "pgx"
		tg.driverDSN = tg.dsn
	case "mariadb":
		tg.dsn, tg.driver = testenv.NewMariaDBDatabase(t), "mysql"
		tg.driverDSN = testenv.MariaDBDriverDSN(t, tg.dsn)
	}
	if tg.dsn != "" {
		tg.conf = filepath.Join(t.TempDir(), "neutron.conf")
		if err := os.WriteFile(tg.conf, []byte("[DEFAULT]\nauth_strategy = noauth\n[database]\nconnection = "+tg.dsn+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return tg
}

func (tg target) args() []string {
	out := []string{"--data-dir", tg.dir}
	if tg.conf != "" {
		out = append(out, "--config-file", tg.conf)
	}
	return out
}

func v2ToML2(t *testing.T, engine string) {
	dsn := upstream(t, "")
	tg := newTarget(t, engine)
	dir := tg.dir
	out, err := midonet(t, append([]string{"db-manage", "import", dsn}, tg.args()...)...)
	if err != nil {
		t.Fatalf("import: %v\n%s", err, out)
	}
	for _, want := range []string{"networks: 3", "subnets: 3", "ports: 6", "routers: 1", "floatingips: 1", "security_groups: 1",
		"security_group_rules: 3", "rbac_policies: 1", "midonet_network_bindings: 1", "portbindingports: 2", "midonet_port_bindings: 1"} {
		if !strings.Contains(out, want+"\n") {
			t.Errorf("import output lacks %q:\n%s", want, out)
		}
	}

	opts := testenv.Options{DataDir: dir}
	if tg.conf != "" {
		opts.ConfigFiles = []string{tg.conf}
	}
	srv := testenv.StartServer(t, opts)
	if !srv.WaitLog(migratev2.CompletedMessage, 10*time.Second) {
		t.Fatalf("no %q in the log", migratev2.CompletedMessage)
	}
	wantType := map[string]string{netTenant: "midonet", netPublic: "midonet", netUplink: "uplink"}
	for _, x := range get(t, srv, "networks")["networks"].([]any) {
		n := x.(map[string]any)
		id := n["id"].(string)
		if n["provider:network_type"] != wantType[id] || n["provider:physical_network"] != nil || n["provider:segmentation_id"] != nil {
			t.Errorf("network %s (%s): segment %v %v %v, want %s", n["name"], id, n["provider:network_type"], n["provider:physical_network"], n["provider:segmentation_id"], wantType[id])
		}
		// The segment is a document of its own too (/v2.0/segments).
		segs := get(t, srv, "segments?network_id="+id)["segments"].([]any)
		if len(segs) != 1 || segs[0].(map[string]any)["network_type"] != wantType[id] {
			t.Errorf("network %s: segments %v, want one %s", id, segs, wantType[id])
		}
	}
	unbound := binding{VIFType: "unbound", VNICType: "normal", Profile: map[string]any{}, Details: map[string]any{}}
	wantBinding := map[string]binding{
		portVM:   {Host: "compute-1", VIFType: "midonet", VNICType: "normal", Profile: map[string]any{}, Details: map[string]any{"port_filter": true}},
		portEdge: {Host: "gw-1", VIFType: "midonet", VNICType: "normal", Profile: map[string]any{"interface_name": "eth1"}, Details: map[string]any{"port_filter": true}},
	}
	ports := get(t, srv, "ports")["ports"].([]any)
	if len(ports) != 6 {
		t.Fatalf("%d ports, want 6", len(ports))
	}
	for _, x := range ports {
		p := x.(map[string]any)
		want, ok := wantBinding[p["id"].(string)]
		if !ok {
			want = unbound
		}
		if got := bindingOf(p); !reflect.DeepEqual(got, want) {
			t.Errorf("port %s (%s): binding %+v, want %+v", p["name"], p["id"], got, want)
		}
	}
	// What came across besides the bindings.
	vm := get(t, srv, "ports/"+portVM)["port"].(map[string]any)
	if ips := vm["fixed_ips"].([]any); len(ips) != 1 || ips[0].(map[string]any)["ip_address"] != "10.10.0.5" ||
		vm["mac_address"] != "fa:16:3e:00:00:01" || len(vm["security_groups"].([]any)) != 1 || len(vm["allowed_address_pairs"].([]any)) != 1 ||
		len(vm["extra_dhcp_opts"].([]any)) != 1 || vm["description"] != "vm" || vm["device_owner"] != "compute:nova" {
		t.Errorf("vm1 %v", vm)
	}
	if edge := get(t, srv, "ports/"+portEdge)["port"].(map[string]any); edge["port_security_enabled"] != false {
		t.Errorf("edge port security %v", edge["port_security_enabled"])
	}
	sub := get(t, srv, "subnets/5b000000-0000-4000-8000-000000000001")["subnet"].(map[string]any)
	if !reflect.DeepEqual(sub["dns_nameservers"], []any{"8.8.8.8", "8.8.4.4"}) || len(sub["host_routes"].([]any)) != 1 {
		t.Errorf("subnet %v", sub)
	}
	pub := get(t, srv, "networks/"+netPublic)["network"].(map[string]any)
	if pub["router:external"] != true {
		t.Errorf("public network %v", pub)
	}
	r := get(t, srv, "routers/7e000000-0000-4000-8000-000000000001")["router"].(map[string]any)
	if gw, _ := r["external_gateway_info"].(map[string]any); gw == nil || gw["network_id"] != netPublic || len(r["routes"].([]any)) != 1 {
		t.Errorf("router %v", r)
	}
	fip := get(t, srv, "floatingips/f1000000-0000-4000-8000-000000000001")["floatingip"].(map[string]any)
	if fip["port_id"] != portVM || fip["floating_ip_address"] != "172.24.4.20" || fip["router_id"] != "7e000000-0000-4000-8000-000000000001" {
		t.Errorf("floating IP %v", fip)
	}
	// A new port gets a fresh address, never an imported one.
	resp, err := http.Post(srv.URL+"/v2.0/ports", "application/json", strings.NewReader(`{"port": {"network_id": "`+netTenant+`", "tenant_id": "t1"}}`))
	if err != nil || resp.StatusCode != 201 {
		t.Fatalf("new port: %v %v", err, resp.Status)
	}
	resp.Body.Close()
	// What the second start could change: segments and bindings (statuses follow the agents).
	converted := func() map[string]any {
		out := map[string]any{}
		for _, x := range get(t, srv, "ports")["ports"].([]any) {
			out[x.(map[string]any)["id"].(string)] = bindingOf(x.(map[string]any))
		}
		for _, x := range get(t, srv, "networks")["networks"].([]any) {
			out[x.(map[string]any)["id"].(string)] = x.(map[string]any)["provider:network_type"]
		}
		return out
	}
	before := converted()

	// The second start: nothing to convert, nothing changed, no second line.
	srv.Stop()
	v2Rows(t, tg, 0)
	srv.Start(t)
	time.Sleep(500 * time.Millisecond)
	if n := strings.Count(srv.Logs(), migratev2.CompletedMessage); n != 1 {
		t.Errorf("the completion line appears %d times across two starts, want once", n)
	}
	if after := converted(); !reflect.DeepEqual(before, after) {
		t.Errorf("the second start changed segments or bindings: %v → %v", before, after)
	}
	srv.Stop()
	// The topology the cluster built from the imported data matches it.
	if out, err := midonet(t, append([]string{"db-manage", "verify"}, tg.args()...)...); err != nil {
		t.Errorf("verify after the migration: %v\n%s", err, out)
	}
}

// v2Rows checks how many v2 plugin rows the target database holds.
func v2Rows(t *testing.T, tg target, want int) {
	t.Helper()
	driver, source := "sqlite", filepath.Join(tg.dir, "neutron.db")
	if tg.dsn != "" {
		driver, source = tg.driver, tg.driverDSN
	}
	db, err := sql.Open(driver, source)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRow("SELECT (SELECT COUNT(*) FROM midonet_network_bindings) + (SELECT COUNT(*) FROM portbindingports) + (SELECT COUNT(*) FROM midonet_port_bindings)").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != want {
		t.Errorf("%d v2 plugin rows left, want %d", n, want)
	}
}

// TestV2ToML2RefusedOverML2Data: v2 rows next to ML2 data (a segment) are a database migrated
// before, or half: the server refuses to start, says why, and changes nothing.
func TestV2ToML2RefusedOverML2Data(t *testing.T) {
	dsn := upstream(t, `INSERT INTO standardattributes (id, resource_type, revision_number) VALUES (60, 'networksegments', 0);
INSERT INTO networksegments (id, network_id, network_type, standard_attr_id) VALUES ('5e650000-0000-4000-8000-000000000001', '`+netTenant+`', 'midonet', 60);`)
	dir := t.TempDir()
	if out, err := midonet(t, "db-manage", "import", dsn, "--data-dir", dir); err != nil {
		t.Fatalf("import: %v\n%s", err, out)
	}
	port, err := testenv.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	out, err := midonet(t, "serve", "--data-dir", dir, "--bind-host", "127.0.0.1", "--bind-port", itoa(port))
	if err == nil {
		t.Fatalf("the server started over v2 rows and ML2 data:\n%s", out)
	}
	if !strings.Contains(out, "ML2 data already") || !strings.Contains(out, "1 networks with a segment") || strings.Contains(out, migratev2.CompletedMessage) {
		t.Errorf("output:\n%s", out)
	}
	v2Rows(t, target{dir: dir}, 4)
}

// TestImportRefusesANonEmptyDatabase: the import goes into a new database only.
func TestImportRefusesANonEmptyDatabase(t *testing.T) {
	dsn := upstream(t, "")
	dir := t.TempDir()
	if out, err := midonet(t, "db-manage", "import", dsn, "--data-dir", dir); err != nil {
		t.Fatalf("import: %v\n%s", err, out)
	}
	out, err := midonet(t, "db-manage", "import", dsn, "--data-dir", dir)
	if err == nil || !strings.Contains(out, "already holds") {
		t.Errorf("second import: %v\n%s", err, out)
	}
	if out, err := midonet(t, "db-manage", "import", "/nonexistent/dump.sql", "--data-dir", t.TempDir()); err == nil || !strings.Contains(out, "neither a postgresql:// URL nor a readable pg_dump or mysqldump file") {
		t.Errorf("import of a missing file: %v\n%s", err, out)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

// TestImportFromDump: a plain pg_dump of the upstream database imports as the database does,
// and the first start converts it the same way.
func TestImportFromDump(t *testing.T) {
	dsn := upstream(t, "")
	dump := filepath.Join(t.TempDir(), "neutron.sql")
	if out, err := exec.Command("pg_dump", "--no-owner", "-f", dump, dsn).CombinedOutput(); err != nil {
		t.Fatalf("pg_dump: %v\n%s", err, out)
	}
	srv := importsAsTheDatabase(t, dsn, dump, "the dump")
	if n := get(t, srv, "networks/"+netUplink)["network"].(map[string]any); n["provider:network_type"] != "uplink" || n["mtu"] != float64(1500) {
		t.Errorf("uplink network %v", n)
	}
	if vm := get(t, srv, "ports/"+portVM)["port"].(map[string]any); vm["port_security_enabled"] != true {
		t.Errorf("vm1 %v", vm)
	}
}

// TestImportFromMySQLDump: the upstream database written out as mysqldump writes it (backtick
// CREATE TABLEs, extended INSERTs, booleans as 1 and 0, MySQL's string escapes) imports as
// the database itself does.
func TestImportFromMySQLDump(t *testing.T) {
	dsn := upstream(t, "")
	dump := filepath.Join(t.TempDir(), "neutron-mysql.sql")
	if err := os.WriteFile(dump, []byte(mysqldumpOf(t, dsn)), 0o600); err != nil {
		t.Fatal(err)
	}
	importsAsTheDatabase(t, dsn, dump, "the MySQL dump")
}

// importsAsTheDatabase imports the upstream database at dsn and its dump into two new SQLite
// targets, checks that both imports report the same, starts a server on the dump's target
// and checks the first start's conversion of the edge port and vm1; it returns that server.
func importsAsTheDatabase(t *testing.T, dsn, dump, what string) *testenv.Server {
	t.Helper()
	fromDB, fromDump := newTarget(t, "sqlite"), newTarget(t, "sqlite")
	outDB, err := midonet(t, append([]string{"db-manage", "import", dsn}, fromDB.args()...)...)
	if err != nil {
		t.Fatalf("import: %v\n%s", err, outDB)
	}
	outDump, err := midonet(t, append([]string{"db-manage", "import", dump}, fromDump.args()...)...)
	if err != nil {
		t.Fatalf("import of %s: %v\n%s", what, err, outDump)
	}
	if outDump != outDB {
		t.Errorf("%s imported\n%s\nthe database\n%s", what, outDump, outDB)
	}
	srv := testenv.StartServer(t, testenv.Options{DataDir: fromDump.dir})
	if !srv.WaitLog(migratev2.CompletedMessage, 10*time.Second) {
		t.Fatalf("no %q in the log", migratev2.CompletedMessage)
	}
	edge := get(t, srv, "ports/"+portEdge)["port"].(map[string]any)
	want := binding{Host: "gw-1", VIFType: "midonet", VNICType: "normal", Profile: map[string]any{"interface_name": "eth1"}, Details: map[string]any{"port_filter": true}}
	if got := bindingOf(edge); !reflect.DeepEqual(got, want) {
		t.Errorf("edge port binding %+v, want %+v", got, want)
	}
	if vm := get(t, srv, "ports/"+portVM)["port"].(map[string]any); vm["description"] != "vm" || vm["admin_state_up"] != true {
		t.Errorf("vm1 %v", vm)
	}
	return srv
}

// mysqldumpOf writes every table of the PostgreSQL database at dsn in mysqldump's format.
func mysqldumpOf(t *testing.T, dsn string) string {
	t.Helper()
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	rows, err := db.QueryContext(ctx, `SELECT table_name, column_name, data_type FROM information_schema.columns
		WHERE table_schema = 'public' ORDER BY table_name, ordinal_position`)
	if err != nil {
		t.Fatal(err)
	}
	type column struct{ name, typ string }
	var order []string
	cols := map[string][]column{}
	for rows.Next() {
		var tb, c, typ string
		if err := rows.Scan(&tb, &c, &typ); err != nil {
			t.Fatal(err)
		}
		if cols[tb] == nil {
			order = append(order, tb)
		}
		cols[tb] = append(cols[tb], column{c, typ})
	}
	rows.Close()
	quote := strings.NewReplacer(`\`, `\\`, `'`, `\'`, "\n", `\n`, "\r", `\r`, "\t", `\t`, "\x00", `\0`)
	var b strings.Builder
	b.WriteString("-- MariaDB dump 10.19  Distrib 10.11.6-MariaDB, for debian-linux-gnu (x86_64)\n--\n-- Host: localhost    Database: neutron\n\n")
	for _, tb := range order {
		fmt.Fprintf(&b, "DROP TABLE IF EXISTS `%s`;\nCREATE TABLE `%s` (\n", tb, tb)
		sel := make([]string, len(cols[tb]))
		for i, c := range cols[tb] {
			fmt.Fprintf(&b, "  `%s` varchar(255) DEFAULT NULL,\n", c.name)
			sel[i] = `"` + c.name + `"::text`
		}
		b.WriteString(") ENGINE=InnoDB DEFAULT CHARSET=utf8mb3 COLLATE=utf8mb3_general_ci;\n")
		rs, err := db.QueryContext(ctx, `SELECT `+strings.Join(sel, ", ")+` FROM "`+tb+`"`)
		if err != nil {
			t.Fatal(err)
		}
		var tuples []string
		for rs.Next() {
			vals := make([]sql.NullString, len(sel))
			ptrs := make([]any, len(sel))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rs.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			out := make([]string, len(vals))
			for i, v := range vals {
				switch {
				case !v.Valid:
					out[i] = "NULL"
				case cols[tb][i].typ == "boolean" && v.String == "true":
					out[i] = "1"
				case cols[tb][i].typ == "boolean":
					out[i] = "0"
				case strings.Contains(cols[tb][i].typ, "int"):
					out[i] = v.String
				default:
					out[i] = "'" + quote.Replace(v.String) + "'"
				}
			}
			tuples = append(tuples, "("+strings.Join(out, ",")+")")
		}
		rs.Close()
		if len(tuples) > 0 {
			fmt.Fprintf(&b, "LOCK TABLES `%s` WRITE;\nINSERT INTO `%s` VALUES %s;\nUNLOCK TABLES;\n", tb, tb, strings.Join(tuples, ","))
		}
	}
	return b.String()
}
