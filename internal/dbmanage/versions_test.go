package dbmanage_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"github.com/midonet-go/midonet/internal/plugin/builtin"
	"net/http"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/midonet-go/midonet/internal/db"
	"github.com/midonet-go/midonet/internal/dbmanage"
	"github.com/midonet-go/midonet/internal/fault"
	"github.com/midonet-go/midonet/internal/journal"
)

func TestReadOnlyToggle(t *testing.T) {
	backends(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		checkWritable := func() error {
			return d.Write(ctx, func(tx *db.Tx) error { return dbmanage.CheckWritable(ctx, tx) })
		}
		if ro, err := dbmanage.ReadOnly(ctx, d); err != nil || ro {
			t.Fatalf("fresh database read-only=%v, %v", ro, err)
		}
		if err := checkWritable(); err != nil {
			t.Fatalf("CheckWritable on a writable database: %v", err)
		}
		already, err := dbmanage.SetReadOnly(ctx, d)
		if err != nil || already {
			t.Fatalf("SetReadOnly: %v, already=%v", err, already)
		}
		if ro, _ := dbmanage.ReadOnly(ctx, d); !ro {
			t.Fatal("not read-only after SetReadOnly")
		}
		err = checkWritable()
		f, ok := fault.As(err)
		if !ok || f.Status != http.StatusServiceUnavailable || f.Type != "ServiceUnavailable" ||
			f.Message != "The Neutron API is in read-only mode for MidoNet data maintenance" {
			t.Fatalf("CheckWritable while read-only: %v", err)
		}
		if already, _ := dbmanage.SetReadOnly(ctx, d); !already {
			t.Fatal("second SetReadOnly did not report already")
		}
		if _, err := dbmanage.SetReadWrite(ctx, d); err != nil {
			t.Fatal(err)
		}
		if ro, _ := dbmanage.ReadOnly(ctx, d); ro {
			t.Fatal("still read-only after SetReadWrite")
		}
		if err := checkWritable(); err != nil {
			t.Fatal(err)
		}
	})
}

func TestReadWriteRefusedWhileStarted(t *testing.T) {
	for _, tc := range []struct {
		name          string
		status, tasks string
		refused       bool
	}{
		{"sync tasks being written", dbmanage.StatusStarted, dbmanage.StatusStarted, true},
		{"cluster still importing", dbmanage.StatusStarted, dbmanage.StatusCompleted, true},
		{"aborted, cluster not done", dbmanage.StatusStarted, dbmanage.StatusAborted, true},
		{"completed", dbmanage.StatusCompleted, dbmanage.StatusCompleted, false},
		{"cluster error", dbmanage.StatusError, dbmanage.StatusCompleted, false},
		{"aborted and finished", dbmanage.StatusError, dbmanage.StatusAborted, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			backends(t, func(t *testing.T, d *db.DB) {
				ctx := context.Background()
				active := addVersion(t, d, dbmanage.StatusCompleted, dbmanage.StatusCompleted, false)
				exec(t, d, "UPDATE midonet_data_state SET active_version = ? WHERE id = 1", active)
				older := addVersion(t, d, dbmanage.StatusCompleted, dbmanage.StatusCompleted, true)
				v := addVersion(t, d, tc.status, tc.tasks, false)
				if _, err := dbmanage.SetReadOnly(ctx, d); err != nil {
					t.Fatal(err)
				}
				staled, err := dbmanage.SetReadWrite(ctx, d)
				if tc.refused {
					if !dbmanage.IsRefused(err) || !strings.Contains(err.Error(), fmt.Sprintf("data version %d", v)) {
						t.Fatalf("want a refusal naming version %d, got %v", v, err)
					}
					if ro, _ := dbmanage.ReadOnly(ctx, d); !ro {
						t.Fatal("refused data-readwrite changed the flag")
					}
					if version(t, d, v).Stale {
						t.Fatal("refused data-readwrite marked versions stale")
					}
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				if ro, _ := dbmanage.ReadOnly(ctx, d); ro {
					t.Fatal("still read-only")
				}
				if staled != 2 || !version(t, d, v).Stale || !version(t, d, older).Stale || version(t, d, active).Stale || !version(t, d, dbmanage.InitialVersion).Stale {
					t.Fatalf("stale marking: staled=%d, versions %+v %+v %+v", staled, version(t, d, active), version(t, d, older), version(t, d, v))
				}
			})
		})
	}
}

