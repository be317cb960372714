package atomicfile

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

func entries(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range ents {
		out = append(out, e.Name())
	}
	return out
}

func TestWriteFileReplacesWithExactMode(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "rapport.md")
	if err := os.WriteFile(p, []byte("ancien"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(p, []byte("nouveau"), 0o600); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(p)
	if string(got) != "nouveau" {
		t.Fatalf("content %q", got)
	}
	fi, _ := os.Stat(p)
	if runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v, want 0600 whatever the old file's", fi.Mode().Perm())
	}
	if e := entries(t, dir); len(e) != 1 {
		t.Fatalf("left behind: %v", e)
	}
}

func TestAbortLeavesTargetAndNoTemp(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "f")
	os.WriteFile(p, []byte("ancien"), 0o600)
	f, err := Create(p, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	f.Write([]byte("à moitié"))
	if !IsTemp(filepath.Base(f.Name()), "f") {
		t.Fatalf("temp %q not recognised by IsTemp", f.Name())
	}
	f.Abort()
	f.Abort() // idempotent
	if err := f.Commit(); err == nil {
		t.Fatal("Commit after Abort succeeded")
	}
	got, _ := os.ReadFile(p)
	if string(got) != "ancien" {
		t.Fatalf("target changed: %q", got)
	}
	if e := entries(t, dir); len(e) != 1 {
		t.Fatalf("left behind: %v", e)
	}
}

func TestRenameErrorRemovesTemp(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "cible")
	f, err := Create(p, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	f.Write([]byte("x"))
	// The target became a non-empty folder meanwhile: rename(2) fails.
	if err := os.MkdirAll(filepath.Join(p, "sous"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := f.Commit(); err == nil {
		t.Fatal("Commit over a folder succeeded")
	}
	if e := entries(t, dir); len(e) != 1 || e[0] != "cible" {
		t.Fatalf("left behind: %v", e)
	}
}

func TestCreateErrors(t *testing.T) {
	dir := t.TempDir()
	if _, err := Create(dir, 0o600); !errors.Is(err, ErrIsDir) {
		t.Fatalf("folder target: %v", err)
	}
	if _, err := Create(filepath.Join(dir, "absent", "f"), 0o600); err == nil {
		t.Fatal("missing folder accepted")
	}
	if e := entries(t, dir); len(e) != 0 {
		t.Fatalf("left behind: %v", e)
	}
}

func TestDeviceIsWrittenThrough(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no /dev/null")
	}
	before, err := os.Stat("/dev/null")
	if err != nil {
		t.Skip(err)
	}
	f, err := Create("/dev/null", 0o600)
	if err != nil {
		t.Fatal(err)
	}
	if f.Name() != "/dev/null" {
		t.Fatalf("writing to %q, not through the device", f.Name())
	}
	if _, err := f.Write([]byte("rien")); err != nil {
		t.Fatal(err)
	}
	if err := f.Commit(); err != nil {
		t.Fatal(err)
	}
	after, err := os.Stat("/dev/null")
	if err != nil || after.Mode() != before.Mode() || !os.SameFile(before, after) {
		t.Fatalf("/dev/null replaced or changed: %v → %v", before.Mode(), after.Mode())
	}
}
