package validate

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The golden files of the output formats live in testdata/format/;
// go test ./validate/ -run Format -update rewrites them.
//
// The flag is defined in init, and only when no other test file of the
// package defined it first (package variables are initialised before any
// init), so that two golden tests of the package can share -update.
func init() {
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite the golden files under testdata/")
	}
}

func updateGolden() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

// golden compares got with testdata/format/name, or rewrites the file under
// -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	file := filepath.Join("testdata", "format", name)
	if updateGolden() {
		if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(file, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("%v (run go test ./validate/ -run Format -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (go test ./validate/ -run Format -update rewrites it)\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

// The documents of the fixture run, case-root relative.
const (
	docFiche      = "beneficiaires/jean-dupont/fiche.md"
	docInitial    = "beneficiaires/jean-dupont/2026-01-05-entretien-initial.md"
	docSuivi      = "beneficiaires/jean-dupont/2026-02-10-entretien-suivi.md"
	docDiagnostic = "beneficiaires/lea-martin/2026-03-02-entretien-diagnostic.md"
)

// trickyMessage has a colon, a comma, a line break and a percent sign, all
// of which the github format must escape.
const trickyMessage = "L'objectif O2 (réalisé à 40 %) devait être atteint le 2026-01-31 : faites le point,\nou donnez-lui une nouvelle échéance."

// fixtureCall is one call of the fixture run: a Document or a Finding.
type fixtureCall struct {
	doc     string
	finding *Finding
}

// fixture is a run as the validator makes it: a clean document, findings
// of every severity with French accents, two findings sharing a
// fingerprint, one that is turned off (dropped by every writer), and a
// case-level finding on a document announced earlier.
func fixture() []fixtureCall {
	f := func(x Finding) fixtureCall { return fixtureCall{finding: &x} }
	return []fixtureCall{
		{doc: docFiche},
		{doc: docInitial},
		f(Finding{Path: docInitial, Line: 1, Column: 1, Severity: Error, Rule: "champ-manquant",
			Message: "Ajoutez le champ « objectif_entretien » : il est obligatoire pour un entretien-initial.", Key: "objectif_entretien"}),
		f(Finding{Path: docInitial, Line: 1, Column: 1, Severity: Error, Rule: "information-rgpd",
			Message: "Notez dans information_rgpd la date où la personne a été informée de l'usage de ses données.", Key: "information_rgpd"}),
		f(Finding{Path: docInitial, Line: 7, Column: 1, Severity: Warning, Rule: "champ-inconnu",
			Message: "Champ « formatuer » inconnu : vouliez-vous dire « formateur » ?", Key: "formatuer"}),
		{doc: docSuivi},
		f(Finding{Path: docSuivi, Line: 9, Column: 17, Severity: Warning, Rule: "objectif-en-retard",
			Message: trickyMessage, Key: "objectifs[O2]"}),
		f(Finding{Path: docSuivi, Line: 12, Column: 23, Severity: Info, Rule: "propos-jugeant",
			Message: "« paresseux » juge la personne : décrivez des faits observables."}),
		f(Finding{Path: docSuivi, Line: 30, Column: 5, Severity: Info, Rule: "propos-jugeant",
			Message: "« paresseux » juge la personne : décrivez des faits observables."}),
		f(Finding{Path: docSuivi, Line: 3, Column: 1, Severity: Off, Rule: "brouillon-ancien",
			Message: "désactivée : ne doit apparaître nulle part"}),
		{doc: docDiagnostic},
		f(Finding{Path: docDiagnostic, Line: 14, Column: 8, Severity: Error, Rule: "donnee-sensible",
			Message: "Numéro de sécurité sociale (NIR) : supprimez-le, il ne doit pas être conservé.", Key: "corps:nir"}),
		f(Finding{Path: docDiagnostic, Line: 21, Column: 16, Severity: Error, Rule: "champ-invalide",
			Message: "Valeur de evaluation.autonomie invalide : un entier de 1 à 4 est attendu (<= 4 & >= 1).", Key: "evaluation.autonomie"}),
		// Case-level: found once every document is read.
		f(Finding{Path: docSuivi, Line: 4, Column: 7, Severity: Warning, Rule: "rythme",
			Message: "48 jours depuis l'entretien précédent, au-delà des 42 prévus : planifiez plus tôt ou justifiez l'écart par une dérogation.", Key: "date"}),
	}
}

// fixtureSummary is what a Counter finds in fixture().
var fixtureSummary = Summary{Errors: 4, Warnings: 3, Infos: 2, Documents: 4}

// play sends calls to w through a Multi with a Counter, as acc validate
// does, and closes it with the Counter's summary.
func play(t *testing.T, w Writer, calls []fixtureCall) Summary {
	t.Helper()
	var c Counter
	m := Multi(&c, w)
	for _, call := range calls {
		if call.finding != nil {
			m.Finding(*call.finding)
		} else {
			m.Document(call.doc)
		}
	}
	if err := m.Close(c.Summary); err != nil {
		t.Fatalf("Close: %v", err)
	}
	return c.Summary
}

// render writes calls in format f with the examples' Git prefix.
func render(t *testing.T, f Format, calls []fixtureCall, o Options) []byte {
	t.Helper()
	var b bytes.Buffer
	w, err := NewWriter(f, &b, o)
	if err != nil {
		t.Fatal(err)
	}
	play(t, w, calls)
	return b.Bytes()
}

var goldenExt = map[Format]string{
	FormatText:   "txt",
	FormatJSON:   "json",
	FormatSARIF:  "sarif",
	FormatJUnit:  "xml",
	FormatGitHub: "github.txt",
	FormatGitLab: "gitlab.json",
}

func TestFormatGolden(t *testing.T) {
	empty := []fixtureCall{{doc: docFiche}}
	for _, f := range Formats() {
		t.Run(string(f), func(t *testing.T) {
			var step bytes.Buffer
			o := Options{GitPrefix: "examples", ToolVersion: "1.2.3", StepSummary: &step}
			golden(t, "run."+goldenExt[f], render(t, f, fixture(), o))
			if f == FormatGitHub {
				golden(t, "run.step-summary.md", step.Bytes())
				step.Reset()
			}
			golden(t, "clean."+goldenExt[f], render(t, f, empty, o))
			if f == FormatGitHub {
				golden(t, "clean.step-summary.md", step.Bytes())
			}
		})
	}
}

func TestFormatCounter(t *testing.T) {
	var b bytes.Buffer
	w, _ := NewWriter(FormatText, &b, Options{})
	if got := play(t, w, fixture()); got != fixtureSummary {
		t.Errorf("Counter = %+v, want %+v", got, fixtureSummary)
	}
}

func TestFormatTextSummaryPlurals(t *testing.T) {
	for _, c := range []struct {
		s    Summary
		want string
	}{
		{Summary{}, "0 erreur, 0 avertissement, 0 info dans 0 document"},
		{Summary{1, 1, 1, 1}, "1 erreur, 1 avertissement, 1 info dans 1 document"},
		{Summary{2, 1, 0, 14}, "2 erreurs, 1 avertissement, 0 info dans 14 documents"},
		{Summary{2, 3, 4, 2}, "2 erreurs, 3 avertissements, 4 info dans 2 documents"},
	} {
		if got := c.s.String(); got != c.want {
			t.Errorf("%+v.String() = %q, want %q", c.s, got, c.want)
		}
	}
}

func TestFormatTextLines(t *testing.T) {
	out := string(render(t, FormatText, fixture(), Options{GitPrefix: "examples"}))
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != 10 { // 9 findings, the summary
		t.Fatalf("got %d lines, want 10:\n%s", len(lines), out)
	}
	want := docSuivi + ":9:17: avertissement objectif-en-retard: L'objectif O2 (réalisé à 40 %) devait être atteint le 2026-01-31 : faites le point, ou donnez-lui une nouvelle échéance."
	if lines[3] != want {
		t.Errorf("line with a line break:\n got %q\nwant %q", lines[3], want)
	}
	if !strings.HasPrefix(lines[0], docInitial+":1:1: erreur champ-manquant: ") {
		t.Errorf("text paths are case-root relative: %q", lines[0])
	}
	if strings.Contains(out, "désactivée") {
		t.Error("a finding turned off was written")
	}
	if lines[9] != fixtureSummary.String() {
		t.Errorf("last line %q, want the summary", lines[9])
	}
}

func TestFormatParse(t *testing.T) {
	for _, s := range []string{"text", "json", "sarif", "junit", "github", "gitlab", " SARIF "} {
		if _, err := ParseFormat(s); err != nil {
			t.Errorf("ParseFormat(%q): %v", s, err)
		}
	}
	for _, s := range []string{"", "xml", "code-quality"} {
		_, err := ParseFormat(s)
		if !errors.Is(err, ErrUnknownFormat) {
			t.Errorf("ParseFormat(%q) = %v, want ErrUnknownFormat", s, err)
			continue
		}
		if !strings.Contains(err.Error(), "text, json, sarif, junit, github, gitlab") {
			t.Errorf("ParseFormat(%q) error does not list the formats: %v", s, err)
		}
	}
	if _, err := NewWriter("xml", &bytes.Buffer{}, Options{}); !errors.Is(err, ErrUnknownFormat) {
		t.Errorf("NewWriter(xml) = %v, want ErrUnknownFormat", err)
	}
}

func TestFormatParseOutput(t *testing.T) {
	for _, c := range []struct {
		spec   string
		format Format
		file   string
		err    error
	}{
		{"sarif=acc.sarif", FormatSARIF, "acc.sarif", nil},
		{"gitlab=rapports/gl-code-quality.json", FormatGitLab, "rapports/gl-code-quality.json", nil},
		{"junit=a=b.xml", FormatJUnit, "a=b.xml", nil},
		{"text=-", FormatText, "-", nil},
		{"sarif", "", "", ErrOutputSpec},
		{"sarif=", "", "", ErrOutputSpec},
		{"=acc.sarif", "", "", ErrUnknownFormat},
		{"xml=acc.xml", "", "", ErrUnknownFormat},
	} {
		f, file, err := ParseOutput(c.spec)
		if c.err != nil {
			if !errors.Is(err, c.err) {
				t.Errorf("ParseOutput(%q) error = %v, want %v", c.spec, err, c.err)
			}
			continue
		}
		if err != nil || f != c.format || file != c.file {
			t.Errorf("ParseOutput(%q) = %q, %q, %v; want %q, %q", c.spec, f, file, err, c.format, c.file)
		}
	}
	_, _, err := ParseOutput("xml=acc.xml")
	if err == nil || !strings.Contains(err.Error(), "« xml=acc.xml »") || !strings.Contains(err.Error(), "formats possibles") {
		t.Errorf("ParseOutput error should name the value and the formats: %v", err)
	}
}

func TestFormatDefault(t *testing.T) {
	env := map[string]string{}
	getenv := func(k string) string { return env[k] }
	if f := DefaultFormat(getenv); f != FormatText {
		t.Errorf("DefaultFormat outside Actions = %s", f)
	}
	env["GITHUB_ACTIONS"] = "true"
	if f := DefaultFormat(getenv); f != FormatGitHub {
		t.Errorf("DefaultFormat in Actions = %s", f)
	}
}

func TestFormatFingerprint(t *testing.T) {
	base := Finding{Path: docSuivi, Line: 9, Column: 17, Severity: Warning, Rule: "objectif-en-retard", Message: trickyMessage, Key: "objectifs[O2]"}
	fp := Fingerprint(base)
	if len(fp) != 32 || strings.Trim(fp, "0123456789abcdef") != "" {
		t.Fatalf("Fingerprint = %q, want 32 lowercase hex digits", fp)
	}
	same := func(name string, change func(*Finding)) {
		f := base
		change(&f)
		if Fingerprint(f) != fp {
			t.Errorf("fingerprint changed with the %s", name)
		}
	}
	differs := func(name string, change func(*Finding)) {
		f := base
		change(&f)
		if Fingerprint(f) == fp {
			t.Errorf("fingerprint unchanged with the %s", name)
		}
	}
	same("line", func(f *Finding) { f.Line = 40 })
	same("column", func(f *Finding) { f.Column = 1 })
	same("severity", func(f *Finding) { f.Severity = Error })
	same("message, when a key is set", func(f *Finding) { f.Message = "autre" })
	differs("rule", func(f *Finding) { f.Rule = "action-en-retard" })
	differs("path", func(f *Finding) { f.Path = docInitial })
	differs("key", func(f *Finding) { f.Key = "objectifs[O3]" })
	differs("key removed", func(f *Finding) { f.Key = "" })

	noKey := base
	noKey.Key = ""
	fpm := Fingerprint(noKey)
	noKey.Line = 99
	if Fingerprint(noKey) != fpm {
		t.Error("fingerprint without a key changed with the line")
	}
	noKey.Message = "autre"
	if Fingerprint(noKey) == fpm {
		t.Error("fingerprint without a key unchanged with the message")
	}
	// A key that equals a message is no collision.
	a := Finding{Rule: "r", Path: "p", Key: "m"}
	b := Finding{Rule: "r", Path: "p", Message: "m"}
	if Fingerprint(a) == Fingerprint(b) {
		t.Error("key and message with the same text collide")
	}
}

// failingWriter fails every write.
type failingWriter struct{}

var errDiskFull = errors.New("disque plein")

func (failingWriter) Write([]byte) (int, error) { return 0, errDiskFull }

func TestFormatWriteError(t *testing.T) {
	for _, f := range Formats() {
		w, err := NewWriter(f, failingWriter{}, Options{StepSummary: failingWriter{}})
		if err != nil {
			t.Fatal(err)
		}
		for _, call := range fixture() {
			if call.finding != nil {
				w.Finding(*call.finding)
			} else {
				w.Document(call.doc)
			}
		}
		if err := w.Close(fixtureSummary); !errors.Is(err, errDiskFull) {
			t.Errorf("%s: Close = %v, want the write error", f, err)
		}
		if err := w.Close(fixtureSummary); !errors.Is(err, errDiskFull) {
			t.Errorf("%s: second Close = %v, want the write error again", f, err)
		}
	}
}

func TestFormatCloseTwice(t *testing.T) {
	for _, f := range Formats() {
		var b bytes.Buffer
		w, _ := NewWriter(f, &b, Options{})
		w.Document(docFiche)
		if err := w.Close(Summary{Documents: 1}); err != nil {
			t.Fatal(err)
		}
		n := b.Len()
		w.Finding(Finding{Path: docFiche, Line: 1, Column: 1, Severity: Error, Rule: "champ-manquant", Message: "trop tard"})
		if err := w.Close(Summary{Documents: 1}); err != nil {
			t.Errorf("%s: second Close: %v", f, err)
		}
		if b.Len() != n {
			t.Errorf("%s: wrote after Close", f)
		}
	}
}

func TestFormatMulti(t *testing.T) {
	var a, b bytes.Buffer
	wa, _ := NewWriter(FormatText, &a, Options{})
	wb, _ := NewWriter(FormatJSON, &b, Options{})
	play(t, Multi(wa, nil, wb), fixture())
	if !bytes.Equal(a.Bytes(), render(t, FormatText, fixture(), Options{})) {
		t.Error("Multi's text output differs from text alone")
	}
	if !bytes.Equal(b.Bytes(), render(t, FormatJSON, fixture(), Options{})) {
		t.Error("Multi's json output differs from json alone")
	}
	wf, _ := NewWriter(FormatText, failingWriter{}, Options{})
	wc, _ := NewWriter(FormatText, &bytes.Buffer{}, Options{})
	if err := Multi(wf, wc).Close(Summary{}); !errors.Is(err, errDiskFull) {
		t.Errorf("Multi Close = %v, want the failing writer's error", err)
	}
}

func TestFormatGitPath(t *testing.T) {
	for _, c := range []struct{ prefix, p, want string }{
		{"", "beneficiaires/a/fiche.md", "beneficiaires/a/fiche.md"},
		{".", "beneficiaires/a/fiche.md", "beneficiaires/a/fiche.md"},
		{"examples", "beneficiaires/a/fiche.md", "examples/beneficiaires/a/fiche.md"},
		{"examples/", "beneficiaires/a/fiche.md", "examples/beneficiaires/a/fiche.md"},
		{"suivi/équipe 2", "acc.yaml", "suivi/équipe 2/acc.yaml"},
	} {
		if got := gitPath(c.prefix, c.p); got != c.want {
			t.Errorf("gitPath(%q, %q) = %q, want %q", c.prefix, c.p, got, c.want)
		}
	}
}
