package main

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

// englishHelp are words cobra and pflag print in English when a template or
// a flag slips through.
var englishHelp = regexp.MustCompile(`\[flags\]|\(default |Usage:|Flags:|Global Flags|Available Commands|Additional help|Use ".* --help"| string | int | strings | stringArray |DEPRECATED`)

// TestHelpIsFrench runs --help for every command, hidden ones included,
// and looks for English that cobra or pflag would print.
func TestHelpIsFrench(t *testing.T) {
	dir := t.TempDir()
	env := func(k string) string {
		if k == "HOME" {
			return dir
		}
		return ""
	}
	var paths [][]string
	var walk func(c *cobra.Command, path []string)
	walk = func(c *cobra.Command, path []string) {
		paths = append(paths, path)
		for _, sub := range c.Commands() {
			walk(sub, append(append([]string{}, path...), sub.Name()))
		}
	}
	root := newApp(strings.NewReader(""), os.Stdout, os.Stderr, env).rootCmd()
	root.InitDefaultHelpCmd()
	walk(root, nil)
	if len(paths) < 20 {
		t.Fatalf("only %d commands found: %v", len(paths), paths)
	}
	for _, p := range paths {
		var out, errs strings.Builder
		a := newApp(strings.NewReader(""), &out, &errs, env)
		if code := a.run(append(append([]string{"-C", dir}, p...), "--help")); code != 0 {
			t.Errorf("acc %s --help: exit %d, %s", strings.Join(p, " "), code, errs.String())
			continue
		}
		help := out.String()
		if !strings.Contains(help, "Utilisation :") {
			t.Errorf("acc %s --help: no « Utilisation : »\n%s", strings.Join(p, " "), help)
		}
		if m := englishHelp.FindString(help); m != "" {
			t.Errorf("acc %s --help holds English %q:\n%s", strings.Join(p, " "), m, help)
		}
	}
}
