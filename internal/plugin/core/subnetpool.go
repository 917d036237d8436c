package core

import (
	"context"
	"net/netip"
	"sort"

	"github.com/midonet-go/midonet/internal/db"
	"github.com/midonet-go/midonet/internal/fault"
	"github.com/midonet-go/midonet/internal/ipam"
	"github.com/midonet-go/midonet/internal/model"
	"github.com/midonet-go/midonet/internal/plugin"
	"github.com/midonet-go/midonet/internal/resource"
)

// SubnetPools is the subnet pool collection (subnet_allocation).
type SubnetPools struct{ p *Plugin }

// Resource describes subnet pools.
func (s *SubnetPools) Resource() *resource.Resource { return resource.SubnetPools }

// poolPrefixes parses and merges a prefix list; all must share one IP version.
func poolPrefixes(raw []any) ([]netip.Prefix, error) {
	var ps []netip.Prefix
	for _, x := range raw {
		p, _ := netip.ParsePrefix(x.(string))
		p = p.Masked()
		if len(ps) > 0 && ps[0].Addr().Is4() != p.Addr().Is4() {
			return nil, fault.InvalidInput("Illegal subnetpool prefix: prefixes of mixed IP versions")
		}
		ps = append(ps, p)
	}
	if len(ps) == 0 {
		return nil, fault.InvalidInput("Illegal subnetpool prefix: at least one prefix is required")
	}
	return ipam.Merge(ps), nil
}

func prefixStrings(ps []netip.Prefix) []any {
	out := make([]any, len(ps))
	for i, p := range ps {
		out[i] = p.String()
	}
	return out
}

// prefixBounds fills and checks min/default/max prefix lengths.
func prefixBounds(d db.Doc, v4 bool, widest int) error {
	bits := 128
	min := int64(64)
	if v4 {
		bits, min = 32, 8
	}
	get := func(k string, def int64) int64 {
		if n, ok := model.Int(d[k]); ok {
			return n
		}
		return def
	}
	mn := get("min_prefixlen", min)
	if mn < int64(widest) {
		mn = int64(widest)
		if _, set := model.Int(d["min_prefixlen"]); set {
			mn, _ = model.Int(d["min_prefixlen"])
		}
	}
	mx := get("max_prefixlen", int64(bits))
	df := get("default_prefixlen", mn)
	if mn < 0 || mx > int64(bits) || mn > mx || df < mn || df > mx {
		return fault.InvalidInput("Illegal prefix bounds: min_prefixlen=%d, default_prefixlen=%d, max_prefixlen=%d", mn, df, mx)
	}
	d["min_prefixlen"], d["max_prefixlen"], d["default_prefixlen"] = int(mn), int(mx), int(df)
	return nil
}

// Create makes a subnet pool.
func (s *SubnetPools) Create(ctx context.Context, tx *db.Tx, c *plugin.Caller, body db.Doc) (db.Doc, error) {
	ps, err := poolPrefixes(plugin.List(body, "prefixes"))
	if err != nil {
		return nil, err
	}
	d := plugin.Copy(body)
	d["prefixes"] = prefixStrings(ps)
	v4 := ps[0].Addr().Is4()
	d["ip_version"] = 6
	if v4 {
		d["ip_version"] = 4
	}
	if err := prefixBounds(d, v4, 0); err != nil {
		return nil, err
	}
	plugin.Stamp(d, 0)
	if err := checkAddressScope(ctx, tx, c, d); err != nil {
		return nil, err
	}
	return d, plugin.Add(ctx, tx, c, "subnetpools", d)
}

// Update changes a pool; its prefixes may only grow.
func (s *SubnetPools) Update(ctx context.Context, tx *db.Tx, c *plugin.Caller, cur, changes db.Doc) (db.Doc, error) {
	d := plugin.Apply(cur, changes)
	if raw, ok := changes["prefixes"].([]any); ok {
		ps, err := poolPrefixes(raw)
		if err != nil {
			return nil, err
		}
		old, _ := poolPrefixes(plugin.List(cur, "prefixes"))
		for _, o := range old {
			if !coveredBy(o, ps) {
				return nil, fault.IllegalSubnetPoolPrefixUpdate(o)
			}
		}
		d["prefixes"] = prefixStrings(ps)
	}
	if err := prefixBounds(d, plugin.Str(d, "ip_version") == "" || d["ip_version"] == 4 || sameValue(d["ip_version"], 4), 0); err != nil {
		return nil, err
	}
	if _, named := changes["address_scope_id"]; named {
		if err := checkAddressScope(ctx, tx, c, d); err != nil {
			return nil, err
		}
	}
	return d, plugin.Save(ctx, tx, c, "subnetpools", d)
}

