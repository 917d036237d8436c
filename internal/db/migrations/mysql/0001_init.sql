-- MySQL / MariaDB schema. DDL commits implicitly on these engines, so a migration is not one
-- transaction: every statement here can run again (IF NOT EXISTS, INSERT IGNORE, indexes
-- declared inside CREATE TABLE) and an upgrade interrupted half-way completes on the next run.
-- Identifiers compare byte for byte (utf8mb4_bin), as on PostgreSQL and SQLite.

-- Neutron resources are documents keyed by kind and id; parent_id indexes the one
-- reference each kind is looked up by (network_id for subnets and ports, ...).
CREATE TABLE IF NOT EXISTS resources (
    kind       VARCHAR(128) NOT NULL,
    id         VARCHAR(255) NOT NULL,
    project_id VARCHAR(255) NOT NULL DEFAULT '',
    parent_id  VARCHAR(255) NOT NULL DEFAULT '',
    body       LONGTEXT NOT NULL,
    PRIMARY KEY (kind, id),
    INDEX resources_parent (kind, parent_id),
    INDEX resources_project (kind, project_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- One row per allocated fixed IP: the primary key makes a duplicate impossible.
CREATE TABLE IF NOT EXISTS ip_allocations (
    subnet_id  VARCHAR(255) NOT NULL,
    ip_address VARCHAR(64) NOT NULL,
    network_id VARCHAR(255) NOT NULL,
    port_id    VARCHAR(255) NOT NULL,
    PRIMARY KEY (subnet_id, ip_address),
    INDEX ip_allocations_port (port_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- MAC addresses are unique per network.
CREATE TABLE IF NOT EXISTS mac_addresses (
    network_id  VARCHAR(255) NOT NULL,
    mac_address VARCHAR(64) NOT NULL,
    port_id     VARCHAR(255) NOT NULL,
    PRIMARY KEY (network_id, mac_address),
    INDEX mac_addresses_port (port_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- The one default security group of each project.
CREATE TABLE IF NOT EXISTS default_security_groups (
    project_id        VARCHAR(255) NOT NULL PRIMARY KEY,
    security_group_id VARCHAR(255) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS quotas (
    project_id VARCHAR(255) NOT NULL,
    resource   VARCHAR(255) NOT NULL,
    hard_limit BIGINT NOT NULL,
    PRIMARY KEY (project_id, resource)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Sequence behind standard_attr_id.
CREATE TABLE IF NOT EXISTS standard_attr_seq (
    id   BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    kind VARCHAR(128) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- The task journal (outbox) and its state, as networking-midonet's midonet_tasks.
CREATE TABLE IF NOT EXISTS midonet_tasks (
    id             BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    type           VARCHAR(64) NOT NULL,
    data_type      VARCHAR(64) NOT NULL,
    resource_id    VARCHAR(255) NOT NULL DEFAULT '',
    tenant_id      VARCHAR(255) NOT NULL DEFAULT '',
    transaction_id VARCHAR(255) NOT NULL DEFAULT '',
    data           LONGTEXT NOT NULL,
    created_at     VARCHAR(64) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE TABLE IF NOT EXISTS midonet_task_state (
    id                INTEGER NOT NULL PRIMARY KEY,
    last_processed_id BIGINT,
    updated_at        VARCHAR(64)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
INSERT IGNORE INTO midonet_task_state (id) VALUES (1);
CREATE TABLE IF NOT EXISTS midonet_data_state (
    id             INTEGER NOT NULL PRIMARY KEY,
    readonly       BOOLEAN NOT NULL DEFAULT FALSE,
    active_version BIGINT,
    updated_at     VARCHAR(64)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
INSERT IGNORE INTO midonet_data_state (id) VALUES (1);
CREATE TABLE IF NOT EXISTS midonet_data_versions (
    id                BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    sync_started_at   VARCHAR(64),
    sync_finished_at  VARCHAR(64),
    sync_status       VARCHAR(64),
    sync_tasks_status VARCHAR(64),
    stale             BOOLEAN NOT NULL DEFAULT FALSE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- The row journaling transactions lock (SELECT ... FOR UPDATE) before they draw a task id:
-- it does what pg_advisory_xact_lock does on PostgreSQL, so transactions commit their tasks
-- in id order and the consumer, reading "id > last processed", never skips one.
CREATE TABLE IF NOT EXISTS midonet_task_order (
    id INTEGER NOT NULL PRIMARY KEY
) ENGINE=InnoDB;
INSERT IGNORE INTO midonet_task_order (id) VALUES (1);
