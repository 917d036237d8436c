package dbmanage_test

import (
	"bytes"
	"context"
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/midonet-go/midonet/internal/db"
	"github.com/midonet-go/midonet/internal/dbmanage"
	"github.com/midonet-go/midonet/internal/journal"
)

func TestTaskList(t *testing.T) {
	backends(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		net := newDoc("name", "n1")
		journaled(t, d, journal.Create, "networks", net)
		journaled(t, d, journal.Update, "networks", newDocFrom(net, "name", "n2"))
		journaled(t, d, journal.Create, "ports", newDoc("network_id", net["id"]))
		all := tasks(t, d)
		if len(all) != 3 {
			t.Fatalf("want 3 tasks, got %v", ids(all))
		}
		for _, tc := range []struct {
			name        string
			processed   int // index of the last processed task, -1 for NULL
			unprocessed bool
			want        []int // indexes into all
		}{
			{"all", -1, false, []int{0, 1, 2}},
			{"unprocessed, nothing processed", -1, true, []int{0, 1, 2}},
			{"unprocessed after the first", 0, true, []int{1, 2}},
			{"unprocessed after all", 2, true, nil},
			{"all after all processed", 2, false, []int{0, 1, 2}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				if tc.processed < 0 {
					exec(t, d, "UPDATE midonet_task_state SET last_processed_id = NULL WHERE id = 1")
				} else {
					setProcessed(t, d, all[tc.processed].ID)
				}
				got, err := dbmanage.ListTasks(ctx, d, tc.unprocessed)
				if err != nil {
					t.Fatal(err)
				}
				var want []dbmanage.Task
				for _, i := range tc.want {
					want = append(want, all[i])
				}
				if !reflect.DeepEqual(got, want) {
					t.Fatalf("got %v, want %v", ids(got), ids(want))
				}
			})
		}
		// The columns as journal.Append wrote them.
		first := all[0]
		if first.Type != "CREATE" || first.DataType != "NETWORK" || first.ResourceID != net["id"] || first.TenantID != "p1" || first.TransactionID != "req-test" {
			t.Fatalf("task %+v", first)
		}
		var buf bytes.Buffer
		if err := dbmanage.WriteTasks(&buf, all); err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
		if len(lines) != 4 || !strings.Contains(lines[0], "DATA TYPE") || !strings.Contains(lines[1], net["id"].(string)) ||
			!strings.Contains(lines[1], first.CreatedAt) || !strings.Contains(lines[3], "PORT") {
			t.Fatalf("task-list output:\n%s", buf.String())
		}
	})
}

func newDocFrom(d db.Doc, kv ...any) db.Doc {
	out := db.Doc{}
	for k, v := range d {
		out[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		out[kv[i].(string)] = kv[i+1]
	}
	return out
}

func TestTaskClean(t *testing.T) {
	backends(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		for i := 0; i < 5; i++ {
			journaled(t, d, journal.Create, "networks", newDoc())
		}
		all := tasks(t, d)

		// Nothing processed: nothing deleted.
		n, err := dbmanage.CleanTasks(ctx, d)
		if err != nil || n != 0 || len(tasks(t, d)) != 5 {
			t.Fatalf("clean with nothing processed: %d, %v, %d tasks left", n, err, len(tasks(t, d)))
		}

		setProcessed(t, d, all[2].ID)
		n, err = dbmanage.CleanTasks(ctx, d)
		if err != nil {
			t.Fatal(err)
		}
		if n != 3 {
			t.Fatalf("deleted %d, want 3", n)
		}
		left := tasks(t, d)
		if !reflect.DeepEqual(left, all[3:]) {
			t.Fatalf("left %v, want %v", ids(left), ids(all[3:]))
		}
		if lp := lastProcessed(t, d); lp != nil {
			t.Fatalf("last_processed_id = %d after task-clean, want NULL", *lp)
		}
		// Every remaining task now counts as unprocessed, and new ids keep growing.
		un, _ := dbmanage.ListTasks(ctx, d, true)
		if len(un) != 2 {
			t.Fatalf("unprocessed after clean: %v", ids(un))
		}
		journaled(t, d, journal.Create, "networks", newDoc())
		if got := maxTaskID(t, d); got != all[4].ID+1 {
			t.Fatalf("next task id %d, want %d (ids must never be reused)", got, all[4].ID+1)
		}
		// The cluster reports again; a second clean deletes up to there.
		setProcessed(t, d, all[4].ID)
		if n, err = dbmanage.CleanTasks(ctx, d); err != nil || n != 2 {
			t.Fatalf("second clean: %d, %v", n, err)
		}
		if left := tasks(t, d); len(left) != 1 || left[0].ID != all[4].ID+1 {
			t.Fatalf("left %v", ids(left))
		}
	})
}

