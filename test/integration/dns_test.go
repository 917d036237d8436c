package integration

import (
	"net/http"
	"reflect"
	"testing"

	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/dns"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/ports"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/subnets"
)

// TestDNSIntegration: with [DEFAULT] dns_domain = example.org, a port's dns_name (lower
// cased) names its address in dns_assignment under that domain, a port without one gets
// host-<address>; dns_domain on networks and ports is kept as given; names and domains of
// the wrong form, and a FQDN outside the domain, are 400. SQLite and PostgreSQL.
func TestDNSIntegration(t *testing.T) {
	forEachBackendWith(t, "dns_domain = example.org\n", func(t *testing.T, e *env) {
		m := e.member("it-dns")
		nout, _, err := raw(t, m, http.MethodPost, "networks", doc{"network": doc{"name": "dns", "dns_domain": "Zone.example.org."}}, nil, 201)
		must(t, err)
		n := nout["network"].(map[string]any)
		if n["dns_domain"] != "zone.example.org." {
			t.Errorf("network dns_domain = %v", n["dns_domain"])
		}
		netID := n["id"].(string)
		createSubnet(t, m, subnets.CreateOpts{NetworkID: netID, CIDR: "10.70.0.0/24", IPVersion: 4})

		out, _, err := raw(t, m, http.MethodPost, "ports", doc{"port": doc{"network_id": netID, "dns_name": "Web1", "dns_domain": "app.example.org."}}, nil, 201)
		must(t, err)
		created := out["port"].(map[string]any)
		ip := created["fixed_ips"].([]any)[0].(map[string]any)["ip_address"].(string)
		want := []any{map[string]any{"hostname": "web1", "ip_address": ip, "fqdn": "web1.example.org."}}
		if created["dns_name"] != "web1" || created["dns_domain"] != "app.example.org." || !reflect.DeepEqual(created["dns_assignment"], want) {
			t.Errorf("port dns: name %v domain %v assignment %v, want %v", created["dns_name"], created["dns_domain"], created["dns_assignment"], want)
		}
		var p struct {
			ports.Port
			dns.PortDNSExt
		}
		err = ports.Update(ctx(t), m, created["id"].(string), dns.PortUpdateOptsExt{UpdateOptsBuilder: ports.UpdateOpts{}, DNSName: ptr("db.example.org.")}).ExtractInto(&p)
		must(t, err)
		if got := p.DNSAssignment[0]["fqdn"]; got != "db.example.org." {
			t.Errorf("after rename to a FQDN: fqdn %q", got)
		}

		var plain struct {
			ports.Port
			dns.PortDNSExt
		}
		must(t, ports.Create(ctx(t), m, ports.CreateOpts{NetworkID: netID}).ExtractInto(&plain))
		host := "host-" + dashes(plain.FixedIPs[0].IPAddress)
		if plain.DNSName != "" || len(plain.DNSAssignment) != 1 || plain.DNSAssignment[0]["hostname"] != host || plain.DNSAssignment[0]["fqdn"] != host+".example.org." {
			t.Errorf("port without a name: %q %v", plain.DNSName, plain.DNSAssignment)
		}

		bad := []struct {
			name string
			body doc
		}{
			{"leading hyphen", doc{"port": doc{"network_id": netID, "dns_name": "-web"}}},
			{"FQDN outside the domain", doc{"port": doc{"network_id": netID, "dns_name": "web.other.net."}}},
			{"label too long", doc{"port": doc{"network_id": netID, "dns_name": string(make([]byte, 64))}}},
			{"port domain without its dot", doc{"port": doc{"network_id": netID, "dns_domain": "example.org"}}},
			{"not a string", doc{"port": doc{"network_id": netID, "dns_name": 7}}},
		}
		for _, tc := range bad {
			t.Run(tc.name, func(t *testing.T) {
				_, _, err := raw(t, m, http.MethodPost, "ports", tc.body, nil, 201)
				wantError(t, err, 400, "")
			})
		}

		t.Run("domain keywords (dns-integration-domain-keywords)", func(t *testing.T) {
			out, _, err := raw(t, m, http.MethodPost, "networks", doc{"network": doc{"name": "kw", "dns_domain": "<project_id>.<user_name>.example.org."}}, nil, 201)
			must(t, err)
			if got := out["network"].(map[string]any)["dns_domain"]; got != "<project_id>.<user_name>.example.org." {
				t.Errorf("network dns_domain with keywords = %v, want it kept as given", got)
			}
			_, _, err = raw(t, m, http.MethodPost, "networks", doc{"network": doc{"name": "kw2", "dns_domain": "<tenant_id>.example.org."}}, nil, 201)
			wantError(t, err, 400, "")
		})
	})
}

// dashes writes an address as Neutron's generated host names do.
func dashes(ip string) string {
	out := []byte(ip)
	for i, c := range out {
		if c == '.' || c == ':' {
			out[i] = '-'
		}
	}
	return string(out)
}
