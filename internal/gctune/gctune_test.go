package gctune

import (
	"runtime"
	"runtime/debug"
	"testing"
	"time"
)

func TestPercent(t *testing.T) {
	const mib = 1 << 20
	for _, c := range []struct {
		name        string
		live, floor uint64
		want        int
	}{
		{"small heap grows by the floor", 32 * mib, 256 * mib, 800},
		{"heap of the floor's size: Go's default", 256 * mib, 256 * mib, 100},
		{"heap larger than the floor: Go's default", 1024 * mib, 256 * mib, 100},
		{"just under the floor", 200 * mib, 256 * mib, 128},
		{"empty heap is bounded", 0, 256 * mib, 1_000_000},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := Percent(c.live, c.floor); got != c.want {
				t.Errorf("Percent(%d, %d) = %d, want %d", c.live, c.floor, got, c.want)
			}
			if c.live > 0 && c.want < 1_000_000 {
				// The target the percent gives is max(2 × live, live + floor), to the percent.
				target := c.live + c.live*uint64(c.want)/100
				want := max(2*c.live, c.live+c.floor)
				if d := int64(target) - int64(want); d < -int64(c.live/100) || d > int64(c.live/100) {
					t.Errorf("target %d, want %d", target, want)
				}
			}
		})
	}
}

// TestTuneFollowsTheLiveHeap feeds the tuner a sequence of live heaps and checks which
// percents it sets: a change of less than a tenth is left alone, a return to Go's default is not.
func TestTuneFollowsTheLiveHeap(t *testing.T) {
	const mib = 1 << 20
	var live uint64
	var set []int
	tu := &tuner{floor: 100 * mib, live: func() uint64 { return live }, set: func(p int) int { set = append(set, p); return 0 }, current: basePercent}
	for _, kib := range []uint64{10 << 10, 10 << 10, 10<<10 + 512, 20 << 10, 90 << 10, 95 << 10, 100 << 10, 400 << 10, 50 << 10} {
		live = kib << 10
		tu.tune()
	}
	want := []int{1000, 500, 111, 100, 200}
	if len(set) != len(want) {
		t.Fatalf("set %v, want %v", set, want)
	}
	for i := range want {
		if set[i] != want[i] {
			t.Fatalf("set %v, want %v", set, want)
		}
	}
}

func TestStartLeavesAnOperatorsGOGC(t *testing.T) {
	t.Setenv("GOGC", "50")
	before := gcPercent()
	if Start(0) {
		t.Fatal("Start tuned although GOGC is set")
	}
	runtime.GC()
	if after := gcPercent(); after != before {
		t.Fatalf("GOGC percent %d → %d: changed although GOGC is set", before, after)
	}
}

// TestStartRetunesAfterCollections starts the tuner with a 1 GiB floor and checks that the
// percent it keeps follows the live heap as the heap grows and collections run.
func TestStartRetunesAfterCollections(t *testing.T) {
	t.Setenv("GOGC", "")
	defer debug.SetGCPercent(basePercent)
	const floor = 1 << 30
	if !Start(floor) {
		t.Fatal("Start did not tune with GOGC unset")
	}
	waitFor := func(what string) int {
		t.Helper()
		deadline := time.Now().Add(20 * time.Second)
		for {
			runtime.GC()
			want := Percent(liveHeap(), floor)
			got := gcPercent()
			if got*10 > want*9 && got*10 < want*11 {
				return got
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: GOGC percent %d, want about %d for a live heap of %d bytes", what, got, want, liveHeap())
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	small := waitFor("small heap")
	if small < 1000 {
		t.Fatalf("small heap: percent %d, want the floor to dominate (≥ 1000)", small)
	}
	held := make([][]byte, 0, 64)
	for range 64 {
		held = append(held, make([]byte, 4<<20)) // 256 MiB live
	}
	large := waitFor("256 MiB live")
	runtime.KeepAlive(held)
	if large >= small || large < 300 || large > 500 {
		t.Fatalf("256 MiB live: percent %d (small heap %d), want about 400", large, small)
	}
}

// gcPercent reads GOGC's current value.
func gcPercent() int {
	p := debug.SetGCPercent(basePercent)
	debug.SetGCPercent(p)
	return p
}
