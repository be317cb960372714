package casecache

import (
	"path/filepath"
	"testing"

	"github.com/acc-formation/acc/casefile"
	"github.com/acc-formation/acc/validate"
)

// Tests of the phases of Cache.collect; collect itself is tested through
// Briefs and the reports (brief_test.go, scan_test.go).

// caseKind is a kind whose item is the case itself.
func caseKind(counts bool) *kind {
	return &kind{name: "test", counts: counts,
		make:   func(cs *casefile.Case) (any, []byte) { return cs, []byte(cs.ID) },
		decode: func(b []byte) (any, error) { return string(b), nil }}
}

func TestKeepSendsIncompleteFoldersToTheLoader(t *testing.T) {
	c := &Cache{}
	for name, f := range map[string]*validate.Folder{
		"unreadable": nil,
		"incomplete": {Name: "a", Complete: false},
		"overflow": {Name: "a", Complete: true, Documents: []*casefile.Document{
			{Path: "beneficiaires/a/fiche.md"}, {Path: "beneficiaires/a/2026-01-05_entretien.md", Overflow: true}}},
	} {
		b := &beneficiary{id: "a"}
		c.keep(caseKind(false), true, b, f)
		if !b.fallback || b.item != nil || b.changed {
			t.Errorf("%s: %+v, want a fallback without item", name, b)
		}
	}
}

func TestKeepMakesTheItemAndResetsTheCounts(t *testing.T) {
	c := &Cache{}
	fiche := &casefile.Document{Path: "beneficiaires/a/" + casefile.FicheFile, Src: []byte("x")}
	doc := &casefile.Document{Path: "beneficiaires/a/2026-01-05_entretien.md", Src: []byte("y")}
	files := []validate.FileState{{Name: casefile.FicheFile}, {Name: "2026-01-05_entretien.md"}}
	b := &beneficiary{id: "a", rec: record{day: "2026-12-05", errs: 3, warnings: 2, invalid: []string{"z"}}}
	c.keep(caseKind(true), true, b, &validate.Folder{Name: "a", Documents: []*casefile.Document{fiche, doc}, Files: files, Complete: true})
	cs, ok := b.item.(*casefile.Case)
	if !ok || cs.ID != "a" || cs.Fiche != fiche || len(cs.Interviews) != 1 || cs.Interviews[0] != doc {
		t.Fatalf("item = %+v, want the case of fiche and interview", b.item)
	}
	if string(b.rec.item) != "a" || !b.changed || b.fallback || len(b.rec.files) != 2 {
		t.Errorf("beneficiary = %+v", b)
	}
	if fiche.Src != nil || doc.Src != nil {
		t.Error("the sources are kept in memory")
	}
	if b.rec.day != "" || b.rec.errs != 0 || b.rec.warnings != 0 || b.rec.invalid != nil {
		t.Errorf("counts of other files kept: %+v", b.rec)
	}
}

func TestStoreWritesBackWhatChanged(t *testing.T) {
	pack := validate.OpenPack(filepath.Join(t.TempDir(), "pack"))
	defer pack.Close()
	for _, id := range []string{"fallback", "same"} {
		if err := pack.Put(id, []byte("old")); err != nil {
			t.Fatal(err)
		}
	}
	cases, index := newCases([]string{"changed", "fallback", "same"})
	if index["fallback"] != 1 || cases[2].id != "same" {
		t.Fatalf("newCases: %v %v", cases, index)
	}
	cases[0].changed, cases[0].item = true, "c"
	cases[0].rec = record{item: []byte("c"), errs: 1, warnings: 2, invalid: []string{"x.md"}}
	cases[1].fallback, cases[1].changed = true, true
	cases[2].item, cases[2].rec.errs = "s", 5

	out := store(caseKind(true), pack, cases)
	if len(out) != 3 || out[0].id != "changed" || out[0].item != "c" || out[0].errs != 1 || out[0].warnings != 2 ||
		len(out[0].invalid) != 1 || out[2].errs != 5 {
		t.Errorf("results = %+v", out)
	}
	if data, ok := pack.Get("changed"); !ok {
		t.Error("changed record not written")
	} else if rec, ok := decodeRecord(data); !ok || rec.errs != 1 {
		t.Errorf("written record = %+v, %v", rec, ok)
	}
	if _, ok := pack.Get("fallback"); ok {
		t.Error("record of a case read through the loader kept")
	}
	if data, _ := pack.Get("same"); string(data) != "old" {
		t.Errorf("unchanged record rewritten: %q", data)
	}

	// A kind that does not count gives no counts.
	if out := store(caseKind(false), pack, cases); out[0].errs != 0 || out[0].invalid != nil {
		t.Errorf("counts given by a kind that does not count: %+v", out[0])
	}
}
