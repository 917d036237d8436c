package cthelper

import (
	"testing"

	"github.com/midonet-go/midonet/internal/cluster/translate"
	"github.com/midonet-go/midonet/internal/db"
	"github.com/midonet-go/midonet/internal/fault"
	"github.com/midonet-go/midonet/internal/topology"
)

// TestCheck: Neutron's allowed helpers and the protocols each supports.
func TestCheck(t *testing.T) {
	cases := []struct {
		helper, proto string
		typ           string
	}{
		{"tftp", "udp", ""}, {"ftp", "tcp", ""}, {"sip", "udp", ""}, {"sip", "tcp", ""}, {"h323", "tcp", ""},
		{"tftp", "tcp", "InvalidProtocolForHelper"}, {"ftp", "udp", "InvalidProtocolForHelper"},
		{"gopher", "tcp", "ConntrackHelperNotAllowed"}, {"", "udp", "ConntrackHelperNotAllowed"},
	}
	for _, c := range cases {
		err := check(db.Doc{"helper": c.helper, "protocol": c.proto})
		if c.typ == "" {
			if err != nil {
				t.Errorf("%s/%s refused: %v", c.helper, c.proto, err)
			}
			continue
		}
		if f, ok := fault.As(err); !ok || f.Type != c.typ || f.Status != 400 {
			t.Errorf("%s/%s = %v, want 400 %s", c.helper, c.proto, err, c.typ)
		}
	}
}

// TestHelperObjects: a helper becomes its router's ConntrackHelper with the protocol number.
func TestHelperObjects(t *testing.T) {
	w := translate.NewWorld()
	w.Put(Helpers.Collection, translate.Doc{"id": "h", "router_id": "r", "protocol": "udp", "port": 69, "helper": "tftp"})
	objs := helperObjects(w, "h")
	if len(objs) != 1 {
		t.Fatalf("objects %v", objs)
	}
	h := objs[0].(*topology.ConntrackHelper)
	if h.RouterID != "r" || h.Protocol != 17 || h.Port != 69 || h.Helper != "tftp" {
		t.Errorf("helper %+v", h)
	}
	if helperObjects(w, "gone") != nil {
		t.Error("a missing helper owns objects")
	}
}

// FuzzHelperBody: the body's converters and checks never panic, and what they accept is an
// allowed helper on one of its protocols and a port in range.
func FuzzHelperBody(f *testing.F) {
	f.Add("udp", int64(69), "tftp")
	f.Add("6", int64(21), "ftp")
	f.Add("IPV6-ICMP", int64(0), "sip")
	f.Fuzz(func(t *testing.T, proto string, port int64, helper string) {
		p, err := toProtocol(proto)
		if err != nil {
			return
		}
		if msg := portRange(port); msg != "" {
			return
		}
		d := db.Doc{"protocol": p, "port": port, "helper": helper}
		if check(d) != nil {
			return
		}
		ok := false
		for _, q := range Allowed[helper] {
			ok = ok || q == p
		}
		if !ok || port < 1 || port > 65535 {
			t.Fatalf("accepted %v", d)
		}
	})
}
