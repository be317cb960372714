package racy

import (
	"os"
	"path/filepath"
	"time"
)

// FolderTimesTrack reports whether the file system holding dir (a folder
// acc writes in: its caches, inside .git) gives a folder a new modification
// time when an entry is created in it. acc's folder caches (the list of
// folders of acc commit and acc status, the folders validation knows by
// their records) rely on it to know that a folder whose time did not change
// holds the same entries; Git checks the same before it trusts its own
// untracked cache (git update-index --test-untracked-cache). The probe is a
// folder made in dir and dated in the past, in which a file is created; any
// error answers false, and the caches then list every folder.
func FolderTimesTrack(dir string) bool {
	probe, err := os.MkdirTemp(dir, ".acc-sonde-")
	if err != nil {
		return false
	}
	defer os.RemoveAll(probe)
	past := time.Date(2001, 1, 1, 0, 0, 0, 0, time.UTC)
	if err := os.Chtimes(probe, past, past); err != nil {
		return false
	}
	before, err := os.Lstat(probe)
	if err != nil {
		return false
	}
	f, err := os.Create(filepath.Join(probe, "entree"))
	if err != nil {
		return false
	}
	if err := f.Close(); err != nil {
		return false
	}
	after, err := os.Lstat(probe)
	return err == nil && after.ModTime().After(before.ModTime())
}
