//go:build unix

package gitstore

import (
	"strings"
	"testing"
)

// TestCheckPathMatchesReceivedTrees: a path acc records passes the checks a colleague's
// copy applies to the tree it receives (one rule: badName and the layout), so that a
// trainer cannot commit a name that stops everyone else's sync.
func TestCheckPathMatchesReceivedTrees(t *testing.T) {
	root := &Store{}
	for _, c := range nameCases {
		if strings.Contains(c.name, "/") {
			continue // two components here, a single tree entry there
		}
		p := "beneficiaires/jean-dupont/" + c.name
		for _, check := range []struct {
			name string
			f    func(string) error
		}{{"checkCasePath", checkCasePath}, {"CheckPath", CheckPath}} {
			err := check.f(p)
			if (err == nil) != c.ok {
				t.Errorf("%s(%q) = %v, want ok=%v", check.name, p, err, c.ok)
			}
			if err != nil && !strings.Contains(err.Error(), "chemin refusé") {
				t.Errorf("%s(%q) = %v: not the path refusal", check.name, p, err)
			}
		}
		if got, want := CheckPath(p) == nil, root.verifyPath(p, modeFile) == nil; got != want {
			t.Errorf("CheckPath(%q) ok=%v but verifyPath ok=%v", p, got, want)
		}
	}
	for _, c := range []struct {
		path string
		ok   bool
	}{
		{"beneficiaires/x/a:b.md", false},
		{"beneficiaires/x/nul.md", false},
		{"beneficiaires/x/NUL.md", false},
		{"beneficiaires/x/a~1", false},
		{"beneficiaires/x/fiche.md.", false},
		{"beneficiaires/x/fiche.md ", false},
		{"beneficiaires/x/a\u200db.md", false},
		{"beneficiaires/com1/fiche.md", false},
		{"beneficiaires/x/.Git/config", false},
		{"", false},
		{"beneficiaires//fiche.md", false},
		{"beneficiaires/x/fiche.md", true},
		{"beneficiaires/x", true},
		{"beneficiaires", true},
		{"acc.yaml", true},
		{".acc/types/atelier.yaml", true},
		{"conflits/beneficiaires/x/fiche.md", true},
	} {
		if err := checkCasePath(c.path); (err == nil) != c.ok {
			t.Errorf("checkCasePath(%q) = %v, want ok=%v", c.path, err, c.ok)
		}
		if err := CheckPath(c.path); (err == nil) != c.ok {
			t.Errorf("CheckPath(%q) = %v, want ok=%v", c.path, err, c.ok)
		}
	}
	// The layout, for what acc commit records: what a received tree may not hold.
	for _, p := range []string{"beneficiaires/Jean Dupont/fiche.md", "beneficiaires/Bad_Id/n.md", "beneficiaires/x/.cache", "docs/a.md", ".env", "beneficiaires/fiche.md"} {
		if err := CheckPath(p); err == nil {
			t.Errorf("CheckPath(%q) accepted; verifyPath: %v", p, root.verifyPath(p, modeFile))
		}
	}
}
