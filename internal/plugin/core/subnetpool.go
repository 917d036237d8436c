package core

import (
	"context"
	"fmt"
	"math/big"
	"net/http"
	"net/netip"
	"slices"
	"sort"
	"strconv"

	"github.com/midonet-go/midonet/internal/db"
	"github.com/midonet-go/midonet/internal/fault"
	"github.com/midonet-go/midonet/internal/ipam"
	"github.com/midonet-go/midonet/internal/model"
	"github.com/midonet-go/midonet/internal/plugin"
	"github.com/midonet-go/midonet/internal/resource"
)

// SubnetPools is the subnet pool collection (subnet_allocation, default-subnetpools,
// subnetpool-prefix-ops, and the pool side of address-scope), as Neutron 21's
// db_base_plugin_v2 and ipam/subnet_alloc.py behave.
type SubnetPools struct{ p *Plugin }

// Resource describes subnet pools.
func (s *SubnetPools) Resource() *resource.Resource { return resource.SubnetPools }

// prefixLengths are the pool attributes Neutron renders as strings (_make_subnetpool_dict).
var prefixLengths = []string{"default_prefixlen", "min_prefixlen", "max_prefixlen"}

// parsePrefixes reads a list of CIDR strings (host bits allowed, as netaddr takes them).
func parsePrefixes(raw []any) ([]netip.Prefix, error) {
	ps := make([]netip.Prefix, 0, len(raw))
	for _, x := range raw {
		s, _ := x.(string)
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return nil, fault.InvalidInput("'%v' is not a valid IP subnet", x)
		}
		ps = append(ps, p.Masked())
	}
	return ps, nil
}

// poolPrefixes is SubnetPoolReader._read_prefix_info: a non-empty prefix list of one IP
// version, compacted (overlaps folded, siblings joined). It returns the IP version too.
func poolPrefixes(raw []any) ([]netip.Prefix, int, error) {
	if len(raw) == 0 {
		return nil, 0, fault.EmptySubnetPoolPrefixList()
	}
	ps, err := parsePrefixes(raw)
	if err != nil {
		return nil, 0, err
	}
	for _, p := range ps[1:] {
		if p.Addr().Is4() != ps[0].Addr().Is4() {
			return nil, 0, fault.PrefixVersionMismatch()
		}
	}
	version := 6
	if ps[0].Addr().Is4() {
		version = 4
	}
	return ipam.Merge(ps), version, nil
}

// storedPrefixes reads a stored pool's prefixes (always valid: the server wrote them).
func storedPrefixes(d db.Doc) []netip.Prefix {
	ps, _ := parsePrefixes(plugin.List(d, "prefixes"))
	return ps
}

func prefixStrings(ps []netip.Prefix) []any {
	out := make([]any, len(ps))
	for i, p := range ps {
		out[i] = p.String()
	}
	return out
}

// prefixBounds is SubnetPoolReader._read_prefix_bounds: min_prefixlen defaults to 8 (IPv4)
// or 64 (IPv6), max_prefixlen to the address width, default_prefixlen to min_prefixlen;
// min ≤ default ≤ max ≤ width. The lengths are stored as integers.
func prefixBounds(d db.Doc, version int) error {
	bits, min := int64(128), int64(64)
	if version == 4 {
		bits, min = 32, 8
	}
	get := func(k string, def int64) int64 {
		if n, ok := model.Int(d[k]); ok {
			return n
		}
		return def
	}
	mn := get("min_prefixlen", min)
	mx := get("max_prefixlen", bits)
	df := get("default_prefixlen", mn)
	switch {
	case mn < 0:
		return fault.UnsupportedMinSubnetPoolPrefix(mn, 4)
	case mn > mx:
		return fault.IllegalSubnetPoolPrefixBounds("min_prefixlen", mn, "max_prefixlen", mx)
	case mx > bits:
		return fault.IllegalSubnetPoolPrefixBounds("max_prefixlen", mx, "ip_version_max", bits)
	case df < mn:
		return fault.IllegalSubnetPoolPrefixBounds("default_prefixlen", df, "min_prefixlen", mn)
	case df > mx:
		return fault.IllegalSubnetPoolPrefixBounds("default_prefixlen", df, "max_prefixlen", mx)
	}
	d["min_prefixlen"], d["max_prefixlen"], d["default_prefixlen"] = int(mn), int(mx), int(df)
	return nil
}

