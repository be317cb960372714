package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/acc-formation/acc/casefile"
	"github.com/acc-formation/acc/internal/bug"
	"github.com/acc-formation/acc/internal/gitstore"
	"github.com/acc-formation/acc/internal/poserr"
	"github.com/acc-formation/acc/templates"
	"github.com/acc-formation/acc/validate"
)

// TestExitCode maps one error of every kind, as the packages return them
// (built by the packages themselves where they can be), through the wrapping
// they meet on their way up.
func TestExitCode(t *testing.T) {
	_, badConfig := casefile.ParseConfig("acc.yaml", []byte("organisation: X\npermissions: publiques\n"))
	cfg, _ := casefile.ParseConfig("acc.yaml", []byte("organisation: X\nregles:\n  rytme: info\n"))
	_, badRules := validate.NewSettings(cfg, "acc.yaml")
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "types"), 0o755)
	os.WriteFile(filepath.Join(dir, "types", "a.yml"), []byte("nom: a\n"), 0o644)
	_, badType := templates.Load(dir)
	_, _, badPath := validate.Check(context.Background(), validate.RunOptions{
		Root: t.TempDir(), Today: time.Date(2026, 11, 3, 0, 0, 0, 0, time.UTC), Registry: templates.Builtin(),
		Config: cfg, Settings: validate.DefaultSettings(), Paths: []string{"../dehors.md"},
	})
	fail := &casefile.ImportError{Path: "f.csv"}
	fail.Add(2, "prénom ou nom vide")
	panicked := bug.Call(func() error { panic("x") })
	for _, err := range []error{badConfig, badRules, badType, badPath, panicked} {
		if err == nil {
			t.Fatal("a fixture error is nil")
		}
	}
	for _, c := range []struct {
		name string
		err  error
		want int
	}{
		{"nil", nil, exitOK},
		{"interrupted", repoErr(fmt.Errorf("verrou : %w", context.Canceled)), exitInterrupted},
		{"panic", bug.From("x"), exitInternal},
		{"panic from a goroutine, wrapped as a repository error", repoErr(fmt.Errorf("lecture : %w", panicked)), exitInternal},
		{"findings", errFindings, exitFindings},
		{"sync stopped", findingsExit(errors.New("conflit")), exitFindings},
		{"usage", usageErr("option inconnue"), exitUsage},
		{"bad input file", usageErr("%w\nrien n'a été importé", fail), exitUsage},
		{"path validate cannot check", badPath, exitUsage},
		{"path validate cannot check, wrapped as a repository error", repoErr(fmt.Errorf("vérification : %w", badPath)), exitUsage},
		{"not a repository", fmt.Errorf("ouverture : %w", casefile.ErrNotRepo), exitRepo},
		{"broken acc.yaml", badConfig, exitRepo},
		{"broken acc.yaml rules", badRules, exitRepo},
		{"broken type", badType, exitRepo},
		{"broken Git config", fmt.Errorf("identité : %w", poserr.At("/home/x/.gitconfig", 3, 0, "section")), exitRepo},
		{"repository", repoErr(errors.New("verrou tenu")), exitRepo},
		{"store error", &gitstore.NoRemoteError{Name: "origin"}, exitRepo},
		{"anything else", errors.New("disque plein"), exitRepo},
	} {
		if got := exitCode(c.err); got != c.want {
			t.Errorf("%s: exitCode(%v) = %d, want %d", c.name, c.err, got, c.want)
		}
	}
}

// TestSentinelsThroughWrapping checks that the causes commands branch on
// survive the wrapping of the layers above.
func TestSentinelsThroughWrapping(t *testing.T) {
	_, _, err := validate.Check(context.Background(), validate.RunOptions{
		Root: t.TempDir(), Today: time.Date(2026, 11, 3, 0, 0, 0, 0, time.UTC), Registry: templates.Builtin(),
		Settings: validate.DefaultSettings(), Paths: []string{"beneficiaires/absent"},
	})
	wrapped := repoErr(fmt.Errorf("rapport : %w", err))
	var pe *poserr.Error
	if !errors.Is(wrapped, validate.ErrPath) || !errors.As(wrapped, &pe) || pe.Path != "beneficiaires/absent" {
		t.Fatalf("ErrPath lost: %v", wrapped)
	}
	if got := wrapped.Error(); got != "rapport : beneficiaires/absent : introuvable" {
		t.Errorf("message %q", got)
	}
}
