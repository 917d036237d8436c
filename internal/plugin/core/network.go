package core

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"

	"github.com/midonet-go/midonet/internal/db"
	"github.com/midonet-go/midonet/internal/fault"
	"github.com/midonet-go/midonet/internal/journal"
	"github.com/midonet-go/midonet/internal/ml2"
	"github.com/midonet-go/midonet/internal/model"
	"github.com/midonet-go/midonet/internal/plugin"
	"github.com/midonet-go/midonet/internal/resource"
)

// Networks is the network collection.
type Networks struct{ p *Plugin }

// Resource describes networks.
func (n *Networks) Resource() *resource.Resource { return resource.Networks }

var providerKeys = []string{"provider:network_type", "provider:physical_network", "provider:segmentation_id"}

// maxMTU is the largest MTU a network of type typ on physnet can carry: MidoNet tunnels take
// their overhead off the physical MTU (or [ml2] path_mtu when smaller); uplink networks are
// the physical network itself; vxlan, vlan and flat networks have Neutron's MTU
// (internal/ml2).
func (p *Plugin) maxMTU(typ, physnet string) int {
	switch typ {
	case "uplink":
		return p.S.GlobalPhysnetMTU
	case ml2.TypeVXLAN, ml2.TypeVLAN, ml2.TypeFlat:
		return p.ml2Config().MTU(typ, physnet)
	}
	mtu := p.S.GlobalPhysnetMTU
	if path := p.ml2Config().PathMTU; path > 0 && path < mtu {
		mtu = path
	}
	overhead := 50 // VXLAN over IPv4
	if lower(p.S.TunnelProtocol) == "gre" {
		overhead = 42
	}
	return mtu - overhead
}

// isML2Type reports whether internal/ml2 drives a network type.
func isML2Type(typ string) bool { return slices.Contains(ml2.Types, typ) }

// segment validates the provider attributes of a create and gives the network its segment:
// the type asked for (its id reserved, or allocated from the ranges), else the first tenant
// network type with an id free for the project (NoNetworkAvailable, 503, when none has).
func (p *Plugin) segment(ctx context.Context, tx *db.Tx, body db.Doc, seg ml2.Segment) (ml2.Segment, error) {
	typ, given := body["provider:network_type"].(string)
	if !given || typ == "" {
		for _, k := range providerKeys[1:] {
			if body[k] != nil {
				return seg, fault.InvalidInput("network_type required")
			}
		}
		types := p.S.TenantNetworkTypes
		if ext, _ := body["router:external"].(bool); ext && p.S.ExternalNetworkType != "" {
			types = []string{p.S.ExternalNetworkType}
		}
		for _, t := range types {
			seg.Type = t
			if !isML2Type(t) {
				return seg, nil
			}
			if t == ml2.TypeFlat {
				continue // flat networks are never a project's
			}
			ok, err := p.ml2Config().Allocate(ctx, tx, &seg)
			if err != nil || ok {
				return seg, err
			}
		}
		return seg, fault.NoNetworkAvailable()
	}
	if !slices.Contains(p.S.TypeDrivers, typ) {
		return seg, fault.InvalidInput("network_type value '%s' not supported", typ)
	}
	seg.Type = typ
	if !isML2Type(typ) {
		for _, k := range providerKeys[1:] {
			if v := body[k]; v != nil && v != "" {
				return seg, fault.InvalidInput("%s prohibited for %s provider network", strings.TrimPrefix(k, "provider:"), typ)
			}
		}
		return seg, nil
	}
	seg.Physnet, _ = body["provider:physical_network"].(string)
	if v := body["provider:segmentation_id"]; v != nil {
		n, ok := model.Int(v)
		if !ok || n < 0 || n > math.MaxInt32 {
			return seg, fault.InvalidInput("segmentation_id out of range")
		}
		seg.SegID, seg.HasID = int(n), true
	}
	cfg := p.ml2Config()
	if err := cfg.Validate(seg); err != nil {
		return seg, err
	}
	if seg.Partial() {
		ok, err := cfg.Allocate(ctx, tx, &seg)
		if err != nil {
			return seg, err
		}
		if !ok {
			return seg, fault.NoNetworkAvailable()
		}
		return seg, nil
	}
	return seg, ml2.Reserve(ctx, tx, seg)
}

