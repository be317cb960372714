package main

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"path"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/acc-formation/acc/casefile"
	"github.com/acc-formation/acc/internal/gitstore"
	"github.com/acc-formation/acc/report"
)

// agendaOptions are acc agenda's flags and what it needs from outside.
type agendaOptions struct {
	deps
	// DayFixed tells whether the date was given (--today, ACC_TODAY): the
	// calendar's DTSTAMP is then that day, so that the file is reproducible.
	DayFixed func() bool

	From, To string
	JSON     bool
	ICS      bool
	Output   string
	Names    bool
}

// agendaDays is the default window after today: today and the next 7 days.
const agendaDays = 7

func (a *app) agendaCmd() *cobra.Command {
	o := &agendaOptions{deps: a.deps(), DayFixed: func() bool { return a.today != "" || a.getenv("ACC_TODAY") != "" }}
	c := &cobra.Command{
		Use:   "agenda",
		Short: "Ce qui est prévu : entretiens, relances, échéances, brouillons à finaliser",
		Long: `Montre, jour par jour, ce qui est prévu du --du au --au (par défaut
aujourd'hui et les 7 jours suivants), et en tête ce qui est déjà en retard :

  - les entretiens prévus (prochain_entretien) des parcours en cours ;
  - les relances à faire après un entretien manqué (presence: absent) ;
  - les échéances des objectifs ouverts et des actions non faites ;
  - les brouillons à finaliser, au dernier jour avant qu'ils ne deviennent
    anciens (règle brouillon-ancien).

Les dates et les retards sont ceux que jugent acc status et acc validate, à
la date du jour (--today, ACC_TODAY), avec les réglages d'acc.yaml : une
règle désactivée ne donne pas d'échéance.

--ics écrit un fichier iCalendar (RFC 5545) que Thunderbird, Outlook, Google
Agenda et Calendrier d'Apple importent ; chaque événement garde le même
identifiant d'un export à l'autre, si bien qu'un nouvel import met à jour
les événements au lieu de les dupliquer.

Confidentialité : un agenda est souvent synchronisé vers un service en
ligne (un nuage hors de votre organisation). Les titres ne portent donc que
les identifiants des bénéficiaires et des objectifs, jamais un nom ni un
intitulé, sauf avec --noms, à n'utiliser que pour un agenda qui reste sur
votre poste.

Dates : AAAA-MM-JJ ou JJ/MM/AAAA.`,
		Example: "  acc agenda\n  acc agenda --du 2026-12-01 --au 2026-12-31\n  acc agenda --json\n  acc agenda --ics -o agenda.ics",
		Args:    cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			return runAgenda(o)
		},
	}
	f := c.Flags()
	f.StringVar(&o.From, "du", "", "à partir de cette `DATE` (JJ/MM/AAAA ou AAAA-MM-JJ, incluse ; par défaut aujourd'hui)")
	f.StringVar(&o.To, "au", "", "jusqu'à cette `DATE` (JJ/MM/AAAA ou AAAA-MM-JJ, incluse ; par défaut 7 jours après --du)")
	f.BoolVar(&o.JSON, "json", false, "sortie JSON")
	f.BoolVar(&o.ICS, "ics", false, "fichier iCalendar (.ics) à importer dans un agenda")
	f.StringVarP(&o.Output, "output", "o", "", "écrire dans ce `FICHIER` (remplacé d'un coup) plutôt qu'à l'écran")
	f.BoolVar(&o.Names, "noms", false, "montrer les noms des personnes et les intitulés (agenda qui reste sur votre poste)")
	return c
}

// agendaJSON is the shape of acc agenda --json (version 1).
type agendaJSON struct {
	Version int               `json:"version"`
	Date    jsonDate          `json:"date"`
	From    jsonDate          `json:"du"`
	To      jsonDate          `json:"au"`
	Events  []agendaEventJSON `json:"evenements"`
}

