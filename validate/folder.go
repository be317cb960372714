package validate

import (
	"crypto/sha1"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"time"

	"github.com/acc-formation/acc/casefile"
	"github.com/acc-formation/acc/templates"
)

// The helpers of this file let a caller keep its own results per
// beneficiary folder (acc report keeps one summary per beneficiary) under
// the same content key as the validator's cache: the Git blob id of every
// case file of the folder, with the stat shortcut and its racy-clean rule.

// FileState identifies the content of one case file between runs.
type FileState struct {
	Name string          // file name in the beneficiary folder
	Sum  [sha1.Size]byte // Git blob id of the content
	// The stat signature the file had when it was read (size, times in
	// nanoseconds, inode; zero where the system does not say).
	Size, Mtime, Ctime int64
	Ino                uint64
}

func (f FileState) sig() fileSig {
	return fileSig{Size: f.Size, Mtime: f.Mtime, Ino: f.Ino, Ctime: f.Ctime}
}

// Vouches reports whether a file whose stat data are now size, mtime and
// ctime (nanoseconds) and ino is, by those data alone, the file f recorded
// in a record made at written: the same signature, not zero, and both times
// strictly before written (racy.ProvesNano). It is the one rule by which a
// cache skips reading a file (validate's, and the case cache's when the
// work-tree scan already took the stat data).
func (f FileState) Vouches(size, mtime, ctime int64, ino uint64, written time.Time) bool {
	sig := fileSig{Size: size, Mtime: mtime, Ino: ino, Ctime: ctime}
	return sig == f.sig() && trustedAt(sig, written)
}

func stateOf(name string, sum [sha1.Size]byte, s fileSig) FileState {
	return FileState{Name: name, Sum: sum, Size: s.Size, Mtime: s.Mtime, Ctime: s.Ctime, Ino: s.Ino}
}

// Folder is a beneficiary folder as Run read it, for RunOptions.Documents.
type Folder struct {
	Name string // the folder's name under beneficiaires/
	// Documents are the folder's case files in path order, as
	// casefile.Parse returned them (frontmatter, headings, text).
	Documents []*casefile.Document
	// Files identify what Documents were parsed from, in the same order.
	Files []FileState
	// Complete is false when a case file of the folder is a link, not a
	// regular file, or could not be read: Documents and Files lack it.
	Complete bool
}

// recordedEntry is a case file of a folder as a validation record lists it
// (cached.listing): a regular file.
type recordedEntry struct{ name, dir string }

func (e recordedEntry) Name() string      { return e.name }
func (e recordedEntry) IsDir() bool       { return false }
func (e recordedEntry) Type() fs.FileMode { return 0 }
func (e recordedEntry) Info() (fs.FileInfo, error) {
	return os.Lstat(filepath.Join(e.dir, e.name))
}

// caseFile reports whether a folder entry is a case file: a .md file that
// is not hidden (attachments, sub-folders and hidden files are not).
func caseFile(de fs.DirEntry) bool {
	n := de.Name()
	return casefile.IsCaseFileName(n) && !de.IsDir()
}

// Unchanged reports whether the case files of the beneficiary folder dir
// (an absolute path) are those prev describes, in content: same names, same
// blob ids. It trusts the validator's stat shortcut: a file whose stat
// signature is the recorded one, with times strictly before written (the
// start of the run that made the record, by the file system's clock: the
// racy rule), is not read; any other file is read and hashed. cur holds the current states,
// new signatures included (so that the next check need not read the file
// again); it is nil when the folder changed or cannot be read. A folder
// holding a link or another file that is not regular is never unchanged.
func Unchanged(dir string, prev []FileState, written time.Time) (cur []FileState, same bool) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, false
	}
	i := 0
	for _, de := range ents {
		if !caseFile(de) {
			continue
		}
		if i >= len(prev) || prev[i].Name != de.Name() || !de.Type().IsRegular() {
			return nil, false
		}
		p := prev[i]
		i++
		fi, err := de.Info()
		if err != nil {
			return nil, false
		}
		sig := statSig(fi)
		if p.Vouches(sig.Size, sig.Mtime, sig.Ctime, sig.Ino, written) {
			cur = append(cur, p)
			continue
		}
		src, sig, err := readFile(filepath.Join(dir, p.Name))
		if err != nil || blobID(src) != p.Sum {
			return nil, false
		}
		cur = append(cur, stateOf(p.Name, p.Sum, sig))
	}
	if i != len(prev) {
		return nil, false
	}
	return cur, true
}

// ReadFolder reads and parses the case files of the beneficiary folder
// beneficiaires/<name> under root as Run does: regular .md files in name
// order, links never followed, files over 16 MiB refused (Complete is then
// false and the file is left out). It returns nil when the folder cannot
// be read.
func ReadFolder(root, name string) *Folder {
	rel := path.Join(casefile.BeneficiariesDir, name)
	dir := filepath.Join(root, filepath.FromSlash(rel))
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	f := &Folder{Name: name, Complete: true}
	for _, de := range ents {
		if !caseFile(de) {
			continue
		}
		if !de.Type().IsRegular() {
			f.Complete = false
			continue
		}
		src, sig, err := readFile(filepath.Join(dir, de.Name()))
		if err != nil {
			f.Complete = false
			continue
		}
		f.Documents = append(f.Documents, casefile.Parse(rel+"/"+de.Name(), src))
		f.Files = append(f.Files, stateOf(de.Name(), blobID(src), sig))
	}
	return f
}

// Entries returns the entries of beneficiaires/ under root that a whole
// run checks, sorted: every folder, link and .md file (hidden entries and
// other files, such as .gitkeep, are not checked). A caller that keeps
// results per beneficiary checks the others itself with RunOptions.Paths.
func Entries(root string) ([]string, error) { return listBeneficiaries(root, nil) }

// CacheKey identifies everything besides the case files and the date that
// findings depend on: the rules' settings, the document types and the build
// of acc. A result kept across runs is stale when it changes.
func CacheKey(s *Settings, reg *templates.Registry) string {
	return fingerprint(s, reg)
}
