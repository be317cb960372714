package gitstore

import (
	"bufio"
	"bytes"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/acc-formation/acc/internal/atomicfile"
	"github.com/acc-formation/acc/internal/bug"
)

// BlobHash returns the Git blob id of data, as `git hash-object` computes it.
func BlobHash(data []byte) Hash { return hashObject("blob", data) }

// WorkChanges lists the files under a case-relative folder whose content on
// disk differs from what the index records: modified (or replaced by
// something that is not a regular file), deleted, and untracked files whose
// name passes keep. Paths are case-relative and sorted.
//
// Like Git's own status, it trusts the index's stat data and reads a file
// only when its stat data changed, or when it is "racy": modified in the
// same timestamp tick as the index was written (or smudged by Git for that
// reason), when equal stat data prove nothing. Each folder holding tracked files is
// opened once (Linux): its own stat, then its files' stats relative to it,
// in parallel. Untracked files are found with a folder cache
// (.git/acc/cache/worktree, Git's "untracked cache" idea): a folder whose
// modification time has not changed since it was last read, long enough
// before that read, has the same entries, so only changed folders are read
// again. An edit in place does not change its folder's time: it is the
// per-file stat that finds it, never the folder cache.
func (s *Store) WorkChanges(dir string, keep func(name string) bool) (changed, deleted, untracked []string, err error) {
	return s.WorkChangesSeen(dir, keep, nil)
}

// SeenFolder is what WorkChangesSeen saw of one folder holding tracked
// files, at the time of its check.
type SeenFolder struct {
	Dir string // case-relative
	// Files are the folder's tracked names that exist on disk, in name
	// order, with the stat data the scan compared with the index.
	Files []SeenFile
	// Others are the names of its untracked entries that are not folders
	// (from its listing, or the folder cache when the folder's time vouches
	// for it).
	Others []string
}

// SeenFile is one file's lstat data, as the work-tree scan saw it.
type SeenFile struct {
	Name    string
	Regular bool
	// Size, times in nanoseconds, inode.
	Size, Mtime, Ctime int64
	Ino                uint64
}

// WorkChangesSeen is WorkChanges that also gives seen (when not nil) what
// it saw of each folder holding tracked files, so that a caller checking
// the same files against its own records needs no stat of its own. Only
// folders whose every tracked file got a definite answer from the quick
// path (Linux) are given; seen is called from one goroutine, after the
// check.
func (s *Store) WorkChangesSeen(dir string, keep func(name string) bool, seen func(SeenFolder)) (changed, deleted, untracked []string, err error) {
	// The index's time is taken before it is read: a newer index read
	// afterwards only makes more entries racy.
	racy := s.indexRacyTime()
	entries, err := s.IndexEntries(dir)
	if err != nil {
		return nil, nil, nil, err
	}
	dc := s.loadDirCache()
	defer dc.close()
	folders := groupByFolder(entries)
	for _, f := range folders {
		f.wantSeen = seen != nil
	}
	changed, deleted, err = s.checkFolders(dc, folders, racy)
	if err != nil {
		return nil, nil, nil, err
	}
	if seen != nil {
		for _, f := range folders {
			if f.seenOK && f.scanned {
				seen(SeenFolder{Dir: f.dir, Files: f.seen, Others: f.rec.others})
			}
		}
	}
	untracked, err = dc.untracked(s, dir, folders, keep)
	if err != nil {
		return nil, nil, nil, err
	}
	dc.save()
	sort.Strings(changed)
	sort.Strings(deleted)
	sort.Strings(untracked)
	return changed, deleted, untracked, nil
}

// indexRacyTime returns the time from which an index entry's stat data
// cannot prove its file unchanged: the index file's modification time. A
// file modified within the same timestamp tick as the index was written
// (a second on some file systems, a few milliseconds on others) may be
// modified again within that tick and keep its size and times. Git
// compares the same way (with nanoseconds, as Linux builds do). Without an
// index time every entry is racy.
func (s *Store) indexRacyTime() time.Time {
	fi, err := os.Stat(s.indexPath())
	if err != nil {
		return time.Time{}
	}
	return fi.ModTime()
}

// isRacy tells whether e's stat data may hide a change (see indexRacyTime).
func isRacy(e *IndexEntry, racy time.Time) bool { return racyTime(e.MTime, racy) }

// racyTime is Git's racy rule, the one place acc applies it: a file time that is
// unknown, or not strictly before the index was written, proves nothing (the file may
// have changed within the same tick of the file system's clock).
func racyTime(t, indexTime time.Time) bool {
	return t.IsZero() || indexTime.IsZero() || !t.Before(indexTime)
}

