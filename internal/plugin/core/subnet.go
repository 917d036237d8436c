package core

import (
	"context"
	"fmt"
	"net/netip"
	"sort"
	"strings"

	"github.com/midonet-go/midonet/internal/db"
	"github.com/midonet-go/midonet/internal/fault"
	"github.com/midonet-go/midonet/internal/ipam"
	"github.com/midonet-go/midonet/internal/journal"
	"github.com/midonet-go/midonet/internal/model"
	"github.com/midonet-go/midonet/internal/plugin"
	"github.com/midonet-go/midonet/internal/resource"
)

// Subnets is the subnet collection.
type Subnets struct{ p *Plugin }

// Resource describes subnets.
func (s *Subnets) Resource() *resource.Resource { return resource.Subnets }

// subnetPrefix parses a stored subnet's cidr.
func subnetPrefix(sub db.Doc) netip.Prefix {
	p, _ := netip.ParsePrefix(plugin.Str(sub, "cidr"))
	return p
}

// pools reads a subnet's allocation pools.
func pools(sub db.Doc) []ipam.Range {
	var out []ipam.Range
	for _, x := range plugin.List(sub, "allocation_pools") {
		m, _ := x.(map[string]any)
		a, _ := netip.ParseAddr(plugin.Str(m, "start"))
		b, _ := netip.ParseAddr(plugin.Str(m, "end"))
		out = append(out, ipam.Range{Start: a, End: b})
	}
	return out
}

func poolsJSON(rs []ipam.Range) []any {
	out := make([]any, 0, len(rs))
	for _, r := range rs {
		out = append(out, map[string]any{"start": r.Start.String(), "end": r.End.String()})
	}
	return out
}

// isAutoAddress reports whether ports get a SLAAC (EUI-64) address from the subnet.
func isAutoAddress(sub db.Doc) bool {
	m := plugin.Str(sub, "ipv6_address_mode")
	return m == "slaac" || m == "dhcpv6-stateless"
}

// checkPools validates pools against the cidr and the gateway.
func checkPools(prefix netip.Prefix, raw []any, gateway netip.Addr) ([]ipam.Range, error) {
	var rs []ipam.Range
	for _, m := range plugin.Objects(raw) {
		a, _ := resource.ParseIP(plugin.Str(m, "start"))
		b, _ := resource.ParseIP(plugin.Str(m, "end"))
		if a.Is4() != prefix.Addr().Is4() || b.Is4() != prefix.Addr().Is4() || a.Compare(b) > 0 {
			return nil, fault.InvalidAllocationPool(a, b)
		}
		if bounds, ok := ipam.PoolBounds(prefix); !ok || a.Less(bounds.Start) || bounds.End.Less(b) {
			return nil, fault.OutOfBoundsAllocationPool(a, b, prefix)
		}
		rs = append(rs, ipam.Range{Start: a, End: b})
	}
	sorted := append([]ipam.Range(nil), rs...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].Start.Less(sorted[j].Start) })
	for i := 1; i < len(sorted); i++ {
		if sorted[i-1].Overlaps(sorted[i]) {
			var names []string
			for _, r := range rs {
				names = append(names, r.Start.String()+"-"+r.End.String())
			}
			return nil, fault.OverlappingAllocationPools(names, prefix)
		}
	}
	if err := gatewayOutsidePools(gateway, rs); err != nil {
		return nil, err
	}
	return rs, nil
}

func gatewayOutsidePools(gateway netip.Addr, rs []ipam.Range) error {
	if !gateway.IsValid() {
		return nil
	}
	for _, r := range rs {
		if r.Contains(gateway) {
			return fault.GatewayConflictWithAllocationPools(gateway, r.Start, r.End)
		}
	}
	return nil
}

// multicastV4, multicastV6 and loopbackV4 are the ranges netaddr's is_multicast and
// is_loopback test a subnet against.
var (
	multicastV4 = netip.MustParsePrefix("224.0.0.0/4")
	multicastV6 = netip.MustParsePrefix("ff00::/8")
	loopbackV4  = netip.MustParsePrefix("127.0.0.0/8")
)

// within reports whether all of p lies inside r.
func within(p, r netip.Prefix) bool {
	return r.Bits() <= p.Bits() && r.Contains(p.Addr())
}

