package templates

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/acc-formation/acc/internal/poserr"
	"github.com/acc-formation/acc/internal/termtext"
	"github.com/acc-formation/acc/internal/textkey"
	"github.com/acc-formation/acc/internal/yamlerr"
	"go.yaml.in/yaml/v3"
)

// opt is an optional scalar attribute of a definition, with its position.
type opt struct {
	val  string
	set  bool
	key  *yaml.Node // the attribute's key node, for positions
	node *yaml.Node
}

// typeDef is a parsed, unresolved definition file.
type typeDef struct {
	path    string
	builtin bool
	name    string
	nameKey *yaml.Node
	root    *yaml.Node

	label, phase, base, purpose, description opt
	sections                                 []*sectionSpec
	fields                                   []*fieldSpec
}

type sectionSpec struct {
	title    string
	node     *yaml.Node // the titre value
	prompt   opt
	cond     *condSpec
	optional opt // "true"/"false"
	aliases  []string
}

type condSpec struct {
	key     string
	keyNode *yaml.Node
	values  []string
	nodes   []*yaml.Node
}

type fieldSpec struct {
	key     string
	keyNode *yaml.Node
	node    *yaml.Node
	attrs   map[string]*yaml.Node // attribute name → its key node

	kind        Kind
	required    Requirement
	requiredIf  *condSpec
	rule        string
	label       string
	description string
	pattern     string
	dflt        string
	values      []string
	valueLabels map[string]string // valeurs given as { valeur, libelle }
	valueNodes  []*yaml.Node      // each value, for errors
	min, max    *int
	nonEmpty    bool
	closed      bool // from autres: false
	item        *fieldSpec
	fields      []*fieldSpec
}

func (s *fieldSpec) has(attr string) bool { _, ok := s.attrs[attr]; return ok }

