// Package etcdcluster starts a real multi-member etcd cluster inside a test process: each
// member is an embedded etcd server with its own data directory and loopback ports, and
// all of them form one raft cluster. Tests use it to exercise the NSDB against the
// distributed deployment (quorum, leader loss) without an external etcd.
package etcdcluster

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/midonet-go/midonet/internal/testutil/ports"
	"go.etcd.io/etcd/server/v3/embed"
	"go.uber.org/zap"
)

// startTimeout bounds how long the members may take to elect a leader and serve.
const startTimeout = 60 * time.Second

// Cluster is a running test cluster; it is stopped when the test ends.
type Cluster struct {
	t       testing.TB
	mu      sync.Mutex
	members []*member
}

type member struct {
	name   string
	dir    string
	client url.URL
	peer   url.URL
	etcd   *embed.Etcd // nil while stopped
	// level gates etcd's logging: errors while running, nothing while it shuts down
	// (closing listeners logs errors that mean nothing).
	level zap.AtomicLevel
}

// Start starts an n-member cluster and returns the client URLs of its members.
func Start(t testing.TB, n int) []string { return New(t, n).Endpoints() }

// New starts an n-member cluster, waits until every member serves, and registers its
// shutdown with t.Cleanup.
func New(t testing.TB, n int) *Cluster {
	t.Helper()
	if n < 1 {
		t.Fatalf("etcdcluster: %d members", n)
	}
	c := &Cluster{t: t}
	t.Cleanup(c.stopAll)
	var err error
	for attempt := 0; attempt < 5; attempt++ {
		if err = c.start(n); err == nil {
			return c
		}
		c.stopAll()
		if !errors.Is(err, syscall.EADDRINUSE) {
			break
		}
	}
	t.Fatalf("etcdcluster: start %d members: %v", n, err)
	return nil
}

func (c *Cluster) start(n int) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.members = make([]*member, n)
	var initial []string
	for i := range c.members {
		cp, err := freePort()
		if err != nil {
			return err
		}
		pp, err := freePort()
		if err != nil {
			return err
		}
		m := &member{
			name:   fmt.Sprintf("m%d", i),
			dir:    c.t.TempDir(),
			client: url.URL{Scheme: "http", Host: fmt.Sprintf("127.0.0.1:%d", cp)},
			peer:   url.URL{Scheme: "http", Host: fmt.Sprintf("127.0.0.1:%d", pp)},
			level:  zap.NewAtomicLevel(),
		}
		c.members[i] = m
		initial = append(initial, m.name+"="+m.peer.String())
	}
	for _, m := range c.members {
		e, err := embed.StartEtcd(m.config(strings.Join(initial, ","), embed.ClusterStateFlagNew))
		if err != nil {
			return fmt.Errorf("member %s: %w", m.name, err)
		}
		m.etcd = e
	}
	return c.waitReady(c.members...)
}

// waitReady waits until each member serves clients; the caller holds c.mu.
func (c *Cluster) waitReady(ms ...*member) error {
	deadline := time.After(startTimeout)
	for _, m := range ms {
		select {
		case <-m.etcd.Server.ReadyNotify():
		case err := <-m.etcd.Err():
			return fmt.Errorf("member %s: %w", m.name, err)
		case <-deadline:
			return fmt.Errorf("member %s: not ready after %v", m.name, startTimeout)
		}
	}
	return nil
}

func (m *member) config(initialCluster, state string) *embed.Config {
	cfg := embed.NewConfig()
	cfg.Name = m.name
	cfg.Dir = m.dir
	cfg.ListenClientUrls = []url.URL{m.client}
	cfg.AdvertiseClientUrls = []url.URL{m.client}
	cfg.ListenPeerUrls = []url.URL{m.peer}
	cfg.AdvertisePeerUrls = []url.URL{m.peer}
	cfg.InitialCluster = initialCluster
	cfg.InitialClusterToken = "etcdcluster-test"
	cfg.ClusterState = state
	cfg.MaxTxnOps = 16384
	cfg.MaxRequestBytes = 8 << 20
	cfg.Logger = "zap"
	cfg.LogLevel = "error"
	m.level.SetLevel(zap.ErrorLevel)
	zc := zap.NewProductionConfig()
	zc.Level = m.level
	if lg, err := zc.Build(); err == nil {
		cfg.ZapLoggerBuilder = embed.NewZapLoggerBuilder(lg)
	}
	return cfg
}

// Endpoints returns the client URLs of all members, stopped or not.
func (c *Cluster) Endpoints() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]string, len(c.members))
	for i, m := range c.members {
		out[i] = m.client.String()
	}
	return out
}

// Leader returns the index of the member that currently leads, or -1 if no running member
// knows a leader.
func (c *Cluster) Leader() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	for i, m := range c.members {
		if m.etcd != nil && m.etcd.Server.Leader() == m.etcd.Server.MemberID() {
			return i
		}
	}
	return -1
}

// Stop stops member i and keeps its data so that Restart can bring it back.
func (c *Cluster) Stop(i int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if m := c.members[i]; m.etcd != nil {
		m.level.SetLevel(zap.FatalLevel)
		m.etcd.Close()
		m.etcd = nil
	}
}

// Restart starts a stopped member i again on its data directory and ports, and waits
// until it serves.
func (c *Cluster) Restart(i int) {
	c.t.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	m := c.members[i]
	if m.etcd != nil {
		return
	}
	var initial []string
	for _, o := range c.members {
		initial = append(initial, o.name+"="+o.peer.String())
	}
	e, err := embed.StartEtcd(m.config(strings.Join(initial, ","), embed.ClusterStateFlagExisting))
	if err != nil {
		c.t.Fatalf("etcdcluster: restart member %s: %v", m.name, err)
	}
	m.etcd = e
	if err := c.waitReady(m); err != nil {
		c.t.Fatalf("etcdcluster: restart: %v", err)
	}
}

func (c *Cluster) stopAll() {
	c.mu.Lock()
	defer c.mu.Unlock()
	var wg sync.WaitGroup
	for _, m := range c.members {
		if m != nil && m.etcd != nil {
			m.level.SetLevel(zap.FatalLevel)
			wg.Go(m.etcd.Close)
		}
	}
	wg.Wait()
	for _, m := range c.members {
		if m != nil {
			m.etcd = nil
		}
	}
}

func freePort() (int, error) { return ports.Free() }
