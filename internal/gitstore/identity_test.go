//go:build unix

package gitstore

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/acc-formation/acc/internal/poserr"
)

// envOf makes a Getenv from a map, so that identity tests never touch the process
// environment (and can run in parallel).
func envOf(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func identityStore(t *testing.T, env map[string]string) (*Store, string) {
	t.Helper()
	dir := newRepo(t)
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	home := t.TempDir()
	base := map[string]string{"HOME": home, "GIT_CONFIG_NOSYSTEM": "1"}
	for k, v := range env {
		base[k] = v
	}
	s.Getenv = envOf(base)
	fixed := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	s.Clock = func() time.Time { return fixed }
	return s, home
}

func TestIdentityNone(t *testing.T) {
	s, _ := identityStore(t, nil)
	a, c, ok, err := s.Identity()
	if err != nil || ok || a.Name != "" || c.Name != "" {
		t.Fatalf("Identity() = %+v %+v %v %v, want no identity", a, c, ok, err)
	}
	if !a.When.Equal(time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)) {
		t.Fatalf("When = %v, want the clock", a.When)
	}
}

func TestIdentityPrecedence(t *testing.T) {
	s, home := identityStore(t, nil)
	writeFile(t, filepath.Join(home, ".gitconfig"), "[user]\n\tname = Global Nom\n\temail = global@example.org\n")
	a, _, ok, err := s.Identity()
	if err != nil || !ok || a.Name != "Global Nom" || a.Email != "global@example.org" {
		t.Fatalf("global: %+v %v %v", a, ok, err)
	}
	// XDG is read before ~/.gitconfig: ~/.gitconfig wins.
	writeFile(t, filepath.Join(home, ".config/git/config"), "[user]\n\tname = XDG\n\temail = xdg@example.org\n")
	if a, _, _, _ := s.Identity(); a.Name != "Global Nom" {
		t.Fatalf("~/.gitconfig should win over XDG: %+v", a)
	}
	// The repository wins over the global config, key by key.
	git(t, s.Root, "config", "user.name", "Dépôt Nom")
	a, c, _, err := s.Identity()
	if err != nil || a.Name != "Dépôt Nom" || a.Email != "global@example.org" || c.Name != "Dépôt Nom" {
		t.Fatalf("repo > global: %+v %+v %v", a, c, err)
	}
	// And the environment wins over everything, separately for author and committer.
	s.Getenv = envOf(map[string]string{"HOME": home, "GIT_CONFIG_NOSYSTEM": "1",
		"GIT_AUTHOR_NAME": "Env Auteur", "GIT_AUTHOR_EMAIL": "auteur@example.org",
		"GIT_COMMITTER_NAME": "Env Committer",
		"GIT_AUTHOR_DATE":    "2026-11-25T10:00:00+01:00", "GIT_COMMITTER_DATE": "@1764064800 +0200"})
	a, c, ok, err = s.Identity()
	if err != nil || !ok {
		t.Fatal(err)
	}
	if a.Name != "Env Auteur" || a.Email != "auteur@example.org" || c.Name != "Env Committer" || c.Email != "global@example.org" {
		t.Fatalf("env: %+v %+v", a, c)
	}
	if a.When.Unix() != 1795597200 || c.When.Unix() != 1764064800 {
		t.Fatalf("dates: %v %v", a.When, c.When)
	}
	if _, off := c.When.Zone(); off != 7200 {
		t.Fatalf("committer zone offset %d", off)
	}
	// GIT_CONFIG_GLOBAL replaces ~/.gitconfig and XDG.
	other := filepath.Join(t.TempDir(), "autre.gitconfig")
	writeFile(t, other, "[user]\n\temail = autre@example.org\n")
	s.Getenv = envOf(map[string]string{"HOME": home, "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": other})
	if a, _, _, _ := s.Identity(); a.Email != "autre@example.org" || a.Name != "Dépôt Nom" {
		t.Fatalf("GIT_CONFIG_GLOBAL: %+v", a)
	}
	// The system file comes first, so everything else wins over it.
	sys := filepath.Join(t.TempDir(), "gitconfig")
	writeFile(t, sys, "[user]\n\tname = Système\n\temail = sys@example.org\n")
	git(t, s.Root, "config", "--unset", "user.name")
	s.Getenv = envOf(map[string]string{"HOME": t.TempDir(), "GIT_CONFIG_SYSTEM": sys})
	if a, _, ok, _ := s.Identity(); !ok || a.Name != "Système" {
		t.Fatalf("system: %+v", a)
	}
	s.Getenv = envOf(map[string]string{"HOME": t.TempDir(), "GIT_CONFIG_SYSTEM": sys, "GIT_CONFIG_NOSYSTEM": "1"})
	if _, _, ok, _ := s.Identity(); ok {
		t.Fatal("GIT_CONFIG_NOSYSTEM ignored")
	}
}

