//go:build linux && amd64

package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestWindowsUnderWine runs the Windows build of acc under Wine, end to end:
// init, new, edit with a scripted Windows editor (launched through cmd.exe),
// a CRLF file committed by acc commit, validate and report -o; the Linux git
// judges the repository afterwards. Wine 8.0 (Debian's) needs a stub
// bcryptprimitives.dll for Go >= 1.24 programs: it is built from
// testdata/wine with MinGW and put into the test's own Wine prefix.
func TestWindowsUnderWine(t *testing.T) {
	if testing.Short() {
		t.Skip("-short : l'essai sous Wine (plusieurs secondes) est sauté")
	}
	wine := lookAny("wine", "wine64")
	if wine == "" {
		t.Skip("wine introuvable : l'exécutable Windows n'est pas essayé (apt-get install wine64)")
	}
	for _, tool := range []string{"x86_64-w64-mingw32-gcc", "go", "git"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s introuvable : l'exécutable Windows n'est pas essayé sous Wine (apt-get install gcc-mingw-w64-x86-64)", tool)
		}
	}
	// Wine can be slow to start a prefix; nothing may hang past this.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()

	tmp := t.TempDir()
	prefix := filepath.Join(tmp, "prefix")
	env := wineEnv(tmp, prefix)
	// Registered after TempDir, so run before its removal: the prefix's
	// wineserver is stopped and no process is left behind.
	t.Cleanup(func() {
		kctx, kcancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer kcancel()
		k := exec.CommandContext(kctx, filepath.Join(filepath.Dir(wine), "wineserver"), "-k")
		k.Env = env
		_ = k.Run()
	})

	accExe := filepath.Join(tmp, "acc.exe")
	editorDir := filepath.Join(tmp, "mon editeur")
	editorExe := filepath.Join(editorDir, "editor.exe")
	dll := filepath.Join(tmp, "bcryptprimitives.dll")
	goos := append(os.Environ(), "GOOS=windows", "GOARCH=amd64", "CGO_ENABLED=0")
	wineRun(t, ctx, "", goos, "go", "build", "-o", accExe, ".")
	wineRun(t, ctx, "", goos, "go", "build", "-o", editorExe, "./testdata/wine/editor")
	wineRun(t, ctx, "", nil, "x86_64-w64-mingw32-gcc", "-shared", "-O2", "-o", dll, "testdata/wine/bcryptprimitives.c", "-ladvapi32")

	wineRun(t, ctx, tmp, env, wine, "wineboot", "-i")
	sys32 := filepath.Join(prefix, "drive_c", "windows", "system32")
	copyFile(t, dll, filepath.Join(sys32, "bcryptprimitives.dll"))
	// Under Wine, Git's global config is the Wine user's, not $HOME's.
	users, err := os.ReadDir(filepath.Join(prefix, "drive_c", "users"))
	if err != nil {
		t.Fatal(err)
	}
	profiles := 0
	for _, u := range users {
		if u.IsDir() && u.Name() != "Public" {
			gitconfig := "[user]\n\tname = Marie Martin\n\temail = marie.martin@exemple.org\n[init]\n\tdefaultBranch = main\n"
			if err := os.WriteFile(filepath.Join(prefix, "drive_c", "users", u.Name(), ".gitconfig"), []byte(gitconfig), 0o600); err != nil {
				t.Fatal(err)
			}
			profiles++
		}
	}
	if profiles == 0 {
		t.Fatalf("no user profile in the Wine prefix %s", prefix)
	}

	// A folder name that cmd.exe would split at "&" if the document's path
	// reached it unquoted.
	work := filepath.Join(tmp, "Dupont & Fils")
	if err := os.Mkdir(work, 0o755); err != nil {
		t.Fatal(err)
	}
	repo := filepath.Join(work, "centre")
	acc := func(wantCode int, extraEnv []string, dir string, args ...string) (string, string) {
		t.Helper()
		cmd := exec.CommandContext(ctx, wine, append([]string{accExe}, args...)...)
		cmd.Dir, cmd.Env = dir, append(append([]string{}, env...), extraEnv...)
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		code := 0
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			code = exit.ExitCode()
		} else if err != nil {
			t.Fatalf("acc.exe %s: %v", strings.Join(args, " "), err)
		}
		if code != wantCode {
			t.Fatalf("acc.exe %s: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), code, wantCode, stdout.String(), stderr.String())
		}
		return stdout.String(), stderr.String()
	}
	git := func(args ...string) string {
		t.Helper()
		return wineRun(t, ctx, repo, nil, "git", args...)
	}

	acc(0, nil, work, "init", "--organisation", "Centre Test", "centre")
	if out, _ := acc(0, nil, repo, "new", "beneficiaire", "Jeanne Test"); strings.TrimSpace(out) != `beneficiaires\jeanne-test\fiche.md` {
		t.Errorf("new beneficiaire printed %q, want a Windows path", out)
	}
	doc := `beneficiaires\jeanne-test\2026-11-02-entretien-initial.md`
	if out, _ := acc(0, nil, repo, "new", "entretien-initial", "-b", "jeanne-test", "--date", "2026-11-02"); strings.TrimSpace(out) != doc {
		t.Errorf("new entretien-initial printed %q, want %q", out, doc)
	}

	// An editor in a folder with a space, with an argument: cmd.exe must
	// pass both as typed. One called wrongly fails, and nothing is committed.
	winEditor := `"Z:` + strings.ReplaceAll(editorExe, "/", `\`) + `"`
	head := git("rev-parse", "HEAD")
	if _, stderr := acc(2, []string{"ACC_EDITOR=" + winEditor}, repo, "edit", doc); !strings.Contains(stderr, "a échoué") {
		t.Errorf("failing editor: stderr %q, want « a échoué »", stderr)
	}
	if got := git("rev-parse", "HEAD"); got != head {
		t.Errorf("a failing editor made a commit")
	}
	if _, stderr := acc(0, []string{"ACC_EDITOR=" + winEditor + " --crlf"}, repo, "edit", doc); !strings.Contains(stderr, "enregistré") {
		t.Errorf("edit: stderr %q, want « enregistré »", stderr)
	}
	docPath := filepath.Join(repo, "beneficiaires", "jeanne-test", "2026-11-02-entretien-initial.md")
	if b, err := os.ReadFile(docPath); err != nil || !bytes.Contains(b, []byte("Texte saisi sous Windows.\r\n")) {
		t.Errorf("the scripted editor's CRLF text is not in %s (%v)", docPath, err)
	}

	// A file changed by hand with Windows line endings, recorded by acc commit.
	fiche := filepath.Join(repo, "beneficiaires", "jeanne-test", "fiche.md")
	f, err := os.OpenFile(fiche, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString("\r\nNote ajoutée à la main.\r\n"); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	if _, stderr := acc(0, nil, repo, "commit"); !strings.Contains(stderr, "enregistré") {
		t.Errorf("commit: stderr %q, want « enregistré »", stderr)
	}

	// The draft is 23 days old on 2026-11-25: a warning, exit 0.
	if out, _ := acc(0, nil, repo, "validate", "--today", "2026-11-25"); !strings.Contains(out, "brouillon-ancien") || !strings.Contains(out, "0 erreur") {
		t.Errorf("validate: stdout %q, want the old draft's warning and no error", out)
	}
	if _, stderr := acc(0, nil, repo, "report", "--today", "2026-11-25", "-o", `..\rapport.md`); !strings.Contains(stderr, `..\rapport.md`) {
		t.Errorf("report -o: stderr %q, want the Windows path written", stderr)
	}
	if b, err := os.ReadFile(filepath.Join(work, "rapport.md")); err != nil || !bytes.Contains(b, []byte("25 novembre 2026")) || !bytes.Contains(b, []byte("Centre Test")) {
		t.Errorf("rapport.md: %v\n%s", err, b)
	}

	// The Linux git judges what the Windows acc wrote.
	git("fsck", "--strict")
	if st := git("status", "--porcelain"); st != "" {
		t.Errorf("git status --porcelain after the run:\n%s", st)
	}
	log := git("log", "--reverse", "--format=%s%n%(trailers:key=Acc-Action,valueonly)%(trailers:key=Acc-Type,valueonly)--")
	want := []string{
		"init : dépôt de dossiers d'accompagnement\ninit\n--",
		"fiche : jeanne-test (2026-11-25)\nnew\nfiche\n--",
		"entretien-initial : jeanne-test (2026-11-02)\nnew\nentretien-initial\n--",
		"entretien-initial : jeanne-test (2026-11-02) modifié\nedit\nentretien-initial\n--",
		"fiche : jeanne-test modifié\ncommit\nfiche\n--",
	}
	if got := strings.TrimSpace(log); got != strings.Join(want, "\n") {
		t.Errorf("git log:\n%s\nwant:\n%s", got, strings.Join(want, "\n"))
	}
	if b := git("show", "HEAD:beneficiaires/jeanne-test/2026-11-02-entretien-initial.md"); !strings.Contains(b, "Texte saisi sous Windows.") {
		t.Errorf("the edited text is not committed:\n%s", b)
	}
}

// wineEnv is the environment of every Wine run: a private prefix, no
// display, no Gecko/Mono install prompt, no debug noise, a fixed date, and
// nothing of the machine's Git or editor settings.
func wineEnv(tmp, prefix string) []string {
	drop := map[string]bool{"DISPLAY": true, "WAYLAND_DISPLAY": true, "HOME": true, "ACC_EDITOR": true, "VISUAL": true, "EDITOR": true}
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if drop[k] || strings.HasPrefix(k, "GIT_") || strings.HasPrefix(k, "ACC_") || strings.HasPrefix(k, "WINE") {
			continue
		}
		env = append(env, kv)
	}
	return append(env, "HOME="+tmp, "WINEPREFIX="+prefix, "WINEDEBUG=-all", "WINEDLLOVERRIDES=mscoree,mshtml=", "ACC_TODAY=2026-11-25")
}

func lookAny(names ...string) string {
	for _, n := range names {
		if p, err := exec.LookPath(n); err == nil {
			return p
		}
	}
	return ""
}

// wineRun runs a tool of the test (not acc) and returns its stdout.
func wineRun(t *testing.T, ctx context.Context, dir string, env []string, name string, args ...string) string {
	t.Helper()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir, cmd.Env = dir, env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %s: %v\n%s%s", name, strings.Join(args, " "), err, stdout.String(), stderr.String())
	}
	return stdout.String()
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o644); err != nil {
		t.Fatal(err)
	}
}
