package bgpd

import (
	"context"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"time"

	api "github.com/osrg/gobgp/v3/api"
	"github.com/osrg/gobgp/v3/pkg/server"
	"google.golang.org/protobuf/types/known/anypb"
)

var ipv4Unicast = &api.Family{Afi: api.Family_AFI_IP, Safi: api.Family_SAFI_UNICAST}

// speaker is one running GoBGP server.
type speaker struct {
	o   Options
	cfg Speaker // what it was started with (peers and networks as last configured)
	bgp *server.BgpServer

	ctx    context.Context
	cancel context.CancelFunc
	kick   chan struct{} // the RIB or a session changed
	done   chan struct{}

	mu       sync.Mutex
	peers    map[string]Peer   // by id, as configured
	paths    map[string][]byte // announced prefix -> GoBGP path uuid
	statuses []PeerStatus
	learned  []Learned
}

// start brings the speaker's address up and starts its BGP server.
func start(o Options, w Speaker) (*speaker, error) {
	if !w.Local.Addr().Is4() {
		return nil, errorf(w.PortID, "only IPv4 sessions are supported (address %s)", w.Local)
	}
	if err := o.Addresses.Add(w.Interface, w.Local); err != nil {
		return nil, errorf(w.PortID, "address %s on %s: %v", w.Local, w.Interface, err)
	}
	bgp := server.NewBgpServer(server.LoggerOption(logAdapter{o.Log.With("router", w.RouterID, "port", w.PortID)}))
	go bgp.Serve()
	ctx, cancel := context.WithCancel(context.Background())
	err := bgp.StartBgp(ctx, &api.StartBgpRequest{Global: &api.Global{
		Asn: w.LocalAS, RouterId: w.Local.Addr().String(),
		ListenPort: o.ListenPort, ListenAddresses: []string{w.Local.Addr().String()},
	}})
	if err != nil {
		cancel()
		bgp.Stop()
		_ = o.Addresses.Remove(w.Interface, w.Local)
		return nil, errorf(w.PortID, "start: %v", err)
	}
	s := &speaker{o: o, cfg: Speaker{RouterID: w.RouterID, PortID: w.PortID, Interface: w.Interface, Local: w.Local, LocalAS: w.LocalAS},
		bgp: bgp, ctx: ctx, cancel: cancel, kick: make(chan struct{}, 1), done: make(chan struct{}),
		peers: map[string]Peer{}, paths: map[string][]byte{}}
	poke := func(*api.WatchEventResponse) {
		select {
		case s.kick <- struct{}{}:
		default:
		}
	}
	err = bgp.WatchEvent(ctx, &api.WatchEventRequest{
		Peer:  &api.WatchEventRequest_Peer{},
		Table: &api.WatchEventRequest_Table{Filters: []*api.WatchEventRequest_Table_Filter{{Type: api.WatchEventRequest_Table_Filter_BEST}}},
	}, poke)
	if err != nil {
		s.stop()
		return nil, errorf(w.PortID, "watch: %v", err)
	}
	go s.follow()
	o.Log.Info("bgp: speaker started", "router", w.RouterID, "port", w.PortID, "interface", w.Interface,
		"address", w.Local.String(), "local_as", w.LocalAS)
	return s, nil
}

// stop withdraws everything, stops the server and takes the address off the interface.
func (s *speaker) stop() {
	s.cancel()
	<-s.done
	s.bgp.Stop()
	if err := s.o.Addresses.Remove(s.cfg.Interface, s.cfg.Local); err != nil {
		s.o.Log.Warn("bgp: remove address", "interface", s.cfg.Interface, "address", s.cfg.Local.String(), "err", err)
	}
	s.o.OnLearned(s.cfg.RouterID, s.cfg.PortID, nil)
	s.o.OnStatus(s.cfg.PortID, nil)
	s.o.Log.Info("bgp: speaker stopped", "router", s.cfg.RouterID, "port", s.cfg.PortID)
}

