package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/acc-formation/acc/casefile"
	"github.com/acc-formation/acc/validate"
)

func TestBeneficiaryModel(t *testing.T) {
	opt := testOptions(t)
	b, err := BuildBeneficiary(loadCase(t, "elodie-n-guessan"), []validate.Finding{}, opt)
	if err != nil {
		t.Fatal(err)
	}
	if b.Name != "Élodie N'Guessan" || b.Status != "termine" || b.Phase != phaseFollow {
		t.Errorf("identity: %q %q %q", b.Name, b.Status, b.Phase)
	}
	if len(b.Timeline) != 8 || b.Timeline[0].Type != TypeInitial || b.Timeline[7].Type != TypeReview {
		t.Errorf("timeline: %+v", b.Timeline)
	}
	o2 := b.Objectives[1]
	var changes []string
	for _, r := range o2.Revisions {
		changes = append(changes, r.Changes...)
	}
	if !strings.Contains(strings.Join(changes, "|"), "échéance repoussée du 29 mai 2026 au 30 juin 2026") {
		t.Errorf("O2 revisions: %q", changes)
	}
	if o2.Deadline != "2026-06-30" || o2.Status != "atteint" || o2.Overdue {
		t.Errorf("O2: %+v", o2)
	}
	if len(b.Ratings) != 4 || b.Ratings[3].Autonomy != 4 {
		t.Errorf("ratings: %+v", b.Ratings)
	}
	if b.Barriers == nil || len(b.Barriers.Assessments) != 1 || *b.Barriers.Domains[0].Levels[0] != 2 {
		t.Errorf("barriers: %+v", b.Barriers)
	}
	if len(b.Commitments) != 1 || b.Commitments[0].SignedOn != "2026-03-03" || len(b.Commitments[0].Signatories) != 2 {
		t.Errorf("commitments: %+v", b.Commitments)
	}
	if !strings.HasPrefix(b.Next.Suites, "CDD de six mois") {
		t.Errorf("suites: %q", b.Next.Suites)
	}
	if len(b.Documents) != 9 || b.Documents[0].Title != "Fiche du bénéficiaire" || strings.Contains(b.Documents[1].Body, "<!--") {
		t.Errorf("annex: %d documents", len(b.Documents))
	}
	if b.Privacy == nil || b.Privacy.InformedOn != "2026-02-02" || b.Privacy.RetainUntil != "2028-07-17" {
		t.Errorf("privacy: %+v", b.Privacy)
	}

	// The waiver and the stated need for compensation of maelle-kergoat.
	m, err := BuildBeneficiary(loadCase(t, "maelle-kergoat"), nil, opt)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Waivers) != 1 || m.Waivers[0].Rule != "rythme" || m.Waivers[0].Reason == "" {
		t.Errorf("waivers: %+v", m.Waivers)
	}
	if m.Barriers.Compensation == nil || !*m.Barriers.Compensation {
		t.Error("besoin_compensation lost")
	}
	if m.Next.Interview != "2026-12-03" || m.Next.Late {
		t.Errorf("next: %+v", m.Next)
	}
	if m.Findings != nil {
		t.Error("findings must be null when the validation did not run")
	}

	// Summary only: no annex.
	opt.SummaryOnly = true
	s, _ := BuildBeneficiary(loadCase(t, "maelle-kergoat"), nil, opt)
	if s.Documents != nil || s.Privacy != nil {
		t.Error("SummaryOnly keeps the annex")
	}
}

func TestOverdueAgainstToday(t *testing.T) {
	opt := testOptions(t)
	c := loadCase(t, "maelle-kergoat")
	opt.Today = time.Date(2027, 1, 1, 15, 30, 0, 0, time.FixedZone("Paris", 3600))
	b, _ := BuildBeneficiary(c, nil, opt)
	o2 := b.Objectives[1] // échéance 2026-12-18
	if !o2.Overdue || o2.DaysLate != 14 {
		t.Errorf("O2 at 2027-01-01: overdue %v by %d days", o2.Overdue, o2.DaysLate)
	}
	if b.Objectives[0].Overdue {
		t.Error("O1 (2027-01-22) is not overdue on 2027-01-01")
	}
	if !b.Next.Late {
		t.Error("the interview planned on 2026-12-03 is past without a document")
	}
	cl, _ := BuildCaseload(func(yield func(*casefile.Case, []validate.Finding) bool) { yield(c, nil) }, opt)
	if len(cl.Attention) != 1 {
		t.Fatalf("attention: %+v", cl.Attention)
	}
	var kinds []string
	for _, r := range cl.Attention[0].Reasons {
		kinds = append(kinds, r.Kind)
	}
	if got := strings.Join(kinds, ","); got != ReasonNoContact+","+ReasonOverdue+","+ReasonUndocumented {
		t.Errorf("reasons: %s (%+v)", got, cl.Attention[0].Reasons)
	}
}

