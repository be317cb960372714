package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/acc-formation/acc/casefile"
	"github.com/acc-formation/acc/internal/gitstore"
	"github.com/acc-formation/acc/internal/termtext"
	"github.com/acc-formation/acc/validate"
)

// doctorOptions are acc doctor's flag and what it needs from outside.
type doctorOptions struct {
	deps
	JSON bool
}

func (a *app) doctorCmd() *cobra.Command {
	o := &doctorOptions{deps: a.deps()}
	c := &cobra.Command{
		Use:   "doctor [--json]",
		Short: "Vérifier la santé et la confidentialité du dépôt",
		Long: `Vérifie le dépôt, sans rien modifier :

  configuration  acc.yaml, ses règles et les types de .acc/ se lisent
  permissions    les dossiers et l'historique Git (.git/objects, index, journaux,
                 cache d'acc) ne sont lisibles que par vous (ou votre groupe avec
                 « permissions: partagees »)
  transport      les dépôts distants sont joints par un transport chiffré
                 (https://, ssh://) ou local, sans mot de passe dans l'adresse
  verrou         pas de verrou acc ni de verrou Git abandonné
  index          l'index Git se lit
  historique     HEAD désigne une branche dont le dernier commit se lit, et chaque
                 référence un objet présent
  chemins        aucun chemin dangereux (.git, .., lien symbolique, nom réservé
                 par Windows…) dans l'historique des branches locales et suivies,
                 avec les règles d'acc clone et d'acc sync
  effacements    les effacements enregistrés (acc purge) sont appliqués ici
  identite       Git sait qui vous êtes (auteur des commits)
  crochet        le crochet pre-commit d'acc (acc hook install) est installé

Chaque ligne dit OK, ATTENTION ou PROBLÈME, et ce qu'il faut faire.
Code de sortie : 0 sans problème (des avertissements peuvent rester), 1 s'il y
a au moins un problème, 3 hors d'un dépôt acc.`,
		Example: "  acc doctor\n  acc doctor --json",
		Args:    cobra.NoArgs,
		RunE: func(c *cobra.Command, args []string) error {
			return runDoctor(o)
		},
	}
	c.Flags().BoolVar(&o.JSON, "json", false, "résultat en JSON")
	return c
}

// runDoctor checks the repository around the working folder without
// changing anything; errFindings when a check finds a problem.
func runDoctor(o *doctorOptions) error {
	wd, err := o.WorkDir()
	if err != nil {
		return err
	}
	root, err := casefile.FindRoot(wd)
	if err != nil {
		return err
	}
	repo, cfgCheck := configCheck(root)
	store, err := gitstore.Open(root)
	if err != nil {
		return repoErr(err)
	}
	store.Clock = o.Now
	store.Getenv = o.Getenv
	store.Erasure = erasurePolicy
	checks := []gitstore.Check{cfgCheck}
	shared := repo != nil && repo.Config.Permissions == casefile.PermShared
	for _, c := range store.Doctor(o.Ctx, gitstore.DoctorOptions{Shared: shared}) {
		c.Advice = doctorAdvice(c)
		checks = append(checks, c)
	}
	checks = append(checks, identityCheck(store, repo), hookCheck(store))
	var tally doctorTally
	for _, c := range checks {
		tally[c.Status]++
	}
	if o.JSON {
		if err := writeDoctorJSON(o.IO.Out, checks, tally); err != nil {
			return repoErr(err)
		}
	} else {
		writeDoctorText(o.IO.Out, checks, tally)
	}
	if tally[gitstore.CheckProblem] > 0 {
		return errFindings
	}
	return nil
}

// doctorTally counts the checks by status: OK, warning, problem.
type doctorTally [3]int

// configCheck: acc.yaml, its rules and the types read. repo is nil when
// acc.yaml does not.
func configCheck(root string) (*casefile.Repo, gitstore.Check) {
	c := gitstore.Check{ID: "configuration", Message: casefile.ConfigFile + " et les types se lisent"}
	repo, err := casefile.Open(root)
	if err == nil {
		_, err = validate.NewSettings(repo.Config, "")
	}
	if err == nil {
		_, err = validate.LoadRegistry(repo.Abs(casefile.AccDir))
	}
	if err != nil {
		c.Status = gitstore.CheckProblem
		c.Message = err.Error()
		c.Advice = "corrigez " + casefile.ConfigFile + " (les autres commandes refusent de travailler tant qu'il est invalide)"
	}
	return repo, c
}

