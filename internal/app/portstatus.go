package app

import (
	"context"

	"github.com/midonet-go/midonet/internal/db"
	"github.com/midonet-go/midonet/internal/plugin"
	"github.com/midonet-go/midonet/internal/plugin/core"
	"github.com/midonet-go/midonet/internal/topology"
)

// portStatus keeps ports' status: the agents' activity, written through the API's write
// path (read-only mode, the journal and the backend apply as for any request).
type portStatus struct {
	api  writer
	core *core.Plugin
	// changed, when set, hears of each status written (the port as written, the status it
	// had): the Nova notifier.
	changed func(port db.Doc, previous string)
}

// writer is the API's write path.
type writer interface {
	Write(ctx context.Context, fn func(*db.Tx) error) error
	Writable(ctx context.Context) bool
	DBHandle() *db.DB
}

// sync brings each bound port's status to what the agents report: ACTIVE when an
// alive agent has plugged it, DOWN otherwise. It is level-triggered (it compares every bound
// port with the current activity), so a missed event heals at the next pass. It returns how
// many ports changed.
func (s *portStatus) sync(ctx context.Context, active map[string]bool) (int, error) {
	var ports []db.Doc
	if err := s.api.DBHandle().Read(ctx, func(tx *db.Tx) error {
		var err error
		ports, err = tx.List(ctx, "ports", db.Filter{})
		return err
	}); err != nil {
		return 0, err
	}
	caller := &plugin.Caller{IsAdmin: true, RequestID: "port-status"}
	changed := 0
	for _, p := range ports {
		want := "DOWN"
		id := plugin.Str(p, "id")
		// A port on an uplink network is plugged as the router port of its interface.
		if plugin.Str(p, "binding:host_id") != "" && (active[id] || active[topology.RouterInterfacePortPeerID(id)]) {
			want = "ACTIVE"
		}
		if plugin.Str(p, "status") == want || (want == "DOWN" && plugin.Str(p, "binding:host_id") == "" && plugin.Str(p, "status") != "ACTIVE") {
			continue
		}
		if !s.api.Writable(ctx) {
			return changed, nil // read-only mode: leave statuses until writes are allowed
		}
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
			return changed, err
		}
		if s.changed != nil && written != nil && previous != want {
			s.changed(written, previous)
		}
		changed++
	}
	return changed, nil
}
