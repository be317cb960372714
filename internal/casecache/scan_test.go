package casecache

import (
	"testing"
	"time"

	"github.com/acc-formation/acc/internal/gitstore"
	"github.com/acc-formation/acc/validate"
)

// TestScanUnchanged checks the scan's verdicts: a case is reused only when
// every case file's stat data are the recorded ones and old enough; any
// doubt is left to validate.Unchanged (known false).
func TestScanUnchanged(t *testing.T) {
	written := time.Unix(1_000_000, 0)
	old := written.Add(-time.Minute).UnixNano()
	recent := written.UnixNano() // the same tick as the run that made the record began: racy
	state := func(name string) validate.FileState {
		return validate.FileState{Name: name, Sum: [20]byte{name[0]}, Size: 10, Mtime: old, Ctime: old, Ino: uint64(name[0])}
	}
	seen := func(st validate.FileState) gitstore.SeenFile {
		return gitstore.SeenFile{Name: st.Name, Regular: true, Size: st.Size, Mtime: st.Mtime, Ctime: st.Ctime, Ino: st.Ino}
	}
	prev := []validate.FileState{state("a.md"), state("b.md")}
	dir := "beneficiaires/x"
	cases := []struct {
		name        string
		folder      *gitstore.SeenFolder // nil: not scanned
		written     time.Time
		same, known bool
	}{
		{"same", &gitstore.SeenFolder{Files: []gitstore.SeenFile{seen(prev[0]), seen(prev[1])}}, written, true, true},
		{"attachments and other files ignored", &gitstore.SeenFolder{
			Files:  []gitstore.SeenFile{seen(prev[0]), {Name: "a.pdf"}, seen(prev[1])},
			Others: []string{"notes.txt", ".b.md"}}, written, true, true},
		{"not scanned", nil, written, false, false},
		{"no record time", &gitstore.SeenFolder{Files: []gitstore.SeenFile{seen(prev[0]), seen(prev[1])}}, time.Time{}, false, false},
		{"untracked case file", &gitstore.SeenFolder{Files: []gitstore.SeenFile{seen(prev[0]), seen(prev[1])}, Others: []string{"c.md"}}, written, false, false},
		{"file gone", &gitstore.SeenFolder{Files: []gitstore.SeenFile{seen(prev[0])}}, written, false, true},
		{"file renamed", &gitstore.SeenFolder{Files: []gitstore.SeenFile{seen(prev[0]), seen(state("c.md"))}}, written, false, true},
		{"not regular", &gitstore.SeenFolder{Files: []gitstore.SeenFile{seen(prev[0]), {Name: "b.md", Size: 10, Mtime: old, Ctime: old, Ino: 'b'}}}, written, false, false},
		{"touched", &gitstore.SeenFolder{Files: []gitstore.SeenFile{seen(prev[0]), func() gitstore.SeenFile {
			s := seen(prev[1])
			s.Mtime++
			return s
		}()}}, written, false, false},
		{"other inode", &gitstore.SeenFolder{Files: []gitstore.SeenFile{seen(prev[0]), func() gitstore.SeenFile {
			s := seen(prev[1])
			s.Ino++
			return s
		}()}}, written, false, false},
		{"other ctime", &gitstore.SeenFolder{Files: []gitstore.SeenFile{seen(prev[0]), func() gitstore.SeenFile {
			s := seen(prev[1])
			s.Ctime++
			return s
		}()}}, written, false, false},
		{"other size", &gitstore.SeenFolder{Files: []gitstore.SeenFile{seen(prev[0]), func() gitstore.SeenFile {
			s := seen(prev[1])
			s.Size++
			return s
		}()}}, written, false, false},
	}
	for _, c := range cases {
		var s Scan
		if c.folder != nil {
			c.folder.Dir = dir
			s.Add(*c.folder)
		}
		cur, same, known := s.unchanged(dir, prev, c.written)
		if same != c.same || known != c.known || same && len(cur) != len(prev) {
			t.Errorf("%s: same %v known %v (%d states), want %v %v", c.name, same, known, len(cur), c.same, c.known)
		}
	}
	// Racy: the recorded stat data, but too close to when the record was
	// made to prove the content (a same-size edit in the same tick).
	racy := []validate.FileState{state("a.md")}
	racy[0].Mtime, racy[0].Ctime = recent, recent
	var s Scan
	s.Add(gitstore.SeenFolder{Dir: dir, Files: []gitstore.SeenFile{seen(racy[0])}})
	if _, same, known := s.unchanged(dir, racy, written); same || known {
		t.Errorf("racy file: same %v known %v, want false false", same, known)
	}
	racy[0].Mtime = old // ctime alone recent (chmod, same-size rewrite keeping mtime)
	s.Add(gitstore.SeenFolder{Dir: dir, Files: []gitstore.SeenFile{seen(racy[0])}})
	if _, same, known := s.unchanged(dir, racy, written); same || known {
		t.Errorf("recent ctime: same %v known %v, want false false", same, known)
	}
	zero := []validate.FileState{{Name: "a.md"}}
	s.Add(gitstore.SeenFolder{Dir: dir, Files: []gitstore.SeenFile{{Name: "a.md", Regular: true}}})
	if _, same, known := s.unchanged(dir, zero, written); same || known {
		t.Errorf("no stat data: same %v known %v, want false false", same, known)
	}
	var none *Scan
	if _, same, known := none.unchanged(dir, prev, written); same || known {
		t.Errorf("no scan: same %v known %v", same, known)
	}
}
