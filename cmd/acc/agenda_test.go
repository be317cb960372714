//go:build unix

package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

var updateAgenda = flag.Bool("update-agenda", false, "rewrite the agenda golden files in testdata/")

// agendaExamples is a repository of the examples (invented people), plus a
// missed interview without relance, committed at fixed dates so that its
// root commit, hence the calendar UIDs, is the same on every run.
func agendaExamples(t *testing.T, acc string, env []string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "centre")
	if err := os.CopyFS(dir, os.DirFS("../../examples")); err != nil {
		t.Fatal(err)
	}
	missed := "---\ntype: entretien-suivi\nbeneficiaire: mathis-carrere\ndate: 2026-12-02\nformateur: Sophie Vasseur\n" +
		"statut: finalise\nobjectif_entretien: Faire le point ; préparer la suite\npresence: absent\nduree_minutes: 0\nmodalite: telephone\n---\n"
	if err := os.WriteFile(filepath.Join(dir, "beneficiaires/mathis-carrere/2026-12-02-entretien-suivi.md"), []byte(missed), 0o600); err != nil {
		t.Fatal(err)
	}
	genv := append(slices.Clone(env), "GIT_AUTHOR_DATE=2026-11-25T10:00:00+01:00", "GIT_COMMITTER_DATE=2026-11-25T10:00:00+01:00")
	mustRun(t, genv, dir, "git", "init", "-q")
	mustRun(t, genv, dir, "git", "add", "-A")
	mustRun(t, genv, dir, "git", "commit", "-qm", "exemples")
	return dir
}

// TestAgendaGolden pins the three outputs of acc agenda on the examples
// (tab-separated lines, JSON, iCalendar).
func TestAgendaGolden(t *testing.T) {
	acc := accPath(t)
	env := robustEnv(t)
	dir := agendaExamples(t, acc, env)
	for _, g := range []struct {
		file string
		args []string
	}{
		{"agenda.tsv.golden", []string{"agenda", "--today", "2026-12-05", "--au", "2026-12-31"}},
		{"agenda-noms.tsv.golden", []string{"agenda", "--today", "2026-12-05", "--noms"}},
		{"agenda.json.golden", []string{"agenda", "--today", "2026-12-05", "--au", "2026-12-31", "--json"}},
		{"agenda.ics.golden", []string{"agenda", "--today", "2026-12-05", "--au", "2026-12-31", "--ics"}},
	} {
		got := mustRun(t, env, dir, acc, g.args...)
		path := filepath.Join("testdata", g.file)
		if *updateAgenda {
			if err := os.MkdirAll("testdata", 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (go test ./cmd/acc -run TestAgendaGolden -update-agenda)", err)
		}
		if got != string(want) {
			t.Errorf("acc %s differs from %s:\n%s", strings.Join(g.args, " "), path, got)
		}
	}
	// -o writes the same calendar to a file of mode 0600, through the one
	// atomic write.
	mustRun(t, env, dir, acc, "agenda", "--today", "2026-12-05", "--au", "2026-12-31", "--ics", "-o", "agenda.ics")
	fi, err := os.Stat(filepath.Join(dir, "agenda.ics"))
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("agenda.ics mode %v, want 0600", fi.Mode().Perm())
	}
}

// TestAgendaCalendarParsed has the calendar read by Python's icalendar:
// every event of the JSON is there with the same UID and day, all-day, and
// no person's name unless --noms.
func TestAgendaCalendarParsed(t *testing.T) {
	py := ""
	for _, cand := range []string{"python3", "/usr/bin/python3"} {
		if exec.Command(cand, "-c", "import icalendar").Run() == nil {
			py = cand
			break
		}
	}
	if py == "" {
		t.Skip("python3 et son module icalendar sont absents (apt-get install python3-icalendar) : agenda .ics non relu")
	}
	acc := accPath(t)
	env := robustEnv(t)
	dir := agendaExamples(t, acc, env)
	window := []string{"agenda", "--today", "2026-12-05", "--du", "2026-11-01", "--au", "2027-03-31"}
	var js struct {
		Events []struct {
			Date, UID, Motif string
		} `json:"evenements"`
	}
	if err := json.Unmarshal([]byte(mustRun(t, env, dir, acc, append(window, "--json")...)), &js); err != nil {
		t.Fatal(err)
	}
	if len(js.Events) < 5 {
		t.Fatalf("too few events to judge: %+v", js.Events)
	}
	parse := `
import icalendar, sys, json
cal = icalendar.Calendar.from_ical(open(sys.argv[1], 'rb').read())
print(json.dumps([[str(e["uid"]), e["dtstart"].dt.isoformat(), e["dtend"].dt.isoformat(), str(e["summary"]), str(e.get("description", ""))] for e in cal.walk("VEVENT")]))
`
	for _, noms := range []bool{false, true} {
		args := append(slices.Clone(window), "--ics", "-o", "a.ics")
		if noms {
			args = append(args, "--noms")
		}
		mustRun(t, env, dir, acc, args...)
		out, err := exec.Command(py, "-c", parse, filepath.Join(dir, "a.ics")).Output()
		if err != nil {
			t.Fatalf("icalendar refuses acc's calendar: %v", err)
		}
		var events [][5]string
		if err := json.Unmarshal(out, &events); err != nil {
			t.Fatal(err)
		}
		if len(events) != len(js.Events) {
			t.Fatalf("%d events in the calendar, %d in the JSON", len(events), len(js.Events))
		}
		uids := map[string]bool{}
		for i, e := range events {
			j := js.Events[i]
			start, _ := time.Parse("2006-01-02", e[1])
			if e[0] != j.UID || e[1] != j.Date || e[2] != start.AddDate(0, 0, 1).Format("2006-01-02") {
				t.Errorf("event %d: %v, JSON %+v", i, e, j)
			}
			uids[e[0]] = true
			named := strings.Contains(e[3]+e[4], "Carrère") || strings.Contains(e[3]+e[4], "Kergoat")
			if named != noms {
				t.Errorf("--noms=%v, event %q / %q", noms, e[3], e[4])
			}
		}
		if len(uids) != len(events) {
			t.Errorf("UIDs are not unique: %v", events)
		}
	}
}

