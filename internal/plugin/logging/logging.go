// Package logging is packet logging: networking-midonet's logging-resource extension (seed
// 8.2.4: /v2.0/logging/logging_resources and their firewall_logs, which log the decisions of
// FWaaS firewall rules) and Neutron's own logging API (/v2.0/log/logs with resource_type
// security_group, /v2.0/log/loggable-resources). Both translate to MidoNet rule loggers on
// the chains they watch; the agent writes one line per logged connection (internal/fwlog).
// See README.md.
package logging

import (
	"context"
	"slices"
	"strings"

	"github.com/midonet-go/midonet/internal/db"
	"github.com/midonet-go/midonet/internal/fault"
	"github.com/midonet-go/midonet/internal/plugin"
	"github.com/midonet-go/midonet/internal/plugin/stored"
	"github.com/midonet-go/midonet/internal/resource"
)

// Events a log records.
const (
	EventAccept = "ACCEPT"
	EventDrop   = "DROP"
	EventAll    = "ALL"
)

// Collections of other services this one names (by name only: a service imports no other).
const (
	firewallsColl      = "firewalls"       // FWaaS v1
	firewallGroupsColl = "firewall_groups" // FWaaS v2
	securityGroupsColl = "security_groups"
	portsColl          = "ports"
)

// Extensions are the aliases the service advertises.
var Extensions = []resource.Extension{
	{Alias: "logging-resource", Name: "Logging Resource Extension", Description: "The logging resource extension.", Updated: "2016-06-06T10:00:00-00:00"},
	{Alias: "logging", Name: "Logging API Extension", Description: "Provides a logging API for resources such as security group and firewall.", Updated: "2017-01-01T10:00:00-00:00"},
}

func owner() []*resource.Attr {
	return []*resource.Attr{
		{Name: "id", Validate: resource.UUID},
		{Name: "tenant_id", Post: true, Validate: resource.String(255), Default: resource.Unset},
		{Name: "project_id", Post: true, Validate: resource.String(255), Default: resource.Unset, Ext: "project-id"},
	}
}

// Resources of the seed's logging-resource extension and of Neutron's logging API.
var (
	LoggingResources = &resource.Resource{
		Collection: "logging_resources", Member: "logging_resource", Path: "logging/logging_resources",
		DataType: "LOGGINGRESOURCE", Translate: 30, Quota: "logging_resource",
		NotFound: fault.LoggingResourceNotFound,
		Attrs: append(owner(),
			&resource.Attr{Name: "name", Post: true, Put: true, Validate: resource.String(255), Default: ""},
			&resource.Attr{Name: "description", Post: true, Put: true, Validate: resource.String(1024), Default: ""},
			&resource.Attr{Name: "enabled", Post: true, Put: true, Convert: resource.ToBool, Default: false},
			&resource.Attr{Name: "firewall_logs", NoSort: true, NoFilter: true},
		),
	}
	FirewallLogs = &resource.Resource{
		Collection: "firewall_logs", Member: "firewall_log", Path: "firewall_logs", Sub: true,
		Parent:   &resource.Parent{Attr: "logging_resource_id", Collection: "logging_resources"},
		DataType: "FIREWALLLOG", Translate: 31, Quota: "firewall_log",
		Lookups:  []string{"firewall_id"}, // a firewall's or group's delete (cascade)
		NotFound: fault.FirewallLogNotFound,
		Attrs: append(owner(),
			&resource.Attr{Name: "logging_resource_id"},
			&resource.Attr{Name: "description", Post: true, Put: true, Validate: resource.String(1024), Default: ""},
			&resource.Attr{Name: "firewall_id", Post: true, Validate: resource.UUID, Required: true},
			&resource.Attr{Name: "fw_event", Post: true, Put: true, Validate: resource.Values(EventAccept, EventDrop, EventAll), Default: EventAll},
		),
	}
	Logs = &resource.Resource{
		Collection: "logs", Member: "log", Path: "log/logs",
		DataType: "LOG", Translate: 32, Quota: "log",
		Lookups:  []string{"resource_id", "target_id"}, // a security group's and a port's delete (cascade)
		NotFound: fault.LogResourceNotFound,
		Attrs: append(owner(),
			&resource.Attr{Name: "name", Post: true, Put: true, Validate: resource.String(255), Default: ""},
			&resource.Attr{Name: "description", Post: true, Put: true, Validate: resource.String(255), Default: "", Ext: "standard-attr-description"},
			&resource.Attr{Name: "resource_type", Post: true, Validate: resource.String(36), Required: true},
			&resource.Attr{Name: "resource_id", Post: true, Validate: resource.UUIDOrNone, Default: nil},
			&resource.Attr{Name: "target_id", Post: true, Validate: resource.UUIDOrNone, Default: nil},
			&resource.Attr{Name: "event", Post: true, Validate: resource.Values(EventAccept, EventDrop, EventAll), Default: EventAll},
			&resource.Attr{Name: "enabled", Post: true, Put: true, Convert: resource.ToBool, Default: true},
			&resource.Attr{Name: "created_at", Ext: "standard-attr-timestamp"},
			&resource.Attr{Name: "updated_at", Ext: "standard-attr-timestamp"},
			&resource.Attr{Name: "revision_number", Ext: "standard-attr-revisions"},
		),
	}
	LoggableResources = &resource.Resource{
		Collection: "loggable_resources", Member: "loggable_resource", Path: "log/loggable-resources",
		NotFound: func(id string) *fault.Fault { return fault.HTTPNotFound() },
		Attrs:    []*resource.Attr{{Name: "type"}},
	}
)

