// Package fwlog writes the packet log lines of an agent (seed 8.2.4, "Logging format" and
// "Logging out location"): one line per logged connection, in fw-<firewall log id>.log for
// a firewall log and sg-<log id>.log for a Neutron security-group log, under a directory
// ([MIDONET] packet_log_dir, MidoNet's /var/log/midolman/logging by default). Files are
// rotated by size (name.1 … name.N).
//
// The packet path never waits for the disk: Log hands the lines to a buffered channel and
// returns; when the channel is full the lines are dropped and counted (Stats.Dropped). One
// goroutine owns the files and writes.
package fwlog

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/midonet-go/midonet/internal/sim"
)

// Defaults of Options.
const (
	DefaultDir      = "/var/log/midolman/logging"
	DefaultMaxBytes = 10 << 20
	DefaultBackups  = 5
	DefaultQueue    = 8192
	// maxOpen bounds the files kept open at once; past it every file is closed and reopened
	// on its next line.
	maxOpen = 256
)

// Options configure a writer.
type Options struct {
	Dir      string // where the files go (created 0750)
	MaxBytes int64  // a file past this size is rotated
	Backups  int    // rotated files kept per log
	Queue    int    // lines buffered between the packet path and the writer
	Log      *slog.Logger
	// Now is the clock of the timestamps (tests); time.Now when nil.
	Now func() time.Time
}

// Stats count what the writer did.
type Stats struct {
	Written uint64 `json:"written"`
	Dropped uint64 `json:"dropped"` // the queue was full
	Errors  uint64 `json:"errors"`  // a file could not be opened or written
}

type line struct {
	at time.Time
	e  sim.LogEntry
}

// Writer writes log lines; Log may be called from any goroutine.
type Writer struct {
	o       Options
	q       chan line
	done    chan struct{}
	closeMu sync.RWMutex
	closed  bool

	written, dropped, errs atomic.Uint64
	files                  map[string]*file
}

type file struct {
	f    *os.File
	w    *bufio.Writer
	size int64
}

// New starts a writer.
func New(o Options) *Writer {
	if o.Dir == "" {
		o.Dir = DefaultDir
	}
	if o.MaxBytes <= 0 {
		o.MaxBytes = DefaultMaxBytes
	}
	if o.Backups <= 0 {
		o.Backups = DefaultBackups
	}
	if o.Queue <= 0 {
		o.Queue = DefaultQueue
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	w := &Writer{o: o, q: make(chan line, o.Queue), done: make(chan struct{}), files: map[string]*file{}}
	go w.run()
	return w
}

// Log queues lines without blocking; what does not fit is dropped and counted.
func (w *Writer) Log(es []sim.LogEntry) {
	w.closeMu.RLock()
	defer w.closeMu.RUnlock()
	if w.closed {
		return
	}
	now := w.o.Now()
	for _, e := range es {
		select {
		case w.q <- line{at: now, e: e}:
		default:
			w.dropped.Add(1)
		}
	}
}

// Stats returns the counters.
func (w *Writer) Stats() Stats {
	return Stats{Written: w.written.Load(), Dropped: w.dropped.Load(), Errors: w.errs.Load()}
}

// Close writes what is queued, closes the files and stops the writer.
func (w *Writer) Close() {
	w.closeMu.Lock()
	if w.closed {
		w.closeMu.Unlock()
		return
	}
	w.closed = true
	close(w.q)
	w.closeMu.Unlock()
	<-w.done
}

func (w *Writer) run() {
	defer close(w.done)
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case l, ok := <-w.q:
			if !ok {
				w.flush()
				w.closeAll()
				return
			}
			w.write(l)
		case <-tick.C:
			w.flush()
		}
	}
}

// FileName is the file of a log: fw-<id>.log for firewall logs, sg-<id>.log for
// security-group logs; "" for an id that is not a plain UUID (never a path).
func FileName(resourceType, logID string) string {
	if !safeID(logID) {
		return ""
	}
	if resourceType == "security_group" {
		return "sg-" + logID + ".log"
	}
	return "fw-" + logID + ".log"
}

