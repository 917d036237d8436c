package qos

import (
	"context"
	"strings"

	"github.com/midonet-go/midonet/internal/db"
	"github.com/midonet-go/midonet/internal/plugin"
	"github.com/midonet-go/midonet/internal/resource"
)

// allRuleTypes are the rule types Neutron knows (qos-rule-type-filter's all_rules).
var allRuleTypes = []string{TypeBandwidthLimit, TypeDSCPMarking, TypeMinBandwidth, "minimum_packet_rate", "packet_rate_limit"}

// supported are the types MidoNet enforces, with the parameters it accepts
// (qos-rule-type-details): egress bandwidth limits and DSCP marking.
var supported = map[string][]any{
	TypeBandwidthLimit: {
		rangeParam("max_kbps"), rangeParam("max_burst_kbps"),
		map[string]any{"parameter_name": "direction", "parameter_type": "choices", "parameter_values": []any{Egress}},
	},
	TypeDSCPMarking: {
		map[string]any{"parameter_name": "dscp_mark", "parameter_type": "choices", "parameter_values": ValidDSCPMarks},
	},
}

func rangeParam(name string) map[string]any {
	return map[string]any{"parameter_name": name, "parameter_type": "range", "parameter_values": map[string]any{"start": 0, "end": maxInt}}
}

// RuleTypeCollection is /v2.0/qos/rule-types: read only.
type RuleTypeCollection struct{ plugin.ReadOnly }

// Resource describes rule types.
func (RuleTypeCollection) Resource() *resource.Resource { return RuleTypes }

// Get shows a supported type with the driver's parameters.
func (RuleTypeCollection) Get(_ context.Context, _ *db.Tx, typ string) (db.Doc, error) {
	params, ok := supported[typ]
	if !ok {
		return nil, nil
	}
	return db.Doc{"type": typ, "drivers": []any{map[string]any{"name": "midonet", "supported_parameters": params}}}, nil
}

// List gives the supported types, or every type Neutron knows with all_rules=true.
func (RuleTypeCollection) List(_ context.Context, _ *db.Tx, _ *plugin.Caller, f map[string][]string) ([]db.Doc, error) {
	var out []db.Doc
	all := len(f["all_rules"]) > 0 && strings.EqualFold(f["all_rules"][0], "true")
	for _, t := range allRuleTypes {
		if _, ok := supported[t]; ok || all {
			out = append(out, db.Doc{"type": t})
		}
	}
	return out, nil
}
