// Package dbmanage is the logic behind `midonet db-manage`: management of the MidoNet task
// table (midonet_tasks) and of the data versions that re-import the Neutron data into the
// cluster, as networking-midonet's "Task Management" and "Data Sync" specs describe
// (midonet-db-manage task-list, task-clean, task-resource, data-show, data-readonly,
// data-readwrite, data-version-list, data-version-sync, data-version-activate). Every
// function works on a *db.DB; cmd/midonet only parses flags and prints.
//
// # Tables
//
//   - midonet_tasks: the outbox journal.Append writes in the transaction of every API write.
//     Ids only grow: a delete never resets the sequence (SQLite AUTOINCREMENT, PostgreSQL
//     BIGSERIAL, MySQL AUTO_INCREMENT, which InnoDB keeps across restarts since MySQL 8.0 and
//     MariaDB 10.2.4), and nothing here uses TRUNCATE ... RESTART IDENTITY.
//   - midonet_task_state (one row, id 1): last_processed_id and updated_at, written by the
//     cluster after it has recorded the same id in the NSDB. Tasks with id <= last_processed_id
//     are processed; NULL means none of the tasks still in the table is known to be processed.
//   - midonet_data_state (one row, id 1): readonly and active_version.
//   - midonet_data_versions: one row per data sync, after the initial version 1.
//
// # Processed tasks and task-clean
//
// task-clean deletes the tasks with id <= last_processed_id and, as the spec says, resets
// last_processed_id to NULL; data-version-sync does the same when it truncates the table. This
// is safe because the cluster's authoritative position is the last processed id it keeps in
// the NSDB, never this column: the cluster must not read midonet_task_state to decide where
// to resume, and it must overwrite last_processed_id unconditionally (not "only if greater")
// after each batch. After a reset, every task left in the table has an id greater than every
// deleted one, so NULL correctly means "nothing left here is known to be processed" until the
// cluster next reports. Because the Neutron copy may trail the NSDB (never lead it), a clean
// can only delete tasks the cluster has already processed.
//
// # Read-only mode
//
// While midonet_data_state.readonly is true the API must answer every POST, PUT and DELETE
// with [ErrReadOnly] (503). Call [CheckWritable] inside the write transaction: on PostgreSQL and
// MySQL it reads the flag with a shared lock, so data-readonly (which updates the row) waits for writes in flight
// and no write can commit a task after the switch. [ReadOnly] is the cheap check outside a
// transaction.
//
// # Data versions and the cluster
//
// Data version 1 (InitialVersion) is the data the cluster built from the task stream before any
// sync; migration 0002 records it as COMPLETED and active, so syncs get ids from 2 and
// DATA_VERSION_ACTIVATE always names a version.
//
// data-version-sync (read-only mode only; refused while a version is STARTED or while tasks are
// unprocessed) creates a version v with sync_status and sync_tasks_status STARTED, deletes the
// processed tasks, resets last_processed_id and writes, in id order:
//
//	DATA_VERSION_SYNC      resource_id v, data_type "", tenant "", data {}
//	the last CONFIG task that was in the table, if any, copied (same type, data_type, data)
//	CREATE <DATA_TYPE>     one per row of resources, kinds in [SyncKinds] order then any
//	                       other kind by name, ids ascending within a kind; data, tenant_id
//	                       and created_at exactly as journal.Append writes them
//	DATA_VERSION_ACTIVATE  resource_id v, data_type "", tenant "", data {}
//
// all with one transaction_id, then sets sync_tasks_status COMPLETED. If the command fails it
// sets sync_tasks_status ERROR, if it is interrupted (context cancelled: SIGINT) ABORTED; in
// both cases sync_status ERROR (the cluster will never be asked to activate v) and it appends
// DATA_VERSION_ACTIVATE with resource_id = the currently active version instead, so the task
// stream ends with the old data active again. data-version-activate x (read-only mode; x must
// be COMPLETED, not stale and not active) sets x's sync_status STARTED and appends
// DATA_VERSION_ACTIVATE x.
//
// The cluster, processing the tasks in id order:
//
//   - DATA_VERSION_SYNC v: start a new, empty storage for version v, beside the active one;
//     the following CREATE (and CONFIG) tasks, up to the next DATA_VERSION_ACTIVATE, fill it.
//     Agents keep using the active version meanwhile.
//   - DATA_VERSION_ACTIVATE x (always a decimal version id): make x's storage the one agents
//     use and the target of later tasks; x is either the version just synced or an earlier,
//     complete one (rollback, or the end of an abandoned sync, whose partial storage may then
//     be dropped). Then record in the Neutron database: on success
//     midonet_data_versions[x].sync_status = COMPLETED, sync_finished_at = now and
//     midonet_data_state.active_version = x; on failure sync_status = ERROR, sync_finished_at
//     = now, active_version unchanged. It never touches other versions' rows, sync_tasks_status
//     or stale.
//
// data-readwrite, new syncs and activations are refused while any version has sync_status or
// sync_tasks_status STARTED, that is until the cluster has processed the activation.
package dbmanage
