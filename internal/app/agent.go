package app

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/midonet-go/midonet/internal/agent"
	"github.com/midonet-go/midonet/internal/config"
	"github.com/midonet-go/midonet/internal/datapath"
	"github.com/midonet-go/midonet/internal/fwlog"
	"github.com/midonet-go/midonet/internal/hosts"
	"github.com/midonet-go/midonet/internal/metrics"
	"github.com/midonet-go/midonet/internal/nsdb"
	"github.com/midonet-go/midonet/internal/topology"
)

// HostID returns the host id kept in file (created once, like MidoNet's host id properties).
func HostID(file string) (string, error) {
	if b, err := os.ReadFile(file); err == nil {
		if id := strings.TrimSpace(string(b)); id != "" {
			return id, nil
		}
	}
	id := uuid.NewString()
	if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
		return "", fmt.Errorf("app: host id: %w", err)
	}
	if err := os.WriteFile(file, []byte(id+"\n"), 0o644); err != nil {
		return "", fmt.Errorf("app: host id: %w", err)
	}
	return id, nil
}

// AgentOptions configure `midonet agent`.
type AgentOptions struct {
	Options
	HostName   string // default [DEFAULT] host
	HostIDFile string // default <data-dir>/host_id
}

// NewAgent builds an agent over the NSDB; in serve it shares the server's store.
func NewAgent(cfg *config.Config, store *nsdb.Store, dataDir, hostName, hostIDFile string, log *slog.Logger) (*agent.Agent, error) {
	if hostIDFile == "" {
		hostIDFile = filepath.Join(dataDir, "host_id")
	}
	id, err := HostID(hostIDFile)
	if err != nil {
		return nil, err
	}
	if hostName == "" {
		hostName = cfg.String("DEFAULT", "host")
	}
	o := agent.Options{
		HostID: id, HostName: hostName, Log: log,
		LeaseTTL: time.Duration(cfg.Int(config.GroupMidonet, "host_lease_ttl")) * time.Second,
	}
	switch dp := cfg.String(config.GroupMidonet, "datapath"); dp {
	case "afpacket":
		if proto := cfg.String(config.GroupMidonet, "tunnel_protocol"); proto != "vxlan" {
			return nil, fmt.Errorf("app: [MIDONET] tunnel_protocol = %q: the datapath tunnels with vxlan only", proto)
		}
		o.Datapath = &datapath.Options{Log: log, TunnelPort: cfg.Int(config.GroupMidonet, "tunnel_port")}
		if dir := cfg.String(config.GroupMidonet, "packet_log_dir"); dir != "" {
			o.PacketLog = &fwlog.Options{Dir: dir, MaxBytes: int64(cfg.Int(config.GroupMidonet, "packet_log_max_bytes")),
				Backups: cfg.Int(config.GroupMidonet, "packet_log_backups"), Queue: cfg.Int(config.GroupMidonet, "packet_log_queue")}
		}
	case "none", "":
	default:
		return nil, fmt.Errorf("app: [MIDONET] datapath = %q: want afpacket or none", dp)
	}
	return agent.New(store, o), nil
}

// ConnectNSDB reaches the NSDB without starting one: the external cluster, or the embedded
// store a running serve owns under dataDir.
func ConnectNSDB(ctx context.Context, cfg *config.Config, dataDir string) (*nsdb.Store, error) {
	if eps := cfg.List(config.GroupMidonet, "etcd_endpoints"); len(eps) > 0 {
		return nsdb.Connect(ctx, eps)
	}
	ep, err := nsdb.EndpointFile(filepath.Join(dataDir, "etcd"))
	if err != nil {
		return nil, fmt.Errorf("app: no [MIDONET] etcd_endpoints and no running `midonet serve` under %s: %w", dataDir, err)
	}
	return nsdb.Connect(ctx, []string{ep})
}

// RunAgent runs `midonet agent` until ctx ends.
func RunAgent(ctx context.Context, o AgentOptions) error {
	log := o.Log
	if log == nil {
		log = slog.Default()
	}
	cfg, err := LoadConfig(o.Options)
	if err != nil {
		return err
	}
	store, err := ConnectNSDB(ctx, cfg, o.DataDir)
	if err != nil {
		return err
	}
	defer store.Close()
	a, err := NewAgent(cfg, store, o.DataDir, o.HostName, o.HostIDFile, log)
	if err != nil {
		return err
	}
	log.Info("agent starting", "nsdb", strings.Join(store.Endpoints(), ","))
	return a.Run(ctx)
}

// portStatusFullPass is how often every port's status is compared with the agents'
// activity (which heals an event the watch missed); between those passes each batch of
// activity events reads only the ports it names, so a pass costs what changed, not the
// number of ports.
var portStatusFullPass = 5 * time.Minute

