package main

import (
	"errors"
	"fmt"
	"path"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/acc-formation/acc/casefile"
	"github.com/acc-formation/acc/internal/gitstore"
	"github.com/acc-formation/acc/internal/termtext"
	"github.com/acc-formation/acc/templates"
)

// newOptions are acc new's arguments and flags and what it needs from
// outside (prompts and the editor among them).
type newOptions struct {
	deps
	Args        []string // TYPE, and the name after « beneficiaire »
	Beneficiary string
	Date        string
	Edit        bool
	ID          string
	IDSet       bool // --id given, even empty: an empty id is refused, not ignored
	Dispositif  string
}

const beneficiaryWord = "beneficiaire"

func (a *app) newCmd() *cobra.Command {
	o := &newOptions{deps: a.deps()}
	c := &cobra.Command{
		Use:   "new TYPE [-b ID] [--date JJ/MM/AAAA] | new beneficiaire \"Prénom Nom\"",
		Short: "Créer un bénéficiaire ou un entretien à partir de son modèle",
		Long: `« acc new beneficiaire "Prénom Nom" » crée la fiche du bénéficiaire
(beneficiaires/<id>/fiche.md). « acc new TYPE » crée un entretien du type
donné à partir de son modèle, pour le bénéficiaire indiqué par -b ou celui
dont vous êtes dans le dossier. Le document est enregistré dans Git et son
chemin est affiché seul sur la sortie standard :

  vim "$(acc new entretien-suivi)"

Types : « acc types ».`,
		Example: `  acc new beneficiaire "Élodie N'Guessan" --dispositif "Prépa Avenir"
  acc new entretien-initial -b elodie-n-guessan
  acc new entretien-suivi --date 2026-12-09 --edit`,
		Args: cobra.MaximumNArgs(2),
		RunE: func(c *cobra.Command, args []string) error {
			o.IDSet = c.Flags().Changed("id")
			o.Args = args
			return runNew(o)
		},
	}
	f := c.Flags()
	f.StringVarP(&o.Beneficiary, "beneficiaire", "b", "", "bénéficiaire : `ID`, début de l'identifiant, prénom ou nom (par défaut : le dossier courant)")
	f.StringVar(&o.Date, "date", "", "date de l'entretien ou d'entrée `JJ/MM/AAAA` ou AAAA-MM-JJ (par défaut : aujourd'hui)")
	f.BoolVar(&o.Edit, "edit", false, "ouvrir le document dans l'éditeur puis l'enregistrer")
	f.StringVar(&o.ID, "id", "", "identifiant du bénéficiaire (par défaut : tiré du nom)")
	f.StringVar(&o.Dispositif, "dispositif", "", "dispositif ou programme suivi")
	c.ValidArgsFunction = a.completeNewArgs
	_ = c.RegisterFlagCompletionFunc("beneficiaire", a.completeIDs)
	return c
}

// runNew creates a beneficiary's fiche or an interview from its template,
// and commits it.
func runNew(o *newOptions) error {
	ws, err := o.Open()
	if err != nil {
		return err
	}
	typ, err := o.typeToCreate(ws)
	if err != nil {
		return err
	}
	if typ == beneficiaryWord || typ == "bénéficiaire" {
		name := ""
		if len(o.Args) > 1 {
			name = o.Args[1]
		}
		if o.Beneficiary != "" || o.Edit {
			return usageErr("-b et --edit ne s'appliquent pas à « acc new beneficiaire »")
		}
		return o.newBeneficiary(ws, name)
	}
	if len(o.Args) > 1 {
		return usageErr("argument en trop « %s » : acc new %s [-b ID]", termtext.Arg(o.Args[1]), typ)
	}
	if o.IDSet || o.Dispositif != "" {
		return usageErr("--id et --dispositif ne s'appliquent qu'à « acc new beneficiaire »")
	}
	t, ok := ws.reg.Lookup(typ)
	if !ok || !t.Interview {
		return unknownTypeErr(ws.reg, typ, false)
	}
	return o.newInterview(ws, t)
}

// typeToCreate is the type to create: the one typed, else the one chosen on a
// terminal.
func (o *newOptions) typeToCreate(ws *workspace) (string, error) {
	if len(o.Args) > 0 && o.Args[0] != "" {
		return o.Args[0], nil
	}
	if !o.Prompter.interactive() {
		return "", usageErr("type de document manquant : acc new TYPE (types : %s) ou acc new beneficiaire \"Prénom Nom\"", strings.Join(typeNames(ws.reg), ", "))
	}
	names := append(typeNames(ws.reg), beneficiaryWord)
	labels := make([]string, len(names))
	for i, n := range names[:len(names)-1] {
		t, _ := ws.reg.Lookup(n)
		labels[i] = t.Label
	}
	labels[len(labels)-1] = "nouveau bénéficiaire"
	return o.Prompter.choose("Quel document créer ?", names, labels)
}

func typeNames(reg *templates.Registry) []string {
	var names []string
	for _, t := range reg.Types() {
		names = append(names, t.Name)
	}
	return names
}

