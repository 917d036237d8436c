-- The key index of the documents (internal/db/keys.go): one row per sortable attribute and
-- per element of a multi-valued path (tags, fixed_ips.ip_address, ...) of the kinds the
-- catalogue keys. Keyset pages walk its primary key; indexed filters look values up in it.
-- The server fills it from the documents at its first start on this schema (SyncKeys), and
-- again whenever the catalogue keys other attributes (resource_keys_state.spec).
-- Keys and ids compare byte by byte (COLLATE "C"), as the API orders them and as SQLite and
-- MySQL's utf8mb4_bin do; resources.id too, so that pages by id walk its primary key.
ALTER TABLE resources ALTER COLUMN id TYPE TEXT COLLATE "C";
CREATE TABLE resource_keys (
    kind  TEXT NOT NULL,
    attr  TEXT NOT NULL,
    value TEXT COLLATE "C" NOT NULL,
    id    TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (kind, attr, value, id)
);
CREATE INDEX resource_keys_doc ON resource_keys (kind, id);
CREATE TABLE resource_keys_state (
    id   INTEGER PRIMARY KEY,
    spec TEXT NOT NULL DEFAULT ''
);
INSERT INTO resource_keys_state (id) VALUES (1);
