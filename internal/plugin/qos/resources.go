package qos

import (
	"fmt"

	"github.com/midonet-go/midonet/internal/fault"
	"github.com/midonet-go/midonet/internal/model"
	"github.com/midonet-go/midonet/internal/resource"
)

// Extensions are the QoS aliases the service advertises.
var Extensions = []resource.Extension{
	{Alias: "qos", Name: "Quality of Service", Description: "The Quality of Service extension.", Updated: "2015-06-08T10:00:00-00:00"},
	{Alias: "qos-default", Name: "QoS default policy", Description: "Expose the QoS default policy per project", Updated: "2017-04-10T10:00:00-00:00"},
	{Alias: "qos-rules-alias", Name: "Quality of Service rules alias API", Description: "API to enable GET, PUT and DELETE operations on QoS policy rules without specifying policy ID", Updated: "2018-10-07T10:00:00-00:00"},
	{Alias: "qos-bw-limit-direction", Name: "Direction for QoS bandwidth limit rule", Description: "Allow to configure QoS bandwidth limit rule with specific direction: ingress or egress", Updated: "2017-08-14T10:00:00-00:00"},
	{Alias: "qos-port-network-policy", Name: "QoS port network policy ID", Description: "Adds a the QoS network ID to the port definition", Updated: "2019-11-01T10:00:00-00:00"},
	{Alias: "qos-rule-type-details", Name: "Details of QoS rule types", Description: "Expose details about QoS rule types supported by loaded backend drivers", Updated: "2017-06-22T10:00:00-00:00"},
	{Alias: "qos-rule-type-filter", Name: "QoS rule type filter", Description: "Add the filters all_supported and all_rules to the rule types list", Updated: "2021-10-13T10:00:00-00:00"},
}

// Rule types.
const (
	TypeBandwidthLimit = "bandwidth_limit"
	TypeDSCPMarking    = "dscp_marking"
	TypeMinBandwidth   = "minimum_bandwidth"
)

// Directions of bandwidth rules, from the VM's point of view.
const (
	Egress  = "egress"
	Ingress = "ingress"
)

// maxInt is neutron-lib's DB_INTEGER_MAX_VALUE.
const maxInt = 1<<31 - 1

// ValidDSCPMarks are the marks Neutron accepts.
var ValidDSCPMarks = []any{0, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30, 32, 34, 36, 38, 40, 46, 48, 56}

func kbps(v any) string {
	n, ok := model.Int(v)
	if !ok {
		return fmt.Sprintf("'%v' is not an integer", v)
	}
	if n < 0 || n > maxInt {
		return fmt.Sprintf("'%d' is not in range 0 through %d", n, maxInt)
	}
	return ""
}

// Policies is the QoS policy collection (qos, qos-default).
var Policies = &resource.Resource{
	Collection: "policies", Member: "policy", Path: "qos/policies", Tags: true,
	DataType: "QOSPOLICY", RESTPath: "qos_policies", Translate: 10, PagerMarker: true, RBAC: "qos_policy",
	NotFound: fault.QosPolicyNotFound,
	Attrs: append(resource.StandardAttrs(),
		&resource.Attr{Name: "name", Post: true, Put: true, Validate: resource.String(255), Default: ""},
		&resource.Attr{Name: "shared", Post: true, Put: true, Convert: resource.ToBool, Default: false},
		&resource.Attr{Name: "is_default", Post: true, Put: true, Convert: resource.ToBool, Default: false, Ext: "qos-default"},
		&resource.Attr{Name: "rules", NoSort: true, NoFilter: true},
		&resource.Attr{Name: resource.RBACShared, Hidden: true},
	),
}