// Create makes a subnet pool.
func (s *SubnetPools) Create(ctx context.Context, tx *db.Tx, c *plugin.Caller, body db.Doc) (db.Doc, error) {
	ps, version, err := poolPrefixes(plugin.List(body, "prefixes"))
	if err != nil {
		return nil, err
	}
	d := plugin.Copy(body)
	d["prefixes"] = prefixStrings(ps)
	d["ip_version"] = version
	if err := prefixBounds(d, version); err != nil {
		return nil, err
	}
	if d["id"] == nil {
		d["id"] = plugin.NewID()
	}
	if plugin.Bool(d, "is_default") {
		if err := checkDefaultPool(ctx, tx, version, ""); err != nil {
			return nil, err
		}
	}
	if err := checkAddressScope(ctx, tx, c, d); err != nil {
		return nil, err
	}
	plugin.Stamp(d, 0)
	return d, plugin.Add(ctx, tx, c, "subnetpools", d)
}

// Update changes a pool (Neutron's update_subnetpool): its prefixes may only grow, the
// bounds are checked again on the merged document, a second default of the IP version is
// refused, a pool in another project's (shared) scope is the scope owner's to change, and
// the scope it names is checked as on create.
func (s *SubnetPools) Update(ctx context.Context, tx *db.Tx, c *plugin.Caller, cur, changes db.Doc) (db.Doc, error) {
	d := plugin.Apply(cur, changes)
	version := int(intOf(cur["ip_version"]))
	if raw, ok := changes["prefixes"].([]any); ok {
		ps, v, err := poolPrefixes(raw)
		if err != nil {
			return nil, err
		}
		if v != version {
			return nil, fault.PrefixVersionMismatch()
		}
		if len(ipam.Subtract(storedPrefixes(cur), ps)) > 0 {
			return nil, fault.IllegalSubnetPoolPrefixUpdate("Existing prefixes must be a subset of the new prefixes")
		}
		d["prefixes"] = prefixStrings(ps)
	}
	if err := prefixBounds(d, version); err != nil {
		return nil, err
	}
	if plugin.Bool(d, "is_default") && !plugin.Bool(cur, "is_default") {
		if err := checkDefaultPool(ctx, tx, version, plugin.Str(cur, "id")); err != nil {
			return nil, err
		}
	}
	if scope := plugin.Str(cur, "address_scope_id"); scope != "" {
		if err := checkPoolUpdateAllowed(ctx, tx, c, plugin.Str(cur, "id"), scope); err != nil {
			return nil, err
		}
	}
	if err := checkAddressScope(ctx, tx, c, d); err != nil {
		return nil, err
	}
	return d, plugin.Save(ctx, tx, c, "subnetpools", d)
}

func intOf(v any) int64 {
	n, _ := model.Int(v)
	return n
}

// checkDefaultPool refuses a second default pool of an IP version (one may exist per family).
func checkDefaultPool(ctx context.Context, tx *db.Tx, version int, except string) error {
	pools, err := tx.List(ctx, "subnetpools", db.Filter{})
	if err != nil {
		return err
	}
	for _, p := range pools {
		if plugin.Bool(p, "is_default") && intOf(p["ip_version"]) == int64(version) && plugin.Str(p, "id") != except {
			return fault.InvalidInput("A default subnetpool for this IP family has already been set. Only one default may exist per IP family")
		}
	}
	return nil
}

// checkPoolUpdateAllowed is Neutron's _check_subnetpool_update_allowed: a pool in an address
// scope the caller does not own (a shared one) may be changed only by an admin.
func checkPoolUpdateAllowed(ctx context.Context, tx *db.Tx, c *plugin.Caller, poolID, scopeID string) error {
	scope, err := plugin.Fetch(ctx, tx, c, "address_scopes", scopeID)
	if err != nil {
		return err
	}
	if c.IsAdmin || plugin.Str(scope, "tenant_id") == c.ProjectID {
		return nil
	}
	return fault.IllegalSubnetPoolUpdate(fmt.Sprintf("subnetpool %s cannot be updated when associated with shared address scope %s", poolID, scopeID))
}

