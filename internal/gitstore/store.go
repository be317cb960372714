package gitstore

import (
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/go-git/go-billy/v5"
	"github.com/go-git/go-billy/v5/osfs"
	gogit "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing/cache"
	"github.com/go-git/go-git/v5/storage/filesystem"
	"github.com/go-git/go-git/v5/storage/filesystem/dotgit"
)

// Hash is a Git object name (SHA-1).
type Hash [20]byte

// String returns the 40-character hexadecimal form.
func (h Hash) String() string { return hex.EncodeToString(h[:]) }

// IsZero reports whether h is the all-zero hash (no commit, no object).
func (h Hash) IsZero() bool { return h == Hash{} }

// ParseHash parses a 40-character hexadecimal object name.
func ParseHash(s string) (Hash, error) {
	var h Hash
	if len(s) != 40 {
		return h, fmt.Errorf("identifiant d'objet Git invalide : %q", s)
	}
	if _, err := hex.Decode(h[:], []byte(s)); err != nil {
		return h, fmt.Errorf("identifiant d'objet Git invalide : %q", s)
	}
	return h, nil
}

// ErrNotRepository is returned by Open when no Git repository contains the folder.
var ErrNotRepository = errors.New("aucun dépôt Git trouvé (ni ce dossier ni ses parents ne contiennent .git)")

// Store is an open Git repository seen from a case-file folder. A Store is not safe for
// concurrent use by several goroutines: give each its own (acc's lock serialises them).
type Store struct {
	// Root is the Git work tree's root folder (absolute).
	Root string
	// Prefix is the slash path of the case-file folder relative to Root, "" when they are
	// the same folder. Every path the Store takes or returns is relative to the case-file
	// folder; the Store adds Prefix.
	Prefix string
	// GitDir is the repository's own git dir (HEAD, index); CommonDir holds objects, refs,
	// config and acc's lock. They differ only in linked worktrees.
	GitDir, CommonDir string
	// Clock gives the time of commits and locks when Git's environment does not. Default
	// time.Now.
	Clock func() time.Time
	// Getenv reads the environment (GIT_AUTHOR_NAME, HOME, ...). Default os.Getenv.
	Getenv func(string) string
	// Erasure is the domain's policy for erasures (purge.go): without it, Purge,
	// ApplyPurges and a Sync that carries an erasure fail.
	Erasure *PurgePolicy
	// GitLockWait is how long Commit waits for a Git lock file (index.lock, a ref's .lock)
	// held by another program before failing. Default 2 s.
	GitLockWait time.Duration
	// OnLockWait, if set, is called once when Lock finds the repository locked and starts
	// waiting, with the current holder.
	OnLockWait func(holder *LockedError)
	// Progress, if set, is told how far a long step has gone (counts only,
	// total 0 when unknown), for a progress line. Called by one goroutine at
	// a time, not always the caller's (a push's pack is encoded aside).
	Progress func(p Phase, done, total int)
	// Created is true when Init created the repository.
	Created bool

	config *gitConfig // repository config (config, config.worktree), includes expanded

	mu      sync.Mutex
	storage *filesystem.Storage
	repo    *gogit.Repository
	src     *objectSource // objectSource()

	lock     *heldLock
	recovery Recovery

	// freshClone: set by Clone, whose work tree is a new or empty folder: the first
	// checkout writes its files directly (sync_checkout_fresh.go). resumeFresh: set
	// while a killed one is finished.
	freshClone, resumeFresh bool

	// crashHook, set by tests, is called at each step of a commit ("files", "locks",
	// "objects", "index-written", "journal", "index", "ref", "reflog") to kill the
	// process there.
	crashHook func(step string)
}

func (s *Store) step(name string) {
	if s.crashHook != nil {
		s.crashHook(name)
	}
}

// Open finds the Git repository whose work tree contains caseRoot, walking up to the folder
// that holds .git (a folder, or a file "gitdir: ..." as in linked worktrees and
// submodules), and returns a Store for it. caseRoot may be a subfolder of the work tree.
func Open(caseRoot string) (*Store, error) {
	abs, err := filepath.Abs(caseRoot)
	if err != nil {
		return nil, fmt.Errorf("chemin invalide %s : %w", caseRoot, err)
	}
	if real, err := filepath.EvalSymlinks(abs); err == nil {
		abs = real
	} else {
		return nil, fmt.Errorf("dossier introuvable %s : %w", caseRoot, err)
	}
	root, dotGit, err := findDotGit(abs)
	if err != nil {
		return nil, err
	}
	gitDir, commonDir, err := resolveGitDir(root, dotGit)
	if err != nil {
		return nil, err
	}
	rel, err := filepath.Rel(root, abs)
	if err != nil {
		return nil, fmt.Errorf("chemin invalide %s : %w", caseRoot, err)
	}
	prefix := filepath.ToSlash(rel)
	if prefix == "." {
		prefix = ""
	}
	if prefix == ".git" || strings.HasPrefix(prefix, ".git/") {
		return nil, fmt.Errorf("%s est à l'intérieur du dossier .git", caseRoot)
	}
	s := &Store{
		Root:      root,
		Prefix:    prefix,
		GitDir:    gitDir,
		CommonDir: commonDir,
	}
	if err := s.loadRepoConfig(); err != nil {
		return nil, err
	}
	return s, nil
}

