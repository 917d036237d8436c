package nsdb

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"slices"
	"testing"
	"time"

	"go.etcd.io/etcd/server/v3/embed"
	"go.uber.org/zap"
)

func TestEmbeddedRestartKeepsData(t *testing.T) {
	ctx := testCtx(t)
	dir := t.TempDir()
	s, err := OpenEmbedded(ctx, EmbeddedOptions{Dir: dir, Logger: testLogger()})
	if err != nil {
		t.Fatal(err)
	}
	ep, err := EndpointFile(dir)
	if err != nil || ep != s.Endpoints()[0] {
		t.Fatalf("endpoint file %q %v, endpoints %v", ep, err, s.Endpoints())
	}
	put(t, s, ActiveVersionKey, "1", "/midonet/data/1/topology/Network/n1", `{"id":"n1"}`)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("second close: %v", err)
	}
	if _, err := EndpointFile(dir); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("endpoint file after close: %v", err)
	}

	s2, err := OpenEmbedded(ctx, EmbeddedOptions{Dir: dir, Logger: testLogger()})
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer s2.Close()
	if got := value(t, s2, ActiveVersionKey); got != "1" {
		t.Fatalf("after restart %s = %q", ActiveVersionKey, got)
	}
	if got := value(t, s2, "/midonet/data/1/topology/Network/n1"); got != `{"id":"n1"}` {
		t.Fatalf("after restart network = %q", got)
	}
	put(t, s2, "/after", "restart")
}

func TestEmbeddedLockedDirConnectsInstead(t *testing.T) {
	ctx := testCtx(t)
	dir := t.TempDir()
	s, err := OpenEmbedded(ctx, EmbeddedOptions{Dir: dir, Logger: testLogger()})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	put(t, s, "/k", "from-first")

	start := time.Now()
	_, err = OpenEmbedded(ctx, EmbeddedOptions{Dir: dir, Logger: testLogger()})
	if !errors.Is(err, ErrLocked) {
		t.Fatalf("second open of a locked dir: %v", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("second open took %v", d)
	}

	// What db-manage does beside a running serve.
	ep, err := EndpointFile(dir)
	if err != nil {
		t.Fatal(err)
	}
	c, err := Connect(ctx, []string{ep})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if got := value(t, c, "/k"); got != "from-first" {
		t.Fatalf("second client reads %q", got)
	}
	put(t, c, "/k", "from-second")
	if got := value(t, s, "/k"); got != "from-second" {
		t.Fatalf("first store reads %q", got)
	}

	o, err := OpenOrConnect(ctx, EmbeddedOptions{Dir: dir, Logger: testLogger()})
	if err != nil {
		t.Fatal(err)
	}
	defer o.Close()
	if o.etcd != nil || !slices.Equal(o.Endpoints(), []string{ep}) {
		t.Fatalf("OpenOrConnect did not connect to %s: %v", ep, o.Endpoints())
	}
	// Closing a client leaves the running store and its endpoint file alone.
	o.Close()
	if _, err := EndpointFile(dir); err != nil {
		t.Fatal(err)
	}
}

func TestConnectFailsWithoutServer(t *testing.T) {
	t.Parallel()
	port, err := FreePort()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	if _, err := Connect(ctx, []string{fmt.Sprintf("http://127.0.0.1:%d", port)}); err == nil {
		t.Fatal("connect to nothing succeeded")
	}
}

// An etcd that is not ours holding the directory makes OpenEmbedded fail at once rather
// than wait for etcd's database lock.
func TestEmbeddedDirHeldByForeignEtcd(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cfg := embed.NewConfig()
	cfg.Dir = dir
	cp, _ := FreePort()
	pp, _ := FreePort()
	cu := url.URL{Scheme: "http", Host: fmt.Sprintf("127.0.0.1:%d", cp)}
	pu := url.URL{Scheme: "http", Host: fmt.Sprintf("127.0.0.1:%d", pp)}
	cfg.ListenClientUrls, cfg.AdvertiseClientUrls = []url.URL{cu}, []url.URL{cu}
	cfg.ListenPeerUrls, cfg.AdvertisePeerUrls = []url.URL{pu}, []url.URL{pu}
	cfg.InitialCluster = cfg.InitialClusterFromName(cfg.Name)
	cfg.ZapLoggerBuilder = embed.NewZapLoggerBuilder(zap.NewNop())
	e, err := embed.StartEtcd(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	<-e.Server.ReadyNotify()

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	start := time.Now()
	if _, err := OpenEmbedded(ctx, EmbeddedOptions{Dir: dir, Logger: testLogger()}); !errors.Is(err, ErrLocked) {
		t.Fatalf("open beside a foreign etcd: %v", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("took %v", d)
	}
}
