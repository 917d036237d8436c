package core

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/midonet-go/midonet/internal/db"
	"github.com/midonet-go/midonet/internal/fault"
	"github.com/midonet-go/midonet/internal/journal"
	"github.com/midonet-go/midonet/internal/model"
	"github.com/midonet-go/midonet/internal/plugin"
	"github.com/midonet-go/midonet/internal/resource"
)

// SecurityGroups is the security group collection.
type SecurityGroups struct{ p *Plugin }

// HasDefaults reports whether a project has its default group (plugin.ProjectDefaults).
func (sg *SecurityGroups) HasDefaults(ctx context.Context, tx *db.Tx, project string) (bool, error) {
	return HasDefaultSG(ctx, tx, project)
}

// MakeDefaults makes a project's default group (plugin.ProjectDefaults).
func (sg *SecurityGroups) MakeDefaults(ctx context.Context, tx *db.Tx, c *plugin.Caller, project string) error {
	return sg.p.EnsureDefaultSG(ctx, tx, c, project)
}

// Resource describes security groups.
func (s *SecurityGroups) Resource() *resource.Resource { return resource.SecurityGroups }

// SecurityGroupRules is the rule collection.
type SecurityGroupRules struct{ p *Plugin }

// Resource describes rules.
func (s *SecurityGroupRules) Resource() *resource.Resource { return resource.SecurityGroupRules }

// ensureDefaultSG returns the project's default group, creating it (with upstream's four
// default rules) the first time. A row in default_security_groups makes it one per project
// even when several servers race.
func (p *Plugin) ensureDefaultSG(ctx context.Context, tx *db.Tx, c *plugin.Caller, project string) (string, error) {
	if project == "" {
		return "", nil
	}
	var id string
	err := tx.QueryRow(ctx, "SELECT security_group_id FROM default_security_groups WHERE project_id = ?", project).Scan(&id)
	if err == nil {
		return id, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("core: default security group of %s: %w", project, err)
	}
	id = plugin.NewID()
	ok, err := tx.InsertIgnore(ctx, "INSERT INTO default_security_groups (project_id, security_group_id) VALUES (?, ?)", project, id)
	if err != nil {
		return "", fmt.Errorf("core: record default security group: %w", err)
	}
	if !ok {
		err := tx.QueryRow(ctx, "SELECT security_group_id FROM default_security_groups WHERE project_id = ?", project).Scan(&id)
		return id, err
	}
	sg := db.Doc{"id": id, "name": "default", "description": "Default security group", "tenant_id": project, "project_id": project, "stateful": true}
	plugin.Stamp(sg, 1)
	if err := tx.Insert(ctx, "security_groups", sg); err != nil {
		return "", err
	}
	rules := []db.Doc{
		{"direction": "egress", "ethertype": "IPv4"}, {"direction": "egress", "ethertype": "IPv6"},
		{"direction": "ingress", "ethertype": "IPv4", "remote_group_id": id}, {"direction": "ingress", "ethertype": "IPv6", "remote_group_id": id},
	}
	if err := p.insertServerRules(ctx, tx, c, sg, rules); err != nil {
		return "", err
	}
	return id, plugin.Journal(ctx, tx, c, journal.Create, "security_groups", sg)
}

// insertServerRules stores rules the server creates itself (description null, as upstream).
func (p *Plugin) insertServerRules(ctx context.Context, tx *db.Tx, c *plugin.Caller, sg db.Doc, rules []db.Doc) error {
	for _, r := range rules {
		d := db.Doc{
			"security_group_id": sg["id"], "tenant_id": sg["tenant_id"], "project_id": sg["project_id"],
			"description": nil, "protocol": nil, "port_range_min": nil, "port_range_max": nil,
			"remote_ip_prefix": nil, "remote_group_id": nil, "remote_address_group_id": nil, "normalized_cidr": nil,
		}
		for k, v := range r {
			d[k] = v
		}
		if err := p.insertRule(ctx, tx, c, d); err != nil {
			return err
		}
	}
	return nil
}

func (p *Plugin) insertRule(ctx context.Context, tx *db.Tx, c *plugin.Caller, d db.Doc) error {
	plugin.Stamp(d, 0)
	sid, err := tx.NextStandardAttrID(ctx, "security_group_rules")
	if err != nil {
		return fmt.Errorf("core: standard attr id: %w", err)
	}
	d["standard_attr_id"] = sid
	return plugin.Add(ctx, tx, c, "security_group_rules", d)
}

