package dns

import (
	"context"
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
