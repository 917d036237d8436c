package core

import (
	"context"
	"crypto/rand"
	"fmt"
	"net/netip"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/midonet-go/midonet/internal/db"
	"github.com/midonet-go/midonet/internal/fault"
	"github.com/midonet-go/midonet/internal/ipam"
	"github.com/midonet-go/midonet/internal/model"
	"github.com/midonet-go/midonet/internal/plugin"
	"github.com/midonet-go/midonet/internal/resource"
)

// Ports is the port collection.
type Ports struct{ p *Plugin }

// Resource describes ports.
func (pc *Ports) Resource() *resource.Resource { return resource.Ports }

// VIF values of the MidoNet mechanism driver.
const (
	VIFTypeMidonet = "midonet"
	VIFTypeUnbound = "unbound"
)

// Create makes a port.
func (pc *Ports) Create(ctx context.Context, tx *db.Tx, c *plugin.Caller, body db.Doc) (db.Doc, error) {
	p := pc.p
	netID := plugin.Str(body, "network_id")
	net, err := networkShared(ctx, tx, netID)
	if err != nil {
		return nil, err
	}
	project := ownerOf(body)
	if err := checkDeviceOwner(ctx, tx, c, plugin.Str(body, "device_owner"), plugin.Str(body, "device_id"), project); err != nil {
		return nil, err
	}
	d := plugin.Copy(body)
	d["id"] = plugin.NewID()
	d["status"] = "DOWN"
	id := plugin.Str(d, "id")

	// MAC address.
	mac, err := p.assignMAC(ctx, tx, netID, id, plugin.Str(body, "mac_address"))
	if err != nil {
		return nil, err
	}
	d["mac_address"] = mac

	// Fixed IPs.
	req, explicit := body["fixed_ips"].([]any)
	ips, err := p.allocateIPs(ctx, tx, c, net, id, mac, plugin.Str(d, "device_owner"), req, explicit)
	if err != nil {
		return nil, err
	}
	d["fixed_ips"] = ips

	// Port security, security groups, allowed address pairs.
	if _, ok := d["port_security_enabled"]; !ok {
		d["port_security_enabled"] = plugin.Bool(net, "port_security_enabled")
		if _, ok := net["port_security_enabled"]; !ok {
			d["port_security_enabled"] = true
		}
	}
	if err := p.portSecurity(ctx, tx, c, d, nil); err != nil {
		return nil, err
	}
	opts, err := mergeDHCPOpts(nil, body["extra_dhcp_opts"])
	if err != nil {
		return nil, err
	}
	d["extra_dhcp_opts"] = opts
	p.bind(d, nil)
	plugin.Stamp(d, 1)
	if err := plugin.Add(ctx, tx, c, "ports", d); err != nil {
		return nil, err
	}
	return d, bindingTasks(ctx, tx, c, nil, d)
}

// assignMAC records a requested MAC or generates one from base_mac; MACs are unique per network.
func (p *Plugin) assignMAC(ctx context.Context, tx *db.Tx, netID, portID, want string) (string, error) {
	if want != "" {
		ok, err := tx.InsertIgnore(ctx, "INSERT INTO mac_addresses (network_id, mac_address, port_id) VALUES (?, ?, ?)", netID, want, portID)
		if err != nil {
			return "", fmt.Errorf("core: record mac: %w", err)
		}
		if !ok {
			return "", fault.MacAddressInUse(netID, want)
		}
		return want, nil
	}
	for i := 0; i < 16; i++ {
		mac := p.randomMAC()
		ok, err := tx.InsertIgnore(ctx, "INSERT INTO mac_addresses (network_id, mac_address, port_id) VALUES (?, ?, ?)", netID, mac, portID)
		if err != nil {
			return "", fmt.Errorf("core: record mac: %w", err)
		}
		if ok {
			return mac, nil
		}
	}
	return "", fault.MacAddressGenerationFailure(netID)
}

// randomMAC keeps base_mac's non-zero leading octets (at least three) and randomises the rest.
func (p *Plugin) randomMAC() string {
	base := strings.Split(p.S.BaseMAC, ":")
	var r [6]byte
	_, _ = rand.Read(r[:])
	parts := make([]string, 6)
	for i := 0; i < 6; i++ {
		if i < len(base) && (i < 3 || base[i] != "00") {
			parts[i] = lower(base[i])
		} else {
			parts[i] = fmt.Sprintf("%02x", r[i])
		}
	}
	return strings.Join(parts, ":")
}

