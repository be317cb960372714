package validate

import (
	"bytes"
	"encoding/json"
	"io"
	"strconv"
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

// jsonWriter writes FormatJSON, streaming the findings.
type jsonWriter struct {
	out      *buffered
	findings jsonArray
	started  bool
	closed   bool
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
	j.start()
	line, col := position(f)
	j.findings.add(jsonFinding{
		Path:        f.Path,
		Line:        line,
		Column:      col,
		Severity:    f.Severity.String(),
		Rule:        f.Rule,
		Message:     f.Message,
		Fingerprint: Fingerprint(f),
	})
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
