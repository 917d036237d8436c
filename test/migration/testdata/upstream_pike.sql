-- The tables of an upstream Neutron (Pike) database that a networking-midonet deployment on
-- the monolithic v2 plugin used, as Neutron's and networking-midonet's alembic migrations
-- create them on PostgreSQL (columns, types, keys; indexes left out). The v2 plugin's own:
-- midonet_network_bindings (networking-midonet 422da2897701), portbindingports (Neutron's
-- portbindings_db), midonet_port_bindings (networking-midonet 3fe2bca71c72).
CREATE TABLE standardattributes (
    id BIGSERIAL PRIMARY KEY,
    resource_type VARCHAR(255) NOT NULL,
    created_at TIMESTAMP WITHOUT TIME ZONE,
    updated_at TIMESTAMP WITHOUT TIME ZONE,
    description VARCHAR(255),
    revision_number BIGINT NOT NULL DEFAULT 0
);
CREATE TABLE networks (
    project_id VARCHAR(255),
    id VARCHAR(36) PRIMARY KEY,
    name VARCHAR(255),
    status VARCHAR(16),
    admin_state_up BOOLEAN,
    vlan_transparent BOOLEAN,
    mtu INTEGER NOT NULL DEFAULT 1500,
    availability_zone_hints VARCHAR(255),
    standard_attr_id BIGINT NOT NULL REFERENCES standardattributes (id) ON DELETE CASCADE
);
CREATE TABLE subnets (
    project_id VARCHAR(255),
    id VARCHAR(36) PRIMARY KEY,
    name VARCHAR(255),
    network_id VARCHAR(36) NOT NULL REFERENCES networks (id),
    segment_id VARCHAR(36),
    subnetpool_id VARCHAR(36),
    ip_version INTEGER NOT NULL,
    cidr VARCHAR(64) NOT NULL,
    gateway_ip VARCHAR(64),
    enable_dhcp BOOLEAN,
    ipv6_ra_mode VARCHAR(16),
    ipv6_address_mode VARCHAR(16),
    standard_attr_id BIGINT NOT NULL REFERENCES standardattributes (id) ON DELETE CASCADE
);
CREATE TABLE ipallocationpools (
    id VARCHAR(36) PRIMARY KEY,
    subnet_id VARCHAR(36) REFERENCES subnets (id) ON DELETE CASCADE,
    first_ip VARCHAR(64) NOT NULL,
    last_ip VARCHAR(64) NOT NULL
);
CREATE TABLE dnsnameservers (
    address VARCHAR(128) NOT NULL,
    subnet_id VARCHAR(36) NOT NULL REFERENCES subnets (id) ON DELETE CASCADE,
    "order" INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (address, subnet_id)
);
CREATE TABLE subnetroutes (
    destination VARCHAR(64) NOT NULL,
    nexthop VARCHAR(64) NOT NULL,
    subnet_id VARCHAR(36) NOT NULL REFERENCES subnets (id) ON DELETE CASCADE,
    PRIMARY KEY (destination, nexthop, subnet_id)
);
CREATE TABLE ports (
    project_id VARCHAR(255),
    id VARCHAR(36) PRIMARY KEY,
    name VARCHAR(255),
    network_id VARCHAR(36) NOT NULL REFERENCES networks (id),
    mac_address VARCHAR(32) NOT NULL,
    admin_state_up BOOLEAN NOT NULL,
    status VARCHAR(16) NOT NULL,
    device_id VARCHAR(255) NOT NULL,
    device_owner VARCHAR(255) NOT NULL,
    ip_allocation VARCHAR(16),
    standard_attr_id BIGINT NOT NULL REFERENCES standardattributes (id) ON DELETE CASCADE,
    UNIQUE (network_id, mac_address)
);
CREATE TABLE ipallocations (
    port_id VARCHAR(36) REFERENCES ports (id) ON DELETE CASCADE,
    ip_address VARCHAR(64) NOT NULL,
    subnet_id VARCHAR(36) NOT NULL REFERENCES subnets (id) ON DELETE CASCADE,
    network_id VARCHAR(36) NOT NULL REFERENCES networks (id) ON DELETE CASCADE,
    PRIMARY KEY (ip_address, subnet_id)
);
CREATE TABLE securitygroups (
    project_id VARCHAR(255),
    id VARCHAR(36) PRIMARY KEY,
    name VARCHAR(255),
    standard_attr_id BIGINT NOT NULL REFERENCES standardattributes (id) ON DELETE CASCADE
);
CREATE TABLE securitygrouprules (
    project_id VARCHAR(255),
    id VARCHAR(36) PRIMARY KEY,
    security_group_id VARCHAR(36) NOT NULL REFERENCES securitygroups (id) ON DELETE CASCADE,
    remote_group_id VARCHAR(36) REFERENCES securitygroups (id) ON DELETE CASCADE,
    direction VARCHAR(7),
    ethertype VARCHAR(40),
    protocol VARCHAR(40),
    port_range_min INTEGER,
    port_range_max INTEGER,
    remote_ip_prefix VARCHAR(255),
    standard_attr_id BIGINT NOT NULL REFERENCES standardattributes (id) ON DELETE CASCADE
);
CREATE TABLE securitygroupportbindings (
    port_id VARCHAR(36) NOT NULL REFERENCES ports (id) ON DELETE CASCADE,
    security_group_id VARCHAR(36) NOT NULL REFERENCES securitygroups (id),
    PRIMARY KEY (port_id, security_group_id)
);
CREATE TABLE default_security_group (
    project_id VARCHAR(255) PRIMARY KEY,
    security_group_id VARCHAR(36) NOT NULL REFERENCES securitygroups (id) ON DELETE CASCADE
);
CREATE TABLE portsecuritybindings (
    port_id VARCHAR(36) PRIMARY KEY REFERENCES ports (id) ON DELETE CASCADE,
    port_security_enabled BOOLEAN NOT NULL
);
CREATE TABLE networksecuritybindings (
    network_id VARCHAR(36) PRIMARY KEY REFERENCES networks (id) ON DELETE CASCADE,
    port_security_enabled BOOLEAN NOT NULL
);
CREATE TABLE allowedaddresspairs (
    port_id VARCHAR(36) NOT NULL REFERENCES ports (id) ON DELETE CASCADE,
    mac_address VARCHAR(32) NOT NULL,
    ip_address VARCHAR(64) NOT NULL,
    PRIMARY KEY (port_id, mac_address, ip_address)
);
CREATE TABLE extradhcpopts (
    id VARCHAR(36) PRIMARY KEY,
    port_id VARCHAR(36) NOT NULL REFERENCES ports (id) ON DELETE CASCADE,
    opt_name VARCHAR(64) NOT NULL,
    opt_value VARCHAR(255) NOT NULL,
    ip_version INTEGER NOT NULL DEFAULT 4,
    UNIQUE (port_id, opt_name, ip_version)
);
CREATE TABLE externalnetworks (
    network_id VARCHAR(36) PRIMARY KEY REFERENCES networks (id) ON DELETE CASCADE,
    is_default BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE TABLE networkrbacs (
    id VARCHAR(36) PRIMARY KEY,
    object_id VARCHAR(36) NOT NULL REFERENCES networks (id) ON DELETE CASCADE,
    project_id VARCHAR(255),
    target_tenant VARCHAR(255) NOT NULL,
    action VARCHAR(255) NOT NULL,
    UNIQUE (action, object_id, target_tenant)
);
CREATE TABLE routers (
    project_id VARCHAR(255),
    id VARCHAR(36) PRIMARY KEY,
    name VARCHAR(255),
    status VARCHAR(16),
    admin_state_up BOOLEAN,
    gw_port_id VARCHAR(36) REFERENCES ports (id),
    enable_snat BOOLEAN NOT NULL DEFAULT TRUE,
    flavor_id VARCHAR(36),
    standard_attr_id BIGINT NOT NULL REFERENCES standardattributes (id) ON DELETE CASCADE
);
CREATE TABLE routerports (
    router_id VARCHAR(36) NOT NULL REFERENCES routers (id) ON DELETE CASCADE,
    port_id VARCHAR(36) NOT NULL REFERENCES ports (id) ON DELETE CASCADE,
    port_type VARCHAR(255),
    PRIMARY KEY (router_id, port_id)
);
CREATE TABLE routerroutes (
    destination VARCHAR(64) NOT NULL,
    nexthop VARCHAR(64) NOT NULL,
    router_id VARCHAR(36) NOT NULL REFERENCES routers (id) ON DELETE CASCADE,
    PRIMARY KEY (destination, nexthop, router_id)
);
CREATE TABLE floatingips (
    project_id VARCHAR(255),
    id VARCHAR(36) PRIMARY KEY,
    floating_ip_address VARCHAR(64) NOT NULL,
    floating_network_id VARCHAR(36) NOT NULL,
    floating_port_id VARCHAR(36) NOT NULL REFERENCES ports (id) ON DELETE CASCADE,
    fixed_port_id VARCHAR(36) REFERENCES ports (id),
    fixed_ip_address VARCHAR(64),
    router_id VARCHAR(36) REFERENCES routers (id),
    last_known_router_id VARCHAR(36),
    status VARCHAR(16),
    standard_attr_id BIGINT NOT NULL REFERENCES standardattributes (id) ON DELETE CASCADE
);
-- ML2's tables, created by Neutron's migrations on every database (empty under the v2 plugin).
CREATE TABLE networksegments (
    id VARCHAR(36) PRIMARY KEY,
    network_id VARCHAR(36) NOT NULL REFERENCES networks (id) ON DELETE CASCADE,
    network_type VARCHAR(32) NOT NULL,
    physical_network VARCHAR(64),
    segmentation_id INTEGER,
    is_dynamic BOOLEAN NOT NULL DEFAULT FALSE,
    segment_index INTEGER NOT NULL DEFAULT 0,
    name VARCHAR(255),
    standard_attr_id BIGINT NOT NULL REFERENCES standardattributes (id) ON DELETE CASCADE
);
CREATE TABLE ml2_port_bindings (
    port_id VARCHAR(36) NOT NULL REFERENCES ports (id) ON DELETE CASCADE,
    host VARCHAR(255) NOT NULL DEFAULT '',
    vif_type VARCHAR(64) NOT NULL,
    vnic_type VARCHAR(64) NOT NULL DEFAULT 'normal',
    profile VARCHAR(4095) NOT NULL DEFAULT '',
    vif_details VARCHAR(4095) NOT NULL DEFAULT '',
    status VARCHAR(16) NOT NULL DEFAULT 'ACTIVE',
    PRIMARY KEY (port_id, host)
);
CREATE TABLE ml2_port_binding_levels (
    port_id VARCHAR(36) NOT NULL REFERENCES ports (id) ON DELETE CASCADE,
    host VARCHAR(255) NOT NULL,
    level INTEGER NOT NULL,
    driver VARCHAR(64),
    segment_id VARCHAR(36) REFERENCES networksegments (id) ON DELETE SET NULL,
    PRIMARY KEY (port_id, host, level)
);
-- The monolithic v2 plugin's.
CREATE TABLE midonet_network_bindings (
    network_id VARCHAR(36) NOT NULL PRIMARY KEY REFERENCES networks (id),
    network_type VARCHAR(255) NOT NULL
);
CREATE TABLE portbindingports (
    port_id VARCHAR(36) NOT NULL PRIMARY KEY REFERENCES ports (id) ON DELETE CASCADE,
    host VARCHAR(255) NOT NULL
);
CREATE TABLE midonet_port_bindings (
    port_id VARCHAR(36) NOT NULL PRIMARY KEY REFERENCES ports (id),
    interface_name VARCHAR(255) NOT NULL,
    FOREIGN KEY (port_id) REFERENCES portbindingports (port_id) ON DELETE CASCADE
);
CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY);
INSERT INTO alembic_version VALUES ('7d32f979895f'), ('5c85685d616d');
