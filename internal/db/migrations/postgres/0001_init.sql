-- Neutron resources are documents keyed by kind and id; parent_id indexes the one
-- reference each kind is looked up by (network_id for subnets and ports, ...).
CREATE TABLE resources (
    kind       TEXT NOT NULL,
    id         TEXT NOT NULL,
    project_id TEXT NOT NULL DEFAULT '',
    parent_id  TEXT NOT NULL DEFAULT '',
    body       TEXT NOT NULL,
    PRIMARY KEY (kind, id)
);
CREATE INDEX resources_parent ON resources (kind, parent_id);
CREATE INDEX resources_project ON resources (kind, project_id);

-- One row per allocated fixed IP: the primary key makes a duplicate impossible.
CREATE TABLE ip_allocations (
    subnet_id  TEXT NOT NULL,
    ip_address TEXT NOT NULL,
    network_id TEXT NOT NULL,
    port_id    TEXT NOT NULL,
    PRIMARY KEY (subnet_id, ip_address)
);
CREATE INDEX ip_allocations_port ON ip_allocations (port_id);

-- MAC addresses are unique per network.
CREATE TABLE mac_addresses (
    network_id  TEXT NOT NULL,
    mac_address TEXT NOT NULL,
    port_id     TEXT NOT NULL,
    PRIMARY KEY (network_id, mac_address)
);

-- The one default security group of each project.
CREATE TABLE default_security_groups (
    project_id        TEXT PRIMARY KEY,
    security_group_id TEXT NOT NULL
);

CREATE TABLE quotas (
    project_id TEXT NOT NULL,
    resource   TEXT NOT NULL,
    hard_limit BIGINT NOT NULL,
    PRIMARY KEY (project_id, resource)
);

-- Sequence behind standard_attr_id.
CREATE TABLE standard_attr_seq (
    id BIGSERIAL PRIMARY KEY,
    kind TEXT NOT NULL
);

-- The task journal (outbox) and its state, as networking-midonet's midonet_tasks.
CREATE TABLE midonet_tasks (
    id             BIGSERIAL PRIMARY KEY,
    type           TEXT NOT NULL,
    data_type      TEXT NOT NULL,
    resource_id    TEXT NOT NULL DEFAULT '',
    tenant_id      TEXT NOT NULL DEFAULT '',
    transaction_id TEXT NOT NULL DEFAULT '',
    data           TEXT NOT NULL DEFAULT '{}',
    created_at     TEXT NOT NULL
);
CREATE TABLE midonet_task_state (
    id                INTEGER PRIMARY KEY,
    last_processed_id BIGINT,
    updated_at        TEXT
);
INSERT INTO midonet_task_state (id) VALUES (1);
CREATE TABLE midonet_data_state (
    id             INTEGER PRIMARY KEY,
    readonly       BOOLEAN NOT NULL DEFAULT FALSE,
    active_version BIGINT,
    updated_at     TEXT
);
INSERT INTO midonet_data_state (id) VALUES (1);
CREATE TABLE midonet_data_versions (
    id                BIGSERIAL PRIMARY KEY,
    sync_started_at   TEXT,
    sync_finished_at  TEXT,
    sync_status       TEXT,
    sync_tasks_status TEXT,
    stale             BOOLEAN NOT NULL DEFAULT FALSE
);