// docDate returns --date, else today.
func (o *newOptions) docDate() (time.Time, error) {
	s := o.Date
	if s == "" {
		return o.Today()
	}
	d, err := casefile.ParseUserDate(s)
	if err != nil {
		return time.Time{}, usageErr("--date : %v", err)
	}
	return d, nil
}

func (o *newOptions) newBeneficiary(ws *workspace, name string) error {
	name, prenom, nom, err := o.personName(name)
	if err != nil {
		return err
	}
	date, err := o.docDate()
	if err != nil {
		return err
	}
	id, err := o.newID(ws, name, date)
	if err != nil {
		return err
	}
	unlock, author, committer, err := o.LockAsTrainer(ws)
	if err != nil {
		return err
	}
	defer unlock()
	names, err := folderNames(ws)
	if err != nil {
		return err
	}
	if taken := idTaken(names, id); taken != "" {
		return usageErr("%s : s'il s'agit d'une autre personne, passez --id, par exemple --id %s-2", takenErr(id, taken), id)
	}
	change, err := ficheChange(ws, id, ficheSpec{prenom: prenom, nom: nom, dispositif: o.Dispositif, formateur: author.Name, entree: date})
	if errors.Is(err, errSensitiveInput) {
		return usageErr("le nom ou le dispositif contient une donnée interdite (numéro de sécurité sociale ou IBAN) : rien n'a été enregistré")
	}
	if err != nil {
		return err
	}
	rel := change.Path
	msg := casefile.CommitMessage{
		Subject: fmt.Sprintf("fiche : %s (%s)", id, casefile.FormatDate(date)),
		Action:  casefile.ActionNew, Beneficiaries: []string{id}, Types: []string{"fiche"},
	}
	if _, err := ws.store.Commit(o.Ctx, []gitstore.Change{change}, msg.String(), author, committer); err != nil {
		if errors.Is(err, gitstore.ErrExists) {
			return usageErr("le bénéficiaire « %s » existe déjà : passez --id", id)
		}
		return repoErr(err)
	}
	if err := shareFolder(ws, id); err != nil {
		return err
	}
	fmt.Fprintln(o.IO.Out, o.RelPath(ws.repo.Abs(rel)))
	return o.reportWritten(ws, rel)
}

// personName reads "Prénom Nom" (asked on a terminal when not given),
// spaces folded.
func (o *newOptions) personName(typed string) (name, prenom, nom string, err error) {
	name = strings.Join(strings.Fields(typed), " ")
	if name == "" && o.Prompter.interactive() {
		if name, err = o.Prompter.prompt("Prénom et nom du bénéficiaire : "); err != nil {
			return "", "", "", err
		}
		name = strings.Join(strings.Fields(name), " ")
	}
	if name == "" {
		return "", "", "", usageErr("nom manquant : acc new beneficiaire \"Prénom Nom\"")
	}
	prenom, nom, _ = strings.Cut(name, " ")
	if nom == "" {
		return "", "", "", usageErr("« %s » : donnez le prénom et le nom, par exemple acc new beneficiaire \"Jean Dupont\"", termtext.Arg(name))
	}
	return name, prenom, nom, nil
}

// newID is --id, checked, else the id drawn from the name (or a pseudonym,
// as acc.yaml says).
func (o *newOptions) newID(ws *workspace, name string, date time.Time) (string, error) {
	id := o.ID
	if o.IDSet && strings.TrimSpace(id) == "" {
		return "", usageErr("--id : l'identifiant est vide ; donnez-en un (a-z, 0-9, -), ou retirez --id pour le tirer du nom")
	}
	if id != "" {
		if err := checkIDRules(id); err != nil {
			return "", usageErr("--id : %v", err)
		}
		return id, nil
	}
	id, err := deriveID(ws, name, date.Year(), ws.repo.HasBeneficiary)
	if err != nil {
		return "", err
	}
	if id == "" {
		return "", usageErr("impossible de tirer un identifiant de « %s » : passez --id", termtext.Arg(name))
	}
	return id, nil
}

func (o *newOptions) newInterview(ws *workspace, t *templates.Type) error {
	id, err := o.interviewee(ws)
	if err != nil {
		return err
	}
	date, err := o.docDate()
	if err != nil {
		return err
	}
	if o.Edit {
		if _, err := o.EditorCommand(); err != nil {
			return err
		}
	}
	unlock, author, committer, err := o.LockAsTrainer(ws)
	if err != nil {
		return err
	}
	defer unlock()
	data := templates.Data{
		Type: t, Beneficiaire: id, Date: casefile.FormatDate(date), Formateur: author.Name,
		Organisation: ws.repo.Config.Organisation,
	}
	data.Suivi, err = openObjectives(ws, id)
	if err != nil {
		return err
	}
	content, err := ws.reg.Render(t.Name, data)
	if err != nil {
		return repoErr(err)
	}
	msg := casefile.CommitMessage{
		Subject: fmt.Sprintf("%s : %s (%s)", t.Name, id, casefile.FormatDate(date)),
		Action:  casefile.ActionNew, Beneficiaries: []string{id}, Types: []string{t.Name},
	}
	rel, err := o.writeInterview(ws, id, t.Name, date, content, msg, author, committer)
	if err != nil {
		return repoErr(err)
	}
	if o.Edit {
		// Never hold the lock while the editor is open: other trainers'
		// commands would wait for as long as the document is being written.
		unlock()
		return o.editDraft(ws, rel, msg.Subject)
	}
	fmt.Fprintln(o.IO.Out, o.RelPath(ws.repo.Abs(rel)))
	return o.reportWritten(ws, rel)
}

