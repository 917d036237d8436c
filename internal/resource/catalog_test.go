package resource

import (
	"strings"
	"sync"
	"testing"
)

func builtinForTest() []*Resource {
	return append(append([]*Resource{}, Core...), Routers, FloatingIPs, ClusterConfig)
}

func TestCatalogLookups(t *testing.T) {
	c := MustCatalog(builtinForTest()...)
	for _, tc := range []struct{ coll, dataType, rest, parent, quota string }{
		{"networks", "NETWORK", "networks", "", "network"},
		{"subnets", "SUBNET", "subnets", "network_id", "subnet"},
		{"ports", "PORT", "ports", "network_id", "port"},
		{"security_group_rules", "SECURITYGROUPRULE", "security_group_rules", "security_group_id", "security_group_rule"},
		{"floatingips", "FLOATINGIP", "floating_ips", "floating_network_id", "floatingip"},
	} {
		r := c.Get(tc.coll)
		if r == nil {
			t.Fatalf("%s not in the catalogue", tc.coll)
		}
		if r.DataType != tc.dataType || c.DataType(tc.coll) != tc.dataType || c.ByDataType(tc.dataType) != r {
			t.Errorf("%s: data type %q, want %q both ways", tc.coll, r.DataType, tc.dataType)
		}
		if c.ByREST(tc.rest) != r || r.REST() != tc.rest {
			t.Errorf("%s: REST path %q, want %q both ways", tc.coll, r.REST(), tc.rest)
		}
		if c.ParentKey(tc.coll) != tc.parent {
			t.Errorf("%s: parent key %q, want %q", tc.coll, c.ParentKey(tc.coll), tc.parent)
		}
		if r.Quota != tc.quota {
			t.Errorf("%s: quota %q, want %q", tc.coll, r.Quota, tc.quota)
		}
	}
	want := "networks subnets subnetpools security_groups security_group_rules routers ports floatingips"
	if got := strings.Join(c.Translated(), " "); got != want {
		t.Errorf("translation order %q, want %q", got, want)
	}
	if c.ByREST("config") != nil || c.DataType("config") != "CONFIG" {
		t.Error("the cluster configuration is journaled but not a REST collection")
	}
	if c.Get("no_such") != nil || c.DataType("no_such") != "" || c.ParentKey("no_such") != "" {
		t.Error("an unknown collection answers something")
	}
	var quotas []string
	for _, r := range c.Quotas() {
		quotas = append(quotas, r.Quota)
	}
	if got := strings.Join(quotas, " "); got != "floatingip network port router security_group security_group_rule subnet subnetpool" {
		t.Errorf("quotas %q", got)
	}
}

func TestCatalogRefusesInconsistentDescriptions(t *testing.T) {
	for _, tc := range []struct {
		name string
		rs   []*Resource
		want string
	}{
		{"twice", []*Resource{{Collection: "a"}, {Collection: "a"}}, "described twice"},
		{"path", []*Resource{{Collection: "a", Path: "x"}, {Collection: "b", Path: "x"}}, "path"},
		{"data type", []*Resource{{Collection: "a", DataType: "X"}, {Collection: "b", DataType: "X"}}, "data type"},
		{"translated untyped", []*Resource{{Collection: "a", Translate: 1}}, "no task data type"},
		{"quota", []*Resource{{Collection: "a", Quota: "q"}, {Collection: "b", Quota: "q"}}, "quota"},
		{"parent", []*Resource{{Collection: "a", Parent: &Parent{Attr: "b_id", Collection: "b"}}}, "parent"},
		{"unnamed", []*Resource{{}}, "without a collection"},
	} {
		if _, err := NewCatalog(tc.rs...); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: NewCatalog = %v, want an error about %q", tc.name, err, tc.want)
		}
	}
}

// TestCatalogSafeForConcurrentUse builds catalogues over the shared descriptions and reads
// them from many goroutines at once, as tests and the server do; under -race it fails on any
// unsynchronised write.
func TestCatalogSafeForConcurrentUse(t *testing.T) {
	var wg sync.WaitGroup
	for i := 0; i < 16; i++ {
		wg.Go(func() {
			c := MustCatalog(builtinForTest()...)
			for _, r := range c.All() {
				for _, a := range r.Attrs {
					if r.Attr(a.Name) != a {
						t.Errorf("%s.%s: wrong attribute", r.Collection, a.Name)
					}
				}
				if c.Get(r.Collection) != r || (r.Path != "" && c.ByPath(r.Path) != r) {
					t.Errorf("%s: lookups disagree", r.Collection)
				}
			}
		})
	}
	wg.Wait()
}

// TestLookupsKeyOnlyLookups: a collection that is not keyed but has Lookups is in the key
// index (its lookups as multi-valued paths) and has no sort keys, so its lists stay as they
// are; a keyed collection's Lookups join its paths.
func TestLookupsKeyOnlyLookups(t *testing.T) {
	devices := &Resource{Collection: "devices", Member: "device", Path: "devices", Lookups: []string{"resource_id", "links.ref"},
		Attrs: []*Attr{{Name: "id"}, {Name: "name"}, {Name: "resource_id"}}}
	items := &Resource{Collection: "items", Member: "item", Path: "items", Keyed: true, Tags: true, KeySorts: []string{"name"},
		Lookups: []string{"owner"}, Attrs: []*Attr{{Name: "id"}, {Name: "name"}, {Name: "owner"}}}
	plain := &Resource{Collection: "plain", Member: "plain", Path: "plain", Attrs: []*Attr{{Name: "id"}, {Name: "name"}}}
	c := MustCatalog(devices, items, plain)
	for _, tc := range []struct {
		coll        string
		sort, multi string
	}{
		{"devices", "", "resource_id links.ref"},
		{"items", "name", "tags owner"},
		{"plain", "", ""},
	} {
		s, m := c.KeyAttrs(tc.coll)
		if strings.Join(s, " ") != tc.sort || strings.Join(m, " ") != tc.multi {
			t.Errorf("%s: keys %v and %v, want %q and %q", tc.coll, s, m, tc.sort, tc.multi)
		}
	}
	if got := strings.Join(c.KeyedKindNames(), " "); got != "devices items" {
		t.Errorf("KeyedKindNames = %q, want the two with keys", got)
	}
	if devices.SortKeys() != nil {
		t.Error("a collection keyed for lookups only has sort keys: its lists would go through the index")
	}
}