// folder is the index entries directly in one case-relative folder, sorted.
type folder struct {
	dir     string
	entries []IndexEntry
	rec     dirRecord // what the folder holds on disk, filled by checkFolder
	scanned bool      // rec is filled
	// With wantSeen, the quick path keeps in seen the stat data of the
	// tracked files it found; seenOK says that it had a definite answer
	// for every one.
	wantSeen bool
	seen     []SeenFile
	seenOK   bool
}

// groupByFolder splits sorted entries by folder. A folder's entries may be
// interleaved with its subfolders' ("a/b.md" < "a/b/c.md" < "a/c.md"): they
// are gathered, keeping their order.
func groupByFolder(entries []IndexEntry) []*folder {
	var out []*folder
	byDir := map[string]*folder{}
	for lo := 0; lo < len(entries); {
		dir := path.Dir(entries[lo].Path)
		hi := lo + 1
		for hi < len(entries) && path.Dir(entries[hi].Path) == dir {
			hi++
		}
		if dir == "." {
			dir = "" // the case-file folder itself, as WorkChanges names it
		}
		f := byDir[dir]
		if f == nil {
			f = &folder{dir: dir, entries: entries[lo:hi:hi]}
			byDir[dir] = f
			out = append(out, f)
		} else {
			f.entries = append(f.entries, entries[lo:hi]...)
		}
		lo = hi
	}
	return out
}

// names returns the base names of the folder's tracked entries, sorted.
func (f *folder) names() []string {
	out := make([]string, len(f.entries))
	for i := range f.entries {
		out[i] = path.Base(f.entries[i].Path)
	}
	return out
}

// checkFolders checks every tracked entry against the disk, folder by folder
// in parallel chunks, and records each folder's listing for the untracked
// walk.
func (s *Store) checkFolders(dc *dirCache, folders []*folder, racy time.Time) (changed, deleted []string, err error) {
	total := 0
	for _, f := range folders {
		total += len(f.entries)
	}
	workers := max(1, min(runtime.GOMAXPROCS(0)*2, total/256+1, len(folders)))
	type part struct {
		changed, deleted []string
		err              error
	}
	parts := make([]part, workers)
	var wg sync.WaitGroup
	chunk := (len(folders) + workers - 1) / workers
	for w := 0; w < workers; w++ {
		lo, hi := min(w*chunk, len(folders)), min((w+1)*chunk, len(folders))
		wg.Add(1)
		go func(p *part, fs []*folder) {
			defer wg.Done()
			defer bug.Recover(&p.err)
			var op folderOpener
			defer op.close()
			for _, f := range fs {
				if p.err = s.checkFolder(dc, f, racy, &op, &p.changed, &p.deleted); p.err != nil {
					return
				}
			}
		}(&parts[w], folders[lo:hi])
	}
	wg.Wait()
	for _, p := range parts {
		if p.err != nil {
			return nil, nil, p.err
		}
		changed = append(changed, p.changed...)
		deleted = append(deleted, p.deleted...)
	}
	return changed, deleted, nil
}

// checkFolder checks one folder's entries: the quick path (one open folder,
// see quickScan) when the platform has one, then the portable check for
// what it could not decide.
func (s *Store) checkFolder(dc *dirCache, f *folder, racy time.Time, op *folderOpener, changed, deleted *[]string) error {
	verdicts, err := s.quickScan(dc, f, racy, op)
	if err != nil {
		return err
	}
	if !f.scanned {
		if f.rec, err = dc.read(s, f.dir, f.names()); err != nil {
			return err
		}
		f.scanned = true
	}
	for i := range f.entries {
		e := &f.entries[i]
		v := statSlow
		if verdicts != nil {
			v = verdicts[i]
		}
		switch v {
		case statSame:
			continue
		case statMissing:
			*deleted = append(*deleted, e.Path)
			continue
		}
		gone, diff, err := s.entryChanged(e, racy)
		switch {
		case err != nil:
			return err
		case gone:
			*deleted = append(*deleted, e.Path)
		case diff:
			*changed = append(*changed, e.Path)
		}
	}
	return nil
}

// entryChanged is the portable check of one entry, Git's: equal stat data
// prove the file unchanged unless racy; otherwise a file of the same size
// and mode (or whose recorded size Git zeroed, "smudged", because it was
// racy) is read and hashed.
func (s *Store) entryChanged(e *IndexEntry, racy time.Time) (gone, changed bool, err error) {
	name := s.diskPath(s.gitPath(e.Path))
	fi, err := os.Lstat(name)
	switch {
	case errors.Is(err, fs.ErrNotExist), errors.Is(err, syscall.ENOTDIR):
		return true, false, nil
	case err != nil:
		return false, false, err
	case fi.IsDir():
		return true, false, nil // the file is gone; what the folder holds is untracked (as git status says)
	case !fi.Mode().IsRegular():
		return false, true, nil
	case e.Matches(fi) && !isRacy(e, racy):
		return false, false, nil
	case gitMode(fi.Mode().Perm()) != e.Mode:
		return false, true, nil
	case fi.Size() != int64(e.Size) && e.Size != 0:
		return false, true, nil
	}
	data, err := os.ReadFile(name)
	if err != nil {
		return false, false, err
	}
	return false, BlobHash(data) != e.Hash, nil
}

