// Command accbench times the real acc binary on generated case-file
// repositories of 1k, 10k and 100k documents (10 per beneficiary, a few
// hundred commits of history) against its peers in the same run, and prints
// medians and ratios (DESIGN §6):
//
//   - acc new TYPE (with its commit) vs git add FILE && git commit -q
//   - acc commit after editing 10 files vs git add -A && git commit -q
//   - acc validate, cold (empty cache) and warm (nothing changed), documents/s
//   - acc validate --changed-since HEAD~1 with 10 documents changed
//   - acc report (caseload), cold, warm, and on the next day (nothing
//     changed); acc report --qualiopi, cold and warm
//
// Everything runs as processes, process start included. Generated repositories
// are kept in -cache between runs.
//
//	go run ./bench/accbench [-sizes 1000,10000,100000] [-runs 11] [-cache DIR]
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/acc-formation/acc/internal/gitstore/benchrepo"
)

func main() {
	sizes := flag.String("sizes", "1000,10000,100000", "repository sizes, in documents")
	runs := flag.Int("runs", 11, "runs measured per command and size")
	commits := flag.Int("commits", 300, "commits of history in generated repositories")
	cache := flag.String("cache", filepath.Join(os.TempDir(), "acc-commitbench"), "where generated repositories are kept")
	flag.Parse()
	if err := run(*sizes, *runs, *commits, *cache); err != nil {
		fmt.Fprintln(os.Stderr, "accbench:", err)
		os.Exit(1)
	}
}

type env struct {
	acc string
	dir string
	n   int
}

func (e *env) cmd(name string, args ...string) *exec.Cmd {
	c := exec.Command(name, args...)
	c.Dir = e.dir
	c.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "ACC_TODAY=2026-11-25", "GIT_AUTHOR_NAME=Bench", "GIT_AUTHOR_EMAIL=bench@example.org")
	return c
}

// time runs a command and returns its wall time; output is discarded, a
// failure other than exit 1 (findings) is fatal.
func (e *env) time(name string, args ...string) time.Duration {
	c := e.cmd(name, args...)
	var stderr bytes.Buffer
	c.Stderr = &stderr
	start := time.Now()
	err := c.Run()
	d := time.Since(start)
	if ee, ok := err.(*exec.ExitError); err != nil && !(ok && ee.ExitCode() == 1) {
		fmt.Fprintf(os.Stderr, "accbench: %s %s: %v\n%s", name, strings.Join(args, " "), err, stderr.String())
		os.Exit(1)
	}
	return d
}

func (e *env) must(name string, args ...string) {
	if out, err := e.cmd(name, args...).CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "accbench: %s %s: %v\n%s", name, strings.Join(args, " "), err, out)
		os.Exit(1)
	}
}

