package main

import (
	"bufio"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/acc-formation/acc/casefile"
	"github.com/acc-formation/acc/internal/casecache"
	"github.com/acc-formation/acc/internal/termtext"
)

// statusOptions are acc status's flags and what it needs from outside.
type statusOptions struct {
	deps
	JSON      bool
	Formateur string
}

func (a *app) statusCmd() *cobra.Command {
	o := &statusOptions{deps: a.deps()}
	c := &cobra.Command{
		Use:   "status",
		Short: "Ce qui attend : documents non enregistrés, qui contacter cette semaine, retards, brouillons",
		Long: `Dit ce qui attend, à la date du jour (--today, ACC_TODAY) :

  - les documents modifiés, supprimés ou nouveaux pas encore enregistrés
    (acc commit les enregistre) ;
  - qui contacter cette semaine : les entretiens prévus (prochain_entretien)
    dans les 7 jours, ceux dont la date est passée sans compte rendu, les
    objectifs et les actions dont l'échéance est passée ;
  - les brouillons à finaliser, en signalant ceux qui dépassent le délai de
    la règle brouillon-ancien (acc.yaml, 7 jours par défaut) ;
  - les documents qui ont encore des erreurs de validation (leur nombre et
    les premiers chemins ; acc validate les détaille).

Les entretiens prévus concernent les parcours en cours ; les objectifs, les
parcours en cours ou suspendus ; les brouillons, tous les dossiers.`,
		Example: "  acc status\n  acc status --formateur sophie\n  acc status --json",
		Args:    cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			return runStatus(o)
		},
	}
	c.Flags().BoolVar(&o.JSON, "json", false, "sortie JSON")
	c.Flags().StringVar(&o.Formateur, "formateur", "", "seulement les bénéficiaires de ce référent (`NOM`, ou une partie)")
	return c
}

// statusJSON is the shape of acc status --json (version 1).
type statusJSON struct {
	Version       int             `json:"version"`
	Date          jsonDate        `json:"date"`
	Uncommitted   []changeJSON    `json:"non_enregistres"`
	Contact       []string        `json:"a_contacter"`
	Beneficiaries []statusBenJSON `json:"beneficiaires"`
	// Invalid lists every document with at least one error finding, from
	// the same validation run as acc validate (its cache included).
	Invalid []string `json:"documents_en_erreur"`
}

type changeJSON struct {
	Path  string `json:"chemin"`
	State string `json:"etat"` // modifie, supprime, nouveau
}

type statusBenJSON struct {
	ID       string          `json:"id"`
	Prenom   string          `json:"prenom"`
	Nom      string          `json:"nom"`
	Referent string          `json:"formateur_referent"`
	Statut   string          `json:"statut"`
	Contact  bool            `json:"a_contacter"`
	Items    []attentionJSON `json:"points"`
}

type attentionJSON struct {
	Kind      string   `json:"motif"`
	Path      string   `json:"chemin"`
	Date      jsonDate `json:"date"`
	Days      int      `json:"jours"`
	Objective string   `json:"objectif,omitempty"`
	Action    string   `json:"action,omitempty"`
	Message   string   `json:"message"`
}

// changeStates are the words of uncommitted changes, JSON then text.
var changeStates = map[string][2]string{
	"modifie":  {"modifie", "modifié"},
	"supprime": {"supprime", "supprimé"},
	"nouveau":  {"nouveau", "nouveau"},
}

// runStatus says what waits, as of today: uncommitted documents, whom to
// contact, what is late, drafts, documents in error.
func runStatus(o *statusOptions) error {
	ws, err := o.Open()
	if err != nil {
		return err
	}
	q, err := o.query(ws)
	if err != nil {
		return err
	}
	out := statusJSON{Version: 1, Date: jsonDate(q.Today), Uncommitted: []changeJSON{}, Contact: []string{}, Beneficiaries: []statusBenJSON{}, Invalid: []string{}}
	// The scan's stat data also tell the case cache which cases are
	// unchanged: one stat of each file, not two.
	scan := new(casecache.Scan)
	if out.Uncommitted, err = uncommitted(ws, out.Uncommitted, scan); err != nil {
		return err
	}
	text, names, err := o.attention(ws, q, &out, scan)
	if err != nil {
		return err
	}
	sort.Strings(out.Invalid)
	if o.JSON {
		return writeJSON(o.IO.Out, out)
	}
	return writeStatusText(o.IO.Out, q.Today, out, text, names)
}

