package db

import (
	"path/filepath"
	"reflect"
	"slices"
	"testing"
)

// specKinds keys "items" by the sort attributes and multi-valued paths it is given.
type specKinds struct{ sort, multi []string }

func (specKinds) ParentKey(string) string  { return "" }
func (specKinds) DataType(string) string   { return "" }
func (specKinds) KeyedKindNames() []string { return []string{"items"} }
func (k specKinds) KeyAttrs(kind string) (sort, multi []string) {
	if kind != "items" {
		return nil, nil
	}
	return k.sort, k.multi
}

// TestDiffKeySpecs: a catalogue that keys other attributes changes only those attributes'
// rows; a stale index or another encoding is built again whole.
func TestDiffKeySpecs(t *testing.T) {
	for _, tc := range []struct {
		name, have, want string
		whole            bool
		deltas           map[string]keyDelta
	}{
		{name: "same", have: "k1;ports:name,status|tags", want: "k1;ports:name,status|tags", deltas: map[string]keyDelta{}},
		{name: "one more sort key", have: "k1;ports:name,status|tags", want: "k1;ports:name,status,admin_state_up|tags",
			deltas: map[string]keyDelta{"ports": {addSort: []string{"admin_state_up"}}}},
		{name: "a sort key less", have: "k1;networks:name,router:external|tags", want: "k1;networks:name|tags",
			deltas: map[string]keyDelta{"networks": {drop: []string{"router:external"}}}},
		{name: "a new keyed kind", have: "k1;ports:name|", want: "k1;ports:name|;subnets:cidr|tags",
			deltas: map[string]keyDelta{"subnets": {addSort: []string{"cidr"}, addMulti: []string{"tags"}}}},
		{name: "a kind no longer keyed", have: "k1;ports:name|;subnets:cidr|tags", want: "k1;ports:name|",
			deltas: map[string]keyDelta{"subnets": {drop: []string{"cidr", "tags"}}}},
		{name: "moved to the other list", have: "k1;ports:tags|", want: "k1;ports:|tags",
			deltas: map[string]keyDelta{"ports": {addMulti: []string{"tags"}, drop: []string{"tags"}}}},
		{name: "stale", have: "", want: "k1;ports:name|", whole: true},
		{name: "another encoding", have: "k0;ports:name|", want: "k1;ports:name|", whole: true},
		{name: "unreadable", have: "k1;ports", want: "k1;ports:name|", whole: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			deltas, ok := diffKeySpecs(tc.have, tc.want)
			if ok == tc.whole {
				t.Fatalf("adjusted in place: %v, want %v", ok, !tc.whole)
			}
			if !tc.whole && !reflect.DeepEqual(deltas, tc.deltas) {
				t.Errorf("deltas %+v, want %+v", deltas, tc.deltas)
			}
		})
	}
}

// TestSyncKeysAddsOneAttribute: when the catalogue keys one more attribute, a start writes
// that attribute's rows and keeps the others as they are (it does not build the index again:
// a row planted in the index survives), pages sort by the new attribute, and when the
// catalogue drops an attribute its rows go.
func TestSyncKeysAddsOneAttribute(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "neutron.db")
	d := openRowidDB(t, path)
	d.Kinds = specKinds{sort: []string{"status"}}
	if _, err := d.Upgrade(ctx); err != nil {
		t.Fatal(err)
	}
	items := fillItems(t, d)
	countRows := func(attr string) int {
		t.Helper()
		var n int
		err := d.Read(ctx, func(tx *Tx) error {
			return tx.QueryRow(ctx, "SELECT COUNT(*) FROM resource_keys WHERE kind = 'items' AND attr = ?", attr).Scan(&n)
		})
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := countRows("name"); n != 0 {
		t.Fatalf("%d name rows before the catalogue keys name", n)
	}
	// A row no document has: a rebuild would drop it, an adjustment leaves it.
	err := d.Write(ctx, func(tx *Tx) error {
		_, err := tx.Exec(ctx, "INSERT INTO resource_keys (kind, attr, value, id) VALUES ('items', 'status', 'planted', 'zz')")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}

	d.Kinds = specKinds{sort: []string{"status", "name"}}
	rebuilt, err := d.SyncKeys(ctx)
	if err != nil || !rebuilt {
		t.Fatalf("SyncKeys: %v, %v; want the index changed", rebuilt, err)
	}
	if n := countRows("name"); n != len(items) {
		t.Errorf("%d name rows, want one for each of the %d items", n, len(items))
	}
	if n := countRows("status"); n != len(items)+1 {
		t.Errorf("%d status rows, want the %d items' and the planted one: the index was built again", n, len(items))
	}
	var got []string
	err = d.Read(ctx, func(tx *Tx) error {
		rows, err := tx.Page(ctx, "items", PageQuery{Sort: "name", KeyDesc: true, Limit: 100})
		for _, r := range rows {
			got = append(got, str(r.Doc["id"]))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, it := range items {
		want = append(want, it.id)
	}
	slices.Sort(want)
	slices.Reverse(want) // names are "n" + id
	if !slices.Equal(got, want) {
		t.Errorf("items by name, descending: %v, want %v", got, want)
	}
	if again, err := d.SyncKeys(ctx); err != nil || again {
		t.Errorf("a second SyncKeys changed the index: %v, %v", again, err)
	}

	d.Kinds = specKinds{sort: []string{"name"}}
	if _, err := d.SyncKeys(ctx); err != nil {
		t.Fatal(err)
	}
	if n := countRows("status"); n != 0 {
		t.Errorf("%d status rows left after the catalogue stopped keying status", n)
	}
	if n := countRows("name"); n != len(items) {
		t.Errorf("%d name rows after dropping status, want %d", n, len(items))
	}
}