func TestSyncRefused(t *testing.T) {
	for _, tc := range []struct {
		name    string
		setup   func(t *testing.T, d *db.DB)
		message string
	}{
		{"read-write", func(t *testing.T, d *db.DB) {
			exec(t, d, "UPDATE midonet_data_state SET readonly = ? WHERE id = 1", false)
		}, "only in read-only mode"},
		{"unprocessed tasks, none processed", func(t *testing.T, d *db.DB) {
			journaled(t, d, journal.Create, "networks", newDoc())
		}, "1 unprocessed tasks"},
		{"unprocessed tasks after the processed ones", func(t *testing.T, d *db.DB) {
			journaled(t, d, journal.Create, "networks", newDoc())
			setProcessed(t, d, maxTaskID(t, d))
			journaled(t, d, journal.Create, "networks", newDoc())
			journaled(t, d, journal.Create, "networks", newDoc())
		}, "2 unprocessed tasks"},
		{"sync running", func(t *testing.T, d *db.DB) {
			addVersion(t, d, dbmanage.StatusStarted, dbmanage.StatusStarted, false)
		}, "already in progress"},
		{"activation pending in the cluster", func(t *testing.T, d *db.DB) {
			addVersion(t, d, dbmanage.StatusStarted, dbmanage.StatusCompleted, false)
		}, "already in progress"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			backends(t, func(t *testing.T, d *db.DB) {
				ctx := context.Background()
				exec(t, d, "UPDATE midonet_data_state SET readonly = ? WHERE id = 1", true)
				tc.setup(t, d)
				before := tasks(t, d)
				versionsBefore, _ := dbmanage.ListVersions(ctx, d)
				res, err := dbmanage.Sync(ctx, d, dbmanage.SyncOptions{})
				if !dbmanage.IsRefused(err) || !strings.Contains(err.Error(), tc.message) {
					t.Fatalf("want refusal %q, got %v", tc.message, err)
				}
				if res.Version != 0 {
					t.Fatalf("refused sync reports version %d", res.Version)
				}
				if after := tasks(t, d); len(after) != len(before) {
					t.Fatalf("refused sync changed the tasks: %v -> %v", ids(before), ids(after))
				}
				if versionsAfter, _ := dbmanage.ListVersions(ctx, d); len(versionsAfter) != len(versionsBefore) {
					t.Fatalf("refused sync created a version: %+v", versionsAfter)
				}
			})
		})
	}
}

