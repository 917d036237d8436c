// Package dns is Neutron's internal DNS integration on MidoNet (neutron-lib's
// dns-integration and dns-domain-ports): dns_name and dns_domain on ports, dns_domain on
// networks, dns_name and dns_domain on floating IPs, and each port's dns_assignment (the
// host name and FQDN of each fixed IP under [DEFAULT] dns_domain), as Neutron's ML2 DNS
// extension driver computes them. No external DNS service is driven.
package dns

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
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
func (h portHook) Expand(_ context.Context, _ *db.Tx, docs []db.Doc) error {
	n := h.namer()
	for _, d := range docs {
		d["dns_assignment"] = n.assignment(d)
	}
	return nil
}

// ExpandShared computes dns_assignment without changing the documents (plugin.SharedExpander).
// Lists only encode it, so each port's is handed over encoded (json.RawMessage): the bytes
// Expand's list of maps encodes to, sorted keys and all, written for the whole batch into
// one buffer instead of a list, a map and two strings a fixed IP.
func (h portHook) ExpandShared(_ context.Context, _ *db.Tx, docs []db.Doc, set plugin.SetFunc) error {
	n := h.namer()
	buf := make([]byte, 0, 128*len(docs))
	for i, d := range docs {
		start := len(buf)
		var err error
		if buf, err = n.appendAssignment(buf, d); err != nil {
			return err
		}
		set(i, "dns_assignment", json.RawMessage(buf[start:len(buf):len(buf)]))
	}
	return nil
}

// namer names a batch's fixed IPs under one reading of the domain.
type namer struct {
	h      portHook
	suffix string // the FQDN's suffix after a host name that is not one: "." + domain, or ""
	// plainSuffix: suffix goes into JSON as it is (plainJSON), checked once for the batch.
	plainSuffix bool
}

func (h portHook) namer() namer {
	n := namer{h: h, plainSuffix: true}
	if dom := h.d.get(); dom != "" {
		n.suffix = "." + dom
		n.plainSuffix = plainJSON(n.suffix)
	}
	return n
}

// port returns the host name a port's addresses share (its requested dns_name, or "" when
// each gets host-<address with dashes>) and what follows the host name in their FQDN.
func (n namer) port(d db.Doc) (req, suffix string) {
	req = n.h.requested(plugin.Str(d, "dns_name"))
	if strings.HasSuffix(req, ".") {
		return req, "" // a FQDN already
	}
	return req, n.suffix // a requested name needs a domain: then it is neither "" nor the default
}

// assignment is d's dns_assignment: a host name, address and FQDN a fixed IP with an address.
func (n namer) assignment(d db.Doc) []any {
	req, suffix := n.port(d)
	out := []any{}
	for _, ip := range plugin.List(d, "fixed_ips") {
		addrV, addr := address(ip)
		if addr == "" {
			continue
		}
		host, fqdn := req, req+suffix
		if req == "" {
			// The generated host name and its FQDN in one string: the host is its start.
			var b strings.Builder
			b.Grow(len("host-") + len(addr) + len(suffix))
			b.Write(appendGenerated(make([]byte, 0, 64), addr))
			k := b.Len()
			b.WriteString(suffix)
			fqdn = b.String()
			host = fqdn[:k]
		}
		out = append(out, map[string]any{"hostname": host, "ip_address": addrV, "fqdn": fqdn})
	}
	return out
}

// appendAssignment writes d's assignment as JSON, as encoding/json writes it without HTML
// escaping: straight into b when no string in it needs escaping (names and addresses never
// do), else through encoding/json.
func (n namer) appendAssignment(b []byte, d db.Doc) ([]byte, error) {
	req, suffix := n.port(d)
	if plainJSON(req) && (suffix == "" || n.plainSuffix) {
		if out, ok := n.appendPlain(b, req, suffix, plugin.List(d, "fixed_ips")); ok {
			return out, nil
		}
		// An address needs escaping: b still ends where it did, and encoding/json writes.
	}
	var w bytes.Buffer
	enc := json.NewEncoder(&w)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(n.assignment(d)); err != nil {
		return nil, fmt.Errorf("dns: encode dns_assignment: %w", err)
	}
	return append(b, bytes.TrimSuffix(w.Bytes(), []byte("\n"))...), nil
}

// appendPlain appends the assignment of the fixed IPs ips, whose host names and suffix need
// no escaping, reading each address once; false when an address needs escaping.
func (n namer) appendPlain(b []byte, req, suffix string, ips []any) ([]byte, bool) {
	b = append(b, '[')
	first := true
	for _, ip := range ips {
		_, addr := address(ip)
		if addr == "" {
			continue
		}
		if !plainJSON(addr) {
			return b, false
		}
		if !first {
			b = append(b, ',')
		}
		first = false
		b = append(b, `{"fqdn":"`...)
		hostAt := len(b)
		if req != "" {
			b = append(b, req...)
		} else {
			b = appendGenerated(b, addr)
		}
		hostEnd := len(b)
		b = append(b, suffix...)
		b = append(b, `","hostname":"`...)
		b = append(b, b[hostAt:hostEnd]...)
		b = append(b, `","ip_address":"`...)
		b = append(b, addr...)
		b = append(b, `"}`...)
	}
	return append(b, ']'), true
}

// address is a fixed IP's ip_address, as stored and as a string ("" when it has none).
func address(ip any) (any, string) {
	m, _ := ip.(map[string]any)
	v := m["ip_address"]
	s, _ := v.(string)
	return v, s
}

// appendGenerated appends the host name generated for addr: host-<addr with dashes for its
// dots and colons>.
func appendGenerated(b []byte, addr string) []byte {
	b = append(b, "host-"...)
	for i := 0; i < len(addr); i++ {
		c := addr[i]
		if c == '.' || c == ':' {
			c = '-'
		}
		b = append(b, c)
	}
	return b
}

// plainJSON says whether s goes into a JSON string as it is: printable ASCII but for the
// quote and the backslash (HTML's characters are not escaped here).
func plainJSON(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}
