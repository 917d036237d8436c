// Package hosts is the NSDB record of the machines that run agents: the Host object, its
// liveness (a key bound to the agent's etcd lease, so it vanishes when the agent dies) and
// the ports an agent has plugged (also lease-bound). The API reads it for the agents API,
// agent membership and port status; agents write it.
package hosts

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/midonet-go/midonet/internal/agent/bgpd"
	"github.com/midonet-go/midonet/internal/datapath"
	"github.com/midonet-go/midonet/internal/nsdb"
	"github.com/midonet-go/midonet/internal/topology"
)

// Key prefixes. Hosts live outside data versions: they are machines, not Neutron data.
const (
	HostPrefix   = "/midonet/hosts/"
	AlivePrefix  = "/midonet/host_alive/"
	ActivePrefix = "/midonet/port_active/"
	// DatapathPrefix holds each agent's datapath counters (lease-bound), one key per host.
	DatapathPrefix = "/midonet/datapath/"
	// BgpStatusPrefix holds the state of each BGP session, written by the agent running it
	// (lease-bound): one key per BGP peer.
	BgpStatusPrefix = "/midonet/bgp_status/"
	// IPsecStatusPrefix holds the state of each IPsec site connection, written by the agent
	// running its tunnel (lease-bound): one key per connection.
	IPsecStatusPrefix = "/midonet/ipsec_status/"
)

// IPsecStatusKey names the status of one IPsec site connection.
func IPsecStatusKey(conn string) string { return IPsecStatusPrefix + conn }

// IPsecStatus is a site connection's state (ACTIVE or DOWN) as the agent running it (HostID)
// last saw it.
type IPsecStatus struct {
	HostID       string `json:"host_id"`
	ConnectionID string `json:"connection_id"`
	RouterID     string `json:"router_id"`
	Status       string `json:"status"`
}

// IPsecConnections lists the site connections the agents report.
func IPsecConnections(ctx context.Context, s *nsdb.Store) ([]IPsecStatus, error) {
	return listJSON[IPsecStatus](ctx, s, IPsecStatusPrefix, "ipsec connections")
}

// HostKey, AliveKey and ActiveKey name one host's record, its liveness and one active port.
func HostKey(id string) string     { return HostPrefix + id }
func AliveKey(id string) string    { return AlivePrefix + id }
func ActiveKey(port string) string { return ActivePrefix + port }

// DatapathKey names one host's datapath counters.
func DatapathKey(host string) string { return DatapathPrefix + host }

// DatapathStats are a host's datapath counters as its agent last wrote them.
type DatapathStats struct {
	HostID string `json:"host_id"`
	datapath.Stats
}

// Datapaths lists the datapath counters the agents report.
func Datapaths(ctx context.Context, s *nsdb.Store) ([]DatapathStats, error) {
	return listJSON[DatapathStats](ctx, s, DatapathPrefix, "datapaths")
}

// listJSON decodes every record under prefix (records that do not decode are skipped).
func listJSON[T any](ctx context.Context, s *nsdb.Store, prefix, what string) ([]T, error) {
	kvs, _, err := s.List(ctx, prefix)
	if err != nil {
		return nil, fmt.Errorf("hosts: %s: %w", what, err)
	}
	out := make([]T, 0, len(kvs))
	for _, kv := range kvs {
		var v T
		if json.Unmarshal(kv.Value, &v) == nil {
			out = append(out, v)
		}
	}
	return out, nil
}

// BgpStatusKey names the status of one BGP peer's session.
func BgpStatusKey(peer string) string { return BgpStatusPrefix + peer }

// BgpStatus is a BGP session as the agent running it (HostID) last saw it.
type BgpStatus struct {
	HostID string `json:"host_id"`
	bgpd.PeerStatus
}

// BgpSessions lists the BGP sessions the agents report.
func BgpSessions(ctx context.Context, s *nsdb.Store) ([]BgpStatus, error) {
	return listJSON[BgpStatus](ctx, s, BgpStatusPrefix, "bgp sessions")
}

// Info is a host as the API shows it.
type Info struct {
	Host  topology.Host
	Alive bool
}

// List returns every registered host with its liveness.
func List(ctx context.Context, s *nsdb.Store) ([]Info, error) {
	kvs, _, err := s.List(ctx, HostPrefix)
	if err != nil {
		return nil, fmt.Errorf("hosts: list: %w", err)
	}
	alive, _, err := s.List(ctx, AlivePrefix)
	if err != nil {
		return nil, fmt.Errorf("hosts: liveness: %w", err)
	}
	up := map[string]bool{}
	for _, kv := range alive {
		up[strings.TrimPrefix(kv.Key, AlivePrefix)] = true
	}
	var out []Info
	for _, kv := range kvs {
		var h topology.Host
		if err := json.Unmarshal(kv.Value, &h); err != nil {
			continue
		}
		out = append(out, Info{Host: h, Alive: up[h.ID]})
	}
	return out, nil
}

// Get returns one host (nil when unknown).
func Get(ctx context.Context, s *nsdb.Store, id string) (*Info, error) {
	kv, err := s.Get(ctx, HostKey(id))
	if err != nil || kv == nil {
		return nil, err
	}
	var h topology.Host
	if err := json.Unmarshal(kv.Value, &h); err != nil {
		return nil, fmt.Errorf("hosts: decode %s: %w", id, err)
	}
	a, err := s.Get(ctx, AliveKey(id))
	if err != nil {
		return nil, err
	}
	return &Info{Host: h, Alive: a != nil}, nil
}

// Activity is the value of an active-port key.
type Activity struct {
	HostID string `json:"host_id"`
}

// ActivePorts returns the ports agents have plugged, by port id.
func ActivePorts(ctx context.Context, s *nsdb.Store) (map[string]Activity, error) {
	kvs, _, err := s.List(ctx, ActivePrefix)
	if err != nil {
		return nil, fmt.Errorf("hosts: active ports: %w", err)
	}
	out := make(map[string]Activity, len(kvs))
	for _, kv := range kvs {
		var a Activity
		_ = json.Unmarshal(kv.Value, &a)
		out[strings.TrimPrefix(kv.Key, ActivePrefix)] = a
	}
	return out, nil
}
