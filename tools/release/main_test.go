package main

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"testing"
)

func TestCheckVersion(t *testing.T) {
	for _, v := range []string{"v1.2.0", "1.0.0-rc.1", "v2+build_3"} {
		if err := checkVersion(v); err != nil {
			t.Errorf("%q: %v", v, err)
		}
	}
	for _, v := range []string{"", "dev", "v1 2", "v1;rm", "v1'x", "-X main.x=y"} {
		if err := checkVersion(v); err == nil {
			t.Errorf("%q accepted", v)
		}
	}
}

func TestChecksums(t *testing.T) {
	dir := t.TempDir()
	for name, content := range map[string]string{"b.exe": "bbb", "a": "aaa"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := checksums(dir, []string{"b.exe", "a"})
	if err != nil {
		t.Fatal(err)
	}
	sum := func(s string) string { h := sha256.Sum256([]byte(s)); return hex.EncodeToString(h[:]) }
	// sha256sum's format: hash, two spaces, name; sorted by name.
	want := sum("aaa") + "  a\n" + sum("bbb") + "  b.exe\n"
	if string(got) != want {
		t.Fatalf("got %q, want %q", got, want)
	}
}
