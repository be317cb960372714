package validate

// Output formats of acc validate (DESIGN §5, "acc validate output formats",
// and §5.1). The writers receive the findings one at a time, as the
// validator produces them, and write one format each; see Format for the
// shape of every format and the choices DESIGN leaves open.

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"path"
	"strconv"
	"strings"

	"github.com/acc-formation/acc/internal/termtext"
)

// Format names an output format of acc validate.
type Format string

// The formats of acc validate --format. Paths are relative to the case-file
// root (the acc.yaml folder) in text and json, and to the Git root in the
// other four, where CI systems look for files (Options.GitPrefix).
//
// Lines and columns below 1 (unknown) are written as 1 in every format:
// DESIGN points something absent at line 1, column 1, and SARIF forbids 0.
// Findings whose severity is Off (or not a severity at all) are dropped by
// every writer and counted by none.
const (
	// FormatText writes one finding a line, as soon as it arrives:
	//
	//	PATH:LINE:COL: SEVERITY RULE: MESSAGE
	//
	// with the French severity words (erreur, avertissement, info); line
	// breaks and other control characters of the path and message become
	// spaces, so that a finding is always one line. Close writes the summary
	// line (Summary.String), alone when there is no finding.
	FormatText Format = "text"

	// FormatJSON writes, indented by two spaces, keys in this order:
	//
	//	{"version": 1,
	//	 "findings": [{"path", "line", "column", "severity", "rule", "message", "fingerprint"}],
	//	 "summary": {"errors", "warnings", "infos", "documents"}}
	//
	// severity is error, warning or info; fingerprint is Fingerprint;
	// findings is [] when empty. Findings are streamed as they arrive; the
	// document is complete only after Close. HTML characters are not escaped.
	FormatJSON Format = "json"

	// FormatSARIF writes a SARIF 2.1.0 log with one run: tool.driver "acc"
	// with the version of Options.ToolVersion and every rule of Rules (id,
	// name = id, shortDescription = Summary, fullDescription and help =
	// Help, defaultConfiguration.level), then a rule descriptor (id only) for
	// each unknown rule id a finding uses, so that every ruleIndex is valid.
	// The run says language "fr-FR" and columnKind "unicodeCodePoints"
	// (columns count characters). Each result has ruleId, ruleIndex, level
	// (error, warning, note), message.text, one physical location (uri: the
	// Git-root relative path, percent-encoded as a URI reference, with
	// uriBaseId "%SRCROOT%"; region startLine and startColumn) and
	// partialFingerprints {"accFingerprint/v1": Fingerprint}. Results are
	// kept until Close.
	FormatSARIF Format = "sarif"

	// FormatJUnit writes JUnit XML: <testsuites> holding one <testsuite
	// name="acc validate">, and one <testcase classname="acc"
	// name="GIT-ROOT PATH"> per document, in the order of Writer.Document
	// (then documents that only findings named, in order of appearance).
	//
	// A document with errors has exactly one <failure>: many JUnit readers
	// (xunitparser, Allure, action-junit-report) count, show or even see only
	// one failure per test case. Its type lists the rules of the errors, its
	// message is the first error ("RULE: MESSAGE", plus "(et N autres
	// erreurs)"), its text has every error as a text-format line (Git-root
	// path). Warnings and infos do not fail the test case (they fail the run
	// only under --max-warnings, which the caller judges): they are listed,
	// as text-format lines, in the test case's <system-out>. A document's
	// findings are sorted by line and column. tests counts test
	// cases, failures the test cases with a <failure>, errors and skipped
	// are 0 (a JUnit "error" is a test that could not run). Everything is
	// kept until Close, since case-level findings may name a document long
	// after it was announced.
	FormatJUnit Format = "junit"

	// FormatGitHub writes GitHub Actions workflow commands, one a finding,
	// as soon as it arrives:
	//
	//	::error file=GIT-ROOT PATH,line=L,col=C,title=RULE::MESSAGE
	//
	// (::warning, and ::notice for infos), escaped as @actions/core does: %,
	// CR and LF as %25, %0D, %0A everywhere, and : and , as %3A and %2C in
	// the properties. Close writes the summary line and, when
	// Options.StepSummary is set, appends to it a Markdown report: a table
	// rule | sévérité | nombre (errors first, then the order of Rules) and the
	// summary line. GitHub shows only the first annotations of a step; the
	// step summary has the totals.
	FormatGitHub Format = "github"

	// FormatGitLab writes a GitLab Code Quality report (a JSON array, []
	// when empty) of objects {description: "RULE: MESSAGE", check_name: RULE,
	// fingerprint, severity, location: {path: GIT-ROOT PATH, lines: {begin:
	// L}}}, streamed as findings arrive. Severities: error → major (critical
	// for donnee-sensible, the one rule that blocks a commit), warning →
	// minor, info → info; GitLab's blocker is left unused. GitLab requires
	// fingerprints unique within a report: the fingerprint is Fingerprint,
	// and when the same one comes again in the run (two findings with the
	// same rule, path and key) the repeat gets a hash of it and its
	// occurrence number, so repeats stay stable while the order of findings
	// does.
	FormatGitLab Format = "gitlab"
)