// sgHints remembers the id of each project's default security group. A port created without
// groups reads its project's default group anyway (the caller must see it), so the hint
// spares the lookup before that read, and the read checks the hint: a stale one (the group
// deleted here or by another server, or made by a transaction that rolled back) costs the
// lookup it would have saved, never a wrong answer.
type sgHints struct {
	mu  sync.Mutex
	ids map[string]string // project → group id
}

// maxSGHints bounds the hints; past it they start over.
const maxSGHints = 1 << 16

func (h *sgHints) get(project string) string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.ids[project]
}

func (h *sgHints) put(project, id string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.ids == nil || len(h.ids) >= maxSGHints {
		h.ids = make(map[string]string)
	}
	h.ids[project] = id
}

// drop forgets a hint that turned out stale, unless another request replaced it meanwhile.
func (h *sgHints) drop(project, id string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.ids[project] == id {
		delete(h.ids, project)
	}
}

// portDefaultSG returns the id of the default group of a port's project, made if need be,
// and the group as the caller may see it (nil when the caller may not see it, as
// plugin.FetchShared has it).
func (p *Plugin) portDefaultSG(ctx context.Context, tx *db.Tx, c *plugin.Caller, project string) (string, db.Doc, error) {
	if id := p.defaultSGs.get(project); id != "" {
		sg, err := fetchGroup(ctx, tx, c, id)
		if err != nil || sg != nil {
			return id, sg, err
		}
		p.defaultSGs.drop(project, id) // gone, or not seen: look it up
	}
	id, err := p.ensureDefaultSG(ctx, tx, c, project)
	if err != nil || id == "" {
		return id, nil, err
	}
	sg, err := fetchGroup(ctx, tx, c, id)
	if sg != nil {
		p.defaultSGs.put(project, id)
	}
	return id, sg, err
}

// fetchGroup reads a security group for a port: nil when it is gone or the caller may not
// see it.
func fetchGroup(ctx context.Context, tx *db.Tx, c *plugin.Caller, id string) (db.Doc, error) {
	sg, err := plugin.FetchShared(ctx, tx, c, "security_groups", id)
	if _, answered := fault.As(err); err != nil && answered {
		return nil, nil
	}
	return sg, err
}

// EnsureDefaultSG is ensureDefaultSG for the API layer (listing a project's groups creates
// its default one, as upstream does).
func (p *Plugin) EnsureDefaultSG(ctx context.Context, tx *db.Tx, c *plugin.Caller, project string) error {
	_, err := p.ensureDefaultSG(ctx, tx, c, project)
	return err
}

