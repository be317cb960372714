package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/acc-formation/acc/validate"
)

func TestRunValidate(t *testing.T) {
	requireGit(t)
	r := newUnitRepo(t)
	draft := "beneficiaires/jean-dupont/2026-11-03-entretien-initial.md:6:9: avertissement brouillon-ancien: brouillon depuis 22 jours (au plus 7)"
	run := func(o validateOptions) (string, string, error) {
		d, out, errb := r.deps("")
		o.deps = d
		err := runValidate(&o)
		return out.String(), errb.String(), err
	}

	// The fixed date makes the draft 22 days old: a warning, exit 0.
	out, stderr, err := run(validateOptions{MaxWarnings: -1})
	wantExit(t, err, exitOK)
	wantIn(t, "stdout", out, draft, "0 erreur, 1 avertissement, 0 info dans 3 documents\n")
	if stderr != "" {
		t.Errorf("stderr: %q", stderr)
	}

	// Warnings past --max-warnings or --strict: exit 1, said on stderr.
	_, stderr, err = run(validateOptions{MaxWarnings: -1, Strict: true})
	wantExit(t, err, exitFindings)
	wantIn(t, "stderr", stderr, "acc : 1 avertissement, alors qu'aucun n'est permis (--strict ou --max-warnings 0)\n")
	_, _, err = run(validateOptions{MaxWarnings: 1})
	wantExit(t, err, exitOK)

	// JSON on stdout and JUnit into a file (relative to the working folder).
	out, _, err = run(validateOptions{MaxWarnings: -1, JSON: true, Outputs: []string{"junit=constats.xml"}})
	wantExit(t, err, exitOK)
	wantIn(t, "json", out, `"rule": "brouillon-ancien"`)
	junit, rerr := os.ReadFile(filepath.Join(r.dir, "constats.xml"))
	if rerr != nil {
		t.Fatal(rerr)
	}
	wantIn(t, "junit", string(junit), "<testsuites", "brouillon-ancien")
	os.Remove(filepath.Join(r.dir, "constats.xml"))

	// Contradicting flags: exit 2 before anything is read.
	out, _, err = run(validateOptions{MaxWarnings: -1, JSON: true, Format: "sarif"})
	wantExit(t, err, exitUsage)
	wantIn(t, "error", err.Error(), "--json et --format sarif se contredisent")
	if out != "" {
		t.Errorf("stdout: %q", out)
	}

	// A path is named in messages as typed.
	_, _, err = run(validateOptions{MaxWarnings: -1, Paths: []string{"beneficiaires/personne"}})
	wantExit(t, err, exitUsage)
	wantIn(t, "error", err.Error(), "beneficiaires/personne")

	// A broken interview: an error, exit 1, only for the path given.
	r.write("beneficiaires/ana-lima/2026-11-04-entretien-initial.md", "---\ntype: entretien-initial\nbeneficiaire: ana-lima\n---\n")
	out, _, err = run(validateOptions{MaxWarnings: -1, Paths: []string{"beneficiaires/ana-lima"}})
	wantExit(t, err, exitFindings)
	wantIn(t, "stdout", out, "beneficiaires/ana-lima/2026-11-04-entretien-initial.md:", " erreur ")
	if strings.Contains(out, "jean-dupont") {
		t.Errorf("a path given, yet another folder checked:\n%s", out)
	}

	// --fix runs the fixer first, on what the run checks.
	var fixed []string
	fix := func(_ *workspace, opts validate.RunOptions) error {
		fixed = append(fixed, opts.Paths...)
		return nil
	}
	_, _, err = run(validateOptions{MaxWarnings: -1, FixFirst: true, Fix: fix, Paths: []string{"beneficiaires/ana-lima"}})
	wantExit(t, err, exitFindings)
	if len(fixed) != 1 || fixed[0] != filepath.Join(r.dir, "beneficiaires/ana-lima") {
		t.Errorf("fixer called on %q", fixed)
	}
}
