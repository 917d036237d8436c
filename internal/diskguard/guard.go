// Package diskguard refuses writes before the disk under the embedded databases fills up.
// A full disk under the embedded etcd stops the process (etcd treats a failed commit as
// fatal) and a full SQLite file fails every write; the guard keeps a reserve of free space
// on the directories they live in and answers 503 once a directory is below it, until space
// is freed again.
package diskguard

import (
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/midonet-go/midonet/internal/fault"
)

// errUnsupported: this system cannot tell the free space of a directory (the guard allows
// everything).
var errUnsupported = errors.New("diskguard: free space unknown on this system")

// DefaultTTL is how long one look at the free space is trusted.
const DefaultTTL = time.Second

// Guard watches the free space of some directories.
type Guard struct {
	dirs    []string
	reserve uint64 // bytes
	ttl     time.Duration
	log     *slog.Logger
	// free reports the bytes an unprivileged writer may still use in dir.
	free func(dir string) (uint64, error)

	mu      sync.Mutex
	checked time.Time
	err     error  // the answer of the last look (nil: writes allowed)
	low     string // the directory found low at the last look, "" if none
}

// New guards dirs with a reserve of reserveMB mebibytes; reserveMB <= 0 or no dirs gives a
// guard that allows everything.
func New(dirs []string, reserveMB int, log *slog.Logger) *Guard {
	if log == nil {
		log = slog.Default()
	}
	g := &Guard{ttl: DefaultTTL, log: log, free: statfsFree}
	if reserveMB > 0 {
		g.dirs, g.reserve = dirs, uint64(reserveMB)<<20
	}
	return g
}

// lowSpace is the answer (a 503 fault) while a guarded directory is below its reserve.
func lowSpace(dir string, free, reserve uint64) *fault.Fault {
	return fault.ServiceUnavailable("The server is out of disk space: %d MiB free under %s, below the reserve of %d MiB "+
		"([DEFAULT] min_free_disk_mb). Writes are refused until space is freed; reads still work.", free>>20, dir, reserve>>20)
}

// Check answers nil when writes may go ahead, or a 503 fault while a guarded directory has
// less free space than the reserve. It looks at the disk at most once per second; it logs
// when writes stop and when they resume.
func (g *Guard) Check() error {
	if g == nil || len(g.dirs) == 0 {
		return nil
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	now := time.Now()
	if !g.checked.IsZero() && now.Sub(g.checked) < g.ttl {
		return g.err
	}
	g.checked = now
	var (
		err  error
		low  string
		free uint64
	)
	for _, d := range g.dirs {
		f, serr := g.free(d)
		if errors.Is(serr, errUnsupported) {
			continue
		}
		if serr != nil {
			// Cannot tell: do not refuse writes on a failed look, but say so.
			g.log.Warn("cannot read the free disk space of a data directory", "dir", d, "err", serr)
			continue
		}
		if f < g.reserve {
			low, free = d, f
			err = lowSpace(d, f, g.reserve)
			break
		}
	}
	switch {
	case low != "" && g.low == "":
		g.log.Error("disk space low: refusing writes (503) until space is freed", "dir", low,
			"free_mib", free>>20, "reserve_mib", g.reserve>>20)
	case low == "" && g.low != "":
		g.log.Info("disk space recovered: accepting writes again", "dir", g.low)
	}
	g.low, g.err = low, err
	return err
}

// String describes the guard for logs.
func (g *Guard) String() string {
	return fmt.Sprintf("diskguard(%v, reserve %d MiB)", g.dirs, g.reserve>>20)
}