func parseMAC(s string) [6]byte {
	var m [6]byte
	for i, part := range strings.Split(s, ":") {
		if i < 6 {
			var b byte
			fmt.Sscanf(part, "%02x", &b)
			m[i] = b
		}
	}
	return m
}

// networkSubnets lists a network's subnets in creation order: the decoded-document cache's
// copies, which the caller only reads.
func networkSubnets(ctx context.Context, tx *db.Tx, netID string) ([]db.Doc, error) {
	subs, err := tx.PeekList(ctx, "subnets", db.Filter{ParentID: netID}) // only read
	if err != nil {
		return nil, err
	}
	sort.SliceStable(subs, func(i, j int) bool {
		a, b := plugin.Str(subs[i], "created_at"), plugin.Str(subs[j], "created_at")
		if a != b {
			return a < b
		}
		return plugin.Str(subs[i], "id") < plugin.Str(subs[j], "id")
	})
	return subs, nil
}

// allocateIPs turns a fixed_ips request into allocations. Without a request the port gets
// one address from the first IPv4 subnet with room, one from the first stateful IPv6 subnet
// and an EUI-64 address from every SLAAC subnet.
func (p *Plugin) allocateIPs(ctx context.Context, tx *db.Tx, c *plugin.Caller, net db.Doc, portID, mac, owner string, req []any, explicit bool) ([]any, error) {
	netID := plugin.Str(net, "id")
	subs, err := networkSubnets(ctx, tx, netID)
	if err != nil {
		return nil, err
	}
	byID := map[string]db.Doc{}
	for _, s := range subs {
		byID[plugin.Str(s, "id")] = s
	}
	out := []any{}
	used := map[string]bool{}
	add := func(sub db.Doc, ip netip.Addr) {
		used[plugin.Str(sub, "id")] = true
		out = append(out, map[string]any{"subnet_id": plugin.Str(sub, "id"), "ip_address": ip.String()})
	}
	routerPort := strings.HasPrefix(owner, model.OwnerRouterPrefix) || owner == model.OwnerRouterInterfaceHA
	if !explicit {
		var v4, v6 bool
		candidates := forService(subs, owner)
		if len(subs) > 0 && len(candidates) == 0 {
			return nil, fault.IPAddressGenerationFailureNoMatchingSubnet(netID, owner)
		}
		for _, s := range candidates {
			switch {
			case isAutoAddress(s):
				if routerPort {
					continue
				}
				ip, err := p.allocateEUI64(ctx, tx, s, db.Doc{"id": portID, "mac_address": mac})
				if err != nil {
					return nil, err
				}
				add(s, ip)
			case subnetPrefix(s).Addr().Is4() && !v4, !subnetPrefix(s).Addr().Is4() && !v6:
				ip, err := p.allocateFromPools(ctx, tx, s, portID)
				if fault.IsType(err, fault.TypeIPAddressGenerationFailure) {
					continue
				}
				if err != nil {
					return nil, err
				}
				add(s, ip)
				if ip.Is4() {
					v4 = true
				} else {
					v6 = true
				}
			}
		}
		if len(subs) > 0 && len(out) == 0 {
			return nil, fault.IPAddressGenerationFailure(netID)
		}
		return out, nil
	}
	for _, m := range plugin.Objects(req) {
		subID, _ := m["subnet_id"].(string)
		ipStr, hasIP := m["ip_address"].(string)
		var sub db.Doc
		if subID != "" {
			sub = byID[subID]
			if sub == nil {
				// Not a subnet of the port's network: 404 when the caller cannot see it
				// either (it is another project's), else 400.
				if _, err := plugin.Fetch(ctx, tx, c, "subnets", subID); err != nil {
					return nil, err
				}
				return nil, fault.InvalidInput("Failed to create port on network %s, because fixed_ips included invalid subnet %s", netID, subID)
			}
		}
		if !hasIP {
			if sub == nil {
				return nil, fault.InvalidInput("Invalid fixed IP %v", m)
			}
			var ip netip.Addr
			if isAutoAddress(sub) {
				ip, err = p.allocateEUI64(ctx, tx, sub, db.Doc{"id": portID, "mac_address": mac})
			} else {
				ip, err = p.allocateFromPools(ctx, tx, sub, portID)
			}
			if err != nil {
				return nil, err
			}
			add(sub, ip)
			continue
		}
		ip, _ := resource.ParseIP(ipStr)
		if sub != nil && isAutoAddress(sub) && !routerPort {
			return nil, fault.AllocationOnAutoAddressSubnet(ipStr, subID)
		}
		if sub == nil {
			for _, s := range subs {
				if validHost(s, ip, routerPort) {
					sub = s
					break
				}
			}
			if sub == nil {
				return nil, fault.InvalidIPForNetwork(ipStr)
			}
		} else if !validHost(sub, ip, routerPort) {
			return nil, fault.InvalidIPForSubnet(ipStr)
		}
		if err := p.claimIP(ctx, tx, sub, ip, portID); err != nil {
			return nil, err
		}
		add(sub, ip)
	}
	// SLAAC subnets always give their address to ordinary ports.
	if len(req) > 0 && !routerPort {
		for _, s := range subs {
			if isAutoAddress(s) && !used[plugin.Str(s, "id")] {
				ip, err := p.allocateEUI64(ctx, tx, s, db.Doc{"id": portID, "mac_address": mac})
				if err != nil {
					return nil, err
				}
				add(s, ip)
			}
		}
	}
	return out, nil
}

