package validate

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/acc-formation/acc/casefile"
	"github.com/acc-formation/acc/templates"
	"go.yaml.in/yaml/v3"
)

// FuzzParse parses arbitrary case files and runs every check on them: no
// panic, positions inside the file, messages in valid UTF-8, and the cache
// record of the facts reads back the same.
func FuzzParse(f *testing.F) {
	for _, s := range cleanCase() {
		f.Add(s)
	}
	f.Add(bilan)
	f.Add("---\na: &x [*x]\n---\n")
	f.Add("\uFEFF---\r\ntype: fiche\r\n---\r\n")
	f.Add("---\nobjectifs:\n  - id: O1\n    actions: [{echeance: 2026-13-01, fait: oui}]\n---\n## Intro\n<!--\n")
	f.Add("---\ntype: entretien-suivi\nderogations: [{regle: donnee-sensible}, 3, {regle: [a]}]\nsuivi_objectifs: {a: b}\n---\n")
	e := newEngine(DefaultSettings(), templates.Builtin())
	f.Fuzz(func(t *testing.T, src string) {
		done := make(chan struct{})
		defer close(done)
		go func() {
			select {
			case <-done:
			case <-time.After(3 * time.Second):
				panic(fmt.Sprintf("slow input %q", src))
			}
		}()
		for _, p := range []string{pFiche, pSuivi1, jd + "x.md"} {
			d := casefile.Parse(p, []byte(src))
			lines := strings.Count(string(d.Src), "\n") + 1
			fs := e.checkDocument(d, "jean-dupont")
			facts := factsOf(d)
			for _, x := range fs {
				if x.Line < 1 || x.Line > lines+1 || x.Column < 1 || !utf8.ValidString(x.Message) || x.Rule == "" {
					t.Fatalf("bad finding %+v in %d lines", x, lines)
				}
			}
			v := &verdict{day: fixtureToday, caseRan: true, findings: fs}
			folder := fileSig{Size: 4096, Mtime: int64(len(src)) << 20, Ino: 7, Ctime: -1}
			rec := encodeRecord([]*docEntry{{path: p, sum: blobID([]byte(src)), findings: fs, facts: facts}}, v, folder, "fp")
			back, bv, backFolder, ok := decodeRecord(rec, "fp")
			var slab []yaml.Node
			c := &cached{list: back, verdict: bv}
			if !ok || backFolder != folder || len(back) != 1 || !back[0].decode(&slab) || len(back[0].findings) != len(fs) || c.reusable(back, fixtureToday) == nil || !slices.Equal(bv.findings, fs) {
				t.Fatalf("cache record does not read back")
			}
			var fiche *casefile.Document
			var iv []*casefile.Document
			if p == pFiche {
				fiche = facts
			} else {
				iv = append(iv, facts, back[0].facts)
			}
			e.checkCase("jean-dupont", fiche, iv, fixtureToday)
		}
		scanSensitive([]byte(src))
		e.s.words.find([]byte(src))
	})
}
