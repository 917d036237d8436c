// Package quota is the quota plugin: each project's limit per quota resource (the
// catalogue's Quota names, with the configured defaults), stored in the quotas table, and
// the check the API makes before every create. Neutron's quota engine reserves in the API
// controller before the plugin runs; so does this one, so no plugin counts on its own.
package quota

import (
	"context"
	"fmt"
	"sort"

	"github.com/midonet-go/midonet/internal/db"
	"github.com/midonet-go/midonet/internal/fault"
	"github.com/midonet-go/midonet/internal/resource"
)

// Quotas implements plugin.Quotas over the quotas table.
type Quotas struct {
	defaults map[string]int
	counts   map[string]string // quota name → collection it counts
	names    []string
}

// New builds the quota plugin for the catalogue's quota resources; defaults maps a quota
// name to its default limit (-1 = unlimited, the default for a name not in the map).
func New(cat *resource.Catalog, defaults map[string]int) *Quotas {
	q := &Quotas{defaults: map[string]int{}, counts: map[string]string{}}
	for _, r := range cat.Quotas() {
		q.counts[r.Quota] = r.Collection
		q.names = append(q.names, r.Quota)
		q.defaults[r.Quota] = -1
		if n, ok := defaults[r.Quota]; ok {
			q.defaults[r.Quota] = n
		}
	}
	sort.Strings(q.names)
	return q
}

// Names are the quota resource names, sorted.
func (q *Quotas) Names() []string { return q.names }

// Known reports whether name is a quota resource.
func (q *Quotas) Known(name string) bool {
	_, ok := q.counts[name]
	return ok
}

// Default is the configured limit of a quota resource.
func (q *Quotas) Default(name string) int { return q.defaults[name] }

// Limit is a project's limit for a quota resource (-1 = unlimited).
func (q *Quotas) Limit(ctx context.Context, tx *db.Tx, project, name string) (int, error) {
	n, err := tx.QuotaLimit(ctx, project, name, q.Default(name))
	if err != nil {
		return 0, fmt.Errorf("quota: %w", err)
	}
	return n, nil
}

// Used counts what a project holds of a quota resource.
func (q *Quotas) Used(ctx context.Context, tx *db.Tx, project, name string) (int, error) {
	n, err := tx.Count(ctx, q.counts[name], project)
	if err != nil {
		return 0, fmt.Errorf("quota: count %s: %w", q.counts[name], err)
	}
	return n, nil
}

// Set stores limits of a project.
func (q *Quotas) Set(ctx context.Context, tx *db.Tx, project string, limits map[string]int) error {
	for k, n := range limits {
		if _, err := tx.Exec(ctx, "DELETE FROM quotas WHERE project_id = ? AND resource = ?", project, k); err != nil {
			return fmt.Errorf("quota: %s: %w", k, err)
		}
		if _, err := tx.Exec(ctx, "INSERT INTO quotas (project_id, resource, hard_limit) VALUES (?, ?, ?)", project, k, n); err != nil {
			return fmt.Errorf("quota: %s: %w", k, err)
		}
	}
	return nil
}

// Reset returns a project to the defaults.
func (q *Quotas) Reset(ctx context.Context, tx *db.Tx, project string) error {
	if _, err := tx.Exec(ctx, "DELETE FROM quotas WHERE project_id = ?", project); err != nil {
		return fmt.Errorf("quota: reset %s: %w", project, err)
	}
	return nil
}

// Projects lists the projects with limits of their own.
func (q *Quotas) Projects(ctx context.Context, tx *db.Tx) ([]string, error) {
	rows, err := tx.Query(ctx, "SELECT DISTINCT project_id FROM quotas ORDER BY project_id")
	if err != nil {
		return nil, fmt.Errorf("quota: projects: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var p string
		if err := rows.Scan(&p); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// CheckCreate refuses a create of a document of res by project that would take the project
// over a limit (OverQuota): the collection's own, and those of what the create makes besides
// (Resource.QuotaAlso). Documents the system owns (project "") are not counted.
func (q *Quotas) CheckCreate(ctx context.Context, tx *db.Tx, project string, res *resource.Resource) error {
	if project == "" || res.Quota == "" {
		return nil
	}
	if err := q.check(ctx, tx, project, res.Quota, 1); err != nil {
		return err
	}
	for name, n := range res.QuotaAlso {
		if err := q.check(ctx, tx, project, name, n); err != nil {
			return err
		}
	}
	return nil
}

// check refuses n more of name for project over its limit.
func (q *Quotas) check(ctx context.Context, tx *db.Tx, project, name string, n int) error {
	// Concurrent creates of the project count one after the other (a port create reads its
	// network with GetForShare, so no row lock orders them): QuotaUsage counts under the
	// quota's lock.
	limit, used, err := tx.QuotaUsage(ctx, project, name, q.counts[name], q.Default(name))
	if err != nil {
		return fmt.Errorf("quota: %w", err)
	}
	if limit >= 0 && used+n > limit {
		return fault.OverQuota(name)
	}
	return nil
}
