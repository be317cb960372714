package validate

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/acc-formation/acc/casefile"
	"go.yaml.in/yaml/v3"
)

// caseCheck runs the case-level rules on the fold of one beneficiary.
type caseCheck struct {
	e     *engine
	c     *casefile.Case
	today time.Time
	out   []Finding
	keys  map[string]int

	// held are the interviews that took place, with a usable date and a
	// known type, in fold order: what sequence looks at.
	held  []*casefile.Document
	dates map[*casefile.Document]time.Time
}

// Built-in type names whose place in the methodology the case-level rules
// know (DESIGN §1). An organisation's own types take part through their
// phase.
const (
	typeInitial  = "entretien-initial"
	typeContract = "contractualisation"
	typeBilan    = "entretien-bilan"
)

// checkCase runs the case-level rules. fiche may be nil (the folder has no
// fiche.md); interviews are facts documents (see factsOf), in any order.
func (e *engine) checkCase(id string, fiche *casefile.Document, interviews []*casefile.Document, today time.Time) []Finding {
	c := casefile.NewCase(id, fiche, interviews, e.rank)
	k := &caseCheck{e: e, c: c, today: casefile.Day(today), dates: map[*casefile.Document]time.Time{}}
	for _, d := range c.Interviews {
		t, ok := k.dateOf(d)
		if !ok || e.interview(d.Type()) == nil {
			continue
		}
		k.dates[d] = t
		if d.Held() {
			k.held = append(k.held, d)
		}
	}
	k.objectives()
	k.references()
	k.bilans()
	k.sequence()
	k.closure()
	k.judged(casefile.Judge(c, e.s.RuleSettings, e.kinds, k.today))
	return k.out
}

// dateOf returns the date of an interview: the frontmatter's when valid,
// else the file name's.
func (k *caseCheck) dateOf(d *casefile.Document) (time.Time, bool) {
	if t, ok := d.Date("date"); ok {
		return t, true
	}
	t := casefile.DocDate(d, k.e.isInterview)
	return t, !t.IsZero()
}

func (k *caseCheck) add(rule string, d *casefile.Document, n *yaml.Node, key, format string, args ...any) {
	sev := k.e.s.Severity(rule)
	if sev == Off {
		return
	}
	if k.keys == nil {
		k.keys = map[string]int{}
	}
	kk := d.Path + "\x00" + rule + ":" + key
	k.keys[kk]++
	if n := k.keys[kk]; n > 1 {
		key += "#" + strconv.Itoa(n)
	}
	line, col := d.Pos(n)
	k.out = append(k.out, Finding{Path: d.Path, Line: line, Column: col, Severity: sev, Rule: rule,
		Message: humanKeys(fmt.Sprintf(format, args...), key), Key: key})
}

// given reports whether any declaration of o gives a non-empty key.
func given(o *casefile.Objective, key string) bool {
	for _, r := range o.Revisions {
		v, _ := casefile.Get(r.Node, key)
		if v != nil && v.Kind == yaml.ScalarNode && strings.TrimSpace(v.Value) != "" && v.Tag != "!!null" {
			return true
		}
	}
	return false
}

// objectives applies objectif-incomplet to the folded objectives (their
// deadlines are the judgement's: objectif-en-retard, action-en-retard).
func (k *caseCheck) objectives() {
	for _, o := range k.c.Objectives {
		if !casefile.CheckObjectiveID(o.ID) {
			continue // champ-invalide on the id, from the document's check
		}
		last := o.Last()
		idn, _ := casefile.Get(last.Node, "id")
		var miss []string
		if !given(o, "intitule") {
			miss = append(miss, "un intitulé précis (intitule)")
		}
		if !given(o, "indicateur") {
			miss = append(miss, "un indicateur mesurable (indicateur)")
		}
		if !given(o, "echeance") {
			miss = append(miss, "une échéance datée (echeance)")
		}
		if len(miss) > 0 {
			k.add("objectif-incomplet", last.Doc, idn, "objectifs["+o.ID+"]", "ajoutez %s à l'objectif %s", frenchList(miss), o.ID)
		}
	}
}

