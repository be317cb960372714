package main

import (
	"errors"
	"fmt"
	"path"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/acc-formation/acc/casefile"
	"github.com/acc-formation/acc/internal/gitstore"
	"github.com/acc-formation/acc/internal/termtext"
)

// showOptions are acc show's argument and flag and what it needs from
// outside.
type showOptions struct {
	deps
	Path string // as typed, relative to the working folder; "" asks
	At   string // a date or a revision; "" is HEAD
}

func (a *app) showCmd() *cobra.Command {
	o := &showOptions{deps: a.deps()}
	c := &cobra.Command{
		Use:   "show CHEMIN [--at DATE|REVISION]",
		Short: "Afficher un document tel qu'il était enregistré à une date (audits)",
		Long: `Écrit sur la sortie standard le document tel qu'il était enregistré dans Git :

  --at JJ/MM/AAAA à la fin de cette journée (heure locale) : le dernier
                   commit de la branche courante (en suivant le premier
                   parent) enregistré ce jour-là ou avant ;
  --at REVISION    à une révision Git (identifiant de commit, branche,
                   étiquette, HEAD~3…) ;
  sans --at        au dernier enregistrement (HEAD), sans vos modifications
                   en cours.

Avec une date, acc indique sur la sortie d'erreur le commit qui avait
enregistré cette version. Un document qui n'existait pas alors, ou une
révision inconnue : code 2.`,
		Example: `  acc show beneficiaires/jean-dupont/fiche.md --at 2026-06-30
  acc show 2026-12-09-entretien-suivi.md --at HEAD~1
  acc show beneficiaires/jean-dupont/fiche.md > fiche-enregistree.md`,
		Args:              cobra.MaximumNArgs(1),
		ValidArgsFunction: a.completeFiles,
		RunE: func(c *cobra.Command, args []string) error {
			if len(args) > 0 {
				o.Path = args[0]
			}
			return runShow(o)
		},
	}
	c.Flags().StringVar(&o.At, "at", "", "le document tel qu'il était à cette `DATE` (JJ/MM/AAAA ou AAAA-MM-JJ) ou révision Git")
	_ = c.RegisterFlagCompletionFunc("at", cobra.NoFileCompletions)
	return c
}

// atRevision resolves --at: a date (the last commit of the first-parent
// history committed by the end of that local day) or a revision; "" is
// HEAD. day is the date, zero for a revision.
func atRevision(ws *workspace, at string) (rev string, day time.Time, err error) {
	if at == "" {
		return "HEAD", time.Time{}, nil
	}
	if d, perr := casefile.ParseUserDate(at); perr == nil {
		h, err := ws.store.CommitAt(time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, time.Local))
		if errors.Is(err, gitstore.ErrUnknownRevision) {
			return "", time.Time{}, usageErr("--at %s : %v", termtext.Arg(at), err)
		}
		if err != nil {
			return "", time.Time{}, repoErr(err)
		}
		return h.String(), d, nil
	} else if casefile.DateLike(at) {
		return "", time.Time{}, usageErr("--at : %v", perr)
	}
	if _, err := ws.store.ListAt("", at); err != nil {
		if errors.Is(err, gitstore.ErrUnknownRevision) {
			return "", time.Time{}, usageErr("--at : %v (une date JJ/MM/AAAA ou AAAA-MM-JJ, ou une révision Git)", err)
		}
		if !errors.Is(err, gitstore.ErrNotInRevision) {
			return "", time.Time{}, repoErr(err)
		}
	}
	return at, time.Time{}, nil
}

// runShow writes a document as it was committed at --at (HEAD without).
func runShow(o *showOptions) error {
	ws, err := o.Open()
	if err != nil {
		return err
	}
	rev, day, err := atRevision(ws, o.At)
	if err != nil {
		return err
	}
	rel, err := o.document(ws, rev)
	if err != nil {
		return err
	}
	data, err := ws.store.ReadAt(rel, rev)
	if err != nil {
		return o.readErr(ws, rel, day, err)
	}
	if !day.IsZero() {
		if c, ok := lastChange(ws, rel, day); ok {
			fmt.Fprintf(o.IO.Err, "acc : %s au %s : version du commit %s\n", o.RelPath(ws.repo.Abs(rel)), termtext.Arg(o.At), termtext.Line(commitLine(c)))
		}
	}
	out := o.IO.terminalSafe()
	if _, err := out.Write(data); err != nil {
		return err
	}
	return out.Flush()
}

