package report

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/acc-formation/acc/casefile"
)

// periodCase builds a case of invented people: a fiche and interviews given
// as "date presence" pairs.
func periodCase(t *testing.T, id, entree, sortie, statut, dispositif, referent string, interviews ...string) *casefile.Case {
	t.Helper()
	fiche := "---\ntype: fiche\nid: " + id + "\nprenom: P\nnom: N\ndate_entree: " + entree + "\nstatut: " + statut +
		"\ndispositif: " + dispositif + "\nformateur_referent: " + referent + "\n"
	if sortie != "" {
		fiche += "date_sortie: " + sortie + "\nmotif_sortie: Déménagement\n"
	}
	var docs []*casefile.Document
	for _, iv := range interviews {
		date, presence, _ := strings.Cut(iv, " ")
		p := casefile.BeneficiaryDir(id) + "/" + date + "-entretien-suivi.md"
		docs = append(docs, casefile.Parse(p, []byte("---\ntype: entretien-suivi\nbeneficiaire: "+id+"\ndate: "+date+
			"\nstatut: finalise\npresence: "+presence+"\n---\n")))
	}
	return casefile.NewCase(id, casefile.Parse(casefile.BeneficiaryDir(id)+"/fiche.md", []byte(fiche+"---\n")), docs,
		func(name string) (int, bool) { ti, ok := BuiltinTypes(name); return ti.Rank, ok })
}

func periodCases(t *testing.T) []*casefile.Case {
	return []*casefile.Case{
		periodCase(t, "a-left-before", "2026-01-10", "2026-03-15", "termine", "PLIE Nord", "Sophie Vasseur", "2026-02-01 present"),
		periodCase(t, "b-left-during", "2026-02-01", "2026-05-10", "abandon", "PLIE Nord", "Nadia Berthelot", "2026-03-01 present", "2026-04-10 present"),
		periodCase(t, "c-entered-after", "2026-07-02", "", "en-cours", "PLIE Nord", "Sophie Vasseur", "2026-07-03 present"),
		periodCase(t, "d-entered-last-day", "2026-06-30", "", "en-cours", "Prépa Avenir", "Sophie Vasseur", "2026-06-30 present"),
		periodCase(t, "e-left-first-day", "2026-01-05", "2026-04-01", "abandon", "Prépa Avenir", "Sophie Vasseur"),
		periodCase(t, "f-running", "2025-12-01", "", "en-cours", "PLIE Nord", "Sophie Vasseur",
			"2026-03-01 present", "2026-04-15 present", "2026-05-20 absent", "2026-06-02 excuse"),
	}
}

func periodReport(t *testing.T, sc Scope, anonymize bool) *Caseload {
	t.Helper()
	opt := testOptions(t)
	opt.Scope, opt.Anonymize = sc, anonymize
	if anonymize {
		opt.Salt = []byte("sel de test")
	}
	b, err := NewCaseload(opt)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range periodCases(t) {
		// Through the binary form, as the cache of acc report does.
		enc, _ := b.Entry(c).MarshalBinary()
		var e CaseloadEntry
		if err := e.UnmarshalBinary(enc); err != nil {
			t.Fatal(err)
		}
		b.AddEntry(&e, 0, 0)
	}
	return b.Report()
}

func day(s string) time.Time { t, _ := casefile.ParseDate(s); return t }

