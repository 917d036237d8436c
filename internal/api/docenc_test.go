package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/midonet-go/midonet/internal/db"
	"github.com/midonet-go/midonet/internal/jsonenc"
)

// TestEncodedDocIsTheDoc renders documents from their kept encoded attributes (appendEnc)
// and by encoding each value (appendDoc), for lists that show every attribute, some of them
// (fields=), attributes a document lacks (optional or not) and attributes an expander adds
// over the document's own: the bytes must be the same.
func TestEncodedDocIsTheDoc(t *testing.T) {
	docs := []db.Doc{
		{"id": "p1", "name": "<a & b>", "admin_state_up": true, "fixed_ips": []any{map[string]any{"ip_address": "10.0.0.2", "subnet_id": "s"}},
			"binding:profile": map[string]any{}, "description": "é\u2028\x01\"\\", "revision_number": json.Number("3"), "dns_name": nil, "tags": []any{}},
		{"id": "p2", "name": "", "extra": "x", "binding:vnic_type": "normal", "mac_address": "fa:16:3e:00:00:01", "dns_assignment": "stored"},
		{},
	}
	attrSets := [][]string{
		{"admin_state_up", "binding:profile", "binding:vnic_type", "description", "dns_assignment", "dns_name", "fixed_ips", "id", "mac_address", "name", "revision_number", "tags", "zzz"},
		{"id", "name"},
		{"dns_assignment", "extra"},
		{"a", "zzz"},
	}
	for _, names := range attrSets {
		for _, optional := range []bool{false, true} {
			l := &sharedList{}
			for _, n := range names {
				l.attrs = append(l.attrs, sharedAttr{name: n, key: append(jsonenc.AppendString(nil, n), ':'), optional: optional})
			}
			slices.SortFunc(l.attrs, func(a, b sharedAttr) int { return strings.Compare(a.name, b.name) })
			l.added = overlay{}
			l.added.reset(len(docs))
			set := l.added.setter(len(docs))
			set(0, "dns_assignment", []any{map[string]any{"hostname": "h<", "fqdn": "h.example."}})
			set(1, "dns_assignment", []any{})
			l.cols = make([][]overlaid, len(l.attrs))
			for j := range l.attrs {
				l.cols[j] = l.added[l.attrs[j].name]
			}
			for i, d := range docs {
				want, err := l.appendDoc(nil, d, i)
				if err != nil {
					t.Fatal(err)
				}
				e := encodeDoc(d)
				if e == nil {
					t.Fatalf("document %d: not encoded", i)
				}
				got, err := l.appendEnc(nil, e, d, i)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(got, want) {
					t.Errorf("attributes %v (optional %v), document %d:\n%s\nwant\n%s", names, optional, i, got, want)
				}
			}
		}
	}
}

// TestEncodedDocRefusesEscapedKeys: a key that needs escaping cannot be found by its bytes,
// so such a document is not kept encoded (lists encode it each time).
func TestEncodedDocRefusesEscapedKeys(t *testing.T) {
	if e := encodeDoc(db.Doc{"id": "x", "a\"b": 1}); e != nil {
		t.Errorf("a document with the key a\"b was kept encoded: %s", e.Enc)
	}
	if e := encodeDoc(db.Doc{"id": "x", "bad": make(chan int)}); e != nil {
		t.Errorf("a document with a value JSON cannot encode was kept encoded: %s", e.Enc)
	}
}

// BenchmarkEncodePorts renders 1,000 ports as a full list does, attribute by attribute
// (appendDoc, as before) and from their kept encoded attributes (appendEnc).
func BenchmarkEncodePorts(b *testing.B) {
	docs := make([]db.Doc, 1000)
	encs := make([]*docEnc, len(docs))
	for i := range docs {
		body := fmt.Sprintf(`{"admin_state_up":true,"allowed_address_pairs":[],"binding:host_id":"","binding:profile":{},"binding:vif_details":{},"binding:vif_type":"unbound","binding:vnic_type":"normal","created_at":"2026-12-04T08:00:00Z","description":"","device_id":"vm%d","device_owner":"compute:nova","dns_domain":"","dns_name":"","extra_dhcp_opts":[],"fixed_ips":[{"ip_address":"10.0.%d.%d","subnet_id":"0b0c0d0e-0000-4000-8000-000000000001"}],"id":"0b0c0d0e-0000-4000-8000-%012d","mac_address":"fa:16:3e:00:11:22","name":"p%d","network_id":"0b0c0d0e-0000-4000-8000-000000000003","port_security_enabled":true,"project_id":"3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f","qos_policy_id":null,"revision_number":1,"security_groups":["0b0c0d0e-0000-4000-8000-000000000004"],"standard_attr_id":%d,"status":"DOWN","tags":[],"tenant_id":"3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f","updated_at":"2026-12-04T08:00:00Z"}`,
			i/4, i/256%256, i%256, i, i, i)
		d, err := db.DecodeDoc([]byte(body))
		if err != nil {
			b.Fatal(err)
		}
		docs[i], encs[i] = d, encodeDoc(d)
	}
	l := &sharedList{}
	for k := range docs[0] {
		l.attrs = append(l.attrs, sharedAttr{name: k, key: append(jsonenc.AppendString(nil, k), ':')})
	}
	for _, k := range []string{"dns_assignment", "qos_network_policy_id"} {
		l.attrs = append(l.attrs, sharedAttr{name: k, key: append(jsonenc.AppendString(nil, k), ':'), optional: true})
	}
	slices.SortFunc(l.attrs, func(a, b sharedAttr) int { return strings.Compare(a.name, b.name) })
	l.added = overlay{}
	l.added.reset(len(docs))
	set := l.added.setter(len(docs))
	for i := range docs {
		set(i, "dns_assignment", []any{map[string]any{"hostname": "host-10-0-0-1", "ip_address": "10.0.0.1", "fqdn": "host-10-0-0-1.openstacklocal."}})
		set(i, "qos_network_policy_id", nil)
	}
	l.cols = make([][]overlaid, len(l.attrs))
	for j := range l.attrs {
		l.cols[j] = l.added[l.attrs[j].name]
	}
	buf := make([]byte, 0, 2<<20)
	b.Run("appendDoc", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			buf = buf[:0]
			for i, d := range docs {
				buf, _ = l.appendDoc(buf, d, i)
			}
		}
	})
	b.Run("appendEnc", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			buf = buf[:0]
			for i, d := range docs {
				buf, _ = l.appendEnc(buf, encs[i], d, i)
			}
		}
	})
}
