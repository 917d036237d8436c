package neutrondb

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/netip"
	"slices"
	"sort"

	"github.com/google/uuid"
	"github.com/midonet-go/midonet/internal/db"
	"github.com/midonet-go/midonet/internal/ml2"
)

// Summary counts what an import wrote, by collection (and the v2 plugin's binding rows).
type Summary map[string]int

// Import copies an upstream Neutron database into dst, which must hold no network yet.
//
// It covers what a networking-midonet deployment's users made, as the upstream schema stores
// it: networks (with their standard attributes, MTU, port security, external flag, RBAC
// sharing and ML2 segments), subnets (pools, DNS servers, host routes), ports (fixed IPs,
// MAC, device, security groups, port security, allowed address pairs, extra DHCP options, ML2
// binding), security groups and their rules (and each project's default group), routers
// (gateway, SNAT, extra routes) and floating IPs; and the monolithic v2 plugin's rows
// (midonet_network_bindings, portbindingports, midonet_port_bindings) as they are, for the
// first start to convert (internal/migratev2). Ids, owners, addresses and MACs are kept.
// Not covered (reported by nothing, left behind): tags, QoS policies, subnet pools and address
// scopes (subnets keep no pool), BGP, VPN, FWaaS, TaaS, L2 gateways, quotas, the task journal.
// The import writes no task: the cluster builds the topology from the documents at the first
// start (REST client: the startup repair; task client: `midonet db-manage repair`).
func Import(ctx context.Context, src *sql.DB, dst *db.DB) (Summary, error) {
	return importFrom(ctx, src, false, dst)
}

func importFrom(ctx context.Context, src *sql.DB, sqlite bool, dst *db.DB) (Summary, error) {
	s, err := newSource(ctx, src, sqlite)
	if err != nil {
		return nil, err
	}
	im := &importer{s: s, sum: Summary{}}
	if err := im.read(ctx); err != nil {
		return nil, err
	}
	err = dst.Write(ctx, func(tx *db.Tx) error {
		var n int
		if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM resources WHERE kind IN ('networks', 'ports')").Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return fmt.Errorf("neutrondb: the target database already holds %d networks and ports; import into a new one", n)
		}
		im.sum = Summary{}
		return im.write(ctx, tx)
	})
	if err != nil {
		return nil, err
	}
	return im.sum, nil
}

type importer struct {
	s   *source
	sum Summary

	groups, rules, nets, subnets, ports, routers, fips []row
	defaults                                           []row
	pools, dns, hostRoutes, allocs, sgBinds, pairs     []row
	dhcpOpts, portSec, netSec, external, rbacs         []row
	segments, ml2Bindings, routes                      []row
	v2Nets, v2Ports, v2Ifaces                          []row
}

