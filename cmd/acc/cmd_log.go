package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/acc-formation/acc/casefile"
	"github.com/acc-formation/acc/internal/gitstore"
	"github.com/acc-formation/acc/internal/termtext"
)

// logOptions are acc log's argument and flags and what it needs from
// outside.
type logOptions struct {
	deps
	Target string // ID or CHEMIN as typed; "" for the folder stood in, or everything
	JSON   bool
	Max    int // 0: every commit
}

func (a *app) logCmd() *cobra.Command {
	o := &logOptions{deps: a.deps()}
	c := &cobra.Command{
		Use:   "log [ID|CHEMIN]",
		Short: "Historique d'un bénéficiaire ou d'un document : qui a fait quoi, quand",
		Long: `Montre l'historique Git d'un bénéficiaire (ID, son début, ou son prénom ou
son nom) ou d'un document (CHEMIN), du
plus récent au plus ancien : la date d'enregistrement, l'auteur, l'action
(création, modification, enregistrement…), les bénéficiaires et les types de
documents concernés, lus dans les trailers des messages de commit.

Sans argument : le bénéficiaire dont vous êtes dans le dossier, sinon tout le
dépôt de dossiers.

Dans un terminal : un tableau. Dans un tube : une ligne par commit, colonnes
séparées par des tabulations (date ISO 8601, auteur, action, bénéficiaires,
types, commit complet, sujet). --json pour les outils.`,
		Example: `  acc log jean-dupont
  acc log beneficiaires/jean-dupont/2026-12-09-entretien-suivi.md
  acc log -n 10
  acc log jean-dupont --json`,
		Args:              cobra.MaximumNArgs(1),
		ValidArgsFunction: a.completeIDsOrFiles,
		RunE: func(c *cobra.Command, args []string) error {
			if o.Max < 0 {
				return usageErr("-n : nombre positif attendu")
			}
			if len(args) > 0 {
				o.Target = args[0]
			}
			return runLog(o)
		},
	}
	c.Flags().BoolVar(&o.JSON, "json", false, "sortie JSON")
	c.Flags().IntVarP(&o.Max, "max", "n", 0, "au plus `N` commits (0 : tous)")
	return c
}

// actionLabels are the French words of the Acc-Action trailer.
var actionLabels = map[string]string{
	casefile.ActionInit:   "initialisation",
	casefile.ActionNew:    "création",
	casefile.ActionEdit:   "modification",
	casefile.ActionCommit: "enregistrement",
	casefile.ActionSync:   "synchronisation",
	casefile.ActionPurge:  "effacement",
	casefile.ActionRm:     "suppression",
	casefile.ActionMv:     "changement d'identifiant",
	casefile.ActionImport: "import",
}

// actionLabel says what a commit did; a commit without the trailer was made
// outside acc (git commit, a merge…).
func actionLabel(action string) string {
	if action == "" {
		return "hors acc"
	}
	if l, ok := actionLabels[action]; ok {
		return l
	}
	return action
}

// logJSON is the shape of acc log --json (version 1).
type logJSON struct {
	Version int          `json:"version"`
	Path    string       `json:"chemin"` // case-relative; "" for the whole repository
	Commits []commitJSON `json:"commits"`
}

type commitJSON struct {
	Hash          string   `json:"commit"`
	Date          string   `json:"date"` // committer date, RFC 3339
	Author        string   `json:"auteur"`
	Email         string   `json:"email"`
	AuthorDate    string   `json:"date_auteur"`
	Action        string   `json:"action"` // the trailer's value, "" outside acc
	Label         string   `json:"libelle"`
	Beneficiaries []string `json:"beneficiaires"`
	Types         []string `json:"types"`
	Subject       string   `json:"sujet"`
}

