package app

import (
	"context"

	"github.com/midonet-go/midonet/internal/db"
	"github.com/midonet-go/midonet/internal/hosts"
	"github.com/midonet-go/midonet/internal/plugin"
	"github.com/midonet-go/midonet/internal/plugin/vpnaas"
)

// syncIPsecStatus brings each IPsec site connection's status to what the agent running its
// tunnel reports: ACTIVE while its IKE SA and a child SA are up (and the connection is
// enabled), DOWN otherwise, including when no agent runs it. Level-triggered, as port status.
func (s *Server) syncIPsecStatus(ctx context.Context, reported map[string]string) (int, error) {
	var conns []db.Doc
	if err := s.API.DBHandle().Read(ctx, func(tx *db.Tx) error {
		var err error
		conns, err = tx.List(ctx, vpnaas.Connections.Collection, db.Filter{})
		return err
	}); err != nil {
		return 0, err
	}
	caller := &plugin.Caller{IsAdmin: true, RequestID: "ipsec-status"}
	changed := 0
	for _, c := range conns {
		id := plugin.Str(c, "id")
		want := vpnaas.StatusDown
		if reported[id] == vpnaas.StatusActive && plugin.Bool(c, "admin_state_up") {
			want = vpnaas.StatusActive
		}
		if plugin.Str(c, "status") == want {
			continue
		}
		if !s.API.Writable(ctx) {
			return changed, nil
		}
		err := s.API.Write(ctx, func(tx *db.Tx) error {
			cur, err := tx.Get(ctx, vpnaas.Connections.Collection, id)
			if err != nil || cur == nil || plugin.Str(cur, "status") == want {
				return err
			}
			cur["status"] = want
			return plugin.SaveAsIs(ctx, tx, caller, vpnaas.Connections.Collection, cur)
		})
		if err != nil {
			return changed, err
		}
		changed++
	}
	return changed, nil
}

// ipsecStatusLoop keeps the connections' status in step with the agents' reports: on every
// change of the status keys, and every few seconds regardless.
func (s *Server) ipsecStatusLoop(ctx context.Context) {
	s.followNSDB(ctx, hosts.IPsecStatusPrefix, s.statusStarted, func() {
		sts, err := hosts.IPsecConnections(ctx, s.NSDB)
		if err != nil {
			return
		}
		reported := make(map[string]string, len(sts))
		for _, st := range sts {
			reported[st.ConnectionID] = st.Status
		}
		if _, err := s.syncIPsecStatus(ctx, reported); err != nil && ctx.Err() == nil {
			s.log.Warn("ipsec status sync failed", "err", err)
		}
	})
}