// forService narrows a network's subnets to those a port of owner takes automatic addresses
// from (subnet-service-types): the subnets that list the owner, else the subnets that list
// no service type at all.
func forService(subs []db.Doc, owner string) []db.Doc {
	var listed, open []db.Doc
	for _, s := range subs {
		types, _ := s["service_types"].([]any)
		if len(types) == 0 {
			open = append(open, s)
			continue
		}
		for _, t := range types {
			if t == owner {
				listed = append(listed, s)
				break
			}
		}
	}
	if len(listed) > 0 {
		return listed
	}
	return open
}

// validHost reports whether ip may be held by a port on sub (inside the cidr, not the
// network or broadcast address of an IPv4 subnet, not the network address of an IPv6
// subnet unless it is a router port).
func validHost(sub db.Doc, ip netip.Addr, routerPort bool) bool {
	prefix := subnetPrefix(sub)
	if !prefix.Contains(ip) {
		return false
	}
	if ip.Is4() && prefix.Bits() < 31 {
		return ip != ipam.First(prefix) && ip != ipam.Last(prefix)
	}
	if ip.Is6() && !routerPort {
		// The subnet-router anycast address (the network address) belongs to routers
		// (neutron ipam utils.check_subnet_ip).
		return ip != ipam.First(prefix)
	}
	return true
}

// claimIP records a chosen address; the primary key makes a second holder impossible.
func (p *Plugin) claimIP(ctx context.Context, tx *db.Tx, sub db.Doc, ip netip.Addr, portID string) error {
	ok, err := tx.InsertIgnore(ctx, "INSERT INTO ip_allocations (subnet_id, ip_address, network_id, port_id) VALUES (?, ?, ?, ?)",
		plugin.Str(sub, "id"), ip.String(), plugin.Str(sub, "network_id"), portID)
	if err != nil {
		return fmt.Errorf("core: record ip: %w", err)
	}
	if !ok {
		return fault.IPAddressAlreadyAllocated(ip, plugin.Str(sub, "id"))
	}
	return nil
}

func (p *Plugin) allocateEUI64(ctx context.Context, tx *db.Tx, sub db.Doc, port db.Doc) (netip.Addr, error) {
	ip := ipam.EUI64(subnetPrefix(sub), parseMAC(plugin.Str(port, "mac_address")))
	return ip, p.claimIP(ctx, tx, sub, ip, plugin.Str(port, "id"))
}

// allocateFromPools picks a free address of sub. It first tries a few random candidates
// (cheap on big, sparse pools), then scans what is in use.
func (p *Plugin) allocateFromPools(ctx context.Context, tx *db.Tx, sub db.Doc, portID string) (netip.Addr, error) {
	rs := pools(sub)
	try := func(cands []netip.Addr) (netip.Addr, bool, error) {
		for _, ip := range cands {
			ok, err := tx.InsertIgnore(ctx, "INSERT INTO ip_allocations (subnet_id, ip_address, network_id, port_id) VALUES (?, ?, ?, ?)",
				plugin.Str(sub, "id"), ip.String(), plugin.Str(sub, "network_id"), portID)
			if err != nil {
				return netip.Addr{}, false, fmt.Errorf("core: record ip: %w", err)
			}
			if ok {
				return ip, true, nil
			}
		}
		return netip.Addr{}, false, nil
	}
	// Random draws first: cheap, and they spread concurrent allocators apart.
	if ip, ok, err := try(ipam.Random(rs, 6)); err != nil || ok {
		return ip, err
	}
	for round := 0; round < 4; round++ {
		used, err := allocated(ctx, tx, plugin.Str(sub, "id"))
		if err != nil {
			return netip.Addr{}, err
		}
		cands := ipam.Candidates(rs, used, 16)
		if len(cands) == 0 {
			break
		}
		if ip, ok, err := try(cands); err != nil || ok {
			return ip, err
		}
	}
	return netip.Addr{}, fault.IPAddressGenerationFailure(plugin.Str(sub, "network_id"))
}

