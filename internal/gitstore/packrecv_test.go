//go:build unix

package gitstore

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// packOf makes a repository whose objects are similar documents and returns a pack of
// all of them made by git pack-objects with args (--window=0: no deltas).
func packOf(t *testing.T, args ...string) []byte {
	t.Helper()
	dir := newRepo(t)
	base := strings.Repeat("## Entretien\n\nLe bénéficiaire a présenté son projet de formation.\n", 40)
	for i := range 30 {
		writeFile(t, filepath.Join(dir, "beneficiaires", fmt.Sprintf("b%02d", i%7), fmt.Sprintf("doc-%d.md", i)), base+fmt.Sprintf("note %d\n", i))
		if i%10 == 9 {
			git(t, dir, "add", "-A")
			git(t, dir, "commit", "-qm", fmt.Sprintf("lot %d", i))
		}
	}
	list := git(t, dir, "rev-list", "--objects", "--all")
	var ids bytes.Buffer
	for _, l := range strings.Split(strings.TrimSpace(list), "\n") {
		id, _, _ := strings.Cut(l, " ")
		ids.WriteString(id + "\n")
	}
	cmd := gitCmd(dir, append([]string{"pack-objects", "--stdout", "-q"}, args...)...)
	cmd.Stdin = &ids
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("git pack-objects: %v", err)
	}
	return out
}

// receive writes pack through a packReceiver into a new bare repository's objects/pack.
func receive(t *testing.T, pack []byte) (gitDir string, err error) {
	t.Helper()
	gitDir = t.TempDir()
	git(t, gitDir, "init", "-q", "--bare")
	r, err := newPackReceiver(gitDir)
	if err != nil {
		t.Fatal(err)
	}
	for len(pack) > 0 { // in uneven pieces, as a transport delivers them
		n := min(len(pack), 1000+len(pack)%777)
		if _, err := r.Write(pack[:n]); err != nil {
			r.Close()
			return gitDir, err
		}
		pack = pack[n:]
	}
	return gitDir, r.Close()
}

func packFiles(t *testing.T, gitDir string) []string {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(gitDir, "objects", "pack"))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		out = append(out, e.Name())
	}
	return out
}

// TestPackReceiver: a pack without deltas is indexed in one pass, a pack with deltas by
// go-git's parser; either way git index-pack --verify (through verify-pack) finds the
// index identical to the one Git computes, CRCs included.
func TestPackReceiver(t *testing.T) {
	for _, tc := range []struct {
		name   string
		args   []string
		deltas bool
	}{{"whole", []string{"--window=0"}, false}, {"deltas", nil, true}} {
		t.Run(tc.name, func(t *testing.T) {
			pack := packOf(t, tc.args...)
			res := indexPackStream(bytes.NewReader(pack))
			if res.err != nil {
				t.Fatal(res.err)
			}
			if (res.idx == nil) != tc.deltas {
				t.Fatalf("one-pass index: %v, want %v", res.idx != nil, !tc.deltas)
			}
			gitDir, err := receive(t, pack)
			if err != nil {
				t.Fatal(err)
			}
			files := packFiles(t, gitDir)
			if len(files) != 2 || !strings.HasSuffix(files[0], ".idx") || !strings.HasSuffix(files[1], ".pack") {
				t.Fatalf("objects/pack: %v", files)
			}
			idx := filepath.Join(gitDir, "objects", "pack", files[0])
			if out, err := exec.Command("git", "verify-pack", idx).CombinedOutput(); err != nil {
				t.Fatalf("git verify-pack: %v\n%s", err, out)
			}
			if out := git(t, gitDir, "count-objects", "-v"); !strings.Contains(out, "in-pack: ") || strings.Contains(out, "in-pack: 0\n") {
				t.Fatalf("count-objects:\n%s", out)
			}
		})
	}
}

// TestPackReceiverRefusesDamage: a pack with a damaged object, a wrong checksum, a
// wrong object size or cut short is refused, and nothing stays in objects/pack.
func TestPackReceiverRefusesDamage(t *testing.T) {
	pack := packOf(t, "--window=0")
	damaged := func(f func(p []byte) []byte) []byte {
		return f(bytes.Clone(pack))
	}
	cases := map[string][]byte{
		"object": damaged(func(p []byte) []byte { p[len(p)/2] ^= 0x40; return p }),
		"sum":    damaged(func(p []byte) []byte { p[len(p)-1] ^= 1; return p }),
		"cut":    damaged(func(p []byte) []byte { return p[:len(p)-300] }),
		// The first object's size, in the header's low bits, one more than its content.
		"size":  damaged(func(p []byte) []byte { p[12] = p[12]&0xf0 | (p[12]+1)&0x0f; return p }),
		"extra": damaged(func(p []byte) []byte { p[11]++; return p }), // one object more announced
	}
	for name, p := range cases {
		t.Run(name, func(t *testing.T) {
			gitDir, err := receive(t, p)
			if err == nil {
				t.Fatal("damaged pack accepted")
			}
			if files := packFiles(t, gitDir); len(files) != 0 {
				t.Fatalf("left behind: %v", files)
			}
		})
	}
}
