package integration

import (
	"net/netip"
	"testing"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/external"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/extradhcpopts"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/mtu"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/portsbinding"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/portsecurity"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/provider"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/security/groups"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/security/rules"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/networks"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/ports"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/subnets"
	"github.com/gophercloud/gophercloud/v2/pagination"
)

// network is a network with the extension attributes the server supports,
// decoded the way gophercloud users decode them (embedded extension structs).
type network struct {
	networks.Network
	provider.NetworkProviderExt
	mtu.NetworkMTUExt
	portsecurity.PortSecurityExt
	external.NetworkExternalExt
}

// port is a port with its binding, port security and DHCP option extensions.
type port struct {
	ports.Port
	portsbinding.PortsBindingExt
	portsecurity.PortSecurityExt
	extradhcpopts.ExtraDHCPOptsExt
}

// extractor is any gophercloud result with an ExtractInto method.
type extractor interface{ ExtractInto(any) error }

// into decodes a gophercloud result, failing the test now on error.
func into[T any](t *testing.T, r extractor) T {
	t.Helper()
	var v T
	if err := r.ExtractInto(&v); err != nil {
		t.Fatalf("unexpected error: %v", err)
	}
	return v
}

func createNetwork(t *testing.T, c *gophercloud.ServiceClient, opts networks.CreateOptsBuilder) network {
	t.Helper()
	return into[network](t, networks.Create(ctx(t), c, opts))
}

func showNetwork(t *testing.T, c *gophercloud.ServiceClient, id string) network {
	t.Helper()
	return into[network](t, networks.Get(ctx(t), c, id))
}

func listNetworks(t *testing.T, c *gophercloud.ServiceClient, opts networks.ListOptsBuilder) []network {
	t.Helper()
	page, err := networks.List(c, opts).AllPages(ctx(t))
	if err != nil {
		t.Fatalf("list networks: %v", err)
	}
	var out []network
	if err := networks.ExtractNetworksInto(page, &out); err != nil {
		t.Fatalf("extract networks: %v", err)
	}
	return out
}

func createSubnet(t *testing.T, c *gophercloud.ServiceClient, opts subnets.CreateOptsBuilder) subnets.Subnet {
	t.Helper()
	s, err := subnets.Create(ctx(t), c, opts).Extract()
	if err != nil {
		t.Fatalf("create subnet: %v", err)
	}
	return *s
}

// newNetwork creates a network named name with one IPv4 subnet on cidr
// and returns both.
// newNetwork makes a network with an IPv4 subnet whose allocation pool is the upper half of
// cidr: addresses a test asks for by hand in the lower half never collide with the random
// allocations of other ports (IPAM starts at a random offset in the pool).
func newNetwork(t *testing.T, c *gophercloud.ServiceClient, name, cidr string) (network, subnets.Subnet) {
	t.Helper()
	n := createNetwork(t, c, networks.CreateOpts{Name: name})
	s := createSubnet(t, c, subnets.CreateOpts{NetworkID: n.ID, CIDR: cidr, IPVersion: gophercloud.IPv4, Name: name + "-subnet",
		AllocationPools: []subnets.AllocationPool{upperHalf(t, cidr)}})
	return n, s
}

// upperHalf is the pool from the middle of an IPv4 prefix to the address before broadcast.
func upperHalf(t *testing.T, cidr string) subnets.AllocationPool {
	t.Helper()
	p := netip.MustParsePrefix(cidr)
	size := uint32(1) << (32 - p.Bits())
	if size < 8 {
		t.Fatalf("upperHalf: %s is too small for a split pool", cidr)
	}
	base := p.Masked().Addr().As4()
	first := uint32(base[0])<<24 | uint32(base[1])<<16 | uint32(base[2])<<8 | uint32(base[3])
	at := func(n uint32) string {
		return netip.AddrFrom4([4]byte{byte(n >> 24), byte(n >> 16), byte(n >> 8), byte(n)}).String()
	}
	return subnets.AllocationPool{Start: at(first + size/2), End: at(first + size - 2)}
}

func createPort(t *testing.T, c *gophercloud.ServiceClient, opts ports.CreateOptsBuilder) port {
	t.Helper()
	return into[port](t, ports.Create(ctx(t), c, opts))
}

func showPort(t *testing.T, c *gophercloud.ServiceClient, id string) port {
	t.Helper()
	return into[port](t, ports.Get(ctx(t), c, id))
}

func listPorts(t *testing.T, c *gophercloud.ServiceClient, opts ports.ListOptsBuilder) []port {
	t.Helper()
	page, err := ports.List(c, opts).AllPages(ctx(t))
	if err != nil {
		t.Fatalf("list ports: %v", err)
	}
	var out []port
	if err := ports.ExtractPortsInto(page, &out); err != nil {
		t.Fatalf("extract ports: %v", err)
	}
	return out
}

func listGroups(t *testing.T, c *gophercloud.ServiceClient, opts groups.ListOpts) []groups.SecGroup {
	t.Helper()
	page, err := groups.List(c, opts).AllPages(ctx(t))
	if err != nil {
		t.Fatalf("list security groups: %v", err)
	}
	out, err := groups.ExtractGroups(page)
	if err != nil {
		t.Fatalf("extract security groups: %v", err)
	}
	return out
}

func listRules(t *testing.T, c *gophercloud.ServiceClient, opts rules.ListOpts) []rules.SecGroupRule {
	t.Helper()
	page, err := rules.List(c, opts).AllPages(ctx(t))
	if err != nil {
		t.Fatalf("list security group rules: %v", err)
	}
	out, err := rules.ExtractRules(page)
	if err != nil {
		t.Fatalf("extract security group rules: %v", err)
	}
	return out
}

// defaultGroup returns the project's default security group (listing the
// project's groups creates it if needed).
func defaultGroup(t *testing.T, c *gophercloud.ServiceClient, project string) groups.SecGroup {
	t.Helper()
	gs := listGroups(t, c, groups.ListOpts{TenantID: project, Name: "default"})
	if len(gs) != 1 {
		t.Fatalf("project %s has %d default security groups, want 1", project, len(gs))
	}
	return gs[0]
}

// names returns the names of a list of networks, in order.
func names(ns []network) []string {
	out := make([]string, len(ns))
	for i, n := range ns {
		out[i] = n.Name
	}
	return out
}

// pageNames returns the names in one page of networks.
func pageNames(t *testing.T, p pagination.Page) []string {
	t.Helper()
	var ns []network
	if err := networks.ExtractNetworksInto(p, &ns); err != nil {
		t.Fatalf("extract networks: %v", err)
	}
	return names(ns)
}