// configure brings the peers and announced networks in line with w.
func (s *speaker) configure(w Speaker) error {
	ctx, cancel := context.WithTimeout(s.ctx, 10*time.Second)
	defer cancel()
	wantPeers := map[string]Peer{}
	for _, p := range w.Peers {
		wantPeers[p.ID] = p
	}
	s.mu.Lock()
	have := make(map[string]Peer, len(s.peers))
	for k, v := range s.peers {
		have[k] = v
	}
	s.mu.Unlock()
	var errs []string
	for id, p := range have {
		if q, ok := wantPeers[id]; !ok || q != p {
			if err := s.bgp.DeletePeer(ctx, &api.DeletePeerRequest{Address: p.Address.String()}); err != nil {
				errs = append(errs, fmt.Sprintf("delete peer %s: %v", p.Address, err))
			}
			s.mu.Lock()
			delete(s.peers, id)
			s.mu.Unlock()
			s.o.Log.Info("bgp: peer removed", "router", w.RouterID, "peer", id, "address", p.Address.String())
		}
	}
	for id, p := range wantPeers {
		if _, ok := have[id]; ok && have[id] == p {
			continue
		}
		if err := s.bgp.AddPeer(ctx, &api.AddPeerRequest{Peer: s.peerConf(p)}); err != nil {
			errs = append(errs, fmt.Sprintf("add peer %s: %v", p.Address, err))
			continue
		}
		s.mu.Lock()
		s.peers[id] = p
		s.mu.Unlock()
		s.o.Log.Info("bgp: peer added", "router", w.RouterID, "peer", id, "address", p.Address.String(),
			"remote_as", p.AS, "md5", p.Password != "")
	}
	want := map[string]bool{}
	for _, n := range w.Networks {
		if n.Addr().Is4() {
			want[n.Masked().String()] = true
		}
	}
	s.mu.Lock()
	paths := make(map[string][]byte, len(s.paths))
	for k, v := range s.paths {
		paths[k] = v
	}
	s.mu.Unlock()
	for prefix, uuid := range paths {
		if !want[prefix] {
			if err := s.bgp.DeletePath(ctx, &api.DeletePathRequest{TableType: api.TableType_GLOBAL, Family: ipv4Unicast, Uuid: uuid}); err != nil {
				errs = append(errs, fmt.Sprintf("withdraw %s: %v", prefix, err))
				continue
			}
			s.mu.Lock()
			delete(s.paths, prefix)
			s.mu.Unlock()
		}
	}
	prefixes := make([]string, 0, len(want))
	for p := range want {
		prefixes = append(prefixes, p)
	}
	slices.Sort(prefixes)
	for _, prefix := range prefixes {
		if _, ok := paths[prefix]; ok {
			continue
		}
		path, err := s.path(netip.MustParsePrefix(prefix))
		if err != nil {
			errs = append(errs, err.Error())
			continue
		}
		res, err := s.bgp.AddPath(ctx, &api.AddPathRequest{TableType: api.TableType_GLOBAL, Path: path})
		if err != nil {
			errs = append(errs, fmt.Sprintf("announce %s: %v", prefix, err))
			continue
		}
		s.mu.Lock()
		s.paths[prefix] = res.Uuid
		s.mu.Unlock()
	}
	s.poke()
	if len(errs) > 0 {
		return errorf(w.PortID, "%s", strings.Join(errs, "; "))
	}
	return nil
}

func (s *speaker) poke() {
	select {
	case s.kick <- struct{}{}:
	default:
	}
}

// peerConf is GoBGP's configuration of a peer: reached from the speaker's address, quick to
// retry, MD5 when there is a password.
func (s *speaker) peerConf(p Peer) *api.Peer {
	return &api.Peer{
		Conf:      &api.PeerConf{NeighborAddress: p.Address.String(), PeerAsn: p.AS, AuthPassword: p.Password},
		Transport: &api.Transport{LocalAddress: s.cfg.Local.Addr().String(), RemotePort: uint32(s.o.ListenPort)},
		Timers:    &api.Timers{Config: &api.TimersConfig{ConnectRetry: s.o.ConnectRetry, HoldTime: 90, KeepaliveInterval: 30}},
		AfiSafis: []*api.AfiSafi{{Config: &api.AfiSafiConfig{Family: ipv4Unicast, Enabled: true},
			PrefixLimits: &api.PrefixLimit{Family: ipv4Unicast, MaxPrefixes: uint32(s.o.MaxRoutes)}}},
	}
}

// path is the announcement of prefix through the speaker's address.
func (s *speaker) path(prefix netip.Prefix) (*api.Path, error) {
	nlri, err := anypb.New(&api.IPAddressPrefix{Prefix: prefix.Addr().String(), PrefixLen: uint32(prefix.Bits())})
	if err != nil {
		return nil, err
	}
	origin, err := anypb.New(&api.OriginAttribute{Origin: 0}) // IGP
	if err != nil {
		return nil, err
	}
	nh, err := anypb.New(&api.NextHopAttribute{NextHop: s.cfg.Local.Addr().String()})
	if err != nil {
		return nil, err
	}
	return &api.Path{Family: ipv4Unicast, Nlri: nlri, Pattrs: []*anypb.Any{origin, nh}}, nil
}

// follow reads the RIB and the sessions after every change (and every few seconds, for the
// counters) and reports what changed.
func (s *speaker) follow() {
	defer close(s.done)
	tick := time.NewTicker(5 * time.Second)
	defer tick.Stop()
	for {
		select {
		case <-s.ctx.Done():
			return
		case <-s.kick:
			// Let a burst of updates settle into one report.
			select {
			case <-time.After(100 * time.Millisecond):
			case <-s.ctx.Done():
				return
			}
		case <-tick.C:
		}
		s.refresh()
	}
}

