package validate

import (
	"fmt"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/acc-formation/acc/casefile"
	"github.com/acc-formation/acc/templates"
	"go.yaml.in/yaml/v3"
)

// engine holds what every check needs: the settings, the document types and
// what is derived from them once per run. It is read-only once built and
// shared by the workers.
type engine struct {
	s        *Settings
	reg      *templates.Registry
	kinds    casefile.Kinds
	typeByID map[string]*templates.Type
	names    []string // every type name, the fiche included, for suggestions
	ruleIDs  []string
	patterns map[string]*regexp.Regexp
	// headingKeys holds casefile.NormalizeHeading of every section title.
	headingKeys map[string]string
}

func newEngine(s *Settings, reg *templates.Registry) *engine {
	e := &engine{s: s, reg: reg, typeByID: map[string]*templates.Type{}, patterns: map[string]*regexp.Regexp{}, headingKeys: map[string]string{}}
	all := append([]*templates.Type{reg.Fiche()}, reg.Types()...)
	for _, t := range all {
		e.typeByID[t.Name] = t
		e.names = append(e.names, t.Name)
		for _, s := range t.Sections {
			e.headingKeys[s.Title] = casefile.NormalizeHeading(s.Title)
			for _, a := range s.Aliases {
				e.headingKeys[a] = casefile.NormalizeHeading(a)
			}
		}
		for _, f := range t.Fields {
			e.compile(f)
		}
	}
	for _, r := range Rules {
		e.ruleIDs = append(e.ruleIDs, r.ID)
	}
	e.kinds = casefile.KindsOf(reg)
	return e
}

// compile prepares the patterns of a field and its sub-fields. A pattern
// must match the whole value.
func (e *engine) compile(f *templates.Field) {
	if f == nil {
		return
	}
	if f.Pattern != "" {
		if _, ok := e.patterns[f.Pattern]; !ok {
			if re, err := regexp.Compile(`^(?:` + f.Pattern + `)$`); err == nil {
				e.patterns[f.Pattern] = re
			}
		}
	}
	e.compile(f.Item)
	for _, sub := range f.Fields {
		e.compile(sub)
	}
}

// interview returns the interview type of a name, or nil.
func (e *engine) interview(name string) *templates.Type {
	if t := e.typeByID[name]; t != nil && t.Interview {
		return t
	}
	return nil
}

func (e *engine) isInterview(name string) bool { return e.interview(name) != nil }

// rank gives the fold order of an interview type (casefile.NewCase).
func (e *engine) rank(name string) (int, bool) {
	if t := e.interview(name); t != nil {
		return t.Rank, true
	}
	return 0, false
}

// docCheck checks one document on its own.
type docCheck struct {
	e    *engine
	d    *casefile.Document
	id   string // the beneficiary folder's name
	base string // the file name
	typ  *templates.Type
	vals templates.Scalars
	date time.Time // the document's date (frontmatter, else file name); zero if none
	out  []Finding

	keyCount map[string]int
}

// add records a finding at a node's position (line 1, column 1 for nil).
func (c *docCheck) add(rule string, n *yaml.Node, key, format string, args ...any) {
	line, col := c.d.Pos(n)
	c.addAt(rule, line, col, key, format, args...)
}

func (c *docCheck) addAt(rule string, line, col int, key, format string, args ...any) {
	sev := c.e.s.Severity(rule)
	if sev == Off {
		return
	}
	if c.keyCount == nil {
		c.keyCount = map[string]int{}
	}
	// Keys identify a finding within its document: repeat a key and the
	// repeat gets a number.
	k := rule + ":" + key
	c.keyCount[k]++
	if n := c.keyCount[k]; n > 1 {
		key += "#" + strconv.Itoa(n)
	}
	c.out = append(c.out, Finding{Path: c.d.Path, Line: line, Column: col, Severity: sev, Rule: rule,
		// A message may quote text of the document (a heading, a value): bytes
		// that are not UTF-8 there become U+FFFD, so every output format stays
		// valid (JSON, SARIF, XML).
		Message: strings.ToValidUTF8(humanKeys(fmt.Sprintf(format, args...), key), "\uFFFD"), Key: key})
}

