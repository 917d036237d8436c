// Package ipavail is Neutron's network-ip-availability extension: for each network, how many
// addresses its subnets' allocation pools hold and how many ports use, per subnet and in
// all (admin only by policy). Read only; computed from the networks, subnets and ports.
package ipavail

import (
	"context"
	"encoding/json"
	"math/big"
	"net/netip"
	"strconv"

	"github.com/midonet-go/midonet/internal/db"
	"github.com/midonet-go/midonet/internal/fault"
	"github.com/midonet-go/midonet/internal/model"
	"github.com/midonet-go/midonet/internal/plugin"
	"github.com/midonet-go/midonet/internal/resource"
)

// Service is the extension as internal/app wires it.
func Service() plugin.Service {
	return plugin.Service{
		Name:           "ipavail",
		ServicePlugins: []string{"network_ip_availability", "neutron.services.network_ip_availability.plugin.NetworkIPAvailabilityPlugin"},
		AlwaysLoaded:   true,
		Resources:      []*resource.Resource{Availabilities},
		Extensions:     []resource.Extension{{Alias: "network-ip-availability", Name: "Network IP Availability", Description: "Provides IP availability data for each network and subnet.", Updated: "2015-09-24T00:00:00-00:00"}},
		Collections:    func(plugin.Deps) []plugin.Collection { return []plugin.Collection{Collection{}} },
	}
}

// Availabilities is /v2.0/network-ip-availabilities.
var Availabilities = &resource.Resource{
	Collection: "network_ip_availabilities", Member: "network_ip_availability", Path: "network-ip-availabilities",
	NotFound: fault.NetworkNotFound,
	Attrs: []*resource.Attr{
		{Name: "network_id"}, {Name: "network_name"}, {Name: "tenant_id"}, {Name: "project_id"},
		{Name: "total_ips", NoFilter: true}, {Name: "used_ips", NoFilter: true},
		{Name: "subnet_ip_availability", NoSort: true, NoFilter: true},
		// ip_version only narrows a list to the subnets of one version.
		{Name: "ip_version", Convert: resource.ToInt, FilterOnly: true},
	},
}

// Collection computes the availabilities.
type Collection struct{ plugin.ReadOnly }

// Resource describes them.
func (Collection) Resource() *resource.Resource { return Availabilities }

// Get is one network's availability.
func (Collection) Get(ctx context.Context, tx *db.Tx, id string) (db.Doc, error) {
	n, err := tx.Get(ctx, "networks", id)
	if err != nil || n == nil {
		return nil, err
	}
	return availability(ctx, tx, n, 0)
}

// List is every network's, or with ip_version only the subnets of that version.
func (Collection) List(ctx context.Context, tx *db.Tx, _ *plugin.Caller, f map[string][]string) ([]db.Doc, error) {
	version := 0
	if v := f["ip_version"]; len(v) == 1 {
		version, _ = strconv.Atoi(v[0])
	}
	h := db.Filter{}
	if ids := f["network_id"]; len(ids) > 0 {
		h.IDs = ids
	}
	nets, err := tx.List(ctx, "networks", h)
	if err != nil {
		return nil, err
	}
	out := make([]db.Doc, 0, len(nets))
	for _, n := range nets {
		d, err := availability(ctx, tx, n, version)
		if err != nil {
			return nil, err
		}
		if version != 0 && len(d["subnet_ip_availability"].([]any)) == 0 {
			continue
		}
		out = append(out, d)
	}
	return out, nil
}

// availability counts one network: pool sizes (as big numbers: an IPv6 pool exceeds 64 bits)
// and the fixed IPs of its ports, per subnet.
func availability(ctx context.Context, tx *db.Tx, n db.Doc, version int) (db.Doc, error) {
	netID := plugin.Str(n, "id")
	subs, err := tx.List(ctx, "subnets", db.Filter{ParentID: netID})
	if err != nil {
		return nil, err
	}
	ports, err := tx.List(ctx, "ports", db.Filter{ParentID: netID})
	if err != nil {
		return nil, err
	}
	used := map[string]int{}
	for _, p := range ports {
		ips, _ := p["fixed_ips"].([]any)
		for _, ip := range ips {
			if m, ok := ip.(map[string]any); ok {
				used[plugin.Str(m, "subnet_id")]++
			}
		}
	}
	total, usedAll := new(big.Int), 0
	perSubnet := []any{}
	for _, s := range subs {
		if v, _ := model.Int(s["ip_version"]); version != 0 && v != int64(version) {
			continue
		}
		size := poolSize(s)
		id := plugin.Str(s, "id")
		total.Add(total, size)
		usedAll += used[id]
		perSubnet = append(perSubnet, map[string]any{"subnet_id": id, "subnet_name": s["name"], "cidr": s["cidr"],
			"ip_version": s["ip_version"], "total_ips": json.Number(size.String()), "used_ips": used[id]})
	}
	return db.Doc{"network_id": netID, "network_name": n["name"], "tenant_id": n["tenant_id"], "project_id": n["tenant_id"],
		"total_ips": json.Number(total.String()), "used_ips": usedAll, "subnet_ip_availability": perSubnet}, nil
}

// poolSize is the number of addresses in a subnet's allocation pools.
func poolSize(s db.Doc) *big.Int {
	sum := new(big.Int)
	pools, _ := s["allocation_pools"].([]any)
	for _, p := range pools {
		m, ok := p.(map[string]any)
		if !ok {
			continue
		}
		start, err1 := netip.ParseAddr(plugin.Str(m, "start"))
		end, err2 := netip.ParseAddr(plugin.Str(m, "end"))
		if err1 != nil || err2 != nil || start.BitLen() != end.BitLen() {
			continue
		}
		a := new(big.Int).SetBytes(start.AsSlice())
		b := new(big.Int).SetBytes(end.AsSlice())
		if b.Cmp(a) < 0 {
			continue
		}
		sum.Add(sum, b.Sub(b, a).Add(b, big.NewInt(1)))
	}
	return sum
}
