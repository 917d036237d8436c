// Package addrgroup is Neutron's address-group extension: named sets of CIDRs a project keeps
// (/v2.0/address-groups with add_addresses and remove_addresses), which security-group rules
// name as their remote end (security-groups-remote-address-group) and RBAC policies share
// with other projects (rbac-address-group). Addresses are normalised to their network
// ("192.168.0.10/24" is 192.168.0.0/24). Each group is translated into a MidoNet IP address
// group holding its prefixes, which the rule conditions match. See README.md.
package addrgroup

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/netip"
	"slices"
	"strings"

	"github.com/midonet-go/midonet/internal/cluster/translate"
	"github.com/midonet-go/midonet/internal/db"
	"github.com/midonet-go/midonet/internal/fault"
	"github.com/midonet-go/midonet/internal/plugin"
	"github.com/midonet-go/midonet/internal/plugin/stored"
	"github.com/midonet-go/midonet/internal/policy"
	"github.com/midonet-go/midonet/internal/resource"
	"github.com/midonet-go/midonet/internal/topology"
)

// Service is the extension as internal/app wires it.
func Service() plugin.Service {
	return plugin.Service{
		Name:      "addrgroup",
		Resources: []*resource.Resource{AddressGroups},
		Extensions: []resource.Extension{
			{Alias: "address-group", Name: "Address group", Description: "Support address group", Updated: "2020-07-15T10:00:00-00:00"},
			{Alias: "security-groups-remote-address-group", Name: "Remote address group id field for security group rules", Description: "Add new field of remote address group id in SG rules", Updated: "2020-08-25T10:00:00-00:00"},
			{Alias: "rbac-address-group", Name: "Add address_group type to RBAC", Description: "Add address_group type to RBAC", Updated: "2021-02-22T00:00:00-00:00"},
		},
		Translators: translate.Translators{AddressGroups.Collection: {Owned: groupObjects}},
		Policies:    PolicyRules,
		Collections: func(plugin.Deps) []plugin.Collection { return []plugin.Collection{New()} },
	}
}

// AddressGroups is /v2.0/address-groups: a standard-attribute resource.
var AddressGroups = &resource.Resource{
	Collection: "address_groups", Member: "address_group", Path: "address-groups", PagerMarker: true,
	DataType: "ADDRESSGROUP", Translate: 13, RBAC: "address_group",
	NotFound: func(id string) *fault.Fault {
		return fault.New(http.StatusNotFound, "AddressGroupNotFound", "Address group %s could not be found.", id)
	},
	Attrs: append(untagged(resource.StandardAttrs()),
		&resource.Attr{Name: "name", Post: true, Put: true, Validate: resource.String(255), Default: ""},
		&resource.Attr{Name: "addresses", Post: true, Convert: noneToEmpty, Validate: cidrList, Default: []any{}, NoSort: true, NoFilter: true},
		// shared: whether RBAC policies share the group with the caller (never shown, as in
		// Neutron; the get policy reads it).
		&resource.Attr{Name: "shared", Hidden: true},
		&resource.Attr{Name: resource.RBACShared, Hidden: true},
	),
}

// untagged drops tags (address groups are not among the tag extension's resources).
func untagged(attrs []*resource.Attr) []*resource.Attr {
	return slices.DeleteFunc(attrs, func(a *resource.Attr) bool { return a.Name == "tags" })
}

// PolicyRules are Neutron's address-group defaults.
var PolicyRules = []policy.Rule{
	{Name: "create_address_group", Check: "rule:admin_or_owner", Description: "Create an address group", Operations: policy.Post("/address-groups")},
	{Name: "get_address_group", Check: "rule:admin_or_owner or field:address_groups:shared=True", Description: "Get an address group (own, or shared with the project through RBAC)", Operations: policy.Get("/address-groups", "/address-groups/{id}")},
	{Name: "update_address_group", Check: "rule:admin_or_owner", Description: "Update an address group", Operations: policy.Put("/address-groups/{id}")},
	{Name: "delete_address_group", Check: "rule:admin_or_owner", Description: "Delete an address group", Operations: policy.Delete("/address-groups/{id}")},
	{Name: "add_addresses", Check: "rule:admin_or_owner", Description: "Add addresses to an address group", Operations: policy.Put("/address-groups/{id}/add_addresses")},
	{Name: "remove_addresses", Check: "rule:admin_or_owner", Description: "Remove addresses from an address group", Operations: policy.Put("/address-groups/{id}/remove_addresses")},
}

func noneToEmpty(v any) (any, error) {
	if v == nil {
		return []any{}, nil
	}
	return v, nil
}

// cidrList validates a list of CIDRs with their prefix length (neutron-lib's subnet_list).
func cidrList(v any) string {
	l, ok := v.([]any)
	if !ok {
		return fmt.Sprintf("%s is not a list", resource.Repr(v))
	}
	for _, a := range l {
		if _, err := parse(a); err != nil {
			return err.Error()
		}
	}
	return ""
}

// parse reads one address: a CIDR with its length, normalised to the network.
func parse(a any) (netip.Prefix, error) {
	s, _ := a.(string)
	if !strings.Contains(s, "/") {
		return netip.Prefix{}, fmt.Errorf("'%v' is not a valid IP subnet", a)
	}
	return parseLoose(a)
}

