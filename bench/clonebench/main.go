//go:build unix

// Command clonebench measures acc clone and acc sync at the scale of a centre (DESIGN
// §6: 1,000 to 100,000 documents, 10 per beneficiary, 300 commits) against git clone
// and git pull of the same bare repository over file://, under a lowered limit of open
// files (macOS's default, 256). For each command it prints the wall time, the user+sys
// CPU time and the peak resident memory (of the process and the children it waited
// for), median over the runs. "sync 1" is a sync that brings in one document a peer
// pushed.
//
//	go run ./bench/clonebench                       # 1k, 10k, 100k
//	go run ./bench/clonebench -sizes 1000 -runs 5 -nofile 1024
//
// Generated repositories are kept in -cache (100k takes a minute to generate). The clones
// are written under TMPDIR and removed only at the end. On an ext4 file system without a
// journal, creating files is several times slower for minutes after many were deleted
// (the inode allocator skips recently deleted inodes one by one, for git as for acc):
// measure on a journaled file system, or long after any large deletion.
package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/acc-formation/acc/internal/gitstore/benchrepo"
)

func main() {
	sizes := flag.String("sizes", "1000,10000,100000", "repository sizes, in documents")
	runs := flag.Int("runs", 3, "runs measured per command and size")
	commits := flag.Int("commits", 300, "commits of history in generated repositories")
	nofile := flag.Int("nofile", 256, "limit of open files (ulimit -n) of the measured commands")
	cache := flag.String("cache", filepath.Join(os.TempDir(), "acc-commitbench"), "where generated repositories are kept")
	flag.Parse()
	if err := run(*sizes, *runs, *commits, *nofile, *cache); err != nil {
		fmt.Fprintln(os.Stderr, "clonebench:", err)
		os.Exit(1)
	}
}

// usage is what one command cost.
type usage struct {
	wall, cpu, sys time.Duration
	rssKB          int64
}

type env struct {
	tmp, acc string
	nofile   int
	vars     []string
}

// measure runs name args in dir under the open-file limit and returns its cost; a
// failure is an error with the command's output.
func (e *env) measure(dir, name string, args ...string) (usage, error) {
	sh := fmt.Sprintf(`ulimit -n %d && exec "$0" "$@"`, e.nofile)
	cmd := exec.Command("sh", append([]string{"-c", sh, name}, args...)...)
	cmd.Dir, cmd.Env = dir, e.vars
	start := time.Now()
	out, err := cmd.CombinedOutput()
	wall := time.Since(start)
	if err != nil {
		return usage{}, fmt.Errorf("%s %s : %v\n%s", name, strings.Join(args, " "), err, out)
	}
	ru := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	return usage{wall: wall, cpu: time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), sys: time.Duration(ru.Stime.Nano()), rssKB: maxRSSKB(ru)}, nil
}

func (e *env) must(dir, name string, args ...string) (string, error) {
	cmd := exec.Command(name, args...)
	cmd.Dir, cmd.Env = dir, e.vars
	out, err := cmd.CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("%s %s : %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out), nil
}

func run(sizeList string, runs, commits, nofile int, cache string) error {
	tmp, err := os.MkdirTemp("", "clonebench")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	e := &env{tmp: tmp, acc: filepath.Join(tmp, "acc"), nofile: nofile}
	if out, err := exec.Command("go", "build", "-o", e.acc, "./cmd/acc").CombinedOutput(); err != nil {
		return fmt.Errorf("go build (à lancer depuis la racine du dépôt acc) : %v\n%s", err, out)
	}
	home := filepath.Join(tmp, "home")
	if err := os.MkdirAll(home, 0o700); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(home, ".gitconfig"), []byte("[user]\n\tname = Banc Essai\n\temail = banc@exemple.org\n[advice]\n\tdetachedHead = false\n"), 0o600); err != nil {
		return err
	}
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "GIT_") || strings.HasPrefix(k, "ACC_") || k == "HOME" || k == "XDG_CONFIG_HOME" {
			continue
		}
		e.vars = append(e.vars, kv)
	}
	e.vars = append(e.vars, "HOME="+home, "GIT_CONFIG_NOSYSTEM=1", "ACC_TODAY=2026-11-25")
	fmt.Printf("limite de fichiers ouverts des commandes mesurées : %d ; médianes sur %d passages\n", nofile, runs)
	// Where the clones are written matters: see the package comment.
	fmt.Printf("copies écrites dans %s (TMPDIR pour choisir un autre disque)\n", tmp)
	for _, f := range strings.Split(sizeList, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil {
			return fmt.Errorf("taille invalide %q", f)
		}
		if err := e.size(n, runs, commits, cache); err != nil {
			return err
		}
	}
	return nil
}