// statVerdict is what a quick stat check says of an index entry.
type statVerdict uint8

const (
	statSlow    statVerdict = iota // unknown: compare with os.Lstat and, if needed, the content
	statSame                       // same stat data as recorded, not racy: unchanged
	statMissing                    // the file does not exist
)

// dirCache remembers, per folder (case-relative), its modification time
// and what it held when it was last read. A folder's tracked files are not
// stored (the index has them): only a fingerprint of their names, so that a
// file that stops or starts being tracked without its folder changing (git
// rm --cached, git add) makes the record stale.
type dirCache struct {
	mu    sync.Mutex
	dirs  map[string]dirRecord
	dirty bool
	// trustBefore is the file system's time when this process started
	// reading folders (the cache's new temporary file's time), or the
	// clock's if earlier: a folder read in this run is recorded only if
	// it last changed at least dirCacheMargin before.
	trustBefore time.Time
	tmp         *atomicfile.File // the next cache file, created at load
	path        string
}

// dirName is one entry of a folder's listing.
type dirName struct {
	name string
	dir  bool
}

type dirRecord struct {
	mtime   int64    // UnixNano of the folder's modification time
	tracked [16]byte // fingerprint of the tracked names in it (tracked)
	subdirs []string // names of sub-folders (not hidden)
	others  []string // names of everything else that was not tracked
}

// dirCacheMargin is how long before a run a folder must have changed for
// its listing to be kept: beyond any file system's timestamp granularity
// (FAT: 2 s), a later change cannot leave the same time.
const dirCacheMargin = 3 * time.Second

const dirCacheVersion = "acc-dircache-2"

func (s *Store) dirCachePath() string { return filepath.Join(s.CacheDir("worktree"), "dossiers") }

// trackedPrint fingerprints a folder's tracked names (sorted).
func trackedPrint(names []string) [16]byte {
	h := sha1.New()
	for _, n := range names {
		h.Write([]byte(n))
		h.Write([]byte{0})
	}
	var out [16]byte
	copy(out[:], h.Sum(nil))
	return out
}

func (s *Store) loadDirCache() *dirCache {
	dc := &dirCache{dirs: map[string]dirRecord{}, path: s.dirCachePath(), trustBefore: s.now()}
	// The temporary file of the next cache gives the file system's own
	// time, the one folder times are stamped with.
	if err := os.MkdirAll(filepath.Dir(dc.path), 0o700); err == nil {
		if tmp, err := atomicfile.Create(dc.path, 0o600); err == nil {
			dc.tmp = tmp
			if fi, err := tmp.Stat(); err == nil && fi.ModTime().Before(dc.trustBefore) {
				dc.trustBefore = fi.ModTime()
			}
		}
	}
	dc.trustBefore = dc.trustBefore.Add(-dirCacheMargin)
	data, err := os.ReadFile(dc.path)
	if err != nil {
		return dc
	}
	if recs, ok := parseDirCache(data); ok {
		dc.dirs = recs
	}
	return dc
}

// parseDirCache reads the cache file; a damaged one is not used.
func parseDirCache(data []byte) (map[string]dirRecord, bool) {
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	if !sc.Scan() || sc.Text() != dirCacheVersion {
		return nil, false
	}
	recs := map[string]dirRecord{}
	for sc.Scan() {
		// dir \t mtime \t tracked print \t subdir\x00subdir \t other\x00other
		f := strings.Split(sc.Text(), "\t")
		if len(f) != 5 {
			return nil, false
		}
		mt, err := strconv.ParseInt(f[1], 10, 64)
		if err != nil {
			return nil, false
		}
		var r dirRecord
		if n, err := hex.Decode(r.tracked[:], []byte(f[2])); err != nil || n != len(r.tracked) {
			return nil, false
		}
		r.mtime, r.subdirs, r.others = mt, splitNames(f[3]), splitNames(f[4])
		recs[f[0]] = r
	}
	return recs, sc.Err() == nil
}

func splitNames(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, "\x00")
}

// close gives up the cache's temporary file if save did not use it.
func (dc *dirCache) close() {
	if dc.tmp != nil {
		dc.tmp.Abort()
	}
}