// looseID is an objective id without what makes it malformed, lowercased.
func looseID(id string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(id) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// suggestID suggests a declared objective id for a mistyped one. Short ids
// (O1, O2…) differ by one character from each other, so only a difference
// of case is suggested for them.
func suggestID(id string, ids []string) string {
	for _, x := range ids {
		if strings.EqualFold(x, id) {
			return x
		}
	}
	if len(id) < 4 {
		return ""
	}
	return casefile.Suggest(id, ids)
}

func frenchList(items []string) string {
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	}
	return strings.Join(items[:len(items)-1], ", ") + " et " + items[len(items)-1]
}

// references applies objectif-inconnu: suivi_objectifs and objectifs_retenus
// name objectives declared in the same document or an earlier one, in fold
// order.
func (k *caseCheck) references() {
	declared := map[string]bool{}
	var ids []string
	// Ids declared in a form that is not valid ("O 2"): a reference to what
	// they meant ("O2") is not reported again.
	malformed := map[string]bool{}
	for _, d := range k.c.Interviews {
		if objs, _ := d.Get("objectifs"); objs != nil && objs.Kind == yaml.SequenceNode {
			for _, item := range objs.Content {
				idn, _ := casefile.Get(casefile.Resolve(item), "id")
				id := casefile.Scalar(idn)
				switch {
				case id == "" || declared[id]:
				case !casefile.CheckObjectiveID(id):
					malformed[looseID(id)] = true
				default:
					declared[id] = true
					ids = append(ids, id)
				}
			}
		}
		check := func(n *yaml.Node, key string) {
			id := casefile.Scalar(n)
			if id == "" || declared[id] || malformed[looseID(id)] || !casefile.CheckObjectiveID(id) {
				return // a malformed reference is champ-invalide already
			}
			msg := fmt.Sprintf("l'objectif %s n'est déclaré ni dans ce document ni dans un entretien antérieur", id)
			if s := suggestID(id, ids); s != "" {
				msg += fmt.Sprintf(" : vouliez-vous dire %s ?", s)
			} else {
				msg += " : déclarez-le dans objectifs (intitule, indicateur, echeance) ou corrigez l'identifiant"
				if len(ids) > 0 && len(ids) <= 10 {
					msg += " (objectifs déclarés : " + strings.Join(ids, ", ") + ")"
				}
			}
			k.add("objectif-inconnu", d, n, key, "%s", msg)
		}
		if ret, _ := d.Get("objectifs_retenus"); ret != nil && ret.Kind == yaml.SequenceNode {
			for _, n := range ret.Content {
				n = casefile.Resolve(n)
				check(n, "objectifs_retenus["+casefile.Scalar(n)+"]")
			}
		}
		if sv, _ := d.Get("suivi_objectifs"); sv != nil && sv.Kind == yaml.SequenceNode {
			for _, item := range sv.Content {
				ref, _ := casefile.Get(casefile.Resolve(item), "objectif")
				check(ref, "suivi_objectifs["+casefile.Scalar(ref)+"].objectif")
			}
		}
	}
}

// bilans applies objectif-non-cloture: after a finalised, held bilan's own
// suivi_objectifs, every objective declared so far has a final status. A
// bilan without suivi_objectifs at all is reported once, by its document
// check (the field's rule), not once per objective.
func (k *caseCheck) bilans() {
	for _, d := range k.c.Interviews {
		if d.Type() != typeBilan || !d.Final() || !d.Held() {
			continue
		}
		if sv, _ := d.Get("suivi_objectifs"); casefile.IsNull(sv) || sv.Kind == yaml.SequenceNode && len(sv.Content) == 0 {
			continue
		}
		for _, o := range k.c.Objectives {
			if !casefile.CheckObjectiveID(o.ID) || !declaredBy(o, d, k.c.Interviews) {
				continue
			}
			status, entry := statusAt(o, d, k.c.Interviews)
			if casefile.IsFinalStatus(status) {
				continue
			}
			if entry != nil && entry.Doc == d {
				if !knownStatus(status) {
					continue // champ-invalide, from the document's own check
				}
				st, _ := casefile.Get(entry.Node, "statut")
				if st == nil {
					st, _ = casefile.Get(entry.Node, "objectif")
				}
				k.add("objectif-non-cloture", d, st, "suivi_objectifs["+o.ID+"]", "l'objectif %s reste « %s » dans ce bilan : donnez-lui un statut final (atteint, partiellement-atteint, non-atteint ou abandonne)", o.ID, status)
				continue
			}
			k.add("objectif-non-cloture", d, nil, "suivi_objectifs["+o.ID+"]", "l'objectif %s n'a pas de statut final (%s) : ajoutez-le à suivi_objectifs avec atteint, partiellement-atteint, non-atteint ou abandonne", o.ID, status)
		}
	}
}

