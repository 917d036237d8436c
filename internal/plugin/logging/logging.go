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

// ResourceCollection is /v2.0/logging/logging_resources.
type ResourceCollection struct{}

// Resource describes logging resources.
func (ResourceCollection) Resource() *resource.Resource { return LoggingResources }

func stamp(body db.Doc) db.Doc {
	d := plugin.Copy(body)
	plugin.Stamp(d, 0)
	delete(d, "tags")
	if d["project_id"] == nil {
		d["project_id"] = d["tenant_id"]
	}
	return d
}

// Create stores a logging resource (its logs come with firewall_logs).
func (ResourceCollection) Create(ctx context.Context, tx *db.Tx, c *plugin.Caller, body db.Doc) (db.Doc, error) {
	d := stamp(body)
	delete(d, "firewall_logs")
	if err := plugin.Add(ctx, tx, c, LoggingResources.Collection, d); err != nil {
		return nil, err
	}
	d["firewall_logs"] = []any{}
	return d, nil
}

// Update changes name, description or enabled: disabling stops every log of it.
func (r ResourceCollection) Update(ctx context.Context, tx *db.Tx, c *plugin.Caller, cur, changes db.Doc) (db.Doc, error) {
	d := plugin.Apply(cur, changes)
	delete(d, "firewall_logs")
	if err := plugin.Save(ctx, tx, c, LoggingResources.Collection, d); err != nil {
		return nil, err
	}
	return d, r.Expand(ctx, tx, []db.Doc{d})
}

// Delete removes a logging resource and its firewall logs.
func (ResourceCollection) Delete(ctx context.Context, tx *db.Tx, c *plugin.Caller, cur db.Doc) error {
	logs, err := tx.List(ctx, FirewallLogs.Collection, db.Filter{ParentID: plugin.Str(cur, "id")})
	if err != nil {
		return err
	}
	for _, l := range logs {
		if err := plugin.Remove(ctx, tx, c, FirewallLogs.Collection, l); err != nil {
			return err
		}
	}
	return plugin.Remove(ctx, tx, c, LoggingResources.Collection, cur)
}

// List returns the candidate logging resources.
func (ResourceCollection) List(ctx context.Context, tx *db.Tx, _ *plugin.Caller, f map[string][]string) ([]db.Doc, error) {
	return tx.List(ctx, LoggingResources.Collection, projectFilter(f))
}

// Expand embeds each resource's firewall logs (read only).
func (ResourceCollection) Expand(ctx context.Context, tx *db.Tx, docs []db.Doc) error {
	for _, d := range docs {
		logs, err := tx.List(ctx, FirewallLogs.Collection, db.Filter{ParentID: plugin.Str(d, "id")})
		if err != nil {
			return err
		}
		slices.SortFunc(logs, func(a, b db.Doc) int { return strings.Compare(plugin.Str(a, "id"), plugin.Str(b, "id")) })
		out := []any{}
		for _, l := range logs {
			out = append(out, visible(FirewallLogs, l))
		}
		d["firewall_logs"] = out
	}
	return nil
}

func projectFilter(f map[string][]string) db.Filter {
	var h db.Filter
	if t := f["tenant_id"]; len(t) == 1 {
		h.ProjectID = t[0]
	} else if t := f["project_id"]; len(t) == 1 {
		h.ProjectID = t[0]
	}
	return h
}

func visible(res *resource.Resource, d db.Doc) map[string]any {
	out := map[string]any{}
	for _, a := range res.Attrs {
		if v, ok := d[a.Name]; ok && res.Visible(a.Name) {
			out[a.Name] = v
		}
	}
	return out
}

// ---- firewall_logs

// FirewallLogCollection is /v2.0/logging/logging_resources/{id}/firewall_logs.
type FirewallLogCollection struct{}

// Resource describes firewall logs.
func (FirewallLogCollection) Resource() *resource.Resource { return FirewallLogs }

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