// save writes the cache atomically when it changed; errors are ignored (it
// is only an accelerator).
func (dc *dirCache) save() {
	if !dc.dirty || dc.tmp == nil {
		return
	}
	var b bytes.Buffer
	b.WriteString(dirCacheVersion + "\n")
	for _, k := range sortedKeys(dc.dirs) {
		r := dc.dirs[k]
		b.WriteString(k + "\t" + strconv.FormatInt(r.mtime, 10) + "\t" + hex.EncodeToString(r.tracked[:]) + "\t" +
			strings.Join(r.subdirs, "\x00") + "\t" + strings.Join(r.others, "\x00") + "\n")
	}
	tmp := dc.tmp
	dc.tmp = nil
	defer tmp.Abort()
	// A cache: losing it costs a walk, so a failed write is ignored.
	if _, err := tmp.Write(b.Bytes()); err == nil {
		_ = tmp.Commit()
	}
}

// lookup returns the cached record of folder rel if the folder's time is
// still mtime and its tracked names still have that fingerprint.
func (dc *dirCache) lookup(rel string, mtime int64, tracked [16]byte) (dirRecord, bool) {
	dc.mu.Lock()
	rec, ok := dc.dirs[rel]
	dc.mu.Unlock()
	return rec, ok && rec.mtime == mtime && rec.tracked == tracked
}

// listed builds the record of folder rel from its listing, and keeps it
// for the next run if the folder changed long enough ago; otherwise a
// cached record is dropped (racy folder).
func (dc *dirCache) listed(rel string, mtime time.Time, ents []dirName, tracked []string) dirRecord {
	rec := dirRecord{mtime: mtime.UnixNano(), tracked: trackedPrint(tracked)}
	for _, e := range ents {
		name := e.name
		if e.dir {
			if !strings.HasPrefix(name, ".") {
				rec.subdirs = append(rec.subdirs, name)
			}
			continue
		}
		if i := sort.SearchStrings(tracked, name); i < len(tracked) && tracked[i] == name {
			continue
		}
		rec.others = append(rec.others, name)
	}
	dc.mu.Lock()
	defer dc.mu.Unlock()
	if mtime.Before(dc.trustBefore) {
		dc.dirs[rel] = rec
		dc.dirty = true
	} else if _, had := dc.dirs[rel]; had {
		delete(dc.dirs, rel)
		dc.dirty = true
	}
	return rec
}

// read returns folder rel's record (tracked: the names of its tracked
// files, sorted), from the cache when its time is unchanged; a missing
// folder has an empty record.
func (dc *dirCache) read(s *Store, rel string, tracked []string) (dirRecord, error) {
	name := s.diskPath(s.gitPath(rel))
	fi, err := os.Lstat(name)
	if errors.Is(err, fs.ErrNotExist) {
		return dirRecord{}, nil
	}
	if err != nil {
		return dirRecord{}, err
	}
	if !fi.IsDir() {
		return dirRecord{}, nil
	}
	if rec, ok := dc.lookup(rel, fi.ModTime().UnixNano(), trackedPrint(tracked)); ok {
		return rec, nil
	}
	ents, err := os.ReadDir(name)
	if err != nil {
		return dirRecord{}, err
	}
	names := make([]dirName, len(ents))
	for i, e := range ents {
		names[i] = dirName{name: e.Name(), dir: e.IsDir()}
	}
	return dc.listed(rel, fi.ModTime(), names, tracked), nil
}

// untracked walks the folders under dir and returns the untracked files
// kept by keep. Folders with tracked files were listed by checkFolders; the
// others are read here, from the cache when they did not change.
func (dc *dirCache) untracked(s *Store, dir string, folders []*folder, keep func(string) bool) ([]string, error) {
	scanned := make(map[string]*folder, len(folders))
	for _, f := range folders {
		scanned[f.dir] = f
	}
	var out []string
	var mu sync.Mutex
	var firstErr error
	sem := make(chan struct{}, runtime.GOMAXPROCS(0)*2)
	var wg sync.WaitGroup
	var visit func(rel string)
	visit = func(rel string) {
		defer wg.Done()
		var rec dirRecord
		if f := scanned[rel]; f != nil {
			rec = f.rec
		} else if err := bug.Call(func() (err error) { rec, err = dc.read(s, rel, nil); return err }); err != nil {
			mu.Lock()
			if firstErr == nil {
				firstErr = err
			}
			mu.Unlock()
			return
		}
		var found []string
		for _, name := range rec.others {
			if keep == nil || keep(name) {
				found = append(found, path.Join(rel, name))
			}
		}
		if len(found) > 0 {
			mu.Lock()
			out = append(out, found...)
			mu.Unlock()
		}
		for _, sub := range rec.subdirs {
			wg.Add(1)
			p := path.Join(rel, sub)
			if scanned[p] != nil {
				visit(p) // already listed: no I/O
				continue
			}
			select {
			case sem <- struct{}{}:
				go func() { defer func() { <-sem }(); visit(p) }()
			default:
				visit(p)
			}
		}
	}
	wg.Add(1)
	visit(dir)
	wg.Wait()
	return out, firstErr
}