// world creates resources of every synced kind (plus a kind the sync does not know) through
// the journal, with a CONFIG task, and marks every task processed.
func world(t *testing.T, d *db.DB) map[string][]db.Doc {
	t.Helper()
	docs := map[string][]db.Doc{}
	add := func(kind string, doc db.Doc) db.Doc {
		journaled(t, d, journal.Create, kind, doc)
		docs[kind] = append(docs[kind], doc)
		return doc
	}
	exec(t, d, "INSERT INTO midonet_tasks (type, data_type, resource_id, tenant_id, transaction_id, data, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
		"CREATE", "CONFIG", "00000000-0000-0000-0000-000000000001", "", "req-old", `{"tunnel_protocol":"vxlan"}`, "2024-01-01T00:00:00.000000Z")
	// Created in an order unlike the sync order.
	for i := 0; i < 3; i++ {
		add("ports", newDoc("network_id", "n", "name", fmt.Sprint("port", i), "binding:profile", map[string]any{"password": "x", "interface_name": "eth0"}))
	}
	add("floatingips", newDoc("floating_ip_address", "192.0.2.10"))
	add("routers", newDoc("name", "r"))
	for i := 0; i < 4; i++ {
		add("networks", newDoc("name", fmt.Sprint("net", i), "mtu", 1450))
	}
	add("subnets", newDoc("network_id", "n", "cidr", "10.0.0.0/24"))
	add("subnetpools", newDoc("prefixes", []any{"10.0.0.0/8"}))
	add("security_groups", newDoc("name", "default"))
	add("security_group_rules", newDoc("security_group_id", "sg", "direction", "ingress"))
	add("gateway_devices", newDoc("type", "router_vtep", "auth_key", "secret"))
	// An update and a delete: the sync writes the current state only.
	upd := newDocFrom(docs["networks"][0], "name", "renamed", "revision_number", 2)
	journaled(t, d, journal.Update, "networks", upd)
	docs["networks"][0] = upd
	gone := add("networks", newDoc("name", "gone"))
	journaled(t, d, journal.Delete, "networks", gone)
	docs["networks"] = docs["networks"][:len(docs["networks"])-1]
	setProcessed(t, d, maxTaskID(t, d))
	return docs
}

