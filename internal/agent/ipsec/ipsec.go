// Package ipsec runs the IPsec site connections of the VPN services whose container port is
// bound to this agent's host (seed 2.7; MidoNet's IPsec service container). Each router gets a
// network namespace of its own, joined to the router's container port by a veth pair whose
// host end the datapath attaches to; in it runs strongSwan's charon, driven through its VICI
// socket with govici: one IKE connection per site connection (PSK, proposals, lifetimes, DPD
// and initiator mapped from the Neutron policies) with one child SA between the local and the
// peer CIDRs. No IKE or ESP is written here: charon negotiates, and ESP runs in charon's
// libipsec (UDP-encapsulated, RFC 3948) over a TUN device in the namespace, which needs no
// IPsec support in the host's kernel. The status of each connection (ACTIVE while its IKE SA
// is established and a child SA installed, DOWN otherwise) is polled over VICI and reported
// through a callback; the agent writes it to the NSDB for the server.
//
// The Manager owns the sites. Sync hands it the wanted configuration; each site has one
// goroutine that reconciles namespace, daemon and connections with it, so callers never
// block on charon. Pre-shared keys go to charon only, never to a log.
package ipsec

import (
	"context"
	"log/slog"
	"net/netip"
	"os"
	"path/filepath"
	"reflect"
	"sync"
	"time"

	"github.com/midonet-go/midonet/internal/topology"
)

// Site is the wanted IPsec configuration of one router on this host.
type Site struct {
	RouterID   string
	Interface  string       // the host end of the container link (the container port's interface)
	RouterSide netip.Prefix // the router's address on the link (x.x.x.1/30)
	Container  netip.Addr   // the namespace's address on the link (.2)
	ExternalIP netip.Addr   // the VPN services' external address, held in the namespace
	Conns      []topology.IPSecSiteConnection
}

// Status values of a connection.
const (
	Active = "ACTIVE"
	Down   = "DOWN"
)

// Options configure a Manager.
type Options struct {
	Log *slog.Logger
	// StateDir holds each router's charon configuration, VICI socket and log (default: a
	// midonet-ipsec folder in the temporary directory).
	StateDir string
	// Charon is the charon binary (default /usr/lib/ipsec/charon).
	Charon string
	// Poll is how often the SAs are read (default 2 s).
	Poll time.Duration
	// OnStatus receives the status of every connection of a router when one changes, and an
	// empty map when the router's site is gone.
	OnStatus func(router string, status map[string]string)
}

// Manager runs the sites of one host.
type Manager struct {
	o     Options
	mu    sync.Mutex
	sites map[string]*runner
	wg    sync.WaitGroup
}

// DefaultStateDir is where each router's charon files are kept when Options.StateDir is
// empty: one directory a router, named by its id.
func DefaultStateDir() string { return filepath.Join(os.TempDir(), "midonet-ipsec") }

// New builds a manager; nothing runs until Sync.
func New(o Options) *Manager {
	if o.Log == nil {
		o.Log = slog.Default()
	}
	if o.StateDir == "" {
		o.StateDir = DefaultStateDir()
	}
	if o.Charon == "" {
		o.Charon = "/usr/lib/ipsec/charon"
	}
	if o.Poll <= 0 {
		o.Poll = 2 * time.Second
	}
	if o.OnStatus == nil {
		o.OnStatus = func(string, map[string]string) {}
	}
	return &Manager{o: o, sites: map[string]*runner{}}
}

// Sync makes the running sites those of want: new routers get a namespace and a charon,
// changed ones their connections reloaded, routers no longer wanted are torn down.
func (m *Manager) Sync(want []Site) {
	m.mu.Lock()
	defer m.mu.Unlock()
	seen := map[string]bool{}
	for _, s := range want {
		seen[s.RouterID] = true
		r := m.sites[s.RouterID]
		if r == nil {
			ctx, cancel := context.WithCancel(context.Background())
			r = &runner{m: m, router: s.RouterID, cancel: cancel, updates: make(chan Site, 1), done: make(chan struct{})}
			m.sites[s.RouterID] = r
			m.wg.Add(1)
			go func() { defer m.wg.Done(); r.run(ctx) }()
		}
		if reflect.DeepEqual(r.last, s) {
			continue
		}
		r.last = s
		select { // keep only the newest wanted state
		case <-r.updates:
		default:
		}
		r.updates <- s
	}
	for id, r := range m.sites {
		if !seen[id] {
			r.cancel()
			delete(m.sites, id)
		}
	}
}

// Close tears every site down and waits for it.
func (m *Manager) Close() {
	m.Sync(nil)
	m.wg.Wait()
}