func TestCaseloadGenerated(t *testing.T) {
	start := time.Date(2025, 9, 1, 0, 0, 0, 0, time.UTC)
	opt := Options{Today: today, Organisation: "Centre de test"}
	const n = 120
	cl, err := BuildCaseload(func(yield func(*casefile.Case, []validate.Finding) bool) {
		for i := range n {
			f := []validate.Finding{{Severity: validate.Error}, {Severity: validate.Warning}, {Severity: validate.Info}}
			if !yield(genCase(i, start), f[:i%3]) {
				return
			}
		}
	}, opt)
	if err != nil {
		t.Fatal(err)
	}
	if cl.Total.N != n || len(cl.Beneficiaries) != n {
		t.Fatalf("total %d, rows %d", cl.Total.N, len(cl.Beneficiaries))
	}
	sum := 0
	for _, s := range cl.ByStatus {
		sum += s.Count.N
	}
	if sum != n || cl.ByStatus[3].Count.N != n/10 || cl.ByStatus[2].Count.N != n/5 {
		t.Errorf("by status: %+v", cl.ByStatus)
	}
	if cl.DropOut.Rate == nil || *cl.DropOut.Rate != float64(n/10)/float64(n/10+n/5) {
		t.Errorf("drop-out: %+v", cl.DropOut)
	}
	if cl.Satisfaction.Responses.N != n/5 || cl.Satisfaction.Mean == nil {
		t.Errorf("satisfaction: %+v", cl.Satisfaction)
	}
	if len(cl.Trainers) != 5 {
		t.Errorf("trainers: %d", len(cl.Trainers))
	}
	reasons := map[string]int{}
	for _, t := range cl.AttentionByReason {
		reasons[t.Key] = t.Count.N
	}
	for _, k := range []string{ReasonNoRelance, ReasonOldDraft, ReasonOverdue} {
		if reasons[k] == 0 {
			t.Errorf("no beneficiary flagged %s: %v", k, reasons)
		}
	}
	if cl.Beneficiaries[1].Errors != 1 || cl.Beneficiaries[2].Warnings != 1 {
		t.Errorf("findings counts: %+v %+v", cl.Beneficiaries[1], cl.Beneficiaries[2])
	}
	for i := 1; i < len(cl.Beneficiaries); i++ {
		if cl.Beneficiaries[i-1].ID >= cl.Beneficiaries[i].ID {
			t.Fatal("rows not sorted by id")
		}
	}
	// Every format writes.
	for _, f := range formats {
		render(t, f, cl)
	}
	q, err := BuildQualiopi(func(yield func(*casefile.Case, []validate.Finding) bool) {
		for i := range 30 {
			if !yield(genCase(i, start), nil) {
				return
			}
		}
	}, opt)
	if err != nil {
		t.Fatal(err)
	}
	missing := 0
	for _, r := range q.Beneficiaries {
		for _, e := range r.Evidence {
			if e.State == StateMissing {
				missing++
			}
			if e.State == StateProven && len(e.Documents) == 0 {
				t.Errorf("%s indicator %d proven by no document", r.ID, e.Indicator)
			}
			if e.State == StateMissing && len(e.Missing) == 0 {
				t.Errorf("%s indicator %d missing without saying what", r.ID, e.Indicator)
			}
		}
	}
	if missing == 0 {
		t.Error("the generated caseload has absences without relance: something must be missing")
	}
}

