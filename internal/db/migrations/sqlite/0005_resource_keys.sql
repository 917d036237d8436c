-- The key index of the documents (internal/db/keys.go): one row per sortable attribute and
-- per element of a multi-valued path (tags, fixed_ips.ip_address, ...) of the kinds the
-- catalogue keys. Keyset pages walk its primary key; indexed filters look values up in it.
-- The server fills it from the documents at its first start on this schema (SyncKeys), and
-- again whenever the catalogue keys other attributes (resource_keys_state.spec).
CREATE TABLE resource_keys (
    kind  TEXT NOT NULL,
    attr  TEXT NOT NULL,
    value TEXT NOT NULL,
    id    TEXT NOT NULL,
    PRIMARY KEY (kind, attr, value, id)
) WITHOUT ROWID;
CREATE INDEX resource_keys_doc ON resource_keys (kind, id);
CREATE TABLE resource_keys_state (
    id   INTEGER PRIMARY KEY,
    spec TEXT NOT NULL DEFAULT ''
);
INSERT INTO resource_keys_state (id) VALUES (1);