// validateSubnetSpec is Neutron's _validate_subnet for the attributes a create or an update
// sets (spec): the prefix a DHCP server can serve (checked when DHCP gets enabled: on a create,
// or on an update of a subnet that had it off), a gateway that is not the network or the IPv4
// broadcast address, and name servers and host routes of the subnet's IP version. cur is the
// stored subnet on an update, nil on a create.
func validateSubnetSpec(prefix netip.Prefix, spec, cur db.Doc) error {
	version := 6
	if prefix.Addr().Is4() {
		version = 4
	}
	if dhcp, _ := spec["enable_dhcp"].(bool); dhcp && (cur == nil || !plugin.Bool(cur, "enable_dhcp")) {
		if (version == 4 && prefix.Bits() > 30) || (version == 6 && prefix.Bits() > 126) {
			return fault.InvalidInput("Subnet has a prefix length that is incompatible with DHCP service enabled")
		}
		if within(prefix, multicastV4) || within(prefix, multicastV6) {
			return fault.InvalidInput("Multicast IP subnet is not supported if enable_dhcp is True")
		}
		// (IPv6's loopback ::1/128 already failed the prefix length test.)
		if within(prefix, loopbackV4) {
			return fault.InvalidInput("Loopback IP subnet is not supported if enable_dhcp is True")
		}
		if version == 4 && ipam.First(prefix) == netip.IPv4Unspecified() {
			return fault.InvalidInput("First IP '0.0.0.0' of network is not supported if enable_dhcp is True.")
		}
	}
	if g, ok := spec["gateway_ip"].(string); ok {
		gw, _ := resource.ParseIP(g)
		if err := matchVersion(version, gw.Is4(), "gateway_ip", g); err != nil {
			return err
		}
		// An IPv4 gateway inside the cidr may be neither its network nor its broadcast
		// address; one outside cannot be checked (Neutron: check_gateway_invalid_in_subnet).
		if version == 4 && prefix.Contains(gw) && (gw == ipam.First(prefix) || gw == ipam.Last(prefix)) {
			return fault.InvalidInput("Gateway is not valid on subnet")
		}
	}
	for _, x := range plugin.List(spec, "dns_nameservers") {
		s, _ := x.(string)
		a, _ := resource.ParseIP(s)
		if err := matchVersion(version, a.Is4(), "dns_nameserver", s); err != nil {
			return err
		}
	}
	for _, x := range plugin.List(spec, "host_routes") {
		m, _ := x.(map[string]any)
		hop := plugin.Str(m, "nexthop")
		a, _ := resource.ParseIP(hop)
		if err := matchVersion(version, a.Is4(), "nexthop", hop); err != nil {
			return err
		}
		dst := plugin.Str(m, "destination")
		d, _ := netip.ParsePrefix(dst)
		if err := matchVersion(version, d.Addr().Is4(), "destination", dst); err != nil {
			return err
		}
	}
	return nil
}

// matchVersion is Neutron's _validate_ip_version for one address of a subnet spec.
func matchVersion(version int, is4 bool, name, addr string) error {
	if is4 != (version == 4) {
		return fault.InvalidInput("%s '%s' does not match the ip_version '%d'", name, addr, version)
	}
	return nil
}

func (p *Plugin) checkSubnetLimits(id string, d db.Doc) error {
	if n := len(plugin.List(d, "dns_nameservers")); n > p.S.MaxDNSNameservers {
		return fault.DNSNameServersExhausted(id, p.S.MaxDNSNameservers)
	}
	if n := len(plugin.List(d, "host_routes")); n > p.S.MaxSubnetHostRoutes {
		return fault.HostRoutesExhausted(id, p.S.MaxSubnetHostRoutes)
	}
	return nil
}