type agendaEventJSON struct {
	Date         jsonDate `json:"date"`
	Kind         string   `json:"motif"`
	Late         bool     `json:"en_retard"`
	Rule         string   `json:"regle,omitempty"`
	LateFrom     jsonDate `json:"en_retard_depuis"`
	Beneficiary  string   `json:"beneficiaire"`
	Path         string   `json:"chemin"`
	Objective    string   `json:"objectif,omitempty"`
	Action       int      `json:"action,omitempty"`
	UID          string   `json:"uid"`
	Prenom       string   `json:"prenom,omitempty"`
	Nom          string   `json:"nom,omitempty"`
	Intitule     string   `json:"intitule,omitempty"`
	ActionLibell string   `json:"libelle,omitempty"`
}

// agendaItem is one event of the agenda with its beneficiary.
type agendaItem struct {
	casefile.Event
	s    casefile.Summary
	late bool
}

// runAgenda writes what is planned in the window, and what is late, as
// text, JSON or iCalendar.
func runAgenda(o *agendaOptions) error {
	if o.JSON && o.ICS {
		return usageErr("--json et --ics s'excluent : choisissez l'un des deux")
	}
	ws, err := o.Open()
	if err != nil {
		return err
	}
	q, err := o.query(ws)
	if err != nil {
		return err
	}
	from, to, err := agendaWindow(q.Today, o)
	if err != nil {
		return err
	}
	items, err := o.items(ws, q, from, to)
	if err != nil {
		return err
	}
	salt, err := agendaSalt(ws)
	if err != nil {
		return err
	}
	terminal := o.Output == "" && o.IO.stdoutTerminal()
	return o.writeOutput(o.Output, "Agenda", func(w io.Writer) error {
		switch {
		case o.JSON:
			return writeJSON(w, agendaJSONOf(items, q.Today, from, to, salt, o.Names))
		case o.ICS:
			return report.WriteICS(w, o.agendaCalendar(items, q.Today, salt))
		}
		return o.agendaText(w, ws, items, q.Today, from, to, terminal)
	})
}

// items are the events of every case in the window or late, the late ones
// first (the oldest first), then day by day; cases come in id order.
func (o *agendaOptions) items(ws *workspace, q casefile.Query, from, to time.Time) ([]agendaItem, error) {
	// The events of each case, from the cache of what each case gives
	// (unchanged cases are neither read nor judged again; the day decides
	// what is late).
	ids, err := ws.repo.Beneficiaries()
	if err != nil {
		return nil, repoErr(err)
	}
	followed, _, err := o.caseCache(ws, q.Today).Briefs(q, ids, false)
	if err != nil {
		return nil, cacheErr(err)
	}
	var items []agendaItem
	for _, f := range followed {
		for _, e := range agendaEvents(f.Brief.Events(), q.Today, from, to) {
			items = append(items, agendaItem{Event: e, s: q.SummaryOf(f.Brief), late: e.Late(q.Today)})
		}
	}
	sort.SliceStable(items, func(i, k int) bool {
		if items[i].late != items[k].late {
			return items[i].late
		}
		return items[i].Date.Before(items[k].Date)
	})
	return items, nil
}

// agendaWindow checks --du and --au: by default today and the next
// agendaDays days; --au alone starts today, --du alone lasts agendaDays.
func agendaWindow(today time.Time, o *agendaOptions) (from, to time.Time, err error) {
	if from, err = optionalDate("--du", o.From); err != nil {
		return
	}
	if to, err = optionalDate("--au", o.To); err != nil {
		return
	}
	if from.IsZero() {
		from = today
	}
	if to.IsZero() {
		to = from.AddDate(0, 0, agendaDays)
	}
	if to.Before(from) {
		err = usageErr("--au %s est avant --du %s", casefile.FormatDate(to), casefile.FormatDate(from))
	}
	return
}

// agendaEvents keeps the events of the window, and those the judgement
// finds late on the day judged, whatever their date (still to do: the same
// items as acc status).
func agendaEvents(events []casefile.Event, today, from, to time.Time) []casefile.Event {
	var out []casefile.Event
	for _, e := range events {
		if !e.Date.Before(from) && !e.Date.After(to) || e.Late(today) {
			out = append(out, e)
		}
	}
	return out
}

// agendaSalt is what makes the calendar UIDs of one repository its own
// without naming anyone: its root commit, the same in every clone.
func agendaSalt(ws *workspace) (string, error) {
	h, err := ws.store.RootCommit()
	if errors.Is(err, gitstore.ErrNoCommit) {
		return "", nil
	}
	if err != nil {
		return "", repoErr(err)
	}
	return h.String(), nil
}