func knownStatus(s string) bool {
	return s == casefile.StatusOpen || s == casefile.StatusPostponed || casefile.IsFinalStatus(s)
}

// declaredBy reports whether o was first declared in d or before it.
func declaredBy(o *casefile.Objective, d *casefile.Document, order []*casefile.Document) bool {
	first := o.Revisions[0].Doc
	for _, x := range order {
		if x == first {
			return true
		}
		if x == d {
			return false
		}
	}
	return false
}

// statusAt returns o's status right after document d (its last follow-up
// in d or before), and that follow-up.
func statusAt(o *casefile.Objective, d *casefile.Document, order []*casefile.Document) (string, *casefile.Followup) {
	pos := map[*casefile.Document]int{}
	for i, x := range order {
		pos[x] = i
	}
	limit := pos[d]
	var last *casefile.Followup
	for i := range o.Followups {
		f := &o.Followups[i]
		if pos[f.Doc] <= limit && f.Statut != "" {
			last = f
		}
	}
	if last == nil {
		return casefile.StatusOpen, nil
	}
	return last.Statut, last
}

// phaseOf returns the phase rank of an interview type, -1 when unknown.
func (k *caseCheck) phaseOf(d *casefile.Document) int {
	if t := k.e.interview(d.Type()); t != nil {
		return t.PhaseRank
	}
	return -1
}

func (k *caseCheck) typeNode(d *casefile.Document) *yaml.Node {
	v, _ := d.Get("type")
	return v
}

func (k *caseCheck) label(d *casefile.Document) string {
	if t := k.e.interview(d.Type()); t != nil && t.Label != "" {
		r, size := utf8.DecodeRuneInString(t.Label)
		return string(unicode.ToLower(r)) + t.Label[size:]
	}
	return d.Type()
}

// sequence warns when the phase order is broken, among held interviews:
// the first one is not an entretien-initial; the first interview of the
// accompagnement phase comes before any contractualisation. One finding
// each, on the first document that breaks the order.
func (k *caseCheck) sequence() {
	if len(k.held) == 0 {
		return
	}
	first := k.held[0]
	if first.Type() != typeInitial {
		hasInitial := false
		for _, d := range k.held {
			hasInitial = hasInitial || d.Type() == typeInitial
		}
		if hasInitial {
			k.add("sequence", first, k.typeNode(first), "sequence:initial", "%s du %s précède l'entretien initial : le parcours commence par l'entretien initial ; vérifiez la date ou le type", capitalize(k.label(first)), casefile.FormatDate(k.dates[first]))
		} else {
			k.add("sequence", first, k.typeNode(first), "sequence:initial", "aucun entretien initial avant %s du %s : le parcours commence par l'entretien initial (acc new entretien-initial)", k.label(first), casefile.FormatDate(k.dates[first]))
		}
	}
	contract := false
	for _, d := range k.held {
		switch {
		case d.Type() == typeContract:
			contract = true
		case k.phaseOf(d) == 2 && !contract:
			k.add("sequence", d, k.typeNode(d), "sequence:contrat", "%s du %s avant toute contractualisation : le suivi commence une fois le contrat établi ; vérifiez la date ou le type", capitalize(k.label(d)), casefile.FormatDate(k.dates[d]))
			return
		}
	}
}

func capitalize(s string) string {
	r, size := utf8.DecodeRuneInString(s)
	if size == 0 {
		return s
	}
	return string(unicode.ToUpper(r)) + s[size:]
}

