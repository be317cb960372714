package casefile

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/acc-formation/acc/internal/poserr"
	"golang.org/x/text/encoding/charmap"
)

// Bounds of a CSV import (acc import beneficiaires): a spreadsheet of a
// training centre's intake holds tens or hundreds of people.
const (
	MaxImportSize  = 4 << 20 // bytes of the file
	MaxImportRows  = 5000    // people in one import
	maxImportCell  = 200     // characters of one cell
	maxImportFault = 20      // row errors listed before "… and N more"
)

// ImportRow is one person of a CSV import, as typed, trimmed.
type ImportRow struct {
	Line                  int // line of the file where the row starts (1-based)
	Prenom, Nom           string
	DateEntree            time.Time // zero when the column is absent or the cell empty
	Dispositif, Formateur string
	ID                    string
}

// ImportError lists the problems of a CSV import, each a positioned error
// at its line (line 0: the file as a whole).
type ImportError struct {
	Path   string
	Faults []*poserr.Error
	More   int // faults left out of the list
}

func (e *ImportError) Error() string {
	var b strings.Builder
	for i, f := range e.Faults {
		if i > 0 {
			b.WriteString("\n")
		}
		b.WriteString(f.Error())
	}
	if e.More > 0 {
		fmt.Fprintf(&b, "\n… et %d autres problèmes", e.More)
	}
	return b.String()
}

// Add records a fault, keeping the list short.
func (e *ImportError) Add(line int, format string, args ...any) {
	if len(e.Faults) >= maxImportFault {
		e.More++
		return
	}
	e.Faults = append(e.Faults, poserr.At(e.Path, line, 0, format, args...))
}

// importColumns maps a folded header name to its column; the names of
// DESIGN §4.2 and what French spreadsheets usually call them.
var importColumns = map[string]string{
	"prenom": "prenom", "nom": "nom", "nom_de_famille": "nom",
	"date_entree": "date_entree", "date_d_entree": "date_entree", "entree": "date_entree",
	"dispositif": "dispositif", "programme": "dispositif",
	"formateur_referent": "formateur_referent", "formatrice_referente": "formateur_referent",
	"formateur": "formateur_referent", "formatrice": "formateur_referent", "referent": "formateur_referent",
	"id": "id", "identifiant": "id",
}

// DecodeCSV turns a file's bytes into text: UTF-8 with or without a byte
// order mark, else (invalid UTF-8) Windows-1252, what Excel writes on a
// French Windows.
func DecodeCSV(data []byte) (string, error) {
	data = bytes.TrimPrefix(data, bom)
	if utf8.Valid(data) {
		return string(data), nil
	}
	out, err := charmap.Windows1252.NewDecoder().Bytes(data)
	if err != nil {
		return "", fmt.Errorf("encodage illisible (ni UTF-8 ni Windows-1252) : %v", err)
	}
	return string(out), nil
}

// detectComma returns the separator of a CSV text: ';' (French Excel) or
// ',', whichever the header line has more of outside quotes.
func detectComma(text string) rune {
	semi, comma, quoted := 0, 0, false
	for _, r := range text {
		switch {
		case r == '"':
			quoted = !quoted
		case quoted:
		case r == '\n' || r == '\r':
			if semi > comma {
				return ';'
			}
			return ','
		case r == ';':
			semi++
		case r == ',':
			comma++
		}
	}
	if semi > comma {
		return ';'
	}
	return ','
}

// ParseImportCSV reads a CSV file of people to create (DESIGN §4.2): a
// header row naming the columns (prenom, nom, and optionally date_entree,
// dispositif, formateur_referent, id; case, accents and spaces ignored), ';'
// or ',' separated, UTF-8 or Windows-1252, dates JJ/MM/AAAA or AAAA-MM-JJ.
// Every row is checked; the problems come back together as an
// *ImportError, with their lines. Empty rows are skipped. ignored lists the
// header's columns acc does not use.
func ParseImportCSV(path string, data []byte) (rows []ImportRow, ignored []string, err error) {
	fail := &ImportError{Path: path}
	r := newImportReader(data, fail)
	if r == nil {
		return nil, nil, fail
	}
	col, ignored := readImportHeader(r, fail)
	if len(fail.Faults) > 0 {
		return nil, nil, fail
	}
	rows = readImportRows(r, col, fail)
	if len(fail.Faults) > 0 {
		return nil, nil, fail
	}
	if len(rows) == 0 {
		fail.Add(0, "aucune personne à importer sous la ligne des colonnes")
		return nil, nil, fail
	}
	return rows, ignored, nil
}

// newImportReader decodes data and returns a CSV reader on it, with its
// separator detected; nil, with the reason added to fail, when data is too
// large or not text.
func newImportReader(data []byte, fail *ImportError) *csv.Reader {
	if len(data) > MaxImportSize {
		fail.Add(0, "fichier trop gros (plus de %d Mo) : importez-le en plusieurs fois", MaxImportSize>>20)
		return nil
	}
	text, err := DecodeCSV(data)
	if err != nil {
		fail.Add(0, "%v", err)
		return nil
	}
	r := csv.NewReader(strings.NewReader(text))
	r.Comma = detectComma(text)
	r.FieldsPerRecord = -1
	r.ReuseRecord = true
	return r
}