func allocated(ctx context.Context, tx *db.Tx, subnetID string) (map[netip.Addr]bool, error) {
	rows, err := tx.Query(ctx, "SELECT ip_address FROM ip_allocations WHERE subnet_id = ?", subnetID)
	if err != nil {
		return nil, fmt.Errorf("core: allocations of %s: %w", subnetID, err)
	}
	defer rows.Close()
	used := map[netip.Addr]bool{}
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		if a, err := netip.ParseAddr(s); err == nil {
			used[a] = true
		}
	}
	return used, rows.Err()
}

// releaseIPs frees the given allocations of a port.
func releaseIPs(ctx context.Context, tx *db.Tx, portID string, ips []any) error {
	for _, m := range plugin.Objects(ips) {
		if _, err := tx.Exec(ctx, "DELETE FROM ip_allocations WHERE subnet_id = ? AND ip_address = ? AND port_id = ?",
			plugin.Str(m, "subnet_id"), plugin.Str(m, "ip_address"), portID); err != nil {
			return fmt.Errorf("core: release ip: %w", err)
		}
	}
	return nil
}

// portSecurity validates and fills security_groups and allowed_address_pairs of d against
// port_security_enabled. cur is the stored port on updates (nil on create).
func (p *Plugin) portSecurity(ctx context.Context, tx *db.Tx, c *plugin.Caller, d, changes db.Doc) error {
	enabled := plugin.Bool(d, "port_security_enabled")
	creating := changes == nil
	_, sgGiven := d["security_groups"]
	// The default group given to a port created without groups, read once.
	var defaultID string
	var defaultSG db.Doc
	if creating && !sgGiven {
		d["security_groups"] = []any{}
		if enabled && !model.PortTrusted(plugin.Str(d, "device_owner")) {
			var err error
			if defaultID, defaultSG, err = p.portDefaultSG(ctx, tx, c, ownerOf(d)); err != nil {
				return err
			}
			d["security_groups"] = []any{defaultID}
		}
	}
	sgs := plugin.Strings(d, "security_groups")
	if len(sgs) > 0 && (!enabled || len(plugin.List(d, "fixed_ips")) == 0 && false) {
		if _, explicit := changes["security_groups"]; creating || explicit {
			return fault.PortSecurityAndIPRequiredForSecurityGroups()
		}
		return fault.PortSecurityPortHasSecurityGroup()
	}
	if creating || changes["security_groups"] != nil {
		if model.PortTrusted(plugin.Str(d, "device_owner")) {
			// Neutron keeps no groups on a port it trusts: groups given for one are neither
			// looked up nor stored (securitygroups_db._get_security_groups_on_port).
			sgs = nil
		}
		// Neutron's _get_security_groups_on_port: each group must be one the caller sees and,
		// unless an admin asks, one of the port's project or shared with it (RBAC).
		var missing []string
		for _, id := range sgs {
			sg := defaultSG
			if id != defaultID || defaultSG == nil {
				var err error
				if sg, err = fetchGroup(ctx, tx, c, id); err != nil {
					return err
				}
			}
			if sg == nil || (!c.IsAdmin && plugin.Str(sg, "tenant_id") != plugin.Str(d, "tenant_id") && !plugin.SharedWith(sg, plugin.Str(d, "tenant_id"))) {
				if !slices.Contains(missing, id) {
					missing = append(missing, id)
				}
			}
		}
		if len(missing) > 0 {
			return fault.SecurityGroupNotFound(strings.Join(missing, ", "))
		}
		sort.Strings(sgs)
		sgs = slices.Compact(sgs)
		out := make([]any, len(sgs))
		for i, s := range sgs {
			out[i] = s
		}
		d["security_groups"] = out
	}
	if _, given := d["allowed_address_pairs"]; !given {
		d["allowed_address_pairs"] = []any{}
	}
	pairs, err := p.addressPairs(d["allowed_address_pairs"], plugin.Str(d, "mac_address"))
	if err != nil {
		return err
	}
	if len(pairs) > 0 && !enabled {
		return fault.AddressPairAndPortSecurityRequired()
	}
	d["allowed_address_pairs"] = pairs
	return nil
}

