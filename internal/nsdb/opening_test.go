package nsdb

import (
	"context"
	"errors"
	"testing"
)

// TestOpeningStore: a store made by Opening answers nothing until Adopt: its calls wait for
// the open (a caller's deadline ends them with "still opening"), a watch started meanwhile
// delivers what is written once it is open, and after Adopt every call reaches the adopted
// store. A failed open fails every call with its error; a store closed before its open
// completes closes what the open returns.
func TestOpeningStore(t *testing.T) {
	ctx := testCtx(t)

	t.Run("calls wait for the open", func(t *testing.T) {
		s := Opening()
		if s.IsOpen() || isDone(s.Ready()) {
			t.Fatal("a store just made by Opening says it is open")
		}
		short, cancel := context.WithCancel(ctx)
		cancel()
		if _, err := s.Get(short, ActiveVersionKey); err == nil || !errors.Is(err, context.Canceled) {
			t.Fatalf("Get before the open with an ended context = %v, want the context's error", err)
		}
		wctx, wcancel := context.WithCancel(ctx)
		defer wcancel()
		events := s.Watch(wctx, "/midonet/test/", 1) // from the first revision: nothing is missed
		got := make(chan error, 1)
		go func() { _, err := s.Get(ctx, ActiveVersionKey); got <- err }()

		dir := t.TempDir()
		o, err := OpenEmbedded(ctx, EmbeddedOptions{Dir: dir, Logger: testLogger()})
		s.Adopt(o, err)
		defer s.Close()
		if !s.IsOpen() || !isDone(s.Ready()) || s.OpenErr() != nil {
			t.Fatalf("after Adopt: open %v, err %v", s.IsOpen(), s.OpenErr())
		}
		if err := <-got; err != nil {
			t.Fatalf("the Get that waited for the open: %v", err)
		}
		put(t, s, "/midonet/test/k", "v")
		if ev := <-events; ev.Key != "/midonet/test/k" || string(ev.Value) != "v" {
			t.Fatalf("the watch started before the open gave %+v", ev)
		}
		if ep, err := EndpointFile(dir); err != nil || ep != s.Endpoints()[0] {
			t.Fatalf("endpoint file %q (%v), endpoints %v", ep, err, s.Endpoints())
		}
	})

	t.Run("a failed open fails every call", func(t *testing.T) {
		s := Opening()
		boom := errors.New("boom")
		s.Adopt(nil, boom)
		if s.IsOpen() || !isDone(s.Ready()) || !errors.Is(s.OpenErr(), boom) {
			t.Fatalf("after a failed Adopt: open %v, ready %v, err %v", s.IsOpen(), isDone(s.Ready()), s.OpenErr())
		}
		if _, _, err := s.Txn(ctx, nil, []Op{{Key: "/k", Value: []byte("v")}}); !errors.Is(err, boom) {
			t.Fatalf("Txn after a failed open = %v, want boom", err)
		}
		if _, _, err := s.List(ctx, "/"); !errors.Is(err, boom) {
			t.Fatalf("List after a failed open = %v, want boom", err)
		}
		if err := s.Close(); err != nil {
			t.Fatalf("Close after a failed open: %v", err)
		}
	})

	t.Run("closed before the open completes", func(t *testing.T) {
		s := Opening()
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		dir := t.TempDir()
		o, err := OpenEmbedded(ctx, EmbeddedOptions{Dir: dir, Logger: testLogger()})
		s.Adopt(o, err)
		if _, err := s.Get(ctx, ActiveVersionKey); !errors.Is(err, ErrClosed) {
			t.Fatalf("Get on a store closed before it opened = %v, want ErrClosed", err)
		}
		// What the open returned was closed: the directory can be opened again.
		again, err := OpenEmbedded(ctx, EmbeddedOptions{Dir: dir, Logger: testLogger()})
		if err != nil {
			t.Fatalf("the directory stayed held: %v", err)
		}
		again.Close()
	})
}
