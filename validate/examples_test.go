package validate

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/acc-formation/acc/casefile"
)

// The project's invented caseload (examples/) validates without error or
// warning at its reference date (examples/README.md), and its waiver is
// used.
func TestExamples(t *testing.T) {
	root, err := filepath.Abs("../examples")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, casefile.ConfigFile)); err != nil {
		t.Skip("no examples/ repository")
	}
	repo, err := casefile.Open(root)
	if err != nil {
		t.Fatal(err)
	}
	today := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
	var c collector
	st, err := Run(context.Background(), RunOptions{Root: root, Config: repo.Config, Today: today}, &c)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%+v", st)
	for _, f := range c.findings {
		msg := "%s:%d:%d: %s %s: %s"
		if f.Severity == Info {
			t.Logf(msg, f.Path, f.Line, f.Column, f.Severity.French(), f.Rule, f.Message)
			continue
		}
		t.Errorf(msg, f.Path, f.Line, f.Column, f.Severity.French(), f.Rule, f.Message)
	}
	silenced := 0
	for _, w := range c.waivers {
		t.Logf("dérogation %s:%d: %s (%s), %d constat(s)", w.Path, w.Line, w.Rule, w.Motif, w.Silenced)
		silenced += w.Silenced
	}
	if len(c.waivers) > 0 && silenced == 0 {
		t.Errorf("the examples' waivers silence nothing")
	}
}
