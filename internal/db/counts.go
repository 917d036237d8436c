package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// foldAbove is how many rows of one (kind, project) in PostgreSQL's resource_counts a quota
// check reads before it folds the rows of backends that are gone into one.
const foldAbove = 32

// foldCountsSQL moves the rows of resource_counts whose backend is gone (migration 0010: a
// row per backend, shard = its pg_backend_pid()) into shard 0, and keeps their sum. The
// list of live backends need not be exact: a row whose pid a new backend took is deleted
// once that backend's transaction ends (the DELETE waits for its row lock) with what it
// added, and the backend starts a new row; no row a live transaction holds is lost, and no
// writer waits on a row that only this fold locks.
const foldCountsSQL = `WITH gone AS (
	DELETE FROM resource_counts WHERE shard <> 0 AND %s
		shard NOT IN (SELECT pid FROM pg_stat_activity WHERE pid IS NOT NULL)
	RETURNING kind, project_id, n)
INSERT INTO resource_counts (kind, project_id, shard, n)
	SELECT kind, project_id, 0, SUM(n) FROM gone GROUP BY kind, project_id
	ON CONFLICT (kind, project_id, shard) DO UPDATE SET n = resource_counts.n + EXCLUDED.n`

// foldCounts folds the gone backends' rows of one kind in one project (PostgreSQL).
func (t *Tx) foldCounts(ctx context.Context, kind, projectID string) error {
	_, err := t.Exec(ctx, fmt.Sprintf(foldCountsSQL, "kind = ? AND project_id = ? AND"), kind, projectID)
	return err
}

// FoldCounts folds the rows of PostgreSQL's resource_counts whose backend is gone, for every
// kind and project, so that their number follows the connections open now rather than every
// connection there ever was. Upgrade runs it; it does nothing on the other engines.
func (d *DB) FoldCounts(ctx context.Context) error {
	if d.Dialect != Postgres {
		return nil
	}
	return d.Write(ctx, func(tx *Tx) error {
		if _, err := tx.Exec(ctx, fmt.Sprintf(foldCountsSQL, "")); err != nil {
			return fmt.Errorf("db: fold resource_counts: %w", err)
		}
		return nil
	})
}

// QuotaUsage reads what a quota check needs: the project's limit of a quota resource (def
// when it has none of its own; -1 is unlimited) and, unless it is unlimited, how many
// documents of kind the project holds, counted under the quota's lock (LockQuota) so that
// two creates cannot both see room for one more. On PostgreSQL that is one call of
// midonet_quota_usage (migration 0010), where it was three round trips.
func (t *Tx) QuotaUsage(ctx context.Context, project, resource, kind string, def int) (limit, used int, err error) {
	if t.db.Dialect == Postgres && !t.readOnly {
		var shards int
		err := t.QueryRow(ctx, "SELECT hard_limit, used, shards FROM midonet_quota_usage(?, ?, ?, ?)", project, resource, kind, def).Scan(&limit, &used, &shards)
		if err != nil {
			return 0, 0, fmt.Errorf("db: quota usage of %s by %s: %w", resource, project, err)
		}
		if shards > foldAbove {
			if err := t.foldCounts(ctx, kind, project); err != nil {
				return 0, 0, fmt.Errorf("db: fold the counts of %s of %s: %w", kind, project, err)
			}
		}
		return limit, used, nil
	}
	if limit, err = t.QuotaLimit(ctx, project, resource, def); err != nil || limit < 0 {
		return limit, 0, err
	}
	if err := t.LockQuota(ctx, project, resource); err != nil {
		return 0, 0, err
	}
	if used, err = t.Count(ctx, kind, project); err != nil {
		return 0, 0, fmt.Errorf("db: count %s of %s: %w", kind, project, err)
	}
	return limit, used, nil
}

// QuotaLimit is a project's limit of a quota resource in the quotas table, or def when it
// has none of its own (-1 is unlimited).
func (t *Tx) QuotaLimit(ctx context.Context, project, resource string, def int) (int, error) {
	var limit int
	err := t.QueryRow(ctx, "SELECT hard_limit FROM quotas WHERE project_id = ? AND resource = ?", project, resource).Scan(&limit)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return def, nil
	case err != nil:
		return 0, fmt.Errorf("db: quota limit of %s for %s: %w", resource, project, err)
	}
	return limit, nil
}
