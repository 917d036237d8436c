// Package agent is the MidoNet agent of one host: it registers the host in the NSDB with its
// interfaces and keeps it alive with an etcd lease, keeps a cache of the active topology fed
// by a watch, marks the ports bound to this host active (also on the lease, so they go down
// with the agent), follows its tunnel-zone membership, and answers simulations and traces
// from that cache. One goroutine owns all of this state; everything else talks to it through
// requests (the GoBGP pattern), so there are no locks around the cache.
package agent

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/midonet-go/midonet/internal/agent/bgpd"
	"github.com/midonet-go/midonet/internal/agent/ipsec"
	"github.com/midonet-go/midonet/internal/datapath"
	"github.com/midonet-go/midonet/internal/fwlog"
	"github.com/midonet-go/midonet/internal/hosts"
	"github.com/midonet-go/midonet/internal/nsdb"
	"github.com/midonet-go/midonet/internal/sim"
	"github.com/midonet-go/midonet/internal/topology"
)

// Options configure an agent.
type Options struct {
	HostID   string
	HostName string
	// Interfaces lists the host's interfaces (default: the machine's, from net.Interfaces).
	Interfaces func() []topology.HostInterface
	// LeaseTTL bounds how long the host and its ports stay alive after the agent dies.
	LeaseTTL time.Duration
	// Resync is how often the level-triggered state (host record, active ports) is
	// rewritten even without events, healing after a missed one.
	Resync time.Duration
	// BGP configures the BGP speakers of routers whose ports are bound here (its callbacks
	// and log are the agent's own).
	BGP bgpd.Options
	// IPsec configures the IPsec sites of VPN services whose container port is bound here
	// (run with the datapath only; its callback is the agent's own).
	IPsec ipsec.Options
	// Datapath makes the agent forward the frames of its bound ports (nil: control plane only).
	Datapath *datapath.Options
	// PacketLog writes the firewall and security-group log lines of the datapath's packets
	// (nil: the lines are not written).
	PacketLog *fwlog.Options
	Log       *slog.Logger
}

// Status is what the agent currently believes.
type Status struct {
	HostID      string   `json:"host_id"`
	HostName    string   `json:"host_name"`
	Version     int64    `json:"data_version"`
	Objects     int      `json:"objects"`
	TunnelZone  string   `json:"tunnel_zone,omitempty"` // the zone this host is a member of
	TunnelIP    string   `json:"tunnel_ip,omitempty"`
	ActivePorts []string `json:"active_ports"`
	// BgpSessions are the BGP sessions this agent runs.
	BgpSessions []bgpd.PeerStatus `json:"bgp_sessions"`
}

// Agent is a running agent.
type Agent struct {
	store *nsdb.Store
	o     Options
	reqs  chan func(*state)
	ready chan struct{}
	bgp   *bgpd.Manager      // set while Run runs
	ipsec *ipsec.Manager     // set while Run runs, with the datapath
	dp    *datapath.Datapath // set while Run runs, when Options.Datapath is
}

// state is owned by the agent's loop.
type state struct {
	version int64
	objects cache  // by kind, then id
	gen     uint64 // bumped on every topology change
	lease   int64
	active  map[string]bool // ports this agent marked active
	// portsChanged are the ports whose objects changed since the last plug pass: after a
	// batch of events only these are looked at (plugChanged), not every port.
	portsChanged map[string]bool
	views        map[string]any // derived views keyed by name, reset on change (the simulator's topology)

	// BGP: what the speakers report, by router port, and what of it is in the NSDB (key ->
	// value written under this lease; nil means "there, but not written by this session").
	learned        map[string][]topology.Route
	learnedWritten map[string][]byte
	sessions       map[string][]bgpd.PeerStatus
	statusWritten  map[string][]byte

	// IPsec: the connection states the sites report, by router, and what of it is written.
	ipsecStatus  map[string]map[string]string
	ipsecWritten map[string][]byte

	// hostIDs maps host names to ids (ports are bound by either), for the tunnels.
	hostIDs map[string]string

	// before and after are applyBundle's buffers, reused from one bundle change to the next.
	before, after bundleBuffer
}