// Create makes a subnet.
func (s *Subnets) Create(ctx context.Context, tx *db.Tx, c *plugin.Caller, body db.Doc) (db.Doc, error) {
	p := s.p
	netID := plugin.Str(body, "network_id")
	net, err := network(ctx, tx, netID)
	if err != nil {
		return nil, err
	}
	if err := checkSegment(ctx, tx, netID, plugin.Str(body, "segment_id")); err != nil {
		return nil, err
	}
	raw, _ := body["cidr"].(string)
	version, _ := model.Int(body["ip_version"])
	var prefix netip.Prefix
	var pool db.Doc
	if plugin.Bool(body, "use_default_subnetpool") {
		// default-subnetpools: the default pool of the subnet's IP version.
		if plugin.Str(body, "subnetpool_id") != "" {
			return nil, fault.BadRequestOf("subnets", "subnetpool_id and use_default_subnetpool cannot both be specified")
		}
		if raw != "" {
			if cp, err := netip.ParsePrefix(raw); err == nil {
				version = 6
				if cp.Addr().Is4() {
					version = 4
				}
			}
		}
		id, err := defaultPool(ctx, tx, c, version)
		if err != nil {
			return nil, err
		}
		if id == "" {
			return nil, fault.BadRequestOf("subnets", "No default subnetpool found for IPv%d", version)
		}
		body["subnetpool_id"] = id
	}
	delete(body, "use_default_subnetpool")
	if plugin.Str(body, "subnetpool_id") != "" {
		if prefix, pool, err = p.allocateFromPool(ctx, tx, c, body); err != nil {
			return nil, err
		}
		raw = prefix.String()
	} else {
		if raw == "" {
			return nil, fault.BadRequestOf("subnets", "a subnetpool must be specified in the absence of a cidr")
		}
		if prefix, err = netip.ParsePrefix(raw); err != nil {
			return nil, fault.InvalidInput("%s is not in a CIDR format", raw)
		}
		prefix = prefix.Masked()
	}
	if (version == 4) != prefix.Addr().Is4() {
		return nil, fault.InvalidInput("cidr '%s' does not match the ip_version '%d'", raw, version)
	}
	// Neutron 21 runs these checks only on a subnet with an explicit cidr; a subnet from a
	// pool gets them too here, since a DHCP-enabled /32 is as unusable either way.
	if err := validateSubnetSpec(prefix, body, nil); err != nil {
		return nil, err
	}
	if err := checkNetworkMTU(net, []int{int(version)}); err != nil {
		return nil, err
	}
	if err := checkIPv6Modes(body, version); err != nil {
		return nil, err
	}
	if am := plugin.Str(body, "ipv6_address_mode"); (am == "slaac" || am == "dhcpv6-stateless" || plugin.Str(body, "ipv6_ra_mode") == "slaac") && prefix.Bits() != 64 {
		return nil, fault.InvalidInput("Invalid CIDR %s for IPv6 address mode. OpenStack uses the EUI-64 address format, which requires the prefix to be /64", raw)
	}
	if prefix.Bits() == 0 {
		return nil, fault.InvalidInput("0 is not allowed as CIDR prefix length")
	}
	siblings, err := tx.List(ctx, "subnets", db.Filter{ParentID: netID})
	if err != nil {
		return nil, err
	}
	for _, o := range siblings {
		if subnetPrefix(o).Overlaps(prefix) {
			return nil, fault.InvalidInput("Requested subnet with cidr: %s for network: %s overlaps with another subnet", raw, netID)
		}
	}
	if err := checkPoolAffinity(ctx, tx, siblings, version, pool); err != nil {
		return nil, err
	}
	var gateway netip.Addr
	switch g := body["gateway_ip"].(type) {
	case string:
		gateway, _ = resource.ParseIP(g)
	case nil:
		if _, given := body["gateway_ip"]; !given {
			gateway = ipam.DefaultGateway(prefix)
		}
	}
	var rs []ipam.Range
	if rawPools, ok := body["allocation_pools"].([]any); ok {
		if rs, err = checkPools(prefix, rawPools, gateway); err != nil {
			return nil, err
		}
	} else {
		rs = ipam.DefaultPools(prefix, gateway)
	}
	d := plugin.Apply(body, db.Doc{
		"cidr": prefix.String(), "ip_version": int(version), "allocation_pools": poolsJSON(rs),
		"gateway_ip": nil,
	})
	delete(d, "prefixlen")
	if gateway.IsValid() {
		d["gateway_ip"] = gateway.String()
	}
	plugin.Stamp(d, 0)
	if err := p.checkSubnetLimits(plugin.Str(d, "id"), d); err != nil {
		return nil, err
	}
	if err := tx.Insert(ctx, "subnets", d); err != nil {
		return nil, err
	}
	net["subnets"] = append(plugin.List(net, "subnets"), d["id"])
	// A new subnet is a new revision of its network (Neutron's revision plugin).
	if err := plugin.Save(ctx, tx, c, "networks", net); err != nil {
		return nil, err
	}
	if isAutoAddress(d) {
		if err := p.addAutoAddresses(ctx, tx, c, d); err != nil {
			return nil, err
		}
	}
	return d, plugin.Journal(ctx, tx, c, journal.Create, "subnets", d)
}

