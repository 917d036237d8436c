package agents_test

import (
	"context"
	"testing"

	"github.com/midonet-go/midonet/internal/db"
	"github.com/midonet-go/midonet/internal/fault"
	"github.com/midonet-go/midonet/internal/journal"
	"github.com/midonet-go/midonet/internal/plugin"
)

// write runs fn in one write transaction with a journal recorder and returns the changes.
func write(t *testing.T, d *db.DB, fn func(ctx context.Context, tx *db.Tx) error) ([]journal.Change, error) {
	t.Helper()
	ctx := context.Background()
	rec := &journal.Recorder{WriteTasks: true}
	err := d.Write(ctx, func(tx *db.Tx) error {
		rec.Reset()
		journal.Attach(tx, rec)
		return fn(ctx, tx)
	})
	return rec.Changes(), err
}

// TestMembershipLifecycle: memberships are created, listed, shown and deleted through the
// plugin; each write is one AGENTMEMBERSHIP task; a membership cannot be updated; after its
// delete the host can be admitted again with another address.
func TestMembershipLifecycle(t *testing.T) {
	_, d, cols := setup(t)
	ms := cols[1]
	c := &plugin.Caller{IsAdmin: true, ProjectID: "admin"}
	create := func(id, ip string) (db.Doc, []journal.Change, error) {
		var out db.Doc
		ch, err := write(t, d, func(ctx context.Context, tx *db.Tx) error {
			var err error
			out, err = ms.Create(ctx, tx, c, db.Doc{"id": id, "ip_address": ip, "tenant_id": "admin", "project_id": "admin"})
			return err
		})
		return out, ch, err
	}
	list := func() []db.Doc {
		var out []db.Doc
		if _, err := write(t, d, func(ctx context.Context, tx *db.Tx) error {
			var err error
			out, err = ms.List(ctx, tx, c, nil)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		return out
	}
	get := func(id string) db.Doc {
		var out db.Doc
		if _, err := write(t, d, func(ctx context.Context, tx *db.Tx) error {
			var err error
			out, err = tx.Get(ctx, "agent_memberships", id)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		return out
	}

	for _, m := range []struct{ id, ip string }{{hostA, "192.0.2.1"}, {hostB, "192.0.2.2"}} {
		if _, ch, err := create(m.id, m.ip); err != nil || len(ch) != 1 || ch[0].Type != "CREATE" || ch[0].DataType != "AGENTMEMBERSHIP" {
			t.Fatalf("create %s: %v, journal %+v", m.id, err, ch)
		}
	}
	got := list()
	if len(got) != 2 {
		t.Fatalf("list %v, want both memberships", got)
	}
	byID := map[any]any{}
	for _, m := range got {
		byID[m["id"]] = m["ip_address"]
	}
	if byID[hostA] != "192.0.2.1" || byID[hostB] != "192.0.2.2" {
		t.Errorf("listed addresses %v", byID)
	}

	a := get(hostA)
	_, err := write(t, d, func(ctx context.Context, tx *db.Tx) error {
		_, err := ms.Update(ctx, tx, c, a, db.Doc{"ip_address": "192.0.2.9"})
		return err
	})
	if f, ok := fault.As(err); !ok || f.Status != 405 {
		t.Errorf("update = %v, want 405", err)
	}
	if get(hostA)["ip_address"] != "192.0.2.1" {
		t.Error("a refused update changed the membership")
	}

	ch, err := write(t, d, func(ctx context.Context, tx *db.Tx) error { return ms.Delete(ctx, tx, c, a) })
	if err != nil {
		t.Fatal(err)
	}
	if len(ch) != 1 || ch[0].Type != "DELETE" || ch[0].DataType != "AGENTMEMBERSHIP" || ch[0].ResourceID != hostA || ch[0].TaskID == 0 {
		t.Errorf("journal of the delete %+v, want one AGENTMEMBERSHIP DELETE task", ch)
	}
	if get(hostA) != nil {
		t.Error("the membership outlived its delete")
	}
	if got := list(); len(got) != 1 || got[0]["id"] != hostB {
		t.Errorf("list after the delete %v, want only host b", got)
	}
	// The host may be admitted again, at another address.
	if m, _, err := create(hostA, "192.0.2.7"); err != nil || m["ip_address"] != "192.0.2.7" {
		t.Errorf("admitting the host again: %v, %v", m, err)
	}
}
