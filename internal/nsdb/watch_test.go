package nsdb

import (
	"context"
	"fmt"
	"testing"
	"time"
)

func next(t *testing.T, ch <-chan Event) Event {
	t.Helper()
	select {
	case ev, ok := <-ch:
		if !ok {
			t.Fatal("watch channel closed")
		}
		return ev
	case <-time.After(30 * time.Second):
		t.Fatal("no event within 30s")
	}
	return Event{}
}

func describe(ev Event) string {
	switch {
	case ev.Compacted:
		return fmt.Sprintf("compacted@%d", ev.Revision)
	case ev.Deleted:
		return "del " + ev.Key
	}
	return fmt.Sprintf("put %s=%s", ev.Key, ev.Value)
}

func expect(t *testing.T, ch <-chan Event, want ...string) []Event {
	t.Helper()
	var got []Event
	for _, w := range want {
		ev := next(t, ch)
		if d := describe(ev); d != w {
			t.Fatalf("event %d = %q, want %q", len(got), d, w)
		}
		got = append(got, ev)
	}
	return got
}

func TestWatchOrderAndResume(t *testing.T) {
	s := openTemp(t)
	ctx, cancel := context.WithCancel(testCtx(t))
	defer cancel()
	put(t, s, "/w/before", "x")

	ch := s.Watch(ctx, "/w/", 0)
	// Give the watch a moment to register; changes before it are not part of "now".
	time.Sleep(200 * time.Millisecond)
	put(t, s, "/w/a", "1")
	put(t, s, "/other", "ignored")
	put(t, s, "/w/b", "2")
	if ok, _, err := s.Txn(ctx, nil, []Op{{Key: "/w/a", Delete: true}, {Key: "/w/c", Value: []byte("3")}}); err != nil || !ok {
		t.Fatal(ok, err)
	}
	put(t, s, "/w/a", "4")
	evs := expect(t, ch, "put /w/a=1", "put /w/b=2", "del /w/a", "put /w/c=3", "put /w/a=4")
	for i := 1; i < len(evs); i++ {
		if evs[i].Revision < evs[i-1].Revision {
			t.Fatalf("revisions out of order: %v", evs)
		}
	}
	if evs[2].Revision != evs[3].Revision {
		t.Fatalf("one txn, two revisions: %d %d", evs[2].Revision, evs[3].Revision)
	}

	// Resuming from the revision of /w/b replays everything from there on.
	ch2 := s.Watch(ctx, "/w/", evs[1].Revision)
	expect(t, ch2, "put /w/b=2", "del /w/a", "put /w/c=3", "put /w/a=4")

	// Cancelling the context closes the channel.
	cancel()
	deadline := time.After(10 * time.Second)
	for {
		select {
		case _, ok := <-ch:
			if !ok {
				return
			}
		case <-deadline:
			t.Fatal("channel not closed after cancel")
		}
	}
}

func TestWatchReportsCompaction(t *testing.T) {
	s := openTemp(t)
	ctx := testCtx(t)
	first := put(t, s, "/c/a", "1")
	put(t, s, "/c/a", "2")
	last := put(t, s, "/c/a", "3")
	if _, err := s.Client().Compact(ctx, last); err != nil {
		t.Fatal(err)
	}
	ch := s.Watch(ctx, "/c/", first)
	ev := next(t, ch)
	if !ev.Compacted || ev.Revision != last {
		t.Fatalf("got %s, want compacted@%d", describe(ev), last)
	}
	select {
	case _, ok := <-ch:
		if ok {
			t.Fatal("events after compaction")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("channel not closed after compaction")
	}
	// The caller re-lists and watches from there.
	kvs, rev, err := s.List(ctx, "/c/")
	if err != nil || len(kvs) != 1 || string(kvs[0].Value) != "3" {
		t.Fatal(kvs, err)
	}
	ch = s.Watch(ctx, "/c/", rev+1)
	put(t, s, "/c/a", "4")
	expect(t, ch, "put /c/a=4")
}

// A client's watch outlives a restart of the server it watches, and resumes without losing
// or repeating changes.
func TestWatchResumesAfterServerRestart(t *testing.T) {
	t.Parallel()
	ctx := testCtx(t)
	dir := t.TempDir()
	cp, _ := FreePort()
	pp, _ := FreePort()
	o := EmbeddedOptions{
		Dir:       dir,
		ClientURL: fmt.Sprintf("http://127.0.0.1:%d", cp),
		PeerURL:   fmt.Sprintf("http://127.0.0.1:%d", pp),
		Logger:    testLogger(),
	}
	srv, err := OpenEmbedded(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { srv.Close() }()
	cli, err := Connect(ctx, srv.Endpoints())
	if err != nil {
		t.Fatal(err)
	}
	defer cli.Close()

	ch := cli.Watch(ctx, "/r/", 0)
	time.Sleep(200 * time.Millisecond)
	put(t, srv, "/r/1", "before")
	expect(t, ch, "put /r/1=before")

	start := time.Now()
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	t.Logf("close %v", time.Since(start))
	srv, err = OpenEmbedded(ctx, o)
	if err != nil {
		t.Fatalf("restart: %v", err)
	}
	t.Logf("reopen %v", time.Since(start))
	put(t, srv, "/r/2", "after")
	put(t, srv, "/r/1", "again")
	expect(t, ch, "put /r/2=after", "put /r/1=again")
	t.Logf("resumed %v", time.Since(start))
}

// TestWatchRangePrevValues: WatchRange streams the keys of [from, end) — neighbouring
// prefixes in one stream, in revision order, the operations of one transaction in their
// order — each with its version and the value it had before.
func TestWatchRangePrevValues(t *testing.T) {
	s := openTemp(t)
	ctx, cancel := context.WithCancel(testCtx(t))
	defer cancel()
	rev := put(t, s, "/r/b/1", "old")
	ch := s.WatchRange(ctx, "/r/b/", PrefixEnd("/r/c/"), rev+1)
	put(t, s, "/r/a/x", "outside")
	put(t, s, "/r/c/1", "new")
	if ok, _, err := s.Txn(ctx, nil, []Op{{Key: "/r/c/1", Delete: true}, {Key: "/r/b/1", Value: []byte("newer")}}); err != nil || !ok {
		t.Fatal(ok, err)
	}
	put(t, s, "/r/d/1", "outside")
	put(t, s, "/r/b/1", "last")
	type got struct {
		desc, prev string
		version    int64
	}
	want := []got{{"put /r/c/1=new", "", 1}, {"del /r/c/1", "new", 0}, {"put /r/b/1=newer", "old", 2}, {"put /r/b/1=last", "newer", 3}}
	for i, w := range want {
		ev := next(t, ch)
		if g := (got{describe(ev), string(ev.PrevValue), ev.Version}); g != w {
			t.Fatalf("event %d = %+v, want %+v", i, g, w)
		}
	}
}
