package templates

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"text/template"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/acc-formation/acc/internal/bug"
	"github.com/acc-formation/acc/internal/poserr"
	"github.com/acc-formation/acc/internal/textkey"
	"go.yaml.in/yaml/v3"
)

// Data is what a template is rendered with. Interview templates use
// Beneficiaire (the id, never the person's name: with pseudonymous ids names
// live only in fiche.md), Date, Formateur and Suivi; the fiche template uses
// Prenom, Nom, DateEntree and Dispositif too.
type Data struct {
	Type         *Type  // set by Render
	Beneficiaire string // the beneficiary's id (folder name)
	Date         string // the document's date, YYYY-MM-DD (fiche: defaults DateEntree)
	Formateur    string // the trainer writing the document (fiche: formateur_referent)
	Organisation string // acc.yaml's organisation

	// Fiche only.
	Prenom, Nom string
	Dispositif  string // programme name; "" leaves the key out
	DateEntree  string // YYYY-MM-DD; defaults to Date

	// Suivi lists the beneficiary's open objectives (status en-cours or
	// reporte), in declaration order, so that a follow-up or a review can
	// pre-list them and a contract can pre-fill the retained ones.
	Suivi []ObjectiveRef
}

// ObjectiveRef is an objective as the fold of a case file currently sees it.
type ObjectiveRef struct {
	ID, Intitule, Indicateur, Echeance string
}

var objectiveIDRE = regexp.MustCompile(`^[A-Za-z0-9-]+$`)

// funcs are the functions templates may call.
var funcs = template.FuncMap{
	// yaml writes a value as a YAML scalar on one line, quoted when needed:
	// `formateur: {{yaml .Formateur}}` survives any name.
	"yaml": yamlScalar,
	// comment flattens text to one line for a YAML `#` or HTML comment.
	"comment": commentText,
	// section writes one section: its heading and its prompt as an HTML comment.
	"section": sectionMarkdown,
	// sections writes all the sections of a type, in order.
	"sections": func(t *Type) string {
		var b strings.Builder
		for _, s := range t.Sections {
			b.WriteString(sectionMarkdown(s))
		}
		return strings.TrimSuffix(b.String(), "\n")
	},
}

func yamlScalar(v any) string {
	switch x := v.(type) {
	case string:
		return quoteYAML(x)
	case int, bool:
		return fmt.Sprint(x)
	case nil:
		return `""`
	}
	return quoteYAML(fmt.Sprint(v))
}

// quoteYAML writes s as a one-line YAML scalar that reads back as the string s.
func quoteYAML(s string) string {
	if s != "" && !strings.ContainsAny(s, "\n\r\t") {
		if out, err := yaml.Marshal(s); err == nil {
			q := strings.TrimSuffix(string(out), "\n")
			if !strings.Contains(q, "\n") && !strings.HasPrefix(q, "|") && !strings.HasPrefix(q, ">") {
				return q
			}
		}
	}
	return doubleQuote(s)
}

// doubleQuote writes s as a YAML double-quoted scalar, escaping what YAML
// does not accept raw (control characters, line separators, BOM).
func doubleQuote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == utf8.RuneError || r == 0x2028 || r == 0x2029 || r == 0xFEFF || !unicode.IsPrint(r) && r != ' ':
			if r > 0xFFFF {
				fmt.Fprintf(&b, `\U%08X`, r)
			} else {
				fmt.Fprintf(&b, `\u%04X`, r)
			}
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