// bundleBuffer holds one decoded bundle (nsdb.DecodeBundleInto): its objects' JSON are
// slices of content, so nothing may keep them past the change being applied (putObject
// decodes or drops them).
type bundleBuffer struct {
	objs    []nsdb.BundleObject
	content []byte
}

// maxBundleBuffer bounds the content a bundleBuffer keeps between changes: an owner with
// thousands of objects leaves its buffer to the collector.
const maxBundleBuffer = 1 << 20

func (b *bundleBuffer) decode(value []byte) ([]nsdb.BundleObject, error) {
	objs, content, err := nsdb.DecodeBundleInto(b.objs, b.content, value)
	b.objs, b.content = objs, content
	if cap(content) > maxBundleBuffer {
		b.objs, b.content = nil, nil
	}
	return objs, err
}

// New builds an agent over an NSDB.
func New(store *nsdb.Store, o Options) *Agent {
	if o.LeaseTTL <= 0 {
		o.LeaseTTL = 10 * time.Second
	}
	if o.Resync <= 0 {
		o.Resync = 5 * time.Second
	}
	if o.Interfaces == nil {
		o.Interfaces = LocalInterfaces
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	return &Agent{store: store, o: o, reqs: make(chan func(*state)), ready: make(chan struct{})}
}

// LocalInterfaces reads the machine's network interfaces.
func LocalInterfaces() []topology.HostInterface {
	ifs, err := net.Interfaces()
	if err != nil {
		return nil
	}
	var out []topology.HostInterface
	for _, i := range ifs {
		hi := topology.HostInterface{Name: i.Name, MAC: i.HardwareAddr.String(), MTU: i.MTU, Up: i.Flags&net.FlagUp != 0}
		addrs, _ := i.Addrs()
		for _, a := range addrs {
			if ipn, ok := a.(*net.IPNet); ok {
				hi.Addresses = append(hi.Addresses, ipn.IP.String())
			}
		}
		out = append(out, hi)
	}
	return out
}

// Ready is closed once the host is registered and the topology cache loaded.
func (a *Agent) Ready() <-chan struct{} { return a.ready }

// Do runs f on the agent's loop, with its state, and waits for it.
func (a *Agent) Do(ctx context.Context, f func(st *State)) error {
	done := make(chan struct{})
	select {
	case a.reqs <- func(s *state) { f(&State{s: s, agent: a}); close(done) }:
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// State is the read view handed to Do.
type State struct {
	s     *state
	agent *Agent
}

// Objects returns the cached objects of a kind, sorted by id.
func (st *State) Objects(k topology.Kind) []topology.Object {
	out := make([]topology.Object, 0, st.s.objects.count(k))
	st.s.objects.each(k, func(o topology.Object) { out = append(out, o) })
	sort.Slice(out, func(i, j int) bool { return out[i].Base().ID < out[j].Base().ID })
	return out
}

// All returns every cached object (the objects of the kinds the cache packs are decoded
// for the call: use Find for a few).
func (st *State) All() []topology.Object {
	out := make([]topology.Object, 0, st.s.objects.len())
	st.s.objects.all(func(o topology.Object) { out = append(out, o) })
	return out
}

// Find returns the cached objects whose id is in ids (of any kind, in no particular order),
// decoding only those.
func (st *State) Find(ids map[string]bool) []topology.Object {
	var out []topology.Object
	st.s.objects.find(ids, func(o topology.Object) { out = append(out, o) })
	return out
}

// Generation changes whenever the cached topology does.
func (st *State) Generation() uint64 { return st.s.gen }

// View returns a derived view cached until the topology changes (build makes it).
func (st *State) View(name string, build func() any) any {
	if v, ok := st.s.views[name]; ok {
		return v
	}
	v := build()
	st.s.views[name] = v
	return v
}

// Status returns what the agent believes.
func (a *Agent) Status(ctx context.Context) (Status, error) {
	var out Status
	err := a.Do(ctx, func(st *State) { out = a.status(st.s) })
	return out, err
}

func (a *Agent) status(s *state) Status {
	out := Status{HostID: a.o.HostID, HostName: a.o.HostName, Version: s.version, Objects: s.objects.len(), ActivePorts: []string{}}
	for p := range s.active {
		out.ActivePorts = append(out.ActivePorts, p)
	}
	out.BgpSessions = []bgpd.PeerStatus{}
	for _, sts := range s.sessions {
		out.BgpSessions = append(out.BgpSessions, sts...)
	}
	sort.Slice(out.BgpSessions, func(i, j int) bool { return out.BgpSessions[i].PeerID < out.BgpSessions[j].PeerID })
	sort.Strings(out.ActivePorts)
	s.objects.each(topology.KindTunnelMember, func(o topology.Object) {
		if m, ok := o.(*topology.TunnelZoneMember); ok && m.HostID == a.o.HostID {
			out.TunnelZone, out.TunnelIP = m.ZoneID, m.IP
		}
	})
	return out
}

// Run registers the host and keeps everything current until ctx ends; on the way out the
// lease is revoked so the host and its ports go down at once.
func (a *Agent) Run(ctx context.Context) error {
	s := &state{objects: a.newCache(ctx, 1), active: map[string]bool{}, views: map[string]any{},
		learned: map[string][]topology.Route{}, sessions: map[string][]bgpd.PeerStatus{}, ipsecStatus: map[string]map[string]string{}}
	bo := a.o.BGP
	bo.Log = a.o.Log
	bo.OnLearned = func(router, port string, routes []bgpd.Learned) {
		lr := learnedRoutes(router, port, routes)
		a.post(ctx, func(s *state) { a.setLearned(ctx, s, port, lr) })
	}
	bo.OnStatus = func(port string, sts []bgpd.PeerStatus) {
		a.post(ctx, func(s *state) { a.setSessions(ctx, s, port, sts) })
	}
	a.bgp = bgpd.New(bo)
	// Stopping the speakers withdraws their routes from the peers; the learned routes and
	// session records go with the lease.
	defer a.bgp.Close()
	if a.o.Datapath != nil {
		do := *a.o.Datapath
		if do.Log == nil {
			do.Log = a.o.Log
		}
		if a.o.PacketLog != nil {
			lo := *a.o.PacketLog
			if lo.Log == nil {
				lo.Log = a.o.Log
			}
			pl := fwlog.New(lo)
			defer pl.Close() // after the datapath's Close below: no line is logged after it
			do.PacketLog = pl.Log
		}
		a.dp = datapath.New(do)
		defer a.dp.Close()
		io := a.o.IPsec
		if io.Log == nil {
			io.Log = a.o.Log
		}
		io.OnStatus = func(router string, st map[string]string) {
			a.post(ctx, func(s *state) { a.setIPsecStatus(ctx, s, router, st) })
		}
		a.ipsec = ipsec.New(io)
		// Closing tears the namespaces and daemons down; the status records go with the lease.
		defer a.ipsec.Close()
	}
	for {
		err := a.session(ctx, s)
		if ctx.Err() != nil {
			if s.lease != 0 {
				rctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
				_ = a.store.RevokeLease(rctx, s.lease)
				cancel()
			}
			a.o.Log.Info("agent: stopped; the host's lease is revoked", "host_id", a.o.HostID)
			return nil
		}
		a.o.Log.Warn("agent session ended; starting a new one", "err", err)
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(time.Second):
		}
	}
}

// session runs with one lease until the lease is lost.
func (a *Agent) session(ctx context.Context, s *state) error {
	lease, err := a.store.GrantLease(ctx, a.o.LeaseTTL)
	if err != nil {
		return err
	}
	s.lease = lease
	s.active = map[string]bool{}
	lost, err := a.store.KeepAlive(ctx, lease)
	if err != nil {
		return err
	}
	if err := a.register(ctx, lease); err != nil {
		return err
	}
	a.o.Log.Info("agent: host registered in the NSDB", "host_id", a.o.HostID, "host", a.o.HostName,
		"interfaces", len(a.o.Interfaces()), "lease_ttl", a.o.LeaseTTL)
	version, rev, err := a.load(ctx, s)
	if err != nil {
		return err
	}
	a.plugPorts(ctx, s)
	if err := a.adoptBGPState(ctx, s); err != nil {
		return err
	}
	a.bgp.Sync(a.wantSpeakers(s))
	if err := a.adoptIPsecState(ctx, s); err != nil {
		return err
	}
	a.syncIPsec(s)
	a.refreshHosts(ctx, s)
	a.syncDatapath(s)
	select {
	case <-a.ready:
	default:
		close(a.ready)
	}
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	// The owners' bundles and the objects under their own keys, in one stream: from
	// ".../owned/" to the end of ".../topology/" (".../owners/", between them, is ignored).
	topo := a.store.WatchRange(wctx, nsdb.OwnedPrefix(version), topologyEnd(version), rev+1)
	learned := a.store.Watch(wctx, nsdb.LearnedPrefix(version), rev+1)
	versions := a.store.Watch(wctx, nsdb.ActiveVersionKey, rev+1)
	resync := time.NewTicker(a.o.Resync)
	defer resync.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-lost:
			return errors.New("agent: lease lost")
		case f := <-a.reqs:
			f(s)
		case ev, ok := <-topo:
			if !ok {
				return errors.New("agent: topology watch ended")
			}
			if ev.Compacted {
				return errors.New("agent: topology watch compacted; reloading")
			}
			if err := a.applyEvent(s, version, ev); err != nil {
				return err
			}
			if err := a.drain(s, version, topo); err != nil {
				return err
			}
			a.plugChanged(ctx, s)
			a.bgp.Sync(a.wantSpeakers(s))
			a.syncIPsec(s)
			a.syncDatapath(s)
		case ev, ok := <-learned:
			if !ok || ev.Compacted {
				return errors.New("agent: learned-route watch ended")
			}
			if err := a.applyEvent(s, version, ev); err != nil {
				return err
			}
			if err := a.drain(s, version, learned); err != nil {
				return err
			}
			a.syncDatapath(s)
		case ev, ok := <-versions:
			if !ok || ev.Compacted {
				return errors.New("agent: version watch ended")
			}
			if v, _ := strconv.ParseInt(string(ev.Value), 10, 64); v != version {
				return fmt.Errorf("agent: data version changed to %d; reloading", v)
			}
		case <-resync.C:
			if err := a.register(ctx, lease); err != nil {
				return err
			}
			a.plugPorts(ctx, s)
			a.refreshHosts(ctx, s)
			a.syncDatapath(s) // picks up an interface or a host that appeared since
			a.writeDatapathStats(ctx, s)
		}
	}
}