func (im *importer) read(ctx context.Context) error {
	s := im.s
	q := func(dst *[]row, table, query string) error {
		rs, err := s.query(ctx, table, query)
		*dst = rs
		return err
	}
	std := func(alias string) (string, string) { return s.standard(alias) }
	c, j := std("g")
	stateful := "TRUE AS stateful"
	if s.hasColumn(ctx, "securitygroups", "stateful") {
		stateful = "g.stateful"
	}
	steps := []struct {
		dst          *[]row
		table, query string
	}{
		{&im.groups, "securitygroups", "SELECT g.id, g.project_id, g.name, " + stateful + ", " + c + " FROM securitygroups g" + j},
	}
	c, j = std("r")
	steps = append(steps, struct {
		dst          *[]row
		table, query string
	}{&im.rules, "securitygrouprules", "SELECT r.id, r.project_id, r.security_group_id, r.remote_group_id, r.direction, r.ethertype, r.protocol, r.port_range_min, r.port_range_max, r.remote_ip_prefix, " + c + " FROM securitygrouprules r" + j})
	c, j = std("n")
	mtu := "n.mtu"
	if !s.hasColumn(ctx, "networks", "mtu") {
		mtu = "NULL AS mtu"
	}
	add := func(dst *[]row, table, query string) {
		steps = append(steps, struct {
			dst          *[]row
			table, query string
		}{dst, table, query})
	}
	add(&im.nets, "networks", "SELECT n.id, n.project_id, n.name, n.status, n.admin_state_up, "+mtu+", "+c+" FROM networks n"+j)
	c, j = std("s")
	add(&im.subnets, "subnets", "SELECT s.id, s.project_id, s.name, s.network_id, s.ip_version, s.cidr, s.gateway_ip, s.enable_dhcp, s.ipv6_ra_mode, s.ipv6_address_mode, "+c+" FROM subnets s"+j)
	c, j = std("p")
	add(&im.ports, "ports", "SELECT p.id, p.project_id, p.name, p.network_id, p.mac_address, p.admin_state_up, p.status, p.device_id, p.device_owner, "+c+" FROM ports p"+j)
	c, j = std("r")
	add(&im.routers, "routers", "SELECT r.id, r.project_id, r.name, r.status, r.admin_state_up, r.gw_port_id, r.enable_snat, "+c+" FROM routers r"+j)
	c, j = std("f")
	add(&im.fips, "floatingips", "SELECT f.id, f.project_id, f.floating_ip_address, f.floating_network_id, f.floating_port_id, f.fixed_port_id, f.fixed_ip_address, f.router_id, f.status, "+c+" FROM floatingips f"+j)
	add(&im.defaults, "default_security_group", "SELECT project_id, security_group_id FROM default_security_group")
	add(&im.pools, "ipallocationpools", "SELECT subnet_id, first_ip, last_ip FROM ipallocationpools ORDER BY subnet_id, first_ip")
	add(&im.dns, "dnsnameservers", "SELECT subnet_id, address FROM dnsnameservers ORDER BY subnet_id, "+s.orderColumn(ctx))
	add(&im.hostRoutes, "subnetroutes", "SELECT subnet_id, destination, nexthop FROM subnetroutes ORDER BY subnet_id, destination")
	add(&im.allocs, "ipallocations", "SELECT port_id, ip_address, subnet_id, network_id FROM ipallocations ORDER BY port_id, ip_address")
	add(&im.sgBinds, "securitygroupportbindings", "SELECT port_id, security_group_id FROM securitygroupportbindings ORDER BY port_id, security_group_id")
	add(&im.pairs, "allowedaddresspairs", "SELECT port_id, mac_address, ip_address FROM allowedaddresspairs ORDER BY port_id, ip_address")
	add(&im.dhcpOpts, "extradhcpopts", "SELECT port_id, opt_name, opt_value, ip_version FROM extradhcpopts ORDER BY port_id, opt_name")
	add(&im.portSec, "portsecuritybindings", "SELECT port_id, port_security_enabled FROM portsecuritybindings")
	add(&im.netSec, "networksecuritybindings", "SELECT network_id, port_security_enabled FROM networksecuritybindings")
	add(&im.external, "externalnetworks", "SELECT network_id FROM externalnetworks")
	add(&im.rbacs, "networkrbacs", "SELECT id, object_id, project_id, target_tenant, action FROM networkrbacs ORDER BY id")
	add(&im.segments, "networksegments", "SELECT network_id, network_type, physical_network, segmentation_id FROM networksegments ORDER BY network_id, segment_index")
	add(&im.ml2Bindings, "ml2_port_bindings", "SELECT port_id, host, vif_type, vnic_type, profile, vif_details FROM ml2_port_bindings")
	add(&im.routes, "routerroutes", "SELECT router_id, destination, nexthop FROM routerroutes ORDER BY router_id, destination")
	add(&im.v2Nets, "midonet_network_bindings", "SELECT network_id, network_type FROM midonet_network_bindings")
	add(&im.v2Ports, "portbindingports", "SELECT port_id, host FROM portbindingports")
	add(&im.v2Ifaces, "midonet_port_bindings", "SELECT port_id, interface_name FROM midonet_port_bindings")
	for _, st := range steps {
		if err := q(st.dst, st.table, st.query); err != nil {
			return err
		}
	}
	return nil
}

