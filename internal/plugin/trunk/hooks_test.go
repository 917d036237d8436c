package trunk

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/midonet-go/midonet/internal/db"
)

// trunkKinds stores a trunk's parent port as its parent, as the catalogue does.
type trunkKinds struct{}

func (trunkKinds) ParentKey(kind string) string {
	if kind == "trunks" {
		return "port_id"
	}
	return ""
}
func (trunkKinds) DataType(string) string { return "" }

// TestTrunkDetails: a parent port shows its trunk with the subports' MAC addresses and no
// other port shows any, whether one port is expanded (a create or a show) or many (a list:
// the trunks of those ports, read by the trunk's stored parent in one query).
func TestTrunkDetails(t *testing.T) {
	ctx := context.Background()
	d, err := db.Open(ctx, "sqlite:///"+filepath.Join(t.TempDir(), "neutron.db"), "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	d.Kinds = trunkKinds{}
	if _, err := d.Upgrade(ctx); err != nil {
		t.Fatal(err)
	}
	var ports []db.Doc
	for i := range 12 {
		ports = append(ports, db.Doc{"id": fmt.Sprintf("port-%02d", i), "mac_address": fmt.Sprintf("fa:16:3e:00:00:%02x", i)})
	}
	parent, sub := ports[3], ports[5]
	err = d.Write(ctx, func(tx *db.Tx) error {
		for _, p := range ports {
			if err := tx.Insert(ctx, "ports", p); err != nil {
				return err
			}
		}
		return tx.Insert(ctx, "trunks", db.Doc{"id": "trunk-1", "port_id": parent["id"], "sub_ports": []any{
			map[string]any{"port_id": sub["id"], "segmentation_type": "vlan", "segmentation_id": 101}}})
	})
	if err != nil {
		t.Fatal(err)
	}
	// A port created in the expanding transaction shows none, alone or among many.
	t.Run("ports just created", func(t *testing.T) {
		err := d.Write(ctx, func(tx *db.Tx) error {
			var docs []db.Doc
			for i := range 10 {
				p := db.Doc{"id": fmt.Sprintf("new-%02d", i), "mac_address": "fa:16:3e:00:01:00"}
				if err := tx.Insert(ctx, "ports", p); err != nil {
					return err
				}
				docs = append(docs, p)
			}
			for _, set := range [][]db.Doc{docs[:1], docs} {
				if err := (portHook{}).Expand(ctx, tx, set); err != nil {
					return err
				}
			}
			for _, p := range docs {
				if td, has := p["trunk_details"]; has {
					t.Errorf("new port %s shows trunk_details %v", p["id"], td)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
	for _, tc := range []struct {
		name string
		docs []db.Doc
	}{
		{"the parent alone", []db.Doc{parent}},
		{"a port that is no parent", []db.Doc{ports[0]}},
		{"a few ports", ports[:4]},
		{"many ports", ports},
	} {
		t.Run(tc.name, func(t *testing.T) {
			docs := make([]db.Doc, len(tc.docs))
			for i, p := range tc.docs {
				docs[i] = db.Doc{"id": p["id"], "mac_address": p["mac_address"]}
			}
			if err := d.Read(ctx, func(tx *db.Tx) error { return portHook{}.Expand(ctx, tx, docs) }); err != nil {
				t.Fatal(err)
			}
			for _, p := range docs {
				td, has := p["trunk_details"]
				if p["id"] != parent["id"] {
					if has {
						t.Errorf("port %s shows trunk_details %v", p["id"], td)
					}
					continue
				}
				want := fmt.Sprint(map[string]any{"trunk_id": "trunk-1", "sub_ports": []any{map[string]any{
					"port_id": sub["id"], "segmentation_type": "vlan", "segmentation_id": "101", "mac_address": sub["mac_address"]}}})
				if got := fmt.Sprint(td); got != want {
					t.Errorf("parent's trunk_details %s, want %s", got, want)
				}
			}
		})
	}
}
