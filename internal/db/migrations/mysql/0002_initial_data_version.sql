-- Data version 1 is the data the cluster built from the task stream before any
-- `db-manage data-version-sync` (the cluster's NSDB defaults to version 1 too): it is recorded as a
-- completed, active version so that the first sync imports into a new version (2) beside it, a
-- rollback to it is possible, and DATA_VERSION_ACTIVATE always names a version. An explicit
-- id moves AUTO_INCREMENT past it. Both statements are harmless when run again.
INSERT INTO midonet_data_versions (id, sync_status, sync_tasks_status, stale)
    SELECT 1, 'COMPLETED', 'COMPLETED', FALSE FROM DUAL WHERE NOT EXISTS (SELECT 1 FROM midonet_data_versions);
UPDATE midonet_data_state SET active_version = 1
    WHERE active_version IS NULL AND EXISTS (SELECT 1 FROM midonet_data_versions WHERE id = 1);
