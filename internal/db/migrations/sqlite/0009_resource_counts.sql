-- How many documents of each kind a project holds, kept by triggers on resources in the
-- transaction that changes them: a quota check reads one row instead of counting the
-- project's documents (a COUNT over the (kind, project_id) index costs about 10 ms at
-- 100,000 ports, on every create of a project with a finite quota). SQLite only: its one
-- writer updates the row without contention, where on PostgreSQL and MySQL every create of
-- a project would queue for it.
CREATE TABLE resource_counts (
    kind       TEXT NOT NULL,
    project_id TEXT NOT NULL,
    n          INTEGER NOT NULL,
    PRIMARY KEY (kind, project_id)
) WITHOUT ROWID;
INSERT INTO resource_counts (kind, project_id, n)
    SELECT kind, project_id, COUNT(*) FROM resources GROUP BY kind, project_id;
CREATE TRIGGER resource_counts_insert AFTER INSERT ON resources BEGIN
    INSERT INTO resource_counts (kind, project_id, n) VALUES (NEW.kind, NEW.project_id, 1)
        ON CONFLICT (kind, project_id) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER resource_counts_delete AFTER DELETE ON resources BEGIN
    UPDATE resource_counts SET n = n - 1 WHERE kind = OLD.kind AND project_id = OLD.project_id;
END;
CREATE TRIGGER resource_counts_move AFTER UPDATE OF kind, project_id ON resources
    WHEN OLD.kind <> NEW.kind OR OLD.project_id <> NEW.project_id BEGIN
    UPDATE resource_counts SET n = n - 1 WHERE kind = OLD.kind AND project_id = OLD.project_id;
    INSERT INTO resource_counts (kind, project_id, n) VALUES (NEW.kind, NEW.project_id, 1)
        ON CONFLICT (kind, project_id) DO UPDATE SET n = n + 1;
END;