// checkAddressScope is Neutron's _validate_address_scope_id: a pool's address scope must be
// one the caller sees (else AddressScopeNotFound) and, unless an admin asks, the caller's own.
func checkAddressScope(ctx context.Context, tx *db.Tx, c *plugin.Caller, pool db.Doc) error {
	id := plugin.Str(pool, "address_scope_id")
	if id == "" {
		return nil
	}
	scope, err := plugin.Fetch(ctx, tx, c, "address_scopes", id)
	if err != nil {
		return err
	}
	if !c.IsAdmin && plugin.Str(scope, "tenant_id") != c.ProjectID {
		return fault.IllegalSubnetPoolAssociationToAddressScope(plugin.Str(pool, "id"), id)
	}
	return nil
}

func coveredBy(p netip.Prefix, ps []netip.Prefix) bool {
	for _, q := range ps {
		if q.Bits() <= p.Bits() && q.Contains(p.Addr()) {
			return true
		}
	}
	return false
}

// Delete removes a pool no subnet was allocated from.
func (s *SubnetPools) Delete(ctx context.Context, tx *db.Tx, c *plugin.Caller, cur db.Doc) error {
	id := plugin.Str(cur, "id")
	subs, err := tx.List(ctx, "subnets", db.Filter{})
	if err != nil {
		return err
	}
	for _, sub := range subs {
		if plugin.Str(sub, "subnetpool_id") == id {
			return fault.SubnetPoolInUse(id)
		}
	}
	return plugin.Remove(ctx, tx, c, "subnetpools", cur)
}

// List returns pools.
func (s *SubnetPools) List(ctx context.Context, tx *db.Tx, c *plugin.Caller, f map[string][]string) ([]db.Doc, error) {
	return tx.List(ctx, "subnetpools", idHint(f))
}

// allocateFromPool chooses (or checks) a subnet's cidr inside a pool: the first free block
// of the requested length that no other subnet of the pool holds.
func (p *Plugin) allocateFromPool(ctx context.Context, tx *db.Tx, c *plugin.Caller, body db.Doc) (netip.Prefix, error) {
	poolID := plugin.Str(body, "subnetpool_id")
	// Another project's private pool answers SubnetPoolNotFound, as a missing one does.
	pool, err := plugin.Fetch(ctx, tx, c, "subnetpools", poolID)
	if err != nil {
		return netip.Prefix{}, err
	}
	version, _ := model.Int(body["ip_version"])
	pv, _ := model.Int(pool["ip_version"])
	if version != pv {
		return netip.Prefix{}, fault.InvalidInput("Cannot allocate IPv%d subnet from IPv%d subnet pool", version, pv)
	}
	ps, _ := poolPrefixes(plugin.List(pool, "prefixes"))
	mn, _ := model.Int(pool["min_prefixlen"])
	mx, _ := model.Int(pool["max_prefixlen"])
	taken := []netip.Prefix{}
	subs, err := tx.List(ctx, "subnets", db.Filter{})
	if err != nil {
		return netip.Prefix{}, err
	}
	for _, sub := range subs {
		if plugin.Str(sub, "subnetpool_id") == poolID {
			taken = append(taken, subnetPrefix(sub))
		}
	}
	free := func(c netip.Prefix) bool {
		for _, t := range taken {
			if t.Overlaps(c) {
				return false
			}
		}
		return true
	}
	if raw, ok := body["cidr"].(string); ok && raw != "" {
		c, err := netip.ParsePrefix(raw)
		if err != nil {
			return netip.Prefix{}, fault.InvalidInput("%s is not in a CIDR format", raw)
		}
		c = c.Masked()
		if !coveredBy(c, ps) {
			return netip.Prefix{}, fault.SubnetAllocationCidrNotInPool(c)
		}
		if int64(c.Bits()) < mn || int64(c.Bits()) > mx {
			return netip.Prefix{}, fault.SubnetAllocationUnsupportedPrefixLength(int64(c.Bits()))
		}
		if !free(c) {
			return netip.Prefix{}, fault.SubnetAllocationCidrOverlaps(c)
		}
		return c, nil
	}
	length, ok := model.Int(body["prefixlen"])
	if !ok {
		length, _ = model.Int(pool["default_prefixlen"])
	}
	if length < mn || length > mx {
		return netip.Prefix{}, fault.SubnetAllocationUnsupportedPrefixLength(length)
	}
	sort.Slice(ps, func(i, j int) bool { return ps[i].Addr().Less(ps[j].Addr()) })
	for _, outer := range ps {
		if int64(outer.Bits()) > length {
			continue
		}
		for c := netip.PrefixFrom(outer.Addr(), int(length)); outer.Contains(c.Addr()); {
			if free(c) {
				return c, nil
			}
			next := ipam.Add(ipam.Last(c), 1)
			if !next.IsValid() || next.Less(c.Addr()) {
				break
			}
			c = netip.PrefixFrom(next, int(length))
		}
	}
	return netip.Prefix{}, fault.SubnetAllocationInsufficientSpace(length)
}
