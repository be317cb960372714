package gitstore

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/acc-formation/acc/internal/atomicfile"
)

// HooksDir returns the folder where Git looks for hooks: core.hooksPath when set (a
// relative path is taken from the work tree's root, as Git does for a non-bare
// repository), else <common git dir>/hooks.
func (s *Store) HooksDir() (string, error) {
	cfg, err := s.fullConfig()
	if err != nil {
		return "", err
	}
	if v, ok := cfg.get("core.hookspath"); ok && v != "" {
		v = expandHome(v, s.getenv("HOME"))
		if !filepath.IsAbs(v) {
			v = filepath.Join(s.Root, v)
		}
		return filepath.Clean(v), nil
	}
	return filepath.Join(s.CommonDir, "hooks"), nil
}

// ReadHook returns the content of hook name; ok is false when there is none.
func (s *Store) ReadHook(name string) (content []byte, ok bool, err error) {
	dir, err := s.HooksDir()
	if err != nil {
		return nil, false, err
	}
	data, err := os.ReadFile(filepath.Join(dir, name))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("lecture du crochet %s : %w", name, err)
	}
	return data, true, nil
}

// WriteHook writes hook name (mode 0755: Git runs it) through a temporary file renamed
// into place. With backup, an existing hook is first renamed <name>.avant-acc, and its
// new path returned.
func (s *Store) WriteHook(name string, content []byte, backup bool) (path, saved string, err error) {
	dir, err := s.HooksDir()
	if err != nil {
		return "", "", err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", "", fmt.Errorf("création de %s : %w", dir, err)
	}
	path = filepath.Join(dir, name)
	if backup {
		if _, err := os.Lstat(path); err == nil {
			saved = path + ".avant-acc"
			if err := os.Rename(path, saved); err != nil {
				return "", "", fmt.Errorf("sauvegarde de %s : %w", path, err)
			}
		}
	}
	// Executable whatever the umask: Git runs only executable hooks.
	if err := atomicfile.WriteFile(path, content, 0o755); err != nil {
		return "", "", fmt.Errorf("écriture de %s : %w", path, err)
	}
	return path, saved, nil
}
