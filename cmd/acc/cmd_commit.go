package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/acc-formation/acc/casefile"
	"github.com/acc-formation/acc/internal/termtext"
)

type commitOptions struct {
	message string
}

func (a *app) commitCmd() *cobra.Command {
	var o commitOptions
	c := &cobra.Command{
		Use:   "commit [-m MESSAGE] [CHEMIN...]",
		Short: "Vérifier et enregistrer les documents modifiés hors d'acc",
		Long: `Enregistre dans Git les documents créés, modifiés ou supprimés à la main (dans
votre éditeur, un explorateur de fichiers…) : tout le dépôt, ou les fichiers et
dossiers de bénéficiaires donnés. Les documents sont vérifiés ; les constats
sont affichés et l'enregistrement se fait quand même (code 1 s'il reste des
erreurs), sauf pour un fichier qui contient une donnée interdite (numéro de
sécurité sociale, IBAN) : il reste sur le disque, hors de l'historique.

Sans -m, le message nomme les bénéficiaires (par leur identifiant) et les
documents. Un message ne nomme jamais une personne (l'historique est partagé
et survit aux effacements) : écrivez son identifiant.`,
		Example: "  acc commit\n  acc commit beneficiaires/jean-dupont -m \"Compte rendu relu avec Jean\"",
		RunE: func(c *cobra.Command, args []string) error {
			return a.runCommit(args, o)
		},
	}
	c.Flags().StringVarP(&o.message, "message", "m", "", "`MESSAGE` du commit (une ligne)")
	return c
}

func (a *app) runCommit(args []string, o commitOptions) error {
	ws, err := a.open()
	if err != nil {
		return err
	}
	if o.message, err = checkMessage(ws, o.message); err != nil {
		return err
	}
	scopes := []string{casefile.BeneficiariesDir}
	var files []string
	if len(args) > 0 {
		scopes = nil
		for _, p := range args {
			abs := p
			if !filepath.IsAbs(p) {
				abs = filepath.Join(ws.wd, p)
			}
			rel, err := ws.repo.Rel(abs)
			if err != nil {
				return usageErr("%v", err)
			}
			parts := strings.Split(rel, "/")
			switch {
			case rel == casefile.BeneficiariesDir || rel == ".":
				scopes = append(scopes, casefile.BeneficiariesDir)
			case len(parts) == 2 && parts[0] == casefile.BeneficiariesDir && casefile.CheckID(parts[1]) == nil:
				scopes = append(scopes, rel)
			default:
				cp, err := a.casePath(ws, p)
				if err != nil {
					return err
				}
				files = append(files, cp)
			}
		}
	}
	// The changes are listed under the lock (commitFiles takes it again: it
	// is reentrant), so that a document another acc process is creating at
	// that moment is not taken for a hand edit and named in this commit.
	unlock, err := a.lock(ws)
	if err != nil {
		return err
	}
	defer unlock()
	keep := committableName
	seen := map[string]bool{}
	var rels []string
	add := func(p string) {
		if !seen[p] {
			seen[p] = true
			rels = append(rels, p)
		}
	}
	for _, scope := range scopes {
		changed, deleted, untracked, err := ws.store.WorkChanges(scope, keep)
		if err != nil {
			return repoErr(err)
		}
		for _, list := range [][]string{changed, deleted, untracked} {
			for _, p := range list {
				if _, _, ok := casefile.SplitCasePath(p); ok && keep(filepath.Base(p)) {
					add(p)
				}
			}
		}
	}
	for _, f := range files {
		if _, err := os.Lstat(ws.repo.Abs(f)); err != nil {
			if ent, ok, _ := ws.store.IndexEntry(f); !ok || ent.Path == "" {
				return usageErr("%s : document introuvable", termtext.Arg(f))
			}
		}
		add(f)
	}
	if len(rels) == 0 {
		fmt.Fprintln(a.stderr, "acc : aucun changement à enregistrer")
		return nil
	}
	return a.commitFiles(ws, rels, casefile.ActionCommit, o.message)
}

// committableName reports whether acc commit takes a file of that name in a
// beneficiary's folder: a Markdown document, not a hidden file (an editor's
// swap or backup file).
func committableName(name string) bool {
	return casefile.IsCaseFileName(name)
}