// addressPairs validates allowed_address_pairs and fills each pair's MAC with the port's.
func (p *Plugin) addressPairs(v any, portMAC string) ([]any, error) {
	l, ok := v.([]any)
	if !ok {
		return nil, fault.BadRequest("Allowed address pairs must be a list.")
	}
	if len(l) > p.S.MaxAllowedAddrPairs {
		return nil, fault.AllowedAddressPairExhausted(p.S.MaxAllowedAddrPairs)
	}
	seen := map[string]bool{}
	out := make([]any, 0, len(l))
	for _, x := range l {
		m, ok := x.(map[string]any)
		if !ok {
			return nil, fault.BadRequest("%s is not a dictionary", resource.Repr(x))
		}
		var unknown []string
		for k := range m {
			if k != "ip_address" && k != "mac_address" {
				unknown = append(unknown, k)
			}
		}
		if len(unknown) > 0 {
			sort.Strings(unknown)
			return nil, fault.BadRequest("Unrecognized attribute(s) '%s'", strings.Join(unknown, ", "))
		}
		ipv, ok := m["ip_address"]
		if !ok {
			return nil, fault.AllowedAddressPairsMissingIP()
		}
		ip, _ := ipv.(string)
		if _, ok := resource.ParsePrefix(ip); !ok {
			return nil, fault.BadRequest("%s is not a valid IP address", resource.Repr(ipv))
		}
		mac := portMAC
		if mv, ok := m["mac_address"]; ok && mv != nil {
			if r := resource.MAC(mv); r != "" {
				return nil, fault.BadRequest("%s", r)
			}
			s, _ := mv.(string) // resource.MAC accepted it: a string
			mac = strings.ToLower(s)
		}
		key := fmt.Sprint(m["mac_address"]) + "|" + ip
		if seen[key] {
			macRepr := "None"
			if mv, ok := m["mac_address"].(string); ok {
				macRepr = mv
			}
			return nil, fault.DuplicateAddressPairInRequest(macRepr, ip)
		}
		seen[key] = true
		out = append(out, map[string]any{"ip_address": ip, "mac_address": mac})
	}
	return out, nil
}

// mergeDHCPOpts applies requested extra DHCP options onto the current ones: an option is
// keyed by name and IP version, and a null value removes it.
func mergeDHCPOpts(cur []any, v any) ([]any, error) {
	out := []any{}
	index := map[string]int{}
	for _, m := range plugin.Objects(cur) {
		index[fmt.Sprint(m["opt_name"], "/", m["ip_version"])] = len(out)
		out = append(out, m)
	}
	req, _ := v.([]any)
	for _, x := range req {
		m, ok := x.(map[string]any)
		name, nameOK := m["opt_name"].(string)
		ver := int64(4)
		verOK := true
		if iv, has := m["ip_version"]; has && iv != nil {
			ver, verOK = model.Int(iv)
			verOK = verOK && (ver == 4 || ver == 6)
		}
		val, valOK := m["opt_value"]
		if s, isStr := val.(string); val != nil && (!isStr || s == "" || utf8.RuneCountInString(s) > resource.DHCPOptValueMaxLen) {
			valOK = false
		}
		if !ok || !nameOK || name == "" || utf8.RuneCountInString(name) > resource.DHCPOptNameMaxLen || !verOK || !valOK || !knownDHCPOptKeys(m) {
			return nil, fault.InvalidInput("No valid key specs matched for: %s", pyDict(m))
		}
		key := fmt.Sprint(name, "/", ver)
		i, exists := index[key]
		switch {
		case val == nil && exists:
			out = append(out[:i], out[i+1:]...)
			delete(index, key)
			for k, j := range index {
				if j > i {
					index[k] = j - 1
				}
			}
		case val == nil:
		case exists:
			out[i] = map[string]any{"opt_name": name, "opt_value": val, "ip_version": int(ver)}
		default:
			index[key] = len(out)
			out = append(out, map[string]any{"opt_name": name, "opt_value": val, "ip_version": int(ver)})
		}
	}
	if len(out) > resource.MaxExtraDHCPOpts {
		return nil, fault.InvalidInput("A port can have at most %d extra DHCP options (%d requested).", resource.MaxExtraDHCPOpts, len(out))
	}
	return out, nil
}

// knownDHCPOptKeys reports whether an extra DHCP option has only the keys of neutron-lib's
// key specs (opt_name, opt_value, ip_version).
func knownDHCPOptKeys(m map[string]any) bool {
	for k := range m {
		switch k {
		case "opt_name", "opt_value", "ip_version":
		default:
			return false
		}
	}
	return true
}