func TestSyncWritesTasksInOrder(t *testing.T) {
	backends(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		docs := world(t, d)
		// What journal.Append wrote for each resource's last write: the sync must write the same
		// data (secrets removed the same way).
		journalData := map[string]string{}
		for _, k := range tasks(t, d) {
			if k.Type != journal.Delete {
				journalData[k.ResourceID] = k.Data
			}
		}
		lastOld := maxTaskID(t, d)
		if _, err := dbmanage.SetReadOnly(ctx, d); err != nil {
			t.Fatal(err)
		}
		var progress [][2]int
		res, err := dbmanage.Sync(ctx, d, dbmanage.SyncOptions{BatchSize: 2, Progress: func(done, total int) {
			progress = append(progress, [2]int{done, total})
		}})
		if err != nil {
			t.Fatal(err)
		}
		total := 0
		for _, ds := range docs {
			total += len(ds)
		}
		if res.Resources != total || res.Total != total || res.Status != dbmanage.StatusCompleted || res.Activated != fmt.Sprint(res.Version) {
			t.Fatalf("result %+v, want %d resources", res, total)
		}
		// The expected sequence: SYNC, CONFIG, kinds in order (ids ascending), ACTIVATE.
		want := []string{dbmanage.TaskDataVersionSync + "::" + fmt.Sprint(res.Version), "CREATE:CONFIG:00000000-0000-0000-0000-000000000001"}
		for _, kind := range append(append([]string{}, dbmanage.SyncKinds...), "gateway_devices") {
			var kids []string
			for _, doc := range docs[kind] {
				kids = append(kids, doc["id"].(string))
			}
			sort.Strings(kids)
			for _, id := range kids {
				want = append(want, "CREATE:"+dataTypeOf(kind)+":"+id)
			}
		}
		want = append(want, dbmanage.TaskDataVersionActivate+"::"+fmt.Sprint(res.Version))
		got := tasks(t, d)
		var gotKeys []string
		for _, k := range got {
			gotKeys = append(gotKeys, k.Type+":"+k.DataType+":"+k.ResourceID)
		}
		if strings.Join(gotKeys, "\n") != strings.Join(want, "\n") {
			t.Fatalf("tasks after sync:\n%s\nwant:\n%s", strings.Join(gotKeys, "\n"), strings.Join(want, "\n"))
		}
		for i, k := range got {
			if k.ID <= lastOld {
				t.Fatalf("task id %d reused (old tasks went up to %d)", k.ID, lastOld)
			}
			if i > 0 && k.ID <= got[i-1].ID {
				t.Fatal("ids not increasing")
			}
			if k.TransactionID != res.TransactionID {
				t.Fatalf("task %d has transaction %q, want the sync's %q", k.ID, k.TransactionID, res.TransactionID)
			}
			if _, err := time.Parse("2006-01-02T15:04:05.000000Z", k.CreatedAt); err != nil {
				t.Fatalf("created_at %q: %v", k.CreatedAt, err)
			}
			switch {
			case k.Type == dbmanage.TaskDataVersionSync || k.Type == dbmanage.TaskDataVersionActivate:
				if k.Data != "{}" || k.TenantID != "" || k.DataType != "" {
					t.Fatalf("version task %+v", k)
				}
			case k.DataType == "CONFIG":
				if k.Data != `{"tunnel_protocol":"vxlan"}` {
					t.Fatalf("CONFIG copy %+v", k)
				}
			default:
				if k.Data != journalData[k.ResourceID] {
					t.Fatalf("%s %s data\n%s\nwant (as journal.Append wrote it)\n%s", k.DataType, k.ResourceID, k.Data, journalData[k.ResourceID])
				}
				if k.TenantID != "p1" {
					t.Fatalf("tenant %q", k.TenantID)
				}
				if strings.Contains(k.Data, "password") || strings.Contains(k.Data, "auth_key") {
					t.Fatalf("secret in task data: %s", k.Data)
				}
			}
		}
		v := version(t, d, res.Version)
		if v.SyncStatus != dbmanage.StatusStarted || v.SyncTasksStatus != dbmanage.StatusCompleted || v.SyncStartedAt == "" || v.SyncFinishedAt != "" || v.Stale {
			t.Fatalf("version after sync %+v", v)
		}
		if lp := lastProcessed(t, d); lp != nil {
			t.Fatalf("last_processed_id %d after the truncation, want NULL", *lp)
		}
		// Progress: from 0 to total, never backwards.
		if len(progress) < 2 || progress[0] != [2]int{0, total} || progress[len(progress)-1] != [2]int{total, total} {
			t.Fatalf("progress %v", progress)
		}
		for i := 1; i < len(progress); i++ {
			if progress[i][0] < progress[i-1][0] {
				t.Fatalf("progress went back: %v", progress)
			}
		}
		// The cluster processes it: the version is active and complete.
		runCluster(t, d)
		if v := version(t, d, res.Version); v.SyncStatus != dbmanage.StatusCompleted || v.SyncFinishedAt == "" {
			t.Fatalf("version after the cluster %+v", v)
		}
		if a := activeVersion(t, d); a == nil || *a != res.Version {
			t.Fatalf("active version %v, want %d", a, res.Version)
		}
		// A second sync is allowed now, and writes the same resources again.
		res2, err := dbmanage.Sync(ctx, d, dbmanage.SyncOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if res2.Version <= res.Version || res2.Resources != total {
			t.Fatalf("second sync %+v", res2)
		}
		if first := tasks(t, d)[0]; first.Type != dbmanage.TaskDataVersionSync || first.ResourceID != fmt.Sprint(res2.Version) {
			t.Fatalf("first task after the second sync %+v", first)
		}
	})
}

func TestSyncEmptyDatabase(t *testing.T) {
	backends(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		if _, err := dbmanage.SetReadOnly(ctx, d); err != nil {
			t.Fatal(err)
		}
		res, err := dbmanage.Sync(ctx, d, dbmanage.SyncOptions{})
		if err != nil {
			t.Fatal(err)
		}
		got := ids(tasks(t, d))
		if len(got) != 2 || !strings.Contains(got[0], dbmanage.TaskDataVersionSync) || !strings.Contains(got[1], dbmanage.TaskDataVersionActivate+"::"+fmt.Sprint(res.Version)) {
			t.Fatalf("tasks %v", got)
		}
	})
}