// findDotGit walks up from dir to the first folder holding a .git entry.
func findDotGit(dir string) (root, dotGit string, err error) {
	for d := dir; ; {
		p := filepath.Join(d, ".git")
		if _, err := os.Stat(p); err == nil {
			return d, p, nil
		} else if !errors.Is(err, os.ErrNotExist) {
			return "", "", fmt.Errorf("lecture de %s : %w", p, err)
		}
		parent := filepath.Dir(d)
		if parent == d {
			return "", "", ErrNotRepository
		}
		d = parent
	}
}

// resolveGitDir returns the git dir and common dir designated by a .git entry.
func resolveGitDir(root, dotGit string) (gitDir, commonDir string, err error) {
	fi, err := os.Stat(dotGit)
	if err != nil {
		return "", "", err
	}
	gitDir = dotGit
	if !fi.IsDir() {
		data, err := os.ReadFile(dotGit)
		if err != nil {
			return "", "", fmt.Errorf("lecture de %s : %w", dotGit, err)
		}
		line := strings.TrimSpace(strings.SplitN(string(data), "\n", 2)[0])
		if !strings.HasPrefix(line, "gitdir:") {
			return "", "", fmt.Errorf("%s n'est ni un dossier ni un fichier « gitdir: … » : dépôt Git non reconnu", dotGit)
		}
		gitDir = strings.TrimSpace(strings.TrimPrefix(line, "gitdir:"))
		if !filepath.IsAbs(gitDir) {
			gitDir = filepath.Join(root, gitDir)
		}
		if fi, err := os.Stat(gitDir); err != nil || !fi.IsDir() {
			return "", "", fmt.Errorf("%s désigne %s, qui n'est pas un dossier Git", dotGit, gitDir)
		}
	}
	commonDir = gitDir
	if data, err := os.ReadFile(filepath.Join(gitDir, "commondir")); err == nil {
		c := strings.TrimSpace(string(data))
		if !filepath.IsAbs(c) {
			c = filepath.Join(gitDir, c)
		}
		commonDir = filepath.Clean(c)
	}
	if _, err := os.Stat(filepath.Join(gitDir, "HEAD")); err != nil {
		return "", "", fmt.Errorf("%s n'est pas un dépôt Git valide (HEAD absent)", gitDir)
	}
	return gitDir, commonDir, nil
}

// loadRepoConfig reads the repository's config and refuses formats acc cannot write.
func (s *Store) loadRepoConfig() error {
	c := &gitConfig{}
	ctx := includeContext{gitDir: s.GitDir}
	if b, err := s.headBranch(); err == nil {
		ctx.branch = strings.TrimPrefix(b, "refs/heads/")
	}
	if err := c.loadConfigFile(filepath.Join(s.CommonDir, "config"), ctx, 0); err != nil {
		return err
	}
	if c.getBool("extensions.worktreeconfig", false) {
		if err := c.loadConfigFile(filepath.Join(s.GitDir, "config.worktree"), ctx, 0); err != nil {
			return err
		}
	}
	if c.getBool("core.bare", false) {
		return fmt.Errorf("le dépôt %s est un dépôt nu (sans copie de travail) : acc a besoin d'une copie de travail", s.CommonDir)
	}
	if v, ok := c.get("extensions.objectformat"); ok && !strings.EqualFold(v, "sha1") {
		return fmt.Errorf("le dépôt utilise le format d'objets %s : acc ne gère que SHA-1", v)
	}
	if v, ok := c.get("extensions.refstorage"); ok && !strings.EqualFold(v, "files") {
		return fmt.Errorf("le dépôt range ses références au format %s : acc ne gère que le format « files »", v)
	}
	s.config = c
	return nil
}

