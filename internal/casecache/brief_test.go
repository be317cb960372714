package casecache

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/acc-formation/acc/casefile"
	"github.com/acc-formation/acc/templates"
	"github.com/acc-formation/acc/validate"
)

// TestBriefsAsFresh checks that the briefs the cache gives, cold and warm,
// after an edit and a deletion, are those of a fresh load, and that the
// documents in error follow the files.
func TestBriefsAsFresh(t *testing.T) {
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS("../../examples")); err != nil {
		t.Fatal(err)
	}
	repo, err := casefile.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	reg, err := templates.Load(repo.Abs(casefile.AccDir))
	if err != nil {
		t.Fatal(err)
	}
	settings, err := validate.NewSettings(repo.Config, "")
	if err != nil {
		t.Fatal(err)
	}
	today, _ := casefile.ParseDate("2026-12-05")
	q := casefile.Query{Today: today, Kinds: casefile.KindsOf(reg), Rules: settings.RuleSettings, Horizon: 6}
	c := &Cache{Repo: repo, Types: reg, Dir: filepath.Join(t.TempDir(), "cache"), Today: today}
	check := func(step string) []Followed {
		t.Helper()
		ids, err := repo.Beneficiaries()
		if err != nil {
			t.Fatal(err)
		}
		load := &casefile.Loader{Source: repo, Types: reg}
		for run := range 2 {
			got, others, err := c.Briefs(q, ids, true)
			if err != nil {
				t.Fatalf("%s, run %d: %v", step, run, err)
			}
			if len(got) != len(ids) || len(others) != 0 {
				t.Fatalf("%s, run %d: %d briefs for %d ids, others %v", step, run, len(got), len(ids), others)
			}
			for i, id := range ids {
				cs, err := load.Load(id)
				if err != nil {
					t.Fatal(err)
				}
				if want := q.Brief(cs); !reflect.DeepEqual(got[i].Brief, want) {
					t.Fatalf("%s, run %d, %s:\n%+v\nwant\n%+v", step, run, id, got[i].Brief, want)
				}
			}
			if run == 1 {
				return got
			}
		}
		return nil
	}
	check("cold")
	doc := filepath.Join(dir, "beneficiaires", "maelle-kergoat", "2026-11-12-entretien-suivi.md")
	src, err := os.ReadFile(doc)
	if err != nil {
		t.Fatal(err)
	}
	edited := strings.Replace(strings.Replace(string(src), "        echeance: 2027-01-08", "        echeance: 2026-11-30", 1), "presence: present", "presence: peut-etre", 1)
	if edited == string(src) {
		t.Fatal("the fixture changed: nothing edited")
	}
	if err := os.WriteFile(doc, []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	got := check("edited")
	var invalid []string
	for _, f := range got {
		invalid = append(invalid, f.Invalid...)
	}
	if want := []string{"beneficiaires/maelle-kergoat/2026-11-12-entretien-suivi.md"}; !reflect.DeepEqual(invalid, want) {
		t.Fatalf("documents in error = %v, want %v", invalid, want)
	}
	if err := os.Remove(doc); err != nil {
		t.Fatal(err)
	}
	got = check("deleted")
	for _, f := range got {
		if len(f.Invalid) > 0 {
			t.Fatalf("documents in error after the deletion: %v", f.Invalid)
		}
	}
}