// hasColumn reports whether an upstream table has a column (it changed across releases).
func (s *source) hasColumn(ctx context.Context, table, column string) bool {
	var n int
	if s.sqlite {
		err := s.db.QueryRowContext(ctx, "SELECT COUNT(*) FROM pragma_table_info(?) WHERE name = ?", table, column).Scan(&n)
		return err == nil && n > 0
	}
	err := s.db.QueryRowContext(ctx, "SELECT COUNT(*) FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1 AND column_name = $2", table, column).Scan(&n)
	return err == nil && n > 0
}

// orderColumn is dnsnameservers' order column (added in Mitaka), else the address.
func (s *source) orderColumn(ctx context.Context) string {
	if s.hasColumn(ctx, "dnsnameservers", "order") {
		return `"order"`
	}
	return "address"
}

// by groups rows by a column.
func by(rs []row, k string) map[string][]row {
	out := map[string][]row{}
	for _, r := range rs {
		out[r.str(k)] = append(out[r.str(k)], r)
	}
	return out
}

// base is what every standard-attribute document starts with.
func base(r row) db.Doc {
	project := r.str("project_id")
	rev, _ := r.integer("revision_number")
	return db.Doc{"id": r.str("id"), "tenant_id": project, "project_id": project, "description": r.str("description"),
		"revision_number": rev, "created_at": r.timestamp("created_at"), "updated_at": r.timestamp("updated_at"), "tags": []any{}}
}

// importSegments stores a network's ML2 segments as this server's segments and reserves the
// vxlan, vlan and flat ones' ids (internal/ml2), so that no network made later takes them.
func importSegments(ctx context.Context, tx *db.Tx, netID, project string, rows []row) error {
	for i, r := range rows {
		s := ml2.Segment{ID: uuid.NewString(), NetworkID: netID, ProjectID: project, Type: r.str("network_type")}
		if p, ok := r.strOrNil("physical_network").(string); ok {
			s.Physnet = p
		}
		if n, ok := r.intOrNil("segmentation_id").(int64); ok {
			s.SegID, s.HasID = int(n), true
		}
		if slices.Contains(ml2.Types, s.Type) {
			if err := ml2.Reserve(ctx, tx, s); err != nil {
				return fmt.Errorf("neutrondb: segment %d of network %s: %w", i, netID, err)
			}
		}
		if err := tx.Insert(ctx, "segments", s.Doc(i)); err != nil {
			return fmt.Errorf("neutrondb: segment %d of network %s: %w", i, netID, err)
		}
	}
	return nil
}

func (im *importer) put(ctx context.Context, tx *db.Tx, kind string, d db.Doc) error {
	if err := tx.Insert(ctx, kind, d); err != nil {
		return fmt.Errorf("neutrondb: import %s %v: %w", kind, d["id"], err)
	}
	im.sum[kind]++
	return nil
}

