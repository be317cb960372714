package main

import (
	"bufio"
	"io"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"golang.org/x/term"

	"github.com/acc-formation/acc/casefile"
	"github.com/acc-formation/acc/internal/termtext"
)

// table is the output of a listing: a readable, aligned table with a header
// on a terminal; in a pipe, stable tab-separated lines without header, one
// row a line, in the documented column order (the README lists them), so
// that cut, awk and spreadsheets read them.
type table struct {
	header []string
	rows   [][]string
}

func (t *table) add(cells ...string) { t.rows = append(t.rows, cells) }

// stdoutTerminal reports whether stdout is a terminal (a person reads it).
func (a *app) stdoutTerminal() bool {
	f, ok := a.stdout.(*os.File)
	return ok && f != nil && term.IsTerminal(int(f.Fd()))
}

// flushWriter is an io.Writer with a Flush.
type flushWriter interface {
	io.Writer
	Flush() error
}

type noFlush struct{ io.Writer }

func (noFlush) Flush() error { return nil }

// terminalSafe returns stdout for text printed as it is (a document, a
// report): escaped by termtext.Writer when a person reads it on a terminal,
// so that what a document holds cannot act on the terminal; untouched in a
// pipe or a file, where it is data.
func (a *app) terminalSafe() flushWriter {
	if a.stdoutTerminal() {
		return termtext.NewWriter(a.stdout)
	}
	return noFlush{a.stdout}
}

// cellText keeps a cell on its line and in its column, and the terminal
// safe: tabs, line breaks and other control characters are escaped
// (termtext.Line).
func cellText(s string) string { return termtext.Line(s) }

// writeTable prints t for a terminal or a pipe (see table).
func (a *app) writeTable(t *table) error {
	w := bufio.NewWriter(a.stdout)
	if err := t.write(w, a.stdoutTerminal()); err != nil {
		return err
	}
	return w.Flush()
}

// write prints the table aligned with its header for a terminal ("—" for
// an empty cell), or as tab-separated lines without header.
func (t *table) write(w io.Writer, terminal bool) error {
	if !terminal {
		var b strings.Builder
		for _, r := range t.rows {
			for i, c := range r {
				if i > 0 {
					b.WriteByte('\t')
				}
				b.WriteString(cellText(c))
			}
			b.WriteByte('\n')
		}
		_, err := io.WriteString(w, b.String())
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	line := func(cells []string) {
		for i, c := range cells {
			if i > 0 {
				io.WriteString(tw, "\t")
			}
			if c = cellText(c); c == "" {
				c = "—"
			}
			io.WriteString(tw, c)
		}
		io.WriteString(tw, "\n")
	}
	line(t.header)
	for _, r := range t.rows {
		line(r)
	}
	return tw.Flush()
}

// dateCell formats a case-file date, "" when unknown.
func dateCell(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return casefile.FormatDate(t)
}

// jsonDate is a case-file date in JSON: "AAAA-MM-JJ", or null when unknown.
type jsonDate time.Time

func (d jsonDate) MarshalJSON() ([]byte, error) {
	t := time.Time(d)
	if t.IsZero() {
		return []byte("null"), nil
	}
	return []byte(`"` + casefile.FormatDate(t) + `"`), nil
}

// frenchWeekdays are the days of the week, Sunday first as time.Weekday.
var frenchWeekdays = [...]string{"dimanche", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi"}

// dayText formats a date for a sentence: "jeudi 2026-12-03".
func dayText(t time.Time) string {
	return frenchWeekdays[t.Weekday()] + " " + casefile.FormatDate(t)
}

// daysText is "1 jour", "12 jours".
func daysText(n int) string {
	if n < 0 {
		n = -n
	}
	if n <= 1 {
		return strconv.Itoa(n) + " jour"
	}
	return strconv.Itoa(n) + " jours"
}