func (e *env) size(n, runs, commits int, cache string) error {
	src, err := benchrepo.Cached(cache, n, commits)
	if err != nil {
		return err
	}
	root := filepath.Join(e.tmp, fmt.Sprintf("n%d", n))
	bare := filepath.Join(root, "partage.git")
	if _, err := e.must(e.tmp, "git", "clone", "-q", "--bare", "--no-local", src, bare); err != nil {
		return err
	}
	url := "file://" + bare
	// A case-file repository has its acc.yaml (acc warns without one).
	seed := filepath.Join(root, "seed")
	if _, err := e.must(root, "git", "clone", "-q", url, seed); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(seed, "acc.yaml"), []byte("organisation: Banc d'essai\n"), 0o644); err != nil {
		return err
	}
	for _, args := range [][]string{{"add", "acc.yaml"}, {"commit", "-qm", "acc.yaml"}, {"push", "-q", "origin", "HEAD"}} {
		if _, err := e.must(seed, "git", args...); err != nil {
			return err
		}
	}
	// Nothing is deleted until every command of this size was measured: ext4 allocates
	// new inodes slowly next to many recently deleted ones (find_inode_bit skips them one
	// by one), so a clone measured just after removing another clone's 100,000 files
	// pays for that removal. The clones run in turn first, for the same reason.
	var accClone, gitClone, accSync, gitPull []usage
	for i := range runs {
		a, g := filepath.Join(root, fmt.Sprintf("acc-%d", i)), filepath.Join(root, fmt.Sprintf("git-%d", i))
		clones := []func() error{
			func() error {
				u, err := e.measure(root, e.acc, "clone", url, a)
				if err != nil {
					return err
				}
				accClone = append(accClone, u)
				return e.check(a)
			},
			func() error {
				u, err := e.measure(root, "git", "clone", "-q", url, g)
				gitClone = append(gitClone, u)
				return err
			},
		}
		if i%2 == 1 {
			clones[0], clones[1] = clones[1], clones[0]
		}
		for _, clone := range clones {
			if err := clone(); err != nil {
				return err
			}
		}
		// A peer pushes one document; acc sync and git pull bring it in.
		peer := filepath.Join(root, fmt.Sprintf("peer-%d", i))
		if _, err := e.must(root, "git", "clone", "-q", url, peer); err != nil {
			return err
		}
		doc := fmt.Sprintf("beneficiaires/%s/2027-01-%02d-entretien-suivi.md", benchrepo.BeneficiaryID(i), 1+i%28)
		if err := os.WriteFile(filepath.Join(peer, doc), []byte("---\ntype: entretien-suivi\n---\n\n## Introduction\n\nAccueil.\n"), 0o644); err != nil {
			return err
		}
		for _, args := range [][]string{{"add", doc}, {"commit", "-qm", "un document"}, {"push", "-q", "origin", "HEAD"}} {
			if _, err := e.must(peer, "git", args...); err != nil {
				return err
			}
		}
		u, err := e.measure(a, e.acc, "sync")
		if err != nil {
			return err
		}
		accSync = append(accSync, u)
		if err := e.check(a); err != nil {
			return err
		}
		if _, err := os.Stat(filepath.Join(a, doc)); err != nil {
			return fmt.Errorf("acc sync n'a pas apporté %s : %v", doc, err)
		}
		if u, err = e.measure(g, "git", "pull", "-q", "--ff-only"); err != nil {
			return err
		}
		gitPull = append(gitPull, u)
	}
	fmt.Printf("\n%d documents, %d commits\n", n, commits)
	line := func(what string, acc, git []usage) {
		a, g := median(acc), median(git)
		fmt.Printf("  %-8s acc %9s  cpu %9s (sys %9s)  %6.0f Mo   | git %9s  cpu %9s (sys %9s)  %6.0f Mo   | acc/git temps ×%.1f  cpu ×%.1f  mémoire ×%.1f\n",
			what, sec(a.wall), sec(a.cpu), sec(a.sys), float64(a.rssKB)/1024, sec(g.wall), sec(g.cpu), sec(g.sys), float64(g.rssKB)/1024,
			float64(a.wall)/float64(g.wall), float64(a.cpu)/float64(max(g.cpu, 1)), float64(a.rssKB)/float64(max(g.rssKB, 1)))
	}
	line("clone", accClone, gitClone)
	line("sync 1", accSync, gitPull)
	return nil // removed with tmp, after the last measure
}

// check asks git whether a clone is sound and its work tree matches its branch.
func (e *env) check(dir string) error {
	if _, err := e.must(dir, "git", "fsck", "--strict", "--no-progress", "--no-dangling"); err != nil {
		return err
	}
	out, err := e.must(dir, "git", "status", "--porcelain")
	if err != nil {
		return err
	}
	if out != "" {
		return fmt.Errorf("git status --porcelain dans %s n'est pas vide :\n%s", dir, out)
	}
	return nil
}

// median takes each measure's median separately.
func median(us []usage) usage {
	var w, c, k []time.Duration
	var r []int64
	for _, u := range us {
		w, c, k, r = append(w, u.wall), append(c, u.cpu), append(k, u.sys), append(r, u.rssKB)
	}
	slices.Sort(w)
	slices.Sort(c)
	slices.Sort(k)
	slices.Sort(r)
	return usage{wall: w[len(w)/2], cpu: c[len(c)/2], sys: k[len(k)/2], rssKB: r[len(r)/2]}
}

func sec(d time.Duration) string { return fmt.Sprintf("%.2f s", d.Seconds()) }