// drain applies the events already queued, so a burst of changes costs one port pass.
func (a *Agent) drain(s *state, version int64, ch <-chan nsdb.Event) error {
	for {
		select {
		case ev, ok := <-ch:
			if !ok || ev.Compacted {
				return nil
			}
			if err := a.applyEvent(s, version, ev); err != nil {
				return err
			}
		default:
			return nil
		}
	}
}

func (a *Agent) register(ctx context.Context, lease int64) error {
	h := topology.Host{Meta: topology.Meta{ID: a.o.HostID}, Name: a.o.HostName, Interfaces: a.o.Interfaces()}
	b, err := json.Marshal(&h)
	if err != nil {
		return err
	}
	_, _, err = a.store.Txn(ctx, nil, []nsdb.Op{
		{Key: hosts.HostKey(a.o.HostID), Value: b},
		{Key: hosts.AliveKey(a.o.HostID), Value: []byte(time.Now().UTC().Format(time.RFC3339)), Lease: lease},
	})
	if err != nil {
		return fmt.Errorf("agent: register host: %w", err)
	}
	return nil
}

// load reads the active version's topology.
func (a *Agent) load(ctx context.Context, s *state) (int64, int64, error) {
	v := int64(1)
	if kv, err := a.store.Get(ctx, nsdb.ActiveVersionKey); err != nil {
		return 0, 0, err
	} else if kv != nil {
		v, _ = strconv.ParseInt(string(kv.Value), 10, 64)
	}
	// A page at a time: the listing of a large deployment (twenty objects a VM port) is
	// never held whole beside the cache. The owners' bundles first, then, at the same
	// revision, the objects under their own keys.
	var rev int64
	for attempt := 0; ; attempt++ {
		var err error
		rev, err = a.store.Each(ctx, nsdb.OwnedPrefix(v), func() { s.objects = a.newCache(ctx, v) }, func(kv nsdb.KV) {
			a.putBundle(s, strings.TrimPrefix(kv.Key, nsdb.OwnedPrefix(v)), kv.Value)
		})
		if err != nil {
			return 0, 0, err
		}
		prefix := nsdb.DataPrefix(v) + "topology/"
		err = a.store.EachAt(ctx, prefix, rev, func(kv nsdb.KV) {
			a.put(s, strings.TrimPrefix(kv.Key, prefix), kv.Value)
		})
		if err == nil {
			break
		}
		if !nsdb.IsCompacted(err) || attempt >= 3 {
			return 0, 0, err
		}
	}
	s.objects.rev = rev
	// Learned routes are read after the topology: their watch starts at the topology's
	// revision too, and replaying events the listing already holds ends in the same state.
	lkvs, _, err := a.store.List(ctx, nsdb.LearnedPrefix(v))
	if err != nil {
		return 0, 0, err
	}
	for _, kv := range lkvs {
		a.put(s, cacheKey(v, kv.Key), kv.Value)
	}
	s.version = v
	s.gen++
	s.views = map[string]any{}
	return v, rev, nil
}