// interviewee is the beneficiary of the interview: -b (an id, a prefix
// or a name), else the folder stood in, else the one chosen on a terminal.
func (o *newOptions) interviewee(ws *workspace) (string, error) {
	id := o.Beneficiary
	if id == "" {
		id = ws.repo.BeneficiaryOf(ws.wd)
	}
	if id == "" {
		ids, err := ws.repo.Beneficiaries()
		if err != nil {
			return "", repoErr(err)
		}
		if !o.Prompter.interactive() || len(ids) == 0 {
			return "", usageErr("bénéficiaire manquant : passez -b ID ou placez-vous dans son dossier (beneficiaires/ID)")
		}
		return o.Prompter.choosePerson(ws, "Pour quel bénéficiaire ?", ids)
	}
	if ws.repo.HasBeneficiary(id) {
		return id, nil
	}
	return o.Resolve(ws, id, nil, "-b", "")
}

// writeInterview writes the new interview under a name never used: the
// same type on the same day gets -2, -3… Without --edit it is committed;
// with --edit it is only written, and committed once the editor closes
// well, so that a cancelled editor leaves nothing in the history.
func (o *newOptions) writeInterview(ws *workspace, id, typ string, date time.Time, content []byte, msg casefile.CommitMessage, author, committer gitstore.Signature) (rel string, err error) {
	for n := 1; ; n++ {
		rel = path.Join(casefile.BeneficiaryDir(id), casefile.FileName{Date: date, Type: typ, N: n}.String())
		if o.Edit {
			err = ws.store.CreateDraft(rel, content, ws.repo.Config.FilePerm())
		} else {
			_, err = ws.store.Commit(o.Ctx, []gitstore.Change{{Path: rel, Content: content, Exclusive: true, Perm: ws.repo.Config.FilePerm()}}, msg.String(), author, committer)
		}
		if !errors.Is(err, gitstore.ErrExists) || n >= 99 {
			return rel, err
		}
	}
}

// editDraft opens a document acc new --edit has just written, then commits
// it as created; if the editor fails or is cancelled, the document is taken
// back and nothing is committed (DESIGN §4.2).
func (o *newOptions) editDraft(ws *workspace, rel, subject string) error {
	editor, err := o.RunEditor(ws, rel)
	if err == nil {
		fmt.Fprintln(o.IO.Out, o.RelPath(ws.repo.Abs(rel)))
		return o.commitFiles(ws, []string{rel}, casefile.ActionNew, subject)
	}
	shown := o.RelPath(ws.repo.Abs(rel))
	unlock, lerr := o.Lock(ws)
	if lerr != nil {
		return usageErr("l'éditeur « %s » a échoué (%v) : rien n'a été enregistré, mais %s n'a pas pu être retiré (%v) ; supprimez-le", editor, err, shown, lerr)
	}
	defer unlock()
	removed, rerr := ws.store.RemoveDraft(rel)
	switch {
	case rerr != nil:
		return usageErr("l'éditeur « %s » a échoué (%v) : rien n'a été enregistré, mais %s n'a pas pu être retiré (%v) ; supprimez-le", editor, err, shown, rerr)
	case !removed:
		// Another acc commit recorded it while the editor was open.
		return usageErr("l'éditeur « %s » a échoué (%v) : %s a entre-temps été enregistré par une autre commande acc ; supprimez-le avec acc rm s'il est de trop", editor, err, shown)
	}
	return usageErr("l'éditeur « %s » a échoué (%v) : le document n'a pas été créé, rien n'a été enregistré", editor, err)
}

// openObjectives lists the beneficiary's objectives that are not closed, so
// that a follow-up template can pre-fill their follow-up.
func openObjectives(ws *workspace, id string) ([]templates.ObjectiveRef, error) {
	c, err := ws.loader(ws.repo).Load(id)
	if err != nil {
		return nil, repoErr(err)
	}
	var out []templates.ObjectiveRef
	for _, o := range c.Objectives {
		if !o.Closed() {
			out = append(out, templates.ObjectiveRef{ID: o.ID, Intitule: o.Intitule})
		}
	}
	return out, nil
}

// rank gives the methodology order of a type for the fold.
func (ws *workspace) rank(name string) (int, bool) {
	t, ok := ws.reg.Lookup(name)
	if !ok || !t.Interview {
		return 0, false
	}
	return t.Rank, true
}