// readImportHeader reads the header row: col gives the 1-based position of
// each known column (0: absent), ignored the other non-blank headers.
// Problems (no header, a column twice, prenom or nom missing) are added
// to fail.
func readImportHeader(r *csv.Reader, fail *ImportError) (col map[string]int, ignored []string) {
	header, err := r.Read()
	if errors.Is(err, io.EOF) {
		fail.Add(0, "fichier vide : la première ligne doit nommer les colonnes (prenom%cnom…)", r.Comma)
		return nil, nil
	}
	if err != nil {
		fail.Add(csvLine(err), "%s", csvReason(err))
		return nil, nil
	}
	col = map[string]int{}
	for i, h := range header {
		key := strings.ReplaceAll(FoldWords(h), "-", "_")
		name, ok := importColumns[key]
		switch {
		case !ok:
			if s := strings.TrimSpace(h); s != "" {
				ignored = append(ignored, sanitizeCell(s))
			}
		case col[name] != 0:
			fail.Add(1, "la colonne %s apparaît deux fois", name)
		default:
			col[name] = i + 1 // 0 means absent
		}
	}
	for _, need := range []string{"prenom", "nom"} {
		if col[need] == 0 {
			fail.Add(1, "colonne « %s » manquante : la première ligne doit nommer les colonnes, par exemple prenom%cnom%cdate_entree", need, r.Comma, r.Comma)
		}
	}
	return col, ignored
}

// readImportRows reads the rows under the header, skipping blank ones;
// the problems of each row are added to fail and the row left out.
func readImportRows(r *csv.Reader, col map[string]int, fail *ImportError) []ImportRow {
	var rows []ImportRow
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			fail.Add(csvLine(err), "%s", csvReason(err))
			break // the reader cannot resynchronise after a broken quote
		}
		line, _ := r.FieldPos(0)
		if blankRecord(rec) {
			continue
		}
		if len(rows) >= MaxImportRows {
			fail.Add(line, "plus de %d personnes : importez le fichier en plusieurs fois", MaxImportRows)
			break
		}
		if row, ok := importRow(rec, line, col, fail); ok {
			rows = append(rows, row)
		}
	}
	return rows
}

// importRow makes the row of record rec, at line; false, with the
// problems added to fail, when a cell or the date is refused.
func importRow(rec []string, line int, col map[string]int, fail *ImportError) (ImportRow, bool) {
	cell := func(name string) (string, bool) { return importCell(rec, col[name], name, line, fail) }
	// Every cell is checked, so that all of a row's problems are reported.
	row := ImportRow{Line: line}
	ok := true
	var okc bool
	if row.Prenom, okc = cell("prenom"); !okc {
		ok = false
	}
	if row.Nom, okc = cell("nom"); !okc {
		ok = false
	}
	date, okd := cell("date_entree")
	row.Dispositif, okc = cell("dispositif")
	ok = ok && okd && okc
	if row.Formateur, okc = cell("formateur_referent"); !okc {
		ok = false
	}
	if row.ID, okc = cell("id"); !okc {
		ok = false
	}
	if !ok {
		return row, false
	}
	if row.Prenom == "" || row.Nom == "" {
		fail.Add(line, "prénom ou nom vide")
		return row, false
	}
	if date != "" {
		t, err := ParseUserDate(date)
		if err != nil {
			fail.Add(line, "date_entree : %v", err)
			return row, false
		}
		row.DateEntree = t
	}
	return row, true
}

// importCell returns the cell of column name, at 1-based position i of rec
// (0: absent, then ""), its runs of spaces made one; false, with the
// problem added to fail, when it is too long or holds a control character.
func importCell(rec []string, i int, name string, line int, fail *ImportError) (string, bool) {
	if i == 0 || i > len(rec) {
		return "", true
	}
	v := strings.Join(strings.Fields(rec[i-1]), " ")
	if utf8.RuneCountInString(v) > maxImportCell {
		fail.Add(line, "colonne %s : plus de %d caractères", name, maxImportCell)
		return "", false
	}
	for _, c := range rec[i-1] {
		if unicode.IsControl(c) && c != '\t' && c != ' ' {
			fail.Add(line, "colonne %s : retour à la ligne ou caractère de contrôle dans la cellule", name)
			return "", false
		}
	}
	return v, true
}

func blankRecord(rec []string) bool {
	for _, c := range rec {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// csvLine and csvReason turn encoding/csv's English errors into a line and
// a French reason.
func csvLine(err error) int {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return pe.Line
	}
	return 0
}

func csvReason(err error) string {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		switch {
		case errors.Is(pe.Err, csv.ErrQuote), errors.Is(pe.Err, csv.ErrBareQuote):
			return "guillemet mal placé ou non fermé : une cellule entre guillemets doit les fermer, et un guillemet dans une cellule s'écrit \"\""
		}
	}
	return "ligne illisible"
}

// sanitizeCell keeps a header name printable for a message.
func sanitizeCell(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == utf8.RuneError {
			return -1
		}
		return r
	}, s)
	if utf8.RuneCountInString(s) > 40 {
		s = string([]rune(s)[:40]) + "…"
	}
	return s
}
