package templates

import (
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"text/template"

	"github.com/acc-formation/acc/internal/poserr"
	"github.com/acc-formation/acc/internal/textkey"
)

//go:embed types/*.yaml templates/*.md
var embedded embed.FS

const (
	commonFile      = "types/_entretien.yaml"
	genericTemplate = "_generique"
)

// Registry holds the document types of a case-file repository and their
// templates. It is immutable once built and safe for concurrent use.
type Registry struct {
	byName map[string]*Type
	order  []*Type // interviews in methodology order
	fiche  *Type
	tmpl   map[string]*template.Template // by type name
	drafts []Draft                       // of the types an organisation changed
}

// builtinSet is the parsed embedded data, shared by Builtin and Load.
type builtinSet struct {
	common  *typeDef
	defs    map[string]*typeDef
	tmplSrc map[string]string // type name (or _generique) → template text
	reg     *Registry
}

var builtinOnce = sync.OnceValues(loadBuiltin)

// Builtin returns the registry of acc's own types and templates, parsed once.
// It panics only if the embedded data is broken, which the package's tests
// rule out.
func Builtin() *Registry {
	b, err := builtinOnce()
	if err != nil {
		panic("templates: embedded type definitions are broken: " + err.Error())
	}
	return b.reg
}

func loadBuiltin() (*builtinSet, error) {
	b := &builtinSet{defs: map[string]*typeDef{}, tmplSrc: map[string]string{}}
	entries, err := fs.ReadDir(embedded, "types")
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		p := "types/" + e.Name()
		src, err := embedded.ReadFile(p)
		if err != nil {
			return nil, err
		}
		if p == commonFile {
			if b.common, err = parseDef(p, src, true, true); err != nil {
				return nil, err
			}
			continue
		}
		d, err := parseDef(p, src, true, false)
		if err != nil {
			return nil, err
		}
		if d.name+".yaml" != e.Name() {
			return nil, fmt.Errorf("%s: nom %q", p, d.name)
		}
		b.defs[d.name] = d
	}
	if b.common == nil {
		return nil, errors.New(commonFile + " missing")
	}
	entries, err = fs.ReadDir(embedded, "templates")
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		src, err := embedded.ReadFile("templates/" + e.Name())
		if err != nil {
			return nil, err
		}
		b.tmplSrc[strings.TrimSuffix(e.Name(), ".md")] = string(src)
	}
	reg, err := build(b, b.defs, nil)
	if err != nil {
		return nil, err
	}
	b.reg = reg
	return b, nil
}

// tmplFile is an organisation's template.
type tmplFile struct {
	path string
	text string
}