// Create makes a network and its segment.
func (n *Networks) Create(ctx context.Context, tx *db.Tx, c *plugin.Caller, body db.Doc) (db.Doc, error) {
	p := n.p
	project := ownerOf(body)
	id, _ := body["id"].(string)
	if id == "" {
		id = plugin.NewID()
	}
	seg, err := p.segment(ctx, tx, body, ml2.Segment{ID: plugin.NewID(), NetworkID: id, ProjectID: project})
	if err != nil {
		return nil, err
	}
	mtu, _ := model.Int(body["mtu"])
	max := p.maxMTU(seg.Type, seg.Physnet)
	if mtu == 0 {
		mtu = int64(max)
	} else if mtu > int64(max) {
		return nil, fault.InvalidInput("Requested MTU is too big, maximum is %d", max)
	}
	sd := seg.Doc(0)
	d := plugin.Apply(body, db.Doc{
		"id": id, "status": "ACTIVE", "subnets": []any{}, "mtu": int(mtu),
		"provider:network_type": seg.Type, "provider:physical_network": sd["physical_network"], "provider:segmentation_id": sd["segmentation_id"],
	})
	if _, ok := d["router:external"]; !ok {
		d["router:external"] = false
	}
	plugin.Stamp(d, 1)
	if err := tx.Insert(ctx, "networks", d); err != nil {
		return nil, err
	}
	if err := tx.Insert(ctx, "segments", sd); err != nil {
		return nil, fmt.Errorf("core: segment of network %s: %w", id, err)
	}
	if _, err := p.ensureDefaultSG(ctx, tx, c, project); err != nil {
		return nil, err
	}
	return d, plugin.Journal(ctx, tx, c, journal.Create, "networks", d)
}

// Update changes a network.
func (n *Networks) Update(ctx context.Context, tx *db.Tx, c *plugin.Caller, cur, changes db.Doc) (db.Doc, error) {
	var changed []string
	for _, k := range providerKeys {
		if v, ok := changes[k]; ok && !sameValue(v, cur[k]) {
			changed = append(changed, k)
		}
	}
	if len(changed) > 0 {
		return nil, fault.InvalidInput("Plugin does not support updating the following provider network attributes: %s", strings.Join(changed, ", "))
	}
	if v, ok := changes["mtu"]; ok {
		mtu, _ := model.Int(v)
		max := n.p.maxMTU(plugin.Str(cur, "provider:network_type"), plugin.Str(cur, "provider:physical_network"))
		if mtu == 0 {
			changes["mtu"] = max
		} else if mtu > int64(max) {
			return nil, fault.InvalidInput("Requested MTU is too big, maximum is %d", max)
		}
		versions, err := subnetVersions(ctx, tx, plugin.Str(cur, "id"))
		if err != nil {
			return nil, err
		}
		if err := checkNetworkMTU(db.Doc{"id": cur["id"], "mtu": changes["mtu"]}, versions); err != nil {
			return nil, err
		}
	}
	if shared, ok := changes["shared"].(bool); ok && !shared && plugin.Bool(cur, "shared") {
		if err := n.checkUnshare(ctx, tx, cur); err != nil {
			return nil, err
		}
	}
	d := plugin.Apply(cur, changes)
	return d, plugin.Save(ctx, tx, c, "networks", d)
}

// Smallest MTUs a network with subnets of each IP version can carry (RFC 791, RFC 8200).
const (
	minMTUv4 = 68
	minMTUv6 = 1280
)

// checkNetworkMTU refuses a network MTU too small for subnets of the given IP versions, as
// Neutron does since 2023.2 (NetworkMTUSubnetConflict); 0 means "not set" and passes.
func checkNetworkMTU(net db.Doc, versions []int) error {
	mtu, _ := model.Int(net["mtu"])
	if mtu == 0 || mtu >= minMTUv6 || len(versions) == 0 {
		return nil
	}
	min := 0
	if mtu < minMTUv4 {
		min = minMTUv4
	} else if slices.Contains(versions, 6) {
		min = minMTUv6
	}
	if min == 0 {
		return nil
	}
	return fault.NetworkMTUSubnetConflict(plugin.Str(net, "id"), min)
}