// Formats returns the formats of acc validate, in the order of its help.
func Formats() []Format {
	return []Format{FormatText, FormatJSON, FormatSARIF, FormatJUnit, FormatGitHub, FormatGitLab}
}

// ErrUnknownFormat is wrapped by the errors of ParseFormat, ParseOutput and
// NewWriter for a format name that is not one of Formats.
var ErrUnknownFormat = errors.New("format inconnu")

// ErrOutputSpec is wrapped by the errors of ParseOutput for a value that is
// not FORMAT=FICHIER.
var ErrOutputSpec = errors.New("--output attend FORMAT=FICHIER")

func formatList() string {
	names := make([]string, 0, 6)
	for _, f := range Formats() {
		names = append(names, string(f))
	}
	return strings.Join(names, ", ")
}

// ParseFormat reads a format name, ignoring case and surrounding spaces.
// An unknown or empty name gives an error (wrapping ErrUnknownFormat) that
// lists the valid ones.
func ParseFormat(s string) (Format, error) {
	name := strings.ToLower(strings.TrimSpace(s))
	for _, f := range Formats() {
		if string(f) == name {
			return f, nil
		}
	}
	if name == "" {
		return "", fmt.Errorf("%w : format manquant ; formats possibles : %s", ErrUnknownFormat, formatList())
	}
	return "", fmt.Errorf("%w « %s » ; formats possibles : %s", ErrUnknownFormat, s, formatList())
}

// ParseOutput reads one value of the repeatable --output FORMAT=FILE flag.
// The file name is everything after the first "=", returned as is (the
// caller decides what "-" means, and resolves it against -C). Errors are
// French and wrap ErrOutputSpec (no "=", no file name) or ErrUnknownFormat.
func ParseOutput(spec string) (Format, string, error) {
	name, file, ok := strings.Cut(spec, "=")
	if !ok {
		return "", "", fmt.Errorf("%w (par exemple sarif=acc.sarif), reçu « %s »", ErrOutputSpec, spec)
	}
	f, err := ParseFormat(name)
	if err != nil {
		return "", "", fmt.Errorf("--output « %s » : %w", spec, err)
	}
	if strings.TrimSpace(file) == "" {
		return "", "", fmt.Errorf("%w : nom de fichier manquant dans « %s »", ErrOutputSpec, spec)
	}
	return f, file, nil
}

// DefaultFormat is the format used without --format: github when the
// GITHUB_ACTIONS variable is "true" (as GitHub Actions sets it), else text.
// getenv is os.Getenv in the command, a map in tests.
func DefaultFormat(getenv func(string) string) Format {
	if getenv != nil && getenv("GITHUB_ACTIONS") == "true" {
		return FormatGitHub
	}
	return FormatText
}

// Summary counts the findings of a run by severity, and the documents
// checked.
type Summary struct {
	Errors, Warnings, Infos, Documents int
}

// String returns the French summary line of the text and github formats,
// e.g. "2 erreurs, 1 avertissement, 0 info dans 14 documents". As French
// does, 0 and 1 take the singular and 2 or more the plural; "info" (the
// severity word, an abbreviation) is invariable.
func (s Summary) String() string {
	return fmt.Sprintf("%s, %s, %d info dans %s",
		plural(s.Errors, "erreur", "erreurs"),
		plural(s.Warnings, "avertissement", "avertissements"),
		s.Infos,
		plural(s.Documents, "document", "documents"))
}

// plural writes n and the French noun, singular for 0 and 1.
func plural(n int, one, many string) string {
	if n >= 2 {
		return strconv.Itoa(n) + " " + many
	}
	return strconv.Itoa(n) + " " + one
}

