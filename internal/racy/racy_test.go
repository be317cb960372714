package racy

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

// Strictly before the reference proves; the same time (to the nanosecond),
// later, or unknown does not; both forms agree.
func TestProves(t *testing.T) {
	ref := time.Unix(1796616872, 500)
	for _, c := range []struct {
		t    time.Time
		want bool
	}{
		{time.Unix(1796616872, 499), true},
		{time.Unix(1796616871, 999999999), true},
		{time.Unix(1796616872, 500), false},
		{time.Unix(1796616872, 501), false},
		{time.Unix(1796616873, 0), false},
		{time.Time{}, false},
	} {
		got := Proves(c.t, ref)
		var nano int64
		if !c.t.IsZero() {
			nano = c.t.UnixNano()
		}
		if gotNano := ProvesNano(nano, ref.UnixNano()); got != c.want || gotNano != c.want {
			t.Errorf("%v against %v: Proves %v, ProvesNano %v, want %v", c.t, ref, got, gotNano, c.want)
		}
	}
	if Proves(time.Unix(1, 0), time.Time{}) || ProvesNano(1, 0) {
		t.Error("an unknown reference proves nothing")
	}
}

// On the file systems tests run on, creating an entry moves its folder's
// time; the probe leaves nothing behind, and an unusable folder answers no.
func TestFolderTimesTrack(t *testing.T) {
	dir := t.TempDir()
	if !FolderTimesTrack(dir) {
		t.Fatal("the test file system does not move a folder's time when an entry is created")
	}
	if ents, err := os.ReadDir(dir); err != nil || len(ents) != 0 {
		t.Fatalf("the probe left %v (%v)", ents, err)
	}
	if FolderTimesTrack(filepath.Join(dir, "absent")) {
		t.Fatal("a folder that does not exist passed the probe")
	}
}