func (a *Agent) put(s *state, key string, value []byte) {
	kind, id, ok := splitKey(key)
	if !ok {
		return
	}
	a.putObject(s, kind, id, "", value)
}

// putObject puts an object into the cache from its JSON; owner is the owner whose bundle
// holds it ("" for an object under its own key). An object of a kept kind that does not
// decode is left out. An object of a lazy kind is not decoded here: the cache keeps its id
// alone and decodes it when it is asked for (a VM port's objects, which the agent decoded on
// every change only to drop them); a value that is not even a JSON object is left out, one
// that does not decode reads as absent. A port bound to this host is kept decoded as well
// (boundHere): the agent's passes read it.
func (a *Agent) putObject(s *state, kind topology.Kind, id, owner string, value []byte) {
	if s.objects.lazy[kind] {
		if v := bytes.TrimLeft(value, " \t\r\n"); len(v) > 0 && v[0] == '{' {
			s.objects.hold(kind, id, owner)
			if kind == topology.KindPort {
				s.objects.keep(kind, id, a.boundHere(value))
			}
		}
		return
	}
	o, err := topology.Decode(kind, value)
	if err != nil {
		return
	}
	objectStrings.Pack(o)
	s.objects.setAs(kind, id, o)
}

// putBundle puts every object of an owner's bundle into the cache (an undecodable bundle
// gives nothing, as an undecodable object does).
func (a *Agent) putBundle(s *state, owner string, value []byte) {
	bos, err := nsdb.DecodeBundle(value)
	if err != nil {
		a.o.Log.Warn("agent: undecodable bundle", "owner", owner, "err", err)
		return
	}
	for _, bo := range bos {
		a.putObject(s, bo.Kind, bo.ID, owner, bo.JSON)
	}
}