// Load returns the built-in registry completed by an organisation's files:
// accDir/types/<type>.yaml definitions (a file overrides the built-in type of
// the same nom, or adds a type) and accDir/templates/<type>.md templates
// (overriding the template of that type). accDir is the repository's .acc
// folder; when it does not exist (or is ""), Load returns Builtin(). Problems in those
// files are reported as *poserr.Error, with the file and line.
//
// Every type or template that comes from accDir is rendered with sample
// data: a template that fails to run is a *poserr.Error. Whether the documents
// would validate is the validator's to say: Drafts lists them, and
// validate.LoadRegistry is Load followed by that check.
func Load(accDir string) (*Registry, error) {
	b, err := builtinOnce()
	if err != nil {
		return nil, err
	}
	if accDir == "" {
		return b.reg, nil
	}
	defs := map[string]*typeDef{}
	for k, v := range b.defs {
		defs[k] = v
	}
	overridden := false
	typeDir := filepath.Join(accDir, "types")
	files, err := readDir(typeDir)
	if err != nil {
		return nil, err
	}
	for _, name := range files {
		p := filepath.Join(typeDir, name)
		ext := path.Ext(name)
		switch {
		case ext == ".yml":
			return nil, poserr.At(p, 0, 0, "extension .yml : renommez le fichier en %s.yaml", strings.TrimSuffix(name, ext))
		case ext != ".yaml":
			continue
		case strings.HasPrefix(name, "_"):
			return nil, &poserr.Error{Path: p, Err: errors.New("les noms commençant par « _ » sont réservés à acc")}
		}
		src, err := readBounded(p)
		if err != nil {
			return nil, err
		}
		d, err := parseDef(p, src, false, false)
		if err != nil {
			return nil, err
		}
		if want := strings.TrimSuffix(name, ext); d.name != want {
			return nil, (&parser{path: p}).errAt(d.nameKey, "le nom « %s » diffère du nom du fichier : renommez le fichier en %s.yaml ou mettez « nom: %s »", d.name, d.name, want)
		}
		if d.name == commonBaseName || d.name == "beneficiaire" {
			return nil, (&parser{path: p}).errAt(d.nameKey, "« %s » est un mot réservé d'acc : choisissez un autre nom de type", d.name)
		}
		defs[d.name] = d
		overridden = true
	}

	tmpls := map[string]tmplFile{}
	tmplDir := filepath.Join(accDir, "templates")
	files, err = readDir(tmplDir)
	if err != nil {
		return nil, err
	}
	for _, name := range files {
		if path.Ext(name) != ".md" {
			continue
		}
		p := filepath.Join(tmplDir, name)
		tname := strings.TrimSuffix(name, ".md")
		if defs[tname] == nil {
			msg := fmt.Sprintf("modèle pour un type inconnu « %s »", tname)
			if s := textkey.Suggest(tname, sortedKeys(defs)); s != "" {
				msg += fmt.Sprintf(" ; vouliez-vous dire %s.md ?", s)
			} else {
				msg += " : le nom du fichier est celui du type (acc types les liste)"
			}
			return nil, &poserr.Error{Path: p, Err: errors.New(msg)}
		}
		src, err := readBounded(p)
		if err != nil {
			return nil, err
		}
		tmpls[tname] = tmplFile{path: p, text: string(src)}
		overridden = true
	}
	if !overridden {
		return b.reg, nil
	}
	return build(b, defs, tmpls)
}

// readDir lists the regular entries of dir, skipping hidden files; a missing
// directory lists nothing.
func readDir(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, nil
		}
		return nil, poserr.At(dir, 0, 0, "lecture du dossier impossible : %s", frenchIOError(err))
	}
	var names []string
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") || e.IsDir() {
			continue
		}
		if e.Type()&fs.ModeSymlink != 0 {
			// The folder comes from the shared remote: a link could make
			// acc read /etc/… as a type.
			return nil, &poserr.Error{Path: filepath.Join(dir, e.Name()), Err: errors.New("lien symbolique : acc ne suit pas les liens, qui pourraient mener hors du dépôt ; remplacez-le par le fichier lui-même")}
		}
		names = append(names, e.Name())
	}
	sort.Strings(names)
	return names, nil
}

// MaxFileSize bounds an organisation's type or template file: a type is a
// few kilobytes; these files come from the shared remote and are read by
// every command.
const MaxFileSize = 256 << 10

// readBounded reads a type or template file, refusing a link, a special
// file, or a file over MaxFileSize before reading it.
func readBounded(p string) ([]byte, error) {
	lfi, err := os.Lstat(p)
	if err != nil {
		return nil, poserr.At(p, 0, 0, "lecture impossible : %s", frenchIOError(err))
	}
	if !lfi.Mode().IsRegular() {
		return nil, &poserr.Error{Path: p, Err: errors.New("pas un fichier ordinaire (lien symbolique ou fichier spécial) : acc ne le lit pas")}
	}
	f, err := os.Open(p)
	if err != nil {
		return nil, poserr.At(p, 0, 0, "lecture impossible : %s", frenchIOError(err))
	}
	defer f.Close()
	src, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, poserr.At(p, 0, 0, "lecture impossible : %s", frenchIOError(err))
	}
	if len(src) > MaxFileSize {
		return nil, poserr.At(p, 0, 0, "fichier de plus de %d Kio : un type ou un modèle n'est pas si long", MaxFileSize>>10)
	}
	return src, nil
}

