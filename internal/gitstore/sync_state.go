package gitstore

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
)

// What acc sync keeps between runs, in <common git dir>/acc/sync/ (never versioned):
//
//	journal       "checkout <branch> <old> <new>[ fresh]": the work tree and the branch
//	              are being moved from old to new; a sync that finds it finishes the move
//	              (roll-forward) before anything else. "fresh": a clone's first checkout,
//	              written straight into the new folder (sync_checkout_fresh.go).
//	conflit.json  a sync stopped on a conflict: what conflicts, where the remote
//	              versions were written, the branch that keeps the local commits, and
//	              the remote versions the trainer has already seen (see SyncOptions.Resume).

func (s *Store) syncDir() string { return filepath.Join(s.CommonDir, "acc", "sync") }

func (s *Store) journalPath() string { return filepath.Join(s.syncDir(), "journal") }

func (s *Store) statePath() string { return filepath.Join(s.syncDir(), "conflit.json") }

// syncJournal is an interrupted move of the work tree and branch.
type syncJournal struct {
	branch   string
	old, new Hash
	fresh    bool
}

func (s *Store) writeJournal(j syncJournal) error {
	line := fmt.Sprintf("checkout %s %s %s\n", j.branch, j.old, j.new)
	if j.fresh {
		line = fmt.Sprintf("checkout %s %s %s fresh\n", j.branch, j.old, j.new)
	}
	if err := writeSmallFile(s.journalPath(), []byte(line)); err != nil {
		return fmt.Errorf("écriture du journal de synchronisation : %w", err)
	}
	return nil
}

func (s *Store) readJournal() (*syncJournal, error) {
	data, err := os.ReadFile(s.journalPath())
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("lecture du journal de synchronisation : %w", err)
	}
	f := strings.Fields(string(data))
	fresh := len(f) == 5 && f[4] == "fresh"
	if fresh {
		f = f[:4]
	}
	if len(f) != 4 || f[0] != "checkout" {
		return nil, nil // unreadable: written by nobody we know; ignored
	}
	j := &syncJournal{branch: f[1], fresh: fresh}
	if j.old, err = ParseHash(f[2]); err != nil {
		return nil, nil
	}
	if j.new, err = ParseHash(f[3]); err != nil {
		return nil, nil
	}
	return j, nil
}

// pathEntry is what a tree holds at a path: a blob and its mode; the zero value means
// absent.
type pathEntry struct {
	mode string
	hash Hash
}

func (e pathEntry) present() bool { return e.mode != "" }

func (e pathEntry) String() string {
	if !e.present() {
		return ""
	}
	return e.mode + " " + e.hash.String()
}

func parsePathEntry(s string) (pathEntry, error) {
	if s == "" {
		return pathEntry{}, nil
	}
	m, h, ok := strings.Cut(s, " ")
	if !ok {
		return pathEntry{}, errors.New("entrée mal formée")
	}
	hash, err := ParseHash(h)
	if err != nil {
		return pathEntry{}, err
	}
	return pathEntry{mode: internMode([]byte(m)), hash: hash}, nil
}

// ConflictFile is one document changed on both sides with different results.
type ConflictFile struct {
	// Path is the document, relative to the case-file folder (or to the Git root when it
	// lies outside the case-file folder).
	Path string
	// Beside is where the remote version was written (same base), "" when the remote
	// deleted the document.
	Beside string
	// Added: created on both sides; LocalDeleted / RemoteDeleted: deleted on one side and
	// changed on the other.
	Added, LocalDeleted, RemoteDeleted bool
	// Authors of the commits that changed the document, on each side (names as in Git).
	LocalAuthors, RemoteAuthors []string
	// Outside: the file lies outside the case-file folder (Path is then from the Git root).
	Outside bool

	gitPath             string
	base, local, remote pathEntry
}

// Conflict describes a sync stopped on documents changed on both sides. Nothing was
// lost: the branch did not move, the local commits are also kept on Branch, and the
// remote version of each document is in its Beside file.
type Conflict struct {
	Branch     string    // short name of the branch that keeps the local commits
	Remote     string    // remote name
	LocalHead  Hash      // the local commit the sync stopped at
	RemoteHead Hash      // the remote commit it could not integrate
	Since      time.Time // when the sync stopped
	Files      []ConflictFile
}

// syncState is conflit.json.
type syncState struct {
	Version    int               `json:"version"`
	Branch     string            `json:"branche"`
	Remote     string            `json:"remote"`
	Keep       string            `json:"branche_conflit"`
	Local      string            `json:"local"`
	RemoteHead string            `json:"distant"`
	Since      time.Time         `json:"depuis"`
	Files      []stateFile       `json:"fichiers"`
	Seen       map[string]string `json:"vus,omitempty"` // git path → remote entry already seen
}

type stateFile struct {
	Path          string   `json:"chemin"` // git path
	Beside        string   `json:"a_cote,omitempty"`
	Base          string   `json:"base,omitempty"`
	Local         string   `json:"local,omitempty"`
	Remote        string   `json:"distant,omitempty"`
	LocalAuthors  []string `json:"auteurs_locaux,omitempty"`
	RemoteAuthors []string `json:"auteurs_distants,omitempty"`
}