// topologyEnd is the end of the key range the agent watches: just past ".../topology/".
func topologyEnd(version int64) string {
	return nsdb.PrefixEnd(nsdb.DataPrefix(version) + "topology/")
}

// newCache returns an empty cache for the agent: one that reads the objects of lazy kinds
// from the data version's topology in the NSDB when asked, or, for an agent with a datapath,
// one that keeps everything.
func (a *Agent) newCache(ctx context.Context, version int64) cache {
	if a.o.Datapath != nil || a.store == nil {
		return newCache(nil)
	}
	return newCache(&nsdbSource{ctx: ctx, store: a.store, version: version, prefix: nsdb.DataPrefix(version) + "topology/", log: a.o.Log})
}

// nsdbSource reads topology objects of one data version from the NSDB at a revision. A
// revision compacted away (the cache unchanged for longer than the NSDB keeps history) is
// read at the current one instead: the topology then is what the cache holds, unless events
// are still on their way to it. A read that fails otherwise is logged and gives nothing.
type nsdbSource struct {
	ctx     context.Context
	store   *nsdb.Store
	version int64
	prefix  string // the version's ".../topology/"
	log     *slog.Logger
}

// each reads the objects of a kind: those in the owners' bundles (every bundle is read and
// decoded: a simulation's or a tool's pass, not a hot path) and those under their own keys.
func (n *nsdbSource) each(kind topology.Kind, rev int64, begin func(), f func(value []byte)) {
	prefix := n.prefix + string(kind) + "/"
	for {
		begin()
		err := n.store.EachAt(n.ctx, nsdb.OwnedPrefix(n.version), rev, func(kv nsdb.KV) {
			bos, err := nsdb.DecodeBundle(kv.Value)
			if err != nil {
				return
			}
			for _, bo := range bos {
				if bo.Kind == kind {
					f(bo.JSON)
				}
			}
		})
		if err == nil {
			err = n.store.EachAt(n.ctx, prefix, rev, func(kv nsdb.KV) { f(kv.Value) })
		}
		if err == nil {
			return
		}
		if rev != 0 && nsdb.IsCompacted(err) {
			rev = 0
			continue
		}
		n.log.Warn("agent: read topology objects", "kind", kind, "err", err)
		return
	}
}