func run(sizeList string, runs, commits int, cache string) error {
	tmp, err := os.MkdirTemp("", "accbench")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	acc := filepath.Join(tmp, "acc")
	if out, err := exec.Command("go", "build", "-o", acc, "./cmd/acc").CombinedOutput(); err != nil {
		return fmt.Errorf("go build: %v\n%s", err, out)
	}
	type row struct {
		n                                    int
		accNew, gitNew, accCommit, gitCommit time.Duration
		cold, warm, changed                  time.Duration
		reportCold, reportWarm, reportNext   time.Duration
		qualiopiCold, qualiopiWarm           time.Duration
	}
	var rows []row
	for _, f := range strings.Split(sizeList, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil {
			return fmt.Errorf("taille invalide %q", f)
		}
		src, err := benchrepo.Cached(cache, n, commits)
		if err != nil {
			return err
		}
		// Work on a copy: acc writes into the repository.
		dir := filepath.Join(tmp, fmt.Sprintf("repo-%d", n))
		if out, err := exec.Command("cp", "-a", src, dir).CombinedOutput(); err != nil {
			return fmt.Errorf("cp: %v\n%s", err, out)
		}
		e := &env{acc: acc, dir: dir, n: n}
		if err := os.WriteFile(filepath.Join(dir, "acc.yaml"), []byte("organisation: Banc d'essai\n"), 0o644); err != nil {
			return err
		}
		e.must("git", "add", "acc.yaml")
		e.must("git", "commit", "-qm", "acc.yaml")
		e.must("git", "status", "--porcelain")
		r := row{n: n}
		var an, gn, ac, gc, cold, warm, ch, rc, rw, rn, qc, qw []time.Duration
		for i := 0; i < runs; i++ {
			id := benchrepo.BeneficiaryID(i % (n / benchrepo.DocsPerBeneficiary))
			date := time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, i).Format("2006-01-02")
			an = append(an, e.time(acc, "new", "entretien-suivi", "-b", id, "--date", date))
			file := fmt.Sprintf("beneficiaires/%s/2028-%s-note.md", id, date[5:])
			if err := os.WriteFile(filepath.Join(dir, file), []byte("---\ntype: note\n---\n"), 0o644); err != nil {
				return err
			}
			start := time.Now()
			e.must("git", "add", file)
			e.must("git", "commit", "-qm", "peer")
			gn = append(gn, time.Since(start))
		}
		for i := 0; i < runs; i++ {
			edit := func() {
				for k := 0; k < 10; k++ {
					id := benchrepo.BeneficiaryID((i*10 + k) % (n / benchrepo.DocsPerBeneficiary))
					p := filepath.Join(dir, "beneficiaires", id, "fiche.md")
					b, _ := os.ReadFile(p)
					os.WriteFile(p, append(b, fmt.Sprintf("\nNote %d.\n", i)...), 0o644)
				}
			}
			edit()
			ac = append(ac, e.time(acc, "commit"))
			edit()
			start := time.Now()
			e.must("git", "add", "-A")
			e.must("git", "commit", "-qm", "peer")
			gc = append(gc, time.Since(start))
		}
		vruns := runs
		if n >= 100000 && vruns > 3 {
			vruns = 3
		}
		cacheDir := filepath.Join(dir, ".git", "acc", "cache")
		for i := 0; i < vruns; i++ {
			os.RemoveAll(cacheDir)
			cold = append(cold, e.time(acc, "validate"))
			warm = append(warm, e.time(acc, "validate"))
			os.RemoveAll(cacheDir)
			rc = append(rc, e.time(acc, "report"))
			rw = append(rw, e.time(acc, "report"))
			rn = append(rn, e.time(acc, "report", "--today", "2026-11-26"))
			qc = append(qc, e.time(acc, "report", "--qualiopi"))
			qw = append(qw, e.time(acc, "report", "--qualiopi"))
		}
		// 10 documents changed in the last commit.
		for k := 0; k < 10; k++ {
			p := filepath.Join(dir, "beneficiaires", benchrepo.BeneficiaryID(k), "fiche.md")
			b, _ := os.ReadFile(p)
			os.WriteFile(p, append(b, "\nDernière note.\n"...), 0o644)
		}
		e.must("git", "add", "-A")
		e.must("git", "commit", "-qm", "dix documents")
		e.time(acc, "validate")
		for i := 0; i < runs; i++ {
			ch = append(ch, e.time(acc, "validate", "--changed-since", "HEAD~1"))
		}
		r.accNew, r.gitNew, r.accCommit, r.gitCommit = median(an), median(gn), median(ac), median(gc)
		r.cold, r.warm, r.changed, r.reportCold, r.reportWarm = median(cold), median(warm), median(ch), median(rc), median(rw)
		r.reportNext, r.qualiopiCold, r.qualiopiWarm = median(rn), median(qc), median(qw)
		rows = append(rows, r)
		fmt.Printf("\n%d documents (%d bénéficiaires), médianes sur %d passages\n", n, n/benchrepo.DocsPerBeneficiary, runs)
		fmt.Printf("  acc new            %9s   git add+commit     %9s   git/acc %.1f×\n", ms(r.accNew), ms(r.gitNew), ratio(r.gitNew, r.accNew))
		fmt.Printf("  acc commit (10)    %9s   git add -A+commit  %9s   git/acc %.1f×\n", ms(r.accCommit), ms(r.gitCommit), ratio(r.gitCommit, r.accCommit))
		fmt.Printf("  acc validate froid %9s   %8.0f documents/s\n", ms(r.cold), float64(n)/r.cold.Seconds())
		fmt.Printf("  acc validate chaud %9s   (rien de changé)\n", ms(r.warm))
		fmt.Printf("  --changed-since    %9s   (10 documents changés)\n", ms(r.changed))
		fmt.Printf("  acc report froid  %9s   chaud %9s   lendemain %9s\n", ms(r.reportCold), ms(r.reportWarm), ms(r.reportNext))
		fmt.Printf("  --qualiopi froid  %9s   chaud %9s\n", ms(r.qualiopiCold), ms(r.qualiopiWarm))
	}
	if len(rows) > 1 {
		a, b := rows[0], rows[len(rows)-1]
		fmt.Printf("\ncroissance de %d à %d documents : acc new ×%.1f, git add+commit ×%.1f\n", a.n, b.n, ratio(b.accNew, a.accNew), ratio(b.gitNew, a.gitNew))
	}
	return nil
}

func median(d []time.Duration) time.Duration {
	s := append([]time.Duration(nil), d...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)/2]
}

func ratio(a, b time.Duration) float64 { return float64(a) / float64(b) }

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond)) }
