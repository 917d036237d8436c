package taas

import (
	"context"

	"github.com/midonet-go/midonet/internal/db"
	"github.com/midonet-go/midonet/internal/fault"
	"github.com/midonet-go/midonet/internal/plugin"
	"github.com/midonet-go/midonet/internal/plugin/stored"
)

// ServiceCollection is /v2.0/taas/tap_services: a service on one of the project's ports
// (several services may share a port: the recording shows upstream accepts it); its name
// or description change; a delete takes its flows first (upstream's order).
func ServiceCollection() stored.Collection {
	return stored.Collection{Res: Services, Children: []string{Flows.Collection},
		Prepare: func(ctx context.Context, tx *db.Tx, c *plugin.Caller, d db.Doc) error {
			if err := ownPort(ctx, tx, c, plugin.Str(d, "port_id"), plugin.Str(d, "tenant_id")); err != nil {
				return err
			}
			d["status"] = StatusDown
			return nil
		}}
}

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

// FlowCollection is /v2.0/taas/tap_flows, listed per service when the query names one;
// their name or description change.
func FlowCollection() stored.Collection {
	return stored.Collection{Res: Flows, ParentQuery: "tap_service_id", Prepare: prepareFlow}
}

// prepareFlow checks a new tap flow: its service must be one the caller sees and of the
// flow's project (TapServiceNotBelongToTenant), its source port too. Upstream never checked
// the source port's owner (a TODO in its database layer); here a flow mirrors only the
// project's own ports, so no project can copy another's traffic.
func prepareFlow(ctx context.Context, tx *db.Tx, c *plugin.Caller, d db.Doc) error {
	project := plugin.Str(d, "tenant_id")
	ts, err := plugin.Fetch(ctx, tx, c, Services.Collection, plugin.Str(d, "tap_service_id"))
	if err != nil {
		return err
	}
	if plugin.Str(ts, "tenant_id") != project {
		return fault.TapServiceNotBelongToTenant()
	}
	if err := ownPort(ctx, tx, c, plugin.Str(d, "source_port"), project); err != nil {
		return err
	}
	d["status"] = StatusDown
	return nil
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
		if err := ServiceCollection().Delete(ctx, tx, c, ts); err != nil {
			return err
		}
	}
	return stored.RemoveWhere(ctx, tx, c, Flows.Collection, "source_port", id)
}

// ExpandShared sets nothing: the hook adds no attribute (plugin.SharedExpander).
func (portHook) ExpandShared(context.Context, *db.Tx, []db.Doc, plugin.SetFunc) error { return nil }