func pyDict(m map[string]any) string {
	var parts []string
	for _, k := range []string{"opt_name", "opt_value", "ip_version"} {
		if v, ok := m[k]; ok {
			parts = append(parts, "'"+k+"': "+resource.Repr(v))
		}
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

// bind sets the binding:* attributes: a port with a host is bound by the MidoNet mechanism
// driver (vif_type midonet); its host interface is binding:profile's interface_name, or the
// tap device Nova creates ("tap" + the port id, 14 characters).
func (p *Plugin) bind(d db.Doc, changes db.Doc) {
	if d["binding:profile"] == nil {
		d["binding:profile"] = map[string]any{}
	}
	if d["binding:host_id"] == nil {
		d["binding:host_id"] = ""
	}
	if d["binding:vnic_type"] == nil {
		d["binding:vnic_type"] = "normal"
	}
	host := plugin.Str(d, "binding:host_id")
	if host == "" {
		d["binding:vif_type"] = VIFTypeUnbound
		d["binding:vif_details"] = map[string]any{}
		return
	}
	d["binding:vif_type"] = VIFTypeMidonet
	d["binding:vif_details"] = map[string]any{"port_filter": true, "connectivity": "l2"}
}

var fixedIPOwners = []string{model.OwnerComputePrefix, model.OwnerRouterInterface, ""}

// routerOwners are the device owners that tie a port to the router its device_id names:
// Neutron's ROUTER_INTERFACE_OWNERS and, here, the gateway owner too. Neutron lets a project
// create a network:router_gateway port naming another project's router (its L3 agent
// ignores the port); the MidoNet translation would wire it into that router, so it is
// refused as an interface is.
var routerOwners = append(slices.Clone(model.RouterInterfaceOwners), model.OwnerRouterGateway)

// checkDeviceOwner is Neutron's _enforce_device_owner_not_router_intf_or_device_id: unless
// the caller is an admin, a port owned by project tenant may name a router as its device
// only when the router is that project's (409 DeviceIDNotOwnedByTenant). A device_id that
// names no router passes.
func checkDeviceOwner(ctx context.Context, tx *db.Tx, c *plugin.Caller, owner, deviceID, tenant string) error {
	if c == nil || c.IsAdmin || deviceID == "" || !slices.Contains(routerOwners, owner) {
		return nil
	}
	r, err := tx.Get(ctx, "routers", deviceID)
	if err != nil {
		return err
	}
	if r != nil && plugin.Str(r, "tenant_id") != tenant {
		return fault.DeviceIDNotOwnedByTenant(deviceID)
	}
	return nil
}

// checkDeviceOwnerUpdate applies checkDeviceOwner to an update as Neutron's
// _validate_port_for_update does: with the owner and device the port will have, whenever
// the owner is named or the device_id is not repeated unchanged.
func checkDeviceOwnerUpdate(ctx context.Context, tx *db.Tx, c *plugin.Caller, cur, changes db.Doc) error {
	_, ownerNamed := changes["device_owner"]
	owner, device := plugin.Str(changes, "device_owner"), plugin.Str(changes, "device_id")
	if owner == "" {
		owner = plugin.Str(cur, "device_owner")
	}
	dev, devNamed := changes["device_id"]
	deviceChanged := !devNamed || dev != cur["device_id"]
	if device == "" {
		device = plugin.Str(cur, "device_id")
	}
	if owner != "" && deviceChanged || ownerNamed {
		return checkDeviceOwner(ctx, tx, c, owner, device, plugin.Str(cur, "tenant_id"))
	}
	return nil
}

// Update changes a port.
func (pc *Ports) Update(ctx context.Context, tx *db.Tx, c *plugin.Caller, cur, changes db.Doc) (db.Doc, error) {
	p := pc.p
	id := plugin.Str(cur, "id")
	if err := checkDeviceOwnerUpdate(ctx, tx, c, cur, changes); err != nil {
		return nil, err
	}
	v, regen := changes["mac_address"]
	regen = regen && v == nil // null: a new MAC (port-mac-address-regenerate)
	if regen {
		changes = plugin.Copy(changes)
		delete(changes, "mac_address")
	}
	d := plugin.Apply(cur, changes)
	if mac, ok := changes["mac_address"].(string); regen || ok && mac != plugin.Str(cur, "mac_address") {
		if plugin.Str(cur, "binding:host_id") != "" {
			return nil, fault.PortBound(id, plugin.Str(cur, "binding:vif_type"), plugin.Str(cur, "mac_address"), mac)
		}
		if err := releaseMAC(ctx, tx, cur); err != nil {
			return nil, err
		}
		got, err := p.assignMAC(ctx, tx, plugin.Str(cur, "network_id"), id, mac)
		if err != nil {
			return nil, err
		}
		d["mac_address"] = got
	}
	if req, ok := changes["fixed_ips"].([]any); ok {
		owner := plugin.Str(d, "device_owner")
		okOwner := owner == "" || strings.HasPrefix(owner, model.OwnerComputePrefix) || strings.HasPrefix(owner, model.OwnerRouterInterface)
		if !okOwner {
			return nil, fault.UnsupportedPortDeviceOwner(owner, id)
		}
		ips, err := p.reallocate(ctx, tx, c, cur, req)
		if err != nil {
			return nil, err
		}
		d["fixed_ips"] = ips
	}
	if _, ok := changes["port_security_enabled"]; ok || changes["security_groups"] != nil || changes["allowed_address_pairs"] != nil {
		if err := p.portSecurity(ctx, tx, c, d, changes); err != nil {
			return nil, err
		}
	}
	if v, ok := changes["extra_dhcp_opts"]; ok {
		opts, err := mergeDHCPOpts(plugin.List(cur, "extra_dhcp_opts"), v)
		if err != nil {
			return nil, err
		}
		d["extra_dhcp_opts"] = opts
	}
	p.bind(d, changes)
	if !onlyVNICType(cur, changes) {
		plugin.Bump(d)
	}
	if err := plugin.SaveAsIs(ctx, tx, c, "ports", d); err != nil {
		return nil, err
	}
	return d, bindingTasks(ctx, tx, c, cur, d)
}

// reallocate moves a port to a new set of fixed IPs, keeping the addresses it already holds.
func (p *Plugin) reallocate(ctx context.Context, tx *db.Tx, c *plugin.Caller, cur db.Doc, req []any) ([]any, error) {
	id := plugin.Str(cur, "id")
	have := plugin.List(cur, "fixed_ips")
	holds := func(subID, ip string) bool {
		for _, m := range plugin.Objects(have) {
			if (subID == "" || plugin.Str(m, "subnet_id") == subID) && plugin.Str(m, "ip_address") == ip {
				return true
			}
		}
		return false
	}
	var keep, fresh []any
	for _, m := range plugin.Objects(req) {
		subID, _ := m["subnet_id"].(string)
		ip, hasIP := m["ip_address"].(string)
		if hasIP && holds(subID, ip) {
			for _, hm := range plugin.Objects(have) {
				if plugin.Str(hm, "ip_address") == ip {
					keep = append(keep, hm)
				}
			}
			continue
		}
		if !hasIP && subID != "" {
			found := false
			for _, hm := range plugin.Objects(have) {
				if plugin.Str(hm, "subnet_id") == subID && !containsAlloc(keep, hm) {
					keep = append(keep, hm)
					found = true
					break
				}
			}
			if found {
				continue
			}
		}
		fresh = append(fresh, m)
	}
	var release []any
	for _, h := range plugin.Objects(have) {
		if !containsAlloc(keep, h) {
			release = append(release, h)
		}
	}
	if err := releaseIPs(ctx, tx, id, release); err != nil {
		return nil, err
	}
	net, err := networkShared(ctx, tx, plugin.Str(cur, "network_id"))
	if err != nil {
		return nil, err
	}
	out := append([]any{}, keep...)
	if len(fresh) > 0 {
		got, err := p.allocateIPs(ctx, tx, c, net, id, plugin.Str(cur, "mac_address"), model.OwnerRouterInterface, fresh, true)
		if err != nil {
			return nil, err
		}
		out = append(out, got...)
	}
	return out, nil
}

func containsAlloc(l []any, m map[string]any) bool {
	for _, o := range plugin.Objects(l) {
		if plugin.Str(o, "subnet_id") == plugin.Str(m, "subnet_id") && plugin.Str(o, "ip_address") == plugin.Str(m, "ip_address") {
			return true
		}
	}
	return false
}

// Delete removes a port. Ports a router owns go away with the router interface or gateway.
func (pc *Ports) Delete(ctx context.Context, tx *db.Tx, c *plugin.Caller, cur db.Doc) error {
	owner := plugin.Str(cur, "device_owner")
	if owner == model.OwnerRouterInterface || owner == model.OwnerRouterGateway || owner == model.OwnerFloatingIP {
		if r, err := tx.Get(ctx, "routers", plugin.Str(cur, "device_id")); err == nil && r != nil || owner == model.OwnerFloatingIP {
			return fault.ServicePortInUse(plugin.Str(cur, "id"), owner)
		}
	}
	return pc.p.removePort(ctx, tx, c, cur)
}

// releaseMAC frees a port's MAC address: its row is found by the table's primary key (the
// network and the address the port's document holds), not by port id, which no index holds
// (a scan of every MAC of the deployment: 25 ms a port delete at 100,000 ports). A row the
// document does not name (none should) is then looked for by port id.
func releaseMAC(ctx context.Context, tx *db.Tx, port db.Doc) error {
	id := plugin.Str(port, "id")
	res, err := tx.Exec(ctx, "DELETE FROM mac_addresses WHERE network_id = ? AND mac_address = ? AND port_id = ?",
		plugin.Str(port, "network_id"), plugin.Str(port, "mac_address"), id)
	if err == nil {
		if n, rerr := res.RowsAffected(); rerr == nil && n > 0 {
			return nil
		}
		_, err = tx.Exec(ctx, "DELETE FROM mac_addresses WHERE network_id = ? AND port_id = ?", plugin.Str(port, "network_id"), id)
	}
	if err != nil {
		return fmt.Errorf("core: release mac of %s: %w", id, err)
	}
	return nil
}

// removePort deletes a port and frees its addresses.
func (p *Plugin) removePort(ctx context.Context, tx *db.Tx, c *plugin.Caller, port db.Doc) error {
	id := plugin.Str(port, "id")
	for _, h := range p.OnPortDelete {
		if err := h(ctx, tx, c, port); err != nil {
			return err
		}
	}
	if _, err := tx.Exec(ctx, "DELETE FROM ip_allocations WHERE port_id = ?", id); err != nil {
		return fmt.Errorf("core: release ips of %s: %w", id, err)
	}
	if err := releaseMAC(ctx, tx, port); err != nil {
		return err
	}
	if err := plugin.Remove(ctx, tx, c, "ports", port); err != nil {
		return err
	}
	return bindingTasks(ctx, tx, c, port, nil)
}

// RemovePort is removePort for other plugins (router interfaces and gateways).
func (p *Plugin) RemovePort(ctx context.Context, tx *db.Tx, c *plugin.Caller, port db.Doc) error {
	return p.removePort(ctx, tx, c, port)
}

// CreatePort makes a port for another plugin (router interfaces, gateways, floating IPs):
// raw is a request body, checked and defaulted as the API would.
func (p *Plugin) CreatePort(ctx context.Context, tx *db.Tx, c *plugin.Caller, raw map[string]any) (db.Doc, error) {
	parsed, err := resource.Ports.ParseCreate(raw)
	if err != nil {
		return nil, err
	}
	if _, ok := parsed["project_id"]; !ok {
		parsed["project_id"] = parsed["tenant_id"]
	}
	return (&Ports{p}).Create(ctx, tx, c, parsed)
}

// UpdatePort changes a port for another plugin.
func (p *Plugin) UpdatePort(ctx context.Context, tx *db.Tx, c *plugin.Caller, cur, changes db.Doc) (db.Doc, error) {
	return (&Ports{p}).Update(ctx, tx, c, cur, changes)
}

// List returns ports.
func (pc *Ports) List(ctx context.Context, tx *db.Tx, c *plugin.Caller, f map[string][]string) ([]db.Doc, error) {
	h := db.FilterOf(f)
	if n := f["network_id"]; len(n) == 1 {
		h.ParentID = n[0]
	}
	return tx.List(ctx, "ports", h)
}

// onlyVNICType reports an update that changes nothing but binding:vnic_type, which upstream
// stores outside the port's standard attributes and so does not count as a revision.
func onlyVNICType(cur, changes db.Doc) bool {
	changed := false
	for k, v := range changes {
		if fmt.Sprint(cur[k]) == fmt.Sprint(v) {
			continue
		}
		if k != "binding:vnic_type" {
			return false
		}
		changed = true
	}
	return changed
}

// SetStatus records a port's status (ACTIVE while bound to a live host, DOWN otherwise) as
// a journaled change, so that every view of the port agrees.
func (p *Plugin) SetStatus(ctx context.Context, tx *db.Tx, c *plugin.Caller, port db.Doc, status string) error {
	if plugin.Str(port, "status") == status {
		return nil
	}
	port["status"] = status
	return plugin.Save(ctx, tx, c, "ports", port)
}

// ListsStored: List returns the stored ports (plugin.StoredLister).
func (pc *Ports) ListsStored() {}