// checkDocument runs the per-document rules on a parsed document. id is the
// beneficiary folder's name.
func (e *engine) checkDocument(d *casefile.Document, id string) []Finding {
	c := &docCheck{e: e, d: d, id: id, base: path.Base(d.Path)}
	c.run()
	return c.out
}

func (c *docCheck) run() {
	d := c.d
	fileType, fileName, nameOK := c.checkFileName()
	if d.FrontErr != nil {
		c.addAt("frontmatter-invalide", d.FrontErr.Line, d.FrontErr.Column, "frontmatter", "%s", d.FrontErr.Err.Error())
	} else {
		c.typ = c.checkType(fileType)
		if c.typ != nil {
			// The repository's own types may define their own choices.
			casefile.Canonicalize(d.Front, c.typ.Fields)
			c.vals = scalarsOf(d.Front)
			c.date = c.docDate(fileName, nameOK)
			c.checkLocation(fileName, nameOK)
			c.checkMapping(d.Front, c.typ.Fields, true, "")
			c.checkObjectives()
			c.checkWaivers()
			c.checkSections()
		}
	}
	c.checkText()
}

// checkFileName checks the file's name: fiche.md or <date>-<type>[-N].md.
// It returns the type the name implies ("" when none).
func (c *docCheck) checkFileName() (string, casefile.FileName, bool) {
	if c.base == casefile.FicheFile {
		return "fiche", casefile.FileName{}, false
	}
	fn, ok := casefile.ParseFileName(c.base, c.e.isInterview)
	if ok {
		return fn.Type, fn, true
	}
	msg := fmt.Sprintf("nom de fichier « %s » invalide : renommez-le fiche.md ou AAAA-MM-JJ-<type>.md (par exemple 2026-12-09-entretien-suivi.md)", c.base)
	// A likely typo in the type part: suggest the right name.
	if len(c.base) > 14 && c.base[10] == '-' && strings.HasSuffix(c.base, ".md") {
		if _, err := casefile.ParseDate(c.base[:10]); err == nil {
			rest := strings.TrimSuffix(c.base[11:], ".md")
			if s := casefile.SuggestPrefix(rest, c.e.names[1:]); s != "" {
				msg = fmt.Sprintf("nom de fichier « %s » invalide : type « %s » inconnu ; vouliez-vous dire %s-%s.md ?", c.base, rest, c.base[:10], s)
			}
		}
	}
	c.addAt("emplacement", 1, 1, "nom", "%s", msg)
	return "", casefile.FileName{}, false
}

// checkType checks the `type` key against the types and the file name, and
// returns the type to check the document against: the frontmatter's when
// known, else the file name's.
func (c *docCheck) checkType(fileType string) *templates.Type {
	v, k := c.d.Get("type")
	byName := c.e.typeByID[fileType]
	if casefile.IsNull(v) || strings.TrimSpace(casefile.Scalar(v)) == "" && v.Kind == yaml.ScalarNode {
		what := "manquant"
		if k != nil {
			what = "vide" // k points at it; nil (absent) gives line 1, column 1
		}
		c.add("champ-manquant", k, "type", "champ « type » %s : ajoutez « type: %s »", what, orDefault(fileType, "<type du document>"))
		return byName
	}
	if v.Kind != yaml.ScalarNode {
		c.add("champ-invalide", v, "type", "« type » doit être un nom de type (%s), pas une liste ni un ensemble de clés", strings.Join(c.e.names, ", "))
		return byName
	}
	name := v.Value
	t := c.e.typeByID[name]
	if t == nil {
		msg := fmt.Sprintf("type « %s » inconnu", name)
		if s := casefile.SuggestPrefix(name, c.e.names); s != "" {
			msg += fmt.Sprintf(" : vouliez-vous dire « %s » ?", s)
		} else {
			msg += " ; types possibles : " + strings.Join(c.e.names, ", ")
		}
		c.add("champ-invalide", v, "type", "%s", msg)
		return byName
	}
	switch {
	case fileType == "fiche" && name != "fiche":
		c.add("emplacement", v, "type", "fiche.md doit avoir « type: fiche », pas « %s » : un entretien se nomme AAAA-MM-JJ-%s.md", name, name)
		return byName
	case fileType != "" && fileType != "fiche" && name == "fiche":
		c.add("emplacement", v, "type", "« type: fiche » est réservé à fiche.md : ce fichier est un entretien « %s »", fileType)
		return byName
	case fileType != "" && name != fileType:
		c.add("emplacement", v, "type", "le type « %s » ne correspond pas au nom du fichier (%s) : renommez le fichier ou corrigez type", name, fileType)
	}
	return t
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}