var (
	topKeys     = []string{"nom", "libelle", "phase", "base", "objectif", "description", "sections", "champs"}
	commonKeys  = []string{"description", "sections", "champs"}
	sectionKeys = []string{"titre", "alias", "consigne", "si", "facultative"}
	fieldKeys   = []string{"type", "libelle", "requis", "requis_si", "regle", "description", "defaut",
		"valeurs", "min", "max", "element", "non_vide", "champs", "autres", "expression"}

	nameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,63}$`)
	keyRE  = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
)

// parser reads one definition file.
type parser struct {
	path string
}

func (p *parser) errAt(n *yaml.Node, format string, args ...any) *poserr.Error {
	e := poserr.At(p.path, 0, 0, format, args...)
	if n != nil {
		e.Line, e.Column = n.Line, n.Column
	}
	return e
}

// parseYAML decodes src into a document node, turning yaml.v3's errors into
// a French positioned error.
func parseYAML(path string, src []byte) (*yaml.Node, error) {
	src = bytes.TrimPrefix(src, []byte("\xEF\xBB\xBF"))
	var doc yaml.Node
	if err := yaml.Unmarshal(src, &doc); err != nil {
		line, col, msg := yamlerr.Locate(src, err)
		return nil, &poserr.Error{Path: path, Line: line, Column: col, Err: errors.New("YAML illisible : " + msg)}
	}
	if doc.Kind == 0 || len(doc.Content) == 0 {
		return nil, &poserr.Error{Path: path, Err: errors.New("fichier vide : une définition de type commence par « nom: »")}
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return nil, &poserr.Error{Path: path, Line: root.Line, Column: root.Column,
			Err: errors.New("une définition de type est un ensemble de clés (nom:, libelle:, champs:…)")}
	}
	return root, nil
}

// pairs iterates a mapping, rejecting duplicate and unknown keys (with a
// did-you-mean suggestion). what names the mapping in messages.
func (p *parser) pairs(m *yaml.Node, allowed []string, what string, fn func(key string, k, v *yaml.Node) error) error {
	if m.Kind != yaml.MappingNode {
		return p.errAt(m, "%s : un ensemble de clés est attendu", what)
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], resolveAlias(m.Content[i+1])
		key := k.Value
		if seen[key] {
			return p.errAt(k, "clé « %s » en double dans %s", key, what)
		}
		seen[key] = true
		if allowed != nil && !contains(allowed, key) {
			msg := fmt.Sprintf("clé inconnue « %s » dans %s", key, what)
			if s := textkey.Suggest(key, allowed); s != "" {
				msg += fmt.Sprintf(" ; vouliez-vous dire « %s » ?", s)
			} else {
				msg += " ; clés possibles : " + strings.Join(allowed, ", ")
			}
			return p.errAt(k, "%s", msg)
		}
		if err := fn(key, k, v); err != nil {
			return err
		}
	}
	return nil
}

func resolveAlias(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && i < 8; i++ {
		n = n.Alias
	}
	return n
}

// text reads a scalar as text (numbers are accepted as written).
func (p *parser) text(n *yaml.Node, key string) (string, error) {
	if n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		return "", p.errAt(n, "« %s » : un texte est attendu", key)
	}
	return n.Value, nil
}

// label reads a libelle: plain text on one line (it is shown in tables,
// reports and the terminal), trimmed.
func (p *parser) label(n *yaml.Node, key string) (string, error) {
	s, err := p.text(n, key)
	if err != nil {
		return "", err
	}
	if !termtext.Plain(s) {
		return "", p.errAt(n, "« %s » : un texte sur une ligne, sans caractère de contrôle, est attendu", key)
	}
	return strings.TrimSpace(s), nil
}

func (p *parser) boolean(n *yaml.Node, key string) (bool, error) {
	if n.Kind == yaml.ScalarNode && n.Tag == "!!bool" {
		return strings.EqualFold(n.Value, "true"), nil
	}
	return false, p.errAt(n, "« %s » : true ou false est attendu", key)
}

func (p *parser) integer(n *yaml.Node, key string) (*int, error) {
	if n.Kind == yaml.ScalarNode && n.Tag == "!!int" {
		if i, err := strconv.Atoi(n.Value); err == nil {
			return &i, nil
		}
	}
	return nil, p.errAt(n, "« %s » : un nombre entier est attendu", key)
}

func (p *parser) setOpt(o *opt, k, v *yaml.Node) error {
	s, err := p.text(v, k.Value)
	if err != nil {
		return err
	}
	*o = opt{val: strings.TrimSpace(s), set: true, key: k, node: v}
	return nil
}

// parseDef parses a type definition file. common marks the built-in file of
// the keys shared by all interviews, which has no nom.
func parseDef(path string, src []byte, builtin, common bool) (*typeDef, error) {
	root, err := parseYAML(path, src)
	if err != nil {
		return nil, err
	}
	p := &parser{path: path}
	d := &typeDef{path: path, builtin: builtin, root: root}
	allowed := topKeys
	if common {
		allowed = commonKeys
	}
	err = p.pairs(root, allowed, "la définition du type", func(key string, k, v *yaml.Node) error {
		switch key {
		case "nom":
			s, err := p.text(v, key)
			if err != nil {
				return err
			}
			d.name, d.nameKey = s, v
		case "libelle":
			if _, err := p.label(v, k.Value); err != nil {
				return err
			}
			return p.setOpt(&d.label, k, v)
		case "phase":
			return p.setOpt(&d.phase, k, v)
		case "base":
			return p.setOpt(&d.base, k, v)
		case "objectif":
			return p.setOpt(&d.purpose, k, v)
		case "description":
			return p.setOpt(&d.description, k, v)
		case "sections":
			if v.Kind != yaml.SequenceNode {
				return p.errAt(v, "« sections » : une liste est attendue (- titre: …)")
			}
			seen := map[string]*yaml.Node{}
			for _, item := range v.Content {
				s, err := p.section(resolveAlias(item))
				if err != nil {
					return err
				}
				hk := textkey.Heading(s.title)
				if prev, dup := seen[hk]; dup {
					return p.errAt(s.node, "section « %s » en double (déjà ligne %d)", s.title, prev.Line)
				}
				seen[hk] = s.node
				d.sections = append(d.sections, s)
			}
		case "champs":
			fs, err := p.fields(v, "champs")
			if err != nil {
				return err
			}
			d.fields = fs
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if !common {
		if d.nameKey == nil {
			return nil, &poserr.Error{Path: path, Line: 1, Column: 1, Err: errors.New("clé « nom » manquante : le nom du type, tel qu'on le tape dans « acc new »")}
		}
		if !nameRE.MatchString(d.name) {
			return nil, p.errAt(d.nameKey, "nom de type « %s » invalide : minuscules sans accents, chiffres et tirets (ex. entretien-collectif)", d.name)
		}
	}
	return d, nil
}

func (p *parser) section(n *yaml.Node) (*sectionSpec, error) {
	s := &sectionSpec{}
	if n.Kind == yaml.ScalarNode {
		// Shorthand: "- Compétences".
		t, err := p.text(n, "sections")
		if err != nil {
			return nil, err
		}
		s.title, s.node = strings.TrimSpace(t), n
		return s, p.checkTitle(s)
	}
	err := p.pairs(n, sectionKeys, "la section", func(key string, k, v *yaml.Node) error {
		switch key {
		case "titre":
			t, err := p.text(v, key)
			if err != nil {
				return err
			}
			s.title, s.node = strings.TrimSpace(t), v
		case "alias":
			// Other titles trainers write for the same section:
			// "alias: Attentes de la bénéficiaire" or a list of them.
			items := []*yaml.Node{v}
			if v.Kind == yaml.SequenceNode {
				items = v.Content
			}
			for _, it := range items {
				t, err := p.text(it, key)
				if err != nil {
					return err
				}
				t = strings.TrimSpace(t)
				if t == "" || strings.ContainsAny(t, "\n#") {
					return p.errAt(it, "« alias » : un autre titre de la section, une ligne de texte sans « # »")
				}
				s.aliases = append(s.aliases, t)
			}
		case "consigne":
			return p.setOpt(&s.prompt, k, v)
		case "si":
			c, err := p.condition(v, key)
			if err != nil {
				return err
			}
			s.cond = c
		case "facultative":
			b, err := p.boolean(v, key)
			if err != nil {
				return err
			}
			s.optional = opt{val: strconv.FormatBool(b), set: true, key: k, node: v}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if s.node == nil {
		return nil, p.errAt(n, "section sans « titre »")
	}
	return s, p.checkTitle(s)
}

func (p *parser) checkTitle(s *sectionSpec) error {
	if s.title == "" || strings.ContainsAny(s.title, "\n#") {
		return p.errAt(s.node, "titre de section invalide : une ligne de texte, sans « # »")
	}
	return nil
}

// condition parses {key: value} or {key: [values]}.
func (p *parser) condition(n *yaml.Node, what string) (*condSpec, error) {
	if n.Kind != yaml.MappingNode || len(n.Content) != 2 {
		return nil, p.errAt(n, "« %s » : une seule condition est attendue, par exemple { statut: [termine, abandon] }", what)
	}
	c := &condSpec{key: n.Content[0].Value, keyNode: n.Content[0]}
	v := resolveAlias(n.Content[1])
	items := []*yaml.Node{v}
	if v.Kind == yaml.SequenceNode {
		items = v.Content
		if len(items) == 0 {
			return nil, p.errAt(v, "« %s » : au moins une valeur est attendue", what)
		}
	}
	for _, it := range items {
		s, err := p.text(it, what)
		if err != nil {
			return nil, err
		}
		if it.Tag == "!!bool" {
			s = normBool(s)
		}
		c.values = append(c.values, s)
		c.nodes = append(c.nodes, it)
	}
	return c, nil
}

func (p *parser) fields(n *yaml.Node, what string) ([]*fieldSpec, error) {
	var out []*fieldSpec
	err := p.pairs(n, nil, "« "+what+" »", func(key string, k, v *yaml.Node) error {
		if !keyRE.MatchString(key) {
			return p.errAt(k, "nom de champ « %s » invalide : minuscules sans accents, chiffres et _ (ex. date_sortie)", key)
		}
		f, err := p.field(key, k, v)
		if err != nil {
			return err
		}
		out = append(out, f)
		return nil
	})
	return out, err
}

// field parses a field definition: a mapping, or a kind alone ("suites: texte").
func (p *parser) field(key string, k, n *yaml.Node) (*fieldSpec, error) {
	f := &fieldSpec{key: key, keyNode: k, node: n, attrs: map[string]*yaml.Node{}}
	name := key
	if name == "" {
		name = "element"
	}
	if n.Kind == yaml.ScalarNode {
		kind, err := p.kind(n)
		if err != nil {
			return nil, err
		}
		f.kind = kind
		f.attrs["type"] = n
		return f, nil
	}
	err := p.pairs(n, fieldKeys, "le champ « "+name+" »", func(attr string, ak, v *yaml.Node) error {
		f.attrs[attr] = ak
		var err error
		switch attr {
		case "type":
			f.kind, err = p.kind(v)
		case "requis":
			f.required, err = p.requirement(v)
		case "requis_si":
			f.requiredIf, err = p.condition(v, attr)
		case "regle":
			f.rule, err = p.text(v, attr)
			if ids := ruleIDs(); err == nil && !contains(ids, f.rule) {
				msg := fmt.Sprintf("règle « %s » inconnue", f.rule)
				if s := textkey.Suggest(f.rule, ids); s != "" {
					msg += fmt.Sprintf(" ; vouliez-vous dire « %s » ?", s)
				}
				err = p.errAt(v, "%s", msg)
			}
		case "libelle":
			f.label, err = p.label(v, attr)
		case "description":
			f.description, err = p.text(v, attr)
			f.description = strings.TrimSpace(f.description)
		case "defaut":
			f.dflt, err = p.text(v, attr)
			if v.Tag == "!!bool" {
				f.dflt = normBool(f.dflt)
			}
		case "expression":
			f.pattern, err = p.text(v, attr)
			if err == nil {
				if _, cerr := regexp.Compile(f.pattern); cerr != nil {
					err = p.errAt(v, "expression régulière invalide : %v", cerr)
				}
			}
		case "valeurs":
			if v.Kind != yaml.SequenceNode || len(v.Content) == 0 {
				return p.errAt(v, "« valeurs » : une liste non vide est attendue, par exemple [presentiel, distanciel]")
			}
			for _, it := range v.Content {
				s, label, err := p.value(resolveAlias(it))
				if err != nil {
					return err
				}
				if contains(f.values, s) {
					return p.errAt(it, "valeur « %s » en double", s)
				}
				f.values = append(f.values, s)
				f.valueNodes = append(f.valueNodes, it)
				if label != "" {
					if f.valueLabels == nil {
						f.valueLabels = map[string]string{}
					}
					f.valueLabels[s] = label
				}
			}
		case "min":
			f.min, err = p.integer(v, attr)
		case "max":
			f.max, err = p.integer(v, attr)
		case "non_vide":
			f.nonEmpty, err = p.boolean(v, attr)
		case "autres":
			var open bool
			open, err = p.boolean(v, attr)
			f.closed = !open
		case "element":
			f.item, err = p.field("", ak, v)
		case "champs":
			f.fields, err = p.fields(v, name+".champs")
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	if f.min != nil && f.max != nil && *f.min > *f.max {
		return nil, p.errAt(f.attrs["max"], "« max » (%d) est inférieur à « min » (%d)", *f.max, *f.min)
	}
	return f, nil
}

// value parses an item of valeurs: the value alone ("present"), or with
// the French name reports give it ({ valeur: present, libelle: Tenu }).
func (p *parser) value(n *yaml.Node) (value, label string, err error) {
	if n.Kind != yaml.MappingNode {
		value, err = p.text(n, "valeurs")
		return value, "", err
	}
	var vn *yaml.Node
	err = p.pairs(n, []string{"valeur", "libelle"}, "la valeur", func(key string, k, v *yaml.Node) error {
		if key == "libelle" {
			l, err := p.label(v, key)
			label = l
			return err
		}
		t, err := p.text(v, key)
		value, vn = t, v
		return err
	})
	if err == nil && vn == nil {
		err = p.errAt(n, "valeur sans « valeur » : écrivez { valeur: present, libelle: Tenu }")
	}
	return value, label, err
}

func (p *parser) kind(n *yaml.Node) (Kind, error) {
	s, err := p.text(n, "type")
	if err != nil {
		return "", err
	}
	for _, k := range kinds {
		if string(k) == s {
			return k, nil
		}
	}
	names := make([]string, len(kinds))
	for i, k := range kinds {
		names[i] = string(k)
	}
	msg := fmt.Sprintf("type de champ « %s » inconnu", s)
	if sug := textkey.Suggest(s, names); sug != "" {
		msg += fmt.Sprintf(" ; vouliez-vous dire « %s » ?", sug)
	} else {
		msg += " ; types possibles : " + strings.Join(names, ", ")
	}
	return "", p.errAt(n, "%s", msg)
}

func (p *parser) requirement(n *yaml.Node) (Requirement, error) {
	if n.Kind == yaml.ScalarNode {
		switch strings.ToLower(n.Value) {
		case "non", "false":
			return Optional, nil
		case "oui", "true":
			return Always, nil
		case "finalise", "finalisé":
			return Final, nil
		}
	}
	return 0, p.errAt(n, "« requis » : non, oui ou finalise est attendu")
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func sortedKeys[M ~map[string]V, V any](m M) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
