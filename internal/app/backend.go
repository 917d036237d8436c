package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"time"

	"github.com/google/uuid"
	"github.com/midonet-go/midonet/internal/api"
	"github.com/midonet-go/midonet/internal/cluster"
	"github.com/midonet-go/midonet/internal/cluster/translate"
	"github.com/midonet-go/midonet/internal/config"
	"github.com/midonet-go/midonet/internal/db"
	"github.com/midonet-go/midonet/internal/fault"
	"github.com/midonet-go/midonet/internal/journal"
	"github.com/midonet-go/midonet/internal/metrics"
	"github.com/midonet-go/midonet/internal/resource"
)

// Client names of [MIDONET] client: upstream's class paths and short forms.
const (
	clientREST  = "midonet.neutron.client.api.MidonetApiClient"
	clientTasks = "midonet.neutron.client.cluster.MidonetClusterClient"
)

// isTasksClient reports whether [MIDONET] client selects the task journal.
func isTasksClient(name string) bool {
	return name == clientTasks || name == "tasks" || name == "cluster"
}

// timedBackend observes, in seconds, how long each successful Commit took: the time from a
// write's database commit to its topology committed in the NSDB. When the cluster runs in
// this process (the in-process REST call), stage also gets the write's time split into
// metrics.StageNames, which add up to the whole.
type timedBackend struct {
	api.Backend
	observe func(seconds float64)
	stage   func(stage string, seconds float64) // nil: no stages
}

func (b timedBackend) Commit(ctx context.Context, changes []journal.Change) error {
	var st cluster.Stages
	if b.stage != nil {
		ctx = cluster.WithStages(ctx, &st)
	}
	start := time.Now()
	err := b.Backend.Commit(ctx, changes)
	if err == nil {
		end := time.Now()
		b.observe(end.Sub(start).Seconds())
		if b.stage != nil {
			observeStages(b.stage, start, st.Times(), end)
		}
	}
	return err
}

// observeStages splits start→end at the instants t recorded, when it recorded them all (a
// write the cluster applied in this process).
func observeStages(stage func(string, float64), start time.Time, t cluster.StageTimes, end time.Time) {
	marks := []time.Time{start, t.Entered, t.Started, t.Prepared, t.Sent, t.Committed, end}
	for i := 1; i < len(marks)-1; i++ {
		if marks[i].IsZero() {
			return
		}
	}
	for i, name := range metrics.StageNames {
		// Clocks are monotonic within the process, but the instants are stored as wall
		// time: a step that appears to end before it started counts as no time.
		stage(name, max(marks[i+1].Sub(marks[i]), 0).Seconds())
	}
}

// tasksBackend waits, after a commit, until the cluster applied the write's tasks.
type tasksBackend struct {
	wait     func(ctx context.Context, id int64) error
	kick     func()
	deadline time.Duration
	log      *slog.Logger
}

func (b *tasksBackend) Commit(ctx context.Context, changes []journal.Change) error {
	var last int64
	for _, c := range changes {
		last = max(last, c.TaskID)
	}
	if last == 0 {
		return nil
	}
	if b.kick != nil {
		b.kick()
	}
	wctx, cancel := context.WithTimeout(ctx, b.deadline)
	defer cancel()
	if err := b.wait(wctx, last); err != nil {
		// The write is committed and its task will be applied: answering an error would
		// only make the client retry what already happened.
		b.log.Warn("topology not applied within the deadline; the task stays queued", "task", last, "deadline", b.deadline)
	}
	return nil
}

// restBackend sends each write's changes to the cluster's REST endpoint.
type restBackend struct {
	client *cluster.RESTClient
	log    *slog.Logger
}

// clusterUnreachable is the answer to a write the cluster could not be reached for: the
// client learns that the change was not applied, never where the cluster is.
func clusterUnreachable() error {
	return fault.ServiceUnavailable("The MidoNet cluster is unreachable; the change was not applied. Try again later.")
}

func (b *restBackend) Commit(ctx context.Context, changes []journal.Change) error {
	var out []cluster.Change
	for _, c := range changes {
		if c.Collection == "" {
			continue
		}
		ch := cluster.Change{Type: c.Type, Collection: c.Collection, ID: c.ResourceID}
		if c.Type != journal.Delete {
			ch.Doc = translate.Doc(c.Data)
			if len(c.Secrets) > 0 {
				// The cluster needs the secrets the journal keeps out (as upstream's
				// REST client sends a BGP peer's password).
				ch.Doc = maps.Clone(ch.Doc)
				maps.Copy(ch.Doc, c.Secrets)
			}
		}
		out = append(out, ch)
	}
	err := b.client.Send(ctx, out)
	var re *cluster.RESTError
	if errors.As(err, &re) {
		switch re.Status {
		case http.StatusServiceUnavailable:
			return fault.ServiceUnavailable("MidoNet cluster: %s", re.Message)
		case http.StatusRequestEntityTooLarge:
			return fault.ClusterTooLarge(re.Message)
		}
		return fault.ClusterError(re.Status, re.Message)
	}
	if err != nil && ctx.Err() == nil {
		// Not an answer of the cluster: it could not be reached (refused, reset, timed out).
		// The operator gets the address and the error; the client a 503.
		b.log.ErrorContext(ctx, "MidoNet cluster unreachable; write refused", "midonet_uri", b.client.BaseURL, "err", err)
		return clusterUnreachable()
	}
	return err
}

// writeConfigTask is networking-midonet's CONFIG task (seed 8.1, agent membership): at
// start the API server with the task client puts the global configuration the cluster needs
// into midonet_tasks — the tunnel protocol of the DEFAULT tunnel zone, under the zone's fixed
// id — and the cluster's consumer applies it like any task. Upstream also put the MidoNet
// password in it; a task never holds a secret here.
func writeConfigTask(ctx context.Context, d *db.DB, cfg *config.Config) error {
	data := map[string]any{"id": translate.DefaultTunnelZone, "tunnel_protocol": cfg.String(config.GroupMidonet, "tunnel_protocol")}
	err := d.Write(ctx, func(tx *db.Tx) error {
		_, err := journal.Insert(ctx, tx, journal.Create, resource.ClusterConfig.DataType, translate.DefaultTunnelZone, "", "req-"+uuid.NewString(), data)
		return err
	})
	if err != nil {
		return fmt.Errorf("app: write the CONFIG task: %w", err)
	}
	return nil
}