func TestIdentityFollowsIncludes(t *testing.T) {
	s, home := identityStore(t, nil)
	// Relative include path (relative to the including file), ~ include, and an
	// includeIf "gitdir:" that matches this repository; later lines win.
	writeFile(t, filepath.Join(home, ".gitconfig"), `[user]
	name = Avant Inclusion
[include]
	path = conf/identite.inc
[includeIf "gitdir:`+filepath.ToSlash(s.GitDir)+`"]
	path = ~/conf/travail.inc
[includeIf "gitdir:/nulle/part/"]
	path = ~/conf/jamais.inc
`)
	writeFile(t, filepath.Join(home, "conf/identite.inc"), "[user]\n\tname = \"Jean \\\"JD\\\" Dupont\" ; commentaire\n[include]\n\tpath = ../email.inc\n")
	writeFile(t, filepath.Join(home, "email.inc"), "[user]\n\temail = jd@example.org\n")
	writeFile(t, filepath.Join(home, "conf/travail.inc"), "[user]\n\temail = jd@travail.example.org\n")
	writeFile(t, filepath.Join(home, "conf/jamais.inc"), "[user]\n\tname = Jamais\n")
	a, _, ok, err := s.Identity()
	if err != nil || !ok {
		t.Fatal(err)
	}
	if a.Name != `Jean "JD" Dupont` || a.Email != "jd@travail.example.org" {
		t.Fatalf("Identity() = %+v", a)
	}
	// The real git agrees.
	cmd := exec.Command("git", "config", "user.email")
	cmd.Dir = s.Root
	cmd.Env = append(os.Environ(), "HOME="+home, "GIT_CONFIG_GLOBAL="+filepath.Join(home, ".gitconfig"))
	out, err := cmd.Output()
	if err != nil || strings.TrimSpace(string(out)) != a.Email {
		t.Fatalf("git config user.email = %q (%v), we read %q", out, err, a.Email)
	}
	// An include loop is an error, not a hang.
	writeFile(t, filepath.Join(home, "email.inc"), "[include]\n\tpath = email.inc\n")
	if _, _, _, err := s.Identity(); err == nil || !strings.Contains(err.Error(), "inclusions") {
		t.Fatalf("include loop: %v", err)
	}
}

// TestConfigParserAgreesWithGit reads a config full of edge cases and compares every
// value with git config --get.
func TestConfigParserAgreesWithGit(t *testing.T) {
	file := filepath.Join(t.TempDir(), "config")
	content := "# commentaire\n" +
		"[core]\n\tbare = false\n\tlogAllRefUpdates\n" +
		"[User] Name = Élodie   N'Guessan-Lefèvre   # commentaire\n" +
		"\temail = \"e@x.org\" ; commentaire\n" +
		"[section \"Sous Section\"]\n\tcle-a = \"  espaces  gardés  \"\n\tsuite = début \\\n fin\n" +
		"\ttab = a\\tb\n\tvide =\n" +
		"[section.ancien]\n\tx = 1\n" +
		"[user]\n\tname = Dernier Gagne\n"
	writeFile(t, file, content)
	vars, err := parseConfig(file, []byte(content))
	if err != nil {
		t.Fatal(err)
	}
	c := &gitConfig{vars: vars}
	for _, key := range []string{"core.bare", "core.logallrefupdates", "user.name", "user.email",
		"section.Sous Section.cle-a", "section.Sous Section.suite", "section.Sous Section.tab", "section.Sous Section.vide", "section.ancien.x"} {
		args := []string{"config", "-f", file}
		if strings.HasPrefix(key, "core.") {
			args = append(args, "--type=bool")
		}
		args = append(args, "--get", key)
		want, err := gitErr(t.TempDir(), args...)
		if err != nil {
			t.Fatalf("git config --get %s: %v %s", key, err, want)
		}
		got, ok := c.get(key)
		if !ok || got != strings.TrimSuffix(want, "\n") {
			t.Errorf("%s = %q (%v), git says %q", key, got, ok, want)
		}
	}
	if bad := "[user\n\tname = x\n"; true {
		if _, err := parseConfig("f", []byte(bad)); err == nil {
			t.Error("broken section header accepted")
		} else if pe, ok := err.(*poserr.Error); !ok || pe.Line != 1 || pe.Error() != "f:1 : "+pe.Err.Error() {
			t.Errorf("error %v, want a *poserr.Error on line 1", err)
		}
	}
}

func TestParseGitDate(t *testing.T) {
	paris := time.FixedZone("", 3600)
	want := time.Date(2026, 11, 25, 10, 0, 0, 0, paris)
	for _, in := range []string{
		"2026-11-25T10:00:00+01:00", "2026-11-25 10:00:00 +0100", "2026-11-25T10:00:00+0100",
		"Wed, 25 Nov 2026 10:00:00 +0100", "25 Nov 2026 10:00:00 +0100", "Wed, 25 Nov 2026 10:00:00 +0100 (CET)",
		"@1795597200 +0100", "1795597200 +0100", "2026-11-25T09:00:00Z", "Wed Nov 25 10:00:00 2026 +0100",
	} {
		got, err := ParseGitDate(in)
		if err != nil || !got.Equal(want) {
			t.Errorf("ParseGitDate(%q) = %v, %v", in, got, err)
		}
	}
	if got, err := ParseGitDate("2026-11-25 10:00:00"); err != nil || got.Location() != time.Local || got.Hour() != 10 {
		t.Errorf("local time: %v %v", got, err)
	}
	for _, in := range []string{"demain", "2026-13-45", "@abc"} {
		if _, err := ParseGitDate(in); err == nil {
			t.Errorf("ParseGitDate(%q) accepted", in)
		}
	}
}

func TestCommitSignatureFormat(t *testing.T) {
	sig := Signature{Name: " <Jean> Dupont.", Email: "<jd@example.org>\n", When: time.Date(2026, 1, 2, 3, 4, 5, 0, time.FixedZone("", -(3*3600+30*60)))}
	if got := sig.format(); got != fmt.Sprintf("Jean Dupont <jd@example.org> %d -0330", sig.When.Unix()) {
		t.Fatalf("format = %q", got)
	}
	back := parseSignature(sig.format())
	if back.Name != "Jean Dupont" || back.Email != "jd@example.org" || !back.When.Equal(sig.When) {
		t.Fatalf("parse = %+v", back)
	}
	if _, off := back.When.Zone(); off != -(3*3600 + 30*60) {
		t.Fatalf("zone %d", off)
	}
}