// agendaLate are the rules whose concerns status and agenda both show as
// late.
var agendaLate = map[string]bool{"entretien-non-documente": true, "objectif-en-retard": true, "action-en-retard": true,
	"absence-sans-relance": true, "brouillon-ancien": true}

// TestAgendaMatchesStatus checks the one judgement between agenda and
// status, day after day over months, on the judgement matrix's people and
// on the examples: what agenda says is late is exactly what status lists
// for those rules, and status's interviews planned this week are in the
// agenda on the same day.
func TestAgendaMatchesStatus(t *testing.T) {
	acc := accPath(t)
	env := robustEnv(t)
	matrixDir := filepath.Join(t.TempDir(), "centre")
	if err := os.Mkdir(matrixDir, 0o700); err != nil {
		t.Fatal(err)
	}
	mustRun(t, env, matrixDir, acc, "init", "--organisation", "Centre Test")
	for p, content := range judgementFixture {
		full := filepath.Join(matrixDir, "beneficiaires", filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	dirs := []string{matrixDir, agendaExamples(t, acc, env)}
	r := &judgementRepo{t: t, acc: acc, env: env}
	lateSeen := 0
	for _, dir := range dirs {
		r.dir = dir
		for day := time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC); day.Before(time.Date(2027, 1, 15, 0, 0, 0, 0, time.UTC)); day = day.AddDate(0, 0, 9) {
			d := day.Format("2006-01-02")
			var fromStatus, fromAgenda []string
			planned := map[string]bool{}
			for _, b := range list(r.json("status", "--json", "--today", d)["beneficiaires"]) {
				for _, p := range list(obj(b)["points"]) {
					m := obj(p)
					key := fmt.Sprint(obj(b)["id"], " ", m["motif"], " ", m["chemin"], " ", m["objectif"])
					if agendaLate[m["motif"].(string)] {
						fromStatus = append(fromStatus, key)
					}
					if m["motif"] == "entretien-prevu" {
						planned[fmt.Sprint(obj(b)["id"], " ", m["date"])] = true
					}
				}
			}
			for _, e := range list(r.json("agenda", "--json", "--today", d)["evenements"]) {
				m := obj(e)
				obj := m["objectif"]
				if obj == nil {
					obj = "<nil>"
				}
				if m["en_retard"] == true {
					fromAgenda = append(fromAgenda, fmt.Sprint(m["beneficiaire"], " ", m["regle"], " ", m["chemin"], " ", obj))
				} else if m["motif"] == "entretien-prevu" {
					delete(planned, fmt.Sprint(m["beneficiaire"], " ", m["date"]))
				}
			}
			slices.Sort(fromStatus)
			slices.Sort(fromAgenda)
			if !slices.Equal(fromStatus, fromAgenda) {
				t.Errorf("%s on %s: status says late\n  %v\nagenda says\n  %v", filepath.Base(filepath.Dir(dir)), d, fromStatus, fromAgenda)
			}
			if len(planned) > 0 {
				t.Errorf("%s on %s: planned in status, not in agenda: %v", dir, d, planned)
			}
			lateSeen += len(fromAgenda)
		}
	}
	if lateSeen < 20 {
		t.Errorf("only %d late items seen: the check judges too little", lateSeen)
	}
}
