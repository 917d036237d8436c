-- The key index no longer keeps a second index by document (kind, id): a write finds the
-- rows to remove from the document it replaces or deletes, whose keys are a function of
-- its body (internal/db/keys.go), and removes them by primary key. Every insert wrote that
-- index once per key row, a random page each (on SQLite 3.9 of a port create's 33 WAL
-- frames; on PostgreSQL 11 of its 47 WAL records), and it was larger than the table.
DROP INDEX IF EXISTS resource_keys_doc;
