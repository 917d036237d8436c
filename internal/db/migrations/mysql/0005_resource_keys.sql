-- The key index of the documents (internal/db/keys.go): one row per sortable attribute and
-- per element of a multi-valued path (tags, fixed_ips.ip_address, ...) of the kinds the
-- catalogue keys. Keyset pages walk its primary key; indexed filters look values up in it.
-- The server fills it from the documents at its first start on this schema (SyncKeys), and
-- again whenever the catalogue keys other attributes (resource_keys_state.spec). The key
-- columns fit InnoDB's 3072-byte key (values are cut at 400 characters, ids are at most 255).
CREATE TABLE IF NOT EXISTS resource_keys (
    kind  VARCHAR(32) NOT NULL,
    attr  VARCHAR(48) NOT NULL,
    value VARCHAR(400) NOT NULL,
    id    VARCHAR(255) NOT NULL,
    PRIMARY KEY (kind, attr, value, id),
    INDEX resource_keys_doc (kind, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE TABLE IF NOT EXISTS resource_keys_state (
    id   INTEGER NOT NULL PRIMARY KEY,
    spec TEXT NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
INSERT IGNORE INTO resource_keys_state (id, spec) VALUES (1, '');