func TestSyncAbortedOnCancel(t *testing.T) {
	for _, tc := range []struct {
		name      string
		syncFirst bool // a completed sync made version 2 active
	}{
		{"back to the initial version", false},
		{"back to a synced version", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			backends(t, func(t *testing.T, d *db.DB) {
				ctx := context.Background()
				for i := 0; i < 10; i++ {
					journaled(t, d, journal.Create, "networks", newDoc())
				}
				setProcessed(t, d, maxTaskID(t, d))
				if _, err := dbmanage.SetReadOnly(ctx, d); err != nil {
					t.Fatal(err)
				}
				active := int64(dbmanage.InitialVersion)
				if tc.syncFirst {
					res, err := dbmanage.Sync(ctx, d, dbmanage.SyncOptions{})
					if err != nil {
						t.Fatal(err)
					}
					runCluster(t, d)
					active = res.Version
				}
				// SIGINT after the second batch.
				cctx, cancel := context.WithCancel(ctx)
				defer cancel()
				res, err := dbmanage.Sync(cctx, d, dbmanage.SyncOptions{BatchSize: 3, Progress: func(done, total int) {
					if done >= 6 {
						cancel()
					}
				}})
				if err == nil || !errors.Is(err, context.Canceled) || dbmanage.IsRefused(err) || !strings.Contains(err.Error(), "aborted") {
					t.Fatalf("want a cancellation error, got %v", err)
				}
				if res.Status != dbmanage.StatusAborted || res.Resources != 6 || res.Activated != fmt.Sprint(active) || res.Version == active {
					t.Fatalf("result %+v", res)
				}
				v := version(t, d, res.Version)
				if v.SyncTasksStatus != dbmanage.StatusAborted || v.SyncStatus != dbmanage.StatusError || v.SyncFinishedAt != "" {
					t.Fatalf("aborted version %+v", v)
				}
				ts := tasks(t, d)
				if len(ts) != 1+6+1 {
					t.Fatalf("tasks %v", ids(ts))
				}
				last := ts[len(ts)-1]
				if last.Type != dbmanage.TaskDataVersionActivate || last.ResourceID != fmt.Sprint(active) {
					t.Fatalf("last task %+v, want DATA_VERSION_ACTIVATE of %d", last, active)
				}
				// Another sync waits until the cluster has processed the abort.
				if _, err := dbmanage.Sync(ctx, d, dbmanage.SyncOptions{}); !dbmanage.IsRefused(err) || !strings.Contains(err.Error(), "unprocessed") {
					t.Fatalf("sync before the cluster processed the abort: %v", err)
				}
				runCluster(t, d)
				if a := activeVersion(t, d); a == nil || *a != active {
					t.Fatalf("active version %v, want %d", a, active)
				}
				if v := version(t, d, res.Version); v.SyncStatus != dbmanage.StatusError {
					t.Fatalf("abandoned version after the cluster %+v", v)
				}
				// The aborted version can never be activated.
				if err := dbmanage.Activate(ctx, d, res.Version); !dbmanage.IsRefused(err) {
					t.Fatalf("activating the aborted version: %v", err)
				}
				if _, err := dbmanage.SetReadWrite(ctx, d); err != nil {
					t.Fatal(err)
				}
				if !version(t, d, res.Version).Stale || version(t, d, active).Stale {
					t.Fatal("stale marking after the aborted session")
				}
			})
		})
	}
}

func TestSyncErrorWritesError(t *testing.T) {
	backends(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		journaled(t, d, journal.Create, "networks", newDoc())
		setProcessed(t, d, maxTaskID(t, d))
		// A body that is not JSON makes the sync fail in the middle.
		exec(t, d, "INSERT INTO resources (kind, id, body) VALUES (?, ?, ?)", "ports", uuid.NewString(), "not json")
		if _, err := dbmanage.SetReadOnly(ctx, d); err != nil {
			t.Fatal(err)
		}
		res, err := dbmanage.Sync(ctx, d, dbmanage.SyncOptions{})
		if err == nil || dbmanage.IsRefused(err) || !strings.Contains(err.Error(), "failed") {
			t.Fatalf("want a failure, got %v", err)
		}
		if v := version(t, d, res.Version); v.SyncTasksStatus != dbmanage.StatusError || v.SyncStatus != dbmanage.StatusError || res.Status != dbmanage.StatusError {
			t.Fatalf("version %+v, result %+v", v, res)
		}
		ts := tasks(t, d)
		if last := ts[len(ts)-1]; last.Type != dbmanage.TaskDataVersionActivate || last.ResourceID != "1" {
			t.Fatalf("last task %+v", last)
		}
	})
}

