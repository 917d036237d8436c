// Package bgpd runs the BGP sessions of an agent (seed 2.10, MidoNet's per-router bgpd): one
// speaker per router port bound to this host that faces BGP peers, built on the GoBGP library.
// A speaker listens on the port's address (put on the bound interface), establishes a session
// with each peer (MD5-authenticated when the peer has a password), announces the router's
// advertised networks, and reports what it learns (the best path to each prefix from a peer)
// and the state of each session through callbacks; the agent turns those into learned routes
// and session status in the NSDB.
//
// The Manager owns the speakers. Sync hands it the wanted configuration; one goroutine
// reconciles the running speakers with it, so callers never block on a BGP server.
package bgpd

import (
	"context"
	"fmt"
	"log/slog"
	"net/netip"
	"slices"
	"sort"
	"sync"
	"time"
)

// Peer is one BGP neighbour of a speaker.
type Peer struct {
	ID       string
	Address  netip.Addr
	AS       uint32
	Password string // TCP MD5 key; "" for none
}

// Speaker is the wanted BGP speaker of one router port.
type Speaker struct {
	RouterID  string
	PortID    string
	Interface string       // the host interface the port is bound to
	Local     netip.Prefix // the port's address with its subnet's length
	LocalAS   uint32
	Peers     []Peer
	Networks  []netip.Prefix // announced with the port's address as next hop
}

// same reports whether two speakers can share one BGP server (only peers and networks differ).
func (s Speaker) same(o Speaker) bool {
	return s.RouterID == o.RouterID && s.Interface == o.Interface && s.Local == o.Local && s.LocalAS == o.LocalAS
}

// Learned is the best route to a prefix that a peer announced.
type Learned struct {
	Prefix  netip.Prefix
	NextHop netip.Addr
	PeerID  string
}

// PeerStatus is the state of one session.
type PeerStatus struct {
	PeerID     string `json:"peer_id"`
	RouterID   string `json:"router_id"`
	PortID     string `json:"port_id"`
	Address    string `json:"peer_address"`
	RemoteAS   uint32 `json:"remote_as"`
	State      string `json:"state"` // idle, connect, active, opensent, openconfirm, established
	Received   uint64 `json:"prefixes_received"`
	Accepted   uint64 `json:"prefixes_accepted"`
	Advertised uint64 `json:"prefixes_advertised"`
}

// Addresser puts a speaker's address on its interface and takes it off again.
type Addresser interface {
	Add(iface string, p netip.Prefix) error
	Remove(iface string, p netip.Prefix) error
}

// Options configure a Manager.
type Options struct {
	Log *slog.Logger
	// Addresses configures interface addresses (default: netlink).
	Addresses Addresser
	// ListenPort is the BGP port speakers listen on and peers are reached at (default 179).
	ListenPort int32
	// MaxRoutes caps the learned routes of one speaker (MidoNet's max_bgp_peer_routes,
	// default 200); the rest are ignored and logged.
	MaxRoutes int
	// ConnectRetry is the seconds between connection attempts to a peer (default 5).
	ConnectRetry uint64
	// OnLearned receives the whole learned set of a port whenever it changes (nil or empty
	// when the speaker stops). It runs on a speaker's goroutine and must not block for long.
	OnLearned func(routerID, portID string, routes []Learned)
	// OnStatus receives the status of a port's sessions whenever it changes.
	OnStatus func(portID string, peers []PeerStatus)
}

// Manager runs the speakers of one agent.
type Manager struct {
	o      Options
	want   chan []Speaker
	done   chan struct{}
	cancel context.CancelFunc

	mu       sync.Mutex
	speakers map[string]*speaker // by port id; owned by the loop, read by Status
}

// New starts a manager; Close stops it and every speaker.
func New(o Options) *Manager {
	if o.Log == nil {
		o.Log = slog.Default()
	}
	if o.Addresses == nil {
		o.Addresses = netlinkAddresser{}
	}
	if o.ListenPort == 0 {
		o.ListenPort = 179
	}
	if o.MaxRoutes <= 0 {
		o.MaxRoutes = 200
	}
	if o.ConnectRetry == 0 {
		o.ConnectRetry = 5
	}
	if o.OnLearned == nil {
		o.OnLearned = func(string, string, []Learned) {}
	}
	if o.OnStatus == nil {
		o.OnStatus = func(string, []PeerStatus) {}
	}
	ctx, cancel := context.WithCancel(context.Background())
	m := &Manager{o: o, want: make(chan []Speaker, 1), done: make(chan struct{}), cancel: cancel, speakers: map[string]*speaker{}}
	go m.loop(ctx)
	return m
}

// Sync replaces the wanted speakers; the manager converges on them in the background. A
// newer Sync supersedes one not yet applied.
func (m *Manager) Sync(want []Speaker) {
	for {
		select {
		case m.want <- want:
			return
		default:
		}
		select {
		case <-m.want: // drop the stale one
		default:
		}
	}
}

// Close stops every speaker (withdrawing their routes from the peers) and the manager.
func (m *Manager) Close() {
	m.cancel()
	<-m.done
}

// Status returns the sessions of every running speaker, sorted by peer id.
func (m *Manager) Status() []PeerStatus {
	m.mu.Lock()
	sps := make([]*speaker, 0, len(m.speakers))
	for _, s := range m.speakers {
		sps = append(sps, s)
	}
	m.mu.Unlock()
	var out []PeerStatus
	for _, s := range sps {
		out = append(out, s.status()...)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].PeerID < out[j].PeerID })
	return out
}

func (m *Manager) loop(ctx context.Context) {
	defer close(m.done)
	retry := time.NewTicker(10 * time.Second)
	defer retry.Stop()
	var last []Speaker
	for {
		select {
		case <-ctx.Done():
			m.apply(nil)
			return
		case w := <-m.want:
			last = w
			m.apply(w)
		case <-retry.C:
			// A speaker that failed to start (interface missing, address in use) is tried again.
			m.apply(last)
		}
	}
}

// apply converges the running speakers on want.
func (m *Manager) apply(want []Speaker) {
	byPort := map[string]Speaker{}
	for _, w := range want {
		byPort[w.PortID] = w
	}
	m.mu.Lock()
	running := make(map[string]*speaker, len(m.speakers))
	for k, v := range m.speakers {
		running[k] = v
	}
	m.mu.Unlock()
	for port, s := range running {
		if w, ok := byPort[port]; !ok || !w.same(s.cfg) {
			s.stop()
			m.mu.Lock()
			delete(m.speakers, port)
			m.mu.Unlock()
		}
	}
	ports := make([]string, 0, len(byPort))
	for p := range byPort {
		ports = append(ports, p)
	}
	slices.Sort(ports)
	for _, port := range ports {
		w := byPort[port]
		m.mu.Lock()
		s := m.speakers[port]
		m.mu.Unlock()
		if s == nil {
			var err error
			if s, err = start(m.o, w); err != nil {
				m.o.Log.Warn("bgp: speaker not started", "router", w.RouterID, "port", port, "err", err)
				continue
			}
			m.mu.Lock()
			m.speakers[port] = s
			m.mu.Unlock()
		}
		if err := s.configure(w); err != nil {
			m.o.Log.Warn("bgp: speaker not configured", "router", w.RouterID, "port", port, "err", err)
		}
	}
}

// errorf wraps a speaker's error with its port.
func errorf(port, format string, args ...any) error {
	return fmt.Errorf("bgp speaker on port %s: %s", port, fmt.Sprintf(format, args...))
}