// LoggableTypes are the resource types Neutron's logging API logs here.
var LoggableTypes = []string{"security_group"}

// ---- logging_resources

// ResourceCollection is /v2.0/logging/logging_resources: name, description or enabled
// change (disabling stops every log of it); its firewall logs go with it and are embedded
// (read only) in each answer.
type ResourceCollection struct{ stored.Collection }

// NewResourceCollection returns the logging resources' collection.
func NewResourceCollection() ResourceCollection {
	noLogs := func(d db.Doc) { delete(d, "firewall_logs") }
	return ResourceCollection{stored.Collection{Res: LoggingResources, Bump: true, Children: []string{FirewallLogs.Collection},
		Prepare: func(_ context.Context, _ *db.Tx, _ *plugin.Caller, d db.Doc) error {
			stored.StampUntagged(d)
			noLogs(d)
			return nil
		},
		Created: func(_ context.Context, _ *db.Tx, _ *plugin.Caller, d db.Doc) error {
			d["firewall_logs"] = []any{}
			return nil
		},
		Check: func(_ context.Context, _ *db.Tx, _ *plugin.Caller, _, _, d db.Doc) error {
			noLogs(d)
			return nil
		},
		Updated: func(ctx context.Context, tx *db.Tx, _ *plugin.Caller, d db.Doc) error {
			return expandLogs(ctx, tx, []db.Doc{d})
		},
	}}
}

// Expand embeds each resource's firewall logs (read only).
func (ResourceCollection) Expand(ctx context.Context, tx *db.Tx, docs []db.Doc) error {
	return expandLogs(ctx, tx, docs)
}

func expandLogs(ctx context.Context, tx *db.Tx, docs []db.Doc) error {
	for _, d := range docs {
		logs, err := tx.List(ctx, FirewallLogs.Collection, db.Filter{ParentID: plugin.Str(d, "id")})
		if err != nil {
			return err
		}
		slices.SortFunc(logs, func(a, b db.Doc) int { return strings.Compare(plugin.Str(a, "id"), plugin.Str(b, "id")) })
		out := []any{}
		for _, l := range logs {
			out = append(out, stored.Visible(FirewallLogs, l))
		}
		d["firewall_logs"] = out
	}
	return nil
}

// ---- firewall_logs

