-- How many documents of each kind a project holds, kept by triggers on resources in the
-- transaction that changes them, so that a quota check sums a few rows instead of counting
-- the project's documents (5–10 ms at 20,000 ports, on every create of a project with a
-- finite quota). One row per (kind, project) would make every create of a project wait for
-- the one before it to commit; here each backend adds to its own row (shard =
-- pg_backend_pid()), so concurrent transactions never update the same row. Shard 0 holds
-- what the backfill counted and what later folds of the rows of backends that are gone
-- added up (internal/db, foldCounts). A shard may go below zero: only the sum means anything.
CREATE TABLE resource_counts (
    kind       TEXT NOT NULL,
    project_id TEXT NOT NULL,
    shard      INTEGER NOT NULL,
    n          BIGINT NOT NULL,
    PRIMARY KEY (kind, project_id, shard)
);
CREATE FUNCTION resource_counts_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        INSERT INTO resource_counts (kind, project_id, shard, n)
            VALUES (OLD.kind, OLD.project_id, pg_backend_pid(), -1)
            ON CONFLICT (kind, project_id, shard) DO UPDATE SET n = resource_counts.n - 1;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        INSERT INTO resource_counts (kind, project_id, shard, n)
            VALUES (NEW.kind, NEW.project_id, pg_backend_pid(), 1)
            ON CONFLICT (kind, project_id, shard) DO UPDATE SET n = resource_counts.n + 1;
    END IF;
    RETURN NULL;
END
$$;
-- The triggers lock resources against writers until this migration commits, so the
-- backfill below counts exactly the documents the triggers will not.
CREATE TRIGGER resource_counts_insert_delete AFTER INSERT OR DELETE ON resources
    FOR EACH ROW EXECUTE FUNCTION resource_counts_change();
CREATE TRIGGER resource_counts_move AFTER UPDATE OF kind, project_id ON resources
    FOR EACH ROW WHEN (OLD.kind <> NEW.kind OR OLD.project_id <> NEW.project_id)
    EXECUTE FUNCTION resource_counts_change();
INSERT INTO resource_counts (kind, project_id, shard, n)
    SELECT kind, project_id, 0, COUNT(*) FROM resources GROUP BY kind, project_id;
-- A quota check in one round trip: the project's limit of a quota resource (p_default when
-- it has none of its own) and, when the limit is not -1, the documents of p_kind it holds,
-- counted after the transaction took the quota's advisory lock (class 7013, as
-- db.Tx.LockQuota), so that two creates cannot both see room for one more; each statement
-- of a VOLATILE function reads a snapshot taken when it starts, so the count sees every
-- create that committed before the lock was granted. shards is how many rows were summed.
CREATE FUNCTION midonet_quota_usage(p_project TEXT, p_resource TEXT, p_kind TEXT, p_default BIGINT)
    RETURNS TABLE (hard_limit BIGINT, used BIGINT, shards BIGINT)
    LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    lim BIGINT;
BEGIN
    SELECT q.hard_limit INTO lim FROM quotas q WHERE q.project_id = p_project AND q.resource = p_resource;
    IF NOT FOUND THEN
        lim := p_default;
    END IF;
    IF lim < 0 THEN
        RETURN QUERY SELECT lim, 0::BIGINT, 0::BIGINT;
        RETURN;
    END IF;
    PERFORM pg_advisory_xact_lock(7013, hashtext(p_project || '/' || p_resource));
    RETURN QUERY SELECT lim, COALESCE(SUM(c.n), 0)::BIGINT, COUNT(*)
        FROM resource_counts c WHERE c.kind = p_kind AND c.project_id = p_project;
END
$$;