// portStatusLoop keeps Neutron port status in step with the agents' activity: the ports of
// each batch of changes of the active-port keys, and every port at start, every
// portStatusFullPass and whenever the watch had to be restarted.
func (s *Server) portStatusLoop(ctx context.Context) {
	events := s.NSDB.Watch(ctx, hosts.ActivePrefix, 0)
	tick := time.NewTicker(portStatusFullPass)
	defer tick.Stop()
	s.syncPortStatus(ctx, nil)
	s.statusStarted()
	for {
		var keys map[string]bool // nil: every port
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		case ev, ok := <-events:
			if !ok || ev.Compacted {
				events = s.NSDB.Watch(ctx, hosts.ActivePrefix, 0)
				break
			}
			time.Sleep(50 * time.Millisecond) // a burst of events settles first
			keys = map[string]bool{strings.TrimPrefix(ev.Key, hosts.ActivePrefix): true}
		drain:
			for {
				select {
				case ev, ok := <-events:
					if !ok || ev.Compacted {
						events = s.NSDB.Watch(ctx, hosts.ActivePrefix, 0)
						keys = nil
						break drain
					}
					keys[strings.TrimPrefix(ev.Key, hosts.ActivePrefix)] = true
				default:
					break drain
				}
			}
		}
		s.syncPortStatus(ctx, keys)
	}
}

// syncPortStatus brings the status of the ports whose activity keys are keys (nil: of every
// port) to what the agents' activity says. A key is a port's id or, for a port on an uplink
// network, the id of its interface's router port (RouterInterfacePortPeerID, its own
// inverse): both are looked at.
func (s *Server) syncPortStatus(ctx context.Context, keys map[string]bool) {
	var err error
	if keys == nil {
		var act map[string]hosts.Activity
		if act, err = hosts.ActivePorts(ctx, s.NSDB); err != nil {
			return
		}
		active := make(map[string]bool, len(act))
		for p := range act {
			active[p] = true
		}
		_, err = s.portStatus.sync(ctx, active)
	} else {
		active := make(map[string]bool, 2*len(keys))
		ids := make([]string, 0, 2*len(keys))
		for k := range keys {
			for _, id := range []string{k, topology.RouterInterfacePortPeerID(k)} {
				if _, seen := active[id]; seen {
					continue
				}
				kv, gerr := s.NSDB.Get(ctx, hosts.ActiveKey(id))
				if gerr != nil {
					return
				}
				active[id] = kv != nil
				ids = append(ids, id)
			}
		}
		_, err = s.portStatus.syncPorts(ctx, active, ids)
	}
	if err != nil && ctx.Err() == nil {
		s.log.Warn("port status sync failed", "err", err)
	}
}

// followNSDB runs sync now, on every change under prefix in the NSDB (a burst of events
// settles first) and every 30 seconds (events drive it; the slow tick only heals a missed
// one), until ctx ends. started is called once, after the first pass.
func (s *Server) followNSDB(ctx context.Context, prefix string, started, sync func()) {
	events := s.NSDB.Watch(ctx, prefix, 0)
	tick := time.NewTicker(30 * time.Second)
	defer tick.Stop()
	for first := true; ; first = false {
		sync()
		if first {
			started()
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		case _, ok := <-events:
			if !ok {
				events = s.NSDB.Watch(ctx, prefix, 0)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
}

// bgpSessions reads the BGP sessions the agents report, for /metrics.
func bgpSessions(store *nsdb.Store) ([]metrics.BgpSession, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	sts, err := hosts.BgpSessions(ctx, store)
	if err != nil {
		return nil, err
	}
	out := make([]metrics.BgpSession, 0, len(sts))
	for _, st := range sts {
		out = append(out, metrics.BgpSession{PeerID: st.PeerID, RouterID: st.RouterID, HostID: st.HostID, Address: st.Address,
			State: st.State, Received: st.Received, Advertised: st.Advertised})
	}
	return out, nil
}

// datapaths reads the agents' datapath counters, for /metrics.
func datapaths(store *nsdb.Store) ([]metrics.Datapath, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	sts, err := hosts.Datapaths(ctx, store)
	if err != nil {
		return nil, err
	}
	out := make([]metrics.Datapath, 0, len(sts))
	for _, st := range sts {
		dp := metrics.Datapath{HostID: st.HostID, Flows: st.Flows, FlowHits: st.FlowHits, Simulations: st.FlowMisses,
			TunnelIn: st.TunnelIn, TunnelOut: st.TunnelOut, TunnelRefused: st.TunnelRefused}
		for _, i := range st.Interfaces {
			dp.Interfaces = append(dp.Interfaces, metrics.DatapathInterface{PortID: i.PortID, Interface: i.Interface,
				RxPackets: i.RxPackets, RxBytes: i.RxBytes, TxPackets: i.TxPackets, TxBytes: i.TxBytes})
		}
		for _, m := range st.Meters {
			dp.Meters = append(dp.Meters, metrics.DatapathMeter{LabelID: m.LabelID, Packets: m.Packets, Bytes: m.Bytes})
		}
		out = append(out, dp)
	}
	return out, nil
}
