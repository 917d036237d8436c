package ovsdb_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/midonet-go/midonet/internal/ovsdb"
	"github.com/midonet-go/midonet/internal/testutil/ovsdbtest"
)

const db = "hardware_vtep"

func dial(t *testing.T) *ovsdb.Client {
	t.Helper()
	srv := ovsdbtest.Start(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := ovsdb.Dial(ctx, "unix", srv.Socket)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func tctx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// TestEchoAndListDBs: a real ovsdb-server answers echo and names the hardware_vtep database.
func TestEchoAndListDBs(t *testing.T) {
	c := dial(t)
	if err := c.Echo(tctx(t)); err != nil {
		t.Fatal(err)
	}
	dbs, err := c.ListDBs(tctx(t))
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, d := range dbs {
		found = found || d == db
	}
	if !found {
		t.Fatalf("list_dbs = %v, want %s", dbs, db)
	}
}

// TestTransact: insert a switch with a port (named uuids, a set reference) under the root
// Global row, select it back, update it, see a failing operation reported with its index
// and the transaction rolled back, and delete.
func TestTransact(t *testing.T) {
	c := dial(t)
	ctx := tctx(t)
	res, err := c.Transact(ctx, db,
		ovsdb.Operation{Op: "insert", Table: "Physical_Port", Row: map[string]any{"name": "p1"}, UUIDName: "p1"},
		ovsdb.Operation{Op: "insert", Table: "Physical_Switch", Row: map[string]any{"name": "sw1",
			"ports": ovsdb.Set(ovsdb.NamedUUID("p1")), "tunnel_ips": ovsdb.Set("192.0.2.1")}, UUIDName: "sw"},
		ovsdb.Operation{Op: "insert", Table: "Global", Row: map[string]any{"switches": ovsdb.Set(ovsdb.NamedUUID("sw"))}},
	)
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 3 || len(res[1].UUID) != 2 || res[1].UUID[0] != "uuid" {
		t.Fatalf("insert results %+v", res)
	}
	sel, err := c.Transact(ctx, db, ovsdb.Operation{Op: "select", Table: "Physical_Switch",
		Where: []ovsdb.Condition{ovsdb.Equal("name", "sw1")}, Columns: []string{"name", "tunnel_ips", "ports"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(sel[0].Rows) != 1 || sel[0].Rows[0]["tunnel_ips"] != "192.0.2.1" {
		t.Fatalf("select %+v", sel)
	}
	ports := sel[0].Rows[0]["ports"].([]any) // ["uuid", id]: a one-element set
	if ports[0] != "uuid" {
		t.Fatalf("ports %v", ports)
	}
	up, err := c.Transact(ctx, db, ovsdb.Operation{Op: "update", Table: "Physical_Port",
		Where: []ovsdb.Condition{ovsdb.Equal("_uuid", ovsdb.UUID(ports[1].(string)))}, Row: map[string]any{"description": "uplink"}})
	if err != nil || up[0].Count != 1 {
		t.Fatalf("update: %+v %v", up, err)
	}
	// A failing operation: the error names it, and the whole transaction is rolled back.
	_, err = c.Transact(ctx, db,
		ovsdb.Operation{Op: "update", Table: "Physical_Port", Where: []ovsdb.Condition{ovsdb.Equal("name", "p1")}, Row: map[string]any{"description": "changed"}},
		ovsdb.Operation{Op: "insert", Table: "No_Such_Table", Row: map[string]any{}})
	var te *ovsdb.TransactError
	if !errors.As(err, &te) || te.Index != 1 {
		t.Fatalf("bad table: %v", err)
	}
	sel, err = c.Transact(ctx, db, ovsdb.Operation{Op: "select", Table: "Physical_Port", Where: []ovsdb.Condition{ovsdb.Equal("name", "p1")}})
	if err != nil || sel[0].Rows[0]["description"] != "uplink" {
		t.Fatalf("after a failed transaction: %+v %v", sel, err)
	}
	del, err := c.Transact(ctx, db, ovsdb.Operation{Op: "delete", Table: "Global"})
	if err != nil || del[0].Count != 1 {
		t.Fatalf("delete: %+v %v", del, err)
	}
	// The switch and its port were only referenced from Global: garbage collected.
	sel, err = c.Transact(ctx, db, ovsdb.Operation{Op: "select", Table: "Physical_Switch"})
	if err != nil || len(sel[0].Rows) != 0 {
		t.Fatalf("switches after deleting Global: %+v %v", sel, err)
	}
}

// TestMonitor: a monitor reports the current rows, then every insert, modify and delete
// made by another client, until it is cancelled.
func TestMonitor(t *testing.T) {
	srv := ovsdbtest.Start(t)
	ctx := tctx(t)
	c, err := ovsdb.Dial(ctx, "unix", srv.Socket)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	other, err := ovsdb.Dial(ctx, "unix", srv.Socket)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if _, err := other.Transact(ctx, db, ovsdb.Operation{Op: "insert", Table: "Logical_Switch", Row: map[string]any{"name": "before", "tunnel_key": 1}}); err != nil {
		t.Fatal(err)
	}
	updates := make(chan ovsdb.TableUpdates, 16)
	initial, err := c.Monitor(ctx, db, "ls", map[string]ovsdb.MonitorRequest{"Logical_Switch": {Columns: []string{"name", "tunnel_key"}}},
		func(u ovsdb.TableUpdates) { updates <- u })
	if err != nil {
		t.Fatal(err)
	}
	if len(initial["Logical_Switch"]) != 1 {
		t.Fatalf("initial rows %+v", initial)
	}
	for _, u := range initial["Logical_Switch"] {
		if u.New["name"] != "before" || u.Old != nil {
			t.Fatalf("initial row %+v", u)
		}
	}
	next := func() ovsdb.RowUpdate {
		t.Helper()
		select {
		case u := <-updates:
			for _, r := range u["Logical_Switch"] {
				return r
			}
			t.Fatalf("update without a Logical_Switch row: %+v", u)
		case <-time.After(10 * time.Second):
			t.Fatal("no update within 10 s")
		}
		return ovsdb.RowUpdate{}
	}
	if _, err := other.Transact(ctx, db, ovsdb.Operation{Op: "insert", Table: "Logical_Switch", Row: map[string]any{"name": "mn-net", "tunnel_key": 5000}}); err != nil {
		t.Fatal(err)
	}
	if u := next(); u.Old != nil || u.New["name"] != "mn-net" || fmt.Sprint(u.New["tunnel_key"]) != "5000" {
		t.Errorf("insert update %+v", u)
	}
	if _, err := other.Transact(ctx, db, ovsdb.Operation{Op: "update", Table: "Logical_Switch", Where: []ovsdb.Condition{ovsdb.Equal("name", "mn-net")},
		Row: map[string]any{"tunnel_key": 5001}}); err != nil {
		t.Fatal(err)
	}
	if u := next(); fmt.Sprint(u.Old["tunnel_key"]) != "5000" || fmt.Sprint(u.New["tunnel_key"]) != "5001" {
		t.Errorf("modify update %+v", u)
	}
	if _, err := other.Transact(ctx, db, ovsdb.Operation{Op: "delete", Table: "Logical_Switch", Where: []ovsdb.Condition{ovsdb.Equal("name", "mn-net")}}); err != nil {
		t.Fatal(err)
	}
	if u := next(); u.New != nil || u.Old["name"] != "mn-net" {
		t.Errorf("delete update %+v", u)
	}
	if err := c.MonitorCancel(ctx, "ls"); err != nil {
		t.Fatal(err)
	}
	if _, err := other.Transact(ctx, db, ovsdb.Operation{Op: "insert", Table: "Logical_Switch", Row: map[string]any{"name": "after"}}); err != nil {
		t.Fatal(err)
	}
	if err := c.Echo(ctx); err != nil { // the server has sent anything it would send by now
		t.Fatal(err)
	}
	select {
	case u := <-updates:
		t.Errorf("update after monitor_cancel: %+v", u)
	default:
	}
	if _, err := c.Monitor(ctx, db, "ls", map[string]ovsdb.MonitorRequest{"No_Such_Table": {}}, func(ovsdb.TableUpdates) {}); err == nil {
		t.Error("a monitor of an unknown table started")
	}
}

// TestConcurrentCalls: calls from many goroutines each get their own answer (run with -race).
func TestConcurrentCalls(t *testing.T) {
	c := dial(t)
	ctx := tctx(t)
	var wg sync.WaitGroup
	errs := make(chan error, 40)
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			name := fmt.Sprintf("ls-%d", i)
			if _, err := c.Transact(ctx, db, ovsdb.Operation{Op: "insert", Table: "Logical_Switch", Row: map[string]any{"name": name, "tunnel_key": i}}); err != nil {
				errs <- err
				return
			}
			res, err := c.Transact(ctx, db, ovsdb.Operation{Op: "select", Table: "Logical_Switch", Where: []ovsdb.Condition{ovsdb.Equal("name", name)}})
			if err != nil {
				errs <- err
				return
			}
			if len(res[0].Rows) != 1 || fmt.Sprint(res[0].Rows[0]["tunnel_key"]) != fmt.Sprint(i) {
				errs <- fmt.Errorf("%s: %+v", name, res)
			}
		}(i)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// TestServerEchoAndHangup (a scripted server on a pipe): the client answers the server's echo
// probe with its params and id, ignores answers to no call of its own, and fails pending and
// later calls once the server hangs up.
func TestServerEchoAndHangup(t *testing.T) {
	cli, srv := net.Pipe()
	c := ovsdb.NewClient(cli)
	defer c.Close()
	dec := json.NewDecoder(srv)
	enc := json.NewEncoder(srv)
	go func() {
		_ = enc.Encode(map[string]any{"method": "echo", "params": []any{"probe"}, "id": "echo"})
		_ = enc.Encode(map[string]any{"result": []any{}, "error": nil, "id": 999})
	}()
	var reply map[string]any
	if err := dec.Decode(&reply); err != nil {
		t.Fatal(err)
	}
	if reply["id"] != "echo" || fmt.Sprint(reply["result"]) != "[probe]" || reply["error"] != nil {
		t.Fatalf("echo reply %v", reply)
	}
	done := make(chan error, 1)
	go func() { done <- c.Echo(context.Background()) }()
	var req map[string]any
	if err := dec.Decode(&req); err != nil || req["method"] != "echo" {
		t.Fatalf("client request %v %v", req, err)
	}
	srv.Close()
	if err := <-done; !errors.Is(err, ovsdb.ErrClosed) {
		t.Fatalf("pending call after hang-up: %v", err)
	}
	<-c.Done()
	if err := c.Echo(context.Background()); !errors.Is(err, ovsdb.ErrClosed) {
		t.Fatalf("call after hang-up: %v", err)
	}
}
