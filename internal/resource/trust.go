package resource

import "strings"

// OwnerNetworkPrefix starts the device_owner of ports Neutron itself creates and trusts
// (DHCP, router interfaces and gateways, floating IPs, ...). The default policy lets only
// admins and network owners set such an owner.
const OwnerNetworkPrefix = "network:"

// PortTrusted is neutron-lib's is_port_trusted: a port is trusted (no security groups, no
// anti-spoofing) exactly when its device_owner starts with "network:". Every other port —
// "compute:*", "baremetal:*", "" or any other owner — is a tenant endpoint: it gets the
// project's default security group when created with port security, and the backend filters
// it. The API (default group on create) and the translator (security chains) both ask here.
func PortTrusted(deviceOwner string) bool { return strings.HasPrefix(deviceOwner, OwnerNetworkPrefix) }