// checkAddressScope is Neutron's _validate_address_scope_id: the scope a pool names must be
// one the caller sees (else AddressScopeNotFound) and may use (its own or a shared one), of
// the pool's IP version; moving a pool with subnets into a scope must not leave a network
// with subnets of one family in different scopes; and no other pool of the scope may hold
// an overlapping prefix. Neutron compares only with the pools the caller sees; every pool
// of the scope is compared here, so that a shared scope's prefixes stay unique.
func checkAddressScope(ctx context.Context, tx *db.Tx, c *plugin.Caller, pool db.Doc) error {
	id := plugin.Str(pool, "address_scope_id")
	if id == "" {
		return nil
	}
	poolID := plugin.Str(pool, "id")
	scope, err := plugin.Fetch(ctx, tx, c, "address_scopes", id)
	if err != nil {
		return err
	}
	if !c.IsAdmin && plugin.Str(scope, "tenant_id") != c.ProjectID && !plugin.SharedWith(scope, c.ProjectID) {
		return fault.IllegalSubnetPoolAssociationToAddressScope(poolID, id)
	}
	version := intOf(pool["ip_version"])
	if sv := intOf(scope["ip_version"]); sv != version {
		return fault.IllegalSubnetPoolIpVersionAssociationToAddressScope(poolID, id, sv)
	}
	if err := checkScopeNetworkAffinity(ctx, tx, poolID, version); err != nil {
		return err
	}
	pools, err := tx.List(ctx, "subnetpools", db.Filter{})
	if err != nil {
		return err
	}
	mine := storedPrefixes(pool)
	for _, o := range pools {
		if plugin.Str(o, "id") == poolID || plugin.Str(o, "address_scope_id") != id {
			continue
		}
		if ipam.AnyOverlap(mine, storedPrefixes(o)) {
			return fault.AddressScopePrefixConflict()
		}
	}
	return nil
}

// checkScopeNetworkAffinity is Neutron's _check_subnetpool_address_scope_network_affinity:
// the networks holding subnets of the pool must hold no subnet of the same IP version from
// elsewhere, or re-scoping the pool would split their address scope. The pool's subnets and
// their networks' come from the key index (subnets key subnetpool_id and network_id).
func checkScopeNetworkAffinity(ctx context.Context, tx *db.Tx, poolID string, version int64) error {
	mine, err := poolSubnets(ctx, tx, poolID)
	if err != nil {
		return err
	}
	var nets []string
	for _, s := range mine {
		if n := plugin.Str(s, "network_id"); !slices.Contains(nets, n) {
			nets = append(nets, n)
		}
	}
	neighbours, err := tx.ListBy(ctx, "subnets", "network_id", nets...)
	if err != nil {
		return fmt.Errorf("subnets of the networks of subnet pool %s: %w", poolID, err)
	}
	for _, s := range neighbours {
		if intOf(s["ip_version"]) == version && plugin.Str(s, "subnetpool_id") != poolID {
			return fault.NetworkAddressScopeAffinityError()
		}
	}
	return nil
}

// poolSubnets are the subnets allocated from a pool, read through the key index.
func poolSubnets(ctx context.Context, tx *db.Tx, poolID string) ([]db.Doc, error) {
	subs, err := tx.ListBy(ctx, "subnets", "subnetpool_id", poolID)
	if err != nil {
		return nil, fmt.Errorf("subnets of subnet pool %s: %w", poolID, err)
	}
	return subs, nil
}

// Delete removes a pool no subnet was allocated from.
func (s *SubnetPools) Delete(ctx context.Context, tx *db.Tx, c *plugin.Caller, cur db.Doc) error {
	id := plugin.Str(cur, "id")
	if used, err := tx.AnyBy(ctx, "subnets", "subnetpool_id", id); err != nil {
		return fmt.Errorf("subnets of subnet pool %s: %w", id, err)
	} else if used {
		return fault.SubnetPoolDeleteError("Subnet pool has existing allocations")
	}
	return plugin.Remove(ctx, tx, c, "subnetpools", cur)
}

// List returns pools.
func (s *SubnetPools) List(ctx context.Context, tx *db.Tx, c *plugin.Caller, f map[string][]string) ([]db.Doc, error) {
	return tx.List(ctx, "subnetpools", db.FilterOf(f))
}

