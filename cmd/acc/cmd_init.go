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

type initOptions struct {
	organisation string
	remote       string
	pseudonyms   bool
}

func (a *app) initCmd() *cobra.Command {
	var o initOptions
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
			dir := "."
			if len(args) == 1 {
				dir = args[0]
			}
			return a.runInit(dir, o)
		},
	}
	c.Flags().StringVar(&o.organisation, "organisation", "", "nom de l'organisation (centre de formation, association…)")
	c.Flags().StringVar(&o.remote, "remote", "", "`ADRESSE` du dépôt partagé de l'équipe : publie ce dépôt s'il est vide, sinon le copie (comme acc clone)")
	c.Flags().BoolVar(&o.pseudonyms, "pseudonymes", false, "identifiants aléatoires (b-2026-k7f3) au lieu d'identifiants tirés des noms")
	return c
}

func (a *app) runInit(dir string, o initOptions) error {
	wd, err := a.workDir()
	if err != nil {
		return err
	}
	if !filepath.IsAbs(dir) {
		dir = filepath.Join(wd, dir)
	}
	if o.remote != "" { // team use (cmd_clone.go): join a non-empty remote, or check the address
		if done, err := a.initJoin(dir, &o); done || err != nil {
			return err
		}
	}
	org := strings.TrimSpace(o.organisation)
	if org == "" {
		if !a.interactive() {
			return usageErr("nom de l'organisation manquant : passez --organisation \"Nom du centre\"")
		}
		if org, err = a.prompt("Nom de l'organisation : "); err != nil {
			return err
		}
		if org == "" {
			return usageErr("nom de l'organisation vide")
		}
	}
	if fi, err := os.Stat(dir); err == nil && !fi.IsDir() {
		return usageErr("%s n'est pas un dossier", termtext.Arg(dir))
	}
	if root, err := casefile.FindRoot(dir); err == nil {
		return usageErr("%s est déjà un dépôt acc (%s) : rien n'a été modifié", a.relPath(dir), filepath.Join(a.relPath(root), casefile.ConfigFile))
	} else if !errors.Is(err, casefile.ErrNotRepo) {
		return repoErr(err)
	}
	// Who commits is checked before anything is created: a refused init
	// (exit 2) leaves no folder and no .git behind.
	if err := a.checkInitIdentity(dir); err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return repoErr(fmt.Errorf("création de %s : %w", dir, err))
	}
	store, err := gitstore.Open(dir)
	if errors.Is(err, gitstore.ErrNotRepository) {
		store, err = gitstore.Init(dir)
	}
	if err != nil {
		return repoErr(err)
	}
	store.Clock = a.now
	store.Getenv = a.getenv
	store.Erasure = erasurePolicy
	ids := casefile.IDsReadable
	if o.pseudonyms {
		ids = casefile.IDsPseudo
	}
	files, err := initFiles(org, ids)
	if err != nil {
		return err
	}
	// Only files that do not exist yet are written and committed: a file the
	// user had (a .gitignore, say) is left as it was.
	var changes []gitstore.Change
	for _, f := range files {
		if _, err := os.Lstat(filepath.Join(dir, filepath.FromSlash(f.path))); err == nil {
			continue
		}
		changes = append(changes, gitstore.Change{Path: f.path, Content: f.content, Exclusive: true})
	}
	ws := &workspace{repo: &casefile.Repo{Root: dir, Config: &casefile.Config{Organisation: org}}, store: store}
	unlock, author, committer, err := a.lockAsTrainer(ws)
	if err != nil {
		return err
	}
	defer unlock()
	msg := casefile.CommitMessage{Subject: "init : dépôt de dossiers d'accompagnement", Action: casefile.ActionInit}
	if _, err := store.Commit(a.ctx, changes, msg.String(), author, committer); err != nil {
		return repoErr(err)
	}
	fmt.Fprintf(a.stdout, "Dépôt acc créé dans %s\n", a.relPath(dir))
	if o.remote != "" {
		if err := a.initPublish(ws, o.remote); err != nil {
			return err
		}
	}
	fmt.Fprintf(a.stderr, "Prochaine étape : acc new beneficiaire \"Prénom Nom\"\n")
	return nil
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
func (a *app) checkInitIdentity(dir string) error {
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
		store.Getenv, store.Clock = a.getenv, a.now
		_, _, ok, err = store.Identity()
	} else {
		_, _, ok, err = gitstore.UserIdentity(a.getenv, a.now)
	}
	if err != nil {
		return repoErr(err)
	}
	if !ok {
		return usageErr("qui êtes-vous ? Git ne connaît pas votre nom : lancez git config --global user.name \"Prénom Nom\" puis relancez acc init (rien n'a été créé)")
	}
	return nil
}
