package translate

import (
	"bytes"
	"encoding/json"
	"testing"
)

// vmPortJSON is a VM port's document as the API stores it.
var vmPortJSON = []byte(`{"admin_state_up":true,"allowed_address_pairs":[],"binding:host_id":"","binding:profile":{},"binding:vif_details":{},"binding:vif_type":"unbound","binding:vnic_type":"normal","created_at":"2026-12-04T12:48:18Z","description":"","device_id":"vm-2989","device_owner":"compute:nova","dns_domain":"","dns_name":"","extra_dhcp_opts":[],"fixed_ips":[{"ip_address":"10.9.4.32","subnet_id":"2da487c4-f6c8-43ab-8d3f-a4b456892941"}],"id":"a9f70d0c-b8de-4e47-bbf2-ad9a9f007e5e","mac_address":"fa:16:3e:ab:dd:f5","name":"p-2989","network_id":"e2252cb3-3fc7-4ab9-9d3f-ee8d19821970","port_security_enabled":true,"project_id":"demo","qos_policy_id":null,"revision_number":1,"security_groups":["b9d213d6-e176-4686-bca4-69ba02b53b03"],"status":"DOWN","tags":[],"tenant_id":"demo","updated_at":"2026-12-04T12:48:18Z"}`)

// TestPackedWorldKeepsTheBytes: what PutJSON was given, GetJSON gives back byte for byte (a
// copy the caller may change), Get decodes it, and a port's packed JSON is a fraction of it.
func TestPackedWorldKeepsTheBytes(t *testing.T) {
	port := vmPortJSON
	tests := []struct {
		name string
		raw  []byte
	}{
		{"port", port},
		{"unlike the dictionary", []byte(`{"id":"x","name":"ünïcødé \u0000 \"quoted\"","n":12345678901234567890}`)},
		{"smallest document", []byte(`{"id":"e"}`)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := NewWorld()
			if err := w.PutJSON("ports", tc.raw); err != nil {
				t.Fatal(err)
			}
			var d Doc
			if err := json.Unmarshal(tc.raw, &d); err != nil {
				t.Fatal(err)
			}
			id := d["id"].(string)
			got := w.GetJSON("ports", id)
			if !bytes.Equal(got, tc.raw) {
				t.Fatalf("GetJSON = %s, want %s", got, tc.raw)
			}
			got[0] = 'X'
			if again := w.GetJSON("ports", id); !bytes.Equal(again, tc.raw) {
				t.Fatalf("changing what GetJSON gave changed the world: %s", again)
			}
			if doc := w.Get("ports", id); doc == nil || doc["id"] != id {
				t.Fatalf("Get = %v", doc)
			}
		})
	}
	if n := len(pack(port)); n*3 > len(port) {
		t.Errorf("a VM port's %d bytes of JSON packed into %d; the dictionary should make that under a third", len(port), n)
	}
}

// FuzzPack: unpack(pack(b)) is b for any bytes.
func FuzzPack(f *testing.F) {
	f.Add([]byte(packDict))
	f.Add([]byte{})
	f.Add([]byte(`{"id":"a"}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		if got := unpack(pack(b)); !bytes.Equal(got, b) {
			t.Fatalf("unpack(pack(%q)) = %q", b, got)
		}
	})
}

// BenchmarkPack is the cost of packing a VM port's document, and its packed bytes.
func BenchmarkPack(b *testing.B) {
	b.ReportAllocs()
	var n int
	for b.Loop() {
		n = len(pack(vmPortJSON))
	}
	b.ReportMetric(float64(n), "packed-bytes")
	b.ReportMetric(float64(len(vmPortJSON)), "json-bytes")
}