func TestActivate(t *testing.T) {
	type env struct {
		active, previous, stale, failed, aborted int64
	}
	for _, tc := range []struct {
		name    string
		setup   func(t *testing.T, d *db.DB, e env)
		target  func(e env) int64
		message string // "" = accepted
	}{
		{"roll back to the previous version", nil, func(e env) int64 { return e.previous }, ""},
		{"read-write", func(t *testing.T, d *db.DB, e env) {
			exec(t, d, "UPDATE midonet_data_state SET readonly = ? WHERE id = 1", false)
		}, func(e env) int64 { return e.previous }, "only in read-only mode"},
		{"unknown version", nil, func(e env) int64 { return 999 }, "does not exist"},
		{"stale version", nil, func(e env) int64 { return e.stale }, "is stale"},
		{"version the cluster failed", nil, func(e env) int64 { return e.failed }, "did not complete"},
		{"aborted version", nil, func(e env) int64 { return e.aborted }, "did not complete"},
		{"active version", nil, func(e env) int64 { return e.active }, "already active"},
		{"another activation pending", func(t *testing.T, d *db.DB, e env) {
			addVersion(t, d, dbmanage.StatusStarted, dbmanage.StatusCompleted, false)
		}, func(e env) int64 { return e.previous }, "already in progress"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			backends(t, func(t *testing.T, d *db.DB) {
				ctx := context.Background()
				e := env{
					stale:    addVersion(t, d, dbmanage.StatusCompleted, dbmanage.StatusCompleted, true),
					previous: addVersion(t, d, dbmanage.StatusCompleted, dbmanage.StatusCompleted, false),
					failed:   addVersion(t, d, dbmanage.StatusError, dbmanage.StatusCompleted, false),
					aborted:  addVersion(t, d, dbmanage.StatusError, dbmanage.StatusAborted, false),
					active:   addVersion(t, d, dbmanage.StatusCompleted, dbmanage.StatusCompleted, false),
				}
				exec(t, d, "UPDATE midonet_data_state SET active_version = ?, readonly = ? WHERE id = 1", e.active, true)
				if tc.setup != nil {
					tc.setup(t, d, e)
				}
				target := tc.target(e)
				before := tasks(t, d)
				err := dbmanage.Activate(ctx, d, target)
				if tc.message != "" {
					if !dbmanage.IsRefused(err) || !strings.Contains(err.Error(), tc.message) {
						t.Fatalf("want refusal %q, got %v", tc.message, err)
					}
					if len(tasks(t, d)) != len(before) {
						t.Fatal("refused activation wrote a task")
					}
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				if v := version(t, d, target); v.SyncStatus != dbmanage.StatusStarted || v.SyncTasksStatus != dbmanage.StatusCompleted {
					t.Fatalf("version being activated %+v", v)
				}
				ts := tasks(t, d)
				if len(ts) != 1 || ts[0].Type != dbmanage.TaskDataVersionActivate || ts[0].ResourceID != fmt.Sprint(target) || ts[0].Data != "{}" {
					t.Fatalf("tasks %v", ids(ts))
				}
				if _, err := dbmanage.SetReadWrite(ctx, d); !dbmanage.IsRefused(err) {
					t.Fatalf("data-readwrite during the activation: %v", err)
				}
				runCluster(t, d)
				if a := activeVersion(t, d); a == nil || *a != target {
					t.Fatalf("active %v, want %d", a, target)
				}
				if v := version(t, d, target); v.SyncStatus != dbmanage.StatusCompleted {
					t.Fatalf("version after the cluster %+v", v)
				}
				// Back to read-write: everything but the active version is stale, so the
				// version that was active before can no longer be rolled back to.
				if _, err := dbmanage.SetReadWrite(ctx, d); err != nil {
					t.Fatal(err)
				}
				if version(t, d, target).Stale || !version(t, d, e.active).Stale {
					t.Fatal("stale marking after the rollback")
				}
				if _, err := dbmanage.SetReadOnly(ctx, d); err != nil {
					t.Fatal(err)
				}
				if err := dbmanage.Activate(ctx, d, e.active); !dbmanage.IsRefused(err) || !strings.Contains(err.Error(), "stale") {
					t.Fatalf("activating a version of an earlier read-only session: %v", err)
				}
			})
		})
	}
}

