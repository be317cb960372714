package progress

import (
	"bytes"
	"strings"
	"sync"
	"testing"
	"time"
)

type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func newTest() (*Terminal, *bytes.Buffer, *fakeClock) {
	var buf bytes.Buffer
	c := &fakeClock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	return NewTerminal(&buf, c.now), &buf, c
}

func TestNothingBeforeDelay(t *testing.T) {
	term, buf, c := newTest()
	for i := range 50 {
		term.Report("Vérification", i, 100, "dossiers")
		c.advance(19 * time.Millisecond) // 950 ms in all
	}
	term.Clear()
	if buf.Len() != 0 {
		t.Fatalf("quick work printed %q", buf.String())
	}
	c.advance(50 * time.Millisecond)
	term.Report("Vérification", 51, 100, "dossiers")
	if got, want := buf.String(), "\rVérification : 51 / 100 dossiers"; got != want {
		t.Fatalf("after the delay: %q, want %q", got, want)
	}
}

func TestThrottle(t *testing.T) {
	term, buf, c := newTest()
	c.advance(2 * time.Second)
	// 10 seconds of work, a report every millisecond.
	for i := range 10000 {
		term.Report("Réécriture de l'historique", i, 10000, "commits")
		c.advance(time.Millisecond)
	}
	draws := strings.Count(buf.String(), "\r")
	if draws < 90 || draws > 101 {
		t.Fatalf("%d draws in 10 s, want about 10 a second", draws)
	}
}

func TestClearAndRedraw(t *testing.T) {
	term, buf, c := newTest()
	c.advance(time.Second)
	term.Report("Import", 1200, 0, "lignes")
	if got, want := buf.String(), "\rImport : 1\u00a0200 lignes"; got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
	buf.Reset()
	term.Clear()
	if got, want := buf.String(), "\r"+strings.Repeat(" ", 21)+"\r"; got != want {
		t.Fatalf("clear: %q, want %q", got, want)
	}
	buf.Reset()
	term.Clear() // nothing drawn: nothing to clear
	if buf.Len() != 0 {
		t.Fatalf("second clear printed %q", buf.String())
	}
	// After a clear, the line comes back at the next report after
	// Interval: output interleaved with it does not speed up the redraws.
	term.Report("Import", 1201, 0, "lignes")
	if buf.Len() != 0 {
		t.Fatalf("redrawn within Interval of the last draw: %q", buf.String())
	}
	c.advance(DefaultInterval)
	term.Report("Import", 1201, 0, "lignes")
	if !strings.HasPrefix(buf.String(), "\rImport : 1\u00a0201") {
		t.Fatalf("no redraw after a clear: %q", buf.String())
	}
	// A shorter line covers the longer one's tail.
	buf.Reset()
	c.advance(time.Second)
	term.Report("Fin", 1, 0, "")
	if got, want := buf.String(), "\rFin : 1"+strings.Repeat(" ", 14); got != want {
		t.Fatalf("shorter line: %q, want %q", got, want)
	}
}

func TestWriterClears(t *testing.T) {
	term, buf, c := newTest()
	c.advance(time.Second)
	term.Report("Vérification", 3, 10, "dossiers")
	w := Writer(buf, term)
	w.Write([]byte("constat\n"))
	s := buf.String()
	if !strings.HasSuffix(s, "\r"+strings.Repeat(" ", 30)+"\rconstat\n") {
		t.Fatalf("output not preceded by a clear: %q", s)
	}
}

func TestNop(t *testing.T) {
	var buf bytes.Buffer
	if Writer(&buf, Nop) != &buf {
		t.Fatal("Writer wraps for Nop")
	}
	Nop.Report("x", 1, 2, "y")
	Nop.Clear()
}

func TestCount(t *testing.T) {
	for n, want := range map[int]string{0: "0", 999: "999", 1000: "1\u00a0000", 41200: "41\u00a0200", 100000: "100\u00a0000", 1234567: "1\u00a0234\u00a0567", -4200: "-4\u00a0200"} {
		if got := Count(n); got != want {
			t.Errorf("Count(%d) = %q, want %q", n, got, want)
		}
	}
}

// A new phase is drawn at once; the same phase again waits for Interval.
func TestPhaseChangeDrawsAtOnce(t *testing.T) {
	term, buf, c := newTest()
	c.advance(time.Second)
	term.Report("Réécriture de l'historique", 1, 3, "commits")
	term.Report("Réécriture de l'historique", 2, 3, "commits")
	term.Report("Compactage", 1, 9, "objets")
	term.Report("Compactage", 2, 9, "objets")
	got := buf.String()
	if strings.Count(got, "\r") != 2 || !strings.Contains(got, "1 / 3 commits") || !strings.HasSuffix(got, "\rCompactage : 1 / 9 objets"+strings.Repeat(" ", 17)) {
		t.Fatalf("draws %q", got)
	}
}
