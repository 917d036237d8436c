-- Each key row carries the rowid of its document's row in resources (SQLite only): a sorted
-- page walks the key index and reads each document by rowid, one B-tree descent a row
-- instead of two (the (kind, id) index, then the table). The rows already there get theirs
-- here. Rowids can change under an outside VACUUM: a page checks that the row it reached is
-- the document it wanted and otherwise reads by (kind, id) and has the index rebuilt at the
-- next start (internal/db/keys.go). A row written with rid 0 (by a binary that predates
-- this column) is found the same way.
ALTER TABLE resource_keys ADD COLUMN rid INTEGER NOT NULL DEFAULT 0;
UPDATE resource_keys SET rid = COALESCE((SELECT r.rowid FROM resources r WHERE r.kind = resource_keys.kind AND r.id = resource_keys.id), 0);
