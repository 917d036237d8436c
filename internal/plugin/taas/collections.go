package taas

import (
	"context"

	"github.com/midonet-go/midonet/internal/db"
	"github.com/midonet-go/midonet/internal/fault"
	"github.com/midonet-go/midonet/internal/plugin"
	"github.com/midonet-go/midonet/internal/resource"
)

// ServiceCollection is /v2.0/taas/tap_services.
type ServiceCollection struct{}

// Resource describes tap services.
func (ServiceCollection) Resource() *resource.Resource { return Services }

// ownPort fetches a port the caller sees (PortNotFound otherwise) and refuses one of another
// project than project (PortDoesNotBelongToTenant, for admins too, as upstream).
func ownPort(ctx context.Context, tx *db.Tx, c *plugin.Caller, id, project string) error {
	p, err := plugin.Fetch(ctx, tx, c, "ports", id)
	if err != nil {
		return err
	}
	if plugin.Str(p, "tenant_id") != project {
		return fault.PortDoesNotBelongToTenant()
	}
	return nil
}

// Create stores a tap service on one of the project's ports. Several services may share a
// port (the recording shows upstream accepts it).
func (ServiceCollection) Create(ctx context.Context, tx *db.Tx, c *plugin.Caller, body db.Doc) (db.Doc, error) {
	d := plugin.Copy(body)
	if err := ownPort(ctx, tx, c, plugin.Str(d, "port_id"), plugin.Str(d, "tenant_id")); err != nil {
		return nil, err
	}
	d["id"] = plugin.NewID()
	d["status"] = StatusDown
	return d, plugin.Add(ctx, tx, c, Services.Collection, d)
}

// Update changes the name or description.
func (ServiceCollection) Update(ctx context.Context, tx *db.Tx, c *plugin.Caller, cur, changes db.Doc) (db.Doc, error) {
	d := plugin.Apply(cur, changes)
	return d, plugin.SaveAsIs(ctx, tx, c, Services.Collection, d)
}

// Delete removes a tap service and its flows first (upstream's order).
func (ServiceCollection) Delete(ctx context.Context, tx *db.Tx, c *plugin.Caller, cur db.Doc) error {
	return removeService(ctx, tx, c, cur)
}

func removeService(ctx context.Context, tx *db.Tx, c *plugin.Caller, ts db.Doc) error {
	flows, err := tx.List(ctx, Flows.Collection, db.Filter{ParentID: plugin.Str(ts, "id")})
	if err != nil {
		return err
	}
	for _, f := range flows {
		if err := plugin.Remove(ctx, tx, c, Flows.Collection, f); err != nil {
			return err
		}
	}
	return plugin.Remove(ctx, tx, c, Services.Collection, ts)
}

// List returns the candidate services; the API keeps those the caller may see.
func (ServiceCollection) List(ctx context.Context, tx *db.Tx, _ *plugin.Caller, f map[string][]string) ([]db.Doc, error) {
	return tx.List(ctx, Services.Collection, projectFilter(f))
}

// projectFilter narrows a list to one project when the query names exactly one.
func projectFilter(f map[string][]string) db.Filter {
	var h db.Filter
	if t := f["tenant_id"]; len(t) == 1 {
		h.ProjectID = t[0]
	} else if t := f["project_id"]; len(t) == 1 {
		h.ProjectID = t[0]
	}
	return h
}

// FlowCollection is /v2.0/taas/tap_flows.
type FlowCollection struct{}

// Resource describes tap flows.
func (FlowCollection) Resource() *resource.Resource { return Flows }

// Create stores a tap flow: its service must be one the caller sees and of the flow's
// project (TapServiceNotBelongToTenant), its source port too. Upstream never checked the
// source port's owner (a TODO in its database layer); here a flow mirrors only the project's
// own ports, so no project can copy another's traffic.
func (FlowCollection) Create(ctx context.Context, tx *db.Tx, c *plugin.Caller, body db.Doc) (db.Doc, error) {
	d := plugin.Copy(body)
	project := plugin.Str(d, "tenant_id")
	ts, err := plugin.Fetch(ctx, tx, c, Services.Collection, plugin.Str(d, "tap_service_id"))
	if err != nil {
		return nil, err
	}
	if plugin.Str(ts, "tenant_id") != project {
		return nil, fault.TapServiceNotBelongToTenant()
	}
	if err := ownPort(ctx, tx, c, plugin.Str(d, "source_port"), project); err != nil {
		return nil, err
	}
	d["id"] = plugin.NewID()
	d["status"] = StatusDown
	return d, plugin.Add(ctx, tx, c, Flows.Collection, d)
}

// Update changes the name or description.
func (FlowCollection) Update(ctx context.Context, tx *db.Tx, c *plugin.Caller, cur, changes db.Doc) (db.Doc, error) {
	d := plugin.Apply(cur, changes)
	return d, plugin.SaveAsIs(ctx, tx, c, Flows.Collection, d)
}

// Delete removes a tap flow.
func (FlowCollection) Delete(ctx context.Context, tx *db.Tx, c *plugin.Caller, cur db.Doc) error {
	return plugin.Remove(ctx, tx, c, Flows.Collection, cur)
}

// List returns the candidate flows (those of one service when the query names one).
func (FlowCollection) List(ctx context.Context, tx *db.Tx, _ *plugin.Caller, f map[string][]string) ([]db.Doc, error) {
	h := projectFilter(f)
	if s := f["tap_service_id"]; len(s) == 1 {
		h.ParentID = s[0]
	}
	return tx.List(ctx, Flows.Collection, h)
}

// portHook deletes what a port's delete leaves without meaning, in the port's transaction:
// the tap services delivering to it (with their flows) and the flows mirroring it (upstream's
// handle_delete_port).
type portHook struct{ plugin.NoHook }

func (portHook) BeforeDelete(ctx context.Context, tx *db.Tx, c *plugin.Caller, cur db.Doc) error {
	id := plugin.Str(cur, "id")
	services, err := tx.List(ctx, Services.Collection, db.Filter{ParentID: id})
	if err != nil {
		return err
	}
	for _, ts := range services {
		if err := removeService(ctx, tx, c, ts); err != nil {
			return err
		}
	}
	flows, err := tx.List(ctx, Flows.Collection, db.Filter{})
	if err != nil {
		return err
	}
	for _, f := range flows {
		if plugin.Str(f, "source_port") == id {
			if err := plugin.Remove(ctx, tx, c, Flows.Collection, f); err != nil {
				return err
			}
		}
	}
	return nil
}
