package main

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// fakeBin makes a folder holding executables with the given names.
func fakeBin(t *testing.T, names ...string) string {
	t.Helper()
	dir := t.TempDir()
	for _, n := range names {
		if err := os.WriteFile(filepath.Join(dir, n), []byte("#!/bin/sh\n"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestDefaultEditor(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("the fake PATH uses Unix executable bits")
	}
	nano, vi, both, open := fakeBin(t, "nano"), fakeBin(t, "vi"), fakeBin(t, "vi", "nano"), fakeBin(t, "open")
	notExec := t.TempDir()
	if err := os.WriteFile(filepath.Join(notExec, "nano"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	sep := string(filepath.ListSeparator)
	for _, c := range []struct{ goos, path, want string }{
		{"linux", nano, "nano"},
		{"linux", vi, "vi"},
		{"linux", both, "nano"},
		{"linux", vi + sep + nano, "nano"}, // nano is preferred wherever it is
		{"linux", notExec, ""},             // not executable
		{"linux", notExec + sep + vi, "vi"},
		{"linux", "", ""},
		{"linux", "relative" + sep + open, ""},
		{"darwin", open + sep + nano, "open -W -e"},
		{"darwin", nano, "nano"},
		{"freebsd", vi, "vi"},
	} {
		if got := defaultEditor(c.goos, c.path); got != c.want {
			t.Errorf("defaultEditor(%s, %s) = %q, want %q", c.goos, c.path, got, c.want)
		}
	}
	win := t.TempDir()
	if err := os.WriteFile(filepath.Join(win, "notepad.exe"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if got := defaultEditor("windows", win); got != "notepad" {
		t.Errorf("windows: %q", got)
	}
}

func TestEditorCommandFallback(t *testing.T) {
	if runtime.GOOS == "windows" || runtime.GOOS == "darwin" {
		t.Skip("the fallback tested here is the Linux one")
	}
	env := map[string]string{"PATH": fakeBin(t, "vi")}
	a := newApp(nil, nil, nil, func(k string) string { return env[k] })
	if e, err := a.editorCommand(); err != nil || e != "vi" {
		t.Fatalf("no variable, vi on PATH: %q, %v", e, err)
	}
	env["EDITOR"] = "ed"
	env["VISUAL"] = "emacs"
	if e, _ := a.editorCommand(); e != "emacs" {
		t.Fatalf("VISUAL before EDITOR: %q", e)
	}
	env["ACC_EDITOR"] = "code --wait"
	if e, _ := a.editorCommand(); e != "code --wait" {
		t.Fatalf("ACC_EDITOR first: %q", e)
	}
	env = map[string]string{"PATH": t.TempDir()}
	_, err := a.editorCommand()
	if exitCode(err) != exitUsage || !strings.Contains(err.Error(), "export EDITOR=nano") {
		t.Fatalf("no editor at all: %v", err)
	}
}
