package gitstore

import (
	"os"
	"sort"
	"sync"
	"time"
)

// cleanTable is the clean entries of the index (cleanIndex), for lookups: the entries
// in the index's order (sorted by path), their paths in one string, so that reading
// 100,000 entries makes three allocations rather than one per entry (and no map): a
// warm validation right after a clone asks about every file, and its workers wait for
// the table.
type cleanTable struct {
	names string
	ends  []int // end of each entry's path in names
	ents  []IndexEntry
}

func (t *cleanTable) name(i int) string {
	start := 0
	if i > 0 {
		start = t.ends[i-1]
	}
	return t.names[start:t.ends[i]]
}

// find returns the entry of case-relative path p.
func (t *cleanTable) find(p string) (*IndexEntry, bool) {
	i := sort.Search(len(t.ents), func(i int) bool { return t.name(i) >= p })
	if i < len(t.ents) && t.name(i) == p {
		return &t.ents[i], true
	}
	return nil, false
}

// cleanIndex returns, in a cleanTable, the stage-0 entries of regular files under a
// case-relative folder ("" for the whole case-file folder) whose stat data Git recorded
// before it wrote the index, by the index file's own modification time: Git's racy-clean rule
// (Documentation/technical/racy-git.txt), applied to the modification and change times
// alike. For such an entry, a file whose stat data is still the recorded one
// (IndexEntry.MatchesStat) holds the entry's blob without being read: the proof `git
// status` itself relies on. Entries with extended flags (intent-to-add, skip-worktree)
// are left out, and so is everything when the index changed while it was read; a missing
// index gives no entries.
func (s *Store) cleanIndex(dir string) (*cleanTable, error) {
	t := &cleanTable{}
	before, err := os.Stat(s.indexPath())
	if os.IsNotExist(err) {
		return t, nil
	}
	if err != nil {
		return nil, err
	}
	written := before.ModTime()
	prefix, err := s.indexPrefix(dir)
	if err != nil {
		return nil, err
	}
	var names []byte
	err = s.readIndex(func(ix *indexFile) error {
		t.ents = make([]IndexEntry, 0, ix.count)
		t.ends = make([]int, 0, ix.count)
		return s.walkCaseEntries(ix, prefix, func(e *rawEntry, name []byte) bool {
			if e.hdrLen != entryFixedLen {
				return true
			}
			ie := decodeIndexEntry(ix, e, "")
			if (ie.Mode != 0o100644 && ie.Mode != 0o100755) || !cleanAt(ie, written) {
				return true
			}
			names = append(names, name...)
			t.ends = append(t.ends, len(names))
			t.ents = append(t.ents, ie)
			return true
		})
	})
	if err != nil {
		return nil, err
	}
	after, err := os.Stat(s.indexPath())
	if err != nil || !os.SameFile(before, after) || !after.ModTime().Equal(written) || after.Size() != before.Size() {
		return &cleanTable{}, nil // rewritten meanwhile: what was read may be either index
	}
	t.names = string(names)
	return t, nil
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
// vouches for it (cleanIndex, MatchesStat); ok is false otherwise, and the file
// must be read. The index is read once, at the first question; an unreadable index
// vouches for nothing. Safe for concurrent use.
func (s *Store) CleanIndexLookup(dir string) func(path string, size, mtime, ctime int64, ino uint64) (Hash, bool) {
	load := sync.OnceValue(func() *cleanTable {
		t, err := s.cleanIndex(dir)
		if err != nil {
			return &cleanTable{}
		}
		return t
	})
	return func(path string, size, mtime, ctime int64, ino uint64) (Hash, bool) {
		e, ok := load().find(path)
		if !ok || !e.MatchesStat(size, mtime, ctime, ino) {
			return Hash{}, false
		}
		return e.Hash, true
	}
}