// docDate returns the date that the document's own checks compare with: the
// frontmatter's date when valid, else the file name's.
func (c *docCheck) docDate(fn casefile.FileName, nameOK bool) time.Time {
	if t, ok := c.d.Date("date"); ok {
		return t
	}
	if nameOK {
		return fn.Date
	}
	return time.Time{}
}

// checkLocation compares the frontmatter with the folder and the file name.
func (c *docCheck) checkLocation(fn casefile.FileName, nameOK bool) {
	if !c.typ.Interview {
		if v, _ := c.d.Get("id"); v != nil && v.Kind == yaml.ScalarNode && v.Value != "" && v.Value != c.id {
			c.add("emplacement", v, "id", "l'id « %s » diffère du dossier « %s » : l'id de la fiche est le nom de son dossier", v.Value, c.id)
		}
		return
	}
	if v, _ := c.d.Get("beneficiaire"); v != nil && v.Kind == yaml.ScalarNode && v.Value != "" && v.Value != c.id {
		c.add("emplacement", v, "beneficiaire", "beneficiaire « %s » diffère du dossier « %s » : déplacez le fichier ou corrigez beneficiaire", v.Value, c.id)
	}
	if t, ok := c.d.Date("date"); ok && nameOK && !t.Equal(fn.Date) {
		v, _ := c.d.Get("date")
		c.add("emplacement", v, "date", "la date %s diffère de celle du nom du fichier (%s) : renommez le fichier ou corrigez date", casefile.FormatDate(t), casefile.FormatDate(fn.Date))
	}
}

// scalarsOf gives the top-level scalar values of a frontmatter, for the
// conditions of the type definitions.
func scalarsOf(front *yaml.Node) templates.Scalars {
	return func(key string) (string, bool) {
		v, _ := casefile.Get(front, key)
		if v == nil || v.Kind != yaml.ScalarNode || v.Tag == "!!null" {
			return "", false
		}
		return v.Value, true
	}
}

// absent reports whether a value counts as missing: no value, null, or
// empty while the field says non_vide.
func absent(f *templates.Field, v *yaml.Node) bool {
	if casefile.IsNull(v) {
		return true
	}
	if !f.NonEmpty {
		return false
	}
	switch v.Kind {
	case yaml.ScalarNode:
		return strings.TrimSpace(v.Value) == ""
	case yaml.SequenceNode, yaml.MappingNode:
		return len(v.Content) == 0
	}
	return false
}