// TestMaintenanceSession walks the spec's upgrade story: read-only, sync, sync again, roll
// back to the first, read-write.
func TestMaintenanceSession(t *testing.T) {
	backends(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		world(t, d)
		if _, err := dbmanage.SetReadOnly(ctx, d); err != nil {
			t.Fatal(err)
		}
		v1, err := dbmanage.Sync(ctx, d, dbmanage.SyncOptions{})
		if err != nil {
			t.Fatal(err)
		}
		// The next sync waits for the cluster.
		if _, err := dbmanage.Sync(ctx, d, dbmanage.SyncOptions{}); !dbmanage.IsRefused(err) {
			t.Fatalf("sync while the previous one is unprocessed: %v", err)
		}
		runCluster(t, d)
		v2, err := dbmanage.Sync(ctx, d, dbmanage.SyncOptions{})
		if err != nil {
			t.Fatal(err)
		}
		runCluster(t, d)
		if err := dbmanage.Activate(ctx, d, v1.Version); err != nil {
			t.Fatal(err)
		}
		runCluster(t, d)
		if a := activeVersion(t, d); a == nil || *a != v1.Version {
			t.Fatalf("active %v after rollback to %d", a, v1.Version)
		}
		if _, err := dbmanage.SetReadWrite(ctx, d); err != nil {
			t.Fatal(err)
		}
		vs, _ := dbmanage.ListVersions(ctx, d)
		if len(vs) != 3 || !vs[0].Stale || vs[1].Stale || vs[1].ID != v1.Version || !vs[2].Stale || vs[2].ID != v2.Version {
			t.Fatalf("versions %+v", vs)
		}
		if v1.Version != dbmanage.InitialVersion+1 {
			t.Fatalf("first sync made version %d, want %d", v1.Version, dbmanage.InitialVersion+1)
		}
		var buf bytes.Buffer
		if err := dbmanage.WriteVersions(&buf, vs); err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
		if len(lines) != 4 || !strings.Contains(lines[0], "SYNC TASKS STATUS") || !strings.HasSuffix(lines[3], "True") ||
			!strings.HasPrefix(lines[1], "1 ") || !strings.Contains(lines[1], "None") ||
			!strings.Contains(lines[2], vs[1].SyncStartedAt) || !strings.Contains(lines[2], vs[1].SyncFinishedAt) {
			t.Fatalf("data-version-list:\n%s", buf.String())
		}
	})
}

