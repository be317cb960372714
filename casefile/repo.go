package casefile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/acc-formation/acc/internal/termtext"
)

// ErrNotRepo is returned when no acc.yaml is found from a folder up to the
// filesystem root.
var ErrNotRepo = errors.New("pas de dépôt acc ici ni dans les dossiers parents (acc.yaml introuvable) : lancez « acc init » ou passez -C DOSSIER")

// Repo is an opened case-file repository.
type Repo struct {
	// Root is the absolute, symlink-free path of the folder holding acc.yaml.
	Root   string
	Config *Config
}

// FindRoot walks up from dir to the first folder holding acc.yaml.
func FindRoot(dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	if r, err := filepath.EvalSymlinks(abs); err == nil {
		abs = r
	}
	for d := abs; ; {
		if fi, err := os.Stat(filepath.Join(d, ConfigFile)); err == nil && fi.Mode().IsRegular() {
			return d, nil
		}
		parent := filepath.Dir(d)
		if parent == d {
			return "", ErrNotRepo
		}
		d = parent
	}
}

// Open finds the repository containing dir and reads its acc.yaml.
func Open(dir string) (*Repo, error) {
	root, err := FindRoot(dir)
	if err != nil {
		return nil, err
	}
	if err := checkLinks(root); err != nil {
		return nil, err
	}
	src, _, err := ReadFile(filepath.Join(root, ConfigFile))
	if err != nil {
		return nil, fmt.Errorf("lecture de %s : %w", ConfigFile, err)
	}
	cfg, err := ParseConfig(ConfigFile, src)
	if err != nil {
		return nil, err
	}
	return &Repo{Root: root, Config: cfg}, nil
}

// LinkError is a file or folder of the repository's own layout (acc.yaml,
// beneficiaires/, .acc/types…) that is a symbolic link: acc refuses to
// work through it, since it could lead outside the repository (a clone
// brings links from the shared remote).
type LinkError struct {
	Path string // slash path relative to the root
}

func (e *LinkError) Error() string {
	return fmt.Sprintf("%s est un lien symbolique : acc ne suit pas les liens, qui pourraient mener hors du dépôt ; remplacez-le par le fichier ou le dossier lui-même", e.Path)
}

// layoutPaths are the paths acc reads or writes through, whatever the
// command: none of them may be a link.
var layoutPaths = []string{ConfigFile, BeneficiariesDir, AccDir, AccDir + "/types", AccDir + "/templates"}

// checkLinks refuses a repository whose layout goes through a link.
func checkLinks(root string) error {
	for _, p := range layoutPaths {
		if fi, err := os.Lstat(filepath.Join(root, filepath.FromSlash(p))); err == nil && fi.Mode()&fs.ModeSymlink != 0 {
			return &LinkError{Path: p}
		}
	}
	return nil
}

// Abs returns the absolute path of a slash path relative to the root.
func (r *Repo) Abs(rel string) string { return filepath.Join(r.Root, filepath.FromSlash(rel)) }

// Rel returns the slash path of an absolute or working-directory-relative
// path relative to the root, refusing paths outside it.
func (r *Repo) Rel(p string) (string, error) {
	abs, err := filepath.Abs(p)
	if err != nil {
		return "", err
	}
	if res, err := filepath.EvalSymlinks(filepath.Dir(abs)); err == nil {
		abs = filepath.Join(res, filepath.Base(abs))
	}
	rel, err := filepath.Rel(r.Root, abs)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return "", fmt.Errorf("%s est hors du dépôt de dossiers (%s)", p, r.Root)
	}
	return filepath.ToSlash(rel), nil
}

// Beneficiaries returns the ids of the folders under beneficiaires/, sorted.
// Entries that are not folders, or whose name is not a valid id, are skipped.
func (r *Repo) Beneficiaries() ([]string, error) {
	if err := checkLinks(r.Root); err != nil {
		return nil, err // made a link since Open
	}
	ents, err := os.ReadDir(r.Abs(BeneficiariesDir))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, e := range ents {
		if e.IsDir() && CheckID(e.Name()) == nil {
			ids = append(ids, e.Name())
		}
	}
	sort.Strings(ids)
	return ids, nil
}

// HasBeneficiary reports whether beneficiaires/<id>/ exists as a real folder.
func (r *Repo) HasBeneficiary(id string) bool {
	if CheckID(id) != nil {
		return false
	}
	fi, err := os.Lstat(r.Abs(BeneficiaryDir(id)))
	return err == nil && fi.IsDir()
}

// CaseFiles returns the slash paths of the case files of a beneficiary
// (IsCaseFileName), sorted, symlinks included (the validator reports them;
// ReadCaseFile refuses them).
func (r *Repo) CaseFiles(id string) ([]string, error) {
	ents, err := os.ReadDir(r.Abs(BeneficiaryDir(id)))
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range ents {
		if IsCaseFileName(e.Name()) && !e.IsDir() {
			out = append(out, BeneficiaryDir(id)+"/"+e.Name())
		}
	}
	sort.Strings(out)
	return out, nil
}

// BeneficiaryOf returns the id of the beneficiary folder that dir is in
// (dir itself or below), or "".
func (r *Repo) BeneficiaryOf(dir string) string {
	rel, err := r.Rel(dir)
	if err != nil {
		return ""
	}
	parts := strings.Split(rel, "/")
	if len(parts) >= 2 && parts[0] == BeneficiariesDir && CheckID(parts[1]) == nil {
		return parts[1]
	}
	return ""
}

// CheckName refuses a user-typed name that would become a path component
// and could leave its folder: empty, "..", separators, a leading dot.
func CheckName(s string) error {
	switch {
	case s == "":
		return errors.New("nom vide")
	case s == "." || s == ".." || strings.Contains(s, ".."):
		return fmt.Errorf("« %s » : « .. » est interdit", termtext.Arg(s))
	case strings.ContainsAny(s, `/\`):
		return fmt.Errorf("« %s » : les séparateurs de dossier sont interdits", termtext.Arg(s))
	case strings.HasPrefix(s, "."):
		return fmt.Errorf("« %s » : un nom ne peut pas commencer par un point", termtext.Arg(s))
	case strings.ContainsRune(s, 0):
		return fmt.Errorf("« %s » : caractère nul interdit", termtext.Arg(s))
	}
	return nil
}
