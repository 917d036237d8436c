package metering

import (
	"net/http"

	"github.com/midonet-go/midonet/internal/fault"
	"github.com/midonet-go/midonet/internal/policy"
	"github.com/midonet-go/midonet/internal/resource"
)

// Aliases of the extensions the service advertises.
const (
	Alias          = "metering"
	AliasSourceDst = "metering_source_and_destination_fields"
)

// Extensions are the aliases the service advertises.
var Extensions = []resource.Extension{
	{Alias: Alias, Name: "Neutron Metering", Description: "Neutron Metering extension.", Updated: "2013-06-12T10:00:00-00:00"},
	{Alias: AliasSourceDst, Name: "Neutron Metering with source and destination filtering",
		Description: "Neutron Metering extension that enables the use of source and destination IP prefixes to create metering label rules.",
		Updated:     "2020-08-21T08:12:00-00:00"},
}

func labelNotFound(id string) *fault.Fault {
	return fault.New(http.StatusNotFound, "MeteringLabelNotFound", "Metering label '%s' does not exist.", id)
}

func ruleNotFound(id string) *fault.Fault {
	return fault.New(http.StatusNotFound, "MeteringLabelRuleNotFound", "Metering label rule '%s' does not exist.", id)
}

// Labels is /v2.0/metering/metering-labels. A label has no standard attributes and no
// update (Neutron's metering tables have neither).
var Labels = &resource.Resource{
	Collection: "metering_labels", Member: "metering_label", Path: "metering/metering-labels", PagerMarker: true,
	DataType: "METERINGLABEL", RESTPath: "metering_labels", Translate: 14,
	NotFound: labelNotFound,
	Attrs: []*resource.Attr{
		{Name: "id", Validate: resource.UUID},
		{Name: "tenant_id", Post: true, Validate: resource.String(255), Default: resource.Unset},
		{Name: "project_id", Post: true, Validate: resource.String(255), Default: resource.Unset, Ext: "project-id"},
		{Name: "name", Post: true, Validate: resource.String(255), Default: ""},
		{Name: "description", Post: true, Validate: resource.String(1024), Default: ""},
		{Name: "shared", Post: true, Convert: resource.ToBool, Default: false},
	},
}

// Rules is /v2.0/metering/metering-label-rules. Neutron shows no project on a rule; it is
// kept (hidden) for the policy's owner check.
var Rules = &resource.Resource{
	Collection: "metering_label_rules", Member: "metering_label_rule", Path: "metering/metering-label-rules", PagerMarker: true,
	DataType: "METERINGLABELRULE", RESTPath: "metering_label_rules", Translate: 15,
	Parent:   &resource.Parent{Attr: "metering_label_id"},
	NotFound: ruleNotFound,
	Attrs: []*resource.Attr{
		{Name: "id", Validate: resource.UUID},
		// The project may be given (Neutron's allow_post) but is never shown.
		{Name: "tenant_id", Post: true, Hidden: true, Validate: resource.String(255), Default: resource.Unset},
		{Name: "project_id", Post: true, Hidden: true, Validate: resource.String(255), Default: resource.Unset},
		{Name: "metering_label_id", Post: true, Required: true, Validate: resource.UUID},
		{Name: "direction", Post: true, Required: true, Validate: resource.Values("ingress", "egress")},
		{Name: "excluded", Post: true, Convert: resource.ToBool, Default: false},
		{Name: "remote_ip_prefix", Post: true, Validate: resource.StringOrNone(64), Default: nil},
		{Name: "source_ip_prefix", Post: true, Validate: resource.StringOrNone(64), Default: nil, Ext: AliasSourceDst},
		{Name: "destination_ip_prefix", Post: true, Validate: resource.StringOrNone(64), Default: nil, Ext: AliasSourceDst},
	},
}

// PolicyRules are Neutron's metering defaults as they apply without enforce_new_defaults:
// only admins create and delete; a project reads its own labels and rules.
var PolicyRules = []policy.Rule{
	{Name: "create_metering_label", Check: "rule:admin_only", Description: "Create a metering label", Operations: policy.Post("/metering/metering-labels")},
	{Name: "get_metering_label", Check: "rule:admin_or_owner", Description: "Get a metering label", Operations: policy.Get("/metering/metering-labels", "/metering/metering-labels/{id}")},
	{Name: "delete_metering_label", Check: "rule:admin_only", Description: "Delete a metering label", Operations: policy.Delete("/metering/metering-labels/{id}")},
	{Name: "create_metering_label_rule", Check: "rule:admin_only", Description: "Create a metering label rule", Operations: policy.Post("/metering/metering-label-rules")},
	{Name: "get_metering_label_rule", Check: "rule:admin_or_owner", Description: "Get a metering label rule", Operations: policy.Get("/metering/metering-label-rules", "/metering/metering-label-rules/{id}")},
	{Name: "delete_metering_label_rule", Check: "rule:admin_only", Description: "Delete a metering label rule", Operations: policy.Delete("/metering/metering-label-rules/{id}")},
}
