package integration

import (
	"sync"
	"testing"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/quotas"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/networks"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/ports"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/subnets"
)

// outcome is the result of one of many concurrent requests.
type outcome struct {
	p   port
	err error
}

// concurrently runs n copies of create at once and returns their outcomes.
func concurrently(n int, create func() (port, error)) []outcome {
	out := make([]outcome, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range out {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			out[i].p, out[i].err = create()
		}()
	}
	close(start)
	wg.Wait()
	return out
}

// tally counts the successes and checks every failure is status/typ.
func tally(t *testing.T, outs []outcome, status int, typ string) []port {
	t.Helper()
	var ok []port
	for _, o := range outs {
		if o.err == nil {
			ok = append(ok, o.p)
			continue
		}
		wantError(t, o.err, status, typ)
	}
	return ok
}

// TestConcurrentWrites sends racing writes that only one database
// transaction at a time may win, as clients in parallel would.
func TestConcurrentWrites(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		const project = "it-race"
		c := e.admin(project)
		newPort := func(opts ports.CreateOptsBuilder) func() (port, error) {
			return func() (port, error) {
				var p port
				err := ports.Create(ctx(t), c, opts).ExtractInto(&p)
				return p, err
			}
		}

		t.Run("same fixed address", func(t *testing.T) {
			net, _ := newNetwork(t, c, "race-ip", "10.70.0.0/24")
			won := tally(t, concurrently(10, newPort(ports.CreateOpts{NetworkID: net.ID, FixedIPs: []ports.IP{{IPAddress: "10.70.0.50"}}})),
				409, "IpAddressAlreadyAllocated")
			if len(won) != 1 {
				t.Errorf("%d ports got 10.70.0.50, want exactly 1", len(won))
			}
		})

		t.Run("same mac address", func(t *testing.T) {
			net := createNetwork(t, c, networks.CreateOpts{Name: "race-mac"})
			won := tally(t, concurrently(10, newPort(ports.CreateOpts{NetworkID: net.ID, MACAddress: "fa:16:3e:11:22:33"})),
				409, "MacAddressInUse")
			if len(won) != 1 {
				t.Errorf("%d ports got the same MAC, want exactly 1", len(won))
			}
		})

		t.Run("exhausting a pool", func(t *testing.T) {
			net := createNetwork(t, c, networks.CreateOpts{Name: "race-pool"})
			sub := createSubnet(t, c, subnets.CreateOpts{NetworkID: net.ID, CIDR: "10.71.0.0/28", IPVersion: gophercloud.IPv4})
			won := tally(t, concurrently(20, newPort(ports.CreateOpts{NetworkID: net.ID, FixedIPs: []ports.IP{{SubnetID: sub.ID}}})),
				409, "IpAddressGenerationFailure")
			if len(won) != 13 {
				t.Errorf("%d ports got an address from a pool of 13 (.2-.14)", len(won))
			}
			seen := map[string]bool{}
			for _, p := range won {
				if len(p.FixedIPs) != 1 || !inRange(p.FixedIPs[0].IPAddress, "10.71.0.2", "10.71.0.14") || seen[p.FixedIPs[0].IPAddress] {
					t.Errorf("port %s got %v: not a fresh address of the pool", p.ID, p.FixedIPs)
					continue
				}
				seen[p.FixedIPs[0].IPAddress] = true
			}
			if got := listPorts(t, c, ports.ListOpts{NetworkID: net.ID}); len(got) != len(won) {
				t.Errorf("the network has %d ports, %d creates succeeded", len(got), len(won))
			}
		})

		t.Run("quota", func(t *testing.T) {
			const qp = "it-race-quota"
			_, err := quotas.Update(ctx(t), c, qp, quotas.UpdateOpts{Port: ptr(5)}).Extract()
			must(t, err)
			qc := e.admin(qp)
			net := createNetwork(t, qc, networks.CreateOpts{Name: "race-quota"})
			won := tally(t, concurrently(12, func() (port, error) {
				var p port
				err := ports.Create(ctx(t), qc, ports.CreateOpts{NetworkID: net.ID}).ExtractInto(&p)
				return p, err
			}), 409, "OverQuota")
			if len(won) != 5 {
				t.Errorf("%d ports created under a quota of 5", len(won))
			}
		})
	})
}
