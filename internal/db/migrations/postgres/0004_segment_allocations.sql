-- The segmentation ids ML2's vxlan, vlan and flat type drivers hand out (Neutron's
-- ml2_vxlan_allocations, ml2_vlan_allocations and ml2_flat_allocations in one table): one
-- row per segment that holds an id (a flat network holds its physical network, id 0). The
-- primary key makes two API servers on one database unable to hand out one id twice
-- (internal/ml2).
CREATE TABLE segment_allocations (
    network_type     VARCHAR(32)  NOT NULL,
    physical_network VARCHAR(64)  NOT NULL,
    segmentation_id  BIGINT       NOT NULL,
    segment_id       VARCHAR(36)  NOT NULL,
    network_id       VARCHAR(36)  NOT NULL,
    project_id       VARCHAR(255) NOT NULL DEFAULT '',
    PRIMARY KEY (network_type, physical_network, segmentation_id)
);
CREATE INDEX segment_allocations_segment ON segment_allocations (segment_id);