func TestCaseloadPeriodBoundaries(t *testing.T) {
	r := periodReport(t, Scope{From: day("2026-04-01"), To: day("2026-06-30")}, false)
	var ids []string
	for _, row := range r.Beneficiaries {
		ids = append(ids, row.ID)
	}
	// Left before the start, entered after the end: out. Entered on the
	// last day, left on the first: in.
	if got := strings.Join(ids, ","); got != "b-left-during,d-entered-last-day,e-left-first-day,f-running" {
		t.Fatalf("people in the period: %s", got)
	}
	p := r.Period
	if p == nil || r.Perimeter == nil || r.Perimeter.From != "2026-04-01" || r.Perimeter.To != "2026-06-30" {
		t.Fatalf("period %+v, perimeter %+v", p, r.Perimeter)
	}
	check := func(what string, got Count, want int) {
		t.Helper()
		if got.N != want || got.Suppressed {
			t.Errorf("%s: %+v, want %d", what, got, want)
		}
	}
	check("entries", p.Entries, 1) // d only
	check("exits", p.Exits, 2)     // b, e
	check("held", p.Held, 3)       // b 04-10, d 06-30, f 04-15
	check("missed", p.Missed, 2)   // f 05-20 absent, 06-02 excuse
	check("exits abandon", p.ExitsByStatus[1].Count, 2)
	if len(p.ExitReasons) != 1 || p.ExitReasons[0].Key != "Déménagement" || p.ExitReasons[0].Count.N != 2 {
		t.Errorf("exit reasons: %+v", p.ExitReasons)
	}
	// b: 98 days, e: 86 days.
	if p.MeanDurationDays == nil || *p.MeanDurationDays != 92 {
		t.Errorf("mean duration: %v", p.MeanDurationDays)
	}
	if len(p.ByProgramme) != 2 || p.ByProgramme[0].Name != "PLIE Nord" || p.ByProgramme[0].Total.N != 2 || p.ByProgramme[1].Entries.N != 1 {
		t.Errorf("by programme: %+v", p.ByProgramme)
	}
	for _, row := range r.Beneficiaries {
		if row.ID == "f-running" && (row.HeldInPeriod == nil || *row.HeldInPeriod != 1 || *row.MissedInPeriod != 2) {
			t.Errorf("f-running's interviews in the period: %v %v", row.HeldInPeriod, row.MissedInPeriod)
		}
	}
	md := string(render(t, Markdown, r))
	if !strings.Contains(md, "| PLIE Nord | 2 | 0 | 1 | 0 | 2 | 2 |") || !strings.Contains(md, "| avril 2026 | 0 | 1 |") {
		t.Errorf("markdown tables:\n%s", md)
	}
	if !strings.HasPrefix(md, "# File active — Centre de formation Les Tilleuls — du 1er avril 2026 au 30 juin 2026\n") || !strings.Contains(md, "## Sur la période") {
		t.Errorf("markdown:\n%s", md)
	}
	if html := string(render(t, HTML, r)); !strings.Contains(html, "<h2 id=\"period\">Sur la période</h2>") ||
		!strings.Contains(html, `<title id="chart-months-t">Entrées et sorties par mois</title>`) ||
		!strings.Contains(html, "juin 2026 : 1 / 0") {
		t.Errorf("HTML has no period section or no monthly chart")
	}
	// Every month of the period, even an empty one.
	var months []string
	for _, m := range p.ByMonth {
		months = append(months, m.Month+"="+m.Entries.String()+"/"+m.Exits.String())
	}
	if got := strings.Join(months, " "); got != "2026-04=0/1 2026-05=0/1 2026-06=1/0" {
		t.Errorf("by month: %s", got)
	}
}

func TestCaseloadScopeProgrammeTrainer(t *testing.T) {
	// The programme ignoring case and accents; the trainer by part of the name.
	r := periodReport(t, Scope{Dispositif: "prepa avenir", Formateur: "SOPHIE"}, false)
	if len(r.Beneficiaries) != 2 || r.Beneficiaries[0].ID != "d-entered-last-day" || r.Beneficiaries[1].ID != "e-left-first-day" {
		t.Errorf("prepa avenir, sophie: %+v", r.Beneficiaries)
	}
	if r.Perimeter.Text != "dispositif « prepa avenir », formateur « SOPHIE »" {
		t.Errorf("perimeter: %q", r.Perimeter.Text)
	}
	r = periodReport(t, Scope{Formateur: "nadia", To: day("2026-01-31")}, false)
	if len(r.Beneficiaries) != 0 {
		t.Errorf("nadia's people entered by 2026-01-31: %+v", r.Beneficiaries)
	}
	// No scope: no period section, no perimeter (the golden files say the rest).
	r = periodReport(t, Scope{}, false)
	if r.Period != nil || r.Perimeter != nil || len(r.Beneficiaries) != 6 || r.Beneficiaries[0].HeldInPeriod != nil {
		t.Errorf("without scope: %+v %+v", r.Period, r.Perimeter)
	}
}

func TestCaseloadPeriodAnonymized(t *testing.T) {
	r := periodReport(t, Scope{From: day("2026-04-01"), To: day("2026-06-30")}, true)
	b, err := json.Marshal(r.Period)
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	// Every small count is hidden, the free text of motif_sortie is not
	// there, nor a mean over fewer than 5 exits.
	for _, want := range []string{`"entries":null`, `"exits":null`, `"interviews_held":null`, `"interviews_missed":null`,
		`"exit_reasons":null`, `"mean_duration_days":null`} {
		if !strings.Contains(s, want) {
			t.Errorf("anonymised period lacks %s: %s", want, s)
		}
	}
	if strings.Contains(s, "Déménagement") {
		t.Errorf("free text in an anonymised report: %s", s)
	}
}