func (im *importer) write(ctx context.Context, tx *db.Tx) error {
	for _, r := range im.groups {
		d := base(r)
		d["name"], d["stateful"] = r.str("name"), r.boolean("stateful", true)
		if err := im.put(ctx, tx, "security_groups", d); err != nil {
			return err
		}
	}
	for _, r := range im.defaults {
		if _, err := tx.Exec(ctx, "INSERT INTO default_security_groups (project_id, security_group_id) VALUES (?, ?)", r.str("project_id"), r.str("security_group_id")); err != nil {
			return fmt.Errorf("neutrondb: default security group of %s: %w", r.str("project_id"), err)
		}
	}
	for _, r := range im.rules {
		d := base(r)
		if r["description"] == nil {
			d["description"] = nil
		}
		for _, k := range []string{"security_group_id", "remote_group_id", "direction", "ethertype", "protocol", "remote_ip_prefix"} {
			d[k] = r.strOrNil(k)
		}
		d["port_range_min"], d["port_range_max"] = r.intOrNil("port_range_min"), r.intOrNil("port_range_max")
		d["normalized_cidr"] = nil
		if p, err := netip.ParsePrefix(r.str("remote_ip_prefix")); err == nil {
			d["normalized_cidr"] = p.Masked().String()
		}
		id, err := tx.NextStandardAttrID(ctx, "security_group_rules")
		if err != nil {
			return err
		}
		d["standard_attr_id"] = id
		if err := im.put(ctx, tx, "security_group_rules", d); err != nil {
			return err
		}
	}
	if err := im.writeNetworks(ctx, tx); err != nil {
		return err
	}
	if err := im.writeSubnets(ctx, tx); err != nil {
		return err
	}
	if err := im.writePorts(ctx, tx); err != nil {
		return err
	}
	if err := im.writeRouters(ctx, tx); err != nil {
		return err
	}
	for _, r := range im.fips {
		d := base(r)
		d["floating_ip_address"], d["floating_network_id"], d["floating_port_id"] = r.str("floating_ip_address"), r.str("floating_network_id"), r.str("floating_port_id")
		d["port_id"], d["fixed_ip_address"], d["router_id"] = r.strOrNil("fixed_port_id"), r.strOrNil("fixed_ip_address"), r.strOrNil("router_id")
		d["status"] = r.str("status")
		if err := im.put(ctx, tx, "floatingips", d); err != nil {
			return err
		}
	}
	return im.writeV2(ctx, tx)
}

func (im *importer) writeNetworks(ctx context.Context, tx *db.Tx) error {
	subnetsOf := by(im.subnets, "network_id")
	netSec := by(im.netSec, "network_id")
	external := by(im.external, "network_id")
	segments := by(im.segments, "network_id")
	rbacs := by(im.rbacs, "object_id")
	for _, r := range im.nets {
		id := r.str("id")
		d := base(r)
		d["name"], d["status"], d["admin_state_up"] = r.str("name"), r.str("status"), r.boolean("admin_state_up", true)
		d["mtu"] = r.intOrNil("mtu")
		if d["mtu"] == nil {
			d["mtu"] = int64(1500)
		}
		d["port_security_enabled"] = true
		if ps := netSec[id]; len(ps) > 0 {
			d["port_security_enabled"] = ps[0].boolean("port_security_enabled", true)
		}
		d["qos_policy_id"] = nil
		subs := []any{}
		for _, s := range subnetsOf[id] {
			subs = append(subs, s.str("id"))
		}
		d["subnets"] = subs
		// ML2 segments; a v2 network has none (the first start gives it one, seed 4).
		if seg := segments[id]; len(seg) > 0 {
			d["provider:network_type"], d["provider:physical_network"], d["provider:segmentation_id"] =
				seg[0].str("network_type"), seg[0].strOrNil("physical_network"), seg[0].intOrNil("segmentation_id")
		}
		if err := importSegments(ctx, tx, id, r.str("project_id"), segments[id]); err != nil {
			return err
		}
		shared, ext := []any{}, []any{}
		for _, p := range rbacs[id] {
			doc := db.Doc{"id": p.str("id"), "object_id": id, "object_type": "network", "action": p.str("action"),
				"target_tenant": p.str("target_tenant"), "project_id": p.str("project_id"), "tenant_id": p.str("project_id")}
			if err := im.put(ctx, tx, "rbac_policies", doc); err != nil {
				return err
			}
			switch p.str("action") {
			case "access_as_shared":
				shared = append(shared, p.str("target_tenant"))
			case "access_as_external":
				ext = append(ext, p.str("target_tenant"))
			}
		}
		isExternal := len(external[id]) > 0
		if isExternal && len(rbacs[id]) == 0 && !im.s.tables["networkrbacs"] {
			// Before RBAC (Liberty), external meant external to everyone.
			doc := db.Doc{"id": uuid.NewString(), "object_id": id, "object_type": "network", "action": "access_as_external",
				"target_tenant": "*", "project_id": r.str("project_id"), "tenant_id": r.str("project_id")}
			if err := im.put(ctx, tx, "rbac_policies", doc); err != nil {
				return err
			}
			ext = append(ext, "*")
		}
		d["router:external"], d["rbac_shared"], d["rbac_external"] = isExternal, shared, ext
		d["shared"] = false
		for _, t := range shared {
			d["shared"] = d["shared"].(bool) || t == "*"
		}
		if err := im.put(ctx, tx, "networks", d); err != nil {
			return err
		}
	}
	return nil
}

