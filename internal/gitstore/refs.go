package gitstore

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// ErrDetachedHead is returned by Commit when HEAD names a commit rather than a branch.
var ErrDetachedHead = errors.New("HEAD détachée : placez-vous sur une branche (git switch main) avant d'utiliser acc")

// headBranch returns the full name of the branch HEAD points to ("refs/heads/main"),
// which may not exist yet (unborn branch).
func (s *Store) headBranch() (string, error) {
	data, err := os.ReadFile(filepath.Join(s.GitDir, "HEAD"))
	if err != nil {
		return "", fmt.Errorf("lecture de HEAD : %w", err)
	}
	line := strings.TrimSpace(string(data))
	if !strings.HasPrefix(line, "ref:") {
		return "", ErrDetachedHead
	}
	ref := strings.TrimSpace(strings.TrimPrefix(line, "ref:"))
	if !strings.HasPrefix(ref, "refs/") || strings.Contains(ref, "..") {
		return "", fmt.Errorf("HEAD désigne une référence invalide : %q", ref)
	}
	return ref, nil
}

// refFile is where a loose ref lives: per-worktree refs (HEAD, refs/bisect, ...) in the
// git dir, shared refs (refs/heads, refs/tags) in the common dir.
func (s *Store) refFile(name string) string {
	if name == "HEAD" {
		return filepath.Join(s.GitDir, name)
	}
	return filepath.Join(s.CommonDir, filepath.FromSlash(name))
}

// logFile is the reflog of a ref.
func (s *Store) logFile(name string) string {
	if name == "HEAD" {
		return filepath.Join(s.GitDir, "logs", "HEAD")
	}
	return filepath.Join(s.CommonDir, "logs", filepath.FromSlash(name))
}

// readRef returns the value of a ref, loose first, then from packed-refs; ok is false when
// the ref does not exist (an unborn branch).
func (s *Store) readRef(name string) (h Hash, ok bool, err error) {
	data, err := os.ReadFile(s.refFile(name))
	switch {
	case err == nil:
		line := strings.TrimSpace(string(data))
		if strings.HasPrefix(line, "ref:") {
			return h, false, fmt.Errorf("la référence %s est symbolique : acc ne sait pas la mettre à jour", name)
		}
		h, err := ParseHash(line)
		if err != nil {
			return h, false, fmt.Errorf("référence %s illisible : %w", name, err)
		}
		return h, true, nil
	case errors.Is(err, os.ErrNotExist), isDirErr(err):
	default:
		return h, false, fmt.Errorf("lecture de la référence %s : %w", name, err)
	}
	return s.readPackedRef(name)
}

func (s *Store) readPackedRef(name string) (h Hash, ok bool, err error) {
	f, err := os.Open(filepath.Join(s.CommonDir, "packed-refs"))
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return h, false, nil
		}
		return h, false, fmt.Errorf("lecture de packed-refs : %w", err)
	}
	defer f.Close()
	r := bufio.NewReaderSize(f, 64<<10)
	suffix := []byte(" " + name)
	for {
		line, err := r.ReadSlice('\n')
		line = bytes.TrimRight(line, "\r\n")
		if len(line) >= 41 && line[0] != '#' && line[0] != '^' && bytes.Equal(line[40:], suffix) {
			h, perr := ParseHash(string(line[:40]))
			if perr != nil {
				return h, false, fmt.Errorf("packed-refs illisible : %w", perr)
			}
			return h, true, nil
		}
		if err == io.EOF {
			return h, false, nil
		}
		if err == bufio.ErrBufferFull {
			// A line longer than the buffer cannot be a ref line we look for; skip it.
			for err == bufio.ErrBufferFull {
				_, err = r.ReadSlice('\n')
			}
			if err == io.EOF {
				return h, false, nil
			}
		}
		if err != nil {
			return h, false, fmt.Errorf("lecture de packed-refs : %w", err)
		}
	}
}

// headCommit returns HEAD's branch and the commit it points to (zero on an unborn branch).
func (s *Store) headCommit() (branch string, head Hash, err error) {
	branch, err = s.headBranch()
	if err != nil {
		return "", Hash{}, err
	}
	head, _, err = s.readRef(branch)
	return branch, head, err
}

// reflogEnabled follows core.logAllRefUpdates (default true in a work tree).
func (s *Store) reflogEnabled() bool {
	v, ok := s.config.get("core.logallrefupdates")
	if !ok {
		return true
	}
	return strings.EqualFold(v, "always") || s.config.getBool("core.logallrefupdates", true)
}

// appendReflog adds "<old> <new> <ident>\t<msg>" to a ref's log, creating the log when
// reflogs are enabled, appending to an existing one in any case (as Git does).
func (s *Store) appendReflog(name string, old, new Hash, ident, msg string) error {
	path := s.logFile(name)
	flags := os.O_WRONLY | os.O_APPEND
	if s.reflogEnabled() {
		flags |= os.O_CREATE
		if err := mkdirAll(filepath.Dir(path), s.CommonDir, 0o755); err != nil {
			return fmt.Errorf("journal de %s : %w", name, err)
		}
	}
	f, err := os.OpenFile(path, flags, 0o644)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil
		}
		return fmt.Errorf("journal de %s : %w", name, err)
	}
	msg = strings.ReplaceAll(msg, "\n", " ")
	_, err = fmt.Fprintf(f, "%s %s %s\t%s\n", old, new, ident, msg)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("journal de %s : %w", name, err)
	}
	return nil
}

// reflogHas tells whether the last line of a ref's log records the move to h.
func (s *Store) reflogHas(name string, h Hash) bool {
	f, err := os.Open(s.logFile(name))
	if err != nil {
		return false
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return false
	}
	const tail = 4096
	off := max(fi.Size()-tail, 0)
	buf := make([]byte, fi.Size()-off)
	if _, err := f.ReadAt(buf, off); err != nil && err != io.EOF {
		return false
	}
	buf = bytes.TrimRight(buf, "\n")
	if i := bytes.LastIndexByte(buf, '\n'); i >= 0 {
		buf = buf[i+1:]
	}
	return len(buf) >= 81 && string(buf[41:81]) == h.String()
}

// reflogMessage is the message Git writes for a commit: "commit: <subject>", or
// "commit (initial): <subject>" for the first commit of a branch.
func reflogMessage(initial bool, msg string) string {
	subject := subjectOf(msg)
	if initial {
		return "commit (initial): " + subject
	}
	return "commit: " + subject
}

// subjectOf returns a message's first paragraph on one line, as git log's %s does.
func subjectOf(msg string) string {
	msg = strings.TrimLeft(msg, "\n")
	para, _, _ := strings.Cut(msg, "\n\n")
	lines := strings.Split(strings.TrimRight(para, "\n"), "\n")
	for i := range lines {
		lines[i] = strings.TrimSpace(lines[i])
	}
	return strings.Join(lines, " ")
}
