// Package benchrepo generates case-file repositories for benchmarks: n small Markdown
// documents under beneficiaires/<id>/ (10 per beneficiary), spread over a few hundred
// commits, written in one pass through git fast-import rather than one commit per file,
// then checked out (git reset --hard) so that the index is Git's own, cache-tree
// included.
package benchrepo

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// DocsPerBeneficiary is the number of documents in each beneficiaires/<id>/ folder.
const DocsPerBeneficiary = 10

// BeneficiaryID is the folder name of beneficiary i.
func BeneficiaryID(i int) string { return fmt.Sprintf("b-%06d", i) }

// Generate creates in dir (which must not exist or be empty) a repository with docs
// documents and about commits commits (at least 1) on branch main, with gc.auto off so
// that no automatic repack disturbs a benchmark.
func Generate(dir string, docs, commits int) error {
	if commits < 1 {
		commits = 1
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	run := func(stdin *bytes.Buffer, args ...string) error {
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1")
		if stdin != nil {
			cmd.Stdin = stdin
		}
		out, err := cmd.CombinedOutput()
		if err != nil {
			return fmt.Errorf("git %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return nil
	}
	if err := run(nil, "init", "-q", "-b", "main"); err != nil {
		return err
	}
	for _, kv := range [][2]string{{"gc.auto", "0"}, {"user.name", "Bench"}, {"user.email", "bench@example.org"}} {
		if err := run(nil, "config", kv[0], kv[1]); err != nil {
			return err
		}
	}
	var stream bytes.Buffer
	w := bufio.NewWriter(&stream)
	perCommit := (docs + commits - 1) / commits
	when := int64(1767225600) // 2026-01-01
	fmt.Fprintf(w, "reset refs/heads/main\n")
	for c, d := 0, 0; d < docs || c == 0; c++ {
		msg := fmt.Sprintf("lot %d\n\nAcc-Action: new\n", c)
		fmt.Fprintf(w, "commit refs/heads/main\nauthor Bench <bench@example.org> %d +0100\ncommitter Bench <bench@example.org> %d +0100\ndata %d\n%s",
			when, when, len(msg), msg)
		for k := 0; k < perCommit && d < docs; k, d = k+1, d+1 {
			id := BeneficiaryID(d / DocsPerBeneficiary)
			var name, content string
			if d%DocsPerBeneficiary == 0 {
				name = "fiche.md"
				content = fmt.Sprintf("---\ntype: fiche\nid: %s\nprenom: Prénom%d\nnom: Nom%d\ndate_entree: 2026-01-05\nformateur_referent: Marie Martin\nstatut: en-cours\n---\n\n# Fiche\n", id, d, d)
			} else {
				name = fmt.Sprintf("2026-%02d-%02d-entretien-suivi.md", 1+d%DocsPerBeneficiary, 1+d%28)
				content = fmt.Sprintf("---\ntype: entretien-suivi\nbeneficiaire: %s\ndate: 2026-%02d-%02d\nformateur: Marie Martin\nstatut: finalise\nobjectif_entretien: Faire le point.\n---\n\n## Introduction\n\nAccueil.\n\n## Déroulement\n\nPoint sur les démarches (%d).\n\n## Conclusion\n\nProchain rendez-vous fixé.\n",
					id, 1+d%DocsPerBeneficiary, 1+d%28, d)
			}
			fmt.Fprintf(w, "M 100644 inline beneficiaires/%s/%s\ndata %d\n%s\n", id, name, len(content), content)
		}
		when += 3600
	}
	if err := w.Flush(); err != nil {
		return err
	}
	if err := run(&stream, "fast-import", "--quiet"); err != nil {
		return err
	}
	return run(nil, "reset", "-q", "--hard", "main")
}

// Cached returns a generated repository of docs documents under cacheDir, generating it
// on first use (a "complete" marker tells a finished generation from an interrupted one).
func Cached(cacheDir string, docs, commits int) (string, error) {
	dir := filepath.Join(cacheDir, fmt.Sprintf("docs-%d-commits-%d", docs, commits))
	marker := dir + ".complete"
	if _, err := os.Stat(marker); err == nil {
		return dir, nil
	}
	if err := os.RemoveAll(dir); err != nil {
		return "", err
	}
	if err := Generate(dir, docs, commits); err != nil {
		return "", err
	}
	return dir, os.WriteFile(marker, nil, 0o644)
}