func TestJSONShape(t *testing.T) {
	opt := testOptions(t)
	b, _ := BuildBeneficiary(loadCase(t, "mathis-carrere"), nil, opt)
	c, _ := BuildCaseload(exampleCases(t), opt)
	q, _ := BuildQualiopi(exampleCases(t), opt)
	bundle, _ := NewBundle(opt, []*Beneficiary{b})
	for kind, r := range map[string]Report{KindBeneficiary: b, KindCaseload: c, KindQualiopi: q, KindBeneficiaries: bundle} {
		var v map[string]any
		if err := json.Unmarshal(render(t, JSON, r), &v); err != nil {
			t.Fatal(err)
		}
		if v["version"] != float64(Version) || v["kind"] != kind || v["today"] != "2026-11-25" || v["organisation"] != "Centre de formation Les Tilleuls" {
			t.Errorf("%s header: %v %v %v", kind, v["version"], v["kind"], v["today"])
		}
	}
	var v map[string]any
	json.Unmarshal(render(t, JSON, b), &v)
	for _, k := range []string{"timeline", "objectives", "ratings", "barriers", "commitments", "waivers", "next", "findings", "documents", "privacy", "person"} {
		if _, ok := v[k]; !ok {
			t.Errorf("beneficiary JSON without %q", k)
		}
	}
	if v["findings"] != nil {
		t.Error("findings must be null when the validation did not run")
	}
}

func TestFindingsSection(t *testing.T) {
	f := []validate.Finding{
		{Path: "beneficiaires/mathis-carrere/2026-11-23-entretien-suivi.md", Line: 1, Column: 1, Severity: validate.Warning, Rule: "brouillon-ancien", Message: "Finalisez le document."},
		{Path: "beneficiaires/mathis-carrere/fiche.md", Line: 7, Column: 9, Severity: validate.Error, Rule: "champ-invalide", Message: "statut | inconnu"},
		{Path: "beneficiaires/mathis-carrere/fiche.md", Line: 2, Column: 1, Severity: validate.Off, Rule: "x", Message: "désactivée"},
	}
	b, err := BuildBeneficiary(loadCase(t, "mathis-carrere"), f, testOptions(t))
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Findings) != 2 || b.Findings[0].Rule != "brouillon-ancien" || b.Findings[1].Severity != "error" {
		t.Fatalf("findings: %+v", b.Findings)
	}
	md := string(render(t, Markdown, b))
	for _, want := range []string{"La validation relève encore 1 erreur, 1 avertissement, 0 info :", "| fiche.md | 7 | Erreur | champ-invalide | statut \\| inconnu |"} {
		if !strings.Contains(md, want) {
			t.Errorf("Markdown without %q", want)
		}
	}
}

func TestOptionsAndFormats(t *testing.T) {
	if _, err := NewCaseload(Options{}); !errors.Is(err, ErrNoToday) {
		t.Errorf("no today: %v", err)
	}
	for in, want := range map[string]Format{"md": Markdown, "Markdown": Markdown, "": Markdown, "html": HTML, "json": JSON} {
		if got, err := ParseFormat(in); err != nil || got != want {
			t.Errorf("ParseFormat(%q) = %q, %v", in, got, err)
		}
	}
	if _, err := ParseFormat("pdf"); err == nil {
		t.Error("pdf accepted")
	}
	var nilB *Beneficiary
	for _, f := range formats {
		if err := Write(&bytes.Buffer{}, f, nilB); err == nil {
			t.Errorf("%s: nil report accepted", f)
		}
	}
	cfg, err := casefile.ParseConfig("acc.yaml", []byte("organisation: X\nregles:\n  rythme: { intervalle_max_jours: 30 }\n  brouillon-ancien: { jours: 10 }\n  conservation: { mois: 36 }\n"))
	if err != nil {
		t.Fatal(err)
	}
	var o Options
	o.ApplyConfig(cfg)
	if o.Organisation != "X" || o.Rules == nil || o.Rules.RythmeMax != 30 || o.Rules.DraftDays != 10 || o.Rules.RetentionMonths != 36 {
		t.Errorf("ApplyConfig: %+v", o)
	}
}

func TestMarkdownEscaping(t *testing.T) {
	for in, want := range map[string]string{
		"a *b* [c](d) <x> `e`": `a \*b\* \[c\](d) \<x> ` + "\\`e\\`",
		"< 5":                  "< 5",
		"# titre":              `\# titre`,
		"suivi_objectifs":      "suivi_objectifs",
		"_x_":                  `\_x\_`,
		"a\nb":                 "a b",
	} {
		if got := mdInline(in); got != want {
			t.Errorf("mdInline(%q) = %q, want %q", in, got, want)
		}
	}
	if got := mdCell("a|b"); got != `a\|b` {
		t.Errorf("mdCell: %q", got)
	}
}