// parseLoose also takes a bare address, as one host (the actions read addresses the way
// Neutron's netaddr does).
func parseLoose(a any) (netip.Prefix, error) {
	s, _ := a.(string)
	if !strings.Contains(s, "/") {
		if ip, err := netip.ParseAddr(s); err == nil {
			return netip.PrefixFrom(ip, ip.BitLen()), nil
		}
	}
	p, err := netip.ParsePrefix(s)
	if err != nil {
		return netip.Prefix{}, fmt.Errorf("'%v' is not a valid IP subnet", a)
	}
	return p.Masked(), nil
}

// normalise returns the addresses as their networks, without duplicates, in order.
func normalise(l []any) []any {
	out := []any{}
	for _, a := range l {
		p, err := parseLoose(a)
		if err == nil && !slices.Contains(out, any(p.String())) {
			out = append(out, p.String())
		}
	}
	return out
}

// Collection is the address-group collection. Every write is journaled: the cluster keeps
// each group as an IP address group of its prefixes. A group is stored with its addresses
// normalised; its name or description change (addresses change through the actions); it
// goes when no security-group rule names it (AddressGroupInUse, 409, otherwise).
type Collection struct{ stored.Collection }

// New returns the address-group collection.
func New() Collection {
	return Collection{stored.Collection{Res: AddressGroups, Standard: true,
		Prepare: func(_ context.Context, _ *db.Tx, _ *plugin.Caller, d db.Doc) error {
			l, _ := d["addresses"].([]any)
			d["addresses"] = normalise(l)
			return nil
		},
		Refuse: func(ctx context.Context, tx *db.Tx, _ *plugin.Caller, cur db.Doc) error {
			id := plugin.Str(cur, "id")
			users, err := RuleProjects(ctx, tx, id)
			if err != nil {
				return err
			}
			if len(users) > 0 {
				return fault.New(http.StatusConflict, "AddressGroupInUse", "Address group %s is in use on one or more security group rules.", id)
			}
			return nil
		}}}
}

// RuleProjects are the projects whose security-group rules name the address group id as
// their remote end.
func RuleProjects(ctx context.Context, tx *db.Tx, id string) (map[string]bool, error) {
	rules, err := tx.ListBy(ctx, "security_group_rules", "remote_address_group_id", id)
	if err != nil {
		return nil, fmt.Errorf("addrgroup: rules naming %s: %w", id, err)
	}
	out := map[string]bool{}
	for _, r := range rules {
		if plugin.Str(r, "remote_address_group_id") == id {
			out[plugin.Str(r, "tenant_id")] = true
		}
	}
	return out, nil
}

// groupObjects translates a group into a MidoNet IP address group holding its prefixes.
func groupObjects(w *translate.World, id string) []topology.Object {
	d := w.Get(AddressGroups.Collection, id)
	if d == nil {
		return nil
	}
	var g struct {
		ID        string   `json:"id"`
		Name      string   `json:"name"`
		Addresses []string `json:"addresses"`
	}
	b, err := json.Marshal(d)
	if err != nil || json.Unmarshal(b, &g) != nil || g.ID == "" {
		return nil
	}
	o := &topology.IPAddrGroup{Meta: topology.Meta{ID: g.ID}, Name: g.Name}
	for _, a := range g.Addresses {
		if p, err := netip.ParsePrefix(a); err == nil {
			o.Prefixes = append(o.Prefixes, p.Masked().String())
		}
	}
	return []topology.Object{o}
}

// ActionMethod names the actions: add_addresses and remove_addresses, both PUT.
func (Collection) ActionMethod(action string) string {
	if action == "add_addresses" || action == "remove_addresses" {
		return http.MethodPut
	}
	return ""
}

// Action adds or removes addresses: every one must be a CIDR (400 otherwise), and every one
// removed must be in the group (AddressesNotFound, 404); nothing changes unless all are fine.
func (Collection) Action(ctx context.Context, tx *db.Tx, c *plugin.Caller, cur db.Doc, action string, body map[string]any) (any, error) {
	raw, ok := body["addresses"].([]any)
	if !ok {
		return nil, fault.BadRequest("Invalid input: addresses must be a list of CIDRs")
	}
	for _, a := range raw {
		if _, err := parseLoose(a); err != nil {
			return nil, fault.InvalidInput("%s", err.Error())
		}
	}
	have, _ := cur["addresses"].([]any)
	change := normalise(raw)
	switch action {
	case "add_addresses":
		cur["addresses"] = normalise(append(slices.Clone(have), change...))
	case "remove_addresses":
		var missing []string
		for _, a := range change {
			if !slices.Contains(have, a) {
				missing = append(missing, a.(string))
			}
		}
		if len(missing) > 0 {
			return nil, fault.New(http.StatusNotFound, "AddressesNotFound", "Addresses %s not found in the address group %s.",
				"['"+strings.Join(missing, "', '")+"']", plugin.Str(cur, "id"))
		}
		kept := []any{}
		for _, a := range have {
			if !slices.Contains(change, a) {
				kept = append(kept, a)
			}
		}
		cur["addresses"] = kept
	default:
		return nil, fault.HTTPNotFound()
	}
	if err := plugin.Save(ctx, tx, c, AddressGroups.Collection, cur); err != nil {
		return nil, err
	}
	return map[string]any{"address_group": cur}, nil
}
