-- networking-midonet's monolithic v2 plugin kept a network's uplink type and a port's host
-- and host interface in these tables (networking-midonet migrations 422da2897701 and
-- 3fe2bca71c72, Neutron's portbindingports). They are here only to receive them from an
-- upstream database (`midonet db-manage import`): the first start converts them into ML2
-- segments and port bindings and empties them (seed 4, internal/migratev2).
CREATE TABLE midonet_network_bindings (
    network_id   VARCHAR(36) NOT NULL PRIMARY KEY,
    network_type VARCHAR(255) NOT NULL
);
CREATE TABLE portbindingports (
    port_id VARCHAR(36) NOT NULL PRIMARY KEY,
    host    VARCHAR(255) NOT NULL
);
CREATE TABLE midonet_port_bindings (
    port_id        VARCHAR(36) NOT NULL PRIMARY KEY REFERENCES portbindingports (port_id) ON DELETE CASCADE,
    interface_name VARCHAR(255) NOT NULL
);
