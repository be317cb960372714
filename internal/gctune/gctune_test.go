package gctune

import (
	"math"
	"runtime/debug"
	"testing"
)

func TestRelaxRestores(t *testing.T) {
	oldPct := debug.SetGCPercent(100)
	defer debug.SetGCPercent(oldPct)
	oldLim := debug.SetMemoryLimit(math.MaxInt64)
	defer debug.SetMemoryLimit(oldLim)

	restore := Relax(400, 200<<20)
	if got := debug.SetGCPercent(-2); got != 400 {
		t.Errorf("GC percent during the run = %d, want 400", got)
	}
	debug.SetGCPercent(400)
	if got := debug.SetMemoryLimit(-1); got != 200<<20 {
		t.Errorf("memory limit during the run = %d, want %d", got, 200<<20)
	}
	restore()
	if got := debug.SetGCPercent(-2); got != 100 {
		t.Errorf("GC percent after = %d, want 100", got)
	}
	debug.SetGCPercent(100)
	if got := debug.SetMemoryLimit(-1); got != math.MaxInt64 {
		t.Errorf("memory limit after = %d, want none", got)
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

func TestRelaxOffKeepsTheLimit(t *testing.T) {
	oldPct := debug.SetGCPercent(100)
	defer debug.SetGCPercent(oldPct)
	oldLim := debug.SetMemoryLimit(math.MaxInt64)
	defer debug.SetMemoryLimit(oldLim)

	restore := Relax(Off, 64<<20)
	if got := debug.SetGCPercent(-2); got != -1 {
		t.Errorf("GC percent during the run = %d, want -1 (off)", got)
	}
	debug.SetGCPercent(-1)
	if got := debug.SetMemoryLimit(-1); got != 64<<20 {
		t.Errorf("memory limit during the run = %d, want %d: off without a limit would let the heap grow without bound", got, 64<<20)
	}
	restore()
	if got := debug.SetGCPercent(-2); got != 100 {
		t.Errorf("GC percent after = %d, want 100", got)
	}
	debug.SetGCPercent(100)
}