func TestTaskResource(t *testing.T) {
	backends(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		net := newDoc("name", "net")
		net2 := newDoc("name", "net2")
		port := newDoc("network_id", net["id"], "name", "p")
		sub := newDoc("network_id", net["id"], "cidr", "10.0.0.0/24")
		journaled(t, d, journal.Create, "networks", net)                             // 1
		journaled(t, d, journal.Create, "ports", port)                               // 2
		journaled(t, d, journal.Update, "networks", newDocFrom(net, "name", "net*")) // 3
		journaled(t, d, journal.Create, "networks", net2)                            // 4
		journaled(t, d, journal.Delete, "ports", port)                               // 5
		journaled(t, d, journal.Create, "subnets", sub)                              // 6
		journaled(t, d, journal.Delete, "networks", net2)                            // 7
		all := tasks(t, d)
		exec(t, d, "INSERT INTO midonet_tasks (type, data_type, resource_id, data, created_at) VALUES (?, ?, ?, ?, ?)",
			dbmanage.TaskDataVersionActivate, "", "1", "{}", "2024-01-01T00:00:00.000000Z") // not a resource

		type want map[string][]string // data type -> "id/name" in order
		summary := func(groups []dbmanage.ResourceGroup) want {
			out := want{}
			for _, g := range groups {
				for _, r := range g.Resources {
					var m map[string]any
					if err := json.Unmarshal(r.Data, &m); err != nil {
						t.Fatal(err)
					}
					name, _ := m["name"].(string)
					if name == "" {
						name, _ = m["cidr"].(string)
					}
					out[g.DataType] = append(out[g.DataType], name)
				}
			}
			return out
		}
		for _, tc := range []struct {
			name      string
			processed int // index into all of the last processed task; -1 NULL
			onlyProc  bool
			want      want
		}{
			{"all tasks", -1, false, want{"NETWORK": {"net*"}, "SUBNET": {"10.0.0.0/24"}}},
			{"-p with nothing processed", -1, true, want{}},
			{"-p up to the port create", 1, true, want{"NETWORK": {"net"}, "PORT": {"p"}}},
			{"-p up to the second network", 3, true, want{"NETWORK": {"net*", "net2"}, "PORT": {"p"}}},
			{"-p up to the port delete", 4, true, want{"NETWORK": {"net*", "net2"}}},
			{"all tasks, some processed", 4, false, want{"NETWORK": {"net*"}, "SUBNET": {"10.0.0.0/24"}}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				if tc.processed < 0 {
					exec(t, d, "UPDATE midonet_task_state SET last_processed_id = NULL WHERE id = 1")
				} else {
					setProcessed(t, d, all[tc.processed].ID)
				}
				groups, err := dbmanage.TaskResources(ctx, d, tc.onlyProc)
				if err != nil {
					t.Fatal(err)
				}
				if got := summary(groups); !reflect.DeepEqual(got, tc.want) {
					t.Fatalf("got %v, want %v", got, tc.want)
				}
			})
		}

		// Output: "<DATA_TYPE>S:" headings in sync order, indented JSON with sorted keys.
		exec(t, d, "UPDATE midonet_task_state SET last_processed_id = NULL WHERE id = 1")
		groups, err := dbmanage.TaskResources(ctx, d, false)
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := dbmanage.WriteTaskResources(&buf, groups); err != nil {
			t.Fatal(err)
		}
		out := buf.String()
		if !strings.HasPrefix(out, "NETWORKS:\n{\n    \"id\": \""+net["id"].(string)+"\",\n    \"name\": \"net*\",") {
			t.Fatalf("task-resource output:\n%s", out)
		}
		if i, j := strings.Index(out, "NETWORKS:"), strings.Index(out, "SUBNETS:"); i < 0 || j < i {
			t.Fatalf("headings out of order:\n%s", out)
		}
		if !strings.Contains(out, "\"revision_number\": 1,") {
			t.Fatalf("numbers not kept:\n%s", out)
		}
	})
}

func TestDataShow(t *testing.T) {
	backends(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s, err := dbmanage.Show(ctx, d)
		if err != nil {
			t.Fatal(err)
		}
		if s.LastProcessedID != nil || s.LastUpdated != "" || s.ReadOnly || s.ActiveVersion == nil || *s.ActiveVersion != dbmanage.InitialVersion {
			t.Fatalf("fresh state %+v", s)
		}
		if vs, _ := dbmanage.ListVersions(ctx, d); len(vs) != 1 || vs[0] != (dbmanage.Version{ID: 1, SyncStatus: "COMPLETED", SyncTasksStatus: "COMPLETED"}) {
			t.Fatalf("fresh versions %+v, want the initial version", vs)
		}
		var buf bytes.Buffer
		_ = dbmanage.WriteState(&buf, s)
		if want := "Last processed task id: None\nLast updated:           None\nActive version:         1\nReadonly:               False\n"; buf.String() != want {
			t.Fatalf("data-show:\n%s\nwant:\n%s", buf.String(), want)
		}
		setProcessed(t, d, 42)
		v := addVersion(t, d, dbmanage.StatusCompleted, dbmanage.StatusCompleted, false)
		exec(t, d, "UPDATE midonet_data_state SET active_version = ?, readonly = ? WHERE id = 1", v, true)
		s, err = dbmanage.Show(ctx, d)
		if err != nil {
			t.Fatal(err)
		}
		if s.LastProcessedID == nil || *s.LastProcessedID != 42 || s.LastUpdated != "2024-01-02T03:04:05.000000Z" ||
			s.ActiveVersion == nil || *s.ActiveVersion != v || !s.ReadOnly {
			t.Fatalf("state %+v", s)
		}
		buf.Reset()
		_ = dbmanage.WriteState(&buf, s)
		if !strings.Contains(buf.String(), "Last processed task id: 42\n") || !strings.Contains(buf.String(), "Readonly:               True\n") {
			t.Fatalf("data-show:\n%s", buf.String())
		}
		// A damaged state table is an error, not a guess.
		exec(t, d, "INSERT INTO midonet_data_state (id) VALUES (2)")
		if _, err := dbmanage.Show(ctx, d); err == nil || !strings.Contains(err.Error(), "exactly one") {
			t.Fatalf("two state rows: %v", err)
		}
	})
}
