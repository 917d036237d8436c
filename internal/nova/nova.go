// Package nova tells Nova what happens to its servers' ports, as neutron-server's nova
// notifier does: network-vif-plugged when a port of a server becomes ACTIVE (so that a boot
// stops waiting), network-vif-unplugged when it goes DOWN, network-changed when the port or
// a floating IP on it changes, network-vif-deleted when it is deleted. Events are queued,
// sent in batches to Nova's os-server-external-events with a Keystone token of the [nova]
// user (the compute endpoint found in that token's catalog), and retried while Nova or
// Keystone cannot be reached.
package nova

import (
	"context"
	"log/slog"
	"regexp"
	"strings"
	"sync"
	"time"
)

// Event names, as Nova knows them.
const (
	VIFPlugged     = "network-vif-plugged"
	VIFUnplugged   = "network-vif-unplugged"
	VIFDeleted     = "network-vif-deleted"
	NetworkChanged = "network-changed"
)

// Event is one server external event.
type Event struct {
	Name       string `json:"name"`
	ServerUUID string `json:"server_uuid"`
	Status     string `json:"status,omitempty"` // completed or failed (Nova's default: completed)
	Tag        string `json:"tag,omitempty"`    // the port id
}

// Options configure a Notifier (neutron.conf's [DEFAULT] notify_nova_* options and [nova]).
type Options struct {
	// StatusChanges and DataChanges are notify_nova_on_port_status_changes and
	// notify_nova_on_port_data_changes.
	StatusChanges, DataChanges bool
	// Interval is send_events_interval: the pause between two batches.
	Interval time.Duration
	// Retries is http_retries: how often a request that did not reach Nova or Keystone is
	// tried again (with a growing pause) before the batch is given up and logged.
	Retries int
	// Auth is the [nova] user and where Nova is.
	Auth AuthOptions
	// Port reads a port by id (nil, nil when it is gone): a floating IP names its port by id.
	Port func(ctx context.Context, id string) (map[string]any, error)
	Log  *slog.Logger
	// RetryPause is the first pause between retries (default 500 ms, then doubling).
	RetryPause time.Duration
}

// Notifier queues events and sends them. Its methods are safe for concurrent use; Run sends.
type Notifier struct {
	opts    Options
	session *session
	log     *slog.Logger

	mu      sync.Mutex
	pending []Event
	wake    chan struct{}
}

// New returns a notifier; it sends nothing until Run.
func New(o Options) *Notifier {
	if o.Log == nil {
		o.Log = slog.Default()
	}
	if o.Interval <= 0 {
		o.Interval = 2 * time.Second
	}
	if o.RetryPause <= 0 {
		o.RetryPause = 500 * time.Millisecond
	}
	return &Notifier{opts: o, session: newSession(o.Auth), log: o.Log, wake: make(chan struct{}, 1)}
}

var uuidLike = regexp.MustCompile(`^(?i)[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$`)

func str(d map[string]any, k string) string { s, _ := d[k].(string); return s }

// serverPort reports a port of a Nova server: device_owner compute:*, a device_id like a
// UUID (the server's).
func serverPort(p map[string]any) bool {
	return p != nil && strings.HasPrefix(str(p, "device_owner"), "compute:") && uuidLike.MatchString(str(p, "device_id"))
}

// PortStatus hears of a port whose status went from previous to the port's status now.
func (n *Notifier) PortStatus(port map[string]any, previous string) {
	if !n.opts.StatusChanges || !serverPort(port) {
		return
	}
	cur := str(port, "status")
	var ev Event
	switch {
	case previous == "ACTIVE" && cur == "DOWN":
		ev = Event{Name: VIFUnplugged, Status: "completed"}
	case (previous == "" || previous == "DOWN" || previous == "BUILD") && cur == "ACTIVE":
		ev = Event{Name: VIFPlugged, Status: "completed"}
	case (previous == "" || previous == "DOWN" || previous == "BUILD") && cur == "ERROR":
		ev = Event{Name: VIFPlugged, Status: "failed"}
	default:
		return
	}
	ev.ServerUUID, ev.Tag = str(port, "device_id"), str(port, "id")
	n.queue(ev)
}

// Changed hears of a change a request made and is answered for (Neutron's BEFORE_RESPONSE
// callbacks): before is nil for a create, after nil for a delete.
func (n *Notifier) Changed(ctx context.Context, collection string, before, after map[string]any) {
	if !n.opts.DataChanges {
		return
	}
	switch collection {
	case "ports":
		switch {
		case before == nil:
		case after == nil:
			if serverPort(before) {
				n.queue(Event{Name: VIFDeleted, ServerUUID: str(before, "device_id"), Tag: str(before, "id")})
			}
		default:
			if serverPort(after) {
				n.queue(Event{Name: NetworkChanged, ServerUUID: str(after, "device_id"), Tag: str(after, "id")})
			}
		}
	case "floatingips":
		was, now := str(before, "port_id"), str(after, "port_id")
		if before != nil && after != nil && was != "" && now != "" {
			// Moved from one port to another without a disassociation first: the server
			// it was taken from hears of it too.
			n.portChanged(ctx, was)
		}
		if now != "" {
			n.portChanged(ctx, now)
		} else if was != "" {
			n.portChanged(ctx, was)
		}
	}
}

func (n *Notifier) portChanged(ctx context.Context, portID string) {
	if n.opts.Port == nil {
		return
	}
	p, err := n.opts.Port(ctx, portID)
	if err != nil {
		n.log.Warn("nova: cannot read the port of a floating IP; Nova is not told", "port_id", portID, "err", err)
		return
	}
	if serverPort(p) {
		n.queue(Event{Name: NetworkChanged, ServerUUID: str(p, "device_id"), Tag: portID})
	}
}

func (n *Notifier) queue(ev Event) {
	n.mu.Lock()
	n.pending = append(n.pending, ev)
	n.mu.Unlock()
	select {
	case n.wake <- struct{}{}:
	default:
	}
}

func (n *Notifier) take() []Event {
	n.mu.Lock()
	defer n.mu.Unlock()
	out := n.pending
	n.pending = nil
	return out
}

// Run sends the queued events until ctx ends: the first event goes out at once, those that
// come while a batch is sent or during the send_events_interval after it go in the next
// batch. When ctx ends, what is still queued is sent once more (bounded by a few seconds).
func (n *Notifier) Run(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			if batch := n.take(); len(batch) > 0 {
				fctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				n.send(fctx, batch)
				cancel()
			}
			return
		case <-n.wake:
		}
		for {
			batch := n.take()
			if len(batch) == 0 {
				break
			}
			n.send(ctx, batch)
			select {
			case <-ctx.Done():
			case <-time.After(n.opts.Interval):
			}
			if ctx.Err() != nil {
				break
			}
		}
	}
}