// agendaUID is an event's stable calendar id: an opaque hash of the
// repository, the beneficiary's id, the kind of event and what it is about
// (the planning document, the objective, the action), so that exporting
// again updates the event (a new deadline moves it) instead of adding one,
// and the UID, which calendar services keep, names no one.
func agendaUID(salt string, it agendaItem) string {
	ref := ""
	switch it.Kind {
	case casefile.EventObjective:
		ref = it.Objective
	case casefile.EventAction:
		ref = it.Objective + "/" + strconv.Itoa(it.ActionIndex)
	default:
		if it.Path != "" {
			ref = path.Base(it.Path)
		}
	}
	sum := sha256.Sum256([]byte(salt + "\x00" + it.s.ID + "\x00" + it.Kind + "\x00" + ref))
	return hex.EncodeToString(sum[:16]) + "@acc"
}

func agendaJSONOf(items []agendaItem, today, from, to time.Time, salt string, names bool) agendaJSON {
	out := agendaJSON{Version: 1, Date: jsonDate(today), From: jsonDate(from), To: jsonDate(to), Events: []agendaEventJSON{}}
	for _, it := range items {
		e := agendaEventJSON{Date: jsonDate(it.Date), Kind: it.Kind, Late: it.late, Rule: it.Rule,
			Beneficiary: it.s.ID, Action: it.ActionIndex, UID: agendaUID(salt, it)}
		if it.Rule == "" {
			e.LateFrom = jsonDate(time.Time{})
		} else {
			e.LateFrom = jsonDate(agendaLateFrom(it))
		}
		e.Path, e.Objective = it.Path, it.Objective
		if names {
			e.Prenom, e.Nom = it.s.Prenom, it.s.Nom
			e.Intitule, e.ActionLibell = it.Intitule, it.Action
		}
		out.Events = append(out.Events, e)
	}
	return out
}

// agendaWhat says in French what an event is; with names, the objective's
// title and the action's label.
func agendaWhat(it agendaItem, names bool) string {
	quoted := func(s string) string {
		if s = strings.TrimSpace(s); !names || s == "" {
			return ""
		}
		return " « " + s + " »"
	}
	switch it.Kind {
	case casefile.EventInterview:
		if it.late {
			return "entretien prévu, sans compte rendu"
		}
		return "entretien prévu"
	case casefile.EventRelance:
		return "relance à faire (entretien manqué)"
	case casefile.EventObjective:
		return "échéance de l'objectif " + it.Objective + quoted(it.Intitule)
	case casefile.EventAction:
		return fmt.Sprintf("échéance de l'action %d de l'objectif %s%s", it.ActionIndex, it.Objective, quoted(it.Action))
	case casefile.EventDraft:
		return "brouillon à finaliser"
	}
	return it.Kind
}

// agendaWho names the beneficiary: the id, and the name with --noms.
func agendaWho(s casefile.Summary, names bool) string {
	if names {
		return who(s)
	}
	return s.ID
}

// agendaText prints the agenda: on a terminal, grouped by day under a
// heading, late items first; in a pipe, tab-separated lines (date, état,
// beneficiaire, motif, objectif, action, chemin, nom).
func (o *agendaOptions) agendaText(w io.Writer, ws *workspace, items []agendaItem, today, from, to time.Time, terminal bool) error {
	rel := func(it agendaItem) string {
		if it.Path == "" {
			return ""
		}
		return o.RelPath(ws.repo.Abs(it.Path))
	}
	if !terminal {
		return agendaLines(w, items, rel, o.Names)
	}
	fmt.Fprintf(w, "Agenda du %s au %s (situation au %s).\n", dayText(from), dayText(to), dayText(today))
	if len(items) == 0 {
		fmt.Fprintln(w, "\nRien de prévu sur cette période, aucun retard.")
		return nil
	}
	return o.agendaDays(w, items, today, rel)
}

