package validate

import (
	"bytes"
	"encoding/json"
	"io"
	"strconv"
	"unicode/utf8"

	"github.com/acc-formation/acc/internal/swar"
)

// jsonVersion is the version of the json format: bump it when a key changes
// meaning or disappears (adding a key does not).
const jsonVersion = 1

type jsonFinding struct {
	Path        string `json:"path"`
	Line        int    `json:"line"`
	Column      int    `json:"column"`
	Severity    string `json:"severity"`
	Rule        string `json:"rule"`
	Message     string `json:"message"`
	Fingerprint string `json:"fingerprint"`
}

type jsonSummary struct {
	Errors    int `json:"errors"`
	Warnings  int `json:"warnings"`
	Infos     int `json:"infos"`
	Documents int `json:"documents"`
}

// marshalIndent encodes v indented by two spaces, every line but the first
// starting with prefix, without escaping HTML characters and without the
// final newline.
func marshalIndent(v any, prefix string) ([]byte, error) {
	var b bytes.Buffer
	e := json.NewEncoder(&b)
	e.SetEscapeHTML(false)
	e.SetIndent(prefix, "  ")
	if err := e.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// jsonArray streams the elements of an indented JSON array: open, then
// elements, then close ("[]" when it had none).
type jsonArray struct {
	out    *buffered
	indent string // of the line holding the "[" and the "]"
	n      int
}

func (a *jsonArray) add(v any) {
	b, err := marshalIndent(v, a.indent+"  ")
	if err != nil {
		// Only strings and ints: cannot fail; keep the error for Close.
		if a.out.err == nil {
			a.out.err = err
		}
		return
	}
	a.addRaw(b)
}

// addRaw adds an element already encoded as add would.
func (a *jsonArray) addRaw(b []byte) {
	if a.n == 0 {
		a.out.WriteString("[\n" + a.indent + "  ")
	} else {
		a.out.WriteString(",\n" + a.indent + "  ")
	}
	a.out.Write(b)
	a.n++
}

func (a *jsonArray) close() {
	if a.n == 0 {
		a.out.WriteString("[]")
		return
	}
	a.out.WriteString("\n" + a.indent + "]")
}

// appendFinding appends f as marshalIndent(f, prefix) encodes it, without
// reflection: a cold run at 100k documents writes some 400k findings from
// one goroutine, and encoding/json was a tenth of its time
// (TestAppendFindingAgreesWithEncodingJSON keeps the two identical).
func appendFinding(dst []byte, prefix string, f *jsonFinding) []byte {
	field := func(name string) {
		dst = append(dst, prefix...)
		dst = append(dst, `  "`...)
		dst = append(dst, name...)
		dst = append(dst, `": `...)
	}
	dst = append(dst, "{\n"...)
	field("path")
	dst = appendJSONString(dst, f.Path)
	dst = append(dst, ",\n"...)
	field("line")
	dst = strconv.AppendInt(dst, int64(f.Line), 10)
	dst = append(dst, ",\n"...)
	field("column")
	dst = strconv.AppendInt(dst, int64(f.Column), 10)
	dst = append(dst, ",\n"...)
	field("severity")
	dst = appendJSONString(dst, f.Severity)
	dst = append(dst, ",\n"...)
	field("rule")
	dst = appendJSONString(dst, f.Rule)
	dst = append(dst, ",\n"...)
	field("message")
	dst = appendJSONString(dst, f.Message)
	dst = append(dst, ",\n"...)
	field("fingerprint")
	dst = appendJSONString(dst, f.Fingerprint)
	dst = append(dst, '\n')
	dst = append(dst, prefix...)
	return append(dst, '}')
}

// appendJSONString appends s quoted as encoding/json does without HTML
// escaping: quote, backslash and control characters escaped, invalid UTF-8
// replaced by U+FFFD, U+2028 and U+2029 escaped.
func appendJSONString(dst []byte, s string) []byte {
	if jsonPlain(s) {
		dst = append(dst, '"')
		dst = append(dst, s...)
		return append(dst, '"')
	}
	const hex = "0123456789abcdef"
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		b := s[i]
		if b < utf8.RuneSelf {
			if b >= 0x20 && b != '"' && b != '\\' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch b {
			case '\\', '"':
				dst = append(dst, '\\', b)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hex[b>>4], hex[b&0xF])
			}
			i++
			start = i
			continue
		}
		c, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case c == utf8.RuneError && size == 1:
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
		case c == '\u2028' || c == '\u2029':
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hex[c&0xF])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// jsonPlain reports whether s is written as it is between quotes: valid
// UTF-8 without a byte to escape nor U+2028 or U+2029 (E2 80 A8/A9). Most
// messages are, and one pass over the bytes costs less than decoding every
// accented letter.
func jsonPlain(s string) bool {
	ascii := true
	for i := 0; i < len(s); {
		// Eight bytes at a time while they are printable ASCII without '"'
		// or '\\' (paths, rule names, most words of a message); then the
		// next eight (or the last few) one by one.
		i = swar.Skip(s, i, plainWord)
		for end := min(i+8, len(s)); i < end; i++ {
			switch b := s[i]; {
			case b < 0x20 || b == '"' || b == '\\':
				return false
			case b == 0xE2 && i+2 < len(s) && s[i+1] == 0x80 && (s[i+2] == 0xA8 || s[i+2] == 0xA9):
				return false
			case b >= utf8.RuneSelf:
				ascii = false
			}
		}
	}
	return ascii || utf8.ValidString(s)
}

