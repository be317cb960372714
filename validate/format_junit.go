package validate

import (
	"encoding/xml"
	"io"
	"slices"
	"strings"
)

const junitSuiteName = "acc validate"

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Errors   int         `xml:"errors,attr"`
	Skipped  int         `xml:"skipped,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Classname string        `xml:"classname,attr"`
	Name      string        `xml:"name,attr"`
	Failure   *junitFailure `xml:"failure,omitempty"`
	SystemOut xmlText       `xml:"system-out,omitempty"`
}

type junitFailure struct {
	Type    string
	Message string
	Text    string
}

// MarshalXML writes the failure's text with its line breaks as they are
// (encoding/xml writes a chardata field's as &#xA;, which is valid but
// unreadable).
func (f *junitFailure) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	start.Attr = append(start.Attr,
		xml.Attr{Name: xml.Name{Local: "type"}, Value: f.Type},
		xml.Attr{Name: xml.Name{Local: "message"}, Value: f.Message})
	return xmlText(f.Text).MarshalXML(e, start)
}

// xmlText is element text written with its line breaks as they are.
type xmlText string

// MarshalXML writes start, the text and the end element. encoding/xml
// escapes what XML requires and replaces characters XML cannot hold.
func (t xmlText) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	if err := e.EncodeToken(start); err != nil {
		return err
	}
	if err := e.EncodeToken(xml.CharData(t)); err != nil {
		return err
	}
	return e.EncodeToken(start.End())
}

// junitDoc gathers a document's findings until Close.
type junitDoc struct {
	path     string // Git-root relative
	findings []Finding
}

// junitWriter writes FormatJUnit at Close.
type junitWriter struct {
	w      io.Writer
	prefix string
	docs   []*junitDoc
	byPath map[string]*junitDoc // by case-root path
	closed bool
	err    error
}

func newJUnitWriter(w io.Writer, o Options) *junitWriter {
	return &junitWriter{w: w, prefix: o.GitPrefix, byPath: map[string]*junitDoc{}}
}

func (j *junitWriter) doc(p string) *junitDoc {
	d, ok := j.byPath[p]
	if !ok {
		d = &junitDoc{path: gitPath(j.prefix, p)}
		j.byPath[p] = d
		j.docs = append(j.docs, d)
	}
	return d
}

func (j *junitWriter) Document(p string) {
	if !j.closed {
		j.doc(p)
	}
}

func (j *junitWriter) Finding(f Finding) {
	if j.closed || !reported(f) {
		return
	}
	d := j.doc(f.Path)
	d.findings = append(d.findings, f)
}

// testCase builds a document's test case; see FormatJUnit. Findings are
// listed by position (in arrival order at one position): case-level ones may
// have come last.
func (d *junitDoc) testCase() junitCase {
	c := junitCase{Classname: "acc", Name: d.path}
	slices.SortStableFunc(d.findings, func(a, b Finding) int {
		la, ca := position(a)
		lb, cb := position(b)
		if la != lb {
			return la - lb
		}
		return ca - cb
	})
	var errs, others strings.Builder
	var rules []string
	n := 0
	first := ""
	for _, f := range d.findings {
		if f.Severity != Error {
			others.WriteString(textLine(d.path, f))
			continue
		}
		errs.WriteString(textLine(d.path, f))
		if n == 0 {
			first = f.Rule + ": " + f.Message
		}
		n++
		seen := false
		for _, r := range rules {
			seen = seen || r == f.Rule
		}
		if !seen {
			rules = append(rules, f.Rule)
		}
	}
	if n > 0 {
		message := first
		if n > 1 {
			message += " (et " + plural(n-1, "autre erreur", "autres erreurs") + ")"
		}
		c.Failure = &junitFailure{Type: strings.Join(rules, ", "), Message: message, Text: errs.String()}
	}
	c.SystemOut = xmlText(others.String())
	return c
}

func (j *junitWriter) Close(Summary) error {
	if j.closed {
		return j.err
	}
	j.closed = true
	suite := junitSuite{Name: junitSuiteName, Cases: make([]junitCase, 0, len(j.docs))}
	for _, d := range j.docs {
		c := d.testCase()
		suite.Tests++
		if c.Failure != nil {
			suite.Failures++
		}
		suite.Cases = append(suite.Cases, c)
	}
	j.docs, j.byPath = nil, nil
	all := junitSuites{Name: junitSuiteName, Tests: suite.Tests, Failures: suite.Failures, Suites: []junitSuite{suite}}
	out := newBuffered(j.w)
	out.WriteString(xml.Header)
	e := xml.NewEncoder(out.bw)
	e.Indent("", "  ")
	if err := e.Encode(all); err != nil {
		j.err = err
		return err
	}
	out.WriteString("\n")
	j.err = out.flush()
	return j.err
}