// checkMapping checks a mapping against its fields: duplicate and unknown
// keys, missing required keys, and each value. top marks the frontmatter
// itself; prefix is the key path of the mapping ("" at the top).
func (c *docCheck) checkMapping(m *yaml.Node, fields []*templates.Field, closed bool, prefix string) {
	seen := map[string]*yaml.Node{}
	var known []string
	if closed {
		known = make([]string, len(fields))
		for i, f := range fields {
			known[i] = f.Key
		}
	}
	for _, p := range casefile.Pairs(m) {
		k := p.Key.Value
		kp := joinKey(prefix, k)
		if first, dup := seen[k]; dup {
			fl, _ := c.d.Pos(first)
			c.add("champ-invalide", p.Key, kp, "clé « %s » en double (déjà ligne %d) : gardez-en une seule", kp, fl)
			continue
		}
		seen[k] = p.Key
		f := fieldOf(fields, k)
		if f == nil {
			if closed && !(prefix == "" && k == "type") {
				msg := fmt.Sprintf("champ « %s » inconnu", kp)
				if s := casefile.SuggestPrefix(k, known); s != "" {
					msg += fmt.Sprintf(" : vouliez-vous dire « %s » ?", joinKey(prefix, s))
				} else {
					msg += " : vérifiez son nom (« acc types » liste les champs)"
				}
				c.add("champ-inconnu", p.Key, kp, "%s", msg)
			}
			continue
		}
		if prefix == "" && k == "type" {
			continue // checked by checkType
		}
		v := casefile.Resolve(p.Value)
		if absent(f, v) {
			// Present but null or empty: where to fill it in is known.
			switch {
			case c.typ.Requires(f, c.vals):
				c.missing(f, kp, p.Key, prefix)
			case !casefile.IsNull(v):
				c.add("champ-invalide", v, kp, "« %s » est vide : complétez-le ou supprimez la clé (attendu : %s)", kp, f.Expected())
			}
			continue
		}
		c.checkValue(f, v, kp)
	}
	for _, f := range fields {
		if prefix == "" && f.Key == "type" {
			continue
		}
		if _, k := casefile.Get(m, f.Key); k != nil || !c.typ.Requires(f, c.vals) {
			continue
		}
		c.missing(f, joinKey(prefix, f.Key), nil, prefix)
	}
}

func fieldOf(fields []*templates.Field, key string) *templates.Field {
	for _, f := range fields {
		if f.Key == key {
			return f
		}
	}
	return nil
}

func joinKey(prefix, k string) string {
	if prefix == "" {
		return k
	}
	return prefix + "." + k
}

// missing reports a required key under the rule the field names: at line
// 1, column 1 when the key is absent (DESIGN §5.1), at the key when it is
// there with an empty value.
func (c *docCheck) missing(f *templates.Field, kp string, key *yaml.Node, prefix string) {
	rule := f.Rule
	if rule == "" {
		rule = "champ-manquant"
	}
	where := ""
	if prefix != "" && key == nil {
		where = " (dans " + prefix + ")"
	}
	var msg string
	switch rule {
	case "information-rgpd":
		msg = "entretien initial finalisé sans information_rgpd : notez la date à laquelle la personne a été informée de l'usage de ses données (information_rgpd: AAAA-MM-JJ)"
	case "evaluation-manquante":
		msg = "entretien finalisé sans évaluation : ajoutez evaluation: { autonomie: 1-4, interactions: 1-4 }"
	case "contrat-non-signe":
		if f.Kind == templates.KindDate {
			msg = fmt.Sprintf("contrat finalisé sans date de signature : ajoutez %s: AAAA-MM-JJ", f.Key)
		} else {
			msg = fmt.Sprintf("contrat finalisé sans signataires : ajoutez %s avec la liste des noms", f.Key)
		}
	case "absence-sans-relance":
		// Time-based: the judgement reports it from the missed interview's
		// day on (checkCase), not the document alone.
		return
	case "objectif-non-cloture":
		msg = fmt.Sprintf("bilan finalisé sans %s : donnez à chaque objectif un statut final (atteint, partiellement-atteint, non-atteint ou abandonne)", f.Key)
	case "derogation-sans-motif":
		msg = "dérogation sans motif : ajoutez motif: « la raison de la dérogation »" + where
	default:
		msg = fmt.Sprintf("champ « %s » manquant%s : ajoutez-le (%s)", kp, where, f.Expected())
		if f.Description != "" {
			msg += " ; " + lowerFirst(strings.TrimSuffix(oneLineText(f.Description), "."))
		}
	}
	if key != nil {
		msg = strings.Replace(msg, "manquant", "vide", 1)
		c.add(rule, key, kp, "%s", msg)
		return
	}
	c.addAt(rule, 1, 1, kp, "%s", msg)
}

// absenceMessage is absence-sans-relance's message; key is the relance key.
func absenceMessage(key string) string {
	return fmt.Sprintf("absence sans relance : recontactez la personne et notez la date dans %s (AAAA-MM-JJ)", key)
}