func (s *speaker) refresh() {
	ctx, cancel := context.WithTimeout(s.ctx, 5*time.Second)
	defer cancel()
	s.mu.Lock()
	byAddr := make(map[string]Peer, len(s.peers))
	for _, p := range s.peers {
		byAddr[p.Address.String()] = p
	}
	s.mu.Unlock()
	var statuses []PeerStatus
	err := s.bgp.ListPeer(ctx, &api.ListPeerRequest{}, func(p *api.Peer) {
		addr := p.GetConf().GetNeighborAddress()
		cfg, ok := byAddr[addr]
		if !ok {
			return
		}
		st := PeerStatus{PeerID: cfg.ID, RouterID: s.cfg.RouterID, PortID: s.cfg.PortID, Address: addr, RemoteAS: cfg.AS,
			State: sessionState(p.GetState().GetSessionState())}
		for _, af := range p.GetAfiSafis() {
			if a := af.GetState(); a != nil {
				st.Received += a.Received
				st.Accepted += a.Accepted
				st.Advertised += a.Advertised
			}
		}
		statuses = append(statuses, st)
	})
	if err != nil {
		if s.ctx.Err() == nil {
			s.o.Log.Warn("bgp: list peers", "router", s.cfg.RouterID, "err", err)
		}
		return
	}
	slices.SortFunc(statuses, func(a, b PeerStatus) int { return strings.Compare(a.PeerID, b.PeerID) })
	var learned []Learned
	capped := false
	err = s.bgp.ListPath(ctx, &api.ListPathRequest{TableType: api.TableType_GLOBAL, Family: ipv4Unicast}, func(d *api.Destination) {
		for _, p := range d.GetPaths() {
			peer, ok := byAddr[p.GetNeighborIp()]
			if !ok || !p.GetBest() || p.GetIsWithdraw() {
				continue
			}
			prefix, err := netip.ParsePrefix(d.GetPrefix())
			if err != nil {
				continue
			}
			nh := nextHop(p)
			if !nh.IsValid() {
				nh = peer.Address
			}
			if len(learned) >= s.o.MaxRoutes {
				capped = true
				continue
			}
			learned = append(learned, Learned{Prefix: prefix, NextHop: nh, PeerID: peer.ID})
		}
	})
	if err != nil {
		if s.ctx.Err() == nil {
			s.o.Log.Warn("bgp: list paths", "router", s.cfg.RouterID, "err", err)
		}
		return
	}
	slices.SortFunc(learned, func(a, b Learned) int { return strings.Compare(a.Prefix.String(), b.Prefix.String()) })
	s.mu.Lock()
	oldStatuses, oldLearned := s.statuses, s.learned
	s.statuses, s.learned = statuses, learned
	s.mu.Unlock()
	if !slices.Equal(oldStatuses, statuses) {
		for _, st := range statuses {
			if i := slices.IndexFunc(oldStatuses, func(o PeerStatus) bool { return o.PeerID == st.PeerID }); i < 0 || oldStatuses[i].State != st.State {
				s.o.Log.Info("bgp: session", "router", st.RouterID, "peer", st.PeerID, "address", st.Address, "state", st.State,
					"prefixes_received", st.Received, "prefixes_advertised", st.Advertised)
			}
		}
		s.o.OnStatus(s.cfg.PortID, statuses)
	}
	if !slices.Equal(oldLearned, learned) {
		if capped {
			s.o.Log.Warn("bgp: learned routes capped", "router", s.cfg.RouterID, "max", s.o.MaxRoutes)
		}
		s.o.OnLearned(s.cfg.RouterID, s.cfg.PortID, learned)
	}
}

func (s *speaker) status() []PeerStatus {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.statuses)
}

// nextHop reads a path's next hop attribute.
func nextHop(p *api.Path) netip.Addr {
	for _, a := range p.GetPattrs() {
		var nh api.NextHopAttribute
		if a.MessageIs(&nh) && a.UnmarshalTo(&nh) == nil {
			if addr, err := netip.ParseAddr(nh.NextHop); err == nil {
				return addr
			}
		}
	}
	return netip.Addr{}
}

// sessionState names a BGP FSM state as operators know it.
func sessionState(st api.PeerState_SessionState) string {
	switch st {
	case api.PeerState_IDLE:
		return "idle"
	case api.PeerState_CONNECT:
		return "connect"
	case api.PeerState_ACTIVE:
		return "active"
	case api.PeerState_OPENSENT:
		return "opensent"
	case api.PeerState_OPENCONFIRM:
		return "openconfirm"
	case api.PeerState_ESTABLISHED:
		return "established"
	}
	return "unknown"
}
