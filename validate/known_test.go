package validate

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/acc-formation/acc/internal/gitstore"
)

// Right after a clone, every file is too recent for the pack's records to be
// trusted by their stat: the Git index vouches for them instead (entries
// that are not racy, stat data unchanged), so that a warm run reads
// nothing; a file edited after the index was written, keeping its size and
// modification time, is not vouched for and is read.
func TestKnownByGitIndex(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git introuvable")
	}
	root := genRepo(t, 6)
	// Files and index in different ticks of the file system's clock: an
	// entry as recent as the index is racy, never vouched for.
	time.Sleep(50 * time.Millisecond)
	for _, args := range [][]string{{"init", "-q"}, {"add", "-A"}, {"-c", "user.name=T", "-c", "user.email=t@example.org", "commit", "-qm", "x"}} {
		cmd := exec.Command("git", args...)
		cmd.Dir = root
		cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "HOME="+t.TempDir())
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	st, err := gitstore.Open(root)
	if err != nil {
		t.Fatal(err)
	}
	pack := filepath.Join(t.TempDir(), "validation.pack")
	run := func(known bool, cached bool) (string, Stats) {
		t.Helper()
		opts := RunOptions{Root: root, Today: fixtureToday, Workers: 2}
		if cached {
			p := OpenPack(pack)
			defer func() { p.Flush(); p.Close() }()
			opts.Cache = p
		}
		if known {
			lookup := st.CleanIndexLookup("beneficiaires")
			opts.Known = func(p string, fs FileState) ([20]byte, bool) {
				return lookup(p, fs.Size, fs.Mtime, fs.Ctime, fs.Ino)
			}
		}
		var r recorder
		s, err := Run(context.Background(), opts, &r)
		if err != nil {
			t.Fatal(err)
		}
		return strings.Join(r.calls, "\n"), s
	}
	want, _ := run(false, false)
	if got, s := run(true, true); got != want || s.Parsed != 6*8 {
		t.Fatalf("cold: %+v\n%s", s, got)
	}
	// Without the index, the records are too recent: every file is read.
	if got, s := run(false, true); got != want || s.Read != 6*8 || s.Parsed != 0 {
		t.Fatalf("warm without the index: %+v", s)
	}
	if got, s := run(true, true); got != want || s.Read != 0 {
		t.Fatalf("warm with the index: %+v", s)
	}

	// Edited after the index was written, same size, modification time put
	// back: the change time differs from the entry's.
	p := filepath.Join(root, "beneficiaires", "b-00003", "2026-04-13-entretien-suivi.md")
	fi, _ := os.Stat(p)
	src, _ := os.ReadFile(p)
	edited := strings.Replace(string(src), "autonomie: 3", "autonomie: 9", 1)
	if edited == string(src) || len(edited) != len(src) {
		t.Fatal("fixture changed: no same-size edit")
	}
	os.WriteFile(p, []byte(edited), 0o644)
	os.Chtimes(p, fi.ModTime(), fi.ModTime())
	want, _ = run(false, false)
	got, s := run(true, true)
	if got != want || s.Read != 1 || s.Parsed != 1 {
		t.Fatalf("stale index: %+v\n%s\n---\n%s", s, got, want)
	}
	if !strings.Contains(got, "b-00003/2026-04-13-entretien-suivi.md:") {
		t.Error("the edit was not seen")
	}
}
