package main

import (
	"strings"
	"testing"
)

func TestRunCompletion(t *testing.T) {
	requireGit(t)
	r := newUnitRepo(t)
	run := func(shell string) (string, error) {
		d, out, _ := r.deps("")
		a := newApp(strings.NewReader(""), out, out, r.getenv)
		err := runCompletion(&completionOptions{deps: d, Root: a.rootCmd(), Shell: shell})
		return out.String(), err
	}

	// bash: cobra's script, routed through acc's stand-ins for the
	// bash-completion package's functions.
	out, err := run("bash")
	wantExit(t, err, exitOK)
	wantIn(t, "bash", out, "__start_acc", "__acc_comp_words_by_ref()", "__acc_filedir()")

	out, err = run("zsh")
	wantExit(t, err, exitOK)
	wantIn(t, "zsh", out, "#compdef acc")
	out, err = run("fish")
	wantExit(t, err, exitOK)
	wantIn(t, "fish", out, "complete -c acc")

	// No shell, or an unknown one: exit 2 with a suggestion, nothing written.
	out, err = run("")
	wantExit(t, err, exitUsage)
	wantIn(t, "error", err.Error(), "shell manquant")
	if out != "" {
		t.Errorf("stdout: %q", out)
	}
	out, err = run("bsah")
	wantExit(t, err, exitUsage)
	wantIn(t, "error", err.Error(), "« bsah » non pris en charge", "vouliez-vous dire « bash » ?", "shells : bash, zsh, fish")
	if out != "" {
		t.Errorf("stdout: %q", out)
	}
}
