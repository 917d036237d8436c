// Package metering is Neutron's metering service (neutron-lib's metering and
// metering_source_and_destination_fields): labels and their rules, which count the traffic
// of a project's routers through their external gateway (of every project's routers for a
// shared label), ingress and egress, by source and destination prefix, with excluded rules.
// Each label is translated into a MidoNet MeteringLabel naming the gateway ports it counts
// on; the agents' simulation names the labels of every packet it routes and the datapath
// counts packets and bytes per label, which /metrics and `midonet metering` report, as the
// metering agent's reports did. See README.md.
package metering

import (
	"context"
	"fmt"
	"net/netip"
	"strings"

	"github.com/midonet-go/midonet/internal/cluster/translate"
	"github.com/midonet-go/midonet/internal/db"
	"github.com/midonet-go/midonet/internal/fault"
	"github.com/midonet-go/midonet/internal/model"
	"github.com/midonet-go/midonet/internal/plugin"
	"github.com/midonet-go/midonet/internal/plugin/stored"
	"github.com/midonet-go/midonet/internal/resource"
	"github.com/midonet-go/midonet/internal/topology"
)

// Service is the metering service as internal/app wires it.
func Service() plugin.Service {
	return plugin.Service{
		ServicePlugins: []string{"metering", "neutron.services.metering.metering_plugin.MeteringPlugin"},
		Name:           "metering",
		Resources:      []*resource.Resource{Labels, Rules},
		Extensions:     Extensions,
		Translators: translate.Translators{
			// A label reads the routers of its project (every router when shared) and their
			// gateway ports.
			Labels.Collection: {Owned: labelObjects, Follows: map[string]translate.Follow{"routers": labelsOfRouter, "ports": labelsOfGateway}},
			Rules.Collection: {Owned: func(*translate.World, string) []topology.Object { return nil },
				Dependents: func(_ *translate.World, _ string, d translate.Doc, add func(string, ...string)) {
					add(Labels.Collection, plugin.Str(db.Doc(d), "metering_label_id"))
				}},
		},
		Policies:    PolicyRules,
		Collections: func(plugin.Deps) []plugin.Collection { return []plugin.Collection{LabelCollection(), RuleCollection()} },
	}
}

// LabelCollection is /v2.0/metering/metering-labels: no attribute of a label can be
// updated (the API refuses them); a label goes with its rules.
func LabelCollection() stored.Collection {
	return stored.Collection{Res: Labels, Frozen: true, Children: []string{Rules.Collection}}
}

// RuleCollection is /v2.0/metering/metering-label-rules, listed per label when the query
// names one; no attribute of a rule can be updated (the API refuses them).
func RuleCollection() stored.Collection {
	return stored.Collection{Res: Rules, Frozen: true, ParentQuery: "metering_label_id", Prepare: prepareRule}
}

// prefixes are the address attributes of a rule.
var prefixes = []string{"remote_ip_prefix", "source_ip_prefix", "destination_ip_prefix"}

// parsePrefix reads a rule's prefix as Neutron's ip_interface does: a CIDR (host bits
// allowed, kept) or a bare address (one host).
func parsePrefix(s string) (netip.Prefix, error) {
	if !strings.Contains(s, "/") {
		a, err := netip.ParseAddr(s)
		if err != nil {
			return netip.Prefix{}, err
		}
		if a.Zone() != "" {
			return netip.Prefix{}, fmt.Errorf("%q has a zone", s)
		}
		return netip.PrefixFrom(a, a.BitLen()), nil
	}
	return netip.ParsePrefix(s)
}

// prepareRule checks a new rule as Neutron does: its label exists, valid prefixes,
// remote_ip_prefix alone or source/destination prefixes, at least one of them, and no
// remote_ip_prefix overlapping another of the label's rules with the same direction and
// excluded flag.
func prepareRule(ctx context.Context, tx *db.Tx, _ *plugin.Caller, d db.Doc) error {
	labelID := plugin.Str(d, "metering_label_id")
	label, err := tx.Get(ctx, Labels.Collection, labelID)
	if err != nil {
		return err
	}
	if label == nil {
		return labelNotFound(labelID)
	}
	if err := validateRule(d); err != nil {
		return err
	}
	remote := plugin.Str(d, "remote_ip_prefix")
	if remote == "" {
		return nil
	}
	siblings, err := tx.List(ctx, Rules.Collection, db.Filter{ParentID: labelID})
	if err != nil {
		return fmt.Errorf("metering: rules of %s: %w", labelID, err)
	}
	mine, _ := parsePrefix(remote)
	for _, o := range siblings {
		theirs, err := parsePrefix(plugin.Str(o, "remote_ip_prefix"))
		if err != nil || plugin.Str(o, "direction") != plugin.Str(d, "direction") || plugin.Bool(o, "excluded") != plugin.Bool(d, "excluded") {
			continue
		}
		if mine.Masked().Overlaps(theirs.Masked()) {
			return fault.Conflict("MeteringLabelRuleOverlaps", "Metering label rule with remote_ip_prefix '%s' overlaps another.", remote)
		}
	}
	return nil
}