func writeDoctorJSON(w io.Writer, checks []gitstore.Check, tally doctorTally) error {
	type jcheck struct {
		ID      string   `json:"id"`
		Status  string   `json:"status"`
		Message string   `json:"message"`
		Details []string `json:"details"`
		Advice  string   `json:"advice,omitempty"`
	}
	out := struct {
		Version int      `json:"version"`
		Checks  []jcheck `json:"checks"`
		Summary struct {
			OK       int `json:"ok"`
			Warning  int `json:"warning"`
			Problems int `json:"problem"`
		} `json:"summary"`
	}{Version: 1}
	for _, c := range checks {
		d := c.Details
		if d == nil {
			d = []string{}
		}
		out.Checks = append(out.Checks, jcheck{ID: c.ID, Status: [...]string{"ok", "warning", "problem"}[c.Status], Message: c.Message, Details: d, Advice: c.Advice})
	}
	out.Summary.OK, out.Summary.Warning, out.Summary.Problems = tally[gitstore.CheckOK], tally[gitstore.CheckWarning], tally[gitstore.CheckProblem]
	return writeJSON(w, out)
}

func writeDoctorText(out io.Writer, checks []gitstore.Check, tally doctorTally) {
	w := bufio.NewWriter(out)
	for _, c := range checks {
		label := [...]string{"OK", "ATTENTION", "PROBLÈME"}[c.Status]
		// Details name files and remotes: escaped for the terminal.
		fmt.Fprintf(w, "%-10s %-14s %s\n", label, c.ID, termtext.Line(c.Message))
		for _, d := range c.Details {
			fmt.Fprintf(w, "%-25s - %s\n", "", termtext.Line(d))
		}
		if c.Advice != "" && c.Status != gitstore.CheckOK {
			fmt.Fprintf(w, "%-25s → %s\n", "", termtext.Line(c.Advice))
		}
	}
	fmt.Fprintf(w, "Bilan : %d OK, %s, %s\n", tally[gitstore.CheckOK], countOf(tally[gitstore.CheckWarning], "attention", "attentions"), countOf(tally[gitstore.CheckProblem], "problème", "problèmes"))
	w.Flush()
}

// identityCheck: the author of the commits acc makes.
func identityCheck(store *gitstore.Store, repo *casefile.Repo) gitstore.Check {
	c := gitstore.Check{ID: "identite"}
	author, _, ok, err := store.Identity()
	switch {
	case err != nil:
		c.Status, c.Message = gitstore.CheckProblem, err.Error()
	case ok && author.Email != "":
		c.Message = fmt.Sprintf("les commits sont enregistrés au nom de %s <%s>", author.Name, author.Email)
	case ok:
		c.Status, c.Message = gitstore.CheckWarning, fmt.Sprintf("les commits sont enregistrés au nom de %s, sans adresse", author.Name)
		c.Advice = `git config --global user.email "prenom.nom@exemple.org"`
	case repo != nil && repo.Config.Formateur != "":
		c.Status = gitstore.CheckWarning
		c.Message = fmt.Sprintf("Git ne connaît pas votre nom : les commits sont enregistrés au nom de « %s » (formateur d'acc.yaml, commun à l'équipe)", termtext.Line(repo.Config.Formateur))
		c.Advice = `git config --global user.name "Prénom Nom"`
	default:
		c.Status, c.Message = gitstore.CheckProblem, "Git ne connaît pas votre nom : acc ne peut rien enregistrer"
		c.Advice = `git config --global user.name "Prénom Nom"`
	}
	return c
}

// hookCheck: the pre-commit hook of acc hook install.
func hookCheck(store *gitstore.Store) gitstore.Check {
	c := gitstore.Check{ID: "crochet"}
	data, ok, err := store.ReadHook("pre-commit")
	switch {
	case err != nil:
		c.Status, c.Message = gitstore.CheckWarning, err.Error()
	case !ok:
		c.Message = "pas de crochet pre-commit : les commits faits avec git ne sont pas vérifiés (facultatif : acc hook install)"
	case bytes.Contains(data, []byte(hookMarker)):
		c.Message = "crochet pre-commit d'acc installé : les commits faits avec git sont vérifiés"
	default:
		c.Message = "un crochet pre-commit qui n'est pas celui d'acc est installé"
		if strings.Contains(string(data), "acc validate") {
			c.Message += " (il appelle acc validate)"
		}
	}
	return c
}