// Expand renders the prefix lengths as strings, as Neutron's _make_subnetpool_dict does.
func (s *SubnetPools) Expand(_ context.Context, _ *db.Tx, docs []db.Doc) error {
	for _, d := range docs {
		for _, k := range prefixLengths {
			if n, ok := model.Int(d[k]); ok {
				d[k] = strconv.FormatInt(n, 10)
			}
		}
	}
	return nil
}

// ActionMethod names the subnetpool-prefix-ops actions.
func (s *SubnetPools) ActionMethod(action string) string {
	switch action {
	case "add_prefixes", "remove_prefixes":
		return http.MethodPut
	}
	return ""
}

// Action adds prefixes to a pool (an update of its prefix list, with every check of one) or
// removes prefixes no subnet of the pool uses; both answer {"prefixes": [...]}.
func (s *SubnetPools) Action(ctx context.Context, tx *db.Tx, c *plugin.Caller, cur db.Doc, action string, body map[string]any) (any, error) {
	raw, ok := body["prefixes"].([]any)
	if !ok || len(raw) == 0 {
		return nil, fault.BadRequest("Request body contains invalid data")
	}
	given, err := parsePrefixes(raw)
	if err != nil {
		return nil, err
	}
	old := storedPrefixes(cur)
	answer := func(ps []netip.Prefix) any { return map[string]any{"prefixes": prefixStrings(ps)} }
	switch action {
	case "add_prefixes":
		all := append(prefixStrings(old), raw...)
		d, err := s.Update(ctx, tx, c, cur, db.Doc{"prefixes": all})
		if err != nil {
			return nil, err
		}
		return answer(storedPrefixes(d)), nil
	case "remove_prefixes":
		if !ipam.AnyOverlap(old, given) {
			return answer(old), nil
		}
		subs, err := poolSubnets(ctx, tx, plugin.Str(cur, "id"))
		if err != nil {
			return nil, err
		}
		for _, sub := range subs {
			if ipam.AnyOverlap([]netip.Prefix{subnetPrefix(sub)}, given) {
				return nil, fault.IllegalSubnetPoolPrefixUpdate("One or more the prefixes to be removed is in use by a subnet")
			}
		}
		d := plugin.Copy(cur)
		left := ipam.Subtract(old, given)
		d["prefixes"] = prefixStrings(left)
		return answer(left), plugin.Save(ctx, tx, c, "subnetpools", d)
	}
	return nil, fault.HTTPNotFound()
}

// defaultPool is the id of the default pool of an IP version the caller sees ("" when none):
// a subnet created with use_default_subnetpool is allocated from it.
func defaultPool(ctx context.Context, tx *db.Tx, c *plugin.Caller, version int64) (string, error) {
	pools, err := tx.List(ctx, "subnetpools", db.Filter{})
	if err != nil {
		return "", err
	}
	for _, p := range pools {
		if !plugin.Bool(p, "is_default") || intOf(p["ip_version"]) != version {
			continue
		}
		if _, err := plugin.Fetch(ctx, tx, c, "subnetpools", plugin.Str(p, "id")); err != nil {
			if fault.IsType(err, "SubnetPoolNotFound") {
				continue
			}
			return "", err
		}
		return plugin.Str(p, "id"), nil
	}
	return "", nil
}

// quotaUnits is the size of p in the pool quota's units: /32 for IPv4, /64 for IPv6.
func quotaUnits(p netip.Prefix) *big.Int {
	unit := 64
	if p.Addr().Is4() {
		unit = 32
	}
	if p.Bits() >= unit {
		return big.NewInt(1)
	}
	return new(big.Int).Lsh(big.NewInt(1), uint(unit-p.Bits()))
}

