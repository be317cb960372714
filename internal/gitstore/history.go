package gitstore

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/acc-formation/acc/casefile"
)

// ErrUnknownRevision matches (errors.Is) every error about a revision that does not
// exist or names no commit.
var ErrUnknownRevision = errors.New("révision inconnue")

// ErrNotInRevision matches (errors.Is) every error about a path absent from a revision.
var ErrNotInRevision = errors.New("chemin absent de cette révision")

// RevisionError reports a revision or a path that history commands cannot find. It
// matches ErrUnknownRevision or ErrNotInRevision.
type RevisionError struct {
	Rev  string // as the user gave it
	Path string // case-relative path, for ErrNotInRevision
	Err  error  // ErrUnknownRevision or ErrNotInRevision
	Msg  string // French explanation, when the default one does not fit
}

func (e *RevisionError) Error() string {
	if e.Msg != "" {
		return e.Msg
	}
	if errors.Is(e.Err, ErrNotInRevision) {
		return fmt.Sprintf("%s n'existe pas dans la révision %s", e.Path, e.Rev)
	}
	return fmt.Sprintf("révision inconnue : %s", e.Rev)
}

func (e *RevisionError) Unwrap() error { return e.Err }

// CommitInfo is one commit of a history.
type CommitInfo struct {
	Hash      Hash
	Parents   []Hash
	Author    Signature
	Committer Signature
	// Subject is the first paragraph of the message, on one line.
	Subject string
	// Body is the rest of the message (trailers included), trimmed.
	Body string
	// Trailers are the "Key: value" lines of the message's last paragraph, by key as
	// written (acc writes Acc-Action, Acc-Beneficiaire, Acc-Type).
	Trailers map[string][]string
}

func newCommitInfo(h Hash, c rawCommit) CommitInfo {
	info := CommitInfo{Hash: h, Parents: c.parents, Author: c.author, Committer: c.committer}
	msg := strings.TrimLeft(strings.ReplaceAll(c.message, "\r\n", "\n"), "\n")
	info.Subject = subjectOf(msg)
	if _, body, ok := strings.Cut(msg, "\n\n"); ok {
		info.Body = strings.TrimSpace(body)
	}
	info.Trailers = parseTrailers(info.Body)
	return info
}

var trailerLine = regexp.MustCompile(`^([A-Za-z0-9][A-Za-z0-9-]*)\s*:\s?(.*)$`)

// parseTrailers reads the last paragraph of body when every line of it is a trailer
// ("Key: value", continuation lines starting with white space).
func parseTrailers(body string) map[string][]string {
	paras := strings.Split(strings.TrimSpace(body), "\n\n")
	last := strings.TrimSpace(paras[len(paras)-1])
	if last == "" {
		return nil
	}
	out := map[string][]string{}
	var key string
	for _, line := range strings.Split(last, "\n") {
		if (strings.HasPrefix(line, " ") || strings.HasPrefix(line, "\t")) && key != "" {
			vals := out[key]
			vals[len(vals)-1] += " " + strings.TrimSpace(line)
			continue
		}
		m := trailerLine.FindStringSubmatch(strings.TrimRight(line, " \t"))
		if m == nil {
			return nil
		}
		key = m[1]
		out[key] = append(out[key], strings.TrimSpace(m[2]))
	}
	return out
}

// Log returns, newest first, the commits of HEAD's first-parent history that changed
// path (a case-relative file or folder; "" for the whole case-file folder), at most max
// of them (max <= 0: all). A commit changed path when the tree entry at path differs from
// its first parent's; only the trees along path are read. An unborn branch has no
// history.
func (s *Store) Log(path string, max int) ([]CommitInfo, error) {
	if path != "" {
		if err := checkCasePath(strings.TrimSuffix(path, "/")); err != nil {
			return nil, err
		}
		path = strings.TrimSuffix(path, "/")
	}
	gp := s.gitPath(path)
	_, head, err := s.headCommit()
	if err != nil || head.IsZero() {
		return nil, err
	}
	var out []CommitInfo
	cur := head
	c, err := s.readCommit(cur)
	if err != nil {
		return nil, err
	}
	curEntry, curOK, err := s.lookupPath(c.tree, gp)
	if err != nil {
		return nil, err
	}
	for {
		var parent rawCommit
		var parentEntry treeEntry
		parentOK := false
		if len(c.parents) > 0 {
			if parent, err = s.readCommit(c.parents[0]); err != nil {
				return nil, err
			}
			if parent.tree == c.tree {
				parentEntry, parentOK = curEntry, curOK
			} else if parentEntry, parentOK, err = s.lookupPath(parent.tree, gp); err != nil {
				return nil, err
			}
		}
		if curOK != parentOK || curEntry.hash != parentEntry.hash || curEntry.mode != parentEntry.mode {
			out = append(out, newCommitInfo(cur, c))
			if max > 0 && len(out) >= max {
				return out, nil
			}
		}
		if len(c.parents) == 0 {
			return out, nil
		}
		cur, c, curEntry, curOK = c.parents[0], parent, parentEntry, parentOK
	}
}