// Create stores a firewall log of a firewall the caller sees. The same firewall may be in
// several logs, of one project or several (as upstream allowed, against its spec).
func (FirewallLogCollection) Create(ctx context.Context, tx *db.Tx, c *plugin.Caller, body db.Doc) (db.Doc, error) {
	if _, err := fetchFirewall(ctx, tx, c, plugin.Str(body, "firewall_id")); err != nil {
		return nil, err
	}
	d := stamp(body)
	return d, plugin.Add(ctx, tx, c, FirewallLogs.Collection, d)
}

// Update changes the description or the event.
func (FirewallLogCollection) Update(ctx context.Context, tx *db.Tx, c *plugin.Caller, cur, changes db.Doc) (db.Doc, error) {
	d := plugin.Apply(cur, changes)
	return d, plugin.Save(ctx, tx, c, FirewallLogs.Collection, d)
}

// Delete removes a firewall log.
func (FirewallLogCollection) Delete(ctx context.Context, tx *db.Tx, c *plugin.Caller, cur db.Doc) error {
	return plugin.Remove(ctx, tx, c, FirewallLogs.Collection, cur)
}

// List returns the candidate logs (the API keeps those of the URL's logging resource).
func (FirewallLogCollection) List(ctx context.Context, tx *db.Tx, _ *plugin.Caller, f map[string][]string) ([]db.Doc, error) {
	return tx.List(ctx, FirewallLogs.Collection, projectFilter(f))
}

// ---- Neutron's logging API

// LogCollection is /v2.0/log/logs.
type LogCollection struct{}

// Resource describes logs.
func (LogCollection) Resource() *resource.Resource { return Logs }

// Create stores a log of a security group (all of them without resource_id), optionally of
// one port (target_id).
func (LogCollection) Create(ctx context.Context, tx *db.Tx, c *plugin.Caller, body db.Doc) (db.Doc, error) {
	typ := plugin.Str(body, "resource_type")
	if !slices.Contains(LoggableTypes, typ) {
		return nil, fault.InvalidLogResourceType(typ)
	}
	if id := plugin.Str(body, "resource_id"); id != "" {
		if _, err := plugin.Fetch(ctx, tx, c, securityGroupsColl, id); err != nil {
			if fault.IsType(err, "SecurityGroupNotFound") {
				return nil, fault.NotFound("ResourceNotFound", "Resource %s could not be found.", id)
			}
			return nil, err
		}
	}
	if id := plugin.Str(body, "target_id"); id != "" {
		if _, err := plugin.Fetch(ctx, tx, c, portsColl, id); err != nil {
			if fault.IsType(err, "PortNotFound") {
				return nil, fault.NotFound("TargetResourceNotFound", "Target resource %s could not be found.", id)
			}
			return nil, err
		}
	}
	d := plugin.Copy(body)
	plugin.Stamp(d, 0)
	delete(d, "tags")
	if d["project_id"] == nil {
		d["project_id"] = d["tenant_id"]
	}
	return d, plugin.Add(ctx, tx, c, Logs.Collection, d)
}

// Update changes name, description or enabled.
func (LogCollection) Update(ctx context.Context, tx *db.Tx, c *plugin.Caller, cur, changes db.Doc) (db.Doc, error) {
	d := plugin.Apply(cur, changes)
	return d, plugin.Save(ctx, tx, c, Logs.Collection, d)
}

// Delete removes a log.
func (LogCollection) Delete(ctx context.Context, tx *db.Tx, c *plugin.Caller, cur db.Doc) error {
	return plugin.Remove(ctx, tx, c, Logs.Collection, cur)
}

// List returns the candidate logs.
func (LogCollection) List(ctx context.Context, tx *db.Tx, _ *plugin.Caller, f map[string][]string) ([]db.Doc, error) {
	return tx.List(ctx, Logs.Collection, projectFilter(f))
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
	id := plugin.Str(cur, "id")
	docs, err := tx.List(ctx, h.coll, db.Filter{})
	if err != nil {
		return err
	}
	for _, d := range docs {
		if plugin.Str(d, h.attr) == id {
			if err := plugin.Remove(ctx, tx, c.Elevated(), h.coll, d); err != nil {
				return err
			}
		}
	}
	return nil
}
