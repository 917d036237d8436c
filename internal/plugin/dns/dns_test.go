package dns

import (
	"bytes"
	"context"
	"encoding/json"
	"reflect"
	"testing"

	"github.com/midonet-go/midonet/internal/db"
)

// TestDNSAssignment shows each fixed IP's host name and FQDN as Neutron does: generated from
// the address under the default domain or none, the requested dns_name (made a FQDN under the
// domain unless it is one) under another domain.
func TestDNSAssignment(t *testing.T) {
	ips := []any{map[string]any{"ip_address": "10.0.0.5", "subnet_id": "s4"}, map[string]any{"ip_address": "fd00::1:5", "subnet_id": "s6"},
		map[string]any{"subnet_id": "no address"}}
	cases := []struct {
		domain, dnsName string
		want            []any
	}{
		{"", "vm1", []any{
			map[string]any{"hostname": "host-10-0-0-5", "ip_address": "10.0.0.5", "fqdn": "host-10-0-0-5"},
			map[string]any{"hostname": "host-fd00--1-5", "ip_address": "fd00::1:5", "fqdn": "host-fd00--1-5"}}},
		{defaultDomain, "vm1", []any{
			map[string]any{"hostname": "host-10-0-0-5", "ip_address": "10.0.0.5", "fqdn": "host-10-0-0-5.openstacklocal."},
			map[string]any{"hostname": "host-fd00--1-5", "ip_address": "fd00::1:5", "fqdn": "host-fd00--1-5.openstacklocal."}}},
		{"example.org", "vm1", []any{
			map[string]any{"hostname": "vm1", "ip_address": "10.0.0.5", "fqdn": "vm1.example.org."},
			map[string]any{"hostname": "vm1", "ip_address": "fd00::1:5", "fqdn": "vm1.example.org."}}},
		{"example.org.", "vm1.example.org.", []any{
			map[string]any{"hostname": "vm1.example.org.", "ip_address": "10.0.0.5", "fqdn": "vm1.example.org."},
			map[string]any{"hostname": "vm1.example.org.", "ip_address": "fd00::1:5", "fqdn": "vm1.example.org."}}},
		{"example.org", "", []any{
			map[string]any{"hostname": "host-10-0-0-5", "ip_address": "10.0.0.5", "fqdn": "host-10-0-0-5.example.org."},
			map[string]any{"hostname": "host-fd00--1-5", "ip_address": "fd00::1:5", "fqdn": "host-fd00--1-5.example.org."}}},
	}
	for _, c := range cases {
		h := portHook{d: &domain{}}
		h.d.set(c.domain)
		docs := []db.Doc{{"dns_name": c.dnsName, "fixed_ips": ips}, {"dns_name": c.dnsName}}
		if err := h.Expand(context.Background(), nil, docs); err != nil {
			t.Fatal(err)
		}
		if got := docs[0]["dns_assignment"]; !reflect.DeepEqual(got, c.want) {
			t.Errorf("domain %q, dns_name %q: %v, want %v", c.domain, c.dnsName, got, c.want)
		}
		if got := docs[1]["dns_assignment"]; !reflect.DeepEqual(got, []any{}) {
			t.Errorf("domain %q, no fixed IPs: %v, want []", c.domain, got)
		}
	}
}

// TestSharedIsEncodedExpand checks that what ExpandShared hands a list is, byte for byte,
// what encoding/json (without HTML escaping, as the API encodes) makes of what Expand sets:
// under each kind of domain, with names and addresses that need no escaping and with some
// that do.
func TestSharedIsEncodedExpand(t *testing.T) {
	ips := []any{map[string]any{"ip_address": "10.0.0.5", "subnet_id": "s4"}, map[string]any{"ip_address": "fd00::1:5"},
		map[string]any{"subnet_id": "no address"}, "not a map", map[string]any{"ip_address": 7}}
	for _, dom := range []string{"", defaultDomain, "example.org", "example.org.", "<&>.example", "é.example", "q\"\\.example"} {
		for _, name := range []string{"", "vm1", "vm1.example.org.", "<b>", "ü\u2028", "\x01"} {
			checkShared(t, dom, name, ips)
		}
	}
	checkShared(t, "example.org", "vm", []any{map[string]any{"ip_address": "é\"1"}})
	// An address that needs escaping after one written as it is: the port's bytes start over.
	checkShared(t, "example.org", "", []any{map[string]any{"ip_address": "10.0.0.5"}, map[string]any{"ip_address": "é\"1"}})
}

// FuzzSharedIsEncodedExpand is TestSharedIsEncodedExpand on any domain, dns_name and address.
func FuzzSharedIsEncodedExpand(f *testing.F) {
	f.Add("example.org", "vm1", "10.0.0.5")
	f.Add("", "", "fd00::1")
	f.Add(defaultDomain, "x.", "\xff")
	f.Fuzz(func(t *testing.T, dom, name, addr string) {
		checkShared(t, dom, name, []any{map[string]any{"ip_address": addr}, map[string]any{"ip_address": "10.1.2.3"}})
		checkShared(t, dom, name, []any{map[string]any{"ip_address": "10.1.2.3"}, map[string]any{"ip_address": addr}})
	})
}

func checkShared(t *testing.T, dom, name string, ips []any) {
	t.Helper()
	h := portHook{d: &domain{}}
	h.d.set(dom)
	docs := []db.Doc{{"dns_name": name, "fixed_ips": ips}, {"dns_name": name}, {}}
	got := make([]any, len(docs))
	err := h.ExpandShared(context.Background(), nil, docs, func(i int, attr string, v any) {
		if attr != "dns_assignment" {
			t.Fatalf("ExpandShared set %q", attr)
		}
		got[i] = v
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := h.Expand(context.Background(), nil, docs); err != nil {
		t.Fatal(err)
	}
	for i, d := range docs {
		var want bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(d["dns_assignment"]); err != nil {
			t.Fatal(err)
		}
		raw, ok := got[i].(json.RawMessage)
		if !ok || !bytes.Equal(raw, bytes.TrimSuffix(want.Bytes(), []byte("\n"))) {
			t.Errorf("domain %q, dns_name %q, port %d: shared %s (%T), want %s", dom, name, i, got[i], got[i], want.Bytes())
		}
	}
}