// resolve turns a revision (hash, short hash, branch, tag, HEAD~n, …) into a commit.
func (s *Store) resolve(rev string) (Hash, error) {
	repo, err := s.repository()
	if err != nil {
		return Hash{}, err
	}
	h, err := repo.ResolveRevision(plumbing.Revision(rev))
	if err != nil || h == nil || h.IsZero() {
		return Hash{}, &RevisionError{Rev: rev, Err: ErrUnknownRevision}
	}
	// Peel annotated tags to their commit.
	if tag, err := repo.TagObject(*h); err == nil {
		c, err := tag.Commit()
		if err != nil {
			return Hash{}, &RevisionError{Rev: rev, Err: ErrUnknownRevision, Msg: fmt.Sprintf("la révision %s ne désigne pas un commit", rev)}
		}
		return Hash(c.Hash), nil
	}
	if _, err := s.readCommit(Hash(*h)); err != nil {
		return Hash{}, &RevisionError{Rev: rev, Err: ErrUnknownRevision, Msg: fmt.Sprintf("la révision %s ne désigne pas un commit", rev)}
	}
	return Hash(*h), nil
}

// ReadAt returns the content of a case-relative file at a revision (a hash, a branch,
// HEAD~n, …, or a Hash's String()). It fails with ErrUnknownRevision or ErrNotInRevision
// (both as *RevisionError).
func (s *Store) ReadAt(path, rev string) ([]byte, error) { return s.readAt(path, rev, false) }

// readAt is ReadAt; with regularOnly, a link or a gitlink is refused with
// casefile.ErrNotRegular, as a case file of the work tree would be.
func (s *Store) readAt(path, rev string, regularOnly bool) ([]byte, error) {
	if err := checkCasePath(path); err != nil {
		return nil, err
	}
	h, err := s.resolve(rev)
	if err != nil {
		return nil, err
	}
	c, err := s.readCommit(h)
	if err != nil {
		return nil, err
	}
	e, ok, err := s.lookupPath(c.tree, s.gitPath(path))
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, &RevisionError{Rev: rev, Path: path, Err: ErrNotInRevision}
	}
	if regularOnly && (e.mode == modeSymlink || e.mode == modeGitlink) {
		return nil, casefile.ErrNotRegular
	}
	if e.isTree() || e.mode == modeGitlink {
		return nil, &RevisionError{Rev: rev, Path: path, Err: ErrNotInRevision,
			Msg: fmt.Sprintf("%s est un dossier dans la révision %s, pas un fichier", path, rev)}
	}
	if err := s.verifyPath(s.gitPath(path), e.mode); err != nil {
		return nil, err
	}
	// A blob from the shared remote may be of any size: refuse a case file
	// over the size every reader refuses before it is inflated.
	if st, err := s.objects(); err == nil {
		if n, err := st.EncodedObjectSize(plumbing.Hash(e.hash)); err == nil && n > casefile.MaxFileSize {
			return nil, fmt.Errorf("%s (révision %s) : %w", path, rev, casefile.ErrTooLarge)
		}
	}
	return s.readObject(e.hash, plumbing.BlobObject)
}

// CommitAt returns the last commit of HEAD's first-parent history whose committer date is
// on or before the end of day's calendar day, in day's location (pass a local date). It
// fails with ErrUnknownRevision when the history starts after that day.
func (s *Store) CommitAt(day time.Time) (Hash, error) {
	y, m, d := day.Date()
	end := time.Date(y, m, d+1, 0, 0, 0, 0, day.Location())
	found, err := s.firstParents(func(_ Hash, c rawCommit) bool { return c.committer.When.Before(end) })
	if err != nil || !found.IsZero() {
		return found, err
	}
	return Hash{}, &RevisionError{Rev: day.Format("2006-01-02"), Err: ErrUnknownRevision,
		Msg: fmt.Sprintf("aucun commit au %s ou avant : l'historique commence plus tard", day.Format("2006-01-02"))}
}

// firstParents walks HEAD's first-parent history from HEAD and returns the first commit
// for which stop is true (zero when none is, or on an unborn branch).
func (s *Store) firstParents(stop func(h Hash, c rawCommit) bool) (Hash, error) {
	_, cur, err := s.headCommit()
	if err != nil {
		return Hash{}, err
	}
	for !cur.IsZero() {
		c, err := s.readCommit(cur)
		if err != nil {
			return Hash{}, err
		}
		if stop(cur, c) {
			return cur, nil
		}
		if len(c.parents) == 0 {
			break
		}
		cur = c.parents[0]
	}
	return Hash{}, nil
}

// HeadBlob returns the blob hash of a case-relative file in HEAD's tree; ok is false when
// HEAD has no such file (or no commit yet).
func (s *Store) HeadBlob(path string) (h Hash, ok bool, err error) {
	if err := checkCasePath(path); err != nil {
		return h, false, err
	}
	_, head, err := s.headCommit()
	if err != nil || head.IsZero() {
		return h, false, err
	}
	c, err := s.readCommit(head)
	if err != nil {
		return h, false, err
	}
	e, ok, err := s.lookupPath(c.tree, s.gitPath(path))
	if err != nil || !ok || e.isTree() {
		return h, false, err
	}
	return e.hash, true, nil
}

