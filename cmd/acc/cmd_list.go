package main

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/acc-formation/acc/casefile"
	"github.com/acc-formation/acc/internal/termtext"
	"github.com/acc-formation/acc/validate"
)

// What acc list lists.
const (
	listBeneficiaries = "beneficiaires"
	listInterviews    = "entretiens"
	listObjectives    = "objectifs"
)

var listKinds = []string{listBeneficiaries, listInterviews, listObjectives}

// listOptions are acc list's arguments and flags and what it needs from
// outside.
type listOptions struct {
	deps
	// Cases hands the cases of the given beneficiaries (all when nil) to fn,
	// in id order (app.eachCase: the work tree).
	Cases func(ws *workspace, ids []string, fn func(*casefile.Case)) error

	Kind          string // as typed; "" lists the beneficiaries
	JSON          bool
	Beneficiaries []string
	Formateur     string
	Statuts       []string
	Phases        []string
	Types         []string
	From, To      string
	Late          bool
	Purge         bool
}

func (a *app) listCmd() *cobra.Command {
	o := &listOptions{deps: a.deps(), Cases: a.eachCase}
	c := &cobra.Command{
		Use:   "list [beneficiaires|entretiens|objectifs] [filtres]",
		Short: "Lister les bénéficiaires, les entretiens ou les objectifs, avec des filtres",
		Long: `Liste les bénéficiaires (par défaut), les entretiens ou les objectifs des
dossiers, avec des filtres qui se combinent.

Dans un terminal : un tableau aligné avec ses titres. Dans un tube ou un
fichier : une ligne par élément, colonnes séparées par des tabulations, sans
titre, toujours dans le même ordre (voir le README) ; --json pour les outils.

Les filtres :
  -b ID            un ou plusieurs bénéficiaires
  --formateur NOM  le référent (bénéficiaires, objectifs) ou l'auteur de
                   l'entretien ; une partie du nom suffit, sans accents ni
                   majuscules (« --formateur sophie »)
  --statut S       bénéficiaires : en-cours, suspendu, termine, abandon ;
                   entretiens : brouillon, finalise ; objectifs : en-cours,
                   reporte, atteint, partiellement-atteint, non-atteint,
                   abandonne, ou ouvert, clos ; plusieurs : --statut a,b
  --phase P        accueil, construction, accompagnement : celle de
                   l'entretien, ou la phase actuelle du bénéficiaire
  --type T         entretiens de ce type
  --du D, --au D   bornes incluses : date d'entrée (bénéficiaires), date de
                   l'entretien, échéance de l'objectif
  --en-retard      bénéficiaires avec un objectif, une action ou un entretien
                   prévu en retard, ou sans premier entretien ; objectifs en
                   retard (échéance ou action)
  --a-purger       bénéficiaires dont le dernier contact dépasse la durée de
                   conservation (règle conservation, 24 mois par défaut)

Les retards se jugent à la date du jour (--today, ACC_TODAY).`,
		Example: `  acc list
  acc list beneficiaires --formateur sophie --statut en-cours
  acc list entretiens --statut brouillon
  acc list entretiens -b jean-dupont --du 2026-09-01 --au 2026-12-31
  acc list objectifs --en-retard --json
  acc list --a-purger`,
		Args:              cobra.MaximumNArgs(1),
		ValidArgsFunction: a.completeListArgs,
		RunE: func(c *cobra.Command, args []string) error {
			if len(args) > 0 {
				o.Kind = args[0]
			}
			return runList(o)
		},
	}
	f := c.Flags()
	f.BoolVar(&o.JSON, "json", false, "sortie JSON")
	f.StringSliceVarP(&o.Beneficiaries, "beneficiaire", "b", nil, "seulement ce bénéficiaire (`ID`, début de l'identifiant, prénom ou nom ; répétable)")
	f.StringVar(&o.Formateur, "formateur", "", "seulement ce formateur (`NOM`, ou une partie)")
	f.StringSliceVar(&o.Statuts, "statut", nil, "seulement ce `STATUT` (plusieurs : a,b)")
	f.StringSliceVar(&o.Phases, "phase", nil, "seulement cette `PHASE` : accueil, construction, accompagnement")
	f.StringSliceVar(&o.Types, "type", nil, "entretiens de ce `TYPE`")
	f.StringVar(&o.From, "du", "", "à partir de cette `DATE` (JJ/MM/AAAA ou AAAA-MM-JJ, incluse)")
	f.StringVar(&o.To, "au", "", "jusqu'à cette `DATE` (JJ/MM/AAAA ou AAAA-MM-JJ, incluse)")
	f.BoolVar(&o.Late, "en-retard", false, "seulement ce qui est en retard")
	f.BoolVar(&o.Purge, "a-purger", false, "bénéficiaires au-delà de la durée de conservation")
	_ = c.RegisterFlagCompletionFunc("beneficiaire", a.completeIDs)
	_ = c.RegisterFlagCompletionFunc("type", a.completeInterviewTypes)
	_ = c.RegisterFlagCompletionFunc("phase", cobra.FixedCompletions([]string{"accueil", "construction", "accompagnement"}, cobra.ShellCompDirectiveNoFileComp))
	_ = c.RegisterFlagCompletionFunc("statut", a.completeListStatuts)
	return c
}

