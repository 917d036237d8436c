package app

import (
	"context"
	"io"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/midonet-go/midonet/internal/nsdb"
)

// TestServerWaitsForAToolsNSDB: a server whose embedded NSDB a db-manage command has open
// waits for the command to close it and then opens the store itself (its data intact), instead
// of connecting to the command's etcd and losing it when the command exits; a command that
// keeps it open past the wait is named in the error.
func TestServerWaitsForAToolsNSDB(t *testing.T) {
	ctx := context.Background()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	o := nsdb.EmbeddedOptions{Dir: t.TempDir(), Logger: quiet}
	tool, err := nsdb.OpenEmbedded(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := tool.Txn(ctx, nil, []nsdb.Op{{Key: "/midonet/test/kept", Value: []byte("yes")}}); err != nil {
		t.Fatal(err)
	}

	t.Run("gives up past the wait, naming the holder", func(t *testing.T) {
		_, err := openEmbeddedOwned(ctx, o, 300*time.Millisecond, quiet, nil)
		if err == nil || !strings.Contains(err.Error(), "db-manage") {
			t.Fatalf("error %v; want one naming a db-manage command", err)
		}
	})

	t.Run("opens the store once the tool has closed it", func(t *testing.T) {
		type result struct {
			s   *nsdb.Store
			err error
		}
		got := make(chan result, 1)
		waiting := make(chan bool, 2) // what the server says while it waits (/healthcheck's syncing reason)
		go func() {
			s, err := openEmbeddedOwned(ctx, o, time.Minute, quiet, func(w bool) { waiting <- w })
			got <- result{s, err}
		}()
		time.Sleep(500 * time.Millisecond) // the server is waiting now
		tool.Close()
		r := <-got
		if r.err != nil {
			t.Fatal(r.err)
		}
		if w1, w2 := <-waiting, <-waiting; !w1 || w2 {
			t.Fatalf("told waiting %v then %v; want true then false", w1, w2)
		}
		defer r.s.Close()
		// Its own: it wrote the endpoint file, and it answers with the tool gone.
		ep, err := nsdb.EndpointFile(o.Dir)
		if err != nil || !slices.Contains(r.s.Endpoints(), ep) {
			t.Fatalf("server endpoints %v, endpoint file %q (%v): want the server's own store", r.s.Endpoints(), ep, err)
		}
		kv, err := r.s.Get(ctx, "/midonet/test/kept")
		if err != nil || kv == nil || string(kv.Value) != "yes" {
			t.Fatalf("the tool's write: %v %v", kv, err)
		}
	})
}