// Writer writes the output of acc validate in one format. The validator
// calls Document once for every document it checked (clean or not), and
// Finding for every finding, in a stable order; a document's findings may
// come before or after its Document call, or long after (case-level rules).
// Close writes what remains (the summary, closing brackets) and reports the
// first write error of the whole run: Document and Finding cannot fail, a
// failed write is kept for Close. Text and github write each finding at once
// with a single Write call and do not buffer, so pass a buffered writer for
// speed; the other formats buffer internally and flush in Close. Close does
// not close the io.Writer. A Writer is not safe for concurrent use, and does
// nothing after Close.
type Writer interface {
	Document(path string)
	Finding(f Finding)
	// Close writes s as the run's summary (text, json, github): pass the
	// tally of a Counter, or the caller's own. JUnit counts what it received,
	// since its counts must match its elements.
	Close(s Summary) error
}

// Options are the settings of the writers.
type Options struct {
	// GitPrefix is the slash path of the case-file root relative to the Git
	// root ("" when acc.yaml sits at the Git root, "examples" for the
	// project's examples). The sarif, junit, github and gitlab formats join
	// it to Finding.Path; text and json keep case-root paths.
	GitPrefix string
	// ToolVersion is acc's version, written in SARIF's tool.driver.version
	// (omitted when empty).
	ToolVersion string
	// StepSummary, for the github format, receives the Markdown summary
	// (the caller opens $GITHUB_STEP_SUMMARY for appending); nil for none.
	StepSummary io.Writer
}

// NewWriter returns the writer of format f on w. An f that is not one of
// Formats gives an error wrapping ErrUnknownFormat.
func NewWriter(f Format, w io.Writer, o Options) (Writer, error) {
	switch f {
	case FormatText:
		return &textWriter{out: sticky{w: w}}, nil
	case FormatJSON:
		return newJSONWriter(w), nil
	case FormatSARIF:
		return newSARIFWriter(w, o), nil
	case FormatJUnit:
		return newJUnitWriter(w, o), nil
	case FormatGitHub:
		return newGitHubWriter(w, o), nil
	case FormatGitLab:
		return newGitLabWriter(w, o), nil
	}
	return nil, fmt.Errorf("%w « %s » ; formats possibles : %s", ErrUnknownFormat, f, formatList())
}

// Multi returns a Writer that passes every call to each of writers, for
// --output. Close closes them all and joins their errors. Nil writers are
// skipped.
func Multi(writers ...Writer) Writer {
	ws := make(multi, 0, len(writers))
	for _, w := range writers {
		if w != nil {
			ws = append(ws, w)
		}
	}
	for i, w := range ws {
		if e, ok := w.(preEncoder); ok {
			return encodingMulti{multi: ws, i: i, enc: e}
		}
	}
	return ws
}

type multi []Writer

// preEncoder is a Writer whose encoding of a finding depends on the finding
// alone: Run has its workers encode each beneficiary's findings, so that
// the one goroutine that writes them only copies bytes (a warm run at 100k
// documents writes some 400k findings, and encoding them there took a
// third of its time). findingEncoded(f, encodeFinding(nil, f)) does what
// Finding(f) does; encodeFinding must be safe for concurrent use.
type preEncoder interface {
	encodeFinding(dst []byte, f Finding) []byte
	findingEncoded(f Finding, enc []byte)
}

// encodingMulti is a multi whose writer i encodes ahead.
type encodingMulti struct {
	multi
	i   int
	enc preEncoder
}

func (m encodingMulti) encodeFinding(dst []byte, f Finding) []byte {
	return m.enc.encodeFinding(dst, f)
}

func (m encodingMulti) findingEncoded(f Finding, enc []byte) {
	for i, w := range m.multi {
		if i == m.i {
			m.enc.findingEncoded(f, enc)
		} else {
			w.Finding(f)
		}
	}
}

func (m multi) Document(path string) {
	for _, w := range m {
		w.Document(path)
	}
}

func (m multi) Finding(f Finding) {
	for _, w := range m {
		w.Finding(f)
	}
}

func (m multi) Close(s Summary) error {
	var errs []error
	for _, w := range m {
		errs = append(errs, w.Close(s))
	}
	return errors.Join(errs...)
}

// Counter is a Writer that only counts, so that the caller has the Summary
// to give Close and to judge the exit code:
//
//	var c validate.Counter
//	w := validate.Multi(&c, out)
//	... w.Document(p); w.Finding(f) ...
//	err := w.Close(c.Summary)
//
// It counts Document calls, not distinct paths.
type Counter struct {
	Summary Summary
}

// Document counts a document.
func (c *Counter) Document(string) { c.Summary.Documents++ }

// Finding counts a finding by severity; Off findings are not counted.
func (c *Counter) Finding(f Finding) {
	switch f.Severity {
	case Error:
		c.Summary.Errors++
	case Warning:
		c.Summary.Warnings++
	case Info:
		c.Summary.Infos++
	}
}