// parseListKind reads the listing's name, singular or plural, with or
// without accents.
func parseListKind(s string) (string, error) {
	if s == "" {
		return listBeneficiaries, nil
	}
	k := strings.TrimSuffix(casefile.FoldText(strings.TrimSpace(s)), "s") + "s"
	for _, v := range listKinds {
		if k == v {
			return v, nil
		}
	}
	msg := fmt.Sprintf("que lister ? « %s » inconnu", termtext.Arg(s))
	if sug := casefile.Suggest(k, listKinds); sug != "" {
		msg += fmt.Sprintf(" : vouliez-vous dire « %s » ?", sug)
	}
	return "", usageErr("%s (acc list beneficiaires, entretiens ou objectifs)", msg)
}

// listStatuts are the values --statut accepts for each listing.
func listStatuts(kind string) []string {
	switch kind {
	case listInterviews:
		return []string{casefile.DocDraft, casefile.DocFinal}
	case listObjectives:
		return append(append([]string(nil), casefile.ObjectiveStatuses...), casefile.ObjectivesOpen, casefile.ObjectivesClosed)
	}
	return casefile.FicheStatuses
}

// phases returns the phases of the repository's interview types, in
// methodology order.
func phases(ws *workspace) []string {
	var out []string
	for _, t := range ws.reg.Types() {
		if t.Interview && t.Phase != "" && !contains(out, t.Phase) {
			out = append(out, t.Phase)
		}
	}
	return out
}

// typePhase gives the phase of an interview type of the workspace.
func (ws *workspace) typePhase(name string) (string, bool) {
	t, ok := ws.reg.Lookup(name)
	if !ok || !t.Interview {
		return "", false
	}
	return t.Phase, true
}

// query returns the read-side query of the workspace as of today, with
// acc.yaml's rule settings: its answers are the one judgement's.
func (d deps) query(ws *workspace) (casefile.Query, error) {
	today, err := d.Today()
	if err != nil {
		return casefile.Query{}, err
	}
	s, err := validate.NewSettings(ws.repo.Config, "")
	if err != nil {
		return casefile.Query{}, err
	}
	return casefile.Query{Today: today, Kinds: casefile.KindsOf(ws.reg), Rules: s.RuleSettings, Horizon: 6}, nil
}

// eachCase loads the given beneficiaries' cases (all when ids is nil) in
// parallel and hands them to fn in id order.
func (a *app) eachCase(ws *workspace, ids []string, fn func(*casefile.Case)) error {
	if ids == nil {
		var err error
		if ids, err = ws.repo.Beneficiaries(); err != nil {
			return repoErr(err)
		}
	}
	if err := ws.loader(ws.repo).Each(ids, fn); err != nil {
		return repoErr(err)
	}
	return nil
}

