package gctune

import (
	"math"
	"runtime/debug"
	"testing"
)

// Relax sets both settings for the run and restores the defaults after,
// Off included: the collector off without a limit would let the heap grow
// without bound.
func TestRelaxRestores(t *testing.T) {
	oldPct := debug.SetGCPercent(100)
	defer debug.SetGCPercent(oldPct)
	oldLim := debug.SetMemoryLimit(math.MaxInt64)
	defer debug.SetMemoryLimit(oldLim)

	for _, c := range []struct {
		percent int
		limit   int64
	}{{400, 200 << 20}, {Off, 64 << 20}} {
		restore := Relax(c.percent, c.limit)
		if got := debug.SetGCPercent(-2); got != c.percent {
			t.Errorf("Relax(%d): GC percent during the run = %d", c.percent, got)
		}
		debug.SetGCPercent(c.percent)
		if got := debug.SetMemoryLimit(-1); got != c.limit {
			t.Errorf("Relax(%d): memory limit during the run = %d, want %d", c.percent, got, c.limit)
		}
		restore()
		if got := debug.SetGCPercent(-2); got != 100 {
			t.Errorf("Relax(%d): GC percent after = %d, want 100", c.percent, got)
		}
		debug.SetGCPercent(100)
		if got := debug.SetMemoryLimit(-1); got != math.MaxInt64 {
			t.Errorf("Relax(%d): memory limit after = %d, want none", c.percent, got)
		}
	}
}

func TestRelaxKeepsTheUsersSettings(t *testing.T) {
	oldPct := debug.SetGCPercent(50) // as GOGC=50 would
	defer debug.SetGCPercent(oldPct)
	oldLim := debug.SetMemoryLimit(1 << 30) // as GOMEMLIMIT=1GiB would
	defer debug.SetMemoryLimit(oldLim)

	restore := Relax(400, 200<<20)
	if got := debug.SetGCPercent(-2); got != 50 {
		t.Errorf("GC percent = %d, want the user's 50", got)
	}
	debug.SetGCPercent(50)
	if got := debug.SetMemoryLimit(-1); got != 1<<30 {
		t.Errorf("memory limit = %d, want the user's", got)
	}
	restore()
	if got := debug.SetGCPercent(-2); got != 50 {
		t.Errorf("GC percent after = %d, want 50", got)
	}
	debug.SetGCPercent(50)
}
