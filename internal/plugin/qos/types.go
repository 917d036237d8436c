package qos

import "github.com/midonet-go/midonet/internal/model"

// Policy is a QoS policy as stored: the rules embedded (every rule change saves the policy,
// so the backend hears of it as one update of the whole policy, seed 8.3.1).
type Policy struct {
	model.Standard
	Shared    bool   `json:"shared"`
	IsDefault bool   `json:"is_default"`
	Rules     []Rule `json:"rules"`
}

// Rule is one rule of a policy, of any type (Type says which fields apply).
type Rule struct {
	ID           string `json:"id"`
	Type         string `json:"type"`
	QosPolicyID  string `json:"qos_policy_id"`
	MaxKbps      int    `json:"max_kbps,omitempty"`
	MaxBurstKbps int    `json:"max_burst_kbps,omitempty"`
	Direction    string `json:"direction,omitempty"`
	DSCPMark     int    `json:"dscp_mark,omitempty"`
	MinKbps      int    `json:"min_kbps,omitempty"`
}

// Supported reports whether MidoNet enforces the rule: egress bandwidth limits and DSCP
// marking (MidoNet's QosPolicy has no ingress limit and no minimum bandwidth).
func (r Rule) Supported() bool {
	switch r.Type {
	case TypeBandwidthLimit:
		return r.Direction == "" || r.Direction == Egress
	case TypeDSCPMarking:
		return true
	}
	return false
}

// unsupported is the first rule of a policy MidoNet cannot enforce ("" when all are).
func (p Policy) unsupported() string {
	for _, r := range p.Rules {
		if !r.Supported() {
			return r.Type
		}
	}
	return ""
}