// allocateFromPool chooses (or checks) a subnet's cidr inside a pool, as Neutron's
// SubnetAllocator: the length within the pool's bounds (400 otherwise), the project's share
// of the pool within its default_quota, then the first free block of that length (or the
// cidr asked for, if free). It returns the pool with the prefix.
func (p *Plugin) allocateFromPool(ctx context.Context, tx *db.Tx, c *plugin.Caller, body db.Doc) (netip.Prefix, db.Doc, error) {
	poolID := plugin.Str(body, "subnetpool_id")
	// Another project's private pool answers SubnetPoolNotFound, as a missing one does.
	pool, err := plugin.Fetch(ctx, tx, c, "subnetpools", poolID)
	if err != nil {
		return netip.Prefix{}, nil, err
	}
	version, _ := model.Int(body["ip_version"])
	pv, _ := model.Int(pool["ip_version"])
	if version != pv {
		return netip.Prefix{}, nil, fault.InvalidInput("Cannot allocate IPv%d subnet from IPv%d subnet pool", version, pv)
	}
	ps := storedPrefixes(pool)
	mn, _ := model.Int(pool["min_prefixlen"])
	mx, _ := model.Int(pool["max_prefixlen"])
	var want netip.Prefix
	length, ok := model.Int(body["prefixlen"])
	if raw, _ := body["cidr"].(string); raw != "" {
		c, err := netip.ParsePrefix(raw)
		if err != nil {
			return netip.Prefix{}, nil, fault.InvalidInput("%s is not in a CIDR format", raw)
		}
		want = c.Masked()
		length = int64(want.Bits())
	} else if !ok {
		length, _ = model.Int(pool["default_prefixlen"])
	}
	if length > mx {
		return netip.Prefix{}, nil, fault.MaxPrefixSubnetAllocationError(length, mx)
	}
	if length < mn {
		return netip.Prefix{}, nil, fault.MinPrefixSubnetAllocationError(length, mn)
	}
	var taken []netip.Prefix
	used := new(big.Int)
	subs, err := poolSubnets(ctx, tx, poolID)
	if err != nil {
		return netip.Prefix{}, nil, err
	}
	for _, sub := range subs {
		taken = append(taken, subnetPrefix(sub))
		if plugin.Str(sub, "tenant_id") == plugin.Str(body, "tenant_id") {
			used.Add(used, quotaUnits(subnetPrefix(sub)))
		}
	}
	if quota, ok := model.Int(pool["default_quota"]); ok && quota > 0 {
		unit := 64
		if pv == 4 {
			unit = 32
		}
		asked := big.NewInt(1)
		if int(length) < unit {
			asked.Lsh(asked, uint(unit-int(length)))
		}
		if used.Add(used, asked).Cmp(big.NewInt(quota)) > 0 {
			return netip.Prefix{}, nil, fault.SubnetPoolQuotaExceeded()
		}
	}
	free := ipam.Subtract(ps, taken)
	if want.IsValid() {
		for _, f := range free {
			if f.Bits() <= want.Bits() && f.Contains(want.Addr()) {
				return want, pool, nil
			}
		}
		return netip.Prefix{}, nil, fault.SubnetAllocationUnavailable()
	}
	// The smallest free block that fits, as Neutron sorts the free set by prefix length.
	sort.SliceStable(free, func(i, j int) bool { return free[i].Bits() > free[j].Bits() })
	for _, f := range free {
		if int64(f.Bits()) <= length {
			return netip.PrefixFrom(f.Addr(), int(length)), pool, nil
		}
	}
	return netip.Prefix{}, nil, fault.SubnetAllocationInsufficientSpace(length)
}

// checkPoolAffinity is Neutron's _validate_network_subnetpools for a new subnet of a network:
// in a network with a subnet of an address scope, a new subnet of the family comes from a
// pool of that scope; without scopes, the subnets of one family all come from one pool (or
// none does).
func checkPoolAffinity(ctx context.Context, tx *db.Tx, siblings []db.Doc, version int64, pool db.Doc) error {
	scope := ""
	for _, s := range siblings {
		id := plugin.Str(s, "subnetpool_id")
		if id == "" || intOf(s["ip_version"]) != version {
			continue
		}
		sp, err := tx.Get(ctx, "subnetpools", id)
		if err != nil {
			return err
		}
		if scope = plugin.Str(sp, "address_scope_id"); scope != "" {
			break
		}
	}
	if scope != "" && pool != nil && plugin.Str(pool, "address_scope_id") != scope {
		return fault.NetworkAddressScopeAffinityError()
	}
	for _, s := range siblings {
		if intOf(s["ip_version"]) != version {
			continue
		}
		sp := plugin.Str(s, "subnetpool_id")
		if pool != nil && sp != plugin.Str(pool, "id") && scope == "" {
			return fault.NetworkSubnetPoolAffinityError()
		}
		if pool == nil && sp != "" {
			return fault.NetworkSubnetPoolAffinityError()
		}
	}
	return nil
}
