package casefile

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func readFixture(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "testdata", "import", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestParseImportCSVEncodingsAndSeparators(t *testing.T) {
	cases := []struct {
		file    string
		want    []string // prenom|nom|date|dispositif|formateur|id
		ignored []string
	}{
		{"utf8-bom-pointvirgule.csv", []string{
			"Élodie|N'Guessan|2026-11-02|Prépa Avenir||",
			"Zoé|Lefèvre-Marchand|2026-11-03|Prépa Avenir||",
			"Théo|Garçon|2026-11-04|Remise à niveau; numérique||",
		}, []string{"Téléphone"}},
		{"utf8-virgule.csv", []string{
			"Inès|Dubois-Sànchez|2026-10-05||Paul Formateur|",
			"Marc|Aubépine|2026-10-05|||marc-a",
		}, nil},
		{"windows1252-pointvirgule.csv", []string{
			"Noël|Bénard|2026-10-12|||",
			"Françoise|Œillet|2026-10-13|||",
		}, nil},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			rows, ignored, err := ParseImportCSV(c.file, readFixture(t, c.file))
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, r := range rows {
				d := ""
				if !r.DateEntree.IsZero() {
					d = FormatDate(r.DateEntree)
				}
				got = append(got, strings.Join([]string{r.Prenom, r.Nom, d, r.Dispositif, r.Formateur, r.ID}, "|"))
			}
			if strings.Join(got, "\n") != strings.Join(c.want, "\n") {
				t.Fatalf("rows:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(c.want, "\n"))
			}
			if strings.Join(ignored, ",") != strings.Join(c.ignored, ",") {
				t.Fatalf("ignored %q, want %q", ignored, c.ignored)
			}
		})
	}
	// Lines are the file's: the blank row of the first fixture is skipped, not renumbered.
	rows, _, _ := ParseImportCSV("f", readFixture(t, "utf8-bom-pointvirgule.csv"))
	if rows[2].Line != 5 {
		t.Fatalf("third person at line %d, want 5", rows[2].Line)
	}
}

func TestParseImportCSVErrors(t *testing.T) {
	_, _, err := ParseImportCSV("erreurs.csv", readFixture(t, "erreurs.csv"))
	var ie *ImportError
	if !errors.As(err, &ie) {
		t.Fatalf("err = %v", err)
	}
	msg := err.Error()
	for _, want := range []string{"erreurs.csv:2 : date_entree", "impossible", "erreurs.csv:3 : prénom ou nom vide"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message lacks %q:\n%s", want, msg)
		}
	}
	for _, c := range []struct{ src, want string }{
		{"", "fichier vide"},
		{"nom;date_entree\nDupont;01/01/2026\n", "colonne « prenom » manquante"},
		{"prenom;nom;prenom\nA;B;C\n", "deux fois"},
		{"prenom;nom\n", "aucune personne"},
		{"prenom;nom\n\"Jean;Dupont\n", "guillemet"},
		{"prenom;nom\n\"Jean\nLuc\";Dupont\n", "retour à la ligne"},
		{"prenom;nom\nJean;" + strings.Repeat("x", 201) + "\n", "plus de 200 caractères"},
		{"prenom;nom\nJean;Dupont;01/13/2026\n", ""}, // an extra cell without a column is ignored
		{"prenom;nom;date_entree\nJean;Dupont;13/2026\n", "JJ/MM/AAAA"},
	} {
		_, _, err := ParseImportCSV("f.csv", []byte(c.src))
		if c.want == "" {
			if err != nil {
				t.Errorf("%q: %v", c.src, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: err = %v, want %q", c.src, err, c.want)
		}
	}
	// Bounds.
	big := make([]byte, MaxImportSize+1)
	if _, _, err := ParseImportCSV("f", big); err == nil || !strings.Contains(err.Error(), "trop gros") {
		t.Fatalf("oversized file: %v", err)
	}
	var b strings.Builder
	b.WriteString("prenom;nom\n")
	for i := 0; i <= MaxImportRows; i++ {
		b.WriteString("A;B\n")
	}
	if _, _, err := ParseImportCSV("f", []byte(b.String())); err == nil || !strings.Contains(err.Error(), "plus de 5000") {
		t.Fatalf("too many rows: %v", err)
	}
	// Many bad rows: the list stays short.
	b.Reset()
	b.WriteString("prenom;nom;date_entree\n")
	for i := 0; i < 100; i++ {
		b.WriteString("A;B;x\n")
	}
	_, _, err = ParseImportCSV("f", []byte(b.String()))
	if !errors.As(err, &ie) || len(ie.Faults) != maxImportFault || ie.More != 80 || !strings.Contains(err.Error(), "et 80 autres") {
		t.Fatalf("fault list: %v", err)
	}
}

func TestParseUserDate(t *testing.T) {
	for in, want := range map[string]string{"2026-11-02": "2026-11-02", "02/11/2026": "2026-11-02", "2/1/2026": "2026-01-02", " 29/02/2028 ": "2028-02-29"} {
		d, err := ParseUserDate(in)
		if err != nil || FormatDate(d) != want {
			t.Errorf("%q: %v %v, want %s", in, d, err, want)
		}
	}
	for _, in := range []string{"31/02/2026", "2026/11/02", "02-11-2026", "1/2/26", "", "aa/bb/cccc"} {
		if _, err := ParseUserDate(in); err == nil {
			t.Errorf("%q accepted", in)
		}
	}
}

// FuzzParseImportCSV decodes arbitrary files: no panic; either French
// faults with lines inside the file, or rows that are clean one-line text
// within the bounds.
func FuzzParseImportCSV(f *testing.F) {
	for _, name := range []string{"utf8-bom-pointvirgule.csv", "utf8-virgule.csv", "windows1252-pointvirgule.csv", "erreurs.csv", "doublons.csv"} {
		data, err := os.ReadFile(filepath.Join("..", "testdata", "import", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("prenom,nom\n\"a\"\"b\",c\r\n"))
	f.Add([]byte("\xef\xbb\xbfprenom;nom\n\xe9;\x80\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		rows, ignored, err := ParseImportCSV("f.csv", data)
		lines := strings.Count(string(data), "\n") + strings.Count(string(data), "\r") + 1
		if err != nil {
			var ie *ImportError
			if !errors.As(err, &ie) || len(ie.Faults) == 0 || len(ie.Faults) > maxImportFault {
				t.Fatalf("error %T %v", err, err)
			}
			for _, fl := range ie.Faults {
				if fl.Line < 0 || fl.Line > lines || !utf8.ValidString(fl.Err.Error()) {
					t.Fatalf("fault %+v outside %d lines", fl, lines)
				}
			}
			return
		}
		if len(rows) == 0 || len(rows) > MaxImportRows {
			t.Fatalf("%d rows without error", len(rows))
		}
		for _, r := range rows {
			for _, s := range []string{r.Prenom, r.Nom, r.Dispositif, r.Formateur, r.ID} {
				if !utf8.ValidString(s) || strings.IndexFunc(s, unicode.IsControl) >= 0 || utf8.RuneCountInString(s) > maxImportCell || s != strings.TrimSpace(s) {
					t.Fatalf("cell %q not clean", s)
				}
			}
			if r.Prenom == "" || r.Nom == "" || r.Line < 2 || r.Line > lines {
				t.Fatalf("row %+v", r)
			}
		}
		for _, s := range ignored {
			if !utf8.ValidString(s) || strings.IndexFunc(s, unicode.IsControl) >= 0 {
				t.Fatalf("ignored column %q not clean", s)
			}
		}
	})
}