// Close does nothing.
func (c *Counter) Close(Summary) error { return nil }

// Fingerprint identifies a finding across runs, for code scanning (SARIF
// partialFingerprints), GitLab and the json format: 32 hex digits, the first
// 128 bits of the SHA-256 of a version tag, the rule, the case-root path and
// Finding.Key — or, when Key is empty, the message. Neither the line nor the
// column nor the severity enter it, so a finding keeps its fingerprint when
// lines are added elsewhere in the file or when acc.yaml changes the rule's
// severity; it changes when the file is renamed. The path is the case-root
// one, so the fingerprint is the same in every format and wherever the
// case-file root sits in the Git repository. Two findings with the same
// rule, path and key (or message) share a fingerprint.
func Fingerprint(f Finding) string {
	// One buffer and one hash call: a run at 100k documents fingerprints
	// some 400k findings on the goroutine that writes them.
	const tag = "acc-fingerprint/v1\x00"
	var stack [256]byte
	b := append(stack[:0], tag...)
	b = append(b, f.Rule...)
	b = append(b, 0)
	b = append(b, f.Path...)
	if f.Key != "" {
		b = append(b, "\x00key\x00"...)
		b = append(b, f.Key...)
	} else {
		b = append(b, "\x00message\x00"...)
		b = append(b, f.Message...)
	}
	sum := sha256.Sum256(b)
	var out [32]byte
	hex.Encode(out[:], sum[:16])
	return string(out[:])
}

// reported tells whether a writer writes and counts f.
func reported(f Finding) bool {
	return f.Severity == Error || f.Severity == Warning || f.Severity == Info
}

// position returns the line and column of f, 1 when unknown.
func position(f Finding) (line, col int) {
	line, col = f.Line, f.Column
	if line < 1 {
		line = 1
	}
	if col < 1 {
		col = 1
	}
	return line, col
}

// gitPath returns the Git-root relative path of a case-root path.
func gitPath(prefix, p string) string {
	prefix = strings.Trim(prefix, "/")
	if prefix == "" || prefix == "." {
		return p
	}
	return path.Join(prefix, p)
}

// oneLine keeps a finding on its line and the terminal safe: line breaks
// and other control characters are escaped (termtext.Line, the one escaping
// of every acc output).
func oneLine(s string) string { return termtext.Line(s) }

// TextLine is f in the text format, with its newline: what acc validate
// prints, and what the commands that validate what they write print.
func TextLine(f Finding) string { return textLine(f.Path, f) }

// textLine is a finding in the text format, with its newline.
func textLine(p string, f Finding) string {
	line, col := position(f)
	return oneLine(p) + ":" + strconv.Itoa(line) + ":" + strconv.Itoa(col) + ": " +
		f.Severity.French() + " " + oneLine(f.Rule) + ": " + oneLine(f.Message) + "\n"
}

// sticky is an io.Writer wrapper that keeps the first error and writes
// nothing after it.
type sticky struct {
	w   io.Writer
	err error
}

func (s *sticky) WriteString(str string) {
	if s.err != nil {
		return
	}
	_, s.err = io.WriteString(s.w, str)
}

func (s *sticky) Write(p []byte) {
	if s.err != nil {
		return
	}
	_, s.err = s.w.Write(p)
}

// buffered is a sticky writer over a bufio.Writer, for the formats that are
// not read while they are written.
type buffered struct {
	sticky
	bw *bufio.Writer
}

func newBuffered(w io.Writer) *buffered {
	bw := bufio.NewWriterSize(w, 64<<10)
	return &buffered{sticky: sticky{w: bw}, bw: bw}
}

// flush flushes the buffer and returns the first error of the run.
func (b *buffered) flush() error {
	if b.err == nil {
		b.err = b.bw.Flush()
	}
	return b.err
}

// textWriter writes FormatText.
type textWriter struct {
	out    sticky
	closed bool
}

func (t *textWriter) Document(string) {}

func (t *textWriter) Finding(f Finding) {
	if t.closed || !reported(f) {
		return
	}
	t.out.WriteString(textLine(f.Path, f))
}

func (t *textWriter) encodeFinding(dst []byte, f Finding) []byte {
	if !reported(f) {
		return dst
	}
	return append(dst, textLine(f.Path, f)...)
}

func (t *textWriter) findingEncoded(f Finding, enc []byte) {
	if t.closed || !reported(f) {
		return
	}
	t.out.Write(enc)
}

func (t *textWriter) Close(s Summary) error {
	if !t.closed {
		t.closed = true
		t.out.WriteString(s.String() + "\n")
	}
	return t.out.err
}
