package trunk

import (
	"context"

	"github.com/midonet-go/midonet/internal/db"
	"github.com/midonet-go/midonet/internal/fault"
	"github.com/midonet-go/midonet/internal/plugin"
)

// portHook adds the trunk rules to ports: a trunk's parent or subport cannot be deleted, and
// a parent port shows its trunk (trunk_details).
type portHook struct{ plugin.NoHook }

// BeforeDelete refuses to delete a port a trunk uses (Neutron's enforce_port_deletion_rules).
func (portHook) BeforeDelete(ctx context.Context, tx *db.Tx, _ *plugin.Caller, cur db.Doc) error {
	id := plugin.Str(cur, "id")
	parentOf, subportOf, err := holding(ctx, tx, id)
	switch {
	case err != nil:
		return err
	case subportOf != nil:
		return fault.PortInUseAsSubPort(id, plugin.Str(subportOf, "id"))
	case parentOf != nil:
		return fault.PortInUseAsTrunkParent(id, plugin.Str(parentOf, "id"))
	}
	return nil
}

// Expand sets trunk_details on every parent port: the trunk's id and its subports with their
// MAC addresses (ports that are not parents get none).
func (h portHook) Expand(ctx context.Context, tx *db.Tx, docs []db.Doc) error {
	return h.ExpandShared(ctx, tx, docs, func(i int, attr string, v any) { docs[i][attr] = v })
}

// ExpandShared computes trunk_details without changing the documents (plugin.SharedExpander).
func (portHook) ExpandShared(ctx context.Context, tx *db.Tx, docs []db.Doc, set plugin.SetFunc) error {
	if len(docs) == 0 {
		return nil
	}
	trunks, err := trunksOf(ctx, tx, docs)
	if err != nil || len(trunks) == 0 {
		return err
	}
	byParent := make(map[string]db.Doc, len(trunks))
	for _, t := range trunks {
		byParent[plugin.Str(t, "port_id")] = t
	}
	var want []string
	for _, d := range docs {
		if t := byParent[plugin.Str(d, "id")]; t != nil {
			for _, s := range subportsOf(t) {
				want = append(want, s.PortID)
			}
		}
	}
	macs := map[string]any{}
	if len(want) > 0 {
		ports, err := tx.List(ctx, "ports", db.Filter{IDs: want})
		if err != nil {
			return err
		}
		for _, p := range ports {
			macs[plugin.Str(p, "id")] = p["mac_address"]
		}
	}
	for i, d := range docs {
		t := byParent[plugin.Str(d, "id")]
		if t == nil {
			continue
		}
		subs := []any{}
		for _, s := range subportsOf(t) {
			subs = append(subs, map[string]any{"port_id": s.PortID, "segmentation_type": s.SegmentationType,
				"segmentation_id": s.SegmentationID, "mac_address": macs[s.PortID]})
		}
		set(i, "trunk_details", map[string]any{"trunk_id": plugin.Str(t, "id"), "sub_ports": subs})
	}
	return nil
}

// trunksOf returns the trunks whose parent is one of ports, read through the parent index
// (a trunk's stored parent is its port_id), 500 ports a query: a page of ports reads the
// trunks of its ports, not every trunk, and a port that is no parent costs no read of any
// trunk. A port the transaction has just created costs nothing: a trunk names a port that
// existed when the trunk was created, and a parent port cannot be deleted (a create, bulk or
// not, reads no trunk).
func trunksOf(ctx context.Context, tx *db.Tx, ports []db.Doc) ([]db.Doc, error) {
	var look []string
	for _, p := range ports {
		if id := plugin.Str(p, "id"); id != "" && !tx.Inserted("ports", id) {
			look = append(look, id)
		}
	}
	return tx.ListChildren(ctx, Trunks.Collection, look)
}