// uncommitted appends to list the case files changed, deleted or new in
// the work tree, handing scan the stat data it took.
func uncommitted(ws *workspace, list []changeJSON, scan *casecache.Scan) ([]changeJSON, error) {
	changed, deleted, untracked, err := ws.store.WorkChangesSeen(casefile.BeneficiariesDir, committableName, scan.Add)
	if err != nil {
		return nil, repoErr(err)
	}
	for _, l := range []struct {
		state string
		paths []string
	}{{"modifie", changed}, {"supprime", deleted}, {"nouveau", untracked}} {
		for _, p := range l.paths {
			if _, _, ok := casefile.SplitCasePath(p); ok {
				list = append(list, changeJSON{Path: p, State: l.state})
			}
		}
	}
	return list, nil
}

// attention fills out with what each case of the referent's (--formateur)
// needs and its documents in error; text has one block per beneficiary for
// the text output, names those to contact.
func (o *statusOptions) attention(ws *workspace, q casefile.Query, out *statusJSON, scan *casecache.Scan) (text, names []string, err error) {
	filter := casefile.Filter{Formateur: o.Formateur}
	// What each case needs and its documents in error, from the cache of
	// what each case gives (unchanged cases are neither read nor judged
	// again; the judgement of the day applies to what it keeps).
	ids, err := ws.repo.Beneficiaries()
	if err != nil {
		return nil, nil, repoErr(err)
	}
	cc := o.caseCache(ws, q.Today)
	cc.Scan = scan
	followed, others, err := cc.Briefs(q, ids, true)
	if err != nil {
		return nil, nil, cacheErr(err)
	}
	for _, f := range followed {
		s := q.SummaryOf(f.Brief)
		if !filter.MatchBeneficiary(s, q.Today) {
			continue
		}
		out.Invalid = append(out.Invalid, f.Invalid...)
		items := q.AttentionOf(f.Brief)
		if len(items) == 0 {
			continue
		}
		b, block := statusBeneficiary(s, items)
		if b.Contact {
			out.Contact = append(out.Contact, s.ID)
			names = append(names, termtext.Line(who(s)))
		}
		out.Beneficiaries = append(out.Beneficiaries, b)
		text = append(text, block)
	}
	// Documents in error outside any beneficiary's folder (a stray file)
	// belong to no referent.
	if o.Formateur == "" {
		out.Invalid = append(out.Invalid, others...)
	}
	return text, names, nil
}

// statusBeneficiary is what a beneficiary needs, in JSON and as a block of
// text.
func statusBeneficiary(s casefile.Summary, items []casefile.Attention) (statusBenJSON, string) {
	b := statusBenJSON{ID: s.ID, Prenom: s.Prenom, Nom: s.Nom, Referent: s.Referent, Statut: s.Statut}
	var block strings.Builder
	// Names and values come from the documents: escaped for the terminal.
	block.WriteString(termtext.Line(who(s)))
	if s.Referent != "" {
		fmt.Fprintf(&block, " · %s", termtext.Line(s.Referent))
	}
	block.WriteString("\n")
	for _, it := range items {
		b.Contact = b.Contact || it.Contact()
		b.Items = append(b.Items, attentionJSON{Kind: it.Kind, Path: it.Path, Date: jsonDate(it.Date), Days: it.Days,
			Objective: it.Objective, Action: it.Action, Message: attentionText(s, it, func(p string) string { return p })})
		// Paths relative to the case-file root, as acc validate prints
		// them (DESIGN §5.1): status lists validate's documents too, and
		// one screen never mixes two bases.
		fmt.Fprintf(&block, "  - %s\n", termtext.Line(attentionText(s, it, func(p string) string { return p })))
	}
	return b, block.String()
}

