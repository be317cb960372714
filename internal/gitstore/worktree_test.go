//go:build unix

package gitstore

import (
	"bytes"
	"crypto/sha1"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/acc-formation/acc/internal/racy"
)

// The folder cache must never hide a change: a file added to a folder
// read before (its modification time changes), a file that stops being
// tracked without its folder changing, and a racy folder.
func TestWorkChangesFolderCache(t *testing.T) {
	dir := newRepo(t)
	writeFile(t, filepath.Join(dir, "acc.yaml"), "organisation: X\n")
	s := openLocked(t, dir)
	mustCommit(t, s, "un", Change{Path: "beneficiaires/a/fiche.md", Content: []byte("a\n")},
		Change{Path: "beneficiaires/b/fiche.md", Content: []byte("b\n")})
	old := time.Now().Add(-time.Hour)
	age := func() { setFolderTimes(t, dir, old, "beneficiaires", "beneficiaires/a", "beneficiaires/b") }
	age()
	check := func(wantUntracked []string) {
		t.Helper()
		_, _, untracked, err := s.WorkChanges("beneficiaires", nil)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(untracked, wantUntracked) {
			t.Fatalf("untracked = %v, want %v\ngit status:\n%s", untracked, wantUntracked, git(t, dir, "status", "--porcelain", "--untracked-files=all"))
		}
	}
	check(nil) // fills the cache
	if _, err := os.Stat(s.dirCachePath()); err != nil {
		t.Fatalf("cache not written: %v", err)
	}
	// A new file and a new folder: their parents' times change.
	writeFile(t, filepath.Join(dir, "beneficiaires/a/2026-11-25-entretien-suivi.md"), "x\n")
	writeFile(t, filepath.Join(dir, "beneficiaires/c/fiche.md"), "c\n")
	check([]string{"beneficiaires/a/2026-11-25-entretien-suivi.md", "beneficiaires/c/fiche.md"})
	// The same answer from the cache once the folders are old.
	age()
	os.Chtimes(filepath.Join(dir, "beneficiaires/c"), old, old)
	check([]string{"beneficiaires/a/2026-11-25-entretien-suivi.md", "beneficiaires/c/fiche.md"})
	check([]string{"beneficiaires/a/2026-11-25-entretien-suivi.md", "beneficiaires/c/fiche.md"})
	// Untracked without any folder change: git rm --cached.
	git(t, dir, "rm", "-q", "--cached", "beneficiaires/b/fiche.md")
	check([]string{"beneficiaires/a/2026-11-25-entretien-suivi.md", "beneficiaires/b/fiche.md", "beneficiaires/c/fiche.md"})
	// A cache torn by a crash (it is written without fsync) is ignored, even
	// where what is left reads as records that list fewer names: here a's
	// untracked file is gone from its record, its checksum line kept.
	data, err := os.ReadFile(s.dirCachePath())
	if err != nil {
		t.Fatal(err)
	}
	torn := strings.Replace(string(data), "\t2026-11-25-entretien-suivi.md\n", "\t\n", 1)
	if torn == string(data) {
		t.Fatalf("no record of a's untracked file in the cache:\n%s", data)
	}
	if err := os.WriteFile(s.dirCachePath(), []byte(torn), 0o600); err != nil {
		t.Fatal(err)
	}
	check([]string{"beneficiaires/a/2026-11-25-entretien-suivi.md", "beneficiaires/b/fiche.md", "beneficiaires/c/fiche.md"})
	// A damaged cache is ignored.
	if err := os.WriteFile(s.dirCachePath(), []byte("acc-dircache-1\nnot\ta\trecord\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	check([]string{"beneficiaires/a/2026-11-25-entretien-suivi.md", "beneficiaires/b/fiche.md", "beneficiaires/c/fiche.md"})
}

// forgeRacy puts the index in the racy state a file system with coarse
// timestamps produces: path was rewritten with the same size within the
// timestamp tick the index was written in, so the index entry's stat data
// equal the new file's while its hash is the old content's. The file and
// the index carry the same time (a second's tick), an hour ago.
func forgeRacy(t *testing.T, s *Store, dir, path, content string) {
	t.Helper()
	ent, ok, err := s.IndexEntry(path)
	if err != nil || !ok {
		t.Fatalf("IndexEntry(%s) = %v %v", path, ok, err)
	}
	disk := filepath.Join(dir, filepath.FromSlash(path))
	writeFile(t, disk, content)
	past := time.Now().Add(-time.Hour).Truncate(time.Second)
	if err := os.Chtimes(disk, past, past); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Lstat(disk)
	if err != nil {
		t.Fatal(err)
	}
	h, err := s.requireLock()
	if err != nil {
		t.Fatal(err)
	}
	l, err := s.takeGitLock(h, s.indexPath(), 0o644)
	if err != nil {
		t.Fatal(err)
	}
	u := indexUpdate{path: s.gitPath(path), hash: ent.Hash, mode: ent.Mode, stat: fileStat(fi)}
	if err := s.writeIndexLock(l, []indexUpdate{u}); err != nil {
		t.Fatal(err)
	}
	if err := l.commit(); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(s.indexPath(), past, past); err != nil {
		t.Fatal(err)
	}
}

// A same-size rewrite in the tick the index was written in keeps the stat
// data the index recorded: only the content can tell. WorkChanges must
// see it (git status does), and so must every later reader after acc
// rewrites the index later (the entry is smudged, as Git does).
func TestWorkChangesRacyEdit(t *testing.T) {
	dir := newRepo(t)
	s := openLocked(t, dir)
	mustCommit(t, s, "un", Change{Path: "beneficiaires/a/fiche.md", Content: []byte("aaaa\n")},
		Change{Path: "beneficiaires/b/fiche.md", Content: []byte("bbbb\n")})
	forgeRacy(t, s, dir, "beneficiaires/a/fiche.md", "AAAA\n")
	check := func(when string) {
		t.Helper()
		changed, deleted, untracked, err := s.WorkChanges("beneficiaires", nil)
		if err != nil {
			t.Fatal(err)
		}
		if want := []string{"beneficiaires/a/fiche.md"}; !reflect.DeepEqual(changed, want) || deleted != nil || untracked != nil {
			t.Fatalf("%s: WorkChanges = %v %v %v, want changed %v", when, changed, deleted, untracked, want)
		}
		// Git, the judge, without refreshing the index.
		if st := strings.TrimRight(git(t, dir, "--no-optional-locks", "status", "--porcelain"), "\n"); st != " M beneficiaires/a/fiche.md" {
			t.Fatalf("%s: git status = %q", when, st)
		}
	}
	check("racy index")
	// Another commit rewrites the index now, keeping a's entry.
	mustCommit(t, s, "deux", Change{Path: "beneficiaires/b/fiche.md", Content: []byte("BBBB\n")})
	ent, _, err := s.IndexEntry("beneficiaires/a/fiche.md")
	if err != nil {
		t.Fatal(err)
	}
	if ent.Size != 0 {
		t.Fatalf("racily clean entry kept with size %d, want 0 (smudged)", ent.Size)
	}
	check("index rewritten")
	// Committed, the file is clean again and its entry real.
	mustCommit(t, s, "trois", Change{Path: "beneficiaires/a/fiche.md", FromDisk: true})
	if changed, deleted, untracked, err := s.WorkChanges("beneficiaires", nil); err != nil || changed != nil || deleted != nil || untracked != nil {
		t.Fatalf("after commit: %v %v %v %v", changed, deleted, untracked, err)
	}
	checkClean(t, dir)
}

// A file Git smudged (size 0 in the index, content unchanged) is not a
// change: its content is compared.
func TestWorkChangesSmudgedEntry(t *testing.T) {
	dir := newRepo(t)
	s := openLocked(t, dir)
	mustCommit(t, s, "un", Change{Path: "beneficiaires/a/fiche.md", Content: []byte("aaaa\n")})
	ent, _, _ := s.IndexEntry("beneficiaires/a/fiche.md")
	h, _ := s.requireLock()
	l, err := s.takeGitLock(h, s.indexPath(), 0o644)
	if err != nil {
		t.Fatal(err)
	}
	fi, _ := os.Lstat(filepath.Join(dir, "beneficiaires/a/fiche.md"))
	st := fileStat(fi)
	st.size = 0
	if err := s.writeIndexLock(l, []indexUpdate{{path: "beneficiaires/a/fiche.md", hash: ent.Hash, mode: ent.Mode, stat: st}}); err != nil {
		t.Fatal(err)
	}
	if err := l.commit(); err != nil {
		t.Fatal(err)
	}
	if changed, deleted, untracked, err := s.WorkChanges("beneficiaires", nil); err != nil || changed != nil || deleted != nil || untracked != nil {
		t.Fatalf("smudged entry: %v %v %v %v", changed, deleted, untracked, err)
	}
}

// Every kind of hand edit, with the folder cache warm and trusted: the
// answer is git status's, whatever the cache says.
func TestWorkChangesAgreesWithGitStatus(t *testing.T) {
	dir := newRepo(t)
	s := openLocked(t, dir)
	var changes []Change
	for _, b := range []string{"a", "b", "c", "d", "e", "f", "g", "h"} {
		changes = append(changes, Change{Path: "beneficiaires/" + b + "/fiche.md", Content: []byte(b + " fiche\n")},
			Change{Path: "beneficiaires/" + b + "/2026-11-02-note.md", Content: []byte(b + " note\n")})
	}
	// A folder's files interleaved with its subfolder's in the index's
	// order ("i/b.md" < "i/b/c.md" < "i/c.md"): the index is read while the
	// folders are checked, each handed over once the walk has left it.
	changes = append(changes, Change{Path: "beneficiaires/i/b.md", Content: []byte("i b\n")},
		Change{Path: "beneficiaires/i/b/c.md", Content: []byte("i b c\n")},
		Change{Path: "beneficiaires/i/b/d.md", Content: []byte("i b d\n")},
		Change{Path: "beneficiaires/i/c.md", Content: []byte("i c\n")})
	mustCommit(t, s, "un", changes...)
	old := time.Now().Add(-time.Hour)
	filepath.WalkDir(filepath.Join(dir, "beneficiaires"), func(p string, d fs.DirEntry, err error) error {
		if err == nil {
			os.Chtimes(p, old, old)
		}
		return err
	})
	// The cache is filled and trusted (every folder an hour old).
	if c, d, u, err := s.WorkChanges("beneficiaires", nil); err != nil || c != nil || d != nil || u != nil {
		t.Fatalf("clean tree: %v %v %v %v", c, d, u, err)
	}
	b := func(p string) string { return filepath.Join(dir, "beneficiaires", filepath.FromSlash(p)) }
	writeFile(t, b("a/fiche.md"), "a FICHE\n")                             // in place, same size
	os.Chtimes(b("b/fiche.md"), time.Now(), time.Now())                    // touch only: no change
	writeFile(t, b("c/2026-11-25-suivi.md"), "new\n")                      // new file in a folder
	writeFile(t, b("z/fiche.md"), "z\n")                                   // new folder
	os.Remove(b("d/2026-11-02-note.md"))                                   // deletion
	os.Rename(b("e/2026-11-02-note.md"), b("e/2026-11-03-note.md"))        // rename
	os.Chmod(b("f/fiche.md"), 0o755)                                       // chmod +x
	os.Remove(b("g/2026-11-02-note.md"))                                   // file replaced by a folder
	writeFile(t, b("g/2026-11-02-note.md/dedans.md"), "x\n")               //
	git(t, dir, "rm", "-q", "--cached", "beneficiaires/h/fiche.md")        // untracked, folder unchanged
	writeFile(t, b("h/.fiche.md.swp"), "swap\n")                           // hidden file: kept by keep or not
	forgeRacy(t, s, dir, "beneficiaires/b/2026-11-02-note.md", "B NOTE\n") // racy same-size rewrite
	writeFile(t, b("i/c.md"), "i C\n")                                     // after its subfolder's files
	os.Remove(b("i/b/c.md"))                                               // in the subfolder
	writeFile(t, b("i/b/e.md"), "new\n")                                   //

	checkAgainstGitStatus(t, s, dir, 15, 2) // cold for the changed folders, then from the cache
}

// An index entry's time, decoded or as raw index bytes, is judged by acc's
// one racy rule (racy.Proves, whose own test holds the cases): the two
// forms agree with it around the index's time, to the nanosecond; a zero
// stamp (no time recorded) and no index time are racy.
func TestRacyRule(t *testing.T) {
	idx := time.Unix(1796616872, 500)
	for _, d := range []time.Duration{-time.Second, -501, -1, 0, 1, time.Second} {
		mtime := idx.Add(d)
		e := IndexEntry{MTime: mtime}
		raw := binary.BigEndian.AppendUint32(binary.BigEndian.AppendUint32(nil, uint32(mtime.Unix())), uint32(mtime.Nanosecond()))
		want := !racy.Proves(mtime, idx)
		if got, gotRaw := isRacy(&e, idx), isRacyStamp(raw, idx); got != want || gotRaw != want {
			t.Errorf("mtime %v: isRacy %v, isRacyStamp %v, want %v", mtime, got, gotRaw, want)
		}
	}
	if !isRacyStamp(make([]byte, 8), idx) {
		t.Error("a zero stamp is not racy")
	}
	if !isRacy(&IndexEntry{MTime: time.Unix(1, 0)}, time.Time{}) || !isRacyStamp(make([]byte, 8), time.Time{}) {
		t.Error("no index time: everything is racy")
	}
}

// The walk that hands folders over as the index is read refuses entries out
// of order, as Git does: a folder handed over twice would be checked twice.
func TestFolderWalk(t *testing.T) {
	var got []string
	w := folderWalk{dir: "beneficiaires", hand: func(f *folder) {
		var names []string
		for _, e := range f.entries {
			names = append(names, path.Base(e.Path))
		}
		got = append(got, f.dir+":"+strings.Join(names, ","))
	}}
	for _, p := range []string{"beneficiaires/a/b.md", "beneficiaires/a/b/c.md", "beneficiaires/a/c.md", "beneficiaires/z/x/y.md"} {
		if err := w.add(IndexEntry{Path: p}); err != nil {
			t.Fatal(err)
		}
	}
	w.finish()
	want := []string{"beneficiaires/a/b:c.md", "beneficiaires/a:b.md,c.md", "beneficiaires/z/x:y.md", "beneficiaires/z:", "beneficiaires:"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("handed over %q, want %q", got, want)
	}
	if err := w.add(IndexEntry{Path: "beneficiaires/a/d.md"}); err == nil {
		t.Fatal("an entry out of order was taken")
	}
}

// recordFolders records every folder holding tracked files, and every folder
// on the way to them from the case-file root, with its true listing; a
// folder changed after its record is listed again.
func TestRecordFolders(t *testing.T) {
	dir := newRepo(t)
	s := openLocked(t, dir)
	tracked := []string{"acc.yaml", "beneficiaires/a/fiche.md", "beneficiaires/a/2026-11-02-note.md",
		"beneficiaires/a/pieces/attestation.md", "beneficiaires/b/fiche.md"}
	var changes []Change
	for _, p := range tracked {
		changes = append(changes, Change{Path: p, Content: []byte(p + "\n")})
	}
	mustCommit(t, s, "un", changes...)
	writeFile(t, filepath.Join(dir, "beneficiaires/a/brouillon.txt"), "x\n") // untracked
	old := time.Now().Add(-time.Hour)
	for _, d := range []string{"", "beneficiaires", "beneficiaires/a", "beneficiaires/a/pieces", "beneficiaires/b"} {
		if err := os.Chtimes(filepath.Join(dir, d), old, old); err != nil {
			t.Fatal(err)
		}
	}
	s.recordFolders(tracked)
	dc := s.loadDirCache()
	dc.close()
	want := map[string]string{
		"":                       "subdirs [beneficiaires] others []",
		"beneficiaires":          "subdirs [a b] others []",
		"beneficiaires/a":        "subdirs [pieces] others [brouillon.txt]",
		"beneficiaires/a/pieces": "subdirs [] others []",
		"beneficiaires/b":        "subdirs [] others []",
	}
	got := map[string]string{}
	for rel, r := range dc.dirs {
		got[rel] = fmt.Sprintf("subdirs %v others %v", splitNames(r.subdirs), splitNames(r.others))
		fi, err := os.Stat(filepath.Join(dir, rel))
		if err != nil || r.mtime != fi.ModTime().UnixNano() {
			t.Errorf("%q: recorded time %d, folder's %v (%v)", rel, r.mtime, fi.ModTime(), err)
		}
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("records %v\nwant %v", got, want)
	}
	if c, d, u, err := s.WorkChanges("beneficiaires", nil); err != nil || c != nil || d != nil || !reflect.DeepEqual(u, []string{"beneficiaires/a/brouillon.txt"}) {
		t.Fatalf("from the records: %v %v %v %v", c, d, u, err)
	}
	writeFile(t, filepath.Join(dir, "beneficiaires/b/2026-12-01-suivi.md"), "y\n")
	if _, _, u, err := s.WorkChanges("beneficiaires", nil); err != nil || !reflect.DeepEqual(u, []string{"beneficiaires/a/brouillon.txt", "beneficiaires/b/2026-12-01-suivi.md"}) {
		t.Fatalf("after a file added: %v %v", u, err)
	}
}

// A fresh clone leaves folder records (those its clock allows) that are the
// folders' true listings, and what is changed right after it, within the
// same tick of the clock as its listing or not, is found as git finds it.
func TestCloneFolderRecords(t *testing.T) {
	_, url := newRemote(t)
	marie := firstTrainer(t, url, "Marie Martin")
	files := map[string]string{"beneficiaires/b00/pieces/attestation.md": "pièce\n"}
	for i := range 8 {
		files[fmt.Sprintf("beneficiaires/b%02d/fiche.md", i)] = fmt.Sprintf("fiche %d\n", i)
		files[fmt.Sprintf("beneficiaires/b%02d/2026-11-02-note.md", i)] = fmt.Sprintf("note %d\n", i)
	}
	marie.commit("marie 1", files)
	marie.sync()
	paul := join(t, url, "Paul Durand")
	b := func(p string) string { return filepath.Join(paul.dir, "beneficiaires", filepath.FromSlash(p)) }
	writeFile(t, b("b01/2026-12-01-suivi.md"), "nouveau\n")
	writeFile(t, b("b08/fiche.md"), "nouveau dossier\n")
	writeFile(t, b("b00/pieces/scan.md"), "nouveau\n")
	if err := os.Remove(b("b02/2026-11-02-note.md")); err != nil {
		t.Fatal(err)
	}
	s, err := Open(paul.dir)
	if err != nil {
		t.Fatal(err)
	}
	dc := s.loadDirCache()
	dc.close()
	trackedFiles := map[string]bool{}
	for _, p := range strings.Split(git(t, paul.dir, "ls-files"), "\n") {
		trackedFiles[p] = true
	}
	t.Logf("%d folders recorded by the clone", len(dc.dirs))
	for rel, r := range dc.dirs {
		fi, err := os.Stat(filepath.Join(paul.dir, rel))
		if err != nil || fi.ModTime().UnixNano() != r.mtime {
			continue // changed since: not used
		}
		ents, err := os.ReadDir(filepath.Join(paul.dir, rel))
		if err != nil {
			t.Fatal(err)
		}
		var subdirs, others []string
		for _, e := range ents {
			switch {
			case e.IsDir() && !strings.HasPrefix(e.Name(), "."):
				subdirs = append(subdirs, e.Name())
			case !e.IsDir() && !trackedFiles[path.Join(rel, e.Name())]:
				others = append(others, e.Name())
			}
		}
		if !reflect.DeepEqual(subdirs, splitNames(r.subdirs)) || !reflect.DeepEqual(others, splitNames(r.others)) {
			t.Errorf("%q recorded %v %v, on disk %v %v", rel, r.subdirs, r.others, subdirs, others)
		}
	}
	checkAgainstGitStatus(t, s, paul.dir, 4, 1)
}

// Folders recorded whole by another reader (acc validate's listing, which
// does not know the index) give git status's answer, whatever is changed
// afterwards; a recorder is only offered when there is no folder cache, and
// a folder with a name that would break the cache file is not recorded.
func TestFolderRecorderAgreesWithGitStatus(t *testing.T) {
	dir := newRepo(t)
	s := openLocked(t, dir)
	var changes []Change
	for _, b := range []string{"a", "b", "c", "d", "e", "f"} {
		changes = append(changes, Change{Path: "beneficiaires/" + b + "/fiche.md", Content: []byte(b + " fiche\n")},
			Change{Path: "beneficiaires/" + b + "/2026-11-02-note.md", Content: []byte(b + " note\n")})
	}
	mustCommit(t, s, "un", changes...)
	b := func(p string) string { return filepath.Join(dir, "beneficiaires", filepath.FromSlash(p)) }
	writeFile(t, b("a/brouillon.txt"), "x\n")  // untracked before the recording
	writeFile(t, b("f/avec\ttab.md"), "tab\n") // a name the cache file cannot hold
	old := time.Now().Add(-time.Hour)
	folders := []string{"beneficiaires", "beneficiaires/a", "beneficiaires/b", "beneficiaires/c", "beneficiaires/d", "beneficiaires/e", "beneficiaires/f"}
	for _, d := range folders {
		if err := os.Chtimes(filepath.Join(dir, d), old, old); err != nil {
			t.Fatal(err)
		}
	}
	rec := s.NewFolderRecorder()
	if rec == nil {
		t.Fatal("no recorder without a folder cache")
	}
	for _, d := range folders {
		fi, err := os.Lstat(filepath.Join(dir, d))
		if err != nil {
			t.Fatal(err)
		}
		ents, err := os.ReadDir(filepath.Join(dir, d))
		if err != nil {
			t.Fatal(err)
		}
		st := folderStampOf(fi)
		rec.Listed(d, st.mtime, st.ctime, st.ino, ents)
	}
	rec.Save()
	if s.NewFolderRecorder() != nil {
		t.Fatal("a recorder offered while the folder cache exists")
	}
	dc := s.loadDirCache()
	dc.close()
	if len(dc.dirs) != len(folders)-1 || !dc.dirs["beneficiaires/a"].whole {
		t.Fatalf("recorded %d folders (want all but f, whole): %+v", len(dc.dirs), dc.dirs)
	}
	if _, ok := dc.dirs["beneficiaires/f"]; ok {
		t.Fatal("a folder whose name list holds a tab was recorded")
	}
	writeFile(t, b("a/fiche.md"), "a FICHE\n")                      // in place, same size
	writeFile(t, b("c/2026-11-25-suivi.md"), "new\n")               // new file in a folder
	writeFile(t, b("z/fiche.md"), "z\n")                            // new folder
	os.Remove(b("d/2026-11-02-note.md"))                            // deletion
	git(t, dir, "rm", "-q", "--cached", "beneficiaires/e/fiche.md") // untracked, folder unchanged
	checkAgainstGitStatus(t, s, dir, 7, 2)
}

// The folder cache's parser never fails on damaged input, and what it
// accepts is what the encoder writes back: a file it reads is read the same
// once rewritten (no record changed, lost or made up).
func FuzzDirCacheParse(f *testing.F) {
	f.Add(encodeDirCache(map[string]dirRecord{
		"beneficiaires":       {folderStamp: folderStamp{mtime: 1796616872000000500, ctime: 1796616872000000600, ino: 12}, whole: true, subdirs: "a" + nameSep + "b", others: "x.md"},
		"beneficiaires/a":     {folderStamp: folderStamp{mtime: -3}, tracked: trackedPrint([]string{"fiche.md"}), others: ".swp"},
		"beneficiaires/b/sub": {folderStamp: folderStamp{mtime: 7, ino: 1 << 63}},
	}))
	f.Add([]byte(dirCacheVersion + "\nx\t1\t2\t3\t*\t\t\n"))
	f.Add([]byte(dirCacheVersion + "\nx\t1\t2\t3\t" + strings.Repeat("ab", 17) + "\t\t\n")) // a fingerprint too long
	f.Fuzz(func(t *testing.T, data []byte) {
		// As given, and with a right checksum line after it (the fuzzer
		// cannot make SHA-1 sums: this is how the records' lines get
		// fuzzed).
		sum := sha1.Sum(data)
		for _, in := range [][]byte{data, append(bytes.Clone(data), dirCacheSum+hex.EncodeToString(sum[:])+"\n"...)} {
			recs, ok := parseDirCache(in)
			if !ok {
				continue
			}
			again, ok := parseDirCache(encodeDirCache(recs))
			if !ok || !reflect.DeepEqual(again, recs) {
				t.Fatalf("parsed %v, rewritten and parsed again %v (%v)", recs, again, ok)
			}
		}
	})
}

// checkAgainstGitStatus runs WorkChanges on beneficiaires/ rounds times and
// compares each answer with git status's, which must show n paths.
func checkAgainstGitStatus(t *testing.T, s *Store, dir string, n, rounds int) {
	t.Helper()
	want := map[string]string{}
	for _, rec := range strings.Split(git(t, dir, "--no-optional-locks", "status", "--porcelain", "-z", "--untracked-files=all"), "\x00") {
		if rec != "" {
			// git rm --cached shows "D " then "??": untracked wins, as for acc.
			want[rec[3:]] = strings.TrimSpace(rec[:2])
		}
	}
	if len(want) != n {
		t.Fatalf("git status does not show the %d paths: %v", n, want)
	}
	for round := range rounds {
		changed, deleted, untracked, err := s.WorkChanges("beneficiaires", nil)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		for _, p := range changed {
			got[p] = "M"
		}
		for _, p := range deleted {
			got[p] = "D"
		}
		for _, p := range untracked {
			got[p] = "??"
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("round %d: WorkChanges = %v\ngit status = %v", round, got, want)
		}
	}
}

// Where the file system does not move a folder's time when an entry is
// created in it (racy.FolderTimesTrack false), the folder cache is neither
// used nor filled, and no recorder is offered: a file added to a folder
// whose time stays is still found.
func TestFolderCacheOffWithoutFolderTimes(t *testing.T) {
	dir := newRepo(t)
	s := openLocked(t, dir)
	mustCommit(t, s, "un", Change{Path: "beneficiaires/a/fiche.md", Content: []byte("a\n")})
	old := time.Now().Add(-time.Hour)
	age := func() { setFolderTimes(t, dir, old, "beneficiaires", "beneficiaires/a") }
	age()
	defer func(f func(string) bool) { folderTimesTrack = f }(folderTimesTrack)
	folderTimesTrack = func(string) bool { return false }
	if _, _, u, err := s.WorkChanges("beneficiaires", nil); err != nil || u != nil {
		t.Fatalf("clean tree: %v %v", u, err)
	}
	if _, err := os.Stat(s.dirCachePath()); !os.IsNotExist(err) {
		t.Fatalf("folder cache written: %v", err)
	}
	if s.NewFolderRecorder() != nil {
		t.Fatal("a recorder offered")
	}
	// What such a file system does: a new entry, the folder's time kept.
	writeFile(t, filepath.Join(dir, "beneficiaires/a/2026-12-01-suivi.md"), "x\n")
	age()
	if _, _, u, err := s.WorkChanges("beneficiaires", nil); err != nil || !reflect.DeepEqual(u, []string{"beneficiaires/a/2026-12-01-suivi.md"}) {
		t.Fatalf("the new file: %v %v", u, err)
	}
}

// Two folders with the same modification time to the nanosecond (written in
// one tick, as a clone does) swapped by renames: each keeps its own time, so
// only its inode and change time tell the folder cache that the folder in
// that place is another one.
func TestFolderCacheSwappedFolders(t *testing.T) {
	dir := newRepo(t)
	s := openLocked(t, dir)
	mustCommit(t, s, "un", Change{Path: "beneficiaires/a/fiche.md", Content: []byte("a\n")},
		Change{Path: "beneficiaires/a/2026-11-05-note.md", Content: []byte("a note\n")},
		Change{Path: "beneficiaires/b/fiche.md", Content: []byte("b\n")},
		Change{Path: "beneficiaires/b/2026-11-03-note.md", Content: []byte("b note\n")})
	b := func(p string) string { return filepath.Join(dir, "beneficiaires", p) }
	old := time.Now().Add(-time.Hour)
	age := func() { setFolderTimes(t, dir, old, "beneficiaires", "beneficiaires/a", "beneficiaires/b") }
	age()
	checkAgainstGitStatus(t, s, dir, 0, 1) // records a and b, with the same time
	for _, mv := range [][2]string{{"a", "x"}, {"b", "a"}, {"x", "b"}} {
		if err := os.Rename(b(mv[0]), b(mv[1])); err != nil {
			t.Fatal(err)
		}
	}
	age()
	checkAgainstGitStatus(t, s, dir, 6, 2)
}

// setFolderTimes sets the times of the folders (relative to dir) to when.
func setFolderTimes(t *testing.T, dir string, when time.Time, folders ...string) {
	t.Helper()
	for _, d := range folders {
		if err := os.Chtimes(filepath.Join(dir, d), when, when); err != nil {
			t.Fatal(err)
		}
	}
}
