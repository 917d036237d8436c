package quota_test

import (
	"context"
	"errors"
	"testing"

	"github.com/midonet-go/midonet/internal/db"
	"github.com/midonet-go/midonet/internal/fault"
	"github.com/midonet-go/midonet/internal/plugin/builtin"
	"github.com/midonet-go/midonet/internal/plugin/quota"
	"github.com/midonet-go/midonet/internal/resource"
	"github.com/midonet-go/midonet/internal/testutil/plugintest"
)

func TestQuotas(t *testing.T) {
	e := plugintest.New(t)
	ctx := context.Background()
	q := quota.New(builtin.Catalog(), map[string]int{"network": 2, "port": -1})
	e.MustCreate("networks", map[string]any{"name": "a"})
	check := func(project string, res *resource.Resource) error {
		return e.DB.Read(ctx, func(tx *db.Tx) error { return q.CheckCreate(ctx, tx, project, res) })
	}
	if err := check("p1", resource.Networks); err != nil {
		t.Fatalf("second network refused: %v", err)
	}
	e.MustCreate("networks", map[string]any{"name": "b"})
	if f, ok := fault.As(check("p1", resource.Networks)); !ok || f.Status != 409 || f.Type != "OverQuota" {
		t.Fatalf("third network = %v, want 409 OverQuota", f)
	}
	if err := check("p2", resource.Networks); err != nil {
		t.Errorf("another project's first network refused: %v", err)
	}
	if err := check("p1", resource.Ports); err != nil {
		t.Errorf("unlimited ports (-1) refused: %v", err)
	}
	err := e.DB.Write(ctx, func(tx *db.Tx) error {
		if err := q.Set(ctx, tx, "p1", map[string]int{"network": 5}); err != nil {
			return err
		}
		if n, err := q.Limit(ctx, tx, "p1", "network"); err != nil || n != 5 {
			t.Errorf("limit after Set = %d, %v; want 5", n, err)
		}
		if n, err := q.Used(ctx, tx, "p1", "network"); err != nil || n != 2 {
			t.Errorf("used = %d, %v; want 2", n, err)
		}
		if ps, err := q.Projects(ctx, tx); err != nil || len(ps) != 1 || ps[0] != "p1" {
			t.Errorf("projects with limits = %v, %v; want [p1]", ps, err)
		}
		if err := q.Reset(ctx, tx, "p1"); err != nil {
			return err
		}
		if n, err := q.Limit(ctx, tx, "p1", "network"); err != nil || n != 2 {
			t.Errorf("limit after Reset = %d, %v; want the default 2", n, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if !q.Known("network") || q.Known("bogus") || q.Default("network") != 2 {
		t.Errorf("names: known network %v, bogus %v, default %d", q.Known("network"), q.Known("bogus"), q.Default("network"))
	}
}

// TestQuotaCountsWhatACreateMakes: a security group brings two egress rules, so it is
// refused when the rule quota has no room for them, whatever the group quota says.
func TestQuotaCountsWhatACreateMakes(t *testing.T) {
	e := plugintest.New(t)
	ctx := context.Background()
	for _, tc := range []struct {
		name      string
		ruleLimit int
		wantQuota string // "" = allowed
	}{
		{"room for both rules", 2, ""},
		{"room for one", 1, "security_group_rule"},
		{"no room", 0, "security_group_rule"},
		{"unlimited", -1, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q := quota.New(builtin.Catalog(), map[string]int{"security_group": 10, "security_group_rule": tc.ruleLimit})
			err := e.DB.Read(ctx, func(tx *db.Tx) error { return q.CheckCreate(ctx, tx, "p-new", resource.SecurityGroups) })
			if tc.wantQuota == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			if f, ok := fault.As(err); !ok || f.Status != 409 || f.Type != "OverQuota" {
				t.Fatalf("= %v, want 409 OverQuota for %s", err, tc.wantQuota)
			}
		})
	}
}

// TestLimitReportsStoreErrors: a limit the store cannot read fails the check instead of
// passing for the default limit.
func TestLimitReportsStoreErrors(t *testing.T) {
	e := plugintest.New(t)
	ctx := context.Background()
	q := quota.New(builtin.Catalog(), map[string]int{"network": 100})
	errUndo := errors.New("undo the drop")
	err := e.DB.Write(ctx, func(tx *db.Tx) error {
		if _, err := tx.Exec(ctx, "DROP TABLE quotas"); err != nil {
			return err
		}
		if n, err := q.Limit(ctx, tx, "p1", "network"); err == nil {
			t.Errorf("Limit without its table = %d, nil; want an error", n)
		}
		if err := q.CheckCreate(ctx, tx, "p1", resource.Networks); err == nil {
			t.Error("CheckCreate without the quotas table passed")
		}
		return errUndo
	})
	if !errors.Is(err, errUndo) {
		t.Fatal(err)
	}
}
