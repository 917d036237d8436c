package app

import (
	"context"
	"fmt"
	"strings"

	"github.com/midonet-go/midonet/internal/db"
	"github.com/midonet-go/midonet/internal/model"
	"github.com/midonet-go/midonet/internal/plugin"
	"github.com/midonet-go/midonet/internal/plugin/core"
	"github.com/midonet-go/midonet/internal/topology"
)

// Port statuses.
const (
	statusActive = "ACTIVE"
	statusDown   = "DOWN"
)

// portStatus keeps ports' status: the agents' activity, written through the API's write
// path (read-only mode, the journal and the backend apply as for any request).
type portStatus struct {
	api  writer
	core *core.Plugin
	// changed, when set, hears of each status written (the port as written, the status it
	// had): the Nova notifier.
	changed func(port db.Doc, previous string)
	// applied, when set, reports whether the cluster has applied a port (its copy is in the
	// NSDB). Router ports that no host binds are ACTIVE once it has: MidoNet routers are
	// distributed, there is no L3 agent whose report to wait for.
	applied func(ctx context.Context, id string) bool
}

// writer is the API's write path.
type writer interface {
	Write(ctx context.Context, fn func(*db.Tx) error) error
	Writable(ctx context.Context) bool
	DBHandle() *db.DB
}

// sync brings each port's status to what it should be: a bound port is ACTIVE when an alive
// agent has plugged it and DOWN otherwise; an unbound router port is ACTIVE once the cluster
// has applied it. It is level-triggered (it compares every port with the current activity),
// so a missed event heals at the next pass. It returns how many ports changed.
//
// It reads the stored bodies (db.Tx.EachBody) and decodes only the four attributes want
// looks at (statusOf, db.DecodeAttrs): every port decoded whole would allocate several kilobytes each and
// fill the decoded-document cache with ports the API's pages then miss.
func (s *portStatus) sync(ctx context.Context, active map[string]bool) (int, error) {
	var ports []db.Doc
	if err := s.api.DBHandle().Read(ctx, func(tx *db.Tx) error {
		ports = ports[:0]
		return tx.EachBody(ctx, "ports", func(id string, body []byte) error {
			p, err := statusOf(body)
			if err != nil {
				return fmt.Errorf("port status: decode port %s: %w", id, err)
			}
			ports = append(ports, p)
			return nil
		})
	}); err != nil {
		return 0, err
	}
	return s.setWanted(ctx, ports, active)
}

// statusOf decodes the attributes of a stored port that want reads, as a document with those
// only (absent ones absent).
func statusOf(body []byte) (db.Doc, error) {
	return db.DecodeAttrs(body, "id", "binding:host_id", "status", "device_owner")
}

// setWanted writes the status each of ports should have where it differs, and returns how
// many it wrote.
func (s *portStatus) setWanted(ctx context.Context, ports []db.Doc, active map[string]bool) (int, error) {
	changed := 0
	for _, p := range ports {
		want, ok := s.want(ctx, p, active)
		if !ok {
			continue
		}
		if !s.api.Writable(ctx) {
			return changed, nil // read-only mode: leave statuses until writes are allowed
		}
		if err := s.set(ctx, plugin.Str(p, "id"), want); err != nil {
			return changed, err
		}
		changed++
	}
	return changed, nil
}

// syncPorts is sync for the ports of ids only (those missing from the database are
// skipped): the pass that follows a batch of activity events.
func (s *portStatus) syncPorts(ctx context.Context, active map[string]bool, ids []string) (int, error) {
	var ports []db.Doc
	if err := s.api.DBHandle().Read(ctx, func(tx *db.Tx) error {
		ports = ports[:0]
		for _, id := range ids {
			p, err := tx.Get(ctx, "ports", id)
			if err != nil {
				return err
			}
			if p != nil {
				ports = append(ports, p)
			}
		}
		return nil
	}); err != nil {
		return 0, err
	}
	return s.setWanted(ctx, ports, active)
}

// want is the status a port should have, and whether that differs from what it has.
func (s *portStatus) want(ctx context.Context, p db.Doc, active map[string]bool) (string, bool) {
	id, host, status := plugin.Str(p, "id"), plugin.Str(p, "binding:host_id"), plugin.Str(p, "status")
	if host == "" && routerOwned(plugin.Str(p, "device_owner")) {
		if status == statusActive || s.applied == nil || !s.applied(ctx, id) {
			return "", false
		}
		return statusActive, true
	}
	want := statusDown
	// A port on an uplink network is plugged as the router port of its interface.
	if host != "" && (active[id] || active[topology.RouterInterfacePortPeerID(id)]) {
		want = statusActive
	}
	if status == want || (want == statusDown && host == "" && status != statusActive) {
		return "", false
	}
	return want, true
}

// routerOwned reports a port a router made (interface, gateway).
func routerOwned(deviceOwner string) bool {
	return strings.HasPrefix(deviceOwner, model.OwnerRouterPrefix)
}

// set writes one port's status (nothing when the port is gone or already has it) and tells
// the listener.
func (s *portStatus) set(ctx context.Context, id, want string) error {
	caller := &plugin.Caller{IsAdmin: true, RequestID: "port-status"}
	var written db.Doc
	var previous string
	err := s.api.Write(ctx, func(tx *db.Tx) error {
		cur, err := tx.Get(ctx, "ports", id)
		if err != nil || cur == nil {
			return err
		}
		previous = plugin.Str(cur, "status")
		if err := s.core.SetStatus(ctx, tx, caller, cur, want); err != nil {
			return err
		}
		written = cur
		return nil
	})
	if err != nil {
		return err
	}
	if s.changed != nil && written != nil && previous != want {
		s.changed(written, previous)
	}
	return nil
}
