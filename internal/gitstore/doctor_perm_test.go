//go:build unix

package gitstore

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The phases of the permissions check, one by one, on a repository made by git and acc.

// permRepo makes a repository with one committed case file, every file mode file and
// every folder mode dir, and an audit of it (folders above taken as open).
func permRepo(t *testing.T, file, dir os.FileMode, shared bool) (*permAudit, string) {
	t.Helper()
	root := newRepo(t)
	s := openLocked(t, root)
	mustCommit(t, s, "fiche", Change{Path: "beneficiaires/lucie/fiche.md", Content: []byte("Lucie\n")})
	chmodAll(t, root, file, dir)
	t.Cleanup(func() { chmodAll(t, root, 0o600, 0o700) })
	return &permAudit{s: s, shared: shared, ancOthers: true, ancGroup: true, rootMode: dir}, root
}

func TestPermAuditOpen(t *testing.T) {
	for _, c := range []struct {
		shared     bool
		mode       os.FileMode
		o, g, want bool
	}{
		{false, 0o600, true, true, false},
		{false, 0o604, true, true, true},
		{false, 0o604, false, true, false}, // others cannot reach it
		{false, 0o640, false, true, true},
		{true, 0o640, false, true, false}, // the group may read when shared
		{true, 0o602, true, false, true},
		{false, 0o640, true, false, false},
	} {
		a := &permAudit{shared: c.shared}
		if got := a.open(c.mode, c.o, c.g); got != c.want {
			t.Errorf("open(%o, others %v, group %v, shared %v) = %v", c.mode, c.o, c.g, c.shared, got)
		}
	}
}

func TestPermAuditChain(t *testing.T) {
	a, root := permRepo(t, 0o644, 0o755, false)
	deep := filepath.Join(root, "beneficiaires", "lucie", "fiche.md")
	if o, g := a.chain(deep); !o || !g {
		t.Fatalf("open folders: %v %v", o, g)
	}
	if o, g := a.chain(root); !o || !g {
		t.Fatalf("the root itself: %v %v", o, g)
	}
	if err := os.Chmod(filepath.Join(root, "beneficiaires"), 0o710); err != nil {
		t.Fatal(err)
	}
	if o, g := a.chain(deep); o || !g {
		t.Fatalf("folder open to the group only: others %v group %v", o, g)
	}
	// The last folder of the chain is left to the caller.
	if o, g := a.chain(filepath.Join(root, "beneficiaires")); !o || !g {
		t.Fatalf("chain to the closed folder itself: %v %v", o, g)
	}
	a.rootMode = 0o700
	if o, g := a.chain(deep); o || g {
		t.Fatalf("closed root: %v %v", o, g)
	}
}

func TestPermAuditWalks(t *testing.T) {
	a, root := permRepo(t, 0o644, 0o755, false)
	a.walkCases()
	if fmt.Sprint(a.exposedNow) != "[beneficiaires/lucie/fiche.md]" || len(a.exposedLater) != 0 {
		t.Fatalf("case files: now %v later %v", a.exposedNow, a.exposedLater)
	}
	a.exposedNow = nil
	a.walkGit()
	if git(t, root, "ls-files") != "beneficiaires/lucie/fiche.md\n" || !hasString(a.exposedNow, ".git/index") {
		t.Fatalf("git dir: index not found open in %v", a.exposedNow)
	}
	blob := strings.TrimSpace(git(t, root, "rev-parse", "HEAD:beneficiaires/lucie/fiche.md"))
	if !hasString(a.exposedNow, filepath.Join(".git", "objects", blob[:2], blob[2:])) {
		t.Fatalf("git dir: the case file's blob not found open in %v", a.exposedNow)
	}
	for _, p := range a.exposedNow {
		if strings.HasPrefix(p, ".git/refs") || p == ".git/HEAD" || p == ".git/config" {
			t.Errorf("%s holds no personal data: not to report", p)
		}
	}
	// Protected only by a folder above: later, not now.
	a.exposedNow, a.ancOthers, a.ancGroup = nil, false, false
	a.walkCases()
	if len(a.exposedNow) != 0 || fmt.Sprint(a.exposedLater) != "[beneficiaires/lucie/fiche.md]" {
		t.Fatalf("behind a closed parent: now %v later %v", a.exposedNow, a.exposedLater)
	}
	// A closed folder inside hides what it holds.
	a.exposedLater, a.ancOthers, a.ancGroup = nil, true, true
	if err := os.Chmod(filepath.Join(root, "beneficiaires", "lucie"), 0o700); err != nil {
		t.Fatal(err)
	}
	a.walkCases()
	if len(a.exposedNow)+len(a.exposedLater) != 0 {
		t.Fatalf("behind a closed folder: %v %v", a.exposedNow, a.exposedLater)
	}
}

func TestPermAuditDescribe(t *testing.T) {
	a, _ := permRepo(t, 0o600, 0o700, false)
	what, list := a.describe([]string{".git/index", "beneficiaires/b/fiche.md", ".git/logs/HEAD", "beneficiaires/a/fiche.md"})
	if what != "2 fichier(s) de dossiers et 2 fichier(s) de l'historique Git (.git)" {
		t.Fatalf("what: %q", what)
	}
	if fmt.Sprint(list) != "[beneficiaires/a/fiche.md beneficiaires/b/fiche.md .git/index .git/logs/HEAD]" {
		t.Fatalf("list: %v", list)
	}
	if what, _ := a.describe([]string{".git/index"}); what != "1 fichier(s) de l'historique Git (.git)" {
		t.Fatalf("git only: %q", what)
	}
}

func TestPermAuditReport(t *testing.T) {
	a, root := permRepo(t, 0o600, 0o700, false)
	c := Check{ID: "permissions"}
	a.report(&c)
	if c.Status != CheckOK || c.Message != "dossiers et historique Git lisibles par vous seul" || c.Advice != "" {
		t.Fatalf("nothing open: %+v", c)
	}
	a.exposedLater = []string{"beneficiaires/a/fiche.md"}
	a.blocker = "/home/marie"
	c = Check{}
	a.report(&c)
	if c.Status != CheckWarning || !strings.Contains(c.Message, "/home/marie") || c.Advice != "chmod -R go-rwx "+shellQuote(root) {
		t.Fatalf("later: %+v", c)
	}
	for i := 0; i < 7; i++ {
		a.exposedNow = append(a.exposedNow, fmt.Sprintf(".git/objects/0%d", i))
	}
	a.exposedNow = append(a.exposedNow, "beneficiaires/z/fiche.md")
	a.shared = true
	c = Check{}
	a.report(&c)
	if c.Status != CheckProblem || !strings.HasPrefix(c.Message, "1 fichier(s) de dossiers et 7 fichier(s)") ||
		!strings.Contains(c.Message, "les autres utilisateurs") || len(c.Details) != maxDetails ||
		c.Details[0] != "beneficiaires/z/fiche.md" || !strings.Contains(c.Advice, "o-rwx") {
		t.Fatalf("now, shared: %+v", c)
	}
}