func (s *Store) saveState(st *syncState) error {
	st.Version = 1
	data, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return err
	}
	if err := writeSmallFile(s.statePath(), append(data, '\n')); err != nil {
		return fmt.Errorf("écriture de l'état de synchronisation : %w", err)
	}
	return nil
}

func (s *Store) loadState() (*syncState, error) {
	data, err := os.ReadFile(s.statePath())
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("lecture de l'état de synchronisation : %w", err)
	}
	var st syncState
	if err := json.Unmarshal(data, &st); err != nil || st.Version != 1 {
		return nil, fmt.Errorf("état de synchronisation illisible (%s) : supprimez ce fichier puis relancez acc sync", s.statePath())
	}
	return &st, nil
}

// conflictOf turns the saved state into a Conflict.
func (s *Store) conflictOf(st *syncState) *Conflict {
	c := &Conflict{Branch: st.Keep, Remote: st.Remote, Since: st.Since}
	c.LocalHead, _ = ParseHash(st.Local)
	c.RemoteHead, _ = ParseHash(st.RemoteHead)
	for _, f := range st.Files {
		cf := ConflictFile{gitPath: f.Path, Beside: f.Beside, LocalAuthors: f.LocalAuthors, RemoteAuthors: f.RemoteAuthors}
		cf.Path = s.displayPath(f.Path)
		if cp, ok := s.casePath(f.Path); !ok || cp == "" {
			cf.Outside = true
		}
		cf.base, _ = parsePathEntry(f.Base)
		cf.local, _ = parsePathEntry(f.Local)
		cf.remote, _ = parsePathEntry(f.Remote)
		cf.Added = !cf.base.present() && cf.local.present() && cf.remote.present()
		cf.LocalDeleted = cf.base.present() && !cf.local.present()
		cf.RemoteDeleted = cf.base.present() && !cf.remote.present()
		c.Files = append(c.Files, cf)
	}
	return c
}

// displayPath is a Git path relative to the case-file folder, or the Git path itself
// when it lies outside.
func (s *Store) displayPath(gp string) string {
	if cp, ok := s.casePath(gp); ok && cp != "" {
		return cp
	}
	return gp
}

// PendingConflict returns the conflict a previous acc sync stopped on, or nil.
func (s *Store) PendingConflict() (*Conflict, error) {
	st, err := s.loadState()
	if err != nil || st == nil {
		return nil, err
	}
	return s.conflictOf(st), nil
}

// RemoteVersion returns the remote's content of a conflicting document (ok false when
// the remote deleted it).
func (s *Store) RemoteVersion(f ConflictFile) (data []byte, ok bool, err error) {
	if !f.remote.present() {
		return nil, false, nil
	}
	data, err = s.readBlob(f.remote.hash)
	return data, err == nil, err
}

// LocalVersion returns the content of a conflicting document in the local commits (ok
// false when they deleted it).
func (s *Store) LocalVersion(f ConflictFile) (data []byte, ok bool, err error) {
	if !f.local.present() {
		return nil, false, nil
	}
	data, err = s.readBlob(f.local.hash)
	return data, err == nil, err
}

func (s *Store) readBlob(h Hash) ([]byte, error) {
	return s.readObject(h, plumbing.BlobObject)
}

// clearState removes the conflict state after a successful sync (or AbortSync): the
// remote versions written beside (unless the trainer changed them: then they stay and
// are returned), the branch that kept the local commits, then the state file.
func (s *Store) clearState(h *heldLock, st *syncState) (kept []string, err error) {
	for _, f := range st.Files {
		if f.Beside == "" {
			continue
		}
		disk := s.diskPath(s.gitPath(f.Beside))
		remote, _ := parsePathEntry(f.Remote)
		_, data, rerr := readRegular(disk)
		if rerr != nil {
			continue
		}
		if BlobHash(data) != remote.hash {
			kept = append(kept, f.Beside)
			continue
		}
		if err := removeFile(disk, s.diskPath(s.Prefix)); err != nil {
			return kept, fmt.Errorf("suppression de %s : %w", f.Beside, err)
		}
	}
	if st.Keep != "" {
		if err := s.deleteRef(h, "refs/heads/"+st.Keep); err != nil {
			return kept, err
		}
	}
	sort.Strings(kept)
	return kept, removeDurably(s.statePath())
}

// AbortSync forgets a sync stopped on a conflict: the remote versions written beside
// are removed (unless changed), and so is the branch that kept the local commits (they
// are still those of the current branch, which never moved). It returns the beside files
// it kept because the trainer changed them.
func (s *Store) AbortSync() (kept []string, err error) {
	h, err := s.requireLock()
	if err != nil {
		return nil, err
	}
	defer h.clearRecords()
	st, err := s.loadState()
	if err != nil || st == nil {
		return nil, err
	}
	if _, cur, err := s.headCommit(); err == nil && st.Keep != "" {
		// The kept branch is redundant only while the current branch still contains
		// those commits.
		local, _ := ParseHash(st.Local)
		if ok, err := s.isAncestor(local, cur); err != nil || !ok {
			st.Keep = ""
		}
	}
	return s.clearState(h, st)
}
