package casecache

import (
	"time"

	"github.com/acc-formation/acc/casefile"
	"github.com/acc-formation/acc/internal/gitstore"
	"github.com/acc-formation/acc/validate"
)

// Scan keeps what a scan of the work tree made in this run
// (gitstore.Store.WorkChangesSeen) saw of the beneficiary folders, so that
// collect checks the case files against its records without a second stat
// of each (acc status scans the work tree for its uncommitted changes
// anyway).
type Scan struct {
	folders map[string]gitstore.SeenFolder
}

// Add keeps one folder: it is WorkChangesSeen's seen.
func (s *Scan) Add(f gitstore.SeenFolder) {
	if s.folders == nil {
		s.folders = map[string]gitstore.SeenFolder{}
	}
	s.folders[f.Dir] = f
}

// unchanged reports, as validate.Unchanged does, whether the case files of
// the beneficiary folder dir (case-relative) are those prev describes, from
// the stat data the scan saw. known is false whenever the scan cannot prove
// it either way without reading a file: the folder was not scanned, it
// holds an untracked case file or a case file that is not regular, or a
// file's stat data differ from the recorded ones or are too recent to
// prove anything. The caller then asks validate.Unchanged.
//
// The stat rule is validate's one rule, FileState.Vouches.
func (s *Scan) unchanged(dir string, prev []validate.FileState, written time.Time) (cur []validate.FileState, same, known bool) {
	if s == nil || written.IsZero() {
		return nil, false, false
	}
	f, ok := s.folders[dir]
	if !ok {
		return nil, false, false
	}
	for _, n := range f.Others {
		if casefile.IsCaseFileName(n) {
			return nil, false, false
		}
	}
	i := 0
	for _, sf := range f.Files {
		if !casefile.IsCaseFileName(sf.Name) {
			continue
		}
		if !sf.Regular {
			return nil, false, false
		}
		if i >= len(prev) || prev[i].Name != sf.Name {
			return nil, false, true
		}
		p := prev[i]
		i++
		if !p.Vouches(sf.Size, sf.Mtime, sf.Ctime, sf.Ino, written) {
			return nil, false, false
		}
	}
	if i != len(prev) {
		return nil, false, true
	}
	return prev, true, true
}
