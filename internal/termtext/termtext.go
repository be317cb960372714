// Package termtext makes untrusted text (file names, document values, remote
// messages, command-line arguments) safe to print on a terminal: no control
// character reaches it raw, so a name cannot move the cursor, recolour the
// screen or forge a line of output. It is the one escaping every command and
// output format uses.
package termtext

import (
	"io"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/acc-formation/acc/internal/swar"
)

// MaxArg is how many characters of an echoed argument Arg keeps: enough to
// recognise it, short enough that a 100,000-character argument does not
// flood the terminal.
const MaxArg = 60

// unsafe reports whether r must not reach a terminal raw: C0 and C1 control
// characters, DEL, and the bidirectional controls that reorder what is
// displayed ("Trojan Source").
func unsafe(r rune) bool {
	if unicode.IsControl(r) {
		return true
	}
	switch {
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069, r == 0x200e, r == 0x200f, r == 0x061c:
		return true
	}
	return false
}

// clean reports whether Line leaves s as it is: eight bytes at a time while
// they are printable ASCII (most of what acc prints), rune by rune
// otherwise.
func clean(s string) bool {
	for i := 0; i < len(s); {
		i = swar.Skip(s, i, printableWord)
		for end := min(i+8, len(s)); i < end; {
			r, n := utf8.DecodeRuneInString(s[i:])
			if (r == utf8.RuneError && n == 1) || unsafe(r) {
				return false
			}
			i += n
		}
	}
	return true
}

// printableWord tells whether the eight bytes of v are printable ASCII.
func printableWord(v uint64) bool {
	return !swar.HasHigh(v) && !swar.HasLess(v, 0x20) && !swar.HasByte(v, 0x7f)
}

// Plain reports whether s is valid UTF-8 without any character Line would
// change: one line, no control or bidirectional character. Text shown as a
// label (a type's libelle) must be plain.
func Plain(s string) bool { return clean(s) }

// Line returns s on one line and free of control characters. A line break
// (CRLF counting as one) or a tab becomes a space: harmless once on one
// line, and how a wrapped message or a name typed with a stray tab reads
// best. Every other control character, bidirectional control and invalid
// UTF-8 byte becomes a visible Go-style escape (\x1b, \u009b, \u202e,
// \xff), so that what would have acted on the terminal shows instead. Text
// without any is returned as is.
func Line(s string) string {
	if clean(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			b.WriteString(`\x`)
			b.WriteString(hex2(s[i]))
		case r == '\r' && i+1 < len(s) && s[i+1] == '\n':
			b.WriteByte(' ')
			n = 2
		case r == '\n' || r == '\r' || r == '\t':
			b.WriteByte(' ')
		case unsafe(r) && r < 0x80:
			b.WriteString(`\x`)
			b.WriteString(hex2(byte(r)))
		case unsafe(r):
			b.WriteString(`\u`)
			h := strconv.FormatInt(int64(r), 16)
			b.WriteString(strings.Repeat("0", 4-len(h)))
			b.WriteString(h)
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

func hex2(c byte) string {
	const digits = "0123456789abcdef"
	return string([]byte{digits[c>>4], digits[c&0xf]})
}

// Arg returns a command-line argument (or any untrusted string) fit to be
// echoed in a message: escaped as Line does and cut after MaxArg characters
// with "…".
func Arg(s string) string {
	if utf8.RuneCountInString(s) > MaxArg {
		n := 0
		for i := range s {
			if n == MaxArg {
				s = s[:i] + "…"
				break
			}
			n++
		}
	}
	return Line(s)
}

// Writer escapes, on the fly, what would be interpreted by a terminal in
// text that is otherwise meant to be printed as is (messages on stderr,
// Markdown on a terminal): C0 control characters other than the line feed
// and tab, DEL, and C1 control characters. Line breaks are kept, so it is a
// safety net under Line, which the printing code still calls on each
// untrusted field.
type Writer struct {
	w    io.Writer
	held []byte // an incomplete UTF-8 sequence at the end of the last Write
}

// NewWriter returns a Writer printing to w.
func NewWriter(w io.Writer) *Writer { return &Writer{w: w} }

// Write writes p escaped; it reports len(p) on success.
func (t *Writer) Write(p []byte) (int, error) {
	n := len(p)
	if len(t.held) > 0 {
		p = append(t.held, p...)
		t.held = nil
	}
	// An incomplete UTF-8 sequence at the end waits for the next Write, so
	// that a C1 character split between two writes is still seen.
	if cut := incompleteTail(p); cut > 0 {
		t.held = append([]byte(nil), p[len(p)-cut:]...)
		p = p[:len(p)-cut]
	}
	if !needsEscape(p) {
		_, err := t.w.Write(p)
		return n, err
	}
	var b []byte
	for i := 0; i < len(p); {
		r, size := utf8.DecodeRune(p[i:])
		switch {
		case r == '\n' || r == '\t':
			b = append(b, p[i])
		case r == utf8.RuneError && size == 1:
			b = append(b, '\\', 'x')
			b = append(b, hex2(p[i])...)
		case unicode.IsControl(r) && r < 0x80:
			b = append(b, '\\', 'x')
			b = append(b, hex2(byte(r))...)
		case unicode.IsControl(r):
			b = append(b, `\u00`...)
			b = append(b, hex2(byte(r))...)
		default:
			b = append(b, p[i:i+size]...)
		}
		i += size
	}
	_, err := t.w.Write(b)
	return n, err
}

// Flush writes a held incomplete sequence (escaped: it will never be
// completed).
func (t *Writer) Flush() error {
	if len(t.held) == 0 {
		return nil
	}
	var b []byte
	for _, c := range t.held {
		b = append(b, '\\', 'x')
		b = append(b, hex2(c)...)
	}
	t.held = nil
	_, err := t.w.Write(b)
	return err
}

func needsEscape(p []byte) bool {
	for i := 0; i < len(p); {
		c := p[i]
		if c < 0x80 {
			if (c < ' ' && c != '\n' && c != '\t') || c == 0x7f {
				return true
			}
			i++
			continue
		}
		r, size := utf8.DecodeRune(p[i:])
		if (r == utf8.RuneError && size == 1) || unicode.IsControl(r) {
			return true
		}
		i += size
	}
	return false
}

// incompleteTail returns how many bytes at the end of p start a UTF-8
// sequence that is not complete yet (0 when none).
func incompleteTail(p []byte) int {
	for k := 1; k <= 3 && k <= len(p); k++ {
		c := p[len(p)-k]
		if c&0xc0 == 0x80 {
			continue // a continuation byte: look further back
		}
		if c >= 0xc0 && !utf8.FullRune(p[len(p)-k:]) {
			return k
		}
		return 0
	}
	return 0
}