// ruleResource describes one rule type's sub-collection of a policy.
func ruleResource(collection, member string, attrs ...*resource.Attr) *resource.Resource {
	return &resource.Resource{
		Collection: collection, Member: member, Path: collection, Sub: true, PolicyMember: "policy_" + member,
		Parent:   &resource.Parent{Attr: "qos_policy_id", Collection: "policies"},
		NotFound: func(id string) *fault.Fault { return fault.QosRuleNotFound(id, "") },
		Attrs: append([]*resource.Attr{
			{Name: "id", Validate: resource.UUID},
			{Name: "tenant_id", Hidden: true}, {Name: "project_id", Hidden: true},
			{Name: "qos_policy_id", Hidden: true},
			// standard_attr_id orders a policy's rules of one type as they were created.
			{Name: "standard_attr_id", Hidden: true},
		}, attrs...),
	}
}

// aliasResource is the qos-rules-alias view of a rule collection: show, update and delete
// by rule id alone.
func aliasResource(of *resource.Resource) *resource.Resource {
	r := &resource.Resource{
		Collection: "alias_" + of.Collection, Member: "alias_" + of.Member, Path: "qos/alias_" + of.Collection,
		NotFound: of.NotFound,
	}
	for _, a := range of.Attrs {
		c := *a
		c.Post = false
		r.Attrs = append(r.Attrs, &c)
	}
	return r
}

var (
	// BandwidthLimitRules are a policy's bandwidth limit rules (one per direction).
	BandwidthLimitRules = ruleResource("bandwidth_limit_rules", "bandwidth_limit_rule",
		&resource.Attr{Name: "max_kbps", Post: true, Put: true, Required: true, Convert: resource.ToInt, Validate: kbps},
		&resource.Attr{Name: "max_burst_kbps", Post: true, Put: true, Convert: resource.ToInt, Validate: kbps, Default: 0},
		&resource.Attr{Name: "direction", Post: true, Put: true, Validate: resource.Values(Egress, Ingress), Default: Egress, Ext: "qos-bw-limit-direction"},
	)
	// DSCPMarkingRules are a policy's DSCP marking rules (one per policy).
	DSCPMarkingRules = ruleResource("dscp_marking_rules", "dscp_marking_rule",
		&resource.Attr{Name: "dscp_mark", Post: true, Put: true, Required: true, Convert: resource.ToInt, Validate: resource.Values(ValidDSCPMarks...)},
	)
	// MinimumBandwidthRules are a policy's minimum bandwidth rules (egress; MidoNet cannot
	// enforce them, so a policy holding one cannot be bound).
	MinimumBandwidthRules = ruleResource("minimum_bandwidth_rules", "minimum_bandwidth_rule",
		&resource.Attr{Name: "min_kbps", Post: true, Put: true, Required: true, Convert: resource.ToInt, Validate: kbps},
		&resource.Attr{Name: "direction", Post: true, Put: true, Validate: resource.Values(Egress), Default: Egress},
	)
	// RuleTypes lists the rule types the backend enforces (qos-rule-type-details, -filter).
	RuleTypes = &resource.Resource{
		Collection: "rule_types", Member: "rule_type", Path: "qos/rule-types", ShowAdminOnly: true,
		NotFound: fault.QosRuleTypeNotFound,
		Attrs: []*resource.Attr{
			{Name: "type"},
			{Name: "drivers", NoSort: true, NoFilter: true, Optional: true, Ext: "qos-rule-type-details"},
			{Name: "all_supported", Convert: resource.ToBool, FilterOnly: true},
			{Name: "all_rules", Convert: resource.ToBool, FilterOnly: true},
		},
	}
)

// ruleTypeOf names each rule collection's type, as a policy's embedded rules show it.
var ruleTypeOf = map[string]string{
	BandwidthLimitRules.Collection:   TypeBandwidthLimit,
	DSCPMarkingRules.Collection:      TypeDSCPMarking,
	MinimumBandwidthRules.Collection: TypeMinBandwidth,
}

// ruleCollections are the rule collections in the order a policy lists its rules.
var ruleCollections = []string{BandwidthLimitRules.Collection, DSCPMarkingRules.Collection, MinimumBandwidthRules.Collection}