// writeStatusText prints the status for a person: the date, what is not
// committed, whom to contact, each beneficiary's block, the documents in
// error.
func writeStatusText(stdout io.Writer, today time.Time, out statusJSON, text, names []string) error {
	w := bufio.NewWriter(stdout)
	fmt.Fprintf(w, "Situation au %s.\n", dayText(today))
	if len(out.Uncommitted) > 0 {
		fmt.Fprintln(w, "\nNon enregistré (acc commit pour l'enregistrer) :")
		for _, ch := range out.Uncommitted {
			fmt.Fprintf(w, "  %-9s %s\n", changeStates[ch.State][1], termtext.Line(ch.Path))
		}
	}
	if len(names) > 0 {
		fmt.Fprintf(w, "\nÀ contacter cette semaine : %s.\n", strings.Join(names, ", "))
	} else {
		fmt.Fprintln(w, "\nPersonne à contacter cette semaine : aucun entretien prévu dans les 7 jours, aucun retard.")
	}
	for _, b := range text {
		fmt.Fprintf(w, "\n%s", b)
	}
	if n := len(out.Invalid); n > 0 {
		fmt.Fprintf(w, "\n%s (acc validate pour les détailler) :\n", invalidCount(n))
		for _, p := range out.Invalid[:min(n, statusInvalidShown)] {
			fmt.Fprintf(w, "  %s\n", termtext.Line(p))
		}
		if n > statusInvalidShown {
			fmt.Fprintf(w, "  … et %d autre%s\n", n-statusInvalidShown, plural(n-statusInvalidShown))
		}
	}
	if len(out.Uncommitted) == 0 && len(text) == 0 && len(out.Invalid) == 0 {
		fmt.Fprintln(w, "\nRien d'autre à signaler : tout est enregistré, aucun brouillon en cours.")
	}
	return w.Flush()
}

// who names a beneficiary for a sentence: "Jean Dupont (jean-dupont)".
func who(s casefile.Summary) string {
	if n := s.Name(); n != s.ID {
		return n + " (" + s.ID + ")"
	}
	return s.ID
}

// attentionText says in French what an attention item is and what to do;
// path shows a case-relative path.
func attentionText(s casefile.Summary, it casefile.Attention, path func(string) string) string {
	late := "en retard de " + daysText(it.Days)
	switch it.Kind {
	case casefile.AttnPlanned:
		if it.Days == 0 {
			return "entretien prévu aujourd'hui"
		}
		return fmt.Sprintf("entretien prévu le %s (dans %s)", dayText(it.Date), daysText(it.Days))
	case casefile.AttnUndocumented:
		return fmt.Sprintf("entretien prévu le %s, sans compte rendu depuis %s : écrivez-le (acc new -b %s) ou notez l'absence (presence: absent ou excuse)",
			dayText(it.Date), daysText(it.Days), s.ID)
	case casefile.AttnObjective:
		title := ""
		if it.Intitule != "" {
			title = " « " + it.Intitule + " »"
		}
		return fmt.Sprintf("objectif %s%s %s (échéance le %s) : faites le point (statut final, ou nouvelle échéance)",
			it.Objective, title, late, dayText(it.Date))
	case casefile.AttnAction:
		label := "sans libellé"
		if it.Action != "" {
			label = "« " + it.Action + " »"
		}
		return fmt.Sprintf("action %s de l'objectif %s %s (échéance le %s)", label, it.Objective, late, dayText(it.Date))
	case casefile.AttnOldDraft:
		return fmt.Sprintf("brouillon depuis %s, à finaliser : %s", daysText(it.Days), path(it.Path))
	case casefile.AttnDraft:
		return fmt.Sprintf("brouillon du %s à finaliser : %s", dayText(it.Date), path(it.Path))
	case casefile.AttnNoContact:
		return fmt.Sprintf("aucun entretien depuis le %s (%s, au plus %s) : planifiez le prochain entretien", dayText(it.Date), daysText(it.Days), daysText(it.Limit))
	case casefile.AttnFirstInterview:
		return fmt.Sprintf("entré le %s, aucun entretien tenu depuis %s (au plus %s) : tenez l'entretien initial (acc new entretien-initial -b %s)", dayText(it.Date), daysText(it.Days), daysText(it.Limit), s.ID)
	case casefile.AttnNoRelance:
		return fmt.Sprintf("entretien manqué le %s sans relance : recontactez la personne et notez la date dans relance (%s)", dayText(it.Date), path(it.Path))
	case casefile.AttnDropout:
		return fmt.Sprintf("deuxième entretien manqué de suite le %s : risque de décrochage, organisez un contact rapide", dayText(it.Date))
	case casefile.AttnRetention:
		return fmt.Sprintf("dernier contact le %s, il y a plus de %d mois : archivez, anonymisez ou purgez le dossier (acc purge %s)", dayText(it.Date), it.Limit, s.ID)
	}
	return it.Kind + " : " + path(it.Path)
}

// statusInvalidShown is how many documents in error acc status names; the
// rest are counted, acc validate lists them all.
const statusInvalidShown = 3

// invalidCount writes "1 document a encore des erreurs", "2 documents ont…".
func invalidCount(n int) string {
	if n == 1 {
		return "1 document a encore des erreurs de validation"
	}
	return fmt.Sprintf("%d documents ont encore des erreurs de validation", n)
}
