package lsp

import (
	"bytes"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// The editor counts columns in UTF-16 code units of the text as written;
// acc counts characters of the text normalised (no byte order mark, LF
// line breaks, accents composed). Both count lines alike: CRLF, LF and a
// lone CR each end one.

var bom = []byte{0xEF, 0xBB, 0xBF}

// lines indexes the lines of a text as the editor counts them.
type lines struct {
	text   []byte
	starts []int // byte offset of each line
}

func newLines(text []byte) *lines {
	l := &lines{text: text, starts: []int{0}}
	for i := 0; i < len(text); i++ {
		switch text[i] {
		case '\n':
			l.starts = append(l.starts, i+1)
		case '\r':
			if i+1 < len(text) && text[i+1] == '\n' {
				i++
			}
			l.starts = append(l.starts, i+1)
		}
	}
	return l
}

// span returns the byte range of line n (0-based) without its line break;
// ok is false past the last line.
func (l *lines) span(n int) (start, end int, ok bool) {
	if n < 0 || n >= len(l.starts) {
		return len(l.text), len(l.text), false
	}
	start = l.starts[n]
	end = len(l.text)
	if n+1 < len(l.starts) {
		end = l.starts[n+1]
	}
	for end > start && (l.text[end-1] == '\n' || l.text[end-1] == '\r') {
		end--
	}
	return start, end, true
}

// lineSpan is span for a single look-up.
func lineSpan(text []byte, n int) (start, end int, ok bool) { return newLines(text).span(n) }

// utf16Len counts the UTF-16 code units of b; an invalid byte counts as
// one (the editor shows it as U+FFFD).
func utf16Len(b []byte) int {
	n := 0
	for len(b) > 0 {
		r, size := utf8.DecodeRune(b)
		if r >= 0x10000 {
			n += 2
		} else {
			n++
		}
		b = b[size:]
	}
	return n
}

// byteOffset converts an editor position to a byte offset of text, clamped
// to the line's end and to the text's end.
func byteOffset(text []byte, p Position) int {
	if p.Line < 0 {
		return 0
	}
	start, end, ok := lineSpan(text, p.Line)
	if !ok {
		return len(text)
	}
	units := 0
	i := start
	for i < end && units < p.Character {
		r, size := utf8.DecodeRune(text[i:end])
		if r >= 0x10000 {
			units += 2
		} else {
			units++
		}
		i += size
	}
	return i
}

// applyChange applies one content change to text.
func applyChange(text []byte, c TextDocumentContentChangeEvent) []byte {
	if c.Range == nil {
		return []byte(c.Text)
	}
	a, b := byteOffset(text, c.Range.Start), byteOffset(text, c.Range.End)
	if b < a {
		a, b = b, a
	}
	out := make([]byte, 0, len(text)-(b-a)+len(c.Text))
	out = append(out, text[:a]...)
	out = append(out, c.Text...)
	return append(out, text[b:]...)
}

// editorPos converts acc's line and column (1-based, characters of the
// normalised text) to an editor position in text as written.
func editorPos(l *lines, line, col int) Position {
	text := l.text
	if line < 1 {
		line = 1
	}
	if col < 1 {
		col = 1
	}
	start, end, ok := l.span(line - 1)
	if !ok {
		n := len(l.starts) - 1
		s, e, _ := l.span(n)
		return Position{Line: n, Character: utf16Len(text[s:e])}
	}
	raw := text[start:end]
	units := 0
	if line == 1 && bytes.HasPrefix(raw, bom) {
		raw = raw[len(bom):]
		units = 1
	}
	want := col - 1 // characters of the normalised line before the position
	if norm.NFC.IsNormal(raw) {
		for want > 0 && len(raw) > 0 {
			r, size := utf8.DecodeRune(raw)
			if r >= 0x10000 {
				units += 2
			} else {
				units++
			}
			raw = raw[size:]
			want--
		}
		return Position{Line: line - 1, Character: units}
	}
	// Decomposed accents: walk the line by normalisation segments, each
	// giving some composed characters for some written bytes.
	var it norm.Iter
	it.Init(norm.NFC, raw)
	pos := 0
	for want > 0 && !it.Done() {
		seg := it.Next()
		next := it.Pos()
		want -= utf8.RuneCount(seg)
		units += utf16Len(raw[pos:next])
		pos = next
	}
	return Position{Line: line - 1, Character: units}
}

// lineEnd returns the editor position of the end of line n (0-based).
func lineEnd(l *lines, n int) Position {
	text := l.text
	s, e, ok := l.span(n)
	if !ok {
		return Position{Line: n, Character: 0}
	}
	return Position{Line: n, Character: utf16Len(text[s:e])}
}