// validateRule is Neutron's validate_metering_label_rule: every prefix given parses (and is
// kept in its canonical spelling), remote_ip_prefix goes alone, and one prefix at least.
func validateRule(d db.Doc) error {
	for _, k := range prefixes {
		s := plugin.Str(d, k)
		if s == "" {
			d[k] = nil
			continue
		}
		p, err := parsePrefix(s)
		if err != nil {
			return fault.Invalid("Invalid", "%s: %s is invalid [%v].", k, s, err)
		}
		d[k] = p.String()
	}
	remote := plugin.Str(d, "remote_ip_prefix")
	if remote != "" && (d["source_ip_prefix"] != nil || d["destination_ip_prefix"] != nil) {
		return fault.Invalid("Invalid", "Cannot use 'remote-ip-prefix' in conjunction with 'source-ip-prefix' or 'destination-ip-prefix'.")
	}
	if remote == "" && d["source_ip_prefix"] == nil && d["destination_ip_prefix"] == nil {
		return fault.Invalid("Invalid", "You must define at least one of the following parameters 'remote_ip_prefix', or 'source_ip_prefix' or 'destination_ip_prefix'.")
	}
	return nil
}

// labelsOfRouter follows a router's change to the labels that read it: its project's and
// the shared ones.
func labelsOfRouter(w *translate.World, _ string, d translate.Doc, add func(...string)) {
	labelsOfProject(w, plugin.Str(db.Doc(d), "tenant_id"), add)
}

// labelsOfGateway follows a router gateway port's change to the labels that read its
// router.
func labelsOfGateway(w *translate.World, _ string, d translate.Doc, add func(...string)) {
	if plugin.Str(db.Doc(d), "device_owner") != model.OwnerRouterGateway {
		return
	}
	if r := w.Router(plugin.Str(db.Doc(d), "device_id")); r != nil {
		labelsOfProject(w, r.TenantID, add)
	}
}

// labelsOfProject adds the labels of a project and the shared ones, found by searching the
// labels' JSON for the project's id and for true.
func labelsOfProject(w *translate.World, tenant string, add func(...string)) {
	for _, d := range w.Mentioning(Labels.Collection, tenant) {
		if l := db.Doc(d); plugin.Str(l, "tenant_id") == tenant {
			add(plugin.Str(l, "id"))
		}
	}
	for _, d := range w.Mentioning(Labels.Collection, "true") {
		if l := db.Doc(d); plugin.Bool(l, "shared") {
			add(plugin.Str(l, "id"))
		}
	}
}

// labelObjects translates a label into a MidoNet MeteringLabel: the gateway ports of the
// routers it applies to (its project's, or every project's when shared) and its rules, a
// remote_ip_prefix read as the source of ingress traffic and the destination of egress
// traffic (as the metering agent's iptables rules did).
func labelObjects(w *translate.World, id string) []topology.Object {
	d := db.Doc(w.Get(Labels.Collection, id))
	if d == nil {
		return nil
	}
	l := &topology.MeteringLabel{Meta: topology.Meta{ID: id}, Name: plugin.Str(d, "name"),
		TenantID: plugin.Str(d, "tenant_id"), Shared: plugin.Bool(d, "shared")}
	// The routers' typed forms, kept by the world: neither their JSON unpacked nor their
	// documents decoded.
	for _, r := range w.RoutersWhere(func(r *model.Router) bool { return l.Shared || r.TenantID == l.TenantID }) {
		if gw := translate.RouterGatewayPort(w, r.ID); gw != "" {
			l.PortIDs = append(l.PortIDs, gw)
		}
	}
	for _, doc := range w.Mentioning(Rules.Collection, id) {
		r := db.Doc(doc)
		if plugin.Str(r, "metering_label_id") != id {
			continue
		}
		mr := topology.MeteringRule{ID: plugin.Str(r, "id"), Direction: plugin.Str(r, "direction"), Excluded: plugin.Bool(r, "excluded"),
			Source: plugin.Str(r, "source_ip_prefix"), Destination: plugin.Str(r, "destination_ip_prefix")}
		if remote := plugin.Str(r, "remote_ip_prefix"); remote != "" {
			if mr.Direction == "ingress" {
				mr.Source = remote
			} else {
				mr.Destination = remote
			}
		}
		l.Rules = append(l.Rules, mr)
	}
	return []topology.Object{l}
}
