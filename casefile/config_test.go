package casefile

import (
	"errors"
	"strings"
	"testing"

	"github.com/acc-formation/acc/internal/poserr"
)

func TestConfigPermissions(t *testing.T) {
	for src, want := range map[string]string{
		"organisation: X\n":                           PermPrivate,
		"organisation: X\npermissions: privees\n":     PermPrivate,
		"organisation: X\npermissions: partagees\n":   PermShared,
		"organisation: X\npermissions: Partagées\n":   PermShared,
		"organisation: X\npermissions: \"privées\"\n": PermPrivate,
	} {
		cfg, err := ParseConfig("acc.yaml", []byte(src))
		if err != nil {
			t.Fatalf("%q: %v", src, err)
		}
		if cfg.Permissions != want {
			t.Errorf("%q: Permissions = %q, want %q", src, cfg.Permissions, want)
		}
	}
	cfg, _ := ParseConfig("acc.yaml", []byte("organisation: X\npermissions: partagees\n"))
	if cfg.FilePerm() != 0o640 || cfg.DirPerm() != 0o750 {
		t.Errorf("shared: %o %o", cfg.FilePerm(), cfg.DirPerm())
	}
	cfg, _ = ParseConfig("acc.yaml", []byte("organisation: X\n"))
	if cfg.FilePerm() != 0o600 || cfg.DirPerm() != 0o700 {
		t.Errorf("private: %o %o", cfg.FilePerm(), cfg.DirPerm())
	}
	_, err := ParseConfig("acc.yaml", []byte("organisation: X\npermissions: publiques\n"))
	var pe *poserr.Error
	if !errors.As(err, &pe) || !strings.Contains(err.Error(), "partagees") || pe.Line != 2 {
		t.Fatalf("bad value: %v", err)
	}
	if _, err := ParseConfig("acc.yaml", []byte("organisation: X\npermission: privees\n")); err == nil || !strings.Contains(err.Error(), "permissions") {
		t.Errorf("misspelt key: %v", err)
	}
}
