//go:build unix

package main

import (
	"bytes"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// A hostile shared remote (issue 10): trees crafted with Git plumbing, names that git
// mktree refuses written by hand, served over file:// and git daemon. acc clone, acc
// init --remote and acc sync must refuse them with exit 3, write nothing, and no planted
// hook, fsmonitor or filter may run, even when the real git is used afterwards in the
// clone. A canary folder and the fake HOME, outside the work tree, stay as they were.

type craftedEntry struct{ mode, name, hash string }

// mkTree writes a tree object as given (sorted in Git's order), without Git's checks.
func (e *e2e) mkTree(dir string, entries ...craftedEntry) string {
	e.t.Helper()
	key := func(c craftedEntry) string {
		if c.mode == "40000" {
			return c.name + "/"
		}
		return c.name
	}
	sort.Slice(entries, func(i, j int) bool { return key(entries[i]) < key(entries[j]) })
	var b bytes.Buffer
	for _, c := range entries {
		h, err := hex.DecodeString(c.hash)
		if err != nil {
			e.t.Fatal(err)
		}
		b.WriteString(c.mode + " " + c.name + "\x00")
		b.Write(h)
	}
	return e.gitIn(dir, &b, "hash-object", "-t", "tree", "-w", "--literally", "--stdin")
}

func (e *e2e) gitIn(dir string, in *bytes.Buffer, args ...string) string {
	e.t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = e.env("Pirate")
	cmd.Stdin = in
	out, err := cmd.Output()
	if err != nil {
		e.t.Fatalf("git %v: %v", args, err)
	}
	return strings.TrimSpace(string(out))
}

func (e *e2e) blob(dir, content string) string {
	return e.gitIn(dir, bytes.NewBufferString(content), "hash-object", "-w", "--stdin")
}

// plant moves the server's main to a commit on top of good whose root tree is good's
// with extra added (an entry of the same name replaced).
func (e *e2e) plant(bare, good string, extra craftedEntry) {
	e.t.Helper()
	var entries []craftedEntry
	for _, line := range strings.Split(strings.TrimSpace(e.git(bare, "ls-tree", good)), "\n") {
		meta, name, _ := strings.Cut(line, "\t")
		f := strings.Fields(meta)
		if name != extra.name {
			entries = append(entries, craftedEntry{strings.TrimPrefix(f[0], "0"), name, f[2]})
		}
	}
	tree := e.mkTree(bare, append(entries, extra)...)
	c := strings.TrimSpace(e.git(bare, "commit-tree", tree, "-p", good, "-m", "mise à jour"))
	e.git(bare, "update-ref", "refs/heads/main", c)
}

// snapshot lists a folder's files with their contents and modes.
func snapshot(t *testing.T, dir string) string {
	t.Helper()
	var b strings.Builder
	err := filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		b.WriteString(p + " " + fi.Mode().String())
		if fi.Mode().IsRegular() {
			data, _ := os.ReadFile(p)
			b.WriteString(" " + string(data))
		}
		b.WriteString("\n")
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// accUmask runs acc under umask 000.
func (e *e2e) accUmask(dir, who string, args ...string) (string, string, int) {
	e.t.Helper()
	cmd := exec.Command("sh", append([]string{"-c", `umask 000 && exec acc "$@"`, "acc"}, args...)...)
	cmd.Dir = dir
	cmd.Env = e.env(who)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		return out.String(), errb.String(), ee.ExitCode()
	} else if err != nil {
		e.t.Fatal(err)
	}
	return out.String(), errb.String(), 0
}

func TestHostileRemoteE2E(t *testing.T) {
	for _, kind := range []string{"file", "daemon"} {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			e := newE2E(t)
			s := e.startServer(kind)
			const M, P = "Marie Martin", "Paul Durand"
			canary := filepath.Join(e.root, "canari")
			if err := os.MkdirAll(canary, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(canary, "temoin.txt"), []byte("intact\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			marker := filepath.Join(canary, "crochet-execute")
			canaryBefore, homeBefore := snapshot(t, canary), snapshot(t, e.home)

			// Marie publishes under umask 000 from a folder open to all; Paul joins the same way.
			if err := os.Mkdir(e.dir("marie"), 0o777); err != nil {
				t.Fatal(err)
			}
			os.Chmod(e.dir("marie"), 0o777)
			if out, errs, code := e.accUmask(e.root, M, "init", "marie", "--organisation", "Centre Test", "--remote", s.url); code != 0 {
				t.Fatalf("init --remote: %d %s%s", code, out, errs)
			}
			e.mustAcc(e.dir("marie"), M, "new", "beneficiaire", "Jean Dupont", "--date", "2026-11-02")
			e.mustAcc(e.dir("marie"), M, "sync")
			if err := os.Mkdir(e.dir("paul"), 0o777); err != nil {
				t.Fatal(err)
			}
			os.Chmod(e.dir("paul"), 0o777)
			if out, errs, code := e.accUmask(e.root, P, "clone", s.url, "paul"); code != 0 {
				t.Fatalf("clone: %d %s%s", code, out, errs)
			}
			for _, who := range []string{"marie", "paul"} {
				fi, err := os.Stat(filepath.Join(e.dir(who), ".git"))
				if err != nil || fi.Mode().Perm()&0o077 != 0 {
					t.Fatalf("%s/.git open to others under umask 000: %v %v", who, fi.Mode(), err)
				}
				if out := e.mustAcc(e.dir(who), "", "doctor"); !strings.Contains(out, "lisibles par vous seul") {
					t.Fatalf("%s: doctor:\n%s", who, out)
				}
			}
			good := strings.TrimSpace(e.git(s.bare, "rev-parse", "main"))
			paulHead := e.head("paul")
			paulFiles := snapshot(t, filepath.Join(e.dir("paul"), "beneficiaires"))

			bare := s.bare
			hook := e.blob(bare, "#!/bin/sh\ntouch "+marker+"\n")
			cfg := e.blob(bare, "[core]\n\thooksPath = hooks\n\tfsmonitor = touch "+marker+"\n")
			hooks := e.mkTree(bare, craftedEntry{"100755", "post-checkout", hook}, craftedEntry{"100755", "pre-commit", hook},
				craftedEntry{"100755", "post-merge", hook})
			gitDir := func(name string) craftedEntry {
				return craftedEntry{"40000", name, e.mkTree(bare, craftedEntry{"40000", "hooks", hooks}, craftedEntry{"100644", "config", cfg})}
			}
			inBenef := func(extra craftedEntry) craftedEntry {
				fiche := e.blob(bare, "---\nid: jean-dupont\n---\n")
				id := e.mkTree(bare, extra, craftedEntry{"100644", "fiche.md", fiche})
				return craftedEntry{"40000", "beneficiaires", e.mkTree(bare, craftedEntry{"40000", "jean-dupont", id})}
			}
			modules := e.blob(bare, "[submodule \"x\"]\n\tpath = x\n\turl = ./x\n\tupdate = !touch "+marker+"\n")
			cases := []struct {
				extra craftedEntry
				shown string // as the message quotes it
			}{
				{gitDir(".git"), `".git"`},
				{gitDir(".GIT"), `".GIT"`},
				{gitDir("git~1"), `"git~1"`},
				{gitDir(".git::$INDEX_ALLOCATION"), `".git::$INDEX_ALLOCATION"`},
				{gitDir(".git. "), `".git. "`},
				{gitDir(".g\u200cit"), `".g\u200cit"`},
				{gitDir(".."), `".."`},
				{craftedEntry{"100644", ".gitmodules", modules}, `".gitmodules"`},
				{craftedEntry{"160000", "x", good}, `"x"`},
				{inBenef(gitDir(".git")), `"beneficiaires/jean-dupont/.git"`},
				{inBenef(craftedEntry{"120000", "lien", e.blob(bare, canary)}), `"beneficiaires/jean-dupont/lien"`},
				{inBenef(craftedEntry{"100644", "a\x1b]0;titre\x07.md", hook}), `"beneficiaires/jean-dupont/a\x1b]0;titre\a.md"`},
			}
			for i, c := range cases {
				e.plant(bare, good, c.extra)
				dir := "essai" + string(rune('a'+i))
				out, errs, code := e.acc(e.root, P, "clone", s.url, dir)
				if code != 3 || !strings.Contains(errs, "chemin refusé "+c.shown) || strings.ContainsAny(errs, "\x1b\x07") {
					t.Fatalf("clone %s: exit %d\n%s%s", c.shown, code, out, errs)
				}
				if _, err := os.Lstat(e.dir(dir)); !os.IsNotExist(err) {
					t.Fatalf("clone %s left %s", c.shown, dir)
				}
				out, errs, code = e.acc(e.root, P, "init", dir, "--remote", s.url)
				if code != 3 || !strings.Contains(errs, "chemin refusé "+c.shown) {
					t.Fatalf("init --remote %s: exit %d\n%s%s", c.shown, code, out, errs)
				}
				out, errs, code = e.acc(e.dir("paul"), P, "sync")
				if code != 3 || !strings.Contains(errs, "chemin refusé "+c.shown) {
					t.Fatalf("sync %s: exit %d\n%s%s", c.shown, code, out, errs)
				}
				if h := e.head("paul"); h != paulHead {
					t.Fatalf("sync %s moved HEAD", c.shown)
				}
				if r := strings.TrimSpace(e.git(e.dir("paul"), "rev-parse", "origin/main")); r != good {
					t.Fatalf("sync %s moved origin/main", c.shown)
				}
				if st := e.git(e.dir("paul"), "status", "--porcelain", "--ignored"); st != "" {
					t.Fatalf("sync %s left files:\n%s", c.shown, st)
				}
				if snapshot(t, filepath.Join(e.dir("paul"), "beneficiaires")) != paulFiles {
					t.Fatalf("sync %s changed files", c.shown)
				}
				e.git(e.dir("paul"), "fsck", "--strict", "--no-progress")
			}

			// Accepted: a .gitattributes that names filters and diff drivers. Nothing
			// defines them (config never comes from a remote): nothing runs.
			attrs := e.blob(bare, "* filter=piege diff=piege merge=piege\n")
			e.plant(bare, good, craftedEntry{"100644", ".gitattributes", attrs})
			e.mustAcc(e.dir("paul"), P, "sync")

			// The real git in the clone and in a beneficiary's folder.
			benef := filepath.Join(e.dir("paul"), "beneficiaires", "jean-dupont")
			e.git(e.dir("paul"), "status")
			e.git(benef, "status")
			e.appendTo("paul", "beneficiaires/jean-dupont/fiche.md", "Note ajoutée avec git.")
			e.git(benef, "commit", "-q", "-a", "-m", "note")
			e.git(e.dir("paul"), "fsck", "--strict", "--no-progress")
			if _, err := os.Lstat(marker); err == nil {
				t.Fatal("a planted hook, fsmonitor or filter ran")
			}
			if snapshot(t, canary) != canaryBefore {
				t.Fatal("the canary folder changed")
			}
			if snapshot(t, e.home) != homeBefore {
				t.Fatal("HOME changed")
			}
			// The server, once the attacker's objects are pruned.
			e.git(s.bare, "reflog", "expire", "--expire=now", "--all")
			e.git(s.bare, "prune", "--expire=now")
			e.git(s.bare, "fsck", "--strict", "--no-progress")
		})
	}
}