// FirewallLogCollection is /v2.0/logging/logging_resources/{id}/firewall_logs: a log of a
// firewall the caller sees (the same firewall may be in several logs, of one project or
// several, as upstream allowed against its spec); description or event change. The API
// keeps the logs of the URL's logging resource.
func FirewallLogCollection() stored.Collection {
	return stored.Collection{Res: FirewallLogs, Bump: true,
		Prepare: func(ctx context.Context, tx *db.Tx, c *plugin.Caller, d db.Doc) error {
			if _, err := fetchFirewall(ctx, tx, c, plugin.Str(d, "firewall_id")); err != nil {
				return err
			}
			stored.StampUntagged(d)
			return nil
		}}
}

// fetchFirewall finds the firewall a log names: a v1 firewall or a v2 firewall group, as the
// caller sees them; neither is FirewallNotFound.
func fetchFirewall(ctx context.Context, tx *db.Tx, c *plugin.Caller, id string) (db.Doc, error) {
	for _, coll := range []string{firewallsColl, firewallGroupsColl} {
		if c.Catalog != nil && c.Catalog.Get(coll) == nil {
			continue
		}
		d, err := plugin.Fetch(ctx, tx, c, coll, id)
		if err == nil {
			return d, nil
		}
		if f, ok := fault.As(err); !ok || f.Status != 404 {
			return nil, err
		}
	}
	return nil, fault.FirewallNotFound(id)
}

// ---- Neutron's logging API

// LogCollection is /v2.0/log/logs: a log of a security group (all of them without
// resource_id), optionally of one port (target_id); name, description or enabled change.
func LogCollection() stored.Collection {
	return stored.Collection{Res: Logs, Bump: true, Prepare: prepareLog}
}

func prepareLog(ctx context.Context, tx *db.Tx, c *plugin.Caller, d db.Doc) error {
	typ := plugin.Str(d, "resource_type")
	if !slices.Contains(LoggableTypes, typ) {
		return fault.InvalidLogResourceType(typ)
	}
	if id := plugin.Str(d, "resource_id"); id != "" {
		if _, err := plugin.Fetch(ctx, tx, c, securityGroupsColl, id); err != nil {
			if fault.IsType(err, "SecurityGroupNotFound") {
				return fault.NotFound("ResourceNotFound", "Resource %s could not be found.", id)
			}
			return err
		}
	}
	if id := plugin.Str(d, "target_id"); id != "" {
		if _, err := plugin.Fetch(ctx, tx, c, portsColl, id); err != nil {
			if fault.IsType(err, "PortNotFound") {
				return fault.NotFound("TargetResourceNotFound", "Target resource %s could not be found.", id)
			}
			return err
		}
	}
	stored.StampUntagged(d)
	return nil
}

// LoggableCollection is /v2.0/log/loggable-resources: read only.
type LoggableCollection struct{ plugin.ReadOnly }

// Resource describes loggable resources.
func (LoggableCollection) Resource() *resource.Resource { return LoggableResources }

// Get shows nothing (Neutron has no show of a loggable type).
func (LoggableCollection) Get(context.Context, *db.Tx, string) (db.Doc, error) { return nil, nil }

// List gives the types this server logs.
func (LoggableCollection) List(context.Context, *db.Tx, *plugin.Caller, map[string][]string) ([]db.Doc, error) {
	var out []db.Doc
	for _, t := range LoggableTypes {
		out = append(out, db.Doc{"type": t})
	}
	return out, nil
}

// ---- hooks: what deleting a logged resource takes with it

// cascade deletes the documents of coll whose attr names a deleted resource.
type cascade struct {
	plugin.NoHook
	coll, attr string
}

func (h cascade) BeforeDelete(ctx context.Context, tx *db.Tx, c *plugin.Caller, cur db.Doc) error {
	return stored.RemoveWhere(ctx, tx, c.Elevated(), h.coll, h.attr, plugin.Str(cur, "id"))
}

// ExpandShared sets nothing: the hook adds no attribute (plugin.SharedExpander).
func (cascade) ExpandShared(context.Context, *db.Tx, []db.Doc, plugin.SetFunc) error { return nil }
