-- A small networking-midonet deployment on the monolithic v2 plugin (project t1): a tenant
-- network with a VM bound to compute-1, an unbound port and a router interface; an external
-- network with the router's gateway and a floating IP; an uplink network whose edge port is
-- bound to gw-1's eth1 (the v2 plugin's midonet_network_bindings and midonet_port_bindings).
INSERT INTO standardattributes (id, resource_type, created_at, updated_at, description, revision_number) VALUES
 (1, 'securitygroups', '2017-08-01 10:00:00', '2017-08-01 10:00:00', 'Default security group', 1),
 (2, 'securitygrouprules', '2017-08-01 10:00:00', '2017-08-01 10:00:00', NULL, 0),
 (3, 'securitygrouprules', '2017-08-01 10:00:00', '2017-08-01 10:00:00', NULL, 0),
 (4, 'securitygrouprules', '2017-08-01 10:00:00', '2017-08-01 10:00:00', 'ssh', 0),
 (10, 'networks', '2017-08-01 10:01:00', '2017-08-01 10:02:00', 'tenant network', 3),
 (11, 'networks', '2017-08-01 10:01:00', '2017-08-01 10:02:00', '', 2),
 (12, 'networks', '2017-08-01 10:01:00', '2017-08-01 10:02:00', '', 2),
 (20, 'subnets', '2017-08-01 10:03:00', '2017-08-01 10:03:00', '', 0),
 (21, 'subnets', '2017-08-01 10:03:00', '2017-08-01 10:03:00', '', 0),
 (22, 'subnets', '2017-08-01 10:03:00', '2017-08-01 10:03:00', '', 0),
 (30, 'ports', '2017-08-01 10:04:00', '2017-08-01 10:05:00', 'vm', 4),
 (31, 'ports', '2017-08-01 10:04:00', '2017-08-01 10:04:00', '', 1),
 (32, 'ports', '2017-08-01 10:04:00', '2017-08-01 10:04:00', '', 1),
 (33, 'ports', '2017-08-01 10:04:00', '2017-08-01 10:04:00', '', 1),
 (34, 'ports', '2017-08-01 10:04:00', '2017-08-01 10:04:00', '', 2),
 (35, 'ports', '2017-08-01 10:04:00', '2017-08-01 10:04:00', '', 1),
 (40, 'routers', '2017-08-01 10:06:00', '2017-08-01 10:06:00', 'edge', 5),
 (50, 'floatingips', '2017-08-01 10:07:00', '2017-08-01 10:07:00', '', 1);
SELECT setval('standardattributes_id_seq', 100);

INSERT INTO securitygroups (project_id, id, name, standard_attr_id) VALUES ('t1', '5ec00000-0000-4000-8000-000000000001', 'default', 1);
INSERT INTO default_security_group VALUES ('t1', '5ec00000-0000-4000-8000-000000000001');
INSERT INTO securitygrouprules (project_id, id, security_group_id, remote_group_id, direction, ethertype, protocol, port_range_min, port_range_max, remote_ip_prefix, standard_attr_id) VALUES
 ('t1', '5e000000-0000-4000-8000-000000000001', '5ec00000-0000-4000-8000-000000000001', NULL, 'egress', 'IPv4', NULL, NULL, NULL, NULL, 2),
 ('t1', '5e000000-0000-4000-8000-000000000002', '5ec00000-0000-4000-8000-000000000001', '5ec00000-0000-4000-8000-000000000001', 'ingress', 'IPv4', NULL, NULL, NULL, NULL, 3),
 ('t1', '5e000000-0000-4000-8000-000000000003', '5ec00000-0000-4000-8000-000000000001', NULL, 'ingress', 'IPv4', 'tcp', 22, 22, '0.0.0.0/0', 4);

