package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/acc-formation/acc/casefile"
	"github.com/acc-formation/acc/internal/gctune"
	"github.com/acc-formation/acc/internal/termtext"
)

// commitOptions are acc commit's arguments and flag and what it needs from
// outside.
type commitOptions struct {
	deps
	Paths   []string // files and beneficiaries' folders as typed; none: every folder
	Message string
}

func (a *app) commitCmd() *cobra.Command {
	o := &commitOptions{deps: a.deps()}
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
			o.Paths = args
			return runCommit(o)
		},
	}
	c.Flags().StringVarP(&o.Message, "message", "m", "", "`MESSAGE` du commit (une ligne)")
	return c
}

// runCommit checks and commits the documents changed by hand.
func runCommit(o *commitOptions) error {
	ws, err := o.Open()
	if err != nil {
		return err
	}
	message, err := checkMessage(ws, o.Message)
	if err != nil {
		return err
	}
	scopes, files, err := o.scopes(ws)
	if err != nil {
		return err
	}
	// The changes are listed under the lock (commitFiles takes it again: it
	// is reentrant), so that a document another acc process is creating at
	// that moment is not taken for a hand edit and named in this commit.
	unlock, err := o.Lock(ws)
	if err != nil {
		return err
	}
	defer unlock()
	// The scan's heap only grows (the index's entries, one record per
	// folder): the collector waits for the limit.
	defer gctune.Relax(gctune.Off, commitMemoryLimit)()
	// The commit rewrites HEAD's trees down to the scopes: they are read
	// while the work tree is scanned.
	for _, scope := range scopes {
		ws.store.WarmTrees(scope)
	}
	rels, err := commitPaths(ws, scopes, files)
	if err != nil {
		return err
	}
	if len(rels) == 0 {
		fmt.Fprintln(o.IO.Err, "acc : aucun changement à enregistrer")
		return nil
	}
	return o.commitFiles(ws, rels, casefile.ActionCommit, message)
}

// commitMemoryLimit is the heap's soft limit during acc commit: some 100 MB
// are reached at 100,000 documents without collecting.
const commitMemoryLimit = 256 << 20

// scopes sorts the paths typed: the folders whose changes are all taken
// (every beneficiary's without a path), and single files.
func (o *commitOptions) scopes(ws *workspace) (scopes, files []string, err error) {
	if len(o.Paths) == 0 {
		return []string{casefile.BeneficiariesDir}, nil, nil
	}
	for _, p := range o.Paths {
		abs := p
		if !filepath.IsAbs(p) {
			abs = filepath.Join(ws.wd, p)
		}
		rel, err := ws.repo.Rel(abs)
		if err != nil {
			return nil, nil, usageErr("%v", err)
		}
		parts := strings.Split(rel, "/")
		switch {
		case rel == casefile.BeneficiariesDir || rel == ".":
			scopes = append(scopes, casefile.BeneficiariesDir)
		case len(parts) == 2 && parts[0] == casefile.BeneficiariesDir && casefile.CheckID(parts[1]) == nil:
			scopes = append(scopes, rel)
		default:
			cp, err := casePath(ws, p)
			if err != nil {
				return nil, nil, err
			}
			files = append(files, cp)
		}
	}
	return scopes, files, nil
}

// commitPaths lists the case files to commit: those changed, deleted or
// new in the scopes, and the files named (which must exist, on disk or in
// the index). Called under the lock.
func commitPaths(ws *workspace, scopes, files []string) ([]string, error) {
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
			return nil, repoErr(err)
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
				return nil, usageErr("%s : document introuvable", termtext.Arg(f))
			}
		}
		add(f)
	}
	return rels, nil
}

// committableName reports whether acc commit takes a file of that name in a
// beneficiary's folder: a Markdown document, not a hidden file (an editor's
// swap or backup file).
func committableName(name string) bool {
	return casefile.IsCaseFileName(name)
}
