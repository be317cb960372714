package gitstore

import (
	"encoding/binary"
	"errors"
	"io/fs"
	"os"
	"sort"
	"time"
)

// smudgeRacy keeps the index honest across a rewrite, as Git does
// (ce_smudge_racily_clean_entry). An entry whose file was modified at or
// after the old index's time (indexTime) proves nothing by its stat data:
// the file may have changed again within the file system's timestamp tick.
// Readers check such entries' content (isRacy), but the new index, written
// later, would vouch for them. So each entry the
// rewrite keeps as it is (not in ups) that is racy, whose stat data still
// equal the file's and whose content differs, gets its recorded size zeroed
// ("smudged"): Git and acc then compare its content, whatever the times say.
// The returned updates replace those entries; ups are not changed. The
// index of another worktree (own false), whose files acc does not read
// here, has all its racy entries smudged.
func (s *Store) smudgeRacy(ix *indexFile, indexTime time.Time, ups []indexUpdate, own bool) ([]indexUpdate, error) {
	if len(ix.data) == 0 {
		return nil, nil
	}
	type cand struct {
		name string
		raw  []byte
	}
	var cands []cand
	_, err := ix.walk(func(e *rawEntry) bool {
		raw := ix.data[e.off : e.off+e.hdrLen]
		mode := binary.BigEndian.Uint32(raw[24:])
		if e.stage != 0 || e.hdrLen != entryFixedLen || (mode != 0o100644 && mode != 0o100755) ||
			binary.BigEndian.Uint32(raw[36:]) == 0 || !isRacyStamp(raw[8:16], indexTime) {
			return true
		}
		cands = append(cands, cand{name: string(e.name), raw: raw})
		return true
	})
	if err != nil || len(cands) == 0 {
		return nil, err
	}
	updated := make(map[string]bool, len(ups))
	for _, u := range ups {
		updated[u.path] = true
	}
	var out []indexUpdate
	for _, c := range cands {
		if updated[c.name] {
			continue
		}
		u := rawUpdate(c.name, c.raw)
		dirty := true
		if own {
			var err error
			if dirty, err = s.racilyClean(u); err != nil {
				return nil, err
			}
		}
		if dirty {
			u.stat.size = 0
			out = append(out, u)
		}
	}
	return out, nil
}

// isRacyStamp is racyTime for an entry's mtime as the index stores it
// (seconds and nanoseconds).
func isRacyStamp(mtime []byte, indexTime time.Time) bool {
	return racyTime(unixTime(binary.BigEndian.Uint32(mtime), binary.BigEndian.Uint32(mtime[4:])), indexTime)
}

// rawUpdate decodes a stage-0 entry's header as an update that rewrites it
// unchanged.
func rawUpdate(name string, raw []byte) indexUpdate {
	f := func(i int) uint32 { return binary.BigEndian.Uint32(raw[i*4:]) }
	u := indexUpdate{path: name, mode: f(6), stat: statInfo{
		ctimeSec: f(0), ctimeNsec: f(1), mtimeSec: f(2), mtimeNsec: f(3),
		dev: f(4), ino: f(5), uid: f(7), gid: f(8), size: f(9),
	}}
	copy(u.hash[:], raw[40:60])
	return u
}

// racilyClean tells whether the file of u has the stat data u records but
// another content. A file that is gone or whose stat data differ is not:
// every reader already sees it as changed.
func (s *Store) racilyClean(u indexUpdate) (bool, error) {
	name := s.diskPath(u.path)
	fi, err := os.Lstat(name)
	if err != nil || !fi.Mode().IsRegular() {
		return false, nil
	}
	st := fileStat(fi)
	st.dev = u.stat.dev // Git does not compare it either
	if st != u.stat || gitMode(fi.Mode().Perm()) != u.mode {
		return false, nil
	}
	data, err := os.ReadFile(name)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return BlobHash(data) != u.hash, nil
}

// withSmudged returns ups and the smudged entries, sorted by path.
func withSmudged(ups, smudged []indexUpdate) []indexUpdate {
	if len(smudged) == 0 {
		return ups
	}
	all := append(append(make([]indexUpdate, 0, len(ups)+len(smudged)), ups...), smudged...)
	sort.Slice(all, func(i, j int) bool { return all[i].path < all[j].path })
	return all
}
