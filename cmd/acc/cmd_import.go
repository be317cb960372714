package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/acc-formation/acc/casefile"
	"github.com/acc-formation/acc/internal/gitstore"
	"github.com/acc-formation/acc/internal/progress"
	"github.com/acc-formation/acc/internal/termtext"
)

// importOptions are acc import's arguments and what it needs from outside.
type importOptions struct {
	deps
	File   string // the CSV file, as typed (relative to the working folder)
	DryRun bool
}

func (a *app) importCmd() *cobra.Command {
	o := &importOptions{deps: a.deps()}
	c := &cobra.Command{
		Use:   "import beneficiaires FICHIER.csv [--dry-run]",
		Short: "Créer plusieurs bénéficiaires d'un coup depuis un tableur (CSV)",
		Long: `Crée une fiche par ligne d'un fichier CSV exporté d'un tableur (Excel,
LibreOffice…), en un seul enregistrement.

La première ligne nomme les colonnes : prenom et nom (obligatoires), et au
choix date_entree, dispositif, formateur_referent, id (majuscules, accents et
espaces ignorés : « Prénom », « Date d'entrée » conviennent). Les autres
colonnes sont ignorées. Séparateur « ; » ou « , », encodage UTF-8 (avec ou
sans BOM) ou Windows-1252, dates JJ/MM/AAAA ou AAAA-MM-JJ (par défaut :
aujourd'hui). Les identifiants sont tirés des noms comme pour
acc new beneficiaire (ou pseudonymes selon acc.yaml), sauf colonne id.

Toutes les lignes sont vérifiées d'abord : une ligne incorrecte, un
identifiant qui existe déjà, ou une personne déjà présente (même prénom, nom
et date d'entrée, dans le fichier ou dans le dépôt) arrête l'import sans rien
écrire (code 2), avec les numéros de ligne. --dry-run montre ce qui serait
créé sans rien écrire.`,
		Example: "  acc import beneficiaires inscrits.csv --dry-run\n  acc import beneficiaires inscrits.csv",
		Args:    cobra.ExactArgs(2),
		RunE: func(c *cobra.Command, args []string) error {
			if w := casefile.FoldText(args[0]); w != beneficiaryWord && w != beneficiaryWord+"s" {
				return usageErr("« acc import %s » : seul « acc import beneficiaires FICHIER.csv » existe", termtext.Arg(args[0]))
			}
			o.File = args[1]
			return runImport(o)
		},
	}
	c.Flags().BoolVar(&o.DryRun, "dry-run", false, "montrer ce qui serait créé, sans rien écrire")
	c.ValidArgsFunction = func(c *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
		if len(args) == 0 {
			return []string{"beneficiaires"}, cobra.ShellCompDirectiveNoFileComp
		}
		return []string{"csv"}, cobra.ShellCompDirectiveFilterFileExt
	}
	return c
}

// plannedFiche is one fiche an import will create.
type plannedFiche struct {
	row    casefile.ImportRow
	id     string
	change gitstore.Change
}

// runImport creates a fiche per row of a CSV file in one commit, after
// every row is checked; --dry-run shows the plan and writes nothing.
func runImport(o *importOptions) error {
	ws, err := o.Open()
	if err != nil {
		return err
	}
	shown := termtext.Line(o.File)
	rows, ignored, err := o.readRows(ws, shown)
	if err != nil {
		return err
	}
	today, err := o.Today()
	if err != nil {
		return err
	}
	var author, committer gitstore.Signature
	unlock := func() {}
	if o.DryRun {
		author, committer, err = o.Identity(ws)
	} else {
		unlock, author, committer, err = o.LockAsTrainer(ws)
	}
	if err != nil {
		return err
	}
	defer unlock()
	rep := o.Progress()
	defer rep.Clear()
	plan, err := planImport(ws, shown, rows, today, author.Name, rep)
	rep.Clear()
	if err != nil {
		return err
	}
	if len(ignored) > 0 {
		fmt.Fprintf(o.IO.Err, "acc : colonnes ignorées : %s\n", strings.Join(ignored, ", "))
	}
	if o.DryRun {
		for _, p := range plan {
			fmt.Fprintf(o.IO.Out, "%s:%d\t%s\t%s %s\tentrée %s\n", shown, p.row.Line, o.RelPath(ws.repo.Abs(p.change.Path)),
				termtext.Line(p.row.Prenom), termtext.Line(p.row.Nom), casefile.FormatDate(entryDate(p.row, today)))
		}
		fmt.Fprintf(o.IO.Err, "acc : %d fiches seraient créées (--dry-run : rien n'a été écrit)\n", len(plan))
		return nil
	}
	return o.commitPlan(ws, plan, author, committer, rep)
}

// readRows reads the CSV file, bounded. shown is its name for messages.
func (o *importOptions) readRows(ws *workspace, shown string) (rows []casefile.ImportRow, ignored []string, err error) {
	abs := o.File
	if !filepath.IsAbs(abs) {
		abs = filepath.Join(ws.wd, o.File)
	}
	fi, err := os.Stat(abs)
	if err != nil || !fi.Mode().IsRegular() {
		return nil, nil, usageErr("%s : fichier introuvable", termtext.Arg(o.File))
	}
	data, ok := readBounded(abs, casefile.MaxImportSize)
	if !ok {
		return nil, nil, usageErr("%s : illisible ou trop gros (plus de %d Mo) : importez-le en plusieurs fois", termtext.Arg(o.File), casefile.MaxImportSize>>20)
	}
	rows, ignored, err = casefile.ParseImportCSV(shown, data)
	if err != nil {
		return nil, nil, usageErr("%v\nrien n'a été importé", err)
	}
	return rows, ignored, nil
}