func oneLineText(s string) string { return strings.Join(strings.Fields(s), " ") }

func lowerFirst(s string) string {
	r, size := utf8.DecodeRuneInString(s)
	if size == 0 {
		return s
	}
	if next, _ := utf8.DecodeRuneInString(s[size:]); unicode.IsUpper(next) {
		return s // an acronym
	}
	return string(unicode.ToLower(r)) + s[size:]
}

// checkValue checks a present, non-null value against its field.
func (c *docCheck) checkValue(f *templates.Field, v *yaml.Node, kp string) {
	switch f.Kind {
	case templates.KindList:
		if v.Kind != yaml.SequenceNode {
			c.add("champ-invalide", v, kp, "« %s » doit être %s, par exemple [a, b] ou des lignes « - … »", kp, f.Expected())
			return
		}
		for i, item := range v.Content {
			item = casefile.Resolve(item)
			ik := fmt.Sprintf("%s[%d]", kp, i+1)
			if f.Item == nil {
				continue
			}
			if f.Item.Kind == templates.KindObject && item.Kind == yaml.MappingNode {
				if idn, _ := casefile.Get(item, "id"); casefile.Scalar(idn) != "" {
					ik = fmt.Sprintf("%s[%s]", kp, casefile.Scalar(idn))
				} else if on, _ := casefile.Get(item, "objectif"); casefile.Scalar(on) != "" {
					ik = fmt.Sprintf("%s[%s]", kp, casefile.Scalar(on))
				}
			}
			if casefile.IsNull(item) {
				c.add("champ-invalide", item, ik, "élément vide dans « %s » : complétez-le ou supprimez la ligne", kp)
				continue
			}
			c.checkValue(f.Item, item, ik)
		}
	case templates.KindObject:
		if v.Kind != yaml.MappingNode {
			c.add("champ-invalide", v, kp, "« %s » doit être un ensemble de clés (%s)", kp, f.Expected())
			return
		}
		c.checkMapping(v, f.Fields, f.Closed, kp)
	default:
		if v.Kind != yaml.ScalarNode {
			c.add("champ-invalide", v, kp, "« %s » doit être %s, pas une liste ni un ensemble de clés", kp, f.Expected())
			return
		}
		if msg := c.scalarProblem(f, v); msg != "" {
			c.add("champ-invalide", v, kp, "« %s » : %s", kp, msg)
		}
	}
}

// scalarProblem returns what is wrong with a scalar value, in French, or "".
func (c *docCheck) scalarProblem(f *templates.Field, v *yaml.Node) string {
	s := v.Value
	switch f.Kind {
	case templates.KindDate:
		if _, err := casefile.ParseDate(strings.TrimSpace(s)); err != nil {
			if len(s) == 10 && s[4] == '-' && s[7] == '-' {
				return fmt.Sprintf("la date « %s » n'existe pas : vérifiez le jour et le mois (AAAA-MM-JJ)", s)
			}
			if c := casefile.CanonicalDate(s); c != "" {
				return fmt.Sprintf("date « %s » à écrire au format AAAA-MM-JJ : %s", s, c)
			}
			return fmt.Sprintf("« %s » n'est pas une date au format AAAA-MM-JJ", s)
		}
	case templates.KindInteger:
		n, ok := casefile.IntOf(v)
		if !ok {
			return fmt.Sprintf("« %s » n'est pas un nombre entier ; attendu : %s", s, f.Expected())
		}
		if f.Min != nil && n < *f.Min || f.Max != nil && n > *f.Max {
			return fmt.Sprintf("%d est hors limites ; attendu : %s", n, f.Expected())
		}
	case templates.KindBoolean:
		if _, ok := casefile.BoolOf(v); !ok {
			return fmt.Sprintf("« %s » n'est pas un booléen ; écrivez true ou false (ou oui, non)", s)
		}
	case templates.KindChoice:
		for _, ok := range f.Values {
			if s == ok {
				return ""
			}
		}
		msg := fmt.Sprintf("valeur « %s » non permise", s)
		if sug := casefile.SuggestPrefix(s, f.Values); sug != "" {
			return msg + fmt.Sprintf(" : vouliez-vous dire « %s » ?", sug)
		}
		return msg + " ; attendu : " + f.Expected()
	case templates.KindText:
		if f.Pattern != "" {
			if re := c.e.patterns[f.Pattern]; re != nil && !re.MatchString(s) {
				return fmt.Sprintf("« %s » n'a pas la forme attendue (%s)", s, f.Pattern)
			}
		}
	}
	return ""
}

