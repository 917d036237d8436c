// Package dns is Neutron's internal DNS integration on MidoNet (neutron-lib's
// dns-integration and dns-domain-ports): dns_name and dns_domain on ports, dns_domain on
// networks, dns_name and dns_domain on floating IPs, and each port's dns_assignment (the
// host name and FQDN of each fixed IP under [DEFAULT] dns_domain), as Neutron's ML2 DNS
// extension driver computes them. No external DNS service is driven.
package dns

import (
	"context"
	"strings"
	"sync/atomic"

	"github.com/midonet-go/midonet/internal/config"
	"github.com/midonet-go/midonet/internal/db"
	"github.com/midonet-go/midonet/internal/fault"
	"github.com/midonet-go/midonet/internal/plugin"
	"github.com/midonet-go/midonet/internal/resource"
)

// Extensions are the aliases the service advertises.
var Extensions = []resource.Extension{
	{Alias: "dns-integration", Name: "DNS Integration", Description: "Provides integration with DNS.", Updated: "2015-08-15T18:00:00-00:00"},
	{Alias: "dns-domain-ports", Name: "dns_domain for ports", Description: "Allows the DNS domain to be specified for a network port.", Updated: "2017-06-25T18:00:00-00:00"},
	// Keywords (<project_id>, <project_name>, <user_id>, <user_name>) are accepted in a DNS
	// domain; Neutron replaces them only in the records it sends to an external DNS service,
	// which this server does not drive, so they are stored as given.
	{Alias: "dns-integration-domain-keywords", Name: "DNS domain names with keywords allowed", Description: "Allows to use keywords like <project_id>, <project_name>, <user_id> and <user_name> as DNS domain name", Updated: "2020-06-15T18:00:00-00:00"},
}

// defaultDomain is Neutron's DNS_DOMAIN_DEFAULT: with it, ports keep their dns_name but their
// assignment uses generated host names.
const defaultDomain = "openstacklocal."

// domain is [DEFAULT] dns_domain as Neutron reads it: "" or ending in a dot.
type domain struct{ v atomic.Pointer[string] }

func (d *domain) get() string { return *d.v.Load() }

func (d *domain) set(v string) {
	if v != "" && !strings.HasSuffix(v, ".") {
		v += "."
	}
	d.v.Store(&v)
}

// Service is the DNS integration as internal/app wires it.
func Service() plugin.Service {
	d := &domain{}
	d.set(defaultDomain)
	return plugin.Service{
		Name:       "dns",
		Extensions: Extensions,
		Collections: func(deps plugin.Deps) []plugin.Collection {
			if deps.Config != nil {
				d.set(deps.Config.String(config.DefaultGroup, "dns_domain"))
			}
			return nil
		},
		Hooks: map[string]plugin.Hook{"ports": portHook{d: d}},
	}
}

// hostNames are the generated host name of an address (host-<address with dashes for its
// dots and colons>) and its FQDN under dom (the host name when dom is ""), in one string.
func hostNames(addr, dom string) (host, fqdn string) {
	var b strings.Builder
	n := len("host-") + len(addr)
	if dom != "" {
		b.Grow(n + 1 + len(dom))
	} else {
		b.Grow(n)
	}
	b.WriteString("host-")
	for i := 0; i < len(addr); i++ {
		c := addr[i]
		if c == '.' || c == ':' {
			c = '-'
		}
		b.WriteByte(c)
	}
	if dom != "" {
		b.WriteByte('.')
		b.WriteString(dom)
	}
	fqdn = b.String()
	return fqdn[:n], fqdn
}

// portHook checks a port's dns_name against the domain and shows its dns_assignment.
type portHook struct {
	plugin.NoHook
	d *domain
}

// requested is Neutron's _get_request_dns_name: the dns_name that names the port's
// addresses, which only a domain other than the default lets a port choose.
func (h portHook) requested(name string) string {
	if dom := h.d.get(); dom != "" && dom != defaultDomain {
		return name
	}
	return ""
}

// check is neutron-lib's _validate_dns_name_with_dns_domain.
func (h portHook) check(name string) error {
	req := h.requested(name)
	if req == "" {
		return nil
	}
	dom := h.d.get()
	higher := "." + dom
	if !strings.HasSuffix(req, ".") {
		if len(req)+len(higher) > resource.FQDNMaxLen {
			return fault.BadRequest("Invalid input for dns_name. Reason: The dns_name passed is a PQDN and its size is '%d'. "+
				"The dns_domain option in neutron.conf is set to %s, with a length of '%d'. When the two are concatenated to "+
				"form a FQDN (with a '.' at the end), the resulting length exceeds the maximum size of '%d'.",
				len(req), strings.TrimSuffix(dom, "."), len(higher), resource.FQDNMaxLen)
		}
		return nil
	}
	if len(req) <= len(higher) || !strings.HasSuffix(req, higher) {
		return fault.BadRequest("Invalid input for dns_name. Reason: The dns_name passed is a FQDN. Its higher level labels must "+
			"be equal to the dns_domain option in neutron.conf, that has been set to '%s'. It must also include one or more "+
			"valid DNS labels to the left of '%s'.", strings.TrimSuffix(dom, "."), strings.TrimSuffix(dom, "."))
	}
	return nil
}

// BeforeCreate checks the new port's dns_name.
func (h portHook) BeforeCreate(_ context.Context, _ *db.Tx, _ *plugin.Caller, body db.Doc) error {
	return h.check(plugin.Str(body, "dns_name"))
}

// BeforeUpdate checks a changed dns_name.
func (h portHook) BeforeUpdate(_ context.Context, _ *db.Tx, _ *plugin.Caller, _, changes db.Doc) error {
	if name, ok := changes["dns_name"].(string); ok {
		return h.check(name)
	}
	return nil
}

// Expand sets dns_assignment: for each fixed IP its host name (the requested dns_name, or
// host-<address with dashes>) and FQDN under the domain.
func (h portHook) Expand(ctx context.Context, tx *db.Tx, docs []db.Doc) error {
	return h.ExpandShared(ctx, tx, docs, func(i int, attr string, v any) { docs[i][attr] = v })
}

// ExpandShared computes dns_assignment without changing the documents (plugin.SharedExpander).
// A full list expands every port: the generated host name and FQDN of an address share one
// allocation, and the address is the document's own value.
func (h portHook) ExpandShared(_ context.Context, _ *db.Tx, docs []db.Doc, set plugin.SetFunc) error {
	dom := h.d.get()
	for i, d := range docs {
		req := h.requested(plugin.Str(d, "dns_name"))
		var out []any
		for _, ip := range plugin.List(d, "fixed_ips") {
			m, _ := ip.(map[string]any)
			addrV := m["ip_address"]
			addr, _ := addrV.(string)
			if addr == "" {
				continue
			}
			var host, fqdn string
			switch {
			case req == "":
				host, fqdn = hostNames(addr, dom)
			case !strings.HasSuffix(req, "."):
				host, fqdn = req, req+"."+dom
			default:
				host, fqdn = req, req
			}
			out = append(out, map[string]any{"hostname": host, "ip_address": addrV, "fqdn": fqdn})
		}
		if out == nil {
			out = []any{}
		}
		set(i, "dns_assignment", out)
	}
	return nil
}