// commitPlan writes the fiches in one commit, prints their paths and
// checks them.
func (o *importOptions) commitPlan(ws *workspace, plan []plannedFiche, author, committer gitstore.Signature, rep progress.Reporter) error {
	changes := make([]gitstore.Change, len(plan))
	ids := make([]string, len(plan))
	for i, p := range plan {
		changes[i], ids[i] = p.change, p.id
	}
	msg := casefile.CommitMessage{
		Subject: fmt.Sprintf("import : %d bénéficiaires", len(plan)),
		Action:  casefile.ActionImport, Beneficiaries: ids, Types: []string{"fiche"},
	}
	if rep != progress.Nop {
		ws.store.Progress = func(p gitstore.Phase, done, total int) {
			if p == gitstore.PhaseWrite {
				rep.Report("Écriture", done, total, "fiches")
			}
		}
	}
	_, err := ws.store.Commit(o.Ctx, changes, msg.String(), author, committer)
	rep.Clear()
	if err != nil {
		if errors.Is(err, gitstore.ErrExists) {
			return usageErr("%v : une fiche existe déjà, rien n'a été importé", err)
		}
		return repoErr(err)
	}
	rels := make([]string, len(plan))
	for i, p := range plan {
		if err := shareFolder(ws, p.id); err != nil {
			return err
		}
		rels[i] = p.change.Path
		fmt.Fprintln(o.IO.Out, o.RelPath(ws.repo.Abs(p.change.Path)))
	}
	fmt.Fprintf(o.IO.Err, "acc : enregistré (%s)\n", msg.Subject)
	return o.reportWritten(ws, rels...)
}

// entryDate is the row's date_entree, else today (as acc new beneficiaire).
func entryDate(r casefile.ImportRow, today time.Time) time.Time {
	if r.DateEntree.IsZero() {
		return today
	}
	return r.DateEntree
}

// personKey tells people apart in an import: folded name and entry date.
type personKey struct{ name, date string }

// knownPeople maps the people of the repository to their fiche.
func knownPeople(ws *workspace) (map[personKey]string, error) {
	existing, err := people(ws)
	if err != nil {
		return nil, err
	}
	seen := map[personKey]string{}
	for _, p := range existing {
		if !p.entree.IsZero() {
			seen[personKey{nameKey(p.prenom, p.nom), casefile.FormatDate(p.entree)}] = casefile.FichePath(p.id)
		}
	}
	return seen, nil
}

// planImport checks every row against the id rules, the repository and the
// other rows, and renders each fiche, before anything is written: the
// problems come back together, with their lines (DESIGN §4.2).
func planImport(ws *workspace, file string, rows []casefile.ImportRow, today time.Time, trainer string, rep progress.Reporter) ([]plannedFiche, error) {
	names, err := folderNames(ws)
	if err != nil {
		return nil, err
	}
	seen, err := knownPeople(ws) // person → where they already are
	if err != nil {
		return nil, err
	}
	batch := map[string]int{} // id → line in the file
	taken := func(id string) bool { _, inBatch := batch[id]; return inBatch || idTaken(names, id) != "" }
	fail := &casefile.ImportError{Path: file}
	plan := make([]plannedFiche, 0, len(rows))
	for i, r := range rows {
		rep.Report("Préparation", i, len(rows), "lignes")
		date := entryDate(r, today)
		k := personKey{nameKey(r.Prenom, r.Nom), casefile.FormatDate(date)}
		if where, dup := seen[k]; dup {
			fail.Add(r.Line, "même prénom, nom et date d'entrée que %s : cette personne est déjà là", where)
			continue
		}
		seen[k] = fmt.Sprintf("la ligne %d", r.Line)
		id := r.ID
		if id != "" {
			if err := checkIDRules(id); err != nil {
				fail.Add(r.Line, "id : %v", err)
				continue
			}
		} else if id, err = deriveID(ws, r.Prenom+" "+r.Nom, date.Year(), taken); err != nil {
			return nil, err
		} else if id == "" {
			fail.Add(r.Line, "impossible de tirer un identifiant du nom : ajoutez une colonne id")
			continue
		}
		if line, dup := batch[id]; dup {
			fail.Add(r.Line, "identifiant « %s » déjà pris à la ligne %d : s'il s'agit d'une autre personne, donnez-lui un id (colonne id)", id, line)
			continue
		}
		if t := idTaken(names, id); t != "" {
			fail.Add(r.Line, "%s : s'il s'agit d'une autre personne, donnez-lui un id (colonne id)", takenErr(id, t))
			continue
		}
		batch[id] = r.Line
		formateur := r.Formateur
		if formateur == "" {
			formateur = trainer
		}
		change, err := ficheChange(ws, id, ficheSpec{prenom: r.Prenom, nom: r.Nom, dispositif: r.Dispositif, formateur: formateur, entree: date})
		if errors.Is(err, errSensitiveInput) {
			fail.Add(r.Line, "donnée interdite (numéro de sécurité sociale ou IBAN) dans une cellule")
			continue
		}
		if err != nil {
			return nil, err
		}
		plan = append(plan, plannedFiche{row: r, id: id, change: change})
	}
	if len(fail.Faults) > 0 {
		return nil, usageErr("%v\nrien n'a été importé", fail)
	}
	return plan, nil
}