// checkObjectives applies objectif-duplique and objectif-echeance to the
// objectives the document declares.
func (c *docCheck) checkObjectives() {
	objs, _ := c.d.Get("objectifs")
	if objs == nil || objs.Kind != yaml.SequenceNode {
		return
	}
	seen := map[string]*yaml.Node{}
	for _, item := range objs.Content {
		item = casefile.Resolve(item)
		idn, _ := casefile.Get(item, "id")
		id := casefile.Scalar(idn)
		if id == "" {
			continue
		}
		if first, dup := seen[id]; dup {
			fl, _ := c.d.Pos(first)
			c.add("objectif-duplique", idn, "objectifs["+id+"]", "l'objectif %s est déclaré deux fois dans ce document (déjà ligne %d) : donnez-lui un autre identifiant ou fusionnez les deux déclarations", id, fl)
			continue
		}
		seen[id] = idn
		ech, _ := casefile.Get(item, "echeance")
		if t, ok := casefile.DateOf(ech); ok && !c.date.IsZero() && t.Before(c.date) {
			c.add("objectif-echeance", ech, "objectifs["+id+"].echeance", "l'échéance de l'objectif %s (%s) précède la date du document (%s) : donnez une échéance à venir", id, casefile.FormatDate(t), casefile.FormatDate(c.date))
		}
	}
}

// checkWaivers checks derogations: a known rule, never donnee-sensible, and
// a motif.
func (c *docCheck) checkWaivers() {
	ws, _ := c.d.Get("derogations")
	if ws == nil || ws.Kind != yaml.SequenceNode {
		return
	}
	for i, item := range ws.Content {
		item = casefile.Resolve(item)
		if item.Kind != yaml.MappingNode {
			continue
		}
		rn, _ := casefile.Get(item, "regle")
		rule := strings.TrimSpace(casefile.Scalar(rn))
		key := fmt.Sprintf("derogations[%d]", i+1)
		if rule != "" {
			key = "derogations[" + rule + "]"
			info, known := Rule(rule)
			switch {
			case !known:
				msg := fmt.Sprintf("règle « %s » inconnue", rule)
				if s := casefile.SuggestPrefix(rule, c.e.ruleIDs); s != "" {
					msg += fmt.Sprintf(" : vouliez-vous dire « %s » ?", s)
				} else {
					msg += " : indiquez l'identifiant d'une règle (par exemple rythme)"
				}
				c.add("champ-invalide", rn, key+".regle", "%s", msg)
			case !info.Waivable:
				c.add("champ-invalide", rn, key+".regle", "la règle « %s » ne peut pas faire l'objet d'une dérogation : supprimez la donnée du dossier", rule)
			}
		}
		mn, _ := casefile.Get(item, "motif")
		if casefile.IsNull(mn) || mn.Kind == yaml.ScalarNode && strings.TrimSpace(mn.Value) == "" {
			what := "cette dérogation"
			if rule != "" {
				what = "la dérogation à « " + rule + " »"
			}
			l, _ := c.d.Pos(item)
			c.addAt("derogation-sans-motif", 1, 1, key+".motif", "%s (ligne %d) n'a pas de motif : ajoutez motif: « la raison de la dérogation »", what, l)
		}
	}
}

