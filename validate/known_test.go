package validate

import (
	"context"
	"io/fs"
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
	git := func(args ...string) {
		t.Helper()
		cmd := exec.Command("git", args...)
		cmd.Dir = root
		cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "HOME="+t.TempDir())
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	// Files and index in different ticks of the file system's clock: an
	// entry as recent as the index is racy, never vouched for.
	pastTick(t, t.TempDir())
	for _, args := range [][]string{{"init", "-q"}, {"add", "-A"}, {"-c", "user.name=T", "-c", "user.email=t@example.org", "commit", "-qm", "x"}} {
		git(args...)
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
	// Every file's times changed after the records were made (same
	// content), then the index refreshed by Git: the records no longer know
	// the files by their stat data, the index does. (The modification
	// time goes an hour back: Git builds without USE_NSEC compare seconds
	// only, and a change time at least as recent as the index is racy.)
	past := time.Now().Add(-time.Hour)
	filepath.WalkDir(filepath.Join(root, "beneficiaires"), func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			os.Chtimes(p, past, past)
		}
		return err
	})
	pastTick(t, t.TempDir())
	git("update-index", "-q", "--really-refresh")
	// Without the index, every file is read (each run on the records of the
	// cold run: a run that reads a file records its new stat data).
	records, err := os.ReadFile(pack)
	if err != nil {
		t.Fatal(err)
	}
	if got, s := run(true, true); got != want || s.Read != 0 {
		t.Fatalf("warm with the index: %+v", s)
	}
	if err := os.WriteFile(pack, records, 0o600); err != nil {
		t.Fatal(err)
	}
	if got, s := run(false, true); got != want || s.Read != 6*8 || s.Parsed != 0 {
		t.Fatalf("warm without the index: %+v", s)
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