// subnetVersions lists the IP version of each subnet of network id.
func subnetVersions(ctx context.Context, tx *db.Tx, id string) ([]int, error) {
	subs, err := tx.List(ctx, "subnets", db.Filter{ParentID: id})
	if err != nil {
		return nil, err
	}
	out := make([]int, 0, len(subs))
	for _, s := range subs {
		v, _ := model.Int(s["ip_version"])
		out = append(out, int(v))
	}
	return out, nil
}

// checkUnshare refuses to unshare a network (its wildcard RBAC entry goes) while projects
// other than its owner have ports or subnets on it that no entry for them covers (Neutron's
// _validate_shared_update: InvalidSharedSetting).
func (n *Networks) checkUnshare(ctx context.Context, tx *db.Tx, net db.Doc) error {
	id := plugin.Str(net, "id")
	allowed := map[string]bool{plugin.Str(net, "tenant_id"): true}
	for _, t := range plugin.SharedTargets(net) {
		if t != "*" {
			allowed[t] = true
		}
	}
	ports, err := tx.List(ctx, "ports", db.Filter{ParentID: id})
	if err != nil {
		return err
	}
	subnets, err := tx.List(ctx, "subnets", db.Filter{ParentID: id})
	if err != nil {
		return err
	}
	for _, d := range append(ports, subnets...) {
		if strings.HasPrefix(plugin.Str(d, "device_owner"), "network:") {
			continue
		}
		if !allowed[plugin.Str(d, "tenant_id")] {
			return fault.InvalidSharedSetting(id)
		}
	}
	return nil
}

// Delete removes a network, its subnets and its network-owned ports, refusing while any
// other port remains.
func (n *Networks) Delete(ctx context.Context, tx *db.Tx, c *plugin.Caller, cur db.Doc) error {
	id := plugin.Str(cur, "id")
	for _, f := range n.p.OnNetworkDelete {
		if err := f(ctx, tx, c, cur); err != nil {
			return err
		}
	}
	ports, err := tx.List(ctx, "ports", db.Filter{ParentID: id})
	if err != nil {
		return err
	}
	var inUse []string
	for _, pt := range ports {
		if plugin.Str(pt, "device_owner") != model.OwnerDHCP {
			inUse = append(inUse, plugin.Str(pt, "id"))
		}
	}
	if len(inUse) > 0 {
		sort.Strings(inUse)
		return fault.NetworkInUse(id, inUse)
	}
	for _, pt := range ports {
		if err := n.p.removePort(ctx, tx, c, pt); err != nil {
			return err
		}
	}
	subnets, err := tx.List(ctx, "subnets", db.Filter{ParentID: id})
	if err != nil {
		return err
	}
	for _, s := range subnets {
		if err := plugin.Remove(ctx, tx, c, "subnets", s); err != nil {
			return err
		}
	}
	if err := removeSegments(ctx, tx, id); err != nil {
		return err
	}
	return plugin.Remove(ctx, tx, c, "networks", cur)
}

// removeSegments deletes a network's segments and frees their ids.
func removeSegments(ctx context.Context, tx *db.Tx, networkID string) error {
	segs, err := tx.List(ctx, "segments", db.Filter{ParentID: networkID})
	if err != nil {
		return fmt.Errorf("core: segments of network %s: %w", networkID, err)
	}
	for _, s := range segs {
		if err := ml2.Release(ctx, tx, plugin.Str(s, "id")); err != nil {
			return err
		}
		if _, err := tx.Delete(ctx, "segments", plugin.Str(s, "id")); err != nil {
			return err
		}
	}
	return nil
}

// List returns networks.
func (n *Networks) List(ctx context.Context, tx *db.Tx, c *plugin.Caller, f map[string][]string) ([]db.Doc, error) {
	return tx.List(ctx, "networks", db.FilterOf(f))
}

func sameValue(a, b any) bool {
	if x, ok := model.Int(a); ok {
		y, ok2 := model.Int(b)
		return ok2 && x == y
	}
	return a == b
}

// ListsStored: List returns the stored networks (plugin.StoredLister).
func (n *Networks) ListsStored() {}