func checkIPv6Modes(body db.Doc, version int64) error {
	ra, _ := body["ipv6_ra_mode"].(string)
	am, _ := body["ipv6_address_mode"].(string)
	if version == 4 {
		if ra != "" {
			return fault.InvalidInput("ipv6_ra_mode is not valid when ip_version is 4")
		}
		if am != "" {
			return fault.InvalidInput("ipv6_address_mode is not valid when ip_version is 4")
		}
		return nil
	}
	if ra != "" && am != "" && ra != am {
		return fault.InvalidInput("ipv6_ra_mode set to '%s' with ipv6_address_mode set to '%s' is not valid. If both attributes are set, they must be the same value", ra, am)
	}
	return nil
}

// addAutoAddresses gives every port already on the network an address from a new SLAAC
// subnet, as Neutron does.
func (p *Plugin) addAutoAddresses(ctx context.Context, tx *db.Tx, c *plugin.Caller, sub db.Doc) error {
	ports, err := tx.List(ctx, "ports", db.Filter{ParentID: plugin.Str(sub, "network_id")})
	if err != nil {
		return err
	}
	for _, pt := range ports {
		if strings.HasPrefix(plugin.Str(pt, "device_owner"), model.OwnerRouterPrefix) {
			continue
		}
		// Read the port again, locked (the list was not): a concurrent update or delete
		// must be neither lost nor undone.
		if pt, err = tx.Get(ctx, "ports", plugin.Str(pt, "id")); err != nil {
			return err
		} else if pt == nil {
			continue
		}
		ip, err := p.allocateEUI64(ctx, tx, sub, pt)
		if err != nil {
			return err
		}
		pt["fixed_ips"] = append(plugin.List(pt, "fixed_ips"), map[string]any{"subnet_id": plugin.Str(sub, "id"), "ip_address": ip.String()})
		if err := plugin.Save(ctx, tx, c, "ports", pt); err != nil {
			return err
		}
	}
	return nil
}

// Update changes a subnet.
func (s *Subnets) Update(ctx context.Context, tx *db.Tx, c *plugin.Caller, cur, changes db.Doc) (db.Doc, error) {
	prefix := subnetPrefix(cur)
	if err := validateSubnetSpec(prefix, changes, cur); err != nil {
		return nil, err
	}
	d := plugin.Apply(cur, changes)
	var gateway netip.Addr
	if g, ok := d["gateway_ip"].(string); ok {
		gateway, _ = resource.ParseIP(g)
	}
	if rawPools, ok := changes["allocation_pools"].([]any); ok {
		rs, err := checkPools(prefix, rawPools, gateway)
		if err != nil {
			return nil, err
		}
		d["allocation_pools"] = poolsJSON(rs)
	} else if _, ok := changes["allocation_pools"]; ok {
		d["allocation_pools"] = poolsJSON(ipam.DefaultPools(prefix, gateway))
	} else if _, ok := changes["gateway_ip"]; ok {
		if err := gatewayOutsidePools(gateway, pools(cur)); err != nil {
			return nil, err
		}
	}
	if err := s.p.checkSubnetLimits(plugin.Str(cur, "id"), d); err != nil {
		return nil, err
	}
	if err := plugin.Save(ctx, tx, c, "subnets", d); err != nil {
		return nil, err
	}
	// The network shows its subnets: a subnet's change is a new revision of its network, as
	// Neutron's revision plugin bumps the parent.
	net, err := tx.Get(ctx, "networks", plugin.Str(d, "network_id"))
	if err != nil || net == nil {
		return d, err
	}
	return d, plugin.Save(ctx, tx, c, "networks", net)
}