INSERT INTO networks (project_id, id, name, status, admin_state_up, mtu, standard_attr_id) VALUES
 ('t1', '0e000000-0000-4000-8000-000000000001', 'tenant', 'ACTIVE', TRUE, 1450, 10),
 ('admin', '0e000000-0000-4000-8000-000000000002', 'public', 'ACTIVE', TRUE, 1500, 11),
 ('admin', '0e000000-0000-4000-8000-000000000003', 'uplink', 'ACTIVE', TRUE, 1500, 12);
INSERT INTO networksecuritybindings VALUES ('0e000000-0000-4000-8000-000000000001', TRUE), ('0e000000-0000-4000-8000-000000000002', TRUE), ('0e000000-0000-4000-8000-000000000003', FALSE);
INSERT INTO externalnetworks VALUES ('0e000000-0000-4000-8000-000000000002', FALSE);
INSERT INTO networkrbacs VALUES ('4bac0000-0000-4000-8000-000000000001', '0e000000-0000-4000-8000-000000000002', 'admin', '*', 'access_as_external');
INSERT INTO midonet_network_bindings VALUES ('0e000000-0000-4000-8000-000000000003', 'uplink');

INSERT INTO subnets (project_id, id, name, network_id, ip_version, cidr, gateway_ip, enable_dhcp, standard_attr_id) VALUES
 ('t1', '5b000000-0000-4000-8000-000000000001', 'tenant-v4', '0e000000-0000-4000-8000-000000000001', 4, '10.10.0.0/24', '10.10.0.1', TRUE, 20),
 ('admin', '5b000000-0000-4000-8000-000000000002', 'public-v4', '0e000000-0000-4000-8000-000000000002', 4, '172.24.4.0/24', '172.24.4.1', FALSE, 21),
 ('admin', '5b000000-0000-4000-8000-000000000003', 'uplink-v4', '0e000000-0000-4000-8000-000000000003', 4, '192.0.2.0/30', NULL, FALSE, 22);
INSERT INTO ipallocationpools VALUES
 ('9a000000-0000-4000-8000-000000000001', '5b000000-0000-4000-8000-000000000001', '10.10.0.2', '10.10.0.254'),
 ('9a000000-0000-4000-8000-000000000002', '5b000000-0000-4000-8000-000000000002', '172.24.4.10', '172.24.4.200'),
 ('9a000000-0000-4000-8000-000000000003', '5b000000-0000-4000-8000-000000000003', '192.0.2.1', '192.0.2.2');
INSERT INTO dnsnameservers VALUES ('8.8.4.4', '5b000000-0000-4000-8000-000000000001', 1), ('8.8.8.8', '5b000000-0000-4000-8000-000000000001', 0);
INSERT INTO subnetroutes VALUES ('192.168.0.0/16', '10.10.0.254', '5b000000-0000-4000-8000-000000000001');

INSERT INTO ports (project_id, id, name, network_id, mac_address, admin_state_up, status, device_id, device_owner, standard_attr_id) VALUES
 ('t1', '90000000-0000-4000-8000-000000000001', 'vm1', '0e000000-0000-4000-8000-000000000001', 'fa:16:3e:00:00:01', TRUE, 'ACTIVE', 'vm-1', 'compute:nova', 30),
 ('t1', '90000000-0000-4000-8000-000000000002', 'spare', '0e000000-0000-4000-8000-000000000001', 'fa:16:3e:00:00:02', TRUE, 'DOWN', '', '', 31),
 ('t1', '90000000-0000-4000-8000-000000000003', '', '0e000000-0000-4000-8000-000000000001', 'fa:16:3e:00:00:03', TRUE, 'ACTIVE', '7e000000-0000-4000-8000-000000000001', 'network:router_interface', 32),
 ('', '90000000-0000-4000-8000-000000000004', '', '0e000000-0000-4000-8000-000000000002', 'fa:16:3e:00:00:04', TRUE, 'ACTIVE', '7e000000-0000-4000-8000-000000000001', 'network:router_gateway', 33),
 ('admin', '90000000-0000-4000-8000-000000000005', 'edge-uplink', '0e000000-0000-4000-8000-000000000003', 'fa:16:3e:00:00:05', TRUE, 'ACTIVE', '', '', 34),
 ('', '90000000-0000-4000-8000-000000000006', '', '0e000000-0000-4000-8000-000000000002', 'fa:16:3e:00:00:06', TRUE, 'N/A', 'f1000000-0000-4000-8000-000000000001', 'network:floatingip', 35);
