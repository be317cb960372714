package gitstore

import (
	"bytes"
	"os"
	"sync"
	"time"
)

// CleanIndexEntries returns the stage-0 entries of regular files under a case-relative
// folder ("" for the whole case-file folder) whose stat data Git recorded before it wrote
// the index, by the index file's own modification time: Git's racy-clean rule
// (Documentation/technical/racy-git.txt), applied to the modification and change times
// alike. For such an entry, a file whose stat data is still the recorded one
// (IndexEntry.MatchesStat) holds the entry's blob without being read: the proof `git
// status` itself relies on. Entries with extended flags (intent-to-add, skip-worktree)
// are left out, and so is everything when the index changed while it was read; a missing
// index gives no entries.
func (s *Store) CleanIndexEntries(dir string) ([]IndexEntry, error) {
	before, err := os.Stat(s.indexPath())
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	written := before.ModTime()
	prefix, err := s.indexPrefix(dir)
	if err != nil {
		return nil, err
	}
	var out []IndexEntry
	err = s.readIndex(func(ix *indexFile) error {
		_, err := ix.walk(func(e *rawEntry) bool {
			if e.stage != 0 || e.hdrLen != entryFixedLen || !bytes.HasPrefix(e.name, prefix) {
				return true
			}
			cp, ok := s.casePath(string(e.name))
			if !ok {
				return true
			}
			ie := decodeIndexEntry(ix, e, cp)
			if (ie.Mode == 0o100644 || ie.Mode == 0o100755) && cleanAt(ie, written) {
				out = append(out, ie)
			}
			return true
		})
		return err
	})
	if err != nil {
		return nil, err
	}
	after, err := os.Stat(s.indexPath())
	if err != nil || !os.SameFile(before, after) || !after.ModTime().Equal(written) || after.Size() != before.Size() {
		return nil, nil // rewritten meanwhile: what was read may be either index
	}
	return out, nil
}

// cleanAt reports whether neither of an entry's times is racy (racyTime): both known
// and strictly before the index was written.
func cleanAt(e IndexEntry, written time.Time) bool {
	return !racyTime(e.MTime, written) && !racyTime(e.CTime, written)
}

// MatchesStat tells whether a file of the given size, modification and change times
// (nanoseconds) and inode has the stat data Git recorded for the entry; times must match
// to the nanosecond. A false answer only means "look at the content".
func (e IndexEntry) MatchesStat(size, mtime, ctime int64, ino uint64) bool {
	if e.MTime.IsZero() || e.CTime.IsZero() || size < 0 || size > 1<<32-1 {
		return false
	}
	return uint32(size) == e.Size && e.MTime.UnixNano() == mtime && e.CTime.UnixNano() == ctime &&
		uint32(ino) == e.Ino
}

// CleanIndexLookup returns a function that tells the blob of a case-relative file under
// dir from its stat data alone (size, times in nanoseconds, inode), when the index
// vouches for it (CleanIndexEntries, MatchesStat); ok is false otherwise, and the file
// must be read. The index is read once, at the first question; an unreadable index
// vouches for nothing. Safe for concurrent use.
func (s *Store) CleanIndexLookup(dir string) func(path string, size, mtime, ctime int64, ino uint64) (Hash, bool) {
	load := sync.OnceValue(func() map[string]IndexEntry {
		entries, err := s.CleanIndexEntries(dir)
		if err != nil {
			return nil
		}
		m := make(map[string]IndexEntry, len(entries))
		for _, e := range entries {
			m[e.Path] = e
		}
		return m
	})
	return func(path string, size, mtime, ctime int64, ino uint64) (Hash, bool) {
		e, ok := load()[path]
		if !ok || !e.MatchesStat(size, mtime, ctime, ino) {
			return Hash{}, false
		}
		return e.Hash, true
	}
}