// plainWord tells whether the eight bytes of v are printable ASCII other
// than '"' and '\\'.
func plainWord(v uint64) bool {
	return !swar.HasHigh(v) && !swar.HasLess(v, 0x20) && !swar.HasByte(v, '"') && !swar.HasByte(v, '\\')
}

// jsonWriter writes FormatJSON, streaming the findings.
type jsonWriter struct {
	out      *buffered
	findings jsonArray
	started  bool
	closed   bool
	scratch  []byte
}

func newJSONWriter(w io.Writer) *jsonWriter {
	out := newBuffered(w)
	return &jsonWriter{out: out, findings: jsonArray{out: out, indent: "  "}}
}

func (j *jsonWriter) start() {
	if !j.started {
		j.started = true
		j.out.WriteString("{\n  \"version\": " + strconv.Itoa(jsonVersion) + ",\n  \"findings\": ")
	}
}

func (j *jsonWriter) Document(string) {}

func (j *jsonWriter) Finding(f Finding) {
	if j.closed || !reported(f) {
		return
	}
	j.scratch = j.encodeFinding(j.scratch[:0], f)
	j.findingEncoded(f, j.scratch)
}

// encodeFinding reads only the array's indent, set when the writer is made.
func (j *jsonWriter) encodeFinding(dst []byte, f Finding) []byte {
	if !reported(f) {
		return dst
	}
	line, col := position(f)
	return appendFinding(dst, j.findings.indent+"  ", &jsonFinding{
		Path:        f.Path,
		Line:        line,
		Column:      col,
		Severity:    f.Severity.String(),
		Rule:        f.Rule,
		Message:     f.Message,
		Fingerprint: Fingerprint(f),
	})
}

func (j *jsonWriter) findingEncoded(f Finding, enc []byte) {
	if j.closed || !reported(f) {
		return
	}
	j.start()
	j.findings.addRaw(enc)
}

func (j *jsonWriter) Close(s Summary) error {
	if j.closed {
		return j.out.err
	}
	j.closed = true
	j.start()
	j.findings.close()
	b, err := marshalIndent(jsonSummary(s), "  ")
	if err != nil && j.out.err == nil {
		j.out.err = err
	}
	j.out.WriteString(",\n  \"summary\": ")
	j.out.Write(b)
	j.out.WriteString("\n}\n")
	return j.out.flush()
}