// Init makes dir a Git repository, as `git init` would (default branch "main" unless
// init.defaultBranch is configured globally), unless dir is already inside a Git work
// tree: then it opens that repository, with dir as the case-file folder. dir is created
// (0700) if missing. Store.Created tells which happened.
func Init(dir string) (*Store, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("création du dossier %s : %w", dir, err)
	}
	s, err := Open(dir)
	if err == nil {
		return s, nil
	}
	if !errors.Is(err, ErrNotRepository) {
		return nil, err
	}
	branch := "main"
	global := &gitConfig{}
	if err := global.loadUserConfig(os.Getenv, includeContext{}); err != nil {
		return nil, err
	}
	if b, ok := global.get("init.defaultbranch"); ok && b != "" {
		if !validBranchName(b) {
			return nil, fmt.Errorf("init.defaultBranch invalide dans la configuration Git : %q", b)
		}
		branch = b
	}
	if err := initRepoAt(dir, branch); err != nil {
		return nil, err
	}
	s, err = Open(dir)
	if err != nil {
		return nil, err
	}
	s.Created = true
	return s, nil
}

// validBranchName is a conservative subset of git-check-ref-format.
func validBranchName(b string) bool {
	if b == "" || strings.HasPrefix(b, "-") || strings.HasSuffix(b, "/") || strings.HasSuffix(b, ".lock") ||
		strings.Contains(b, "..") || strings.Contains(b, "//") || strings.Contains(b, "@{") {
		return false
	}
	for _, r := range b {
		if r <= ' ' || r == 0x7f || strings.ContainsRune("~^:?*[\\", r) {
			return false
		}
	}
	return true
}

func (s *Store) now() time.Time {
	if s.Clock != nil {
		return s.Clock()
	}
	return time.Now()
}

func (s *Store) getenv(k string) string {
	if s.Getenv != nil {
		return s.Getenv(k)
	}
	return os.Getenv(k)
}

// gitPath turns a case-relative slash path into a path relative to the Git root.
func (s *Store) gitPath(p string) string {
	if s.Prefix == "" {
		return p
	}
	if p == "" {
		return s.Prefix
	}
	return s.Prefix + "/" + p
}

// casePath is gitPath's inverse; ok is false for paths outside the case-file folder.
func (s *Store) casePath(gp string) (string, bool) { return cutCasePrefix(s.Prefix, gp) }

// cutCasePrefix is casePath for a Git-root path as a string or as bytes (an index
// entry's name, cut without a copy).
func cutCasePrefix[T ~string | ~[]byte](prefix string, gp T) (T, bool) {
	var none T
	switch {
	case prefix == "":
		return gp, true
	case string(gp) == prefix:
		return none, true
	case len(gp) > len(prefix) && gp[len(prefix)] == '/' && string(gp[:len(prefix)]) == prefix:
		return gp[len(prefix)+1:], true
	}
	return none, false
}

// diskPath is the absolute file-system path of a path relative to the Git root.
func (s *Store) diskPath(gp string) string {
	return filepath.Join(s.Root, filepath.FromSlash(gp))
}

// objects returns go-git's object storage, opened lazily. Reading objects (loose or
// packed) goes through it; writing never does.
func (s *Store) objects() (*filesystem.Storage, error) {
	if _, err := s.repository(); err != nil {
		return nil, err
	}
	return s.storage, nil
}

// configlessStorage hides the repository's config from go-git: git.Open refuses valid
// repositories whose config has extensions it does not know (extensions.worktreeConfig,
// set by git sparse-checkout or git config --worktree, compared with the wrong case), and
// its config parser is stricter than Git's. Objects and refs are all it needs here.
type configlessStorage struct {
	*filesystem.Storage
}

func (configlessStorage) Config() (*config.Config, error) { return config.NewConfig(), nil }

// repository returns a go-git Repository over the same storage, for revision parsing.
func (s *Store) repository() (*gogit.Repository, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.repo != nil {
		return s.repo, nil
	}
	st := filesystem.NewStorage(s.gitFS(), cache.NewObjectLRUDefault())
	r, err := gogit.Open(configlessStorage{st}, nil)
	if err != nil {
		return nil, fmt.Errorf("ouverture du dépôt Git %s : %w", s.Root, err)
	}
	s.repo, s.storage = r, st
	return r, nil
}

// gitFS is the repository's git dir for go-git, its common dir included.
func (s *Store) gitFS() billy.Filesystem {
	var fs billy.Filesystem = osfs.New(s.GitDir)
	if s.CommonDir != s.GitDir {
		fs = dotgit.NewRepositoryFilesystem(fs, osfs.New(s.CommonDir))
	}
	return fs
}

// refreshObjects forgets go-git's list of packs, after another program may have repacked.
func (s *Store) refreshObjects() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.storage != nil {
		s.storage.Reindex()
	}
	if s.src != nil {
		s.src.reindex()
	}
}