// HasDefaultSG reports whether the project's default group exists.
func HasDefaultSG(ctx context.Context, tx *db.Tx, project string) (bool, error) {
	var id string
	err := tx.QueryRow(ctx, "SELECT security_group_id FROM default_security_groups WHERE project_id = ?", project).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

// Create makes a security group with the two default egress rules.
func (s *SecurityGroups) Create(ctx context.Context, tx *db.Tx, c *plugin.Caller, body db.Doc) (db.Doc, error) {
	p := s.p
	project := ownerOf(body)
	defID, err := p.ensureDefaultSG(ctx, tx, c, project)
	if err != nil {
		return nil, err
	}
	if plugin.Str(body, "name") == "default" && defID != "" {
		return nil, fault.SecurityGroupDefaultAlreadyExists()
	}
	d := plugin.Copy(body)
	plugin.Stamp(d, 1)
	if err := tx.Insert(ctx, "security_groups", d); err != nil {
		return nil, err
	}
	if err := p.insertServerRules(ctx, tx, c, d, []db.Doc{{"direction": "egress", "ethertype": "IPv4"}, {"direction": "egress", "ethertype": "IPv6"}}); err != nil {
		return nil, err
	}
	return d, plugin.Journal(ctx, tx, c, journal.Create, "security_groups", d)
}

func isDefaultSG(ctx context.Context, tx *db.Tx, sg db.Doc) (bool, error) {
	var id string
	err := tx.QueryRow(ctx, "SELECT security_group_id FROM default_security_groups WHERE project_id = ?", plugin.Str(sg, "tenant_id")).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return id == plugin.Str(sg, "id"), err
}

// Update renames or re-describes a group; the default group keeps its name.
func (s *SecurityGroups) Update(ctx context.Context, tx *db.Tx, c *plugin.Caller, cur, changes db.Doc) (db.Doc, error) {
	if name, ok := changes["name"]; ok && name != cur["name"] {
		def, err := isDefaultSG(ctx, tx, cur)
		if err != nil {
			return nil, err
		}
		if def {
			return nil, fault.SecurityGroupCannotUpdateDefault()
		}
		// The name "default" belongs to the project's default group (neutron's
		// name_not_default validator).
		if n, _ := name.(string); strings.EqualFold(n, "default") {
			return nil, fault.SecurityGroupDefaultAlreadyExists()
		}
	}
	was, set := cur["stateful"].(bool)
	if v, ok := changes["stateful"].(bool); ok && v != (was || !set) { // groups made before the attribute are stateful
		// The ports' filters follow the group's statefulness only as they are made: a group
		// in use keeps it (SecurityGroupInUse), as Neutron refuses.
		inUse, err := groupInUse(ctx, tx, plugin.Str(cur, "id"))
		if err != nil {
			return nil, err
		}
		if inUse {
			return nil, fault.SecurityGroupInUse(plugin.Str(cur, "id"))
		}
	}
	d := plugin.Apply(cur, changes)
	return d, plugin.Save(ctx, tx, c, "security_groups", d)
}

// groupInUse reports whether any port has the group.
func groupInUse(ctx context.Context, tx *db.Tx, id string) (bool, error) {
	return tx.AnyBy(ctx, "ports", "security_groups", id)
}

// Delete removes a group that no port uses; only an admin removes a default group.
func (s *SecurityGroups) Delete(ctx context.Context, tx *db.Tx, c *plugin.Caller, cur db.Doc) error {
	id := plugin.Str(cur, "id")
	def, err := isDefaultSG(ctx, tx, cur)
	if err != nil {
		return err
	}
	if def && !c.IsAdmin {
		return fault.SecurityGroupCannotRemoveDefault()
	}
	if inUse, err := groupInUse(ctx, tx, id); err != nil {
		return err
	} else if inUse {
		return fault.SecurityGroupInUse(id)
	}
	rules, err := tx.ListBy(ctx, "security_group_rules", "security_group_id", id)
	if err != nil {
		return err
	}
	remote, err := tx.ListBy(ctx, "security_group_rules", "remote_group_id", id)
	if err != nil {
		return err
	}
	for _, r := range remote {
		if plugin.Str(r, "security_group_id") != id { // the group's own are listed already
			rules = append(rules, r)
		}
	}
	touched := map[string]bool{}
	for _, r := range rules {
		owner := plugin.Str(r, "security_group_id")
		if owner == id || plugin.Str(r, "remote_group_id") == id {
			if err := plugin.Remove(ctx, tx, c, "security_group_rules", r); err != nil {
				return err
			}
			if owner != id {
				touched[owner] = true
			}
		}
	}
	// Other groups that lost a rule naming this one as remote group change too.
	for gid := range touched {
		g, err := tx.Get(ctx, "security_groups", gid)
		if err != nil {
			return err
		}
		if g != nil {
			if err := s.p.touchGroup(ctx, tx, c, g); err != nil {
				return err
			}
		}
	}
	if def {
		if _, err := tx.Exec(ctx, "DELETE FROM default_security_groups WHERE security_group_id = ?", id); err != nil {
			return err
		}
	}
	return plugin.Remove(ctx, tx, c, "security_groups", cur)
}

// List returns groups. Rules are embedded by Expand.
func (s *SecurityGroups) List(ctx context.Context, tx *db.Tx, c *plugin.Caller, f map[string][]string) ([]db.Doc, error) {
	return tx.List(ctx, "security_groups", db.FilterOf(f))
}

// ListsStored: List returns the stored groups (plugin.StoredLister).
func (s *SecurityGroups) ListsStored() {}

// expandByParent is the most groups whose rules Expand reads by their parent ids.
const expandByParent = 500

// Expand embeds each group's rules (with standard_attr_id, as upstream shows them).
func (s *SecurityGroups) Expand(ctx context.Context, tx *db.Tx, groups []db.Doc) error {
	if len(groups) == 0 {
		return nil
	}
	// The groups' own rules through the (kind, parent_id) index; every rule there is when
	// the groups are many (an admin's list of all groups).
	f := db.Filter{}
	if len(groups) <= expandByParent {
		f.ParentIDs = make([]string, len(groups))
		for i, g := range groups {
			f.ParentIDs[i] = plugin.Str(g, "id")
		}
	}
	rules, err := tx.List(ctx, "security_group_rules", f)
	if err != nil {
		return err
	}
	by := map[string][]any{}
	for _, r := range rules {
		sid := plugin.Str(r, "security_group_id")
		by[sid] = append(by[sid], map[string]any(r))
	}
	for _, g := range groups {
		l := by[plugin.Str(g, "id")]
		if l == nil {
			l = []any{}
		}
		g["security_group_rules"] = l
	}
	return nil
}

// protocols are the names Neutron accepts, with their numbers.
var protocols = map[string]int{
	"ah": 51, "dccp": 33, "egp": 8, "esp": 50, "gre": 47, "hopopt": 0, "icmp": 1, "igmp": 2, "ip": 0,
	"ipip": 4, "ipv6-encap": 41, "ipv6-frag": 44, "ipv6-icmp": 58, "icmpv6": 58, "ipv6-nonxt": 59,
	"ipv6-opts": 60, "ipv6-route": 43, "ospf": 89, "pgm": 113, "rsvp": 46, "sctp": 132, "tcp": 6,
	"udp": 17, "udplite": 136, "vrrp": 112,
}

const protocolList = "[None, 'ah', 'dccp', 'egp', 'esp', 'gre', 'hopopt', 'icmp', 'igmp', 'ip', 'ipip', 'ipv6-encap', 'ipv6-frag', 'ipv6-icmp', 'icmpv6', 'ipv6-nonxt', 'ipv6-opts', 'ipv6-route', 'ospf', 'pgm', 'rsvp', 'sctp', 'tcp', 'udp', 'udplite', 'vrrp'] and integer representations [0 to 255] are supported."

// ProtocolNumber resolves a rule protocol ("" and nil mean any: -1).
func ProtocolNumber(v any) int {
	s, _ := v.(string)
	if s == "" {
		return -1
	}
	if n, ok := protocols[s]; ok {
		return n
	}
	if n, ok := model.Int(s); ok {
		return int(n)
	}
	return -2
}

// Create adds a rule after upstream's checks, refusing duplicates.
func (s *SecurityGroupRules) Create(ctx context.Context, tx *db.Tx, c *plugin.Caller, body db.Doc) (db.Doc, error) {
	p := s.p
	d := plugin.Copy(body)
	sgID := plugin.Str(d, "security_group_id")
	sg, err := tx.Get(ctx, "security_groups", sgID)
	if err != nil {
		return nil, err
	}
	if sg == nil {
		return nil, fault.SecurityGroupNotFound(sgID)
	}
	if err := validateRule(d); err != nil {
		return nil, err
	}
	if rg := plugin.Str(d, "remote_group_id"); rg != "" {
		// Neutron's _check_security_group: the remote group must be one the caller sees
		// (another project's answers SecurityGroupNotFound, as a missing one does).
		if _, err := plugin.Fetch(ctx, tx, c, "security_groups", rg); err != nil {
			return nil, err
		}
	}
	if ag := plugin.Str(d, "remote_address_group_id"); ag != "" {
		// Neutron's _check_address_group: an address group the caller sees (a group shared
		// with the project by an RBAC policy counts), else AddressGroupNotFound.
		if _, err := plugin.Fetch(ctx, tx, c, "address_groups", ag); err != nil {
			return nil, err
		}
	}
	siblings, err := tx.List(ctx, "security_group_rules", db.Filter{ParentID: sgID})
	if err != nil {
		return nil, err
	}
	for _, o := range siblings {
		if sameRule(o, d) {
			return nil, fault.SecurityGroupRuleExists(plugin.Str(o, "id"))
		}
	}
	if err := p.insertRule(ctx, tx, c, d); err != nil {
		return nil, err
	}
	return d, p.touchGroup(ctx, tx, c, sg)
}

// touchGroup bumps a group's revision when its rules change, as upstream does.
func (p *Plugin) touchGroup(ctx context.Context, tx *db.Tx, c *plugin.Caller, sg db.Doc) error {
	return plugin.Save(ctx, tx, c, "security_groups", sg)
}

// ipv6Only are the protocols neutron refuses with ethertype IPv4 (ipv6-encap, -route, -frag,
// -icmp, -nonxt, -opts), by number.
var ipv6Only = map[int]bool{41: true, 43: true, 44: true, 58: true, 59: true, 60: true}

// validateRule applies upstream's rule checks and fills normalized_cidr.
func validateRule(d db.Doc) error {
	eth, _ := d["ethertype"].(string)
	if eth != "IPv4" && eth != "IPv6" {
		return fault.SecurityGroupRuleInvalidEtherType(d["ethertype"])
	}
	proto := ProtocolNumber(d["protocol"])
	if proto == -2 || proto > 255 || proto < -1 {
		return fault.SecurityGroupRuleInvalidProtocol(d["protocol"], protocolList)
	}
	if eth == "IPv4" && ipv6Only[proto] {
		return fault.SecurityGroupEthertypeConflictWithProtocol(eth, d["protocol"])
	}
	remotes := 0
	for _, k := range []string{"remote_ip_prefix", "remote_group_id", "remote_address_group_id"} {
		if d[k] != nil {
			remotes++
		}
	}
	if remotes > 1 {
		return fault.SecurityGroupMultipleRemoteEntites()
	}
	d["normalized_cidr"] = nil
	if v := d["remote_ip_prefix"]; v != nil {
		s, _ := v.(string)
		pfx, ok := resource.ParsePrefix(s)
		if !ok {
			return fault.BadRequest("Invalid input for remote_ip_prefix. Reason: %s is not a valid IP subnet.", resource.Repr(v))
		}
		if (eth == "IPv4") != pfx.Addr().Is4() {
			return fault.SecurityGroupRuleParameterConflict(eth, s)
		}
		d["normalized_cidr"] = pfx.Masked().String()
	}
	minV, hasMin := model.Int(d["port_range_min"])
	maxV, hasMax := model.Int(d["port_range_max"])
	if (hasMin || hasMax) && proto < 0 {
		return fault.SecurityGroupProtocolRequiredWithPorts()
	}
	switch proto {
	case 6, 17, 33, 132, 136:
		for _, v := range []struct {
			n   int64
			has bool
		}{{minV, hasMin}, {maxV, hasMax}} {
			if v.has && (v.n < 1 || v.n > 65535) {
				return fault.SecurityGroupInvalidPortValue(v.n)
			}
		}
		if hasMax && (!hasMin || minV > maxV) {
			return fault.SecurityGroupInvalidPortRange()
		}
	case 1, 58:
		for _, v := range []struct {
			n    int64
			has  bool
			name string
			attr string
		}{{minV, hasMin, "type", "port_range_min"}, {maxV, hasMax, "code", "port_range_max"}} {
			if v.has && (v.n < 0 || v.n > 255) {
				return fault.SecurityGroupInvalidIcmpValue(v.name, v.attr, v.n)
			}
		}
		if hasMax && !hasMin {
			return fault.SecurityGroupMissingIcmpType(maxV)
		}
	}
	return nil
}

// sameRule compares the matching fields of two rules.
func sameRule(a, b db.Doc) bool {
	for _, k := range []string{"direction", "ethertype", "remote_group_id", "remote_address_group_id"} {
		if plugin.Str(a, k) != plugin.Str(b, k) {
			return false
		}
	}
	if ProtocolNumber(a["protocol"]) != ProtocolNumber(b["protocol"]) {
		return false
	}
	for _, k := range []string{"port_range_min", "port_range_max"} {
		x, okx := model.Int(a[k])
		y, oky := model.Int(b[k])
		if okx != oky || x != y {
			return false
		}
	}
	return normCIDR(a) == normCIDR(b)
}

func normCIDR(d db.Doc) string {
	s := plugin.Str(d, "remote_ip_prefix")
	if s == "" {
		return ""
	}
	p, ok := resource.ParsePrefix(s)
	if !ok {
		return s
	}
	if p.Bits() == 0 {
		return ""
	}
	return p.Masked().String()
}

// Update is refused: rules are immutable (every attribute is read-only; the API layer answers).
func (s *SecurityGroupRules) Update(ctx context.Context, tx *db.Tx, c *plugin.Caller, cur, changes db.Doc) (db.Doc, error) {
	d := plugin.Apply(cur, changes)
	return d, plugin.Save(ctx, tx, c, "security_group_rules", d)
}

// Delete removes a rule.
func (s *SecurityGroupRules) Delete(ctx context.Context, tx *db.Tx, c *plugin.Caller, cur db.Doc) error {
	if err := plugin.Remove(ctx, tx, c, "security_group_rules", cur); err != nil {
		return err
	}
	sg, err := tx.Get(ctx, "security_groups", plugin.Str(cur, "security_group_id"))
	if err != nil || sg == nil {
		return err
	}
	return s.p.touchGroup(ctx, tx, c, sg)
}

// List returns rules.
func (s *SecurityGroupRules) List(ctx context.Context, tx *db.Tx, c *plugin.Caller, f map[string][]string) ([]db.Doc, error) {
	h := db.FilterOf(f)
	if n := f["security_group_id"]; len(n) == 1 {
		h.ParentID = n[0]
	}
	return tx.List(ctx, "security_group_rules", h)
}

// ListsStored: List returns the stored rules (plugin.StoredLister), so a member's list reads
// its project's rules and its groups' through the key index.
func (s *SecurityGroupRules) ListsStored() {}
