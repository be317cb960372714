package validate

import (
	"errors"
	"strings"
	"testing"

	"github.com/acc-formation/acc/casefile"
	"github.com/acc-formation/acc/internal/poserr"
	"golang.org/x/text/unicode/norm"
)

// messy writes the same document the way other editors and habits do.
func messy(s string) string {
	for _, r := range [][2]string{
		{"## Introduction", "## 1. Introduction"},
		{"## Déroulement", "## DÉROULEMENT :"},
		{"## Conclusion", "## 3) conclusion."},
		{"## Freins", "## **Freins**"},
	} {
		s = strings.ReplaceAll(s, r[0], r[1])
	}
	s = norm.NFD.String(s)
	s = strings.ReplaceAll(s, "\n", "\r\n")
	return "\uFEFF" + s
}

// The same case written in messy but valid ways gives the same findings as
// the tidy one.
func TestMessyEqualsTidy(t *testing.T) {
	files := cleanCase()
	// A few findings, so that positions are compared too.
	replace(t, files, pDiag, "duree_minutes: 60\n", "duree_minutes: 60\nmodalite: présentielle\n")
	replace(t, files, pSuivi2, "## Ajustements\n\nDes faits", "## Ajustements\n\nÉlodie dit qu'il est fainéant. Des faits")
	replace(t, files, pDiag, "## Freins\n\nDes faits observés, datés.\n", "## Freins\n\n<!-- à remplir -->\n")
	tidy, _, err := runRepo(t, writeRepo(t, files), fixtureToday, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(tidy) != 3 {
		t.Fatalf("tidy findings:%s", dump(tidy))
	}
	m := map[string]string{}
	for p, s := range files {
		m[p] = messy(s)
	}
	got, _, err := runRepo(t, writeRepo(t, m), fixtureToday, nil)
	if err != nil {
		t.Fatal(err)
	}
	if dump(got) != dump(tidy) {
		t.Errorf("messy:%s\ntidy:%s", dump(got), dump(tidy))
	}
}

func TestWaivers(t *testing.T) {
	files := cleanCase()
	delete(files, pSuivi2) // an 84-day gap before pSuivi3
	replace(t, files, pSuivi3, "prochain_entretien:",
		"derogations:\n  - regle: rythme\n    motif: \"Hospitalisation du 3 au 28 avril\"\n  - regle: rytme\n    motif: x\n  - regle: donnee-sensible\n    motif: \"nécessaire\"\nprochain_entretien:")
	replace(t, files, pSuivi3, "## Ajustements\n\nDes faits", "## Ajustements\n\nRIB FR7630006000011234567890189. Des faits")
	fs, ws, err := runRepo(t, writeRepo(t, files), fixtureToday, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := []brief{
		at(t, files, pSuivi3, Error, "champ-invalide", "rytme"),
		at(t, files, pSuivi3, Error, "champ-invalide", "donnee-sensible"),
		at(t, files, pSuivi3, Error, "donnee-sensible", "FR76"),
	}
	got := briefs(fs)
	if strings.Join(toStrings(got), "\n") != strings.Join(toStrings(want), "\n") {
		t.Errorf("findings:%s\nwant %v", dump(fs), want)
	}
	if !strings.Contains(fs[0].Message, "vouliez-vous dire « rythme »") {
		t.Errorf("no suggestion: %s", fs[0].Message)
	}
	if len(ws) != 1 || ws[0].Rule != "rythme" || ws[0].Silenced != 1 || ws[0].Path != pSuivi3 || !strings.HasPrefix(ws[0].Motif, "Hospitalisation") {
		t.Errorf("waivers = %+v", ws)
	}
	if l, c := pos(t, files[pSuivi3], "rythme"); ws[0].Line != l || ws[0].Column != c {
		t.Errorf("waiver at %d:%d, want %d:%d", ws[0].Line, ws[0].Column, l, c)
	}

	// A waiver only silences its own document.
	files = cleanCase()
	delete(files, pSuivi2)
	replace(t, files, pSuivi1, "suivi_objectifs:", "derogations: [{regle: rythme, motif: \"Autre document\"}]\nsuivi_objectifs:")
	fs, ws, _ = runRepo(t, writeRepo(t, files), fixtureToday, nil)
	if len(fs) != 1 || fs[0].Rule != "rythme" || len(ws) != 1 || ws[0].Silenced != 0 {
		t.Errorf("findings:%s\nwaivers %+v", dump(fs), ws)
	}
}

func withConfig(t *testing.T, files map[string]string, regles string) map[string]string {
	t.Helper()
	files["acc.yaml"] = "organisation: Centre de test\nregles:\n" + regles
	return files
}

func TestConfigOverrides(t *testing.T) {
	// A severity alone.
	files := withConfig(t, cleanCase(), "  rythme: erreur\n")
	delete(files, pSuivi2)
	fs, _, err := runRepo(t, writeRepo(t, files), fixtureToday, nil)
	if err != nil || len(fs) != 1 || fs[0].Rule != "rythme" || fs[0].Severity != Error {
		t.Errorf("rythme: erreur: %v%s", err, dump(fs))
	}

	// desactive.
	files = withConfig(t, cleanCase(), "  propos-jugeant: desactive\n")
	replace(t, files, pSuivi2, "## Ajustements\n\nDes faits", "## Ajustements\n\nIl est paresseux. Des faits")
	fs, _, err = runRepo(t, writeRepo(t, files), fixtureToday, nil)
	if err != nil || len(fs) != 0 {
		t.Errorf("desactive: %v%s", err, dump(fs))
	}

	// Parameters: a shorter interval flags every gap above 30 days.
	files = withConfig(t, cleanCase(), "  rythme: { severite: info, intervalle_max_jours: 30 }\n")
	fs, _, err = runRepo(t, writeRepo(t, files), fixtureToday, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := []brief{
		at(t, files, pSuivi1, Info, "rythme", "2026-03-02"),
		at(t, files, pSuivi2, Info, "rythme", "2026-04-13"),
		at(t, files, pSuivi3, Info, "rythme", "2026-05-25"),
	}
	if strings.Join(toStrings(briefs(fs)), "\n") != strings.Join(toStrings(want), "\n") {
		t.Errorf("intervalle_max_jours: 30:%s", dump(fs))
	}

	// brouillon-ancien's jours, conservation's mois, propos-jugeant's mots.
	files = withConfig(t, cleanCase(), "  brouillon-ancien: { jours: 60 }\n  propos-jugeant:\n    severite: avertissement\n    mots: [ingérable, \"je-m'en-foutiste\"]\n")
	replace(t, files, pSuivi2, "statut: finalise", "statut: brouillon")
	replace(t, files, pSuivi2, "## Ajustements\n\nDes faits", "## Ajustements\n\nUn comportement ingérable. Des faits")
	fs, _, err = runRepo(t, writeRepo(t, files), fixtureToday, nil)
	if err != nil || len(fs) != 1 || fs[0].Rule != "propos-jugeant" || fs[0].Severity != Warning {
		t.Errorf("jours: 60 and mots: %v%s", err, dump(fs))
	}
}

func TestConfigErrors(t *testing.T) {
	cases := []struct {
		regles   string
		line     int
		col      int
		contains string
	}{
		{"  rytme: info\n", 3, 3, "vouliez-vous dire « rythme »"},
		{"  rythme: { intervalle_max: 30 }\n", 3, 13, "vouliez-vous dire « intervalle_max_jours »"},
		{"  sequence: { jours: 3 }\n", 3, 15, "pas de paramètre"},
		{"  donnee-sensible: avertissement\n", 3, 20, "ne peut être ni abaissée ni désactivée"},
		{"  donnee-sensible: { severite: desactive }\n", 3, 32, "ne peut être ni abaissée ni désactivée"},
		{"  brouillon-ancien: { jours: sept }\n", 3, 30, "nombre entier"},
		{"  rythme: { intervalle_min_jours: 50 }\n", 3, 35, "dépasse intervalle_max_jours"},
	}
	for _, c := range cases {
		src := "organisation: X\nregles:\n" + c.regles
		cfg, err := casefile.ParseConfig("acc.yaml", []byte(src))
		if err != nil {
			t.Fatalf("%q: %v", src, err)
		}
		_, err = NewSettings(cfg, "acc.yaml")
		var ce *poserr.Error
		if !errors.As(err, &ce) {
			t.Errorf("%q: err = %v, want a *poserr.Error", c.regles, err)
			continue
		}
		if ce.Path != "acc.yaml" || ce.Line != c.line || ce.Column != c.col || !strings.Contains(ce.Err.Error(), c.contains) {
			t.Errorf("%q: %v, want acc.yaml:%d:%d …%s…", c.regles, err, c.line, c.col, c.contains)
		}
	}
	// Run reports it before checking anything.
	root := writeRepo(t, withConfig(t, cleanCase(), "  rytme: info\n"))
	_, _, err := runRepo(t, root, fixtureToday, nil)
	var ce *poserr.Error
	if !errors.As(err, &ce) || !strings.HasPrefix(err.Error(), "acc.yaml:3:3: ") {
		t.Errorf("Run: %v", err)
	}
}
