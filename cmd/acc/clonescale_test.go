//go:build unix

package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/acc-formation/acc/internal/gitstore/benchrepo"
)

// TestCloneUnderFileLimit: acc clone, then acc sync, of a repository of 2,000
// documents with the limit of open files at macOS's default (256). A clone that kept
// a descriptor per file written, or per object read, fails here with "too many open
// files". Git judges the result.
func TestCloneUnderFileLimit(t *testing.T) {
	acc := accPath(t)
	env := robustEnv(t)
	const docs = 2000
	root := t.TempDir()
	src := filepath.Join(root, "source")
	if err := benchrepo.Generate(src, docs, 40); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(src, "acc.yaml"), []byte("organisation: Centre Test\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	mustRun(t, env, src, "git", "add", "acc.yaml")
	mustRun(t, env, src, "git", "commit", "-qm", "acc.yaml")
	bare := filepath.Join(root, "partage.git")
	mustRun(t, env, root, "git", "clone", "-q", "--bare", "--no-local", src, bare)
	url := "file://" + bare
	limited := func(dir string, args ...string) result {
		return runIn(t, env, dir, "sh", append([]string{"-c", `ulimit -n 256 && exec "$0" "$@"`, acc}, args...)...)
	}
	dst := filepath.Join(root, "copie")
	if r := limited(root, "clone", url, dst); r.code != 0 {
		t.Fatalf("acc clone sous ulimit -n 256 : code %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if status := checkHealthy(t, env, dst); status != "" {
		t.Fatalf("git status --porcelain non vide après acc clone :\n%s", status)
	}
	if n := len(tracked(t, env, dst)); n != docs+1 {
		t.Fatalf("%d fichiers dans HEAD, %d attendus", n, docs+1)
	}
	if got, want := mustRun(t, env, dst, "git", "rev-parse", "HEAD"), mustRun(t, env, bare, "git", "rev-parse", "HEAD"); got != want {
		t.Fatalf("HEAD %s, le dépôt partagé est à %s", got, want)
	}
	// A peer changes a document in every beneficiary's folder; acc sync brings the 200
	// changes in under the same limit.
	peer := filepath.Join(root, "pair")
	mustRun(t, env, root, "git", "clone", "-q", url, peer)
	for i := range docs / benchrepo.DocsPerBeneficiary {
		p := filepath.Join(peer, "beneficiaires", benchrepo.BeneficiaryID(i), "fiche.md")
		f, err := os.OpenFile(p, os.O_APPEND|os.O_WRONLY, 0)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(f, "\nNote %d.\n", i)
		f.Close()
	}
	mustRun(t, env, peer, "git", "commit", "-qam", "notes")
	mustRun(t, env, peer, "git", "push", "-q", "origin", "HEAD")
	if r := limited(dst, "sync"); r.code != 0 {
		t.Fatalf("acc sync sous ulimit -n 256 : code %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if status := checkHealthy(t, env, dst); status != "" {
		t.Fatalf("git status --porcelain non vide après acc sync :\n%s", status)
	}
	b, err := os.ReadFile(filepath.Join(dst, "beneficiaires", benchrepo.BeneficiaryID(123), "fiche.md"))
	if err != nil || !strings.Contains(string(b), "Note 123.") {
		t.Fatalf("modification du pair absente après acc sync : %q %v", b, err)
	}
}
