package report

import (
	"html"
	"strings"
	"testing"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/acc-formation/acc/casefile"
	"github.com/acc-formation/acc/validate"
)

// sensitive collects, from every document of the examples, what an
// anonymised report must not contain: the ids, first and last names of the
// fiches, and every free text (frontmatter texts of three words or more,
// body lines).
func sensitive(t *testing.T) (names, texts []string) {
	t.Helper()
	for _, id := range exampleIDs(t) {
		names = append(names, id)
		c := loadCase(t, id)
		docs := append(c.Interviews, c.Fiche)
		for _, d := range docs {
			if d == c.Fiche {
				for _, k := range []string{"prenom", "nom"} {
					names = append(names, d.Str(k))
				}
			}
			var walk func(n *yaml.Node)
			walk = func(n *yaml.Node) {
				if n == nil {
					return
				}
				if n.Kind == yaml.ScalarNode && n.Tag == "!!str" && len(strings.Fields(n.Value)) >= 3 {
					texts = append(texts, n.Value)
				}
				for _, c := range n.Content {
					walk(c)
				}
			}
			walk(d.Front)
			for _, line := range strings.Split(bodyText(d), "\n") {
				line = strings.TrimSpace(strings.TrimLeft(line, "#-* "))
				if utf8.RuneCountInString(line) >= 25 {
					texts = append(texts, line)
				}
			}
		}
	}
	return names, texts
}

func TestAnonymizedHoldsNoNameNorFreeText(t *testing.T) {
	names, texts := sensitive(t)
	if len(names) < 12 || len(texts) < 100 {
		t.Fatalf("too little to check: %d names, %d texts", len(names), len(texts))
	}
	opt := testOptions(t)
	opt.Anonymize = true
	var reports []Report
	c, err := BuildCaseload(exampleCases(t), opt)
	if err != nil {
		t.Fatal(err)
	}
	reports = append(reports, c)
	q, err := BuildQualiopi(exampleCases(t), opt)
	if err != nil {
		t.Fatal(err)
	}
	reports = append(reports, q)
	var bs []*Beneficiary
	for c, f := range exampleCases(t) {
		f = append(f, validate.Finding{Path: casefile.FichePath(c.ID), Line: 1, Column: 1, Severity: validate.Warning, Rule: "conservation", Message: "Dernier contact ancien"})
		b, err := BuildBeneficiary(c, f, opt)
		if err != nil {
			t.Fatal(err)
		}
		reports = append(reports, b)
		bs = append(bs, b)
	}
	bundle, err := NewBundle(opt, bs)
	if err != nil {
		t.Fatal(err)
	}
	reports = append(reports, bundle)
	for _, r := range reports {
		for _, f := range formats {
			out := render(t, f, r)
			plain := html.UnescapeString(string(out))
			folded := casefile.FoldText(plain)
			where := r.head().Kind + "." + string(f)
			for _, n := range names {
				if strings.Contains(plain, n) || strings.Contains(folded, casefile.FoldText(n)) {
					t.Errorf("%s: contains the name or id %q", where, n)
				}
			}
			for _, s := range texts {
				if strings.Contains(plain, s) || f == JSON && strings.Contains(plain, strings.ReplaceAll(s, `"`, `\"`)) {
					t.Errorf("%s: contains free text %q", where, s)
				}
			}
		}
	}
}

// TestAnonymizedSuppression: small counts are hidden in anonymised caseload
// tables, and not revealed by JSON nor by rates.
func TestAnonymizedSuppression(t *testing.T) {
	opt := testOptions(t)
	opt.Anonymize = true
	c, err := BuildCaseload(exampleCases(t), opt)
	if err != nil {
		t.Fatal(err)
	}
	if !c.Total.Suppressed || c.Total.N != 0 {
		t.Errorf("total of 4 shown: %+v", c.Total)
	}
	if c.DropOut.Rate != nil || c.Satisfaction.Mean != nil {
		t.Error("a rate computed from suppressed counts is shown")
	}
	if c.Beneficiaries != nil || c.Attention != nil {
		t.Error("an anonymised caseload lists people")
	}
	js := string(render(t, JSON, c))
	if !strings.Contains(js, `"total": null`) {
		t.Errorf("suppressed total not null in JSON")
	}
	md := string(render(t, Markdown, c))
	if !strings.Contains(md, "| En cours | <"+nbsp+"5 |") {
		t.Errorf("suppressed count not written « < 5 »:\n%s", md)
	}
}

func TestComplementarySuppression(t *testing.T) {
	small := func(n int) *Count { return &Count{N: n, Suppressed: n > 0 && n < 5} }
	// 9 = 3 + 6: with 3 hidden, 6 gives it away.
	a := []*Count{small(3), small(6)}
	complementary([]sumLine{{&Count{N: 9}, a}})
	if !a[1].Suppressed || !a[1].Complement || a[1].String() != "masqué" {
		t.Errorf("9 = 3 + 6 with 3 hidden: 6 must be masked too: %+v", a[1])
	}
	// 12 = 1 + 1 + 10: the hidden cells add up to 2, so each is 1.
	b := []*Count{small(1), small(1), small(10)}
	complementary([]sumLine{{&Count{N: 12}, b}})
	if !b[2].Suppressed {
		t.Error("two hidden cells adding up to 2 need a complement")
	}
	// 11 = 3 + 0 + 4 + 4: three hidden cells adding up to 11, nothing more.
	c := []*Count{small(3), small(0), small(4), small(4)}
	tc := &Count{N: 11}
	complementary([]sumLine{{tc, c}})
	if tc.Suppressed || c[1].Suppressed {
		t.Error("hidden cells adding up to 5 or more need no complement")
	}
	// 3 = 3 + 0: nothing else to hide, the total goes.
	d := []*Count{small(3), small(0)}
	td := &Count{N: 3}
	complementary([]sumLine{{td, d}})
	if !td.Suppressed || td.String() != "<"+nbsp+"5" {
		t.Errorf("a total that gives away the only hidden cell must be hidden: %+v", td)
	}
	// A line whose total is hidden needs nothing.
	e := []*Count{small(2), small(7)}
	complementary([]sumLine{{&Count{N: 9, Suppressed: true}, e}})
	if e[1].Suppressed {
		t.Error("a hidden total protects its cells")
	}
}

func TestPseudonym(t *testing.T) {
	a := Pseudonym([]byte("sel"), "jean-dupont")
	if a != Pseudonym([]byte("sel"), "jean-dupont") {
		t.Error("pseudonym not stable")
	}
	if a == Pseudonym([]byte("autre sel"), "jean-dupont") {
		t.Error("pseudonym does not depend on the salt")
	}
	if a == Pseudonym([]byte("sel"), "jean-dupond") {
		t.Error("two ids, one pseudonym")
	}
	if !strings.HasPrefix(a, "Bénéficiaire ") || len(a) != len("Bénéficiaire XXXX-XXXX") {
		t.Errorf("pseudonym %q", a)
	}
	if _, err := BuildBeneficiary(loadCase(t, "lucas-perrin"), nil, Options{Today: today, Anonymize: true}); err != ErrNoSalt {
		t.Errorf("anonymising without salt: %v, want ErrNoSalt", err)
	}
}
