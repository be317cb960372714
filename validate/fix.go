package validate

import (
	"bytes"
	"path"
	"regexp"
	"sort"
	"strings"

	"github.com/acc-formation/acc/casefile"
	"github.com/acc-formation/acc/templates"
)

// Edit is one change of a safe fix, by whole lines so that it applies to the
// text as written (CRLF, byte order mark, decomposed accents) as well as to
// the normalised text the findings were computed on: Normalize keeps line
// numbers.
type Edit struct {
	// Line is the 1-based line the edit applies to; 0 means the end of the
	// text.
	Line int
	// Replace: Text replaces the line's content (not its line break).
	// Otherwise Text, made of whole lines each ending with "\n", is
	// inserted before Line (or appended at the end).
	Replace bool
	Text    string
}

// Fix is the safe fix of one finding (DESIGN §5.2): what acc validate --fix
// applies and what the editor offers as a quick fix.
type Fix struct {
	Finding Finding
	Title   string // French, for the editor's menu
	Edits   []Edit
}

// Fixer computes safe fixes with the types and settings of a run.
type Fixer struct{ e *engine }

// NewFixer returns the fixer of opts (Settings or Config, and Registry,
// required).
func NewFixer(opts RunOptions) (*Fixer, error) {
	e, err := engineFor(opts)
	if err != nil {
		return nil, err
	}
	return &Fixer{e: e}, nil
}

// Fixes returns the safe fixes of the findings of one document whose text
// is src: a missing required section added (heading and the template's
// prompt), a heading one typo or one level away renamed to the required one,
// a missing required key added with an empty value to fill. Anything else,
// and a donnee-sensible finding above all, gets no fix: a fix never invents
// content. Fixes are independent of each other; Merge combines them.
func (x *Fixer) Fixes(p string, src []byte, findings []Finding) []Fix {
	d := casefile.Parse(p, src)
	if d.FrontErr != nil || !d.HasFront {
		return nil
	}
	c := &docCheck{e: x.e, d: d, base: path.Base(p)}
	ft, _, _ := c.checkFileName()
	typ := c.checkType(ft)
	if typ == nil {
		return nil
	}
	var out []Fix
	used := map[int]bool{} // headings already renamed by a fix
	for _, f := range findings {
		if f.Path != p || f.Rule == "donnee-sensible" {
			continue
		}
		switch {
		case f.Rule == "section-manquante" && strings.HasPrefix(f.Key, "section:"):
			// At 1:1 when absent; at the near-miss heading otherwise.
			if fx, ok := x.sectionFix(d, typ, f, used); ok {
				out = append(out, fx)
			}
		case f.Rule == "champ-invalide" && f.Line > 1 && f.Line < d.BodyLine:
			if fx, ok := dateFix(src, f); ok {
				out = append(out, fx)
			}
		case f.Line != 1 || f.Column != 1:
		default:
			if fx, ok := keyFix(d, typ, f); ok {
				out = append(out, fx)
			}
		}
	}
	return out
}

// sectionFix renames a near-miss heading to the required one, or adds the
// section at the end.
func (x *Fixer) sectionFix(d *casefile.Document, typ *templates.Type, f Finding, used map[int]bool) (Fix, bool) {
	key := strings.TrimPrefix(f.Key, "section:")
	var sec *templates.Section
	known := map[string]bool{}
	for i := range typ.Sections {
		k := casefile.NormalizeHeading(typ.Sections[i].Title)
		known[k] = true
		if k == key {
			sec = &typ.Sections[i]
		}
	}
	if sec == nil {
		return Fix{}, false
	}
	for _, h := range d.Headings {
		if used[h.Line] || known[h.Key] && !(h.Key == key && h.Level != 2) || f.Line > 1 && h.Line != f.Line {
			continue
		}
		if h.Key == key || h.Level == 2 && casefile.Suggest(h.Key, []string{key}) == key {
			used[h.Line] = true
			return Fix{Finding: f, Title: "Renommer le titre en « ## " + sec.Title + " »",
				Edits: []Edit{{Line: h.Line, Replace: true, Text: "## " + sec.Title}}}, true
		}
	}
	text := templates.SectionMarkdown(*sec)
	if len(d.Src) > 0 && !bytes.HasSuffix(d.Src, []byte("\n\n")) {
		text = "\n" + text
	}
	return Fix{Finding: f, Title: "Ajouter la section « ## " + sec.Title + " »",
		Edits: []Edit{{Text: text}}}, true
}

// frenchDateRE finds a date written the French way (J/M/AAAA) in a line.
var frenchDateRE = regexp.MustCompile(`(^|[^0-9/])([0-9]{1,2}/[0-9]{1,2}/[0-9]{4})($|[^0-9/])`)