INSERT INTO ipallocations VALUES
 ('90000000-0000-4000-8000-000000000001', '10.10.0.5', '5b000000-0000-4000-8000-000000000001', '0e000000-0000-4000-8000-000000000001'),
 ('90000000-0000-4000-8000-000000000002', '10.10.0.6', '5b000000-0000-4000-8000-000000000001', '0e000000-0000-4000-8000-000000000001'),
 ('90000000-0000-4000-8000-000000000003', '10.10.0.1', '5b000000-0000-4000-8000-000000000001', '0e000000-0000-4000-8000-000000000001'),
 ('90000000-0000-4000-8000-000000000004', '172.24.4.10', '5b000000-0000-4000-8000-000000000002', '0e000000-0000-4000-8000-000000000002'),
 ('90000000-0000-4000-8000-000000000005', '192.0.2.2', '5b000000-0000-4000-8000-000000000003', '0e000000-0000-4000-8000-000000000003'),
 ('90000000-0000-4000-8000-000000000006', '172.24.4.20', '5b000000-0000-4000-8000-000000000002', '0e000000-0000-4000-8000-000000000002');
INSERT INTO securitygroupportbindings VALUES ('90000000-0000-4000-8000-000000000001', '5ec00000-0000-4000-8000-000000000001'), ('90000000-0000-4000-8000-000000000002', '5ec00000-0000-4000-8000-000000000001');
INSERT INTO portsecuritybindings VALUES ('90000000-0000-4000-8000-000000000001', TRUE), ('90000000-0000-4000-8000-000000000002', TRUE), ('90000000-0000-4000-8000-000000000005', FALSE);
INSERT INTO allowedaddresspairs VALUES ('90000000-0000-4000-8000-000000000001', 'fa:16:3e:00:00:01', '10.10.0.100');
INSERT INTO extradhcpopts VALUES ('0d000000-0000-4000-8000-000000000001', '90000000-0000-4000-8000-000000000001', 'bootfile-name', 'pxelinux.0', 4);
-- The v2 plugin's bindings: vm1 on compute-1 (Nova's tap), the edge port on gw-1's eth1.
INSERT INTO portbindingports VALUES ('90000000-0000-4000-8000-000000000001', 'compute-1'), ('90000000-0000-4000-8000-000000000005', 'gw-1');
INSERT INTO midonet_port_bindings VALUES ('90000000-0000-4000-8000-000000000005', 'eth1');

INSERT INTO routers (project_id, id, name, status, admin_state_up, gw_port_id, enable_snat, standard_attr_id) VALUES
 ('t1', '7e000000-0000-4000-8000-000000000001', 'r1', 'ACTIVE', TRUE, '90000000-0000-4000-8000-000000000004', TRUE, 40);
INSERT INTO routerports VALUES ('7e000000-0000-4000-8000-000000000001', '90000000-0000-4000-8000-000000000003', 'network:router_interface'),
 ('7e000000-0000-4000-8000-000000000001', '90000000-0000-4000-8000-000000000004', 'network:router_gateway');
INSERT INTO routerroutes VALUES ('192.168.0.0/16', '10.10.0.254', '7e000000-0000-4000-8000-000000000001');
INSERT INTO floatingips (project_id, id, floating_ip_address, floating_network_id, floating_port_id, fixed_port_id, fixed_ip_address, router_id, status, standard_attr_id) VALUES
 ('t1', 'f1000000-0000-4000-8000-000000000001', '172.24.4.20', '0e000000-0000-4000-8000-000000000002', '90000000-0000-4000-8000-000000000006', '90000000-0000-4000-8000-000000000001', '10.10.0.5', '7e000000-0000-4000-8000-000000000001', 'ACTIVE', 50);