func TestBodyHTML(t *testing.T) {
	got := string(bodyHTML("## Titre\n\nTexte **gras** <b>x</b> [lien](https://exemple.fr).\n\n- un\n- deux\n\n| a | b |\n|---|---|\n| 1 | 2 |\n"))
	for _, want := range []string{"<h4>Titre</h4>", "<strong>gras</strong>", "&lt;b&gt;x&lt;/b&gt;", "lien.", "<li>deux</li>", "<caption>Titre</caption>", `<th scope="col">a</th>`, "<td>2</td>"} {
		if !strings.Contains(got, want) {
			t.Errorf("bodyHTML without %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "https://") {
		t.Error("a link target survived")
	}
}

// TestMalformedCase: a case without fiche, with a document without
// frontmatter and one with wrong values, reports without panicking.
func TestMalformedCase(t *testing.T) {
	c := parseCase("sans-fiche", map[string]string{
		"2026-01-05-entretien-initial.md": "pas de frontmatter\n## Introduction\n",
		"2026-01-12-entretien-suivi.md": "---\ntype: entretien-suivi\ndate: 2026-13-45\nstatut: [x]\npresence: absent\n" +
			"objectifs:\n  - id: O1\n    echeance: hier\n    actions: 3\n  - intitule: sans id\nsuivi_objectifs:\n  - objectif: O9\n" +
			"evaluation: {autonomie: 9, interactions: deux}\nfreins: {mobilite: 7, inconnu: 1}\nderogations: [rythme]\n---\n",
		"2026-01-20-contractualisation.md": "---\ntype: contractualisation\nengagements: oui\nsignataires: {a: b}\n---\n",
	})
	for _, anon := range []bool{false, true} {
		opt := Options{Today: today, Anonymize: anon, Salt: []byte("s")}
		b, err := BuildBeneficiary(c, nil, opt)
		if err != nil {
			t.Fatal(err)
		}
		cl, _ := BuildCaseload(func(yield func(*casefile.Case, []validate.Finding) bool) { yield(c, nil) }, opt)
		q, _ := BuildQualiopi(func(yield func(*casefile.Case, []validate.Finding) bool) { yield(c, nil) }, opt)
		for _, r := range []Report{b, cl, q} {
			for _, f := range formats {
				render(t, f, r)
			}
		}
	}
}

// FuzzBodyHTML: any body renders without panic and never yields a
// reference to a resource or a raw tag from the text.
func FuzzBodyHTML(f *testing.F) {
	f.Add("## T\n\n- a\n  suite\n1. b\n\n| x | y |\n|---|---|\n| 1 |\n\n```\n<b>\n```\n[l](http://x) **g** <img src=x>")
	f.Add("#\n##\n[](\n](\n**\n|\n- \n1)")
	f.Fuzz(func(t *testing.T, body string) {
		out := string(bodyHTML(body))
		nodes, err := html.ParseFragment(strings.NewReader(out), &html.Node{Type: html.ElementNode, Data: "div", DataAtom: atom.Div})
		if err != nil {
			t.Fatal(err)
		}
		allowed := map[string]bool{"h3": true, "h4": true, "h5": true, "h6": true, "p": true, "ul": true, "ol": true, "li": true, "pre": true,
			"table": true, "caption": true, "thead": true, "tbody": true, "tr": true, "th": true, "td": true, "strong": true}
		var walk func(n *html.Node)
		walk = func(n *html.Node) {
			if n.Type == html.ElementNode {
				if !allowed[n.Data] {
					t.Fatalf("element <%s> from %q", n.Data, body)
				}
				for _, a := range n.Attr {
					if a.Key != "scope" {
						t.Fatalf("attribute %s on <%s> from %q", a.Key, n.Data, body)
					}
				}
			}
			for c := n.FirstChild; c != nil; c = c.NextSibling {
				walk(c)
			}
		}
		for _, n := range nodes {
			walk(n)
		}
		mdInline(body)
	})
}
