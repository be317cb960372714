package report

import (
	"bytes"
	"flag"
	"iter"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/acc-formation/acc/casefile"
	"github.com/acc-formation/acc/validate"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// examplesDir is the project's invented caseload, read in place.
const examplesDir = "../examples"

var today = time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)

// testOptions are the options of the golden files: the examples' acc.yaml,
// a fixed day and a fixed salt.
func testOptions(t testing.TB) Options {
	t.Helper()
	src, err := os.ReadFile(filepath.Join(examplesDir, casefile.ConfigFile))
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := casefile.ParseConfig(casefile.ConfigFile, src)
	if err != nil {
		t.Fatal(err)
	}
	o := Options{Today: today, Salt: []byte("sel-des-tests")}
	o.ApplyConfig(cfg)
	return o
}

// loadCase reads and folds a beneficiary of the examples.
func loadCase(t testing.TB, id string) *casefile.Case {
	t.Helper()
	dir := filepath.Join(examplesDir, casefile.BeneficiariesDir, id)
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var fiche *casefile.Document
	var docs []*casefile.Document
	for _, e := range ents {
		if !strings.HasSuffix(e.Name(), ".md") {
			continue
		}
		src, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		d := casefile.Parse(path.Join(casefile.BeneficiariesDir, id, e.Name()), src)
		if e.Name() == casefile.FicheFile {
			fiche = d
		} else {
			docs = append(docs, d)
		}
	}
	return casefile.NewCase(id, fiche, docs, func(n string) (int, bool) {
		ti, ok := BuiltinTypes(n)
		return ti.Rank, ok
	})
}

func exampleIDs(t testing.TB) []string {
	t.Helper()
	ents, err := os.ReadDir(filepath.Join(examplesDir, casefile.BeneficiariesDir))
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, e := range ents {
		if e.IsDir() {
			ids = append(ids, e.Name())
		}
	}
	if len(ids) == 0 {
		t.Fatal("no beneficiary in the examples")
	}
	return ids
}

// exampleCases yields every beneficiary of the examples with no finding
// (the examples validate clean at the fixed day).
func exampleCases(t testing.TB) iter.Seq2[*casefile.Case, []validate.Finding] {
	return func(yield func(*casefile.Case, []validate.Finding) bool) {
		for _, id := range exampleIDs(t) {
			if !yield(loadCase(t, id), []validate.Finding{}) {
				return
			}
		}
	}
}

var formats = []Format{Markdown, HTML, JSON}

func render(t testing.TB, f Format, r Report) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := Write(&buf, f, r); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	file := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(file, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("%v (run go test ./report -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file; run go test ./report -update and review the diff\n%s", file, firstDiff(want, got))
	}
}

func firstDiff(want, got []byte) string {
	wl, gl := strings.Split(string(want), "\n"), strings.Split(string(got), "\n")
	for i := 0; i < len(wl) || i < len(gl); i++ {
		var w, g string
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if w != g {
			return "line " + strconv.Itoa(i+1) + ":\n  want: " + w + "\n  got:  " + g
		}
	}
	return ""
}

func ext(f Format) string { return string(f) }

func TestGoldenBeneficiary(t *testing.T) {
	opt := testOptions(t)
	for _, id := range []string{"elodie-n-guessan", "maelle-kergoat"} {
		b, err := BuildBeneficiary(loadCase(t, id), []validate.Finding{}, opt)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range formats {
			if id != "elodie-n-guessan" && f != Markdown {
				continue
			}
			golden(t, "beneficiaire-"+id+"."+ext(f)+".golden", render(t, f, b))
		}
	}
	anon := opt
	anon.Anonymize = true
	b, err := BuildBeneficiary(loadCase(t, "lucas-perrin"), []validate.Finding{}, anon)
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "beneficiaire-anonyme.md.golden", render(t, Markdown, b))
}

func TestGoldenCaseload(t *testing.T) {
	for _, anon := range []bool{false, true} {
		opt := testOptions(t)
		opt.Anonymize = anon
		c, err := BuildCaseload(exampleCases(t), opt)
		if err != nil {
			t.Fatal(err)
		}
		name := "file-active"
		if anon {
			name += "-anonyme"
		}
		for _, f := range formats {
			golden(t, name+"."+ext(f)+".golden", render(t, f, c))
		}
	}
}

func TestGoldenQualiopi(t *testing.T) {
	q, err := BuildQualiopi(exampleCases(t), testOptions(t))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range formats {
		golden(t, "qualiopi."+ext(f)+".golden", render(t, f, q))
	}
}
