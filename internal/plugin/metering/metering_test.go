package metering

import (
	"net/netip"
	"slices"
	"testing"

	"github.com/midonet-go/midonet/internal/cluster/translate"
	"github.com/midonet-go/midonet/internal/db"
	"github.com/midonet-go/midonet/internal/topology"
)

// TestLabelObjects: a label counts on the gateways of its project's routers (every
// project's when shared, none without a gateway), and a remote_ip_prefix is the source of
// ingress and the destination of egress traffic.
func TestLabelObjects(t *testing.T) {
	w := translate.NewWorld()
	router := func(id, project string, gateway bool) {
		d := translate.Doc{"id": id, "tenant_id": project, "admin_state_up": true}
		if gateway {
			d["gw_port_id"] = "gw-" + id
			d["external_gateway_info"] = map[string]any{"network_id": "ext"}
			w.Put("ports", translate.Doc{"id": "gw-" + id, "network_id": "ext", "device_id": id, "device_owner": "network:router_gateway", "tenant_id": ""})
		}
		w.Put("routers", d)
	}
	router("r1", "a", true)
	router("r2", "a", false)
	router("r3", "b", true)
	w.Put(Labels.Collection, translate.Doc{"id": "own", "tenant_id": "a", "name": "own"})
	w.Put(Labels.Collection, translate.Doc{"id": "all", "tenant_id": "c", "shared": true})
	w.Put(Rules.Collection, translate.Doc{"id": "in", "metering_label_id": "own", "direction": "ingress", "remote_ip_prefix": "10.0.0.0/8"})
	w.Put(Rules.Collection, translate.Doc{"id": "out", "metering_label_id": "own", "direction": "egress", "remote_ip_prefix": "10.0.0.0/8", "excluded": true})
	w.Put(Rules.Collection, translate.Doc{"id": "sd", "metering_label_id": "all", "direction": "egress", "source_ip_prefix": "192.168.0.0/16", "destination_ip_prefix": "8.8.8.8/32"})

	label := func(id string) *topology.MeteringLabel {
		objs := labelObjects(w, id)
		if len(objs) != 1 {
			t.Fatalf("label %s: %d objects", id, len(objs))
		}
		return objs[0].(*topology.MeteringLabel)
	}
	own := label("own")
	if want := []string{topology.TenantGwPortID("gw-r1")}; !slices.Equal(own.PortIDs, want) {
		t.Errorf("own label counts on %v, want %v (r2 has no gateway, r3 is another project's)", own.PortIDs, want)
	}
	want := []topology.MeteringRule{
		{ID: "in", Direction: "ingress", Source: "10.0.0.0/8"},
		{ID: "out", Direction: "egress", Excluded: true, Destination: "10.0.0.0/8"},
	}
	if !slices.Equal(own.Rules, want) {
		t.Errorf("rules %+v, want %+v", own.Rules, want)
	}
	all := label("all")
	if len(all.PortIDs) != 2 || !all.Shared {
		t.Errorf("shared label counts on %v, want both gateways", all.PortIDs)
	}
	if len(all.Rules) != 1 || all.Rules[0].Source != "192.168.0.0/16" || all.Rules[0].Destination != "8.8.8.8/32" {
		t.Errorf("shared label rules %+v", all.Rules)
	}
	if objs := labelObjects(w, "gone"); objs != nil {
		t.Errorf("a missing label owns %v", objs)
	}
}

// TestValidateRule: Neutron's checks of a rule's prefixes.
func TestValidateRule(t *testing.T) {
	cases := []struct {
		name string
		rule db.Doc
		ok   bool
		want map[string]any
	}{
		{"remote", db.Doc{"remote_ip_prefix": "10.0.0.0/24"}, true, map[string]any{"remote_ip_prefix": "10.0.0.0/24"}},
		{"bare address", db.Doc{"source_ip_prefix": "10.0.0.1"}, true, map[string]any{"source_ip_prefix": "10.0.0.1/32"}},
		{"host bits kept", db.Doc{"destination_ip_prefix": "fd00::1/64"}, true, map[string]any{"destination_ip_prefix": "fd00::1/64"}},
		{"source and destination", db.Doc{"source_ip_prefix": "10.0.0.0/8", "destination_ip_prefix": "0.0.0.0/0"}, true, nil},
		{"remote and source", db.Doc{"remote_ip_prefix": "10.0.0.0/8", "source_ip_prefix": "10.0.0.0/8"}, false, nil},
		{"none", db.Doc{}, false, nil},
		{"empty strings", db.Doc{"remote_ip_prefix": ""}, false, nil},
		{"garbage", db.Doc{"remote_ip_prefix": "ten"}, false, nil},
		{"zone", db.Doc{"remote_ip_prefix": "fe80::1%eth0"}, false, nil},
	}
	for _, c := range cases {
		err := validateRule(c.rule)
		if (err == nil) != c.ok {
			t.Errorf("%s: %v, want ok=%v", c.name, err, c.ok)
			continue
		}
		for k, v := range c.want {
			if c.rule[k] != v {
				t.Errorf("%s: %s = %v, want %v", c.name, k, c.rule[k], v)
			}
		}
	}
}

// FuzzValidateRule: any prefixes either fail with a Neutron error or leave canonical,
// parseable prefixes behind.
func FuzzValidateRule(f *testing.F) {
	for _, s := range []string{"10.0.0.0/24", "10.0.0.1", "fd00::/64", "", "1.2.3.4/33", "::ffff:1.2.3.4/128", "fe80::1%x"} {
		f.Add(s, "", "")
		f.Add("", s, s)
	}
	f.Fuzz(func(t *testing.T, remote, src, dst string) {
		d := db.Doc{"remote_ip_prefix": remote, "source_ip_prefix": src, "destination_ip_prefix": dst}
		if err := validateRule(d); err != nil {
			if err.Error() == "" {
				t.Fatal("an error without a message")
			}
			return
		}
		for _, k := range prefixes {
			if v, ok := d[k].(string); ok {
				if _, err := netip.ParsePrefix(v); err != nil {
					t.Fatalf("%s accepted as %q, which does not parse", k, v)
				}
			}
		}
	})
}
