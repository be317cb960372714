package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"
	"go.yaml.in/yaml/v3"

	"github.com/acc-formation/acc/casefile"
	"github.com/acc-formation/acc/internal/gitstore"
	"github.com/acc-formation/acc/internal/termtext"
	"github.com/acc-formation/acc/templates"
)

// initOptions are acc init's argument and flags and what it needs from
// outside.
type initOptions struct {
	deps
	Dir          string // as typed; "" is the working folder
	Organisation string
	Remote       string // the team's shared repository: published to, or joined
	Pseudonyms   bool
}

func (a *app) initCmd() *cobra.Command {
	o := &initOptions{deps: a.deps()}
	c := &cobra.Command{
		Use:   "init [DOSSIER] --organisation NOM",
		Short: "Créer un dépôt de dossiers d'accompagnement",
		Long: `Crée acc.yaml et le dossier beneficiaires/ dans DOSSIER (le dossier courant par
défaut), initialise Git si besoin et enregistre un premier commit qui ne
contient que les fichiers créés par acc.`,
		Example: `  acc init --organisation "Centre de formation Les Tilleuls"
  acc init dossiers --organisation "Mission locale" --pseudonymes`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			if len(args) == 1 {
				o.Dir = args[0]
			}
			return runInit(o)
		},
	}
	c.Flags().StringVar(&o.Organisation, "organisation", "", "nom de l'organisation (centre de formation, association…)")
	c.Flags().StringVar(&o.Remote, "remote", "", "`ADRESSE` du dépôt partagé de l'équipe : publie ce dépôt s'il est vide, sinon le copie (comme acc clone)")
	c.Flags().BoolVar(&o.Pseudonyms, "pseudonymes", false, "identifiants aléatoires (b-2026-k7f3) au lieu d'identifiants tirés des noms")
	return c
}

// runInit creates a case-file repository: acc.yaml, the beneficiaries'
// folder and the type schemas, in a first commit of their own. With
// --remote it publishes it, or joins the team's when the remote holds one.
func runInit(o *initOptions) error {
	wd, err := o.WorkDir()
	if err != nil {
		return err
	}
	dir := o.Dir
	if dir == "" {
		dir = "."
	}
	if !filepath.IsAbs(dir) {
		dir = filepath.Join(wd, dir)
	}
	if o.Remote != "" { // team use (cmd_clone.go): join a non-empty remote, or check the address
		if done, err := o.join(dir); done || err != nil {
			return err
		}
	}
	org, err := o.organisation()
	if err != nil {
		return err
	}
	if err := o.checkTarget(dir); err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return repoErr(fmt.Errorf("création de %s : %w", dir, err))
	}
	ws, unlock, err := o.firstCommit(dir, org)
	if err != nil {
		return err
	}
	defer unlock()
	fmt.Fprintf(o.IO.Out, "Dépôt acc créé dans %s\n", o.RelPath(dir))
	if o.Remote != "" {
		if err := o.initPublish(ws, o.Remote); err != nil {
			return err
		}
	}
	fmt.Fprintf(o.IO.Err, "Prochaine étape : acc new beneficiaire \"Prénom Nom\"\n")
	return nil
}

// organisation is --organisation, else asked on a terminal.
func (o *initOptions) organisation() (string, error) {
	if org := strings.TrimSpace(o.Organisation); org != "" {
		return org, nil
	}
	if !o.Prompter.interactive() {
		return "", usageErr("nom de l'organisation manquant : passez --organisation \"Nom du centre\"")
	}
	org, err := o.Prompter.prompt("Nom de l'organisation : ")
	if err != nil {
		return "", err
	}
	if org == "" {
		return "", usageErr("nom de l'organisation vide")
	}
	return org, nil
}

// checkTarget refuses a file, a folder inside an acc repository, and an
// init whose first commit would have no author, before anything is
// created: a refused init (exit 2) leaves no folder and no .git behind.
func (o *initOptions) checkTarget(dir string) error {
	if fi, err := os.Stat(dir); err == nil && !fi.IsDir() {
		return usageErr("%s n'est pas un dossier", termtext.Arg(dir))
	}
	if root, err := casefile.FindRoot(dir); err == nil {
		return usageErr("%s est déjà un dépôt acc (%s) : rien n'a été modifié", o.RelPath(dir), filepath.Join(o.RelPath(root), casefile.ConfigFile))
	} else if !errors.Is(err, casefile.ErrNotRepo) {
		return repoErr(err)
	}
	return o.checkInitIdentity(dir)
}

