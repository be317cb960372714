package main

import (
	"bufio"
	"io"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
	"unicode/utf8"

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
	// width is the terminal's width in columns: on a terminal, cells are
	// cut ("…") so that a row fits it; 0 never cuts. A pipe is never cut.
	width int
}

func (t *table) add(cells ...string) { t.rows = append(t.rows, cells) }

// stdoutTerminal reports whether stdout is a terminal (a person reads it).
func (s ioStreams) stdoutTerminal() bool {
	f, ok := s.Out.(*os.File)
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
func (s ioStreams) terminalSafe() flushWriter {
	if s.stdoutTerminal() {
		return termtext.NewWriter(s.Out)
	}
	return noFlush{s.Out}
}

// cellText keeps a cell on its line and in its column, and the terminal
// safe: tabs, line breaks and other control characters are escaped
// (termtext.Line).
func cellText(s string) string { return termtext.Line(s) }

// terminalWidth is the width of the terminal on stdout, else $COLUMNS
// (some terminals and multiplexers report no size), else 0 (unknown).
func (d deps) terminalWidth() int {
	if f, ok := d.IO.Out.(*os.File); ok && f != nil {
		if w, _, err := term.GetSize(int(f.Fd())); err == nil && w > 0 {
			return w
		}
	}
	if n, err := strconv.Atoi(strings.TrimSpace(d.Getenv("COLUMNS"))); err == nil && n > 0 {
		return n
	}
	return 0
}

// writeTable prints t for a terminal or a pipe (see table).
func (d deps) writeTable(t *table) error {
	w := bufio.NewWriter(d.IO.Out)
	terminal := d.IO.stdoutTerminal()
	if terminal && t.width == 0 {
		t.width = d.terminalWidth()
	}
	if err := t.write(w, terminal); err != nil {
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
	cells := make([][]string, 0, len(t.rows)+1)
	for _, r := range append([][]string{t.header}, t.rows...) {
		row := make([]string, len(r))
		for i, c := range r {
			if row[i] = cellText(c); row[i] == "" {
				row[i] = "—"
			}
		}
		cells = append(cells, row)
	}
	if t.width > 0 {
		limits := fitColumns(cells, t.width, tableGap)
		for _, row := range cells {
			for i := range row {
				row[i] = cutCell(row[i], limits[i])
			}
		}
	}
	tw := tabwriter.NewWriter(w, 0, 4, tableGap, ' ', 0)
	for _, row := range cells {
		io.WriteString(tw, strings.Join(row, "\t"))
		io.WriteString(tw, "\n")
	}
	return tw.Flush()
}

// tableGap is the number of spaces between two columns.
const tableGap = 2

// minCell is the narrowest a column is cut to: a few characters and "…"
// still say what the cell starts with.
const minCell = 6

// fitColumns returns each column's width so that a row fits in width: the
// widest columns are narrowed first, none below minCell (or its own
// width). When even that does not fit, the terminal wraps the row.
func fitColumns(rows [][]string, width, gap int) []int {
	var cols []int
	for _, r := range rows {
		for i, c := range r {
			if i >= len(cols) {
				cols = append(cols, 0)
			}
			cols[i] = max(cols[i], utf8.RuneCountInString(c))
		}
	}
	total := func() int {
		n := gap * max(len(cols)-1, 0)
		for _, c := range cols {
			n += c
		}
		return n
	}
	for total() > width {
		widest := 0
		for i, c := range cols {
			if c > cols[widest] {
				widest = i
			}
		}
		if cols[widest] <= minCell {
			break
		}
		cols[widest]--
	}
	return cols
}

// cutCell cuts s to n characters, the last one "…" when something is cut.
func cutCell(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:max(n-1, 0)]) + "…"
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