func (n *nsdbSource) get(kind topology.Kind, id, owner string, rev int64) []byte {
	key := n.prefix + string(kind) + "/" + id
	if owner != "" {
		key = nsdb.OwnedKey(n.version, owner)
	}
	kv, err := n.store.GetAt(n.ctx, key, rev)
	if err != nil && rev != 0 && nsdb.IsCompacted(err) {
		kv, err = n.store.GetAt(n.ctx, key, 0)
	}
	if err != nil {
		n.log.Warn("agent: read a topology object", "key", key, "err", err)
		return nil
	}
	if kv == nil {
		return nil
	}
	if owner == "" {
		return kv.Value
	}
	bos, err := nsdb.DecodeBundle(kv.Value)
	if err != nil {
		n.log.Warn("agent: read a topology object", "key", key, "err", err)
		return nil
	}
	for _, bo := range bos {
		if bo.Kind == kind && bo.ID == id {
			return bo.JSON
		}
	}
	return nil
}

// cacheKey is the cache's "<Kind>/<id>" of an NSDB key: a translated object's, or a learned
// route's (".../learned/<host>/Route/<id>").
func cacheKey(version int64, key string) string {
	if rest, ok := strings.CutPrefix(key, nsdb.LearnedPrefix(version)); ok {
		_, k, _ := strings.Cut(rest, "/")
		return k
	}
	return strings.TrimPrefix(key, nsdb.DataPrefix(version)+"topology/")
}

// applyEvent applies one watch event to the cache: an object's put or delete, or a change
// of an owner's bundle, which becomes the puts and deletes of the objects that changed in it
// (the bundle before, the event's PrevValue, against the bundle after) — the cache, and the
// ports marked changed, are as if each object had its own key. An event that lacks the
// bundle before it (etcd no longer had it) is an error: the session starts over.
func (a *Agent) applyEvent(s *state, version int64, ev nsdb.Event) error {
	if owner, ok := strings.CutPrefix(ev.Key, nsdb.OwnedPrefix(version)); ok {
		if err := a.applyBundle(s, owner, ev); err != nil {
			return err
		}
	} else if strings.HasPrefix(ev.Key, nsdb.DataPrefix(version)+"owners/") {
		return nil // an owners' index older versions wrote: not topology
	} else {
		key := cacheKey(version, ev.Key)
		if kind, id, ok := splitKey(key); ok && kind == topology.KindPort {
			s.markPort(id)
		}
		if ev.Deleted {
			if kind, id, ok := splitKey(key); ok {
				s.objects.del(kind, id)
			}
		} else {
			a.put(s, key, ev.Value)
		}
	}
	if ev.Revision > s.objects.rev && !strings.HasPrefix(ev.Key, nsdb.LearnedPrefix(version)) {
		s.objects.rev = ev.Revision
	}
	s.gen++
	s.views = map[string]any{}
	return nil
}

