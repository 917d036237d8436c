package core

import (
	"context"

	"github.com/midonet-go/midonet/internal/db"
	"github.com/midonet-go/midonet/internal/journal"
	"github.com/midonet-go/midonet/internal/model"
	"github.com/midonet-go/midonet/internal/plugin"
)

// DataTypePortBinding is the task data type of a port's binding to a host interface.
const DataTypePortBinding = "PORTBINDING"

// binding is where a port is plugged: its host and host interface ("" while unbound).
func binding(d db.Doc) (host, iface string) {
	if d == nil {
		return "", ""
	}
	p := model.MustDecode[model.Port](d)
	return p.HostID, p.InterfaceName()
}

// bindingTasks writes the PORTBINDING tasks of a port's change from before to after (either
// nil), after the port's own task (seed 8.1 "Port binding": a task for each binding, with the
// port's id): a new binding is a CREATE with the host and interface, a binding that goes is a
// DELETE, and a move is both (MidoNet unbinds, then binds). The PORT task carries the same
// binding, which is what the translation reads; these tasks are for MidoNet's importer, and
// only the task client writes them.
func bindingTasks(ctx context.Context, tx *db.Tx, c *plugin.Caller, before, after db.Doc) error {
	oldHost, oldIface := binding(before)
	newHost, newIface := binding(after)
	if oldHost == newHost && oldIface == newIface {
		return nil
	}
	d := after
	if d == nil {
		d = before
	}
	id, tenant, req := plugin.Str(d, "id"), plugin.Str(d, "tenant_id"), ""
	if c != nil {
		req = c.RequestID
	}
	if oldHost != "" {
		if err := journal.TaskOnly(ctx, tx, journal.Delete, DataTypePortBinding, id, tenant, req, nil); err != nil {
			return err
		}
	}
	if newHost != "" {
		data := map[string]any{"id": id, "port_id": id, "host_id": newHost, "interface_name": newIface}
		return journal.TaskOnly(ctx, tx, journal.Create, DataTypePortBinding, id, tenant, req, data)
	}
	return nil
}
