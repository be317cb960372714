// Package progress draws the one-line progress of long commands (clone,
// sync, purge, a cold validate or report, import) on a terminal: counts and
// phases only, never a name, redrawn in place with a carriage return, at
// most every Interval, and only once the work has lasted Delay, so that
// quick commands print nothing.
//
// The domain packages never import it: they take a plain callback
// (func(done, total int)) in their options, and cmd/acc turns a Reporter
// into one.
package progress

import (
	"io"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// Reporter receives the progress of a command's work.
type Reporter interface {
	// Report says that done of total units are finished in phase (total
	// 0: unknown). unit is the plural noun counted ("documents").
	Report(phase string, done, total int, unit string)
	// Clear erases the line if one is drawn; the next Report may draw it
	// again. Called before printing anything else to the same terminal,
	// and at the end of the work (also on interruption).
	Clear()
}

// Nop is the Reporter that shows nothing: in a pipe, in CI, with --quiet.
var Nop Reporter = nop{}

type nop struct{}

func (nop) Report(string, int, int, string) {}
func (nop) Clear()                          {}

// Defaults of a Terminal.
const (
	DefaultDelay    = time.Second
	DefaultInterval = 100 * time.Millisecond
)

// Terminal draws the progress line on w, a terminal. It is safe for
// concurrent use.
type Terminal struct {
	w   io.Writer
	now func() time.Time
	// Delay is how long the work must have lasted before the first draw;
	// Interval the least time between two draws.
	Delay, Interval time.Duration

	mu    sync.Mutex
	start time.Time
	last  time.Time // time of the last draw
	shown int       // width, in characters, of the line on screen; 0: none
	phase string    // phase of the last draw
}

// NewTerminal returns a Terminal writing to w; now is the clock (the work
// is deemed to start at the first call).
func NewTerminal(w io.Writer, now func() time.Time) *Terminal {
	return &Terminal{w: w, now: now, Delay: DefaultDelay, Interval: DefaultInterval, start: now()}
}

// Report implements Reporter.
func (t *Terminal) Report(phase string, done, total int, unit string) {
	line := Format(phase, done, total, unit)
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	if now.Sub(t.start) < t.Delay {
		return
	}
	// A new phase shows at once: phases are few, and a quick one would
	// otherwise never be seen.
	if now.Sub(t.last) < t.Interval && phase == t.phase {
		return
	}
	t.draw(line)
	t.last, t.phase = now, phase
}

func (t *Terminal) draw(line string) {
	n := utf8.RuneCountInString(line)
	pad := ""
	if t.shown > n {
		pad = strings.Repeat(" ", t.shown-n)
	}
	io.WriteString(t.w, "\r"+line+pad)
	t.shown = max(n, 1)
}

// Clear implements Reporter.
func (t *Terminal) Clear() {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.shown == 0 {
		return
	}
	io.WriteString(t.w, "\r"+strings.Repeat(" ", t.shown)+"\r")
	t.shown = 0
	// last stays: output interleaved with the line (findings on the same
	// terminal) must not let it be redrawn more often than Interval.
}

// Format returns the progress line: « Vérification : 41 200 / 100 000
// documents », or without a total « Réception : 1 200 objets ».
func Format(phase string, done, total int, unit string) string {
	s := phase + " : " + Count(done)
	if total > 0 {
		s += " / " + Count(total)
	}
	if unit != "" {
		s += " " + unit
	}
	return s
}

// Count writes n the French way, thousands separated by a no-break space.
func Count(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteString("\u00a0")
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// Writer returns w wrapped so that the progress line is cleared before
// each write: for output that goes to the same terminal as the line.
func Writer(w io.Writer, r Reporter) io.Writer {
	if r == Nop {
		return w
	}
	return clearing{w, r}
}

type clearing struct {
	w io.Writer
	r Reporter
}

func (c clearing) Write(p []byte) (int, error) {
	c.r.Clear()
	return c.w.Write(p)
}