// applyBundle applies the change of an owner's bundle.
func (a *Agent) applyBundle(s *state, owner string, ev nsdb.Event) error {
	var before, after []nsdb.BundleObject
	if ev.PrevValue == nil && (ev.Deleted || ev.Version > 1) {
		return fmt.Errorf("agent: the bundle of %s before revision %d is gone; reloading", owner, ev.Revision)
	}
	if ev.PrevValue != nil {
		var err error
		if before, err = s.before.decode(ev.PrevValue); err != nil {
			before = nil // it gave nothing when it came in either
		}
	}
	if !ev.Deleted {
		var err error
		if after, err = s.after.decode(ev.Value); err != nil {
			a.o.Log.Warn("agent: undecodable bundle", "owner", owner, "err", err)
			after = nil
		}
	}
	// Both are sorted by kind and id: one merge pass.
	i, j := 0, 0
	for i < len(before) || j < len(after) {
		var c int
		switch {
		case i == len(before):
			c = 1
		case j == len(after):
			c = -1
		default:
			c = strings.Compare(string(before[i].Kind), string(after[j].Kind))
			if c == 0 {
				c = strings.Compare(before[i].ID, after[j].ID)
			}
		}
		switch {
		case c < 0: // gone
			if before[i].Kind == topology.KindPort {
				s.markPort(before[i].ID)
			}
			s.objects.del(before[i].Kind, before[i].ID)
			i++
		case c > 0: // new
			if after[j].Kind == topology.KindPort {
				s.markPort(after[j].ID)
			}
			a.putObject(s, after[j].Kind, after[j].ID, owner, after[j].JSON)
			j++
		default:
			// Unchanged, unless the cache lost it meanwhile (the same object under its own
			// key too, deleted since: a store converted from the layout before bundles).
			if !bytes.Equal(before[i].JSON, after[j].JSON) || !s.objects.heldIn(after[j].Kind, after[j].ID, owner) {
				if after[j].Kind == topology.KindPort {
					s.markPort(after[j].ID)
				}
				a.putObject(s, after[j].Kind, after[j].ID, owner, after[j].JSON)
			}
			i++
			j++
		}
	}
	return nil
}

// markPort records that a port's object changed, for plugChanged.
func (s *state) markPort(id string) {
	if s.portsChanged == nil {
		s.portsChanged = map[string]bool{}
	}
	s.portsChanged[id] = true
}

// boundHere decodes a port's JSON when the port is bound to this host, else returns nil. A
// port without an interface name is bound nowhere: it is not decoded.
func (a *Agent) boundHere(value []byte) topology.Object {
	if !bytes.Contains(value, []byte(`"interface_name"`)) {
		return nil
	}
	o, err := topology.Decode(topology.KindPort, value)
	if err != nil {
		return nil
	}
	if p := o.(*topology.Port); !a.bound(p) {
		return nil
	}
	objectStrings.Pack(o)
	return o
}

// bound reports whether a port is bound to this host.
func (a *Agent) bound(p *topology.Port) bool {
	return p.HostID != "" && p.InterfaceName != "" && (p.HostID == a.o.HostID || p.HostID == a.o.HostName)
}

// plugPorts marks this host's bound ports active (on the lease) and unmarks the rest. It is
// level-triggered: it compares the wanted set with the NSDB's, not with the last event. It
// reads every port and every activity, so it runs at the start of a session and at each
// resync; after events, plugChanged looks at the ports that changed.
func (a *Agent) plugPorts(ctx context.Context, s *state) {
	s.portsChanged = nil
	want := map[string]bool{}
	for _, o := range s.objects.of(topology.KindPort) { // the decoded ports: all those bound here
		if p, ok := o.(*topology.Port); ok && a.bound(p) {
			want[p.ID] = true
		}
	}
	have, err := hosts.ActivePorts(ctx, a.store)
	if err != nil {
		a.o.Log.Warn("agent: read active ports", "err", err)
		return
	}
	val, _ := json.Marshal(hosts.Activity{HostID: a.o.HostID})
	var ops []nsdb.Op
	for p := range want {
		if act, ok := have[p]; !ok || act.HostID != a.o.HostID {
			ops = append(ops, nsdb.Op{Key: hosts.ActiveKey(p), Value: val, Lease: s.lease})
		}
	}
	for p, act := range have {
		if act.HostID == a.o.HostID && !want[p] {
			ops = append(ops, nsdb.Op{Key: hosts.ActiveKey(p), Delete: true})
		}
	}
	if len(ops) > 0 {
		if _, _, err := a.store.Txn(ctx, nil, ops); err != nil {
			a.o.Log.Warn("agent: mark ports active", "err", err)
			return
		}
	}
	s.active = want
}

