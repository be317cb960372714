// Command release builds acc's release binaries: Linux, macOS and Windows,
// amd64 and arm64, statically linked (no cgo), with the version stamped into
// main.version (what acc --version and SARIF's tool.driver.version print)
// and a SHA256SUMS file that sha256sum -c and shasum -a 256 -c read.
//
//	go run ./tools/release -version v1.2.0            # into dist/
//	go run ./tools/release -version v1.2.0 -o /tmp/x  # elsewhere (CI)
//
// It runs wherever Go runs: no shell, no make.
package main

import (
	"bytes"
	"crypto/sha256"
	"debug/buildinfo"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
)

// targets are the platforms trainers use.
var targets = []struct{ goos, goarch string }{
	{"linux", "amd64"}, {"linux", "arm64"},
	{"darwin", "amd64"}, {"darwin", "arm64"},
	{"windows", "amd64"}, {"windows", "arm64"},
}

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintf(os.Stderr, "release : %v\n", err)
		os.Exit(1)
	}
}

func run(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("release", flag.ContinueOnError)
	fs.SetOutput(stderr)
	version := fs.String("version", "", "version à inscrire dans les binaires, par exemple v1.2.0 (obligatoire)")
	out := fs.String("o", "dist", "dossier de sortie")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := checkVersion(*version); err != nil {
		return err
	}
	root, err := moduleRoot()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return err
	}
	var names []string
	for _, t := range targets {
		name := fmt.Sprintf("acc-%s-%s-%s", *version, t.goos, t.goarch)
		if t.goos == "windows" {
			name += ".exe"
		}
		dst := filepath.Join(*out, name)
		fmt.Fprintf(stdout, "%s/%s → %s\n", t.goos, t.goarch, dst)
		if err := build(root, dst, t.goos, t.goarch, *version); err != nil {
			return fmt.Errorf("%s/%s : %w", t.goos, t.goarch, err)
		}
		if err := checkStamp(dst, *version); err != nil {
			return fmt.Errorf("%s : %w", name, err)
		}
		if t.goos == runtime.GOOS && t.goarch == runtime.GOARCH {
			if err := checkRuns(dst, *version); err != nil {
				return fmt.Errorf("%s : %w", name, err)
			}
		}
		names = append(names, name)
	}
	sums, err := checksums(*out, names)
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(*out, "SHA256SUMS"), sums, 0o644); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%d binaires et SHA256SUMS dans %s\n", len(names), *out)
	return nil
}

// checkVersion keeps the version a plain token: it goes into -ldflags and
// into file names.
func checkVersion(v string) error {
	if v == "" || v == "dev" {
		return errors.New("-version manquant : une release n'est jamais « dev » (par exemple -version v1.2.0)")
	}
	for _, r := range v {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune(".-+_", r)) {
			return fmt.Errorf("-version %q : lettres, chiffres et . - + _ seulement", v)
		}
	}
	return nil
}

// moduleRoot is the folder of acc's go.mod, so that the tool works from any
// folder of the repository.
func moduleRoot() (string, error) {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD : %w", err)
	}
	mod := strings.TrimSpace(string(out))
	if mod == "" || mod == os.DevNull {
		return "", errors.New("lancez-le depuis le dépôt d'acc (go run ./tools/release)")
	}
	return filepath.Dir(mod), nil
}

func build(root, dst, goos, goarch, version string) error {
	abs, err := filepath.Abs(dst)
	if err != nil {
		return err
	}
	cmd := exec.Command("go", "build", "-trimpath",
		"-ldflags", "-s -w -X main.version="+version,
		"-o", abs, "./cmd/acc")
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "GOOS="+goos, "GOARCH="+goarch, "CGO_ENABLED=0")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("go build : %v\n%s", err, stderr.String())
	}
	return nil
}

// checkStamp checks, for binaries this machine cannot run, that the version
// string reached the binary (go build -trimpath does not record -ldflags in
// the build information).
func checkStamp(path, version string) error {
	info, err := buildinfo.ReadFile(path)
	if err != nil {
		return err
	}
	if info.Path != "github.com/acc-formation/acc/cmd/acc" {
		return fmt.Errorf("ce n'est pas acc (%s)", info.Path)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if !bytes.Contains(data, []byte(version)) {
		return errors.New("version absente du binaire")
	}
	return nil
}

// checkRuns runs the binary built for this machine: acc --version must say
// the version, never "dev".
func checkRuns(path, version string) error {
	abs, err := filepath.Abs(path)
	if err != nil {
		return err
	}
	out, err := exec.Command(abs, "--version").Output()
	if err != nil {
		return fmt.Errorf("acc --version : %w", err)
	}
	if got, want := strings.TrimSpace(string(out)), "acc "+version; got != want {
		return fmt.Errorf("acc --version affiche %q, attendu %q", got, want)
	}
	return nil
}

// checksums returns a SHA256SUMS file, in sha256sum's format.
func checksums(dir string, names []string) ([]byte, error) {
	sort.Strings(names)
	var b bytes.Buffer
	for _, n := range names {
		f, err := os.Open(filepath.Join(dir, n))
		if err != nil {
			return nil, err
		}
		h := sha256.New()
		_, err = io.Copy(h, f)
		f.Close()
		if err != nil {
			return nil, err
		}
		fmt.Fprintf(&b, "%s  %s\n", hex.EncodeToString(h.Sum(nil)), n)
	}
	return b.Bytes(), nil
}