// dateFix writes in its canonical form (AAAA-MM-JJ) a date of the
// frontmatter that a trainer wrote the French way (DESIGN §4.2, §5.2): only
// when the finding's line holds exactly one such date that exists, so that
// nothing else of the line changes and nothing is guessed.
func dateFix(src []byte, f Finding) (Fix, bool) {
	lines := splitLines(src)
	if f.Line > len(lines) {
		return Fix{}, false
	}
	line, _ := cutBreak(lines[f.Line-1])
	m := frenchDateRE.FindAllSubmatchIndex(line, -1)
	if len(m) != 1 {
		return Fix{}, false
	}
	raw := string(line[m[0][4]:m[0][5]])
	canon := casefile.CanonicalDate(raw)
	if canon == "" {
		return Fix{}, false
	}
	text := string(line[:m[0][4]]) + canon + string(line[m[0][5]:])
	return Fix{Finding: f, Title: "Écrire la date au format AAAA-MM-JJ : " + canon,
		Edits: []Edit{{Line: f.Line, Replace: true, Text: text}}}, true
}

// keyFix adds a missing top-level key of the frontmatter, empty, just
// before the closing delimiter.
func keyFix(d *casefile.Document, typ *templates.Type, f Finding) (Fix, bool) {
	k := f.Key
	if k == "" || strings.ContainsAny(k, ".[#:") || fieldOf(typ.Fields, k) == nil {
		return Fix{}, false
	}
	if _, node := casefile.Get(d.Front, k); node != nil {
		return Fix{}, false
	}
	closing := d.BodyLine - 1
	if closing < 2 {
		return Fix{}, false
	}
	return Fix{Finding: f, Title: "Ajouter le champ « " + k + " » (à compléter)",
		Edits: []Edit{{Line: closing, Text: k + ":\n"}}}, true
}

// Merge gathers the edits of several fixes in the order ApplyEdits wants.
func Merge(fixes []Fix) []Edit {
	var out []Edit
	for _, f := range fixes {
		out = append(out, f.Edits...)
	}
	return out
}

// ApplyEdits applies edits to a text as written. Inserted lines take the
// text's line break (CRLF when it uses it). Edits on the same line keep
// their order; a line replaced twice keeps the first replacement.
func ApplyEdits(src []byte, edits []Edit) []byte {
	nl := "\n"
	if bytes.Contains(src, []byte("\r\n")) {
		nl = "\r\n"
	}
	lines := splitLines(src)
	before := map[int][]string{}
	replace := map[int]string{}
	var tail []string
	for _, e := range edits {
		text := strings.ReplaceAll(e.Text, "\n", nl)
		switch {
		case e.Line <= 0 || e.Line > len(lines):
			tail = append(tail, text)
		case e.Replace:
			if _, done := replace[e.Line]; !done {
				replace[e.Line] = e.Text
			}
		default:
			before[e.Line] = append(before[e.Line], text)
		}
	}
	var b bytes.Buffer
	for i, l := range lines {
		n := i + 1
		for _, t := range before[n] {
			b.WriteString(t)
		}
		if r, ok := replace[n]; ok {
			content, brk := cutBreak(l)
			if n == 1 && bytes.HasPrefix(content, []byte{0xEF, 0xBB, 0xBF}) {
				b.Write(content[:3])
			}
			b.WriteString(r)
			b.Write(brk)
			continue
		}
		b.Write(l)
	}
	if len(tail) > 0 {
		if b.Len() > 0 && !bytes.HasSuffix(b.Bytes(), []byte("\n")) && !bytes.HasSuffix(b.Bytes(), []byte("\r")) {
			b.WriteString(nl)
		}
		for _, t := range tail {
			b.WriteString(t)
		}
	}
	return b.Bytes()
}

// splitLines splits src after each line break (LF, CRLF or a lone CR, as
// Normalize counts them), each line keeping its break.
func splitLines(src []byte) [][]byte {
	var out [][]byte
	start := 0
	for i := 0; i < len(src); i++ {
		switch src[i] {
		case '\n':
			out = append(out, src[start:i+1])
			start = i + 1
		case '\r':
			if i+1 < len(src) && src[i+1] == '\n' {
				i++
			}
			out = append(out, src[start:i+1])
			start = i + 1
		}
	}
	if start < len(src) {
		out = append(out, src[start:])
	}
	return out
}

// cutBreak splits a line from its line break.
func cutBreak(l []byte) (content, brk []byte) {
	n := len(l)
	for n > 0 && (l[n-1] == '\n' || l[n-1] == '\r') {
		n--
	}
	return l[:n], l[n:]
}

// SortFixes orders fixes by their finding, as Run emits findings.
func SortFixes(fixes []Fix) {
	sort.SliceStable(fixes, func(i, j int) bool {
		a, b := fixes[i].Finding, fixes[j].Finding
		if a.Rule != b.Rule {
			return a.Rule < b.Rule
		}
		return a.Key < b.Key
	})
}

// TypeOf returns the type a document is checked against (its `type` when
// known, else its file name's), nil when neither says: the editor's
// completion and hover follow the judgement.
func (x *Fixer) TypeOf(d *casefile.Document) *templates.Type {
	c := &docCheck{e: x.e, d: d, base: path.Base(d.Path)}
	ft, _, _ := c.checkFileName()
	if d.FrontErr != nil {
		return x.e.typeByID[ft]
	}
	return c.checkType(ft)
}
