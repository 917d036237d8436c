package bgpd

import (
	"context"
	"log/slog"
	"net/netip"
	"os"
	"sync"
	"testing"
	"time"

	api "github.com/osrg/gobgp/v3/api"
	"github.com/osrg/gobgp/v3/pkg/server"
	"google.golang.org/protobuf/types/known/anypb"
)

// loopback needs no address configuration: 127.0.0.0/8 is local already.
type loopback struct{}

func (loopback) Add(string, netip.Prefix) error    { return nil }
func (loopback) Remove(string, netip.Prefix) error { return nil }

const testPort = 10179

// remote is a plain GoBGP router standing in for the upstream peer.
func remote(t *testing.T, addr string, as uint32, speaker string, speakerAS uint32, password string, announce ...string) *server.BgpServer {
	t.Helper()
	s := server.NewBgpServer(server.LoggerOption(logAdapter{slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))}))
	go s.Serve()
	t.Cleanup(s.Stop)
	ctx := context.Background()
	if err := s.StartBgp(ctx, &api.StartBgpRequest{Global: &api.Global{Asn: as, RouterId: addr, ListenPort: testPort, ListenAddresses: []string{addr}}}); err != nil {
		t.Fatal(err)
	}
	if err := s.AddPeer(ctx, &api.AddPeerRequest{Peer: &api.Peer{
		Conf:      &api.PeerConf{NeighborAddress: speaker, PeerAsn: speakerAS, AuthPassword: password},
		Transport: &api.Transport{LocalAddress: addr, RemotePort: testPort},
		Timers:    &api.Timers{Config: &api.TimersConfig{ConnectRetry: 1, HoldTime: 90, KeepaliveInterval: 30}},
	}}); err != nil {
		t.Fatal(err)
	}
	for _, p := range announce {
		prefix := netip.MustParsePrefix(p)
		nlri, _ := anypb.New(&api.IPAddressPrefix{Prefix: prefix.Addr().String(), PrefixLen: uint32(prefix.Bits())})
		origin, _ := anypb.New(&api.OriginAttribute{})
		nh, _ := anypb.New(&api.NextHopAttribute{NextHop: addr})
		if _, err := s.AddPath(ctx, &api.AddPathRequest{Path: &api.Path{Family: ipv4Unicast, Nlri: nlri, Pattrs: []*anypb.Any{origin, nh}}}); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

// received lists the prefixes the remote router has from its peers.
func received(t *testing.T, s *server.BgpServer) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := s.ListPath(context.Background(), &api.ListPathRequest{Family: ipv4Unicast}, func(d *api.Destination) {
		for _, p := range d.GetPaths() {
			if p.GetNeighborIp() != "" && p.GetNeighborIp() != "<nil>" && !p.GetIsWithdraw() {
				out[d.GetPrefix()] = nextHop(p).String()
			}
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// recorder keeps the latest callbacks.
type recorder struct {
	mu      sync.Mutex
	learned map[string][]Learned
	status  map[string][]PeerStatus
}

func (r *recorder) onLearned(_, port string, l []Learned) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.learned[port] = l
}

func (r *recorder) onStatus(port string, st []PeerStatus) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.status[port] = st
}

func (r *recorder) get(port string) ([]Learned, []PeerStatus) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.learned[port], r.status[port]
}

func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func newManager(t *testing.T, rec *recorder) *Manager {
	m := New(Options{Addresses: loopback{}, ListenPort: testPort, ConnectRetry: 1, OnLearned: rec.onLearned, OnStatus: rec.onStatus,
		Log: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))})
	t.Cleanup(m.Close)
	return m
}

func TestSessionAnnouncesAndLearns(t *testing.T) {
	rec := &recorder{learned: map[string][]Learned{}, status: map[string][]PeerStatus{}}
	m := newManager(t, rec)
	peer := remote(t, "127.0.0.32", 64513, "127.0.0.31", 64512, "", "203.0.113.0/24")
	sp := Speaker{RouterID: "r1", PortID: "p1", Interface: "lo", Local: netip.MustParsePrefix("127.0.0.31/8"), LocalAS: 64512,
		Peers:    []Peer{{ID: "peer-1", Address: netip.MustParseAddr("127.0.0.32"), AS: 64513}},
		Networks: []netip.Prefix{netip.MustParsePrefix("10.77.0.0/24"), netip.MustParsePrefix("10.78.0.0/24")}}
	m.Sync([]Speaker{sp})

	eventually(t, "session established", func() bool {
		_, st := rec.get("p1")
		return len(st) == 1 && st[0].State == "established"
	})
	eventually(t, "the peer's route learned", func() bool {
		l, _ := rec.get("p1")
		return len(l) == 1 && l[0].Prefix.String() == "203.0.113.0/24" && l[0].NextHop.String() == "127.0.0.32" && l[0].PeerID == "peer-1"
	})
	eventually(t, "the networks announced through the speaker's address", func() bool {
		got := received(t, peer)
		return got["10.77.0.0/24"] == "127.0.0.31" && got["10.78.0.0/24"] == "127.0.0.31"
	})

	// One network fewer: withdrawn at the peer.
	sp.Networks = sp.Networks[:1]
	m.Sync([]Speaker{sp})
	eventually(t, "10.78.0.0/24 withdrawn", func() bool {
		got := received(t, peer)
		_, still := got["10.78.0.0/24"]
		return !still && got["10.77.0.0/24"] != ""
	})

	// The peer removed: routes withdrawn on both sides.
	sp.Peers = nil
	m.Sync([]Speaker{sp})
	eventually(t, "learned routes gone", func() bool {
		l, st := rec.get("p1")
		return len(l) == 0 && len(st) == 0
	})
	eventually(t, "the peer lost our routes", func() bool { return len(received(t, peer)) == 0 })

	// The speaker removed entirely.
	m.Sync(nil)
	eventually(t, "speaker stopped", func() bool { return len(m.Status()) == 0 })
}

func TestMD5(t *testing.T) {
	rec := &recorder{learned: map[string][]Learned{}, status: map[string][]PeerStatus{}}
	m := newManager(t, rec)
	remote(t, "127.0.0.42", 64513, "127.0.0.41", 64512, "right-key", "198.18.0.0/15")
	sp := Speaker{RouterID: "r1", PortID: "p2", Interface: "lo", Local: netip.MustParsePrefix("127.0.0.41/8"), LocalAS: 64512,
		Peers: []Peer{{ID: "peer-2", Address: netip.MustParseAddr("127.0.0.42"), AS: 64513, Password: "wrong-key"}}}
	m.Sync([]Speaker{sp})
	eventually(t, "status reported", func() bool { _, st := rec.get("p2"); return len(st) == 1 })
	time.Sleep(4 * time.Second) // several connection attempts, each refused by the key check
	if l, st := rec.get("p2"); len(l) != 0 || st[0].State == "established" {
		t.Fatalf("a wrong MD5 key gave a session: %+v, learned %v", st, l)
	}
	sp.Peers[0].Password = "right-key"
	m.Sync([]Speaker{sp})
	eventually(t, "session with the right key", func() bool {
		l, st := rec.get("p2")
		return len(st) == 1 && st[0].State == "established" && len(l) == 1
	})
}