func (im *importer) writeSubnets(ctx context.Context, tx *db.Tx) error {
	pools, dns, routes := by(im.pools, "subnet_id"), by(im.dns, "subnet_id"), by(im.hostRoutes, "subnet_id")
	for _, r := range im.subnets {
		id := r.str("id")
		d := base(r)
		d["name"], d["network_id"], d["cidr"] = r.str("name"), r.str("network_id"), r.str("cidr")
		d["ip_version"], _ = r.integer("ip_version")
		d["gateway_ip"], d["enable_dhcp"] = r.strOrNil("gateway_ip"), r.boolean("enable_dhcp", true)
		d["ipv6_ra_mode"], d["ipv6_address_mode"] = r.strOrNil("ipv6_ra_mode"), r.strOrNil("ipv6_address_mode")
		d["subnetpool_id"], d["service_types"] = nil, []any{}
		ap, ns, hr := []any{}, []any{}, []any{}
		for _, p := range pools[id] {
			ap = append(ap, map[string]any{"start": p.str("first_ip"), "end": p.str("last_ip")})
		}
		for _, n := range dns[id] {
			ns = append(ns, n.str("address"))
		}
		for _, h := range routes[id] {
			hr = append(hr, map[string]any{"destination": h.str("destination"), "nexthop": h.str("nexthop")})
		}
		d["allocation_pools"], d["dns_nameservers"], d["host_routes"] = ap, ns, hr
		if err := im.put(ctx, tx, "subnets", d); err != nil {
			return err
		}
	}
	return nil
}

func (im *importer) writePorts(ctx context.Context, tx *db.Tx) error {
	allocs, groups, pairs := by(im.allocs, "port_id"), by(im.sgBinds, "port_id"), by(im.pairs, "port_id")
	opts, sec, ml2 := by(im.dhcpOpts, "port_id"), by(im.portSec, "port_id"), by(im.ml2Bindings, "port_id")
	for _, r := range im.ports {
		id := r.str("id")
		d := base(r)
		for _, k := range []string{"name", "network_id", "mac_address", "status", "device_id", "device_owner"} {
			d[k] = r.str(k)
		}
		d["admin_state_up"], d["qos_policy_id"] = r.boolean("admin_state_up", true), nil
		ips, sgs, aap, edo := []any{}, []any{}, []any{}, []any{}
		for _, a := range allocs[id] {
			ips = append(ips, map[string]any{"ip_address": a.str("ip_address"), "subnet_id": a.str("subnet_id")})
			if _, err := tx.Exec(ctx, "INSERT INTO ip_allocations (subnet_id, ip_address, network_id, port_id) VALUES (?, ?, ?, ?)",
				a.str("subnet_id"), a.str("ip_address"), a.str("network_id"), id); err != nil {
				return fmt.Errorf("neutrondb: address %s of port %s: %w", a.str("ip_address"), id, err)
			}
		}
		if _, err := tx.Exec(ctx, "INSERT INTO mac_addresses (network_id, mac_address, port_id) VALUES (?, ?, ?)", r.str("network_id"), r.str("mac_address"), id); err != nil {
			return fmt.Errorf("neutrondb: MAC of port %s: %w", id, err)
		}
		for _, g := range groups[id] {
			sgs = append(sgs, g.str("security_group_id"))
		}
		for _, p := range pairs[id] {
			aap = append(aap, map[string]any{"ip_address": p.str("ip_address"), "mac_address": p.str("mac_address")})
		}
		for _, o := range opts[id] {
			v, _ := o.integer("ip_version")
			edo = append(edo, map[string]any{"opt_name": o.str("opt_name"), "opt_value": o.str("opt_value"), "ip_version": v})
		}
		d["fixed_ips"], d["security_groups"], d["allowed_address_pairs"], d["extra_dhcp_opts"] = ips, sgs, aap, edo
		d["port_security_enabled"] = true
		if s := sec[id]; len(s) > 0 {
			d["port_security_enabled"] = s[0].boolean("port_security_enabled", true)
		}
		d["binding:host_id"], d["binding:vif_type"], d["binding:vnic_type"] = "", "unbound", "normal"
		d["binding:profile"], d["binding:vif_details"] = map[string]any{}, map[string]any{}
		if b := ml2[id]; len(b) > 0 {
			d["binding:host_id"], d["binding:vif_type"], d["binding:vnic_type"] = b[0].str("host"), b[0].str("vif_type"), b[0].str("vnic_type")
			d["binding:profile"], d["binding:vif_details"] = jsonObject(b[0].str("profile")), jsonObject(b[0].str("vif_details"))
		}
		if err := im.put(ctx, tx, "ports", d); err != nil {
			return err
		}
	}
	return nil
}