func commentText(s string) string {
	s = strings.Map(func(r rune) rune {
		if r == 0xFEFF || !unicode.IsPrint(r) && !unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
	s = strings.Join(strings.Fields(s), " ")
	return strings.ReplaceAll(s, "-->", "->")
}

func sectionMarkdown(s Section) string {
	var b strings.Builder
	b.WriteString("## ")
	b.WriteString(s.Title)
	b.WriteString("\n\n")
	prompt := strings.TrimSpace(s.Prompt)
	if s.If != nil {
		note := "Section exigée seulement si " + s.If.String() + "."
		if prompt != "" {
			prompt += "\n" + note
		} else {
			prompt = note
		}
	}
	if prompt != "" {
		prompt = strings.ReplaceAll(prompt, "-->", "->")
		if strings.Contains(prompt, "\n") {
			b.WriteString("<!--\n" + prompt + "\n-->\n")
		} else {
			b.WriteString("<!-- " + prompt + " -->\n")
		}
		b.WriteString("\n")
	}
	return b.String()
}

func parseTemplate(name, text string) (*template.Template, error) {
	t, err := template.New(name).Option("missingkey=error").Funcs(funcs).Parse(text)
	if err != nil {
		return nil, templateError(name, err)
	}
	return t, nil
}

var tmplPosRE = regexp.MustCompile(`^(\d+)(?::(\d+))?: (.*)$`)

// templateError turns a text/template error ("template: NAME:LINE:COL: msg")
// into a positioned error.
func templateError(name string, err error) error {
	msg := err.Error()
	e := &poserr.Error{Path: name}
	rest := strings.TrimPrefix(msg, "template: "+name+":")
	if m := tmplPosRE.FindStringSubmatch(rest); rest != msg && m != nil {
		e.Line, _ = strconv.Atoi(m[1])
		e.Column, _ = strconv.Atoi(m[2])
		msg = m[3]
	}
	e.Err = errors.New("modèle incorrect : " + frenchTemplateError(msg))
	return e
}

var (
	tmplExecRE  = regexp.MustCompile(`^executing ".*?" at <(.*?)>: (.*)$`)
	tmplFieldRE = regexp.MustCompile(`^can't evaluate field (\w+) in type`)
	tmplFuncRE  = regexp.MustCompile(`^function "(\w+)" not defined$`)
)

// frenchTemplateError translates the text/template messages an author is
// most likely to meet; others are kept as Go wrote them.
func frenchTemplateError(msg string) string {
	at := ""
	if m := tmplExecRE.FindStringSubmatch(msg); m != nil {
		at, msg = "« "+m[1]+" » : ", m[2]
	}
	switch {
	case tmplFieldRE.MatchString(msg):
		m := tmplFieldRE.FindStringSubmatch(msg)
		return at + "la donnée « " + m[1] + " » n'existe pas ; données disponibles : .Type (.Type.Name, .Type.Label, .Type.Purpose…), .Beneficiaire, .Date, .Formateur, .Organisation, .Prenom, .Nom, .Dispositif, .DateEntree, .Suivi"
	case tmplFuncRE.MatchString(msg):
		m := tmplFuncRE.FindStringSubmatch(msg)
		return at + "fonction « " + m[1] + " » inconnue ; fonctions disponibles : yaml, comment, section, sections"
	case msg == "unexpected EOF":
		return at + "fin du fichier inattendue : un {{if}}, {{range}} ou {{with}} n'est pas fermé par {{end}}"
	}
	return at + msg
}

// Render writes a new document of the named type from its template. The
// result is valid YAML frontmatter (statut: brouillon for an interview)
// followed by the body; every required section heading is present: one the
// template does not write is appended with its prompt. Bad data (an invalid
// date, an empty name) is an error, as is an unknown type (ErrUnknownType).
func (r *Registry) Render(typeName string, d Data) ([]byte, error) {
	t, err := r.lookupErr(typeName)
	if err != nil {
		return nil, err
	}
	d.Type = t
	if err := d.prepare(); err != nil {
		return nil, err
	}
	tm := r.tmpl[t.Name]
	out, err := execute(tm, d)
	if err != nil {
		return nil, err
	}
	return complete(t, out), nil
}

// MaxRenderSize bounds what a template may write: a new document is a few
// kilobytes, and a template comes from the shared remote, so a loop must not
// commit hundreds of megabytes.
const MaxRenderSize = 1 << 20

// maxRenderTime bounds the execution of a template: text/template has no
// step budget, and `{{range 2000000000}}{{end}}` writes nothing while it
// loops; every command renders an organisation's templates once (to check
// them), so a slow one would stall them all. A real template runs in well
// under a millisecond.
const maxRenderTime = 2 * time.Second

var (
	errRenderSize = errors.New("render: too large")
	errRenderTime = errors.New("render: too long")
)

// boundedBuffer fails writes past MaxRenderSize, and every write once the
// execution was given up.
type boundedBuffer struct {
	buf     bytes.Buffer
	stopped atomic.Bool
}

func (b *boundedBuffer) Write(p []byte) (int, error) {
	if b.stopped.Load() {
		return 0, errRenderTime
	}
	if b.buf.Len()+len(p) > MaxRenderSize {
		return 0, errRenderSize
	}
	return b.buf.Write(p)
}

// execute runs a template within MaxRenderSize and maxRenderTime. Past the
// time, the execution is given up: its goroutine stops at its next write,
// or with the process.
func execute(tm *template.Template, d Data) ([]byte, error) {
	b := &boundedBuffer{}
	done := make(chan error, 1)
	// text/template raises again a runtime panic of a function it calls: in
	// this goroutine it would kill the process (package bug).
	go func() { done <- bug.Call(func() error { return tm.Execute(b, d) }) }()
	timer := time.NewTimer(maxRenderTime)
	defer timer.Stop()
	var err error
	select {
	case err = <-done:
	case <-timer.C:
		b.stopped.Store(true)
		err = errRenderTime
	}
	switch {
	case err == nil:
		return b.buf.Bytes(), nil
	case errors.As(err, new(*bug.Panic)):
		return nil, err
	case errors.Is(err, errRenderSize):
		return nil, poserr.At(tm.Name(), 0, 0, "modèle trop long à l'exécution : il écrirait plus de %d Mio (une boucle {{range}} sans fin ?)", MaxRenderSize>>20)
	case errors.Is(err, errRenderTime):
		return nil, poserr.At(tm.Name(), 0, 0, "modèle trop long à l'exécution : plus de %d s (une boucle {{range}} sans fin ?)", int(maxRenderTime/time.Second))
	}
	return nil, templateError(tm.Name(), err)
}

// prepare checks the data and fills defaults.
func (d *Data) prepare() error {
	t := d.Type
	if strings.TrimSpace(d.Beneficiaire) == "" || strings.IndexFunc(d.Beneficiaire, unicode.IsControl) >= 0 {
		return fmt.Errorf("identifiant du bénéficiaire manquant ou invalide : %q", d.Beneficiaire)
	}
	if strings.TrimSpace(d.Formateur) == "" {
		return errors.New("nom du formateur manquant : configurez « git config user.name » ou « formateur » dans acc.yaml")
	}
	if !t.Interview {
		if d.DateEntree == "" {
			d.DateEntree = d.Date
		}
		if d.Date == "" {
			d.Date = d.DateEntree
		}
		if !validDate(d.DateEntree) {
			return fmt.Errorf("date d'entrée invalide %q : format AAAA-MM-JJ attendu", d.DateEntree)
		}
		if strings.TrimSpace(d.Prenom+d.Nom) == "" {
			return errors.New("prénom et nom du bénéficiaire manquants")
		}
		if strings.IndexFunc(d.Prenom+d.Nom, unicode.IsControl) >= 0 {
			return fmt.Errorf("nom invalide %q : une seule ligne de texte attendue", d.Prenom+" "+d.Nom)
		}
	}
	if !validDate(d.Date) {
		return fmt.Errorf("date invalide %q : format AAAA-MM-JJ attendu", d.Date)
	}
	// An id the fold would reject is not worth repeating in a new document.
	var suivi []ObjectiveRef
	for _, o := range d.Suivi {
		if objectiveIDRE.MatchString(o.ID) {
			if !validDate(o.Echeance) {
				o.Echeance = ""
			}
			suivi = append(suivi, o)
		}
	}
	d.Suivi = suivi
	return nil
}

func validDate(s string) bool {
	if len(s) != 10 {
		return false
	}
	_, err := time.Parse("2006-01-02", s)
	return err == nil
}

func parseInt(s string) (int, error) { return strconv.Atoi(s) }

// splitFront splits a rendered document into its frontmatter and body.
func splitFront(doc []byte) (front, body []byte, ok bool) {
	if !bytes.HasPrefix(doc, []byte("---\n")) {
		return nil, doc, false
	}
	rest := doc[4:]
	for off := 0; off < len(rest); {
		end := bytes.IndexByte(rest[off:], '\n')
		line := rest[off:]
		next := len(rest)
		if end >= 0 {
			line = rest[off : off+end]
			next = off + end + 1
		}
		if strings.TrimRight(string(line), " ") == "---" {
			return rest[:off], rest[next:], true
		}
		off = next
	}
	return nil, doc, false
}

// headings returns the keys of the level-2 headings of a Markdown body,
// outside fenced code blocks.
func headings(body []byte) map[string]bool {
	out := map[string]bool{}
	fence := ""
	for _, line := range strings.Split(string(body), "\n") {
		trim := strings.TrimLeft(line, " ")
		if fence != "" {
			if strings.HasPrefix(trim, fence) {
				fence = ""
			}
			continue
		}
		if strings.HasPrefix(trim, "```") || strings.HasPrefix(trim, "~~~") {
			fence = trim[:3]
			continue
		}
		if strings.HasPrefix(line, "## ") {
			out[textkey.Heading(line[3:])] = true
		}
	}
	return out
}

// complete appends the required sections the rendered template lacks and
// ends the document with exactly one newline.
func complete(t *Type, doc []byte) []byte {
	_, body, _ := splitFront(doc)
	have := headings(body)
	out := bytes.TrimRight(doc, "\n \t")
	for _, s := range t.Sections {
		if s.Optional || have[textkey.Heading(s.Title)] {
			continue
		}
		out = append(out, "\n\n"...)
		out = append(out, strings.TrimRight(sectionMarkdown(s), "\n")...)
	}
	return append(out, '\n')
}

// Draft is a document a type's template writes for a new case file, from
// sample data: what the validator checks (validate.CheckRegistry), so that a
// broken template is found when the registry is loaded rather than by the
// first trainer who creates a document with it.
type Draft struct {
	Type *Type
	// Path is where the document would be, relative to the case-file root:
	// beneficiaires/<id>/fiche.md or beneficiaires/<id>/<date>-<type>.md.
	Path string
	// ID is the beneficiary's id (the folder's name).
	ID  string
	Doc []byte
}

// Invalid is the error of a draft the validator rejects: problem is the
// first thing it says, in French. The error names the template, or the type
// definition with a hint when the type has no template of its own.
func (d Draft) Invalid(problem string) error {
	src, hint := d.Type.TemplateSource, ""
	if src == "" {
		src = d.Type.Source
		hint = fmt.Sprintf(" ; écrivez un modèle .acc/templates/%s.md adapté au type", d.Type.Name)
	}
	return &poserr.Error{Path: src, Err: errors.New("un document créé avec ce modèle ne serait pas valide : " + problem + hint)}
}

// Drafts returns the sample documents of the types or templates an
// organisation changed (Load renders them; the built-in ones are checked by
// the tests). The validator checks them.
func (r *Registry) Drafts() []Draft { return r.drafts }

// SampleDrafts renders a type's template with each set of sample data (a
// name that breaks naive YAML, no programme, with and without open
// objectives).
func (r *Registry) SampleDrafts(t *Type) ([]Draft, error) {
	var out []Draft
	for _, d := range sampleData() {
		doc, err := r.Render(t.Name, d)
		if err != nil {
			return nil, err
		}
		name := "fiche.md"
		if t.Interview {
			name = d.Date + "-" + t.Name + ".md"
		}
		out = append(out, Draft{Type: t, Path: "beneficiaires/" + d.Beneficiaire + "/" + name, ID: d.Beneficiaire, Doc: doc})
	}
	return out, nil
}

// sampleData is the data templates are checked with: a name that breaks
// naive YAML, no programme, with and without open objectives.
func sampleData() []Data {
	base := Data{
		Beneficiaire: "elodie-n-guessan-test",
		Date:         "2026-03-02",
		Formateur:    "Élodie N'Guessan: test",
		Organisation: "Centre « L'Envol » : #1",
		Prenom:       "Élodie",
		Nom:          "N'Guessan: test",
		DateEntree:   "2026-03-02",
	}
	with := base
	with.Dispositif = "Prépa # avenir: 2026"
	with.Suivi = []ObjectiveRef{
		{ID: "O1", Intitule: "Obtenir le code : « test » # 1", Indicateur: "Examen réussi", Echeance: "2026-06-30"},
		{ID: "O-2", Intitule: "Trouver un stage\nd'observation", Echeance: ""},
	}
	return []Data{base, with}
}
