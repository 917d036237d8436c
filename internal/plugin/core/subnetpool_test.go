package core_test

import (
	"testing"

	"github.com/midonet-go/midonet/internal/plugin"
	"github.com/midonet-go/midonet/internal/testutil/plugintest"
)

// TestSubnetPoolBounds: the prefix lengths a pool gets by default and the ones it refuses,
// as Neutron's SubnetPoolReader.
func TestSubnetPoolBounds(t *testing.T) {
	e := plugintest.New(t)
	for _, c := range []struct {
		name          string
		body          map[string]any
		min, def, max int
		typ           string
	}{
		{"IPv4 defaults", map[string]any{"prefixes": []any{"10.0.0.0/16"}}, 8, 8, 32, ""},
		{"IPv6 defaults", map[string]any{"prefixes": []any{"2001:db8::/48"}}, 64, 64, 128, ""},
		{"default follows min", map[string]any{"prefixes": []any{"10.1.0.0/16"}, "min_prefixlen": 29}, 29, 29, 32, ""},
		{"IPv6 min above the prefix", map[string]any{"prefixes": []any{"2001:db8:3::/48"}, "min_prefixlen": 64}, 64, 64, 128, ""},
		{"max beyond the family", map[string]any{"prefixes": []any{"10.2.0.0/16"}, "max_prefixlen": 33}, 0, 0, 0, "IllegalSubnetPoolPrefixBounds"},
		{"min above max", map[string]any{"prefixes": []any{"10.2.0.0/16"}, "min_prefixlen": 30, "max_prefixlen": 28}, 0, 0, 0, "IllegalSubnetPoolPrefixBounds"},
		{"default below min", map[string]any{"prefixes": []any{"10.2.0.0/16"}, "min_prefixlen": 24, "default_prefixlen": 20}, 0, 0, 0, "IllegalSubnetPoolPrefixBounds"},
		{"default above max", map[string]any{"prefixes": []any{"10.2.0.0/16"}, "default_prefixlen": 40}, 0, 0, 0, "IllegalSubnetPoolPrefixBounds"},
		{"mixed IP versions", map[string]any{"prefixes": []any{"10.2.0.0/16", "2001:db8::/48"}}, 0, 0, 0, "PrefixVersionMismatch"},
		{"no prefix", map[string]any{"prefixes": []any{}}, 0, 0, 0, "EmptySubnetPoolPrefixList"},
	} {
		t.Run(c.name, func(t *testing.T) {
			c.body["name"] = c.name
			d, err := e.Create("subnetpools", c.body)
			if c.typ != "" {
				plugintest.WantFault(t, c.name, err, 400, c.typ)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if d["min_prefixlen"] != c.min || d["default_prefixlen"] != c.def || d["max_prefixlen"] != c.max {
				t.Errorf("min/default/max %v/%v/%v, want %d/%d/%d", d["min_prefixlen"], d["default_prefixlen"], d["max_prefixlen"], c.min, c.def, c.max)
			}
		})
	}
}

// TestSubnetPoolPrefixes: updates only grow a pool (compacted, as netaddr's IPSet), and the
// prefix actions add any prefix and remove those no subnet uses.
func TestSubnetPoolPrefixes(t *testing.T) {
	e := plugintest.New(t)
	id := e.MustCreate("subnetpools", map[string]any{"name": "p", "prefixes": []any{"10.11.12.0/24"}, "min_prefixlen": 29})["id"].(string)
	prefixes := func() []string { return plugin.Strings(e.Get("subnetpools", id), "prefixes") }
	same := func(got []string, want ...string) bool {
		if len(got) != len(want) {
			return false
		}
		for i := range got {
			if got[i] != want[i] {
				return false
			}
		}
		return true
	}
	steps := []struct {
		name   string
		run    func() error
		typ    string
		expect []string
	}{
		{"append", func() error {
			_, err := e.Update("subnetpools", id, map[string]any{"prefixes": []any{"10.11.12.0/24", "10.11.15.0/24"}})
			return err
		}, "", []string{"10.11.12.0/24", "10.11.15.0/24"}},
		{"shrink", func() error {
			_, err := e.Update("subnetpools", id, map[string]any{"prefixes": []any{"10.11.12.0/26"}})
			return err
		}, "IllegalSubnetPoolPrefixUpdate", nil},
		{"add an overlapping prefix", func() error {
			_, err := e.Action("subnetpools", id, "add_prefixes", map[string]any{"prefixes": []any{"10.11.12.128/25", "192.168.2.0/24"}})
			return err
		}, "", []string{"10.11.12.0/24", "10.11.15.0/24", "192.168.2.0/24"}},
		{"remove a prefix", func() error {
			_, err := e.Action("subnetpools", id, "remove_prefixes", map[string]any{"prefixes": []any{"192.168.2.0/24"}})
			return err
		}, "", []string{"10.11.12.0/24", "10.11.15.0/24"}},
		{"remove what the pool does not hold", func() error {
			_, err := e.Action("subnetpools", id, "remove_prefixes", map[string]any{"prefixes": []any{"172.16.0.0/12"}})
			return err
		}, "", []string{"10.11.12.0/24", "10.11.15.0/24"}},
		{"remove part of a prefix", func() error {
			_, err := e.Action("subnetpools", id, "remove_prefixes", map[string]any{"prefixes": []any{"10.11.15.128/25"}})
			return err
		}, "", []string{"10.11.12.0/24", "10.11.15.0/25"}},
		{"extend", func() error {
			_, err := e.Update("subnetpools", id, map[string]any{"prefixes": []any{"10.11.0.0/16"}})
			return err
		}, "", []string{"10.11.0.0/16"}},
		{"add nothing", func() error {
			_, err := e.Action("subnetpools", id, "add_prefixes", map[string]any{"prefixes": []any{}})
			return err
		}, "HTTPBadRequest", nil},
		{"add an IPv6 prefix", func() error {
			_, err := e.Action("subnetpools", id, "add_prefixes", map[string]any{"prefixes": []any{"2001:db8::/64"}})
			return err
		}, "PrefixVersionMismatch", nil},
		{"add something that is not a CIDR", func() error {
			_, err := e.Action("subnetpools", id, "add_prefixes", map[string]any{"prefixes": []any{"nonsense", 7}})
			return err
		}, "InvalidInput", nil},
	}
	for _, s := range steps {
		err := s.run()
		if s.typ != "" {
			plugintest.WantFault(t, s.name, err, 400, s.typ)
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		if got := prefixes(); !same(got, s.expect...) {
			t.Errorf("%s: prefixes %v, want %v", s.name, got, s.expect)
		}
	}
	// A prefix a subnet uses stays.
	net := e.MustCreate("networks", map[string]any{"name": "n"})["id"].(string)
	sub := e.MustCreate("subnets", map[string]any{"network_id": net, "ip_version": 4, "subnetpool_id": id})
	if sub["cidr"] != "10.11.0.0/29" {
		t.Errorf("first subnet %v, want 10.11.0.0/29", sub["cidr"])
	}
	_, err := e.Action("subnetpools", id, "remove_prefixes", map[string]any{"prefixes": []any{"10.11.0.0/24"}})
	plugintest.WantFault(t, "removing a prefix in use", err, 400, "IllegalSubnetPoolPrefixUpdate")
}

// TestSubnetPoolAllocation: lengths outside the pool's bounds are 400 as Neutron's
// SubnetAllocator answers, a cidr must be free in the pool, default_quota counts a
// project's share, and the default pool serves use_default_subnetpool.
func TestSubnetPoolAllocation(t *testing.T) {
	e := plugintest.New(t)
	pool := e.MustCreate("subnetpools", map[string]any{"name": "p", "prefixes": []any{"10.20.0.0/24"}, "min_prefixlen": 26, "max_prefixlen": 28, "default_quota": 112})["id"].(string)
	sub := func(body map[string]any) (string, error) {
		net := e.MustCreate("networks", map[string]any{"name": "n"})["id"].(string)
		b := map[string]any{"network_id": net, "ip_version": 4}
		for k, v := range body {
			b[k] = v
		}
		d, err := e.Create("subnets", b)
		if err != nil {
			return "", err
		}
		return d["cidr"].(string), nil
	}
	for _, c := range []struct {
		name   string
		body   map[string]any
		status int
		typ    string
		cidr   string
	}{
		{"shorter than min", map[string]any{"subnetpool_id": pool, "cidr": "10.20.0.0/25"}, 400, "MinPrefixSubnetAllocationError", ""},
		{"longer than max", map[string]any{"subnetpool_id": pool, "prefixlen": 29}, 400, "MaxPrefixSubnetAllocationError", ""},
		{"outside the pool", map[string]any{"subnetpool_id": pool, "cidr": "10.30.0.0/26"}, 409, "SubnetAllocationError", ""},
		{"default length", map[string]any{"subnetpool_id": pool}, 0, "", "10.20.0.0/26"},
		{"a cidr already allocated", map[string]any{"subnetpool_id": pool, "cidr": "10.20.0.0/27"}, 409, "SubnetAllocationError", ""},
		{"a free cidr", map[string]any{"subnetpool_id": pool, "cidr": "10.20.0.128/27"}, 0, "", "10.20.0.128/27"},
		{"the smallest free block first", map[string]any{"subnetpool_id": pool, "prefixlen": 28}, 0, "", "10.20.0.160/28"},
		{"over the quota of 112 addresses", map[string]any{"subnetpool_id": pool, "prefixlen": 27}, 409, "SubnetPoolQuotaExceeded", ""},
		{"no default pool yet", map[string]any{"use_default_subnetpool": true}, 400, "BadRequest", ""},
	} {
		cidr, err := sub(c.body)
		if c.status != 0 {
			plugintest.WantFault(t, c.name, err, c.status, c.typ)
			continue
		}
		if err != nil || cidr != c.cidr {
			t.Errorf("%s: %v %v, want %s", c.name, cidr, err, c.cidr)
		}
	}
	def := e.MustCreate("subnetpools", map[string]any{"name": "d", "prefixes": []any{"10.40.0.0/16"}, "default_prefixlen": 24, "is_default": true})["id"].(string)
	_, err := e.Create("subnetpools", map[string]any{"name": "d2", "prefixes": []any{"10.41.0.0/16"}, "is_default": true})
	plugintest.WantFault(t, "a second IPv4 default", err, 400, "InvalidInput")
	if _, err := e.Create("subnetpools", map[string]any{"name": "d6", "prefixes": []any{"2001:db8::/48"}, "is_default": true}); err != nil {
		t.Errorf("an IPv6 default beside the IPv4 one: %v", err)
	}
	if cidr, err := sub(map[string]any{"use_default_subnetpool": true}); err != nil || cidr != "10.40.0.0/24" {
		t.Errorf("from the default pool: %v %v", cidr, err)
	}
	_, err = sub(map[string]any{"use_default_subnetpool": true, "subnetpool_id": def})
	plugintest.WantFault(t, "both a pool and the default", err, 400, "BadRequest")
	if _, err := e.Update("subnetpools", def, map[string]any{"is_default": false}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Update("subnetpools", pool, map[string]any{"is_default": true}); err != nil {
		t.Errorf("another default once the first is not: %v", err)
	}
}