func daysText(n int) string {
	switch n {
	case 0:
		return "le même jour"
	case 1:
		return "1 jour"
	}
	return strconv.Itoa(n) + " jours"
}

// closure applies cloture-sans-bilan.
func (k *caseCheck) closure() {
	f := k.c.Fiche
	if f == nil || f.Statut() != casefile.FicheDone {
		return
	}
	for _, d := range k.c.Interviews {
		if d.Type() == typeBilan && d.Final() && d.Held() {
			return
		}
	}
	st, _ := f.Get("statut")
	k.add("cloture-sans-bilan", f, st, "statut", "parcours terminé sans entretien de bilan finalisé : rédigez et finalisez l'entretien de bilan (acc new entretien-bilan), ou corrigez le statut")
}

// judged reports the concerns of the one judgement of time and phase
// (casefile.Judge) as findings, in the judgement's order. Waived concerns
// are reported too: the waiver silences them and counts them.
func (k *caseCheck) judged(j *casefile.Judgement) {
	for _, c := range j.Concerns {
		k.add(c.Rule, c.Doc, c.Node, c.Key, "%s", concernMessage(c, k.c.ID))
	}
}

// concernMessage says in French what a concern is and what to do.
func concernMessage(c casefile.Concern, id string) string {
	switch c.Rule {
	case "absence-sans-relance":
		return absenceMessage(c.Key)
	case "objectif-en-retard":
		o := c.Objective
		return fmt.Sprintf("l'échéance de l'objectif %s (%s) est passée et il n'est pas atteint (statut %s) : faites le point au prochain suivi (statut final, ou nouvelle échéance en révisant l'objectif)", o.ID, casefile.FormatDate(o.Echeance), o.Status())
	case "action-en-retard":
		label := strings.TrimSpace(c.Action.Libelle)
		if label == "" {
			label = "n° " + strconv.Itoa(c.ActionIndex)
		} else {
			label = "« " + label + " »"
		}
		return fmt.Sprintf("l'action %s de l'objectif %s devait être faite le %s : marquez-la faite (fait: true) ou révisez l'objectif avec une nouvelle échéance", label, c.Objective.ID, casefile.FormatDate(c.Date))
	case "rythme":
		switch c.Gap {
		case casefile.GapLong:
			return fmt.Sprintf("%s jours depuis l'entretien du %s (au plus %d) : rapprochez les entretiens, ou justifiez l'écart par une dérogation (derogations: [{regle: rythme, motif: …}])", strconv.Itoa(c.Days), casefile.FormatDate(c.Date), c.Limit)
		case casefile.GapShort:
			return fmt.Sprintf("%s après l'entretien du %s (au moins %d jours) : espacez les entretiens pour laisser le temps d'agir, ou justifiez-le par une dérogation", daysText(c.Days), casefile.FormatDate(c.Date), c.Limit)
		}
		return fmt.Sprintf("aucun entretien depuis le %s (%d jours, au plus %d) : planifiez le prochain entretien", casefile.FormatDate(c.Date), c.Days, c.Limit)
	case "entretien-non-documente":
		return fmt.Sprintf("l'entretien prévu le %s n'a pas de compte rendu : créez-le (acc new) ou notez l'absence (presence: absent ou excuse)", casefile.FormatDate(c.Date))
	case "brouillon-ancien":
		return fmt.Sprintf("brouillon depuis %d jours (au plus %d) : complétez le compte rendu et passez-le en statut: finalise", c.Days, c.Limit)
	case "decrochage":
		return fmt.Sprintf("deuxième entretien manqué de suite (le %s) : risque de décrochage ; organisez un contact rapide et adaptez l'accompagnement", casefile.FormatDate(c.Date))
	case "premier-entretien":
		return fmt.Sprintf("aucun entretien tenu depuis l'entrée le %s (%d jours, au plus %d) : tenez l'entretien initial (acc new entretien-initial)", casefile.FormatDate(c.Date), c.Days, c.Limit)
	case "conservation":
		return fmt.Sprintf("dernier contact le %s, il y a plus de %d mois : archivez, anonymisez ou purgez le dossier (acc purge %s)", casefile.FormatDate(c.Date), c.Limit, id)
	}
	return c.Rule
}
