package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/acc-formation/acc/casefile"
	"github.com/acc-formation/acc/internal/gitstore"
	"github.com/acc-formation/acc/internal/termtext"
)

// rmOptions are acc rm's argument and what it needs from outside.
type rmOptions struct {
	deps
	Path string // as typed, relative to the working folder
}

func (a *app) rmCmd() *cobra.Command {
	o := &rmOptions{deps: a.deps()}
	return &cobra.Command{
		Use:   "rm CHEMIN",
		Short: "Supprimer un entretien créé par erreur (l'historique le garde)",
		Long: `Supprime un entretien créé par erreur et enregistre la suppression dans Git.
L'historique garde le document (acc log, acc show --at) : pour effacer une
personne de tout l'historique (droit à l'effacement), c'est acc purge.

La fiche d'un bénéficiaire ne se supprime pas ainsi : acc mv corrige son
identifiant, acc purge efface la personne. Un document dont les modifications
ne sont pas encore enregistrées est refusé : enregistrez-les d'abord
(acc commit), pour que l'historique les garde.`,
		Example: "  acc rm beneficiaires/jean-dupont/2026-12-09-entretien-suivi.md",
		Args:    cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			o.Path = args[0]
			return runRm(o)
		},
	}
}

// runRm deletes an interview in a commit; the history keeps it.
func runRm(o *rmOptions) error {
	ws, err := o.Open()
	if err != nil {
		return err
	}
	rel, err := casePath(ws, o.Path)
	if err != nil {
		return err
	}
	shown := termtext.Arg(o.Path)
	id, base, _ := casefile.SplitCasePath(rel)
	if base == casefile.FicheFile {
		return usageErr("%s est la fiche du bénéficiaire : acc rm ne supprime que des entretiens. Pour corriger son identifiant : acc mv %s NOUVEL-ID ; pour effacer la personne de tout l'historique (droit à l'effacement) : acc purge %s", shown, id, id)
	}
	unlock, author, committer, err := o.LockAsTrainer(ws)
	if err != nil {
		return err
	}
	defer unlock()
	if err := rmAllowed(ws, rel, shown); err != nil {
		return err
	}
	subject := docSubject(ws, rel) + " supprimé"
	msg := casefile.CommitMessage{Subject: subject, Action: casefile.ActionRm, Beneficiaries: []string{id}, Types: []string{docType(ws, base)}}
	_, err = ws.store.Commit(o.Ctx, []gitstore.Change{{Path: rel, Delete: true}}, msg.String(), author, committer)
	if err != nil {
		return repoErr(err)
	}
	fmt.Fprintf(o.IO.Err, "acc : supprimé (%s) ; l'historique le garde : acc log %s\n", subject, termtext.Arg(filepath.ToSlash(o.Path)))
	return nil
}

// rmAllowed refuses what the history would not keep: a document never
// committed, or with changes not committed. Called under the lock.
func rmAllowed(ws *workspace, rel, shown string) error {
	head, inHead, err := ws.store.HeadBlob(rel)
	if err != nil {
		return repoErr(err)
	}
	_, statErr := os.Lstat(ws.repo.Abs(rel))
	onDisk := statErr == nil
	if statErr != nil && !errors.Is(statErr, fs.ErrNotExist) {
		return repoErr(statErr)
	}
	switch {
	case !inHead && !onDisk:
		return usageErr("%s : document introuvable", shown)
	case !inHead:
		// Deleting it would lose it for good: history has never seen it.
		return usageErr("%s n'a jamais été enregistré : acc rm ne supprime que ce que l'historique garde ; s'il est de trop, supprimez le fichier vous-même", shown)
	case onDisk:
		// What the history would not keep is refused, not lost.
		data, _, err := casefile.ReadFile(ws.repo.Abs(rel))
		if err != nil || gitstore.BlobHash(data) != head {
			return usageErr("%s a des modifications non enregistrées : enregistrez-les d'abord (acc commit %s) pour que l'historique les garde, puis relancez acc rm ; rien n'a été supprimé", shown, shown)
		}
	}
	return nil
}
