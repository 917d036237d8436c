package resource

import (
	"fmt"
	"regexp"
	"strings"
)

// DNS names and domains (neutron-lib's dns validators). Whether a port's dns_name fits the
// configured [DEFAULT] dns_domain is internal/plugin/dns's check; here only the form.

// FQDNMaxLen is Neutron's FQDN_FIELD_SIZE.
const FQDNMaxLen = 255

// dnsLabel is neutron-lib's DNS_LABEL_REGEX: a label, or one of the keywords
// (DNS_LABEL_KEYWORDS) that dns-integration-domain-keywords lets a DNS domain carry.
var dnsLabel = regexp.MustCompile(`^([a-z0-9-]{1,63}|<project_id>|<project_name>|<user_name>|<user_id>)$`)
var allDigits = regexp.MustCompile(`^[0-9]+$`)

// ToLower is neutron-lib's convert_string_to_case_insensitive.
func ToLower(v any) (any, error) {
	s, ok := v.(string)
	if !ok {
		return nil, fmt.Errorf("Input value %s must be string type", Repr(v))
	}
	return strings.ToLower(s), nil
}

// dnsFormat is neutron-lib's _validate_dns_format: labels of 1-63 letters, digits and
// hyphens, not starting or ending with a hyphen, a TLD that is not all digits.
func dnsFormat(data string) string {
	if data == "" {
		return ""
	}
	trimmed := strings.TrimSuffix(data, ".")
	reason := ""
	labels := strings.Split(trimmed, ".")
	switch {
	case len(trimmed) > FQDNMaxLen:
		reason = fmt.Sprintf("'%s' exceeds the %d character FQDN limit", trimmed, FQDNMaxLen)
	default:
		for _, l := range labels {
			switch {
			case l == "":
				reason = "Encountered an empty component"
			case strings.HasPrefix(l, "-") || strings.HasSuffix(l, "-"):
				reason = fmt.Sprintf("Name '%s' must not start or end with a hyphen", l)
			case !dnsLabel.MatchString(l):
				reason = fmt.Sprintf("Name '%s' must be 1-63 characters long, each of which can only be alphanumeric or a hyphen", l)
			}
			if reason != "" {
				break
			}
		}
		if reason == "" && len(labels) > 1 && allDigits.MatchString(labels[len(labels)-1]) {
			reason = fmt.Sprintf("TLD '%s' must not be all numeric", labels[len(labels)-1])
		}
	}
	if reason != "" {
		return fmt.Sprintf("'%s' not a valid PQDN or FQDN. Reason: %s", data, reason)
	}
	return ""
}

// DNSHostName validates a port's dns_name (its form).
func DNSHostName(v any) string {
	s, ok := v.(string)
	if !ok {
		return fmt.Sprintf("%s is not a valid string", Repr(v))
	}
	return dnsFormat(s)
}

// FIPDNSHostName validates a floating IP's dns_name: a relative name that leaves room for a
// domain.
func FIPDNSHostName(v any) string {
	s, ok := v.(string)
	if !ok {
		return fmt.Sprintf("%s is not a valid string", Repr(v))
	}
	if s == "" {
		return ""
	}
	if strings.HasSuffix(s, ".") {
		return fmt.Sprintf("'%s' is a FQDN. It should be a relative domain name", s)
	}
	if r := dnsFormat(s); r != "" {
		return r
	}
	if len(s) > FQDNMaxLen-3 {
		return fmt.Sprintf("'%s' contains %d characters. Adding a domain name will cause it to exceed the maximum length of a FQDN of '%d'", s, len(s), FQDNMaxLen)
	}
	return ""
}

// DNSDomainName validates a dns_domain: a FQDN (ending in a dot) that leaves room for a
// sub-domain.
func DNSDomainName(v any) string {
	s, ok := v.(string)
	if !ok {
		return fmt.Sprintf("%s is not a valid string", Repr(v))
	}
	if s == "" {
		return ""
	}
	if !strings.HasSuffix(s, ".") {
		return fmt.Sprintf("'%s' is not a FQDN", s)
	}
	if r := dnsFormat(s); r != "" {
		return r
	}
	if len(s) > FQDNMaxLen-2 {
		return fmt.Sprintf("'%s' contains %d characters. Adding a sub-domain will cause it to exceed the maximum length of a FQDN of '%d'", s, len(s), FQDNMaxLen)
	}
	return ""
}
