package diskguard

import (
	"bytes"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/midonet-go/midonet/internal/fault"
)

func TestGuard(t *testing.T) {
	var logs bytes.Buffer
	g := New([]string{"/data/etcd", "/data"}, 100, slog.New(slog.NewTextHandler(&logs, nil)))
	free := map[string]uint64{"/data/etcd": 500 << 20, "/data": 500 << 20}
	looks := 0
	g.free = func(dir string) (uint64, error) {
		looks++
		if f, ok := free[dir]; ok {
			return f, nil
		}
		return 0, errors.New("no such directory")
	}
	check := func(wantLow bool) {
		t.Helper()
		g.checked = time.Time{} // look again now
		err := g.Check()
		if !wantLow {
			if err != nil {
				t.Fatalf("Check = %v, want nil", err)
			}
			return
		}
		f, ok := fault.As(err)
		if !ok || f.Status != http.StatusServiceUnavailable || !strings.Contains(f.Message, "out of disk space") || !strings.Contains(f.Message, "min_free_disk_mb") {
			t.Fatalf("Check = %v, want a 503 fault saying the disk is full and naming min_free_disk_mb", err)
		}
	}

	check(false)
	free["/data"] = 99 << 20
	check(true)
	if !strings.Contains(logs.String(), "disk space low") || !strings.Contains(logs.String(), "dir=/data") {
		t.Errorf("no clear log line when writes stop:\n%s", logs.String())
	}
	check(true)
	if n := strings.Count(logs.String(), "disk space low"); n != 1 {
		t.Errorf("the low-space line was logged %d times over two looks, want once", n)
	}
	free["/data"] = 200 << 20
	check(false)
	if !strings.Contains(logs.String(), "disk space recovered") {
		t.Errorf("no log line when writes resume:\n%s", logs.String())
	}

	// Looks are cached: many checks within the TTL look at the disk once.
	g.checked, looks = time.Time{}, 0
	for range 100 {
		_ = g.Check()
	}
	if looks != 2 { // one look at each directory
		t.Errorf("100 checks within a second looked at the disk %d times, want 2", looks)
	}

	// A directory that cannot be read does not stop writes.
	free = map[string]uint64{"/data": 500 << 20}
	check(false)

	// A zero reserve guards nothing.
	if err := New([]string{"/nonexistent"}, 0, nil).Check(); err != nil {
		t.Errorf("a guard without reserve answered %v", err)
	}
	var nilGuard *Guard
	if err := nilGuard.Check(); err != nil {
		t.Errorf("a nil guard answered %v", err)
	}
}
