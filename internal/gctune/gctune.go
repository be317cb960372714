// Package gctune relaxes the garbage collector for the duration of a
// batch run (validation, caseload report): the one place that knows how
// acc trades memory for speed, and that GOGC and GOMEMLIMIT set by the user
// (or by an outer run) win.
package gctune

import (
	"math"
	"runtime/debug"
)

// Off is the percent that leaves collections to the heap's limit alone: for
// a short command whose heap only grows (acc commit's scan of the index and
// the work tree), where a collection running beside the scan costs more
// than it frees (it reads the index entries' fresh pages before they are
// written, and each write then makes the kernel interrupt the other core).
const Off = -1

// Relax sets the collector's target to percent and the heap's soft limit
// to limit, unless GOGC (or a caller) already set another target, and
// GOMEMLIMIT (or a caller) another limit. It returns the function that
// restores both. Parsing allocates much short-lived memory while the live
// heap stays small: at the default target the collector keeps both cores
// from working in parallel.
func Relax(percent int, limit int64) func() {
	restoreGC := func() {}
	if old := debug.SetGCPercent(percent); old != 100 {
		debug.SetGCPercent(old)
	} else {
		restoreGC = func() { debug.SetGCPercent(old) }
	}
	restoreLimit := func() {}
	if old := debug.SetMemoryLimit(-1); old == math.MaxInt64 {
		debug.SetMemoryLimit(limit)
		restoreLimit = func() { debug.SetMemoryLimit(old) }
	}
	return func() { restoreLimit(); restoreGC() }
}