func frenchIOError(err error) string {
	switch {
	case errors.Is(err, fs.ErrPermission):
		return "permission refusée"
	case errors.Is(err, fs.ErrNotExist):
		return "fichier introuvable"
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// build resolves the definitions and attaches templates. tmpls are an
// organisation's templates; types or templates that are not built-in are
// checked by a sample rendering.
func build(b *builtinSet, defs map[string]*typeDef, tmpls map[string]tmplFile) (*Registry, error) {
	r, err := newResolver(b.common, b.defs, defs)
	if err != nil {
		return nil, err
	}
	reg := &Registry{byName: map[string]*Type{}, tmpl: map[string]*template.Template{}}
	for _, name := range sortedKeys(defs) {
		t, err := r.resolve(defs[name])
		if err != nil {
			return nil, err
		}
		reg.byName[name] = t
		if t.Interview {
			reg.order = append(reg.order, t)
		} else {
			reg.fiche = t
		}
	}
	if reg.fiche == nil {
		return nil, errors.New("templates: no fiche type")
	}
	order(reg.order)

	parsed := map[string]*template.Template{} // by source key
	parse := func(key, name, text string) (*template.Template, error) {
		if t, ok := parsed[key]; ok {
			return t, nil
		}
		t, err := parseTemplate(name, text)
		if err != nil {
			return nil, err
		}
		parsed[key] = t
		return t, nil
	}
	for _, name := range sortedKeys(defs) {
		t := reg.byName[name]
		// The template of a type: its own (organisation's, then built-in),
		// else its base type's, else the generic one written from the type.
		var tm *template.Template
		for d := defs[name]; d != nil && tm == nil; d = r.baseDef(d) {
			if f, ok := tmpls[d.name]; ok {
				if tm, err = parse("org:"+d.name, f.path, f.text); err != nil {
					return nil, err
				}
				t.TemplateSource = f.path
			} else if src, ok := b.tmplSrc[d.name]; ok {
				if tm, err = parse("builtin:"+d.name, d.name+".md", src); err != nil {
					return nil, err
				}
			}
		}
		if tm == nil {
			if tm, err = parse("builtin:"+genericTemplate, genericTemplate+".md", b.tmplSrc[genericTemplate]); err != nil {
				return nil, err
			}
		}
		reg.tmpl[name] = tm
	}

	// Render what an organisation changed: the template must run; the
	// validator checks the documents (Drafts).
	for _, name := range sortedKeys(defs) {
		t := reg.byName[name]
		if t.Source == "" && t.TemplateSource == "" {
			continue
		}
		drafts, err := reg.SampleDrafts(t)
		if err != nil {
			return nil, err
		}
		reg.drafts = append(reg.drafts, drafts...)
	}
	return reg, nil
}

// Types returns the interview types in methodology order: by phase, the
// built-ins in the order of DESIGN §1, then an organisation's types of the
// same phase by name. The fiche is not included.
func (r *Registry) Types() []*Type {
	return append([]*Type(nil), r.order...)
}

// EachField calls fn on every field of every type: the fiche first, then
// the interview types in methodology order; each field before its
// sub-fields and its list item (whose Key is "").
func (r *Registry) EachField(fn func(t *Type, f *Field)) {
	var walk func(t *Type, fs []*Field)
	walk = func(t *Type, fs []*Field) {
		for _, f := range fs {
			if f == nil {
				continue
			}
			fn(t, f)
			walk(t, f.Fields)
			if f.Item != nil {
				walk(t, []*Field{f.Item})
			}
		}
	}
	for _, t := range append([]*Type{r.fiche}, r.order...) {
		walk(t, t.Fields)
	}
}

// Fiche returns the type of the beneficiary's record sheet.
func (r *Registry) Fiche() *Type { return r.fiche }

// Lookup returns a type by name, the fiche included.
func (r *Registry) Lookup(name string) (*Type, bool) {
	t, ok := r.byName[name]
	return t, ok
}

// ErrUnknownType is wrapped by the errors of Render and Schema for a name
// that is not a type.
var ErrUnknownType = errors.New("type de document inconnu")

func (r *Registry) lookupErr(name string) (*Type, error) {
	if t, ok := r.byName[name]; ok {
		return t, nil
	}
	names := sortedKeys(r.byName)
	if s := textkey.Suggest(name, names); s != "" {
		return nil, fmt.Errorf("%w « %s » ; vouliez-vous dire « %s » ?", ErrUnknownType, name, s)
	}
	return nil, fmt.Errorf("%w « %s » ; types possibles : %s", ErrUnknownType, name, strings.Join(names, ", "))
}