func safeID(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, r := range s {
		if !(r >= '0' && r <= '9' || r >= 'a' && r <= 'f' || r >= 'A' && r <= 'F' || r == '-') {
			return false
		}
	}
	return true
}

// Format is one line: the seed's items in its order — tenant, ISO 8601 UTC timestamp, the
// firewall (or security group), its rule, the router (or port), source and destination
// address and L4 port, IANA protocol number, action.
func Format(at time.Time, e sim.LogEntry) string {
	var b strings.Builder
	b.WriteString("tenant_id=" + e.TenantID)
	b.WriteString(" timestamp=" + at.UTC().Format("2006-01-02T15:04:05.000000Z"))
	if e.ResourceType == "security_group" {
		b.WriteString(" security_group_id=" + e.ResourceID + " security_group_rule_id=" + orNone(e.RuleID))
	} else {
		b.WriteString(" firewall_id=" + e.ResourceID + " firewall_rule_id=" + orNone(e.RuleID))
	}
	b.WriteString(" router_id=" + orNone(e.RouterID) + " port_id=" + orNone(e.PortID))
	src, dst := "none", "none"
	if e.Src.IsValid() {
		src, dst = e.Src.String(), e.Dst.String()
	}
	b.WriteString(" src_ip=" + src + " dst_ip=" + dst)
	b.WriteString(" src_port=" + strconv.Itoa(int(e.SrcPort)) + " dst_port=" + strconv.Itoa(int(e.DstPort)))
	b.WriteString(" protocol=" + strconv.Itoa(int(e.Proto)) + " action=" + e.Action + "\n")
	return b.String()
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

func (w *Writer) write(l line) {
	name := FileName(l.e.ResourceType, l.e.LogID)
	if name == "" {
		w.errs.Add(1)
		return
	}
	f, err := w.open(name)
	if err != nil {
		w.errs.Add(1)
		w.o.Log.Warn("packet log: cannot open", "file", name, "err", err)
		return
	}
	s := Format(l.at, l.e)
	if f.size+int64(len(s)) > w.o.MaxBytes && f.size > 0 {
		if err := w.rotate(name, f); err != nil {
			w.errs.Add(1)
			w.o.Log.Warn("packet log: cannot rotate", "file", name, "err", err)
		}
		if f, err = w.open(name); err != nil {
			w.errs.Add(1)
			return
		}
	}
	n, err := f.w.WriteString(s)
	f.size += int64(n)
	if err != nil {
		w.errs.Add(1)
		return
	}
	w.written.Add(1)
}

func (w *Writer) open(name string) (*file, error) {
	if f := w.files[name]; f != nil {
		return f, nil
	}
	if len(w.files) >= maxOpen {
		w.flush()
		w.closeAll()
	}
	if err := os.MkdirAll(w.o.Dir, 0o750); err != nil {
		return nil, err
	}
	fh, err := os.OpenFile(filepath.Join(w.o.Dir, name), os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o640)
	if err != nil {
		return nil, err
	}
	st, err := fh.Stat()
	if err != nil {
		fh.Close()
		return nil, err
	}
	f := &file{f: fh, w: bufio.NewWriter(fh), size: st.Size()}
	w.files[name] = f
	return f, nil
}

// rotate closes name and shifts name → name.1 → … → name.Backups (the oldest goes).
func (w *Writer) rotate(name string, f *file) error {
	f.w.Flush()
	f.f.Close()
	delete(w.files, name)
	base := filepath.Join(w.o.Dir, name)
	for i := w.o.Backups - 1; i >= 1; i-- {
		err := os.Rename(fmt.Sprintf("%s.%d", base, i), fmt.Sprintf("%s.%d", base, i+1))
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	return os.Rename(base, base+".1")
}

func (w *Writer) flush() {
	for _, f := range w.files {
		if err := f.w.Flush(); err != nil {
			w.errs.Add(1)
		}
	}
}

func (w *Writer) closeAll() {
	for name, f := range w.files {
		f.f.Close()
		delete(w.files, name)
	}
}