// resolveBeneficiaries resolves each value of a repeatable -b.
func (d deps) resolveBeneficiaries(ws *workspace, qs []string, flag string) ([]string, error) {
	var out []string
	for _, q := range qs {
		id, err := d.Resolve(ws, q, nil, flag, "")
		if err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, nil
}

// checkValues refuses values outside the allowed ones, with a suggestion.
func checkValues(flag string, values, allowed []string) error {
	for _, v := range values {
		if contains(allowed, v) {
			continue
		}
		msg := fmt.Sprintf("%s : « %s » inconnu", flag, termtext.Arg(v))
		if s := casefile.Suggest(v, allowed); s != "" {
			msg += fmt.Sprintf(" : vouliez-vous dire « %s » ?", s)
		}
		return usageErr("%s ; valeurs possibles : %s", msg, strings.Join(allowed, ", "))
	}
	return nil
}

func optionalDate(flag, s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	d, err := casefile.ParseUserDate(s)
	if err != nil {
		return time.Time{}, usageErr("%s : %v", flag, err)
	}
	return d, nil
}

// filter checks the options against the listing and builds the filter.
func (o *listOptions) filter(ws *workspace, kind string) (casefile.Filter, error) {
	f := casefile.Filter{Beneficiaries: o.Beneficiaries, Formateur: o.Formateur, Statuts: o.Statuts,
		Phases: o.Phases, Types: o.Types, Late: o.Late, ToPurge: o.Purge}
	var err error
	switch {
	case o.Purge && kind != listBeneficiaries:
		return f, usageErr("--a-purger s'applique aux bénéficiaires : acc list --a-purger")
	case o.Late && kind == listInterviews:
		return f, usageErr("--en-retard s'applique aux bénéficiaires et aux objectifs ; pour les comptes rendus à finir : acc list entretiens --statut brouillon")
	case len(o.Types) > 0 && kind != listInterviews:
		return f, usageErr("--type s'applique aux entretiens : acc list entretiens --type TYPE")
	}
	if f.Beneficiaries, err = o.resolveBeneficiaries(ws, o.Beneficiaries, "-b"); err != nil {
		return f, err
	}
	if err := checkValues("--statut", o.Statuts, listStatuts(kind)); err != nil {
		return f, err
	}
	if err := checkValues("--phase", o.Phases, phases(ws)); err != nil {
		return f, err
	}
	for _, t := range o.Types {
		if _, ok := ws.typePhase(t); !ok {
			return f, unknownTypeErr(ws.reg, t, false)
		}
	}
	if f.From, err = optionalDate("--du", o.From); err != nil {
		return f, err
	}
	if f.To, err = optionalDate("--au", o.To); err != nil {
		return f, err
	}
	if !f.From.IsZero() && !f.To.IsZero() && f.To.Before(f.From) {
		return f, usageErr("--du %s est après --au %s", termtext.Arg(o.From), termtext.Arg(o.To))
	}
	return f, nil
}

// runList prints the beneficiaries, the interviews or the objectives that
// pass the filters, as a table or in JSON.
func runList(o *listOptions) error {
	kind, err := parseListKind(o.Kind)
	if err != nil {
		return err
	}
	ws, err := o.Open()
	if err != nil {
		return err
	}
	f, err := o.filter(ws, kind)
	if err != nil {
		return err
	}
	q, err := o.query(ws)
	if err != nil {
		return err
	}
	var ids []string
	if len(f.Beneficiaries) > 0 {
		ids = append(ids, f.Beneficiaries...)
		sort.Strings(ids)
		ids = uniq(ids)
	}
	l := lister{rel: o.RelPath, ws: ws, q: q, f: f}
	if err := o.Cases(ws, ids, func(c *casefile.Case) {
		j := q.Judge(c)
		s := q.SummarizeJudged(c, j)
		switch kind {
		case listBeneficiaries:
			l.beneficiary(s)
		case listInterviews:
			l.interviews(c, s)
		case listObjectives:
			l.objectives(c, s, j)
		}
	}); err != nil {
		return err
	}
	if o.JSON {
		return writeJSON(o.IO.Out, l.json(kind))
	}
	t := l.table(kind)
	if len(t.rows) == 0 && o.IO.stdoutTerminal() {
		fmt.Fprintln(o.IO.Err, "acc : rien ne correspond")
		return nil
	}
	return o.writeTable(t)
}

func uniq(sorted []string) []string {
	out := sorted[:0]
	for i, v := range sorted {
		if i == 0 || v != sorted[i-1] {
			out = append(out, v)
		}
	}
	return out
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// lister collects the rows of a listing.
type lister struct {
	rel func(string) string // deps.RelPath
	ws  *workspace
	q   casefile.Query
	f   casefile.Filter

	rows            [][]string
	beneficiaryJSON []beneficiaryJSON
	interviewRows   []interviewRow
	objectiveJSON   []objectiveJSON
}

type interviewRow struct {
	date  time.Time
	cells []string
	json  interviewJSON
}

// listJSON is the shape of acc list --json (version 1): the listing's
// name and its elements, each with the keys documented in the README.
type listJSON struct {
	Version int      `json:"version"`
	Date    jsonDate `json:"date"`
	List    string   `json:"liste"`
	Items   any      `json:"elements"`
}

type beneficiaryJSON struct {
	ID                string   `json:"id"`
	Prenom            string   `json:"prenom"`
	Nom               string   `json:"nom"`
	Statut            string   `json:"statut"`
	Phase             string   `json:"phase"`
	Referent          string   `json:"formateur_referent"`
	Dispositif        string   `json:"dispositif"`
	Entree            jsonDate `json:"date_entree"`
	Sortie            jsonDate `json:"date_sortie"`
	LastContact       jsonDate `json:"dernier_contact"`
	Planned           jsonDate `json:"prochain_entretien"`
	Undocumented      bool     `json:"entretien_non_documente"`
	NoFirstInterview  bool     `json:"premier_entretien_manquant"`
	Interviews        int      `json:"entretiens"`
	OpenObjectives    int      `json:"objectifs_ouverts"`
	OverdueObjectives int      `json:"objectifs_en_retard"`
	OverdueActions    int      `json:"actions_en_retard"`
	KeepUntil         jsonDate `json:"conservation_jusqu_au"`
	ToPurge           bool     `json:"a_purger"`
}

type interviewJSON struct {
	Path      string   `json:"chemin"`
	ID        string   `json:"beneficiaire"`
	Date      jsonDate `json:"date"`
	Type      string   `json:"type"`
	Phase     string   `json:"phase"`
	Statut    string   `json:"statut"`
	Presence  string   `json:"presence"`
	Formateur string   `json:"formateur"`
	Purpose   string   `json:"objectif_entretien"`
	Planned   jsonDate `json:"prochain_entretien"`
}

type objectiveJSON struct {
	ID         string       `json:"beneficiaire"`
	Objective  string       `json:"id"`
	Intitule   string       `json:"intitule"`
	Indicateur string       `json:"indicateur"`
	Echeance   jsonDate     `json:"echeance"`
	Statut     string       `json:"statut"`
	Closed     bool         `json:"clos"`
	Late       bool         `json:"en_retard"`
	Path       string       `json:"chemin"`
	Revisions  int          `json:"revisions"`
	Actions    []actionJSON `json:"actions"`
}

type actionJSON struct {
	Libelle     string   `json:"libelle"`
	Echeance    jsonDate `json:"echeance"`
	Responsable string   `json:"responsable"`
	Fait        bool     `json:"fait"`
	Late        bool     `json:"en_retard"`
}

func (l *lister) beneficiary(s casefile.Summary) {
	if !l.f.MatchBeneficiary(s, l.q.Today) {
		return
	}
	var keep time.Time
	if !s.PurgeFrom.IsZero() {
		keep = s.PurgeFrom.AddDate(0, 0, -1)
	}
	l.beneficiaryJSON = append(l.beneficiaryJSON, beneficiaryJSON{
		ID: s.ID, Prenom: s.Prenom, Nom: s.Nom, Statut: s.Statut, Phase: s.Phase, Referent: s.Referent,
		Dispositif: s.Dispositif, Entree: jsonDate(s.Entree), Sortie: jsonDate(s.Sortie),
		LastContact: jsonDate(s.LastContact), Planned: jsonDate(s.Planned), Undocumented: s.Undocumented, NoFirstInterview: s.NoFirstInterview,
		Interviews: s.Interviews, OpenObjectives: s.OpenObjectives, OverdueObjectives: s.OverdueObjectives,
		OverdueActions: s.OverdueActions, KeepUntil: jsonDate(keep), ToPurge: s.ToPurge(l.q.Today),
	})
	name := ""
	if s.Prenom != "" || s.Nom != "" {
		name = s.Name()
	}
	l.rows = append(l.rows, []string{s.ID, name, s.Statut, s.Phase, s.Referent, dateCell(s.Entree),
		dateCell(s.LastContact), dateCell(s.Planned), fmt.Sprint(s.Late())})
}

func (l *lister) interviews(c *casefile.Case, s casefile.Summary) {
	for _, r := range l.q.InterviewRows(c) {
		if !l.f.MatchInterview(s, r) {
			continue
		}
		planned, _ := r.Doc.Date("prochain_entretien")
		l.interviewRows = append(l.interviewRows, interviewRow{
			date: r.Date,
			cells: []string{dateCell(r.Date), s.ID, r.Type, r.Statut, r.Presence, r.Formateur,
				l.rel(l.ws.repo.Abs(r.Doc.Path))},
			json: interviewJSON{Path: r.Doc.Path, ID: s.ID, Date: jsonDate(r.Date), Type: r.Type, Phase: r.Phase,
				Statut: r.Statut, Presence: r.Presence, Formateur: r.Formateur,
				Purpose: r.Doc.Str("objectif_entretien"), Planned: jsonDate(planned)},
		})
	}
}

func (l *lister) objectives(c *casefile.Case, s casefile.Summary, jd *casefile.Judgement) {
	for _, o := range c.Objectives {
		late := jd.Late(o)
		if !l.f.MatchObjective(s, o, late) {
			continue
		}
		j := objectiveJSON{ID: s.ID, Objective: o.ID, Intitule: o.Intitule, Indicateur: o.Indicateur,
			Echeance: jsonDate(o.Echeance), Statut: o.Status(), Closed: o.Closed(), Late: late,
			Path: o.Last().Doc.Path, Revisions: len(o.Revisions), Actions: []actionJSON{}}
		for i := range o.Actions {
			act := &o.Actions[i]
			j.Actions = append(j.Actions, actionJSON{Libelle: act.Libelle, Echeance: jsonDate(act.Echeance),
				Responsable: act.Responsable, Fait: act.Fait, Late: jd.ActionOverdue(act)})
		}
		l.objectiveJSON = append(l.objectiveJSON, j)
		lateCell := "non"
		if late {
			lateCell = "oui"
		}
		l.rows = append(l.rows, []string{s.ID, o.ID, o.Status(), dateCell(o.Echeance), lateCell, o.Intitule})
	}
}

// json returns the --json document of the listing.
func (l *lister) json(kind string) listJSON {
	out := listJSON{Version: 1, Date: jsonDate(l.q.Today), List: kind}
	switch kind {
	case listBeneficiaries:
		out.Items = nonNil(l.beneficiaryJSON)
	case listInterviews:
		items := make([]interviewJSON, len(l.interviewRows))
		for i, r := range l.sortedInterviews() {
			items[i] = r.json
		}
		out.Items = items
	case listObjectives:
		out.Items = nonNil(l.objectiveJSON)
	}
	return out
}

// table returns the listing for a terminal or a pipe, in the column order
// the README documents.
func (l *lister) table(kind string) *table {
	t := &table{}
	switch kind {
	case listBeneficiaries:
		t.header = []string{"ID", "NOM", "STATUT", "PHASE", "RÉFÉRENT", "ENTRÉE", "DERNIER CONTACT", "PROCHAIN ENTRETIEN", "RETARDS"}
		t.rows = l.rows
	case listInterviews:
		t.header = []string{"DATE", "BÉNÉFICIAIRE", "TYPE", "STATUT", "PRÉSENCE", "FORMATEUR", "CHEMIN"}
		for _, r := range l.sortedInterviews() {
			t.rows = append(t.rows, r.cells)
		}
	case listObjectives:
		t.header = []string{"BÉNÉFICIAIRE", "OBJECTIF", "STATUT", "ÉCHÉANCE", "RETARD", "INTITULÉ"}
		t.rows = l.rows
	}
	return t
}

// sortedInterviews returns the interviews in date order across
// beneficiaries; on one day, by id, then in fold order (the order they were
// collected in).
func (l *lister) sortedInterviews() []interviewRow {
	sort.SliceStable(l.interviewRows, func(i, j int) bool { return l.interviewRows[i].date.Before(l.interviewRows[j].date) })
	return l.interviewRows
}