// firstCommit opens or creates the Git repository in dir and commits acc's
// files in it, under the lock it returns held (the publication follows).
// Only files that do not exist yet are written and committed: a file the
// user had (a .gitignore, say) is left as it was.
func (o *initOptions) firstCommit(dir, org string) (ws *workspace, unlock func(), err error) {
	store, err := gitstore.Open(dir)
	if errors.Is(err, gitstore.ErrNotRepository) {
		store, err = gitstore.Init(dir)
	}
	if err != nil {
		return nil, nil, repoErr(err)
	}
	store.Clock = o.Now
	store.Getenv = o.Getenv
	store.Erasure = erasurePolicy
	ids := casefile.IDsReadable
	if o.Pseudonyms {
		ids = casefile.IDsPseudo
	}
	files, err := initFiles(org, ids)
	if err != nil {
		return nil, nil, err
	}
	var changes []gitstore.Change
	for _, f := range files {
		if _, err := os.Lstat(filepath.Join(dir, filepath.FromSlash(f.path))); err == nil {
			continue
		}
		changes = append(changes, gitstore.Change{Path: f.path, Content: f.content, Exclusive: true})
	}
	ws = &workspace{repo: &casefile.Repo{Root: dir, Config: &casefile.Config{Organisation: org}}, store: store}
	unlock, author, committer, err := o.LockAsTrainer(ws)
	if err != nil {
		return nil, nil, err
	}
	msg := casefile.CommitMessage{Subject: "init : dépôt de dossiers d'accompagnement", Action: casefile.ActionInit}
	if _, err := store.Commit(o.Ctx, changes, msg.String(), author, committer); err != nil {
		unlock()
		return nil, nil, repoErr(err)
	}
	return ws, unlock, nil
}

type initFile struct {
	path    string
	content []byte
}

// initFiles returns the files acc init writes: the configuration, the
// beneficiaries' folder, Git settings that keep files byte-exact, and the
// JSON Schemas of the built-in types for editors.
func initFiles(org, ids string) ([]initFile, error) {
	var q strings.Builder
	enc := yaml.NewEncoder(&q)
	if err := enc.Encode(org); err != nil {
		return nil, err
	}
	cfg := fmt.Sprintf(`# Configuration acc : voir « acc --help » et le README.
organisation: %s
# formateur: "Prénom Nom"   # nom utilisé seulement si Git ne connaît pas le vôtre
identifiants: %s            # lisibles (prenom-nom) ou pseudonymes (b-2026-k7f3)
remote: origin                # dépôt partagé utilisé par « acc sync »
# permissions: partagees     # fichiers lisibles aussi par votre groupe Unix (par défaut : vous seul)
regles:                       # sévérités (erreur, avertissement, info, desactive) et paramètres
  rythme: { intervalle_max_jours: 42, intervalle_min_jours: 2 }
  brouillon-ancien: { jours: 7 }
  conservation: { mois: 24 }
`, strings.TrimSpace(q.String()), ids)
	files := []initFile{
		{casefile.ConfigFile, []byte(cfg)},
		{casefile.BeneficiariesDir + "/.gitkeep", nil},
		// acc hashes files exactly as they are on disk; Git must not convert
		// line endings behind its back.
		{".gitattributes", []byte("# acc : les dossiers sont enregistrés tels quels, sans conversion de fins de ligne\n* -text\n")},
		{".gitignore", []byte("# fichiers temporaires des éditeurs\n*~\n*.swp\n.#*\n.DS_Store\n")},
	}
	reg := templates.Builtin()
	for _, t := range append([]*templates.Type{reg.Fiche()}, reg.Types()...) {
		b, err := reg.Schema(t.Name)
		if err != nil {
			return nil, err
		}
		files = append(files, initFile{".acc/schemas/" + t.Name + ".schema.json", append(b, '\n')})
	}
	return files, nil
}

// checkInitIdentity refuses an init whose first commit would have no
// author: Git knows no name, and the new acc.yaml has no formateur to fall
// back on. The Git repository around dir (its nearest existing folder)
// counts, as for every commit; without one, the user's configuration.
func (o *initOptions) checkInitIdentity(dir string) error {
	near := dir
	for {
		if fi, err := os.Stat(near); err == nil && fi.IsDir() {
			break
		}
		parent := filepath.Dir(near)
		if parent == near {
			break
		}
		near = parent
	}
	var ok bool
	var err error
	if store, oerr := gitstore.Open(near); oerr == nil {
		store.Getenv, store.Clock = o.Getenv, o.Now
		_, _, ok, err = store.Identity()
	} else {
		_, _, ok, err = gitstore.UserIdentity(o.Getenv, o.Now)
	}
	if err != nil {
		return repoErr(err)
	}
	if !ok {
		return usageErr("qui êtes-vous ? Git ne connaît pas votre nom : lancez git config --global user.name \"Prénom Nom\" puis relancez acc init (rien n'a été créé)")
	}
	return nil
}
