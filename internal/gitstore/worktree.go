package gitstore

import (
	"bufio"
	"bytes"
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
// only when its stat data changed; the stat calls run in parallel. Untracked
// files are found with a folder cache (.git/acc/cache/worktree, Git's
// "untracked cache" idea): a folder whose modification time has not changed
// since it was last read has the same entries, so only changed folders are
// read again. Its cost then follows the changes and one stat per file and
// per folder, not a full directory walk.
func (s *Store) WorkChanges(dir string, keep func(name string) bool) (changed, deleted, untracked []string, err error) {
	entries, err := s.IndexEntries(dir)
	if err != nil {
		return nil, nil, nil, err
	}
	changed, deleted, err = s.statChanges(entries)
	if err != nil {
		return nil, nil, nil, err
	}
	tracked := func(p string) bool {
		i := sort.Search(len(entries), func(i int) bool { return entries[i].Path >= p })
		return i < len(entries) && entries[i].Path == p
	}
	dc := s.loadDirCache()
	untracked, err = dc.untracked(s, dir, tracked, keep)
	if err != nil {
		return nil, nil, nil, err
	}
	dc.save(s)
	sort.Strings(changed)
	sort.Strings(deleted)
	sort.Strings(untracked)
	return changed, deleted, untracked, nil
}

// statChanges compares each entry's stat data with the file on disk, in
// parallel chunks.
func (s *Store) statChanges(entries []IndexEntry) (changed, deleted []string, err error) {
	workers := runtime.GOMAXPROCS(0) * 2
	if workers > len(entries)/256+1 {
		workers = len(entries)/256 + 1
	}
	type part struct {
		changed, deleted []string
		err              error
	}
	parts := make([]part, workers)
	var wg sync.WaitGroup
	chunk := (len(entries) + workers - 1) / workers
	for w := 0; w < workers; w++ {
		lo, hi := w*chunk, min((w+1)*chunk, len(entries))
		wg.Add(1)
		go func(p *part, es []IndexEntry) {
			defer wg.Done()
			defer bug.Recover(&p.err)
			quick := s.quickStat(es)
			for i, e := range es {
				switch quick[i] {
				case statSame:
					continue
				case statMissing:
					p.deleted = append(p.deleted, e.Path)
					continue
				}
				name := s.diskPath(s.gitPath(e.Path))
				fi, err := os.Lstat(name)
				switch {
				case errors.Is(err, fs.ErrNotExist):
					p.deleted = append(p.deleted, e.Path)
					continue
				case err != nil:
					p.err = err
					return
				case e.Matches(fi):
					continue
				case !fi.Mode().IsRegular():
					p.changed = append(p.changed, e.Path)
					continue
				}
				if fi.Size() == int64(e.Size) && gitMode(fi.Mode().Perm()) == e.Mode {
					data, err := os.ReadFile(name)
					if err != nil {
						p.err = err
						return
					}
					if BlobHash(data) == e.Hash {
						continue // touched, not changed
					}
				}
				p.changed = append(p.changed, e.Path)
			}
		}(&parts[w], entries[lo:hi])
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

// statVerdict is what a quick stat check says of an index entry.
type statVerdict uint8

const (
	statSlow    statVerdict = iota // unknown: compare with os.Lstat and, if needed, the content
	statSame                       // same stat data as recorded: unchanged
	statMissing                    // the file does not exist
)

// dirCache remembers, per folder (case-relative), its modification time
// and its entries when it was last read.
type dirCache struct {
	mu     sync.Mutex
	dirs   map[string]dirRecord
	dirty  bool
	readAt time.Time // when this process started reading folders
}

type dirRecord struct {
	mtime   int64    // UnixNano of the folder's modification time
	subdirs []string // names of sub-folders
	files   []string // names of everything else
}

const dirCacheVersion = "acc-dircache-1"

func (s *Store) dirCachePath() string { return filepath.Join(s.CacheDir("worktree"), "dossiers") }

func (s *Store) loadDirCache() *dirCache {
	dc := &dirCache{dirs: map[string]dirRecord{}, readAt: s.now()}
	data, err := os.ReadFile(s.dirCachePath())
	if err != nil {
		return dc
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	if !sc.Scan() || sc.Text() != dirCacheVersion {
		return dc
	}
	for sc.Scan() {
		// dir \t mtime \t subdir\x00subdir \t file\x00file
		f := strings.Split(sc.Text(), "\t")
		if len(f) != 4 {
			return &dirCache{dirs: map[string]dirRecord{}, readAt: dc.readAt}
		}
		mt, err := strconv.ParseInt(f[1], 10, 64)
		if err != nil {
			return &dirCache{dirs: map[string]dirRecord{}, readAt: dc.readAt}
		}
		dc.dirs[f[0]] = dirRecord{mtime: mt, subdirs: splitNames(f[2]), files: splitNames(f[3])}
	}
	return dc
}

func splitNames(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, "\x00")
}

// save writes the cache atomically when it changed; errors are ignored (it
// is only an accelerator).
func (dc *dirCache) save(s *Store) {
	if !dc.dirty {
		return
	}
	var b bytes.Buffer
	b.WriteString(dirCacheVersion + "\n")
	keys := make([]string, 0, len(dc.dirs))
	for k := range dc.dirs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		r := dc.dirs[k]
		b.WriteString(k + "\t" + strconv.FormatInt(r.mtime, 10) + "\t" + strings.Join(r.subdirs, "\x00") + "\t" + strings.Join(r.files, "\x00") + "\n")
	}
	name := s.dirCachePath()
	if err := os.MkdirAll(filepath.Dir(name), 0o700); err != nil {
		return
	}
	// A cache: losing it costs a walk, so a failed write is ignored.
	_ = atomicfile.WriteFile(name, b.Bytes(), 0o600)
}

// untracked walks the folders under dir, reading only those whose
// modification time changed, and returns the untracked files kept by keep.
func (dc *dirCache) untracked(s *Store, dir string, tracked func(string) bool, keep func(string) bool) ([]string, error) {
	var out []string
	var mu sync.Mutex
	var firstErr error
	sem := make(chan struct{}, runtime.GOMAXPROCS(0)*2)
	var wg sync.WaitGroup
	var visit func(rel string)
	visit = func(rel string) {
		defer wg.Done()
		var rec dirRecord
		err := bug.Call(func() (err error) { rec, err = dc.read(s, rel); return err })
		if err != nil {
			mu.Lock()
			if firstErr == nil {
				firstErr = err
			}
			mu.Unlock()
			return
		}
		var found []string
		for _, name := range rec.files {
			p := path.Join(rel, name)
			if !tracked(p) && (keep == nil || keep(name)) {
				found = append(found, p)
			}
		}
		if len(found) > 0 {
			mu.Lock()
			out = append(out, found...)
			mu.Unlock()
		}
		for _, sub := range rec.subdirs {
			wg.Add(1)
			select {
			case sem <- struct{}{}:
				go func(p string) { defer func() { <-sem }(); visit(p) }(path.Join(rel, sub))
			default:
				visit(path.Join(rel, sub))
			}
		}
	}
	wg.Add(1)
	visit(dir)
	wg.Wait()
	return out, firstErr
}

// read returns a folder's entries, from the cache when its modification
// time is unchanged and old enough not to be racy.
func (dc *dirCache) read(s *Store, rel string) (dirRecord, error) {
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
	mt := fi.ModTime().UnixNano()
	dc.mu.Lock()
	rec, ok := dc.dirs[rel]
	dc.mu.Unlock()
	if ok && rec.mtime == mt {
		return rec, nil
	}
	ents, err := os.ReadDir(name)
	if err != nil {
		return dirRecord{}, err
	}
	rec = dirRecord{mtime: mt}
	for _, e := range ents {
		if e.IsDir() {
			if !strings.HasPrefix(e.Name(), ".") {
				rec.subdirs = append(rec.subdirs, e.Name())
			}
			continue
		}
		rec.files = append(rec.files, e.Name())
	}
	// A folder changed within the last two seconds may change again within
	// the same timestamp granularity: do not trust it next time ("racy").
	if fi.ModTime().Before(dc.readAt.Add(-2 * time.Second)) {
		dc.mu.Lock()
		dc.dirs[rel] = rec
		dc.dirty = true
		dc.mu.Unlock()
	} else {
		dc.mu.Lock()
		if _, had := dc.dirs[rel]; had {
			delete(dc.dirs, rel)
			dc.dirty = true
		}
		dc.mu.Unlock()
	}
	return rec, nil
}