// agendaLines prints the agenda for a pipe: one tab-separated line an item.
func agendaLines(w io.Writer, items []agendaItem, rel func(agendaItem) string, names bool) error {
	t := &table{}
	for _, it := range items {
		state, obj, act, name := "a-venir", "", "", ""
		if it.late {
			state = "en-retard"
		}
		obj = it.Objective
		if it.ActionIndex > 0 {
			act = strconv.Itoa(it.ActionIndex)
		}
		if names {
			name = it.s.Name()
		}
		t.add(casefile.FormatDate(it.Date), state, it.s.ID, it.Kind, obj, act, rel(it), name)
	}
	return t.write(w, false)
}

// agendaDays prints the items for a terminal, under the heading of their
// day ("En retard" for the late ones).
func (o *agendaOptions) agendaDays(w io.Writer, items []agendaItem, today time.Time, rel func(agendaItem) string) error {
	// The rows of every day are cut to the terminal's width together (as
	// acc list's tables), so that the columns line up from one day to the next.
	headings := make([]string, len(items))
	rows := make([][]string, len(items))
	for i, it := range items {
		headings[i] = dayText(it.Date)
		state := ""
		if it.late {
			headings[i] = "En retard"
			state = fmt.Sprintf("%s (en retard de %s)", dayText(it.Date), daysText(casefile.DaysBetween(it.Date, today)))
		}
		rows[i] = []string{cellText(agendaWho(it.s, o.Names)), cellText(agendaWhat(it, o.Names)), cellText(state), cellText(rel(it))}
	}
	const indent = "  "
	if width := o.terminalWidth(); width > len(indent) {
		limits := fitColumns(rows, width-len(indent), tableGap)
		for _, row := range rows {
			for i := range row {
				row[i] = cutCell(row[i], limits[i])
			}
		}
	}
	tw := tabwriter.NewWriter(w, 0, 4, tableGap, ' ', 0)
	heading := ""
	for i, row := range rows {
		if headings[i] != heading {
			heading = headings[i]
			fmt.Fprintf(tw, "\n%s\n", heading)
		}
		fmt.Fprintf(tw, "%s%s\n", indent, strings.Join(row, "\t"))
	}
	return tw.Flush()
}

// agendaCalendar builds the iCalendar export: one all-day event per item,
// titled with ids only unless --noms.
func (o *agendaOptions) agendaCalendar(items []agendaItem, today time.Time, salt string) report.Calendar {
	names := o.Names
	// DTSTAMP is the export's time; a fixed day (--today, ACC_TODAY) fixes
	// it too, so that the file is reproducible.
	stamp := o.Now().UTC()
	if o.DayFixed() {
		stamp = today
	}
	cal := report.Calendar{ProdID: "-//acc-formation//acc agenda//FR", Name: "acc : agenda", Stamp: stamp}
	for _, it := range items {
		var desc []string
		desc = append(desc, "Bénéficiaire : "+agendaWho(it.s, names))
		if it.Path != "" {
			desc = append(desc, "Document : "+it.Path)
		}
		if it.Rule != "" {
			desc = append(desc, "En retard à partir du "+casefile.FormatDate(agendaLateFrom(it))+" (règle "+it.Rule+")")
		}
		cal.Events = append(cal.Events, report.CalendarEvent{
			UID:         agendaUID(salt, it),
			Day:         it.Date,
			Summary:     agendaTitle(it) + " · " + agendaWho(it.s, names),
			Description: strings.Join(desc, "\n"),
			Categories:  []string{"acc", it.Kind},
		})
	}
	return cal
}

// agendaLateFrom is the first day an event is late; a relance is due at
// once.
func agendaLateFrom(it agendaItem) time.Time {
	if it.LateFrom.IsZero() {
		return it.Date
	}
	return it.LateFrom
}

// agendaTitle is an event's calendar title, without names.
func agendaTitle(it agendaItem) string {
	switch it.Kind {
	case casefile.EventInterview:
		return "Entretien prévu"
	case casefile.EventRelance:
		return "Relance à faire"
	case casefile.EventObjective:
		return "Échéance objectif " + it.Objective
	case casefile.EventAction:
		return fmt.Sprintf("Échéance action %d de %s", it.ActionIndex, it.Objective)
	case casefile.EventDraft:
		return "Brouillon à finaliser"
	}
	return it.Kind
}