// logTarget turns the argument of acc log into a case-relative path: a
// beneficiary's folder for an id, else a path relative to the working
// directory; "" is the whole repository.
func (d deps) logTarget(ws *workspace, arg string) (string, error) {
	if arg == "" {
		if id := ws.repo.BeneficiaryOf(ws.wd); id != "" {
			return casefile.BeneficiaryDir(id), nil
		}
		return "", nil
	}
	if casefile.CheckID(arg) == nil {
		if ws.repo.HasBeneficiary(arg) {
			return casefile.BeneficiaryDir(arg), nil
		}
		// A beneficiary whose folder is gone (deleted) still has a history.
		if h, err := ws.store.Log(casefile.BeneficiaryDir(arg), 1); err == nil && len(h) > 0 {
			return casefile.BeneficiaryDir(arg), nil
		}
	}
	if _, err := os.Lstat(filepath.Join(ws.wd, arg)); err != nil && !strings.ContainsAny(arg, `/\`) && len(arg) <= 4*casefile.MaxIDLen {
		id, err := d.Resolve(ws, arg, nil, "", "")
		if err != nil {
			return "", err
		}
		return casefile.BeneficiaryDir(id), nil
	}
	abs := arg
	if !filepath.IsAbs(arg) {
		abs = filepath.Join(ws.wd, arg)
	}
	rel, err := ws.repo.Rel(abs)
	if err != nil {
		return "", usageErr("%v", err)
	}
	if rel == "." {
		return "", nil
	}
	return rel, checkGitPath(rel)
}

// checkGitPath refuses a case-relative path that names Git's own files.
func checkGitPath(rel string) error {
	for _, c := range strings.Split(rel, "/") {
		if strings.EqualFold(c, ".git") {
			return usageErr("%s : les fichiers internes de Git ne sont pas des documents", termtext.Arg(rel))
		}
	}
	return nil
}

// runLog prints the history of a beneficiary, a document or the whole
// repository, newest first.
func runLog(o *logOptions) error {
	ws, err := o.Open()
	if err != nil {
		return err
	}
	target, err := o.logTarget(ws, o.Target)
	if err != nil {
		return err
	}
	commits, err := ws.store.Log(target, o.Max)
	if err != nil {
		return repoErr(err)
	}
	if len(commits) == 0 && target != "" {
		if _, err := os.Lstat(ws.repo.Abs(target)); err != nil {
			return usageErr("%s : aucun historique, et rien à ce chemin", termtext.Arg(o.Target))
		}
	}
	terminal := o.IO.stdoutTerminal()
	out, t := logListing(target, commits, terminal)
	if o.JSON {
		return writeJSON(o.IO.Out, out)
	}
	if len(commits) == 0 {
		if terminal {
			fmt.Fprintln(o.IO.Err, "acc : rien d'enregistré ici pour l'instant (acc commit)")
		}
		return nil
	}
	return o.writeTable(t)
}

// logListing is the history as --json has it, and as a table: local
// minutes and short hashes for a terminal.
func logListing(target string, commits []gitstore.CommitInfo, terminal bool) (logJSON, *table) {
	out := logJSON{Version: 1, Path: target, Commits: make([]commitJSON, 0, len(commits))}
	t := &table{header: []string{"DATE", "AUTEUR", "ACTION", "BÉNÉFICIAIRES", "TYPES", "COMMIT", "SUJET"}}
	for _, c := range commits {
		action := first(c.Trailers[casefile.TrailerAction])
		j := commitJSON{
			Hash: c.Hash.String(), Date: c.Committer.When.Format(time.RFC3339),
			Author: c.Author.Name, Email: c.Author.Email, AuthorDate: c.Author.When.Format(time.RFC3339),
			Action: action, Label: actionLabel(action),
			Beneficiaries: nonNil(c.Trailers[casefile.TrailerBeneficiary]), Types: nonNil(c.Trailers[casefile.TrailerType]),
			Subject: c.Subject,
		}
		out.Commits = append(out.Commits, j)
		date, hash := j.Date, j.Hash
		if terminal {
			date, hash = c.Committer.When.Local().Format("2006-01-02 15:04"), hash[:7]
		}
		t.add(date, j.Author, j.Label, strings.Join(j.Beneficiaries, ", "), strings.Join(j.Types, ", "), hash, j.Subject)
	}
	return out, t
}

func first(vs []string) string {
	if len(vs) == 0 {
		return ""
	}
	return vs[0]
}

// commitLine describes a commit in a sentence: "abc1234 du 2026-03-01 10:00
// (Marie Martin)".
func commitLine(c gitstore.CommitInfo) string {
	return fmt.Sprintf("%s du %s (%s)", c.Hash.String()[:7], c.Committer.When.Local().Format("2006-01-02 15:04"), c.Author.Name)
}