// document is the case-relative path of the document to show: the one
// typed, else the one chosen on a terminal.
func (o *showOptions) document(ws *workspace, rev string) (string, error) {
	if o.Path == "" {
		if !o.Prompter.interactive() {
			return "", usageErr("document manquant : acc show CHEMIN [--at AAAA-MM-JJ], par exemple acc show beneficiaires/jean-dupont/fiche.md --at 2026-06-30")
		}
		return o.Prompter.chooseDocument(ws, rev)
	}
	abs := o.Path
	if !filepath.IsAbs(abs) {
		abs = filepath.Join(ws.wd, abs)
	}
	rel, err := ws.repo.Rel(abs)
	if err != nil {
		return "", usageErr("%v", err)
	}
	if rel == "." {
		return "", usageErr("%s est le dépôt lui-même : donnez un document (acc show beneficiaires/ID/fiche.md)", termtext.Arg(o.Path))
	}
	return rel, checkGitPath(rel)
}

// readErr says why rel could not be read at the revision.
func (o *showOptions) readErr(ws *workspace, rel string, day time.Time, err error) error {
	var re *gitstore.RevisionError
	switch {
	case errors.As(err, &re) && errors.Is(err, gitstore.ErrNotInRevision) && re.Msg != "":
		return usageErr("%v", err) // a folder, not a file
	case errors.Is(err, gitstore.ErrNotInRevision) && !day.IsZero():
		return usageErr("%s n'existait pas au %s", o.RelPath(ws.repo.Abs(rel)), termtext.Arg(o.At))
	case errors.Is(err, gitstore.ErrUnknownRevision) && o.At == "":
		return usageErr("rien n'est encore enregistré dans ce dépôt")
	case errors.Is(err, gitstore.ErrNotInRevision) && o.At == "":
		return usageErr("%s n'est pas enregistré (acc commit l'enregistre)", o.RelPath(ws.repo.Abs(rel)))
	case errors.Is(err, gitstore.ErrNotInRevision), errors.Is(err, gitstore.ErrUnknownRevision):
		return usageErr("%v", err)
	}
	return repoErr(err)
}

// lastChange returns the commit that last changed rel by the end of day
// (local time). CommitAt took the first commit from HEAD committed before
// that end, so every commit above it was committed later: the first
// change found before that end is at or below it.
func lastChange(ws *workspace, rel string, day time.Time) (gitstore.CommitInfo, bool) {
	end := time.Date(day.Year(), day.Month(), day.Day()+1, 0, 0, 0, 0, time.Local)
	commits, err := ws.store.Log(rel, 0)
	if err != nil {
		return gitstore.CommitInfo{}, false
	}
	for _, c := range commits {
		if c.Committer.When.Before(end) {
			return c, true
		}
	}
	return gitstore.CommitInfo{}, false
}

// chooseDocument asks for a beneficiary, then one of their documents, as
// they were at rev.
func (a *app) chooseDocument(ws *workspace, rev string) (string, error) {
	src, err := ws.store.Revision(rev)
	switch {
	case errors.Is(err, gitstore.ErrUnknownRevision):
		return "", usageErr("rien n'est encore enregistré dans ce dépôt")
	case err != nil:
		return "", repoErr(err)
	}
	ids, err := src.Beneficiaries()
	if err != nil {
		return "", repoErr(err)
	}
	if len(ids) == 0 {
		return "", usageErr("aucun bénéficiaire enregistré à cette date")
	}
	id := ws.repo.BeneficiaryOf(ws.wd)
	if !contains(ids, id) {
		if id, err = a.choosePerson(ws, "Quel bénéficiaire ?", ids); err != nil {
			return "", err
		}
	}
	paths, err := src.CaseFiles(id)
	if err != nil {
		return "", repoErr(err)
	}
	var files []string
	for _, p := range paths {
		files = append(files, path.Base(p))
	}
	if len(files) == 0 {
		return "", usageErr("aucun document de %s à cette date", id)
	}
	f, err := a.choose("Quel document ?", files, nil)
	if err != nil {
		return "", err
	}
	return casefile.BeneficiaryDir(id) + "/" + f, nil
}
