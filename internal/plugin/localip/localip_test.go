package localip

import (
	"testing"

	"github.com/midonet-go/midonet/internal/cluster/translate"
	"github.com/midonet-go/midonet/internal/db"
	"github.com/midonet-go/midonet/internal/fault"
	"github.com/midonet-go/midonet/internal/topology"
)

func portWith(ips ...string) db.Doc {
	var l []any
	for _, ip := range ips {
		l = append(l, map[string]any{"ip_address": ip})
	}
	return db.Doc{"id": "p", "fixed_ips": l}
}

// TestAddressOf: the port's only address, or the one requested among several.
func TestAddressOf(t *testing.T) {
	cases := []struct {
		port      db.Doc
		requested string
		want, typ string
	}{
		{portWith("10.0.0.5"), "", "10.0.0.5", ""},
		{portWith("10.0.0.5"), "10.0.0.5", "10.0.0.5", ""},
		{portWith("10.0.0.5"), "10.0.0.6", "", "LocalIPRequestedIPNotFound"},
		{portWith("10.0.0.5", "10.0.0.6"), "", "", "LocalIPNoRequestedIP"},
		{portWith("10.0.0.5", "10.0.0.6"), "10.0.0.6", "10.0.0.6", ""},
		{portWith(), "", "", "LocalIPNoIP"},
	}
	for _, c := range cases {
		got, err := addressOf(c.port, c.requested)
		if c.typ != "" {
			if f, ok := fault.As(err); !ok || f.Type != c.typ || f.Status != 400 {
				t.Errorf("%v %q = %v, want 400 %s", c.port, c.requested, err, c.typ)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("%v %q = %q %v, want %q", c.port, c.requested, got, err, c.want)
		}
	}
}

// TestAssociationObjects: an association is the LocalIPEntry of its port's network and host.
func TestAssociationObjects(t *testing.T) {
	w := translate.NewWorld()
	w.Put("ports", translate.Doc{"id": "p", "network_id": "n", "mac_address": "fa:16:3e:00:00:01", "binding:host_id": "h1",
		"fixed_ips": []any{map[string]any{"subnet_id": "s", "ip_address": "10.0.0.5"}}})
	w.Put(LocalIPs.Collection, translate.Doc{"id": "l", "local_ip_address": "10.0.0.100", "ip_mode": "passthrough"})
	w.Put(Associations.Collection, translate.Doc{"id": "a", "local_ip_id": "l", "fixed_port_id": "p", "fixed_ip": "10.0.0.5"})
	objs := associationObjects(w, "a")
	if len(objs) != 1 {
		t.Fatalf("objects %v", objs)
	}
	e := objs[0].(*topology.LocalIPEntry)
	want := topology.LocalIPEntry{Meta: topology.Meta{ID: "a"}, NetworkID: "n", LocalIP: "10.0.0.100", PortID: "p", FixedIP: "10.0.0.5",
		MAC: "fa:16:3e:00:00:01", HostID: "h1", Passthrough: true}
	if *e != want {
		t.Errorf("entry %+v, want %+v", *e, want)
	}
	if associationObjects(w, "missing") != nil {
		t.Error("a missing association owns objects")
	}
}

// FuzzAddressOf: whatever the port's addresses and the request, the answer is one of the
// port's addresses or a 400.
func FuzzAddressOf(f *testing.F) {
	f.Add("10.0.0.5", "10.0.0.6", "")
	f.Add("10.0.0.5", "", "10.0.0.5")
	f.Fuzz(func(t *testing.T, a, b, requested string) {
		p := portWith(a, b)
		got, err := addressOf(p, requested)
		if err != nil {
			if f, ok := fault.As(err); !ok || f.Status != 400 {
				t.Fatalf("error %v is not a 400", err)
			}
			return
		}
		if got == "" || (got != a && got != b) {
			t.Fatalf("answered %q for addresses %q %q", got, a, b)
		}
	})
}