// Head returns the commit HEAD's branch points to (zero on an unborn branch) and the
// branch's short name.
func (s *Store) Head() (Hash, string, error) {
	branch, h, err := s.headCommit()
	return h, strings.TrimPrefix(branch, "refs/heads/"), err
}

// IndexEntry is a stage-0 entry of the Git index: what Git last recorded for a file, and
// the stat data that tells whether the file changed since.
type IndexEntry struct {
	Path  string // case-relative slash path
	Hash  Hash   // blob hash
	Mode  uint32 // 0o100644, 0o100755, 0o120000 (symlink), 0o160000 (submodule)
	Size  uint32 // file size, truncated to 32 bits
	MTime time.Time
	CTime time.Time
	Dev   uint32
	Ino   uint32
	UID   uint32
	GID   uint32
}

// Matches tells whether fi (from os.Lstat) still has the stat data Git recorded, as Git's
// own quick check does (mtime, ctime, size, inode, owner, type). A false answer only
// means "look at the content".
func (e IndexEntry) Matches(fi fs.FileInfo) bool {
	if !fi.Mode().IsRegular() {
		return false
	}
	st := fileStat(fi)
	return st.size == e.Size && unixTime(st.mtimeSec, st.mtimeNsec).Equal(e.MTime) &&
		unixTime(st.ctimeSec, st.ctimeNsec).Equal(e.CTime) && st.ino == e.Ino &&
		st.uid == e.UID && st.gid == e.GID && gitMode(fi.Mode().Perm()) == e.Mode
}

func decodeIndexEntry(ix *indexFile, e *rawEntry, casePath string) IndexEntry {
	d := ix.data[e.off:]
	u := func(i int) uint32 { return binary.BigEndian.Uint32(d[i*4:]) }
	ie := IndexEntry{
		Path:  casePath,
		CTime: unixTime(u(0), u(1)),
		MTime: unixTime(u(2), u(3)),
		Dev:   u(4), Ino: u(5), Mode: u(6), UID: u(7), GID: u(8), Size: u(9),
	}
	copy(ie.Hash[:], d[40:60])
	return ie
}

// IndexEntry returns the stage-0 index entry of a case-relative file.
func (s *Store) IndexEntry(path string) (IndexEntry, bool, error) {
	if err := checkCasePath(path); err != nil {
		return IndexEntry{}, false, err
	}
	gp := s.gitPath(path)
	var out IndexEntry
	found := false
	err := s.readIndex(func(ix *indexFile) error {
		_, err := ix.walk(func(e *rawEntry) bool {
			if e.stage == 0 && string(e.name) == gp {
				out, found = decodeIndexEntry(ix, e, path), true
				return false
			}
			return true
		})
		return err
	})
	return out, found, err
}

// indexPrefix is the index path prefix of a case-relative folder ("" for the whole
// case-file folder), checked like any path acc is given.
func (s *Store) indexPrefix(dir string) ([]byte, error) {
	dir = strings.TrimSuffix(dir, "/")
	if dir != "" {
		if err := checkCasePath(dir); err != nil {
			return nil, err
		}
	}
	prefix := []byte(s.gitPath(dir))
	if len(prefix) > 0 {
		prefix = append(prefix, '/')
	}
	return prefix, nil
}

// walkCaseEntries calls fn with the stage-0 entries of ix under prefix (indexPrefix) and
// their case-relative names (part of the entry's name: copied if kept), in the index's
// order, until fn returns false.
func (s *Store) walkCaseEntries(ix *indexFile, prefix []byte, fn func(e *rawEntry, name []byte) bool) error {
	_, err := ix.walk(func(e *rawEntry) bool {
		if e.stage != 0 || !bytes.HasPrefix(e.name, prefix) {
			return true
		}
		name, ok := cutCasePrefix(s.Prefix, e.name)
		return !ok || fn(e, name)
	})
	return err
}

// IndexEntries returns the stage-0 index entries under a case-relative folder ("" for
// the whole case-file folder), sorted by path: one read of the index for a whole
// validation run.
func (s *Store) IndexEntries(dir string) ([]IndexEntry, error) {
	prefix, err := s.indexPrefix(dir)
	if err != nil {
		return nil, err
	}
	var out []IndexEntry
	err = s.readIndex(func(ix *indexFile) error {
		// Sized once: growing a slice of 100k entries by doubling costs
		// more than decoding them.
		out = make([]IndexEntry, 0, ix.count)
		return s.walkCaseEntries(ix, prefix, func(e *rawEntry, name []byte) bool {
			out = append(out, decodeIndexEntry(ix, e, string(name)))
			return true
		})
	})
	// The index is sorted by path already (stage 0 entries, one per path);
	// only a Prefix can't reorder it, so sorting is rarely needed.
	if !sort.SliceIsSorted(out, func(i, j int) bool { return out[i].Path < out[j].Path }) {
		sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	}
	return out, err
}