// checkSections checks the required level-2 headings and, once finalised,
// that they are not empty. A section is found under its title or one of its
// aliases; a level-2 heading that matches no section of the type but is a
// near miss of a missing one ("## Déroulment") is where that section is
// reported missing, with the title to write.
func (c *docCheck) checkSections() {
	final := c.typ.Final(c.vals)
	type missing struct {
		s    templates.Section
		keys []string
	}
	var absent []missing
	for _, s := range c.typ.RequiredSections(c.vals) {
		keys := c.sectionKeys(s)
		h, ok := section(c.d, keys...)
		if !ok {
			absent = append(absent, missing{s, keys})
			continue
		}
		if final && c.typ.Interview && h.Empty {
			c.addAt("section-vide", h.Line, 1, "section:"+keys[0], "section « %s » vide : rédigez-la (les consignes entre <!-- --> ne comptent pas)", s.Title)
		}
	}
	if len(absent) == 0 {
		return
	}
	// Headings that are no section of the type: candidates for near misses,
	// each used once.
	known := map[string]bool{}
	for _, s := range c.typ.Sections {
		for _, k := range c.sectionKeys(s) {
			known[k] = true
		}
	}
	used := map[int]bool{}
	for _, m := range absent {
		key := m.keys[0]
		msg := fmt.Sprintf("section « ## %s » manquante : ajoutez ce titre et son contenu", m.s.Title)
		line := 1
		found := false
		for _, o := range c.d.Headings {
			if o.Level != 2 && slices.Contains(m.keys, o.Key) {
				msg = fmt.Sprintf("section « ## %s » manquante : le titre ligne %d est de niveau %d, écrivez « ## %s »", m.s.Title, o.Line, o.Level, o.Text)
				found = true
				break
			}
		}
		for i, o := range c.d.Headings {
			if found || o.Level != 2 || known[o.Key] || used[i] || o.Key == "" {
				continue
			}
			if casefile.Suggest(o.Key, m.keys) != "" {
				used[i] = true
				line = o.Line
				msg = fmt.Sprintf("titre « %s » : vouliez-vous dire « %s » ? La section « ## %s » est exigée : corrigez ce titre", o.Text, m.s.Title, m.s.Title)
				break
			}
		}
		c.addAt("section-manquante", line, 1, "section:"+key, "%s", msg)
	}
}

// sectionKeys returns the heading keys of a section: its title's, then its
// aliases'.
func (c *docCheck) sectionKeys(s templates.Section) []string {
	key, ok := c.e.headingKeys[s.Title]
	if !ok {
		key = casefile.NormalizeHeading(s.Title)
	}
	keys := []string{key}
	for _, a := range s.Aliases {
		k, ok := c.e.headingKeys[a]
		if !ok {
			k = casefile.NormalizeHeading(a)
		}
		keys = append(keys, k)
	}
	return keys
}

// section returns the first level-2 heading of d with one of the keys
// (Document.Section, with the titles' keys computed once per run).
func section(d *casefile.Document, keys ...string) (casefile.Heading, bool) {
	for _, h := range d.Headings {
		if h.Level == 2 && slices.Contains(keys, h.Key) {
			return h, true
		}
	}
	return casefile.Heading{}, false
}

// checkText scans the whole file for sensitive data and judging words.
func (c *docCheck) checkText() {
	src := c.d.Src
	nir, iban := 0, 0
	for _, m := range scanSensitive(src) {
		line, col := c.d.PosAt(m.Offset)
		switch m.Kind {
		case kindNIR:
			nir++
			c.addAt("donnee-sensible", line, col, "nir", "numéro de sécurité sociale (NIR) : supprimez-le, il ne doit pas être conservé dans le dossier (ni dans l'historique : voyez acc purge si déjà enregistré)")
		case kindIBAN:
			iban++
			c.addAt("donnee-sensible", line, col, "iban", "coordonnées bancaires (IBAN) : supprimez-les, elles ne doivent pas être conservées dans le dossier (ni dans l'historique : voyez acc purge si déjà enregistré)")
		}
	}
	if c.e.s.Severity("propos-jugeant") == Off {
		return
	}
	for _, m := range c.e.s.words.find(src) {
		line, col := c.d.PosAt(m.Offset)
		c.addAt("propos-jugeant", line, col, "mot:"+casefile.FoldText(m.Word), "« %s » juge la personne : décrivez plutôt les faits observés (ce qu'elle a fait ou dit, quand)", m.Word)
	}
}
