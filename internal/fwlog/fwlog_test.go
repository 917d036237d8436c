package fwlog

import (
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/midonet-go/midonet/internal/sim"
)

var at = time.Date(2026, 12, 4, 5, 6, 7, 123456000, time.UTC)

func entry(action string) sim.LogEntry {
	return sim.LogEntry{LogID: "5f126d84-551a-4dcf-bb01-0e9c0df0c793", ResourceType: "firewall",
		ResourceID: "21aeda2a-a52f-4e81-9e64-7edeb59fa25b", TenantID: "8d4c70a21fed4aeba121a1a429ba0d04",
		RuleID: "0b6f3a4c-3d8e-4a35-8a57-5a9e2f0c1d11", RouterID: "9a1d7c2e-4b3f-4e6a-8c5d-1f2e3d4c5b6a", Action: action,
		Src: netip.MustParseAddr("10.0.0.5"), Dst: netip.MustParseAddr("10.0.1.5"), SrcPort: 40000, DstPort: 80, Proto: 6}
}

// TestFormat: the seed's items, in its order, one line.
func TestFormat(t *testing.T) {
	got := Format(at, entry("DROP"))
	want := "tenant_id=8d4c70a21fed4aeba121a1a429ba0d04 timestamp=2026-12-04T05:06:07.123456Z " +
		"firewall_id=21aeda2a-a52f-4e81-9e64-7edeb59fa25b firewall_rule_id=0b6f3a4c-3d8e-4a35-8a57-5a9e2f0c1d11 " +
		"router_id=9a1d7c2e-4b3f-4e6a-8c5d-1f2e3d4c5b6a port_id=none src_ip=10.0.0.5 dst_ip=10.0.1.5 src_port=40000 dst_port=80 protocol=6 action=DROP\n"
	if got != want {
		t.Errorf("line\n%q\nwant\n%q", got, want)
	}
	sg := entry("ACCEPT")
	sg.ResourceType, sg.RouterID, sg.PortID = "security_group", "", "p1"
	if l := Format(at.In(time.FixedZone("x", 3600)), sg); !strings.Contains(l, "security_group_id=") || !strings.Contains(l, "router_id=none port_id=p1") || !strings.Contains(l, "T05:06:07") {
		t.Errorf("security-group line %q", l)
	}
}

// TestFileNames: fw-<id>.log, sg-<id>.log; an id that is not a UUID never names a file.
func TestFileNames(t *testing.T) {
	for _, tc := range []struct{ typ, id, want string }{
		{"firewall", "5f126d84-551a-4dcf-bb01-0e9c0df0c793", "fw-5f126d84-551a-4dcf-bb01-0e9c0df0c793.log"},
		{"security_group", "5f126d84-551a-4dcf-bb01-0e9c0df0c793", "sg-5f126d84-551a-4dcf-bb01-0e9c0df0c793.log"},
		{"firewall", "../../etc/passwd", ""},
		{"firewall", "", ""},
		{"firewall", "a/b", ""},
	} {
		if got := FileName(tc.typ, tc.id); got != tc.want {
			t.Errorf("FileName(%q, %q) = %q, want %q", tc.typ, tc.id, got, tc.want)
		}
	}
}

// TestWriteAndRotate: lines land in the log's file; past MaxBytes the file rotates and the
// oldest backup goes.
func TestWriteAndRotate(t *testing.T) {
	dir := t.TempDir()
	w := New(Options{Dir: filepath.Join(dir, "logging"), MaxBytes: 600, Backups: 2, Now: func() time.Time { return at }})
	for i := 0; i < 12; i++ {
		w.Log([]sim.LogEntry{entry("DROP")})
	}
	w.Close()
	name := filepath.Join(dir, "logging", "fw-5f126d84-551a-4dcf-bb01-0e9c0df0c793.log")
	var lines int
	for _, f := range []string{name, name + ".1", name + ".2"} {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if len(b) > 600 {
			t.Errorf("%s holds %d bytes, past the 600 limit", f, len(b))
		}
		lines += strings.Count(string(b), "\n")
	}
	if _, err := os.Stat(name + ".3"); err == nil {
		t.Errorf("a third backup was kept")
	}
	if st := w.Stats(); st.Written != 12 || st.Dropped != 0 || st.Errors != 0 {
		t.Errorf("stats %+v", st)
	}
	if lines == 0 || lines > 12 {
		t.Errorf("%d lines kept", lines)
	}
}

// TestFullQueueDrops: Log never waits; what does not fit in the queue is counted.
func TestFullQueueDrops(t *testing.T) {
	w := &Writer{o: Options{Now: time.Now}, q: make(chan line, 2), done: make(chan struct{}), files: map[string]*file{}}
	w.Log([]sim.LogEntry{entry("DROP"), entry("DROP"), entry("DROP"), entry("ACCEPT"), entry("ACCEPT")})
	if st := w.Stats(); st.Dropped != 3 {
		t.Errorf("dropped %d, want 3", st.Dropped)
	}
}

// TestConcurrentLog: many goroutines log while the writer writes and then closes (-race).
func TestConcurrentLog(t *testing.T) {
	w := New(Options{Dir: t.TempDir(), Queue: 64})
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 200; i++ {
				w.Log([]sim.LogEntry{entry("ACCEPT")})
			}
		}()
	}
	wg.Wait()
	w.Close()
	w.Log([]sim.LogEntry{entry("DROP")}) // after Close: ignored, no panic
	if st := w.Stats(); st.Written+st.Dropped != 1600 {
		t.Errorf("written %d + dropped %d, want 1600", st.Written, st.Dropped)
	}
}
