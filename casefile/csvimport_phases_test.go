package casefile

import (
	"encoding/csv"
	"slices"
	"strings"
	"testing"
	"time"
)

// Tests of the phases of ParseImportCSV; the whole parse is tested in
// csvimport_test.go.

func faultLines(fail *ImportError) []int {
	var lines []int
	for _, f := range fail.Faults {
		lines = append(lines, f.Line)
	}
	return lines
}

func TestNewImportReaderDetectsTheSeparator(t *testing.T) {
	fail := &ImportError{Path: "p.csv"}
	r := newImportReader([]byte("prenom;nom\nMarie;Dupont\n"), fail)
	if r == nil || r.Comma != ';' || !r.ReuseRecord || r.FieldsPerRecord != -1 {
		t.Fatalf("reader = %+v", r)
	}
	if r := newImportReader(make([]byte, MaxImportSize+1), fail); r != nil || len(fail.Faults) != 1 ||
		!strings.Contains(fail.Faults[0].Error(), "trop gros") {
		t.Errorf("oversized: reader %v, faults %v", r, fail.Faults)
	}
}

func TestReadImportHeader(t *testing.T) {
	read := func(text string) (map[string]int, []string, *ImportError) {
		fail := &ImportError{Path: "p.csv"}
		col, ignored := readImportHeader(csv.NewReader(strings.NewReader(text)), fail)
		return col, ignored, fail
	}
	col, ignored, fail := read("Prénom,NOM,Date d'entrée,Remarque, ,formateur-referent\n")
	if len(fail.Faults) != 0 {
		t.Fatalf("faults %v", fail.Faults)
	}
	if col["prenom"] != 1 || col["nom"] != 2 || col["date_entree"] != 3 || col["formateur_referent"] != 6 || col["id"] != 0 {
		t.Errorf("columns = %v", col)
	}
	if !slices.Equal(ignored, []string{"Remarque"}) {
		t.Errorf("ignored = %q, want the non-blank unknown headers", ignored)
	}

	_, _, fail = read("prenom,prenom\n")
	if len(fail.Faults) != 2 || !strings.Contains(fail.Faults[0].Error(), "deux fois") ||
		!strings.Contains(fail.Faults[1].Error(), "« nom » manquante") || !slices.Equal(faultLines(fail), []int{1, 1}) {
		t.Errorf("faults = %v, want the double column then the missing nom, on line 1", fail.Faults)
	}
	if _, _, fail = read(""); len(fail.Faults) != 1 || !strings.Contains(fail.Faults[0].Error(), "fichier vide") {
		t.Errorf("empty: faults = %v", fail.Faults)
	}
}

func TestImportCell(t *testing.T) {
	fail := &ImportError{Path: "p.csv"}
	rec := []string{"  Marie   Anne ", "a\nb", strings.Repeat("é", maxImportCell+1)}
	if v, ok := importCell(rec, 1, "prenom", 4, fail); !ok || v != "Marie Anne" {
		t.Errorf("cell = %q, %v", v, ok)
	}
	for _, i := range []int{0, 9} {
		if v, ok := importCell(rec, i, "id", 4, fail); !ok || v != "" {
			t.Errorf("absent column %d: %q, %v", i, v, ok)
		}
	}
	if _, ok := importCell(rec, 2, "nom", 4, fail); ok {
		t.Error("a newline in a cell is accepted")
	}
	if _, ok := importCell(rec, 3, "nom", 5, fail); ok {
		t.Error("an overlong cell is accepted")
	}
	if !slices.Equal(faultLines(fail), []int{4, 5}) || !strings.Contains(fail.Faults[1].Error(), "caractères") {
		t.Errorf("faults = %v", fail.Faults)
	}
}

func TestImportRowReportsEveryBadCell(t *testing.T) {
	col := map[string]int{"prenom": 1, "nom": 2, "date_entree": 3, "dispositif": 4, "formateur_referent": 5, "id": 6}
	fail := &ImportError{Path: "p.csv"}
	row, ok := importRow([]string{"Marie", "Dupont", "05/01/2026", "PLIE", "Jean Martin", "dupont-marie"}, 2, col, fail)
	want := ImportRow{Line: 2, Prenom: "Marie", Nom: "Dupont", DateEntree: time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC),
		Dispositif: "PLIE", Formateur: "Jean Martin", ID: "dupont-marie"}
	if !ok || row != want || len(fail.Faults) != 0 {
		t.Errorf("row = %+v, %v, faults %v; want %+v", row, ok, fail.Faults, want)
	}

	// A bad cell in each of prenom and id: both reported, the date not read.
	if _, ok := importRow([]string{"a\x01", "Dupont", "pas une date", "", "", "x\ty\x7f"}, 3, col, fail); ok || len(fail.Faults) != 2 {
		t.Errorf("ok %v, faults %v: want the two bad cells", ok, fail.Faults)
	}
	if _, ok := importRow([]string{"Marie", "Dupont", "pas une date"}, 4, col, fail); ok ||
		len(fail.Faults) != 3 || !strings.Contains(fail.Faults[2].Error(), "date_entree") {
		t.Errorf("bad date: ok %v, faults %v", ok, fail.Faults)
	}
	if _, ok := importRow([]string{" ", "Dupont"}, 5, col, fail); ok || len(fail.Faults) != 4 ||
		!strings.Contains(fail.Faults[3].Error(), "prénom ou nom vide") {
		t.Errorf("blank name: ok %v, faults %v", ok, fail.Faults)
	}
}
