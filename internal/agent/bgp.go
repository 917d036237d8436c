package agent

import (
	"context"
	"encoding/json"
	"net/netip"
	"slices"
	"strings"

	"github.com/midonet-go/midonet/internal/agent/bgpd"
	"github.com/midonet-go/midonet/internal/hosts"
	"github.com/midonet-go/midonet/internal/nsdb"
	"github.com/midonet-go/midonet/internal/topology"
)

// learnedWeight is the weight of a learned route: BGP's external administrative distance, as
// MidoNet gives a route from its Zebra server the route's distance.
const learnedWeight = 20

// wantSpeakers is the BGP configuration this host must run: for every router with BGP peers,
// a speaker on each of the router's ports bound here whose subnet holds peers.
func (a *Agent) wantSpeakers(s *state) []bgpd.Speaker {
	peers := map[string][]*topology.BgpPeer{}
	nets := map[string][]*topology.BgpNetwork{}
	for _, o := range kindsOf(&s.objects, topology.KindBgpPeer, topology.KindBgpNetwork) {
		switch v := o.(type) {
		case *topology.BgpPeer:
			peers[v.RouterID] = append(peers[v.RouterID], v)
		case *topology.BgpNetwork:
			nets[v.RouterID] = append(nets[v.RouterID], v)
		}
	}
	if len(peers) == 0 {
		return nil
	}
	var out []bgpd.Speaker
	for _, o := range s.objects.of(topology.KindPort) {
		p, ok := o.(*topology.Port)
		if !ok || p.RouterID == "" || len(peers[p.RouterID]) == 0 || !a.bound(p) {
			continue
		}
		for _, ps := range p.PortSubnets {
			local, err := netip.ParsePrefix(ps)
			if err != nil || !local.Addr().Is4() {
				continue
			}
			sp := bgpd.Speaker{RouterID: p.RouterID, PortID: p.ID, Interface: p.InterfaceName, Local: local}
			for _, peer := range peers[p.RouterID] {
				addr, err := netip.ParseAddr(peer.Address)
				if err != nil || !local.Contains(addr) || addr == local.Addr() {
					continue
				}
				sp.LocalAS = uint32(peer.LocalAS)
				sp.Peers = append(sp.Peers, bgpd.Peer{ID: peer.ID, Address: addr, AS: uint32(peer.AS), Password: peer.Password})
			}
			if len(sp.Peers) == 0 {
				continue
			}
			slices.SortFunc(sp.Peers, func(x, y bgpd.Peer) int { return strings.Compare(x.ID, y.ID) })
			for _, n := range nets[p.RouterID] {
				if n.NextHop != "" && n.NextHop != local.Addr().String() {
					continue // announced through another of the router's ports
				}
				if prefix, err := netip.ParsePrefix(n.Subnet); err == nil {
					sp.Networks = append(sp.Networks, prefix)
				}
			}
			slices.SortFunc(sp.Networks, func(x, y netip.Prefix) int { return strings.Compare(x.String(), y.String()) })
			out = append(out, sp)
			break // one speaker per port: its first subnet with peers
		}
	}
	return out
}

// learnedRoutes turns what a speaker learned into routes of its router through its port.
func learnedRoutes(router, port string, learned []bgpd.Learned) []topology.Route {
	out := make([]topology.Route, 0, len(learned))
	for _, l := range learned {
		out = append(out, topology.Route{
			Meta:     topology.Meta{ID: topology.DerivedID("learned", router, l.Prefix.String(), l.NextHop.String())},
			RouterID: router, SrcSubnet: "0.0.0.0/0", DstSubnet: l.Prefix.String(),
			NextHop: topology.NextHopPort, NextHopPortID: port, NextHopGateway: l.NextHop.String(),
			Weight: learnedWeight, Learned: true,
		})
	}
	return out
}

// post runs f on the agent's loop without waiting for it; it gives up when ctx ends.
func (a *Agent) post(ctx context.Context, f func(*state)) {
	select {
	case a.reqs <- f:
	case <-ctx.Done():
	}
}