// jsonObject reads an ML2 binding column ("" and invalid JSON read as {}).
func jsonObject(s string) map[string]any {
	out := map[string]any{}
	if err := json.Unmarshal([]byte(s), &out); err != nil || out == nil {
		return map[string]any{}
	}
	return out
}

func (im *importer) writeRouters(ctx context.Context, tx *db.Tx) error {
	routes := by(im.routes, "router_id")
	ports := map[string]row{}
	for _, p := range im.ports {
		ports[p.str("id")] = p
	}
	allocs := by(im.allocs, "port_id")
	for _, r := range im.routers {
		id := r.str("id")
		d := base(r)
		d["name"], d["status"], d["admin_state_up"] = r.str("name"), r.str("status"), r.boolean("admin_state_up", true)
		d["external_gateway_info"] = nil
		if gw := r.str("gw_port_id"); gw != "" {
			fixed := []any{}
			for _, a := range allocs[gw] {
				fixed = append(fixed, map[string]any{"ip_address": a.str("ip_address"), "subnet_id": a.str("subnet_id")})
			}
			d["gw_port_id"] = gw
			d["external_gateway_info"] = map[string]any{"network_id": ports[gw].str("network_id"),
				"enable_snat": r.boolean("enable_snat", true), "external_fixed_ips": fixed}
		}
		rt := []any{}
		for _, x := range routes[id] {
			rt = append(rt, map[string]any{"destination": x.str("destination"), "nexthop": x.str("nexthop")})
		}
		d["routes"] = rt
		if err := im.put(ctx, tx, "routers", d); err != nil {
			return err
		}
	}
	return nil
}

// writeV2 copies the monolithic v2 plugin's binding rows as they are.
func (im *importer) writeV2(ctx context.Context, tx *db.Tx) error {
	copyRows := func(rs []row, table, q string, cols ...string) error {
		sort.Slice(rs, func(i, j int) bool { return rs[i].str(cols[0]) < rs[j].str(cols[0]) })
		for _, r := range rs {
			args := make([]any, len(cols))
			for i, c := range cols {
				args[i] = r.str(c)
			}
			if _, err := tx.Exec(ctx, q, args...); err != nil {
				return fmt.Errorf("neutrondb: %s: %w", table, err)
			}
			im.sum[table]++
		}
		return nil
	}
	if err := copyRows(im.v2Nets, "midonet_network_bindings", "INSERT INTO midonet_network_bindings (network_id, network_type) VALUES (?, ?)", "network_id", "network_type"); err != nil {
		return err
	}
	if err := copyRows(im.v2Ports, "portbindingports", "INSERT INTO portbindingports (port_id, host) VALUES (?, ?)", "port_id", "host"); err != nil {
		return err
	}
	return copyRows(im.v2Ifaces, "midonet_port_bindings", "INSERT INTO midonet_port_bindings (port_id, interface_name) VALUES (?, ?)", "port_id", "interface_name")
}
