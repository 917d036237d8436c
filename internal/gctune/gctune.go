// Package gctune gives the Go garbage collector a heap floor: while the live heap is small the
// collector lets the heap grow by a fixed amount (Floor) before the next cycle instead of by
// the live heap's size, so a server with a few thousand ports does not spend a tenth of its CPU
// collecting a heap of a few dozen megabytes many times a second. Once the live heap is larger
// than the floor the collector runs as Go's default (GOGC=100) would: the target is
// max(2 × live, live + Floor), so memory at 100,000 ports is what it was.
//
// It re-tunes after every collection (a cleanup on an object each cycle drops) by setting
// GOGC's value with debug.SetGCPercent. An operator who set GOGC in the environment keeps it:
// Start does nothing then. GOMEMLIMIT still applies on top, as Go defines it.
package gctune

import (
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync"
)

// DefaultFloor is the heap growth allowed between two collections while the live heap is
// smaller than it (BENCHMARKS.md, "GC heap floor").
const DefaultFloor = 256 << 20

// basePercent is GOGC's default: the heap may grow by the live heap before the next cycle.
const basePercent = 100

// Percent is the GOGC value that makes the next collection's target max(2 × live, live +
// floor) bytes.
func Percent(live, floor uint64) int {
	if live == 0 {
		live = 1
	}
	p := floor * 100 / live
	if p < basePercent {
		return basePercent
	}
	// Bounded so the arithmetic of a nearly empty heap stays sane (a 1 KiB live heap would
	// ask for a percent in the tens of millions); the target is then at most 10,000 × live.
	return int(min(p, 1_000_000))
}

// tuner re-tunes after each collection.
type tuner struct {
	floor   uint64
	live    func() uint64 // the live heap after the last collection
	set     func(int) int // debug.SetGCPercent
	mu      sync.Mutex
	current int
}

var (
	startOnce sync.Once
	running   *tuner
)

// Start begins tuning with the given floor (0: DefaultFloor) unless GOGC is set in the
// environment. It returns whether it started; calling it again does nothing.
func Start(floor uint64) bool {
	if v, ok := os.LookupEnv("GOGC"); ok && v != "" {
		return false
	}
	if floor == 0 {
		floor = DefaultFloor
	}
	startOnce.Do(func() {
		running = &tuner{floor: floor, live: liveHeap, set: debug.SetGCPercent, current: basePercent}
		running.tune()
		running.arm()
	})
	return true
}

// tune sets the percent for the live heap the last collection left, when it moved by more
// than a tenth (SetGCPercent is cheap, but there is no need to call it every cycle).
func (t *tuner) tune() {
	t.mu.Lock()
	defer t.mu.Unlock()
	p := Percent(t.live(), t.floor)
	if p == t.current || (p != basePercent && p*10 > t.current*9 && p*10 < t.current*11) {
		return
	}
	t.set(p)
	t.current = p
}

// sentinel is allocated for each cycle; the collection that finds it unreachable runs the
// cleanup that re-tunes and allocates the next. It holds a pointer so it is never one of
// the tiny allocations that share a block (whose cleanups may never run).
type sentinel struct{ _ *tuner }

func (t *tuner) arm() {
	s := &sentinel{}
	runtime.AddCleanup(s, func(t *tuner) {
		t.tune()
		t.arm()
	}, t)
}

var liveSample = []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
var liveMu sync.Mutex

// liveHeap is the heap the last collection marked live.
func liveHeap() uint64 {
	liveMu.Lock()
	defer liveMu.Unlock()
	metrics.Read(liveSample)
	if liveSample[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return liveSample[0].Value.Uint64()
}