func (a *Agent) learnedKey(version int64, id string) string {
	return nsdb.LearnedPrefix(version) + a.o.HostID + "/" + string(topology.KindRoute) + "/" + id
}

// setLearned records a port's learned routes and writes the difference to the NSDB.
func (a *Agent) setLearned(ctx context.Context, s *state, port string, routes []topology.Route) {
	if len(routes) == 0 {
		delete(s.learned, port)
	} else {
		s.learned[port] = routes
	}
	a.writeLearned(ctx, s)
}

// setSessions records a port's session states and writes the difference to the NSDB.
func (a *Agent) setSessions(ctx context.Context, s *state, port string, sts []bgpd.PeerStatus) {
	if len(sts) == 0 {
		delete(s.sessions, port)
	} else {
		s.sessions[port] = sts
	}
	a.writeSessions(ctx, s)
}

func (a *Agent) writeLearned(ctx context.Context, s *state) {
	want := map[string][]byte{}
	for _, routes := range s.learned {
		for i := range routes {
			b, err := json.Marshal(&routes[i])
			if err != nil {
				continue
			}
			want[a.learnedKey(s.version, routes[i].ID)] = b
		}
	}
	s.learnedWritten = a.writeDiff(ctx, s, "learned routes", want, s.learnedWritten)
}

func (a *Agent) writeSessions(ctx context.Context, s *state) {
	want := map[string][]byte{}
	for _, sts := range s.sessions {
		for _, st := range sts {
			b, err := json.Marshal(hosts.BgpStatus{HostID: a.o.HostID, PeerStatus: st})
			if err != nil {
				continue
			}
			want[hosts.BgpStatusKey(st.PeerID)] = b
		}
	}
	s.statusWritten = a.writeDiff(ctx, s, "bgp session status", want, s.statusWritten)
}

// maxTxnOps stays under etcd's default limit of operations in one transaction (128).
const maxTxnOps = 100

// writeDiff makes the NSDB hold want (on the agent's lease) where it held have, and returns
// what it holds now. A failed write keeps the old record, so the next change retries it.
func (a *Agent) writeDiff(ctx context.Context, s *state, what string, want, have map[string][]byte) map[string][]byte {
	var ops []nsdb.Op
	for k, v := range want {
		if old, ok := have[k]; !ok || old == nil || string(old) != string(v) {
			ops = append(ops, nsdb.Op{Key: k, Value: v, Lease: s.lease})
		}
	}
	for k := range have {
		if _, ok := want[k]; !ok {
			ops = append(ops, nsdb.Op{Key: k, Delete: true})
		}
	}
	for len(ops) > 0 {
		n := min(len(ops), maxTxnOps)
		if _, _, err := a.store.Txn(ctx, nil, ops[:n]); err != nil {
			a.o.Log.Warn("agent: write "+what, "err", err)
			return have
		}
		ops = ops[n:]
	}
	return want
}

// adoptBGPState starts a session's BGP bookkeeping: what an earlier session of this host left
// in the NSDB is taken as "there, not ours", so it is rewritten on the new lease or deleted.
func (a *Agent) adoptBGPState(ctx context.Context, s *state) error {
	s.learnedWritten = map[string][]byte{}
	kvs, _, err := a.store.List(ctx, nsdb.LearnedPrefix(s.version)+a.o.HostID+"/")
	if err != nil {
		return err
	}
	for _, kv := range kvs {
		s.learnedWritten[kv.Key] = nil
	}
	s.statusWritten = map[string][]byte{}
	sts, err := hosts.BgpSessions(ctx, a.store)
	if err != nil {
		return err
	}
	for _, st := range sts {
		if st.HostID == a.o.HostID {
			s.statusWritten[hosts.BgpStatusKey(st.PeerID)] = nil
		}
	}
	a.writeLearned(ctx, s)
	a.writeSessions(ctx, s)
	return nil
}