// TestSyncLarge checks that a large sync takes seconds, not minutes: 100k resources on
// SQLite, 20k on PostgreSQL and MariaDB (5k each with -short). The limit is loose because tests share
// the machine; the log shows the time.
func TestSyncLarge(t *testing.T) {
	backends(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		n := 100000
		if d.Dialect != db.SQLite {
			n = 20000
		}
		if testing.Short() {
			n = 5000
		}
		kinds := []string{"networks", "subnets", "ports", "ports", "ports"}
		for start := 0; start < n; start += 1000 {
			write(t, d, func(ctx context.Context, tx *db.Tx) error {
				var b strings.Builder
				var args []any
				for i := start; i < min(start+1000, n); i++ {
					if i > start {
						b.WriteByte(',')
					}
					b.WriteString("(?,?,?,?,?)")
					id := uuid.NewString()
					args = append(args, kinds[i%len(kinds)], id, "p1", "",
						fmt.Sprintf(`{"id":%q,"tenant_id":"p1","project_id":"p1","name":"r%d","admin_state_up":true,"revision_number":1,"tags":[]}`, id, i))
				}
				_, err := tx.Exec(ctx, "INSERT INTO resources (kind, id, project_id, parent_id, body) VALUES "+b.String(), args...)
				return err
			})
		}
		if _, err := dbmanage.SetReadOnly(ctx, d); err != nil {
			t.Fatal(err)
		}
		started := time.Now()
		calls := 0
		res, err := dbmanage.Sync(ctx, d, dbmanage.SyncOptions{Progress: func(int, int) { calls++ }})
		if err != nil {
			t.Fatal(err)
		}
		took := time.Since(started)
		t.Logf("synced %d resources in %v (%d progress updates)", res.Resources, took, calls)
		if res.Resources != n {
			t.Fatalf("synced %d, want %d", res.Resources, n)
		}
		if took > 90*time.Second {
			t.Fatalf("sync of %d resources took %v", n, took)
		}
		var count int
		if err := d.Read(ctx, func(tx *db.Tx) error {
			return tx.QueryRow(ctx, "SELECT COUNT(*) FROM midonet_tasks").Scan(&count)
		}); err != nil {
			t.Fatal(err)
		}
		if count != n+2 {
			t.Fatalf("%d tasks, want %d", count, n+2)
		}
	})
}

// TestSyncLargeDocuments: a sync of documents whose tasks together exceed MySQL's
// max_allowed_packet (16 MiB on MariaDB) splits its INSERTs by size, on every engine.
func TestSyncLargeDocuments(t *testing.T) {
	backends(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		const n = 160
		big := strings.Repeat("x", 128<<10) // 160 × 128 KiB = 20 MiB of task data
		for i := range n {
			write(t, d, func(ctx context.Context, tx *db.Tx) error {
				id := uuid.NewString()
				return tx.Insert(ctx, "networks", db.Doc{"id": id, "tenant_id": "p1", "project_id": "p1",
					"name": fmt.Sprintf("big%d", i), "description": big})
			})
		}
		if _, err := dbmanage.SetReadOnly(ctx, d); err != nil {
			t.Fatal(err)
		}
		res, err := dbmanage.Sync(ctx, d, dbmanage.SyncOptions{})
		if err != nil {
			t.Fatalf("sync of %d documents of 128 KiB: %v", n, err)
		}
		if res.Resources != n {
			t.Fatalf("synced %d, want %d", res.Resources, n)
		}
		var count, longest int
		if err := d.Read(ctx, func(tx *db.Tx) error {
			return tx.QueryRow(ctx, "SELECT COUNT(*), MAX(LENGTH(data)) FROM midonet_tasks").Scan(&count, &longest)
		}); err != nil {
			t.Fatal(err)
		}
		if count != n+2 || longest < len(big) {
			t.Fatalf("%d tasks, longest data %d bytes; want %d tasks carrying whole documents", count, longest, n+2)
		}
	})
}

func TestBar(t *testing.T) {
	var buf bytes.Buffer
	b := dbmanage.NewBar(&buf)
	b.Done() // nothing drawn: no newline
	b.Update(0, 200)
	b.Update(50, 200)
	b.Update(200, 200)
	b.Done()
	want := "\r[........................................] 0/200   0%" +
		"\r[##########..............................] 50/200  25%" +
		"\r[########################################] 200/200 100%\n"
	if buf.String() != want {
		t.Fatalf("bar output %q, want %q", buf.String(), want)
	}
}

// dataTypeOf is the task data type of a kind: the catalogue's, or the kind's name in
// MidoNet's spelling for one it does not describe.
func dataTypeOf(kind string) string {
	if t := builtin.Catalog().DataType(kind); t != "" {
		return t
	}
	return strings.ToUpper(strings.ReplaceAll(kind, "_", ""))
}