// Delete removes a subnet unless a port still holds one of its addresses.
func (s *Subnets) Delete(ctx context.Context, tx *db.Tx, c *plugin.Caller, cur db.Doc) error {
	id := plugin.Str(cur, "id")
	rows, err := tx.Query(ctx, "SELECT port_id FROM ip_allocations WHERE subnet_id = ?", id)
	if err != nil {
		return fmt.Errorf("core: allocations of subnet %s: %w", id, err)
	}
	var holders []string
	for rows.Next() {
		var pid string
		if err := rows.Scan(&pid); err != nil {
			rows.Close()
			return err
		}
		holders = append(holders, pid)
	}
	rows.Close()
	for _, pid := range holders {
		pt, err := tx.Get(ctx, "ports", pid)
		if err != nil {
			return err
		}
		if pt == nil {
			continue
		}
		owner := plugin.Str(pt, "device_owner")
		if owner != model.OwnerDHCP && !(isAutoAddress(cur) && !strings.HasPrefix(owner, model.OwnerRouterPrefix)) {
			return fault.SubnetInUse(id)
		}
	}
	for _, pid := range holders {
		pt, err := tx.Get(ctx, "ports", pid)
		if err != nil || pt == nil {
			continue
		}
		var keep []any
		for _, f := range plugin.Objects(plugin.List(pt, "fixed_ips")) {
			if plugin.Str(f, "subnet_id") != id {
				keep = append(keep, f)
			}
		}
		if keep == nil {
			keep = []any{}
		}
		pt["fixed_ips"] = keep
		if err := plugin.Save(ctx, tx, c, "ports", pt); err != nil {
			return err
		}
	}
	if _, err := tx.Exec(ctx, "DELETE FROM ip_allocations WHERE subnet_id = ?", id); err != nil {
		return err
	}
	if _, err := tx.Delete(ctx, "subnets", id); err != nil {
		return err
	}
	net, err := tx.Get(ctx, "networks", plugin.Str(cur, "network_id"))
	if err != nil {
		return err
	}
	if net != nil {
		var keep []any
		for _, x := range plugin.List(net, "subnets") {
			if x != id {
				keep = append(keep, x)
			}
		}
		if keep == nil {
			keep = []any{}
		}
		net["subnets"] = keep
		if err := plugin.Save(ctx, tx, c, "networks", net); err != nil {
			return err
		}
	}
	return plugin.Journal(ctx, tx, c, journal.Delete, "subnets", cur)
}

// List returns subnets.
func (s *Subnets) List(ctx context.Context, tx *db.Tx, c *plugin.Caller, f map[string][]string) ([]db.Doc, error) {
	h := db.FilterOf(f)
	if n := f["network_id"]; len(n) == 1 {
		h.ParentID = n[0]
	}
	docs, err := tx.List(ctx, "subnets", h)
	if err != nil || len(f["shared"]) == 0 {
		return docs, err
	}
	// shared filters by the network's sharing (neutron-lib's hidden, filterable subnet
	// attribute): any of the values given.
	want := map[bool]bool{}
	for _, v := range f["shared"] {
		b, err := resource.ToBool(v)
		if err != nil {
			return nil, fault.InvalidInput("%s", err.Error())
		}
		if bv, ok := b.(bool); ok {
			want[bv] = true
		}
	}
	shared := map[string]bool{}
	out := docs[:0]
	for _, d := range docs {
		net := plugin.Str(d, "network_id")
		v, ok := shared[net]
		if !ok {
			n, err := tx.Get(ctx, "networks", net)
			if err != nil {
				return nil, err
			}
			// As the caller sees it: shared with its project, or with everyone.
			project := ""
			if c != nil {
				project = c.ProjectID
			}
			v = n != nil && plugin.SharedWith(n, project)
			shared[net] = v
		}
		if want[v] {
			out = append(out, d)
		}
	}
	return out, nil
}

// ListsStored: List returns the stored subnets (plugin.StoredLister); the shared filter it
// reads itself is FilterOnly, which keeps such a list off the key index.
func (s *Subnets) ListsStored() {}

// checkSegment checks a new subnet's segment_id as Neutron's segments plugin does: the
// segment exists and is one of the subnet's network, and a network's subnets either all
// name a segment or none does.
func checkSegment(ctx context.Context, tx *db.Tx, netID, segID string) error {
	if segID != "" {
		seg, err := tx.Get(ctx, "segments", segID)
		if err != nil {
			return fmt.Errorf("core: segment %s: %w", segID, err)
		}
		if seg == nil {
			return fault.SegmentNotFound(segID)
		}
		if plugin.Str(seg, "network_id") != netID {
			return fault.NetworkIdsDontMatch(netID, segID)
		}
	}
	subnets, err := tx.List(ctx, "subnets", db.Filter{ParentID: netID})
	if err != nil {
		return err
	}
	for _, s := range subnets {
		if (plugin.Str(s, "segment_id") == "") != (segID == "") {
			return fault.SubnetsNotAllAssociatedWithSegments(netID)
		}
	}
	return nil
}
