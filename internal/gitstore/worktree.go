package gitstore

import (
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
	"sync/atomic"
	"syscall"
	"time"

	"github.com/acc-formation/acc/internal/atomicfile"
	"github.com/acc-formation/acc/internal/bug"
	"github.com/acc-formation/acc/internal/racy"
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
	dir = strings.TrimSuffix(dir, "/")
	// The index's time is taken before it is read: a newer index read
	// afterwards only makes more entries racy.
	racy := s.indexRacyTime()
	dc := s.loadDirCache()
	defer dc.close()
	folders, changed, deleted, err := s.checkFolders(dc, dir, racy, seen != nil)
	if err != nil {
		return nil, nil, nil, err
	}
	if seen != nil {
		for _, f := range folders {
			if f.seenOK && f.scanned && len(f.entries) > 0 {
				seen(SeenFolder{Dir: f.dir, Files: f.seen, Others: splitNames(f.rec.others)})
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

// racyTime tells whether a file time t proves nothing against the index's
// time (or another reference): the negation of acc's one racy rule,
// racy.Proves.
func racyTime(t, indexTime time.Time) bool { return !racy.Proves(t, indexTime) }

// folder is the index entries directly in one case-relative folder, sorted.
type folder struct {
	dir     string
	entries []IndexEntry
	run     walkRun   // where entries lie while the index is read (folderWalk)
	rec     dirRecord // what the folder holds on disk, filled by checkFolder
	scanned bool      // rec is filled
	// With wantSeen, the quick path keeps in seen the stat data of the
	// tracked files it found; seenOK says that it had a definite answer
	// for every one.
	wantSeen bool
	seen     []SeenFile
	seenOK   bool
}

// names returns the base names of the folder's tracked entries, sorted.
func (f *folder) names() []string {
	out := make([]string, len(f.entries))
	for i := range f.entries {
		out[i] = path.Base(f.entries[i].Path)
	}
	return out
}

// checkFolders checks every tracked entry under the case-relative folder dir
// against the disk, folder by folder, and records each folder's listing for
// the untracked walk. It returns the folders: those holding tracked files
// and those on the way to them from dir (beneficiaires/ holds none itself,
// but its listing is what the untracked walk starts from).
//
// The index is read once, by one goroutine, while workers check the folders
// it has finished: each folder is handed over as soon as the walk has left
// it (the index is sorted by path, so a folder's entries, interleaved with
// those of its subfolders, all come before the first entry outside it). The
// workers take small runs of folders in turn: the kernel's work per folder
// varies (a listing of thousands of names, a folder not in memory).
func (s *Store) checkFolders(dc *dirCache, dir string, racy time.Time, wantSeen bool) (folders []*folder, changed, deleted []string, err error) {
	prefix, err := s.indexPrefix(dir)
	if err != nil {
		return nil, nil, nil, err
	}
	const run = 16 // folders handed over at a time
	type part struct {
		changed, deleted []string
		err              error
	}
	var parts []part
	runs := make(chan []*folder, 64)
	var failed atomic.Bool
	var wg sync.WaitGroup
	start := func(entries uint32) {
		parts = make([]part, max(1, min(runtime.GOMAXPROCS(0)*2, int(entries)/256+1)))
		for w := range parts {
			wg.Add(1)
			go func(p *part) {
				defer wg.Done()
				defer func() {
					if p.err != nil {
						failed.Store(true)
					}
					for range runs { // the walk must not wait for a worker that stopped
					}
				}()
				defer bug.Recover(&p.err)
				var op folderOpener
				defer op.close()
				for fs := range runs {
					for _, f := range fs {
						if failed.Load() {
							return
						}
						f.wantSeen = wantSeen
						if p.err = s.checkFolder(dc, f, racy, &op, &p.changed, &p.deleted); p.err != nil {
							return
						}
					}
				}
			}(&parts[w])
		}
	}
	var batch []*folder
	w := folderWalk{dir: dir, hand: func(f *folder) {
		folders = append(folders, f)
		if batch = append(batch, f); len(batch) == run {
			runs <- batch
			batch = nil
		}
	}}
	walkErr := s.readIndex(func(ix *indexFile) error {
		start(ix.count)
		w.all = make([]IndexEntry, 0, ix.count)
		var werr error
		err := s.walkCaseEntries(ix, prefix, func(e *rawEntry, name []byte) bool {
			if werr = w.add(decodeIndexEntry(ix, e, string(name))); werr != nil {
				werr = ix.corrupt(werr.Error())
				return false
			}
			return !failed.Load()
		})
		if err == nil {
			err = werr
		}
		return err
	})
	w.finish()
	if len(batch) > 0 {
		runs <- batch
	}
	close(runs)
	wg.Wait()
	for _, p := range parts {
		if p.err != nil {
			return nil, nil, nil, p.err
		}
		changed = append(changed, p.changed...)
		deleted = append(deleted, p.deleted...)
	}
	if walkErr != nil {
		return nil, nil, nil, walkErr
	}
	return folders, changed, deleted, nil
}

// folderWalk groups the index's entries under a folder by folder, and hands
// each folder over once the walk has left it; the folders on the way from
// dir to them come too, with no entries of their own (or theirs).
type folderWalk struct {
	dir  string
	open []*folder // the last entry's folder and its parents up to dir, outermost first
	prev string
	any  bool
	hand func(*folder)
	// all holds the entries in the walk's order: a folder whose entries
	// follow each other (all but a folder interrupted by a subfolder's) is a
	// part of it, not a slice of its own grown entry by entry.
	all []IndexEntry
}

// walkRun is where a folder's entries lie in folderWalk.all while they
// follow each other.
type walkRun struct{ lo, hi int }

// add puts the next entry (in the index's order) in its folder.
func (w *folderWalk) add(e IndexEntry) error {
	if w.any && e.Path <= w.prev {
		// Git refuses such an index too ("unordered stage entries").
		return errors.New("entrées dans le désordre")
	}
	w.prev, w.any = e.Path, true
	d := path.Dir(e.Path)
	if d == "." {
		d = ""
	}
	for len(w.open) > 0 && !inFolder(d, w.open[len(w.open)-1].dir) {
		w.pop()
	}
	var down []string // the folders to open, innermost first
	for x := d; len(w.open) == 0 || w.open[len(w.open)-1].dir != x; {
		down = append(down, x)
		if x == w.dir || x == "" {
			break
		}
		if x = path.Dir(x); x == "." {
			x = ""
		}
	}
	for i := len(down) - 1; i >= 0; i-- {
		w.open = append(w.open, &folder{dir: down[i]})
	}
	f := w.open[len(w.open)-1]
	i := len(w.all)
	w.all = append(w.all, e)
	switch {
	case f.run.hi == i && f.run.hi > f.run.lo: // follows the folder's last entry
		f.run.hi++
	case f.run.hi == f.run.lo && len(f.entries) == 0: // its first entry
		f.run = walkRun{i, i + 1}
	default: // after a subfolder's entries: the folder gets its own slice
		if f.run.hi > f.run.lo {
			f.entries = append([]IndexEntry(nil), w.all[f.run.lo:f.run.hi]...)
			f.run = walkRun{}
		}
		f.entries = append(f.entries, e)
	}
	return nil
}

func (w *folderWalk) pop() {
	f := w.open[len(w.open)-1]
	w.open = w.open[:len(w.open)-1]
	if f.run.hi > f.run.lo {
		f.entries = w.all[f.run.lo:f.run.hi:f.run.hi]
	}
	w.hand(f)
}

// finish hands over the folders still open.
func (w *folderWalk) finish() {
	for len(w.open) > 0 {
		w.pop()
	}
}

// inFolder tells whether the case-relative folder d is dir or lies under it.
func inFolder(d, dir string) bool {
	return dir == "" || d == dir || (len(d) > len(dir) && d[len(dir)] == '/' && d[:len(dir)] == dir)
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
// rm --cached, git add) makes the record stale. A folder listed by a reader
// that does not know the index (acc validate's, FolderRecorder) is recorded
// whole instead: all its names, from which the tracked ones are taken out
// when the record is used.
type dirCache struct {
	mu    sync.Mutex
	dirs  map[string]dirRecord
	dirty bool
	// trustBefore is the file system's time when this process started
	// reading folders (the cache's new temporary file's time), or the
	// clock's if earlier: a folder read in this run is recorded only if
	// it last changed strictly before (racyTime, Git's rule for its own
	// untracked cache): any change after the listing stamps the folder
	// with that time or a later one, never again with the recorded one.
	trustBefore time.Time
	tmp         *atomicfile.File // the next cache file, created at load
	path        string
}

// dirName is one entry of a folder's listing.
type dirName struct {
	name string
	dir  bool
}

// Its names are kept joined by NUL, as the cache file has them: a record is
// one string of each kind, not a string per name (10,000 records live in
// memory beside a validation of 100,000 documents).
type dirRecord struct {
	folderStamp          // the folder's own times and inode when it was listed
	tracked     [16]byte // fingerprint of the tracked names in it (tracked), unless whole
	subdirs     string   // names of sub-folders (not hidden)
	others      string   // names of everything else that was not tracked (or everything else, if whole)
	whole       bool     // others lists every name that is not a folder, tracked or not
}

// folderStamp is what tells that a folder was not replaced and that its
// entries did not change: its modification time (nanoseconds), and where
// the system gives them its change time and inode (zero otherwise), as
// Git's untracked cache compares a folder's stat data. A folder renamed
// into the place of another keeps its own time, which can be the other's
// to the nanosecond when both were written in the same tick (a clone): its
// inode and change time differ.
type folderStamp struct {
	mtime, ctime int64
	ino          uint64
}

// nameSep joins the names of a record.
const nameSep = "\x00"

const dirCacheVersion = "acc-dircache-5"

// dirCacheSum is the prefix of the cache file's last line, the SHA-1 of what
// precedes it: the file is written without fsync (a cache), and a file torn
// by a crash must not pass for one that lists fewer names.
const dirCacheSum = "sum "

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
	if dc.tmp == nil || !folderTimesTrack(filepath.Dir(dc.path)) {
		// Folder times prove nothing here: every folder is listed, none
		// recorded (racyTime is true against no reference).
		dc.trustBefore = time.Time{}
		return dc
	}
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
	body, sum, ok := cutDirCacheSum(data)
	if !ok {
		return nil, false
	}
	if got := sha1.Sum(body); hex.EncodeToString(got[:]) != sum {
		return nil, false
	}
	// One string for the whole file: the records' strings are parts of it.
	text, ok := strings.CutPrefix(string(body), dirCacheVersion+"\n")
	if !ok {
		return nil, false
	}
	recs := make(map[string]dirRecord, strings.Count(text, "\n"))
	var f [7]string
	for line := range strings.Lines(text) {
		// dir \t mtime \t ctime \t inode \t tracked print (* if whole) \t subdir\x00subdir \t other\x00other
		rest := strings.TrimSuffix(line, "\n")
		for i := range f {
			var found bool
			if f[i], rest, found = strings.Cut(rest, "\t"); found != (i < len(f)-1) {
				return nil, false
			}
		}
		var r dirRecord
		var err1, err2, err3 error
		r.mtime, err1 = strconv.ParseInt(f[1], 10, 64)
		r.ctime, err2 = strconv.ParseInt(f[2], 10, 64)
		r.ino, err3 = strconv.ParseUint(f[3], 10, 64)
		if err1 != nil || err2 != nil || err3 != nil {
			return nil, false
		}
		if f[4] == wholeMark {
			r.whole = true
		} else if len(f[4]) != hex.EncodedLen(len(r.tracked)) {
			return nil, false
		} else if _, err := hex.Decode(r.tracked[:], []byte(f[4])); err != nil {
			return nil, false
		}
		r.subdirs, r.others = f[5], f[6]
		recs[f[0]] = r
	}
	return recs, true
}

// cutDirCacheSum splits the cache file into its records and the checksum
// of its last line.
func cutDirCacheSum(data []byte) (body []byte, sum string, ok bool) {
	if len(data) == 0 || data[len(data)-1] != '\n' {
		return nil, "", false
	}
	i := bytes.LastIndexByte(data[:len(data)-1], '\n') + 1
	last := string(data[i : len(data)-1])
	if !strings.HasPrefix(last, dirCacheSum) {
		return nil, "", false
	}
	return data[:i], strings.TrimPrefix(last, dirCacheSum), true
}

func splitNames(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, nameSep)
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
	b := encodeDirCache(dc.dirs)
	tmp := dc.tmp
	dc.tmp = nil
	defer tmp.Abort()
	// A cache: losing it costs a walk, so a failed write is ignored, and a
	// torn one is refused by its checksum.
	if _, err := tmp.Write(b); err == nil {
		_ = tmp.CommitUnsynced()
	}
}

// folderTimesTrack is racy.FolderTimesTrack (a variable for the tests of a
// file system that does not move folder times).
var folderTimesTrack = racy.FolderTimesTrack

// wholeMark stands for the tracked names' fingerprint in a whole record.
const wholeMark = "*"

// lookup returns the cached record of folder rel if the folder's stamp is
// still st and, for a record that is not whole, its tracked names (sorted)
// still have the recorded fingerprint; a whole record is given with the
// tracked names taken out of its others.
func (dc *dirCache) lookup(rel string, st folderStamp, tracked []string) (dirRecord, bool) {
	dc.mu.Lock()
	rec, ok := dc.dirs[rel]
	dc.mu.Unlock()
	switch {
	case !ok || rec.folderStamp != st:
		return dirRecord{}, false
	case rec.whole:
		var others []string
		for _, name := range splitNames(rec.others) {
			if !isTracked(tracked, name) {
				others = append(others, name)
			}
		}
		rec.others, rec.whole = strings.Join(others, nameSep), false
		return rec, true
	}
	return rec, rec.tracked == trackedPrint(tracked)
}

// isTracked tells whether name is among the sorted tracked names.
func isTracked(tracked []string, name string) bool {
	i := sort.SearchStrings(tracked, name)
	return i < len(tracked) && tracked[i] == name
}

// listed builds the record of folder rel from its listing, and keeps it
// for the next run if the folder last changed before this run began to
// list folders; otherwise a cached record is dropped (racy folder). A
// whole record keeps every name (tracked is then not used).
func (dc *dirCache) listed(rel string, st folderStamp, ents []dirName, tracked []string, whole bool) dirRecord {
	rec := dirRecord{folderStamp: st, whole: whole}
	if !whole {
		rec.tracked = trackedPrint(tracked)
	}
	var subdirs, others strings.Builder
	// A name that would break the cache file's lines is not recorded: the
	// folder is listed every time.
	keepable := !strings.ContainsAny(rel, "\t\n")
	add := func(b *strings.Builder, name string) {
		if b.Len() > 0 {
			b.WriteString(nameSep)
		}
		b.WriteString(name)
		keepable = keepable && !strings.ContainsAny(name, "\t\n")
	}
	for _, e := range ents {
		switch {
		case e.dir:
			if !strings.HasPrefix(e.name, ".") {
				add(&subdirs, e.name)
			}
		case whole || !isTracked(tracked, e.name):
			add(&others, e.name)
		}
	}
	rec.subdirs, rec.others = subdirs.String(), others.String()
	dc.mu.Lock()
	defer dc.mu.Unlock()
	if keepable && !racyTime(time.Unix(0, st.mtime), dc.trustBefore) {
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
	st := folderStampOf(fi)
	if rec, ok := dc.lookup(rel, st, tracked); ok {
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
	return dc.listed(rel, st, names, tracked, false), nil
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
		for _, name := range splitNames(rec.others) {
			if keep == nil || keep(name) {
				found = append(found, path.Join(rel, name))
			}
		}
		if len(found) > 0 {
			mu.Lock()
			out = append(out, found...)
			mu.Unlock()
		}
		for _, sub := range splitNames(rec.subdirs) {
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

// recordFolders fills the folder cache for a work tree that this process
// has just written, whose tracked files are the Git paths given (a fresh
// clone's checkout): every folder holding one, and every folder on the way
// to it from the case-file root, is listed once and recorded, so that the
// first acc commit or status after a clone does not list 10,000 folders
// again. The rule is the cache's own (dirCache.listed): a folder changed in
// the same tick of the file system's clock as the listing began is not
// recorded. Errors are ignored: the cache is only an accelerator.
func (s *Store) recordFolders(gitPaths []string) {
	tracked := map[string][]string{} // case-relative folder -> tracked names
	for _, gp := range gitPaths {
		rel, ok := s.casePath(gp)
		if !ok {
			continue
		}
		d, name := path.Split(rel)
		d = strings.TrimSuffix(d, "/")
		tracked[d] = append(tracked[d], name)
		for d != "" {
			if d = path.Dir(d); d == "." {
				d = ""
			}
			if _, seen := tracked[d]; seen {
				break
			}
			tracked[d] = nil
		}
	}
	if len(tracked) == 0 {
		return
	}
	dirs := sortedKeys(tracked)
	dc := s.loadDirCache()
	defer dc.close()
	_ = parallelLimit(len(dirs), runtime.GOMAXPROCS(0)*2, func(i int) error {
		names := tracked[dirs[i]]
		sort.Strings(names)
		_, err := dc.read(s, dirs[i], names)
		return err
	})
	dc.save()
}

// FolderRecorder records in the folder cache the folders listed by another
// reader of the work tree (acc validate's and acc report's), when the copy
// has no folder cache yet (a git clone, a cache removed): the first acc
// commit or status then lists only the folders changed since. Such a
// reader does not know which names are tracked, so each folder is recorded
// whole (dirCache.listed). The times are judged as for the cache's own
// listings: a folder changed in the same tick of the file system's clock
// as the recorder was made, or later, is not recorded. Safe for concurrent
// use.
type FolderRecorder struct {
	dc *dirCache
}

// NewFolderRecorder returns a recorder, or nil when the folder cache exists
// (its own listings keep it current) or cannot be written.
func (s *Store) NewFolderRecorder() *FolderRecorder {
	if _, err := os.Lstat(s.dirCachePath()); !errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	dc := s.loadDirCache()
	if dc.tmp == nil || dc.trustBefore.IsZero() {
		dc.close()
		return nil
	}
	return &FolderRecorder{dc: dc}
}

// Listed records the case-relative folder rel as listed in ents; mtime,
// ctime (nanoseconds) and ino are the folder's, read before the listing
// (ctime and ino zero where the system does not give them).
func (r *FolderRecorder) Listed(rel string, mtime, ctime int64, ino uint64, ents []fs.DirEntry) {
	names := make([]dirName, len(ents))
	for i, e := range ents {
		names[i] = dirName{name: e.Name(), dir: e.IsDir()}
	}
	r.dc.listed(rel, folderStamp{mtime: mtime, ctime: ctime, ino: ino}, names, nil, true)
}

// Save writes the cache (errors ignored: it is only an accelerator). The
// recorder is not used afterwards.
func (r *FolderRecorder) Save() {
	r.dc.save()
	r.dc.close()
}

// encodeDirCache is the cache file of the records dirs: a line per folder,
// sorted, then the checksum line (parseDirCache reads it).
func encodeDirCache(dirs map[string]dirRecord) []byte {
	keys := sortedKeys(dirs)
	size := len(dirCacheVersion) + 1 + len(dirCacheSum) + 2*sha1.Size + 1
	for _, k := range keys {
		r := dirs[k]
		size += len(k) + len(r.subdirs) + len(r.others) + 2*len(r.tracked) + 70
	}
	b := bytes.NewBuffer(make([]byte, 0, size))
	b.WriteString(dirCacheVersion + "\n")
	var num [20]byte
	for _, k := range keys {
		r := dirs[k]
		print := wholeMark
		if !r.whole {
			print = hex.EncodeToString(r.tracked[:])
		}
		b.WriteString(k)
		b.WriteByte('\t')
		b.Write(strconv.AppendInt(num[:0], r.mtime, 10))
		b.WriteByte('\t')
		b.Write(strconv.AppendInt(num[:0], r.ctime, 10))
		b.WriteByte('\t')
		b.Write(strconv.AppendUint(num[:0], r.ino, 10))
		for _, part := range [...]string{print, r.subdirs, r.others} {
			b.WriteByte('\t')
			b.WriteString(part)
		}
		b.WriteByte('\n')
	}
	sum := sha1.Sum(b.Bytes())
	b.WriteString(dirCacheSum + hex.EncodeToString(sum[:]) + "\n")
	return b.Bytes()
}