// plugChanged is plugPorts for the ports whose objects changed since the last pass: each is
// marked active if it is now bound here and was not, unmarked if it was and no longer is.
// Its cost follows the batch of events, not the size of the topology; what changed behind
// the agent's back (an activity deleted by hand) waits for the next resync's plugPorts.
func (a *Agent) plugChanged(ctx context.Context, s *state) {
	changed := s.portsChanged
	s.portsChanged = nil
	if len(changed) == 0 {
		return
	}
	val, _ := json.Marshal(hosts.Activity{HostID: a.o.HostID})
	var ops []nsdb.Op
	want := map[string]bool{}
	for id := range changed {
		p, ok := s.objects.decoded(topology.KindPort, id).(*topology.Port)
		bound := ok && a.bound(p)
		want[id] = bound
		switch {
		case bound && !s.active[id]:
			ops = append(ops, nsdb.Op{Key: hosts.ActiveKey(id), Value: val, Lease: s.lease})
		case !bound && s.active[id]:
			ops = append(ops, nsdb.Op{Key: hosts.ActiveKey(id), Delete: true})
		}
	}
	if len(ops) > 0 {
		if _, _, err := a.store.Txn(ctx, nil, ops); err != nil {
			a.o.Log.Warn("agent: mark ports active", "err", err)
			return // the next resync's plugPorts compares everything again
		}
	}
	for id, bound := range want {
		if bound {
			s.active[id] = true
		} else {
			delete(s.active, id)
		}
	}
}

// syncDatapath hands the datapath the current topology, the interfaces of the ports bound
// here, and where the tunnel zone's other hosts and their ports are.
func (a *Agent) syncDatapath(s *state) {
	if a.dp == nil {
		return
	}
	bound := map[string]string{}
	t := datapath.Tunnels{Members: map[netip.Addr]bool{}, Remote: map[string]netip.Addr{}}
	memberIP := map[string]netip.Addr{} // host id -> tunnel address
	var elsewhere []*topology.Port
	for _, o := range kindsOf(&s.objects, topology.KindPort, topology.KindTunnelMember) {
		switch v := o.(type) {
		case *topology.Port:
			if a.bound(v) {
				bound[v.ID] = v.InterfaceName
			} else if v.HostID != "" && v.InterfaceName != "" {
				elsewhere = append(elsewhere, v)
			}
		case *topology.TunnelZoneMember:
			if ip, err := netip.ParseAddr(v.IP); err == nil && ip.Is4() {
				memberIP[v.HostID] = ip
				t.Members[ip] = true
				if v.HostID == a.o.HostID {
					t.Local = ip
				}
			}
		}
	}
	for _, p := range elsewhere {
		id := p.HostID
		if byName, ok := s.hostIDs[id]; ok {
			id = byName
		}
		if ip, ok := memberIP[id]; ok {
			t.Remote[p.ID] = ip
		}
	}
	if len(bound) > 0 {
		st := &State{s: s, agent: a}
		a.dp.SetTopology(st.View("sim", func() any { return sim.NewTopology(st.All()) }).(*sim.Topology))
	}
	a.dp.Sync(bound)
	a.dp.SetTunnels(t)
}

// refreshHosts reloads the host names and ids (hosts join rarely: the resync is soon enough).
func (a *Agent) refreshHosts(ctx context.Context, s *state) {
	if a.dp == nil {
		return
	}
	infos, err := hosts.List(ctx, a.store)
	if err != nil {
		a.o.Log.Warn("agent: list hosts", "err", err)
		return
	}
	s.hostIDs = make(map[string]string, len(infos))
	for _, h := range infos {
		if h.Host.Name != "" {
			s.hostIDs[h.Host.Name] = h.Host.ID
		}
	}
}

// writeDatapathStats publishes the datapath's counters for the server's /metrics.
func (a *Agent) writeDatapathStats(ctx context.Context, s *state) {
	if a.dp == nil {
		return
	}
	b, err := json.Marshal(hosts.DatapathStats{HostID: a.o.HostID, Stats: a.dp.Stats()})
	if err != nil {
		return
	}
	if _, _, err := a.store.Txn(ctx, nil, []nsdb.Op{{Key: hosts.DatapathKey(a.o.HostID), Value: b, Lease: s.lease}}); err != nil {
		a.o.Log.Warn("agent: write datapath counters", "err", err)
	}
}
