package report

import (
	"io"
	"strings"
	"time"
	"unicode/utf8"
)

// CalendarEvent is one all-day event of an iCalendar file.
type CalendarEvent struct {
	UID         string // stable across exports, so that a re-import updates
	Day         time.Time
	Summary     string
	Description string
	Categories  []string
}

// Calendar is what WriteICS needs: the product id and the events.
type Calendar struct {
	ProdID string
	Name   string    // X-WR-CALNAME, shown by the calendar applications
	Stamp  time.Time // DTSTAMP of every event (UTC)
	Events []CalendarEvent
}

// WriteICS writes the small subset of RFC 5545 that calendar applications
// import (Thunderbird, Outlook, Google, Apple): a VCALENDAR published
// (METHOD:PUBLISH) with all-day VEVENTs (DTSTART;VALUE=DATE, DTEND the next
// day), CRLF line endings, lines folded at 75 octets without splitting a
// UTF-8 sequence, TEXT values escaped. Hand-written rather than a library:
// this subset is about sixty lines, and it keeps the output byte-stable for
// golden files.
func WriteICS(w io.Writer, cal Calendar) error {
	var b strings.Builder
	line := func(name, value string) { foldLine(&b, name+":"+value) }
	line("BEGIN", "VCALENDAR")
	line("VERSION", "2.0")
	line("PRODID", icsText(cal.ProdID))
	line("CALSCALE", "GREGORIAN")
	line("METHOD", "PUBLISH")
	if cal.Name != "" {
		line("X-WR-CALNAME", icsText(cal.Name))
	}
	stamp := cal.Stamp.UTC().Format("20060102T150405Z")
	for _, e := range cal.Events {
		line("BEGIN", "VEVENT")
		line("UID", icsText(e.UID))
		line("DTSTAMP", stamp)
		line("DTSTART;VALUE=DATE", e.Day.Format("20060102"))
		line("DTEND;VALUE=DATE", e.Day.AddDate(0, 0, 1).Format("20060102"))
		line("SUMMARY", icsText(e.Summary))
		if e.Description != "" {
			line("DESCRIPTION", icsText(e.Description))
		}
		if len(e.Categories) > 0 {
			cats := make([]string, len(e.Categories))
			for i, c := range e.Categories {
				cats[i] = icsText(c)
			}
			line("CATEGORIES", strings.Join(cats, ","))
		}
		// A deadline does not make the trainer busy.
		line("TRANSP", "TRANSPARENT")
		line("END", "VEVENT")
	}
	line("END", "VCALENDAR")
	_, err := io.WriteString(w, b.String())
	return err
}

// icsText escapes a TEXT value (RFC 5545 §3.3.11): backslash, semicolon,
// comma and line breaks; other control characters, which the format does
// not allow, become spaces.
func icsText(s string) string {
	var b strings.Builder
	s = strings.ReplaceAll(s, "\r\n", "\n")
	for _, r := range s {
		switch {
		case r == '\\' || r == ';' || r == ',':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n' || r == '\r':
			b.WriteString(`\n`)
		case r < ' ' || r == 0x7f:
			b.WriteByte(' ')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// foldLine writes a content line folded at 75 octets (RFC 5545 §3.1): each
// continuation starts with a space, and a cut never falls inside a UTF-8
// sequence.
func foldLine(b *strings.Builder, s string) {
	limit := 75
	for len(s) > limit {
		cut := limit
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		b.WriteString(s[:cut])
		b.WriteString("\r\n ")
		s = s[cut:]
		limit = 74 // the leading space counts
	}
	b.WriteString(s)
	b.WriteString("\r\n")
}
