package report

import (
	_ "embed"
	"html/template"
	"io"
	"strconv"
	"strings"
	"sync"
)

//go:embed tmpl/report.html
var htmlSource string

//go:embed tmpl/style.css
var cssSource string

// htmlMaster is the parsed template, never executed: each report runs a
// clone whose label functions name codes from its own type data.
var htmlMaster = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("report").Funcs(htmlFuncs(builtinLabels())).Parse(htmlSource))
})

// htmlFuncs are the functions the template calls, with the labels of a
// report's type data.
func htmlFuncs(l *labels) template.FuncMap {
	return template.FuncMap{
		"longDate":          longDate,
		"shortDate":         shortDate,
		"phase":             phaseLabel,
		"ficheStatus":       l.ficheStatus,
		"docStatus":         l.docStatus,
		"objStatus":         l.objectiveStatus,
		"autonomy":          func(v int) string { return l.ratingText("autonomie", v) },
		"interactions":      func(v int) string { return l.ratingText("interactions", v) },
		"level":             l.levelText,
		"barrier":           l.barrier,
		"responsible":       responsibleLabel,
		"file":              fileOf,
		"state":             stateLabel,
		"indicatorTitle":    indicatorTitle,
		"severity":          severityLabel,
		"reason":            reasonLabel,
		"join":              strings.Join,
		"body":              bodyHTML,
		"heading":           func(a Assessment, i int) string { return a.heading(i) },
		"deref":             func(b *bool) bool { return b != nil && *b },
		"gt1":               func(n int) bool { return n > 1 },
		"add":               func(a, b float64) float64 { return a + b },
		"sub":               func(a, b float64) float64 { return a - b },
		"f":                 num,
		"issued":            func(h Header) string { return h.issued() },
		"intro":             (*Beneficiary).intro,
		"presence":          func(iv Interview) string { return iv.presence(l) },
		"modality":          func(iv Interview) string { return iv.modality(l) },
		"objHeading":        Objective.heading,
		"alert":             Objective.alert,
		"actionLabel":       ActionState.label,
		"actionState":       ActionState.state,
		"trend":             BarrierDomain.trend,
		"contractHeading":   Commitment.heading,
		"signed":            Commitment.signed,
		"counts":            Commitment.counts,
		"nextInterview":     (*Beneficiary).nextInterview,
		"validationText":    (*Beneficiary).validationText,
		"privacyLines":      (*Beneficiary).privacyLines,
		"dropOut":           (*Caseload).dropOutText,
		"satisfaction":      (*Caseload).satisfactionText,
		"attentionCriteria": (*Caseload).attentionCriteria,
		"folder":            QualiopiRow.folder,
		"anonNotice":        func() string { return anonymizedNotice },
		"qualiopiIntro":     func() string { return qualiopiIntro },
	}
}

// htmlPage is what the template receives.
type htmlPage struct {
	Title string
	CSS   template.CSS
	Head  *Header
	Bens  []benView
	C     *Caseload
	CV    *caseloadView
	Q     *Qualiopi
	QV    *qualiopiView
}

type benView struct {
	*Beneficiary
	N     int // index, for unique element ids
	Chart *lineChart
}

type caseloadView struct {
	StatusChart, PhaseChart *barChart
	TrainerHead             []string
	TrainerRows             [][]string
	RowHead                 []string
	Rows                    [][]string
	Period                  *periodView
	PeriodChart             *barChart
}

type qualiopiView struct {
	Chart *barChart
}

// WriteHTML writes a report as one self-contained HTML file: inline CSS
// (with print rules for A4) and SVG charts, no script, no external
// resource, every text escaped.
func WriteHTML(w io.Writer, r Report) error {
	if err := checkReport(r); err != nil {
		return err
	}
	p := htmlPage{CSS: template.CSS(cssSource), Head: r.head()}
	switch r := r.(type) {
	case *Beneficiary:
		p.Title = "Dossier d'accompagnement — " + r.Name
		p.Bens = []benView{benViewOf(r, 0)}
	case *Bundle:
		p.Title = "Dossiers d'accompagnement"
		for i, b := range r.Beneficiaries {
			p.Bens = append(p.Bens, benViewOf(b, i))
		}
	case *Caseload:
		p.Title = "File active"
		if r.Organisation != "" {
			p.Title += " — " + r.Organisation
		}
		p.Title += r.scopeTitle()
		p.C = r
		p.CV = caseloadViewOf(r)
	case *Qualiopi:
		p.Title = "Preuves Qualiopi"
		if r.Organisation != "" {
			p.Title += " — " + r.Organisation
		}
		p.Title += r.scopeTitle()
		p.Q = r
		p.QV = qualiopiViewOf(r)
	}
	l := labelsOf(p.Head)
	t, err := htmlMaster().Clone()
	if err != nil {
		return err
	}
	return t.Funcs(htmlFuncs(l)).ExecuteTemplate(w, "page", p)
}

func benViewOf(b *Beneficiary, i int) benView {
	return benView{Beneficiary: b, N: i, Chart: ratingsChart("ratings-"+strconv.Itoa(i), b.Ratings)}
}

func caseloadViewOf(r *Caseload) *caseloadView {
	v := &caseloadView{Period: r.periodView(), PeriodChart: r.Period.monthsChart()}
	var in []barInput
	for _, t := range r.ByStatus {
		if t.Key == "" && t.Count.N == 0 && !t.Count.Suppressed {
			continue
		}
		in = append(in, barInput{Label: labelsOf(&r.Header).ficheStatus(t.Key), Parts: []barPart{{t.Count.N, t.Count.Suppressed, "c-main", "Bénéficiaires"}}})
	}
	v.StatusChart = barsChart("chart-status", "Bénéficiaires par statut de la fiche", in, false)
	in = nil
	for _, t := range r.ByPhase {
		in = append(in, barInput{Label: phaseLabel(t.Key), Parts: []barPart{{t.Count.N, t.Count.Suppressed, "c-main", "Bénéficiaires"}}})
	}
	v.PhaseChart = barsChart("chart-phase", "Bénéficiaires par phase du dernier entretien", in, false)
	v.TrainerHead, v.TrainerRows = r.trainerTable()
	if !r.Anonymized {
		v.RowHead = rowHead
		for _, b := range r.Beneficiaries {
			v.Rows = append(v.Rows, b.cells(labelsOf(&r.Header)))
		}
	}
	return v
}

func qualiopiViewOf(q *Qualiopi) *qualiopiView {
	var in []barInput
	for _, s := range q.Summary {
		in = append(in, barInput{Label: "Indicateur " + strconv.Itoa(s.Number), Parts: []barPart{
			{s.Proven, false, "c-ok", "Preuve"}, {s.Missing, false, "c-bad", "Manquant"}, {s.Pending, false, "c-wait", "À venir"},
		}})
	}
	return &qualiopiView{Chart: barsChart("chart-qualiopi", "Bénéficiaires par état de la preuve, pour chaque indicateur", in, true)}
}

// bodyHTML renders a document's Markdown body as simple, safe HTML:
// headings (moved down two levels), paragraphs, lists, tables and code
// blocks; inline markup is shown as text except bold. Links lose their
// target, so that nothing points outside the file.
func bodyHTML(body string) template.HTML {
	var b strings.Builder
	lines := strings.Split(body, "\n")
	lastHeading := ""
	for i := 0; i < len(lines); {
		l := lines[i]
		t := strings.TrimSpace(l)
		switch {
		case t == "":
			i++
		case strings.HasPrefix(t, "```") || strings.HasPrefix(t, "~~~"):
			fence := t[:3]
			i++
			b.WriteString("<pre>")
			for i < len(lines) && !strings.HasPrefix(strings.TrimSpace(lines[i]), fence) {
				b.WriteString(template.HTMLEscapeString(lines[i]) + "\n")
				i++
			}
			b.WriteString("</pre>\n")
			i++
		case strings.HasPrefix(l, "#"):
			n := len(l) - len(strings.TrimLeft(l, "#"))
			text := strings.TrimSpace(strings.TrimRight(strings.TrimSpace(l[n:]), "#"))
			lvl := strconv.Itoa(min(6, n+2))
			lastHeading = text
			b.WriteString("<h" + lvl + ">" + inlineHTML(text) + "</h" + lvl + ">\n")
			i++
		case isListItem(t):
			ordered := !strings.HasPrefix(t, "- ") && !strings.HasPrefix(t, "* ") && !strings.HasPrefix(t, "+ ")
			tag := "ul"
			if ordered {
				tag = "ol"
			}
			b.WriteString("<" + tag + ">\n")
			var item []string
			flush := func() {
				if item != nil {
					b.WriteString("<li>" + inlineHTML(strings.Join(item, " ")) + "</li>\n")
				}
				item = nil
			}
			for i < len(lines) {
				l := lines[i]
				t := strings.TrimSpace(l)
				if t == "" {
					break
				}
				if isListItem(t) && !strings.HasPrefix(l, "    ") {
					flush()
					item = []string{listText(t)}
				} else if isListItem(t) {
					item = append(item, "— "+listText(t))
				} else {
					item = append(item, t)
				}
				i++
			}
			flush()
			b.WriteString("</" + tag + ">\n")
		case strings.HasPrefix(t, "|"):
			var rows [][]string
			for i < len(lines) && strings.HasPrefix(strings.TrimSpace(lines[i]), "|") {
				rows = append(rows, splitRow(strings.TrimSpace(lines[i])))
				i++
			}
			writeBodyTable(&b, rows, lastHeading)
		default:
			var para []string
			for i < len(lines) {
				t := strings.TrimSpace(lines[i])
				if t == "" || strings.HasPrefix(lines[i], "#") || (len(para) > 0 && (isListItem(t) || strings.HasPrefix(t, "|") || strings.HasPrefix(t, "```"))) {
					break
				}
				para = append(para, strings.TrimPrefix(t, "> "))
				i++
			}
			b.WriteString("<p>" + inlineHTML(strings.Join(para, " ")) + "</p>\n")
		}
	}
	return template.HTML(b.String())
}

func isListItem(t string) bool {
	if strings.HasPrefix(t, "- ") || strings.HasPrefix(t, "* ") || strings.HasPrefix(t, "+ ") {
		return true
	}
	j := 0
	for j < len(t) && t[j] >= '0' && t[j] <= '9' {
		j++
	}
	return j > 0 && j+1 < len(t) && (t[j] == '.' || t[j] == ')') && t[j+1] == ' '
}

func listText(t string) string {
	if strings.HasPrefix(t, "- ") || strings.HasPrefix(t, "* ") || strings.HasPrefix(t, "+ ") {
		return t[2:]
	}
	j := strings.IndexAny(t, ".)")
	return strings.TrimSpace(t[j+1:])
}

func splitRow(t string) []string {
	t = strings.TrimPrefix(strings.TrimSuffix(t, "|"), "|")
	var cells []string
	var cur strings.Builder
	for i := 0; i < len(t); i++ {
		switch {
		case t[i] == '\\' && i+1 < len(t) && t[i+1] == '|':
			cur.WriteByte('|')
			i++
		case t[i] == '|':
			cells = append(cells, strings.TrimSpace(cur.String()))
			cur.Reset()
		default:
			cur.WriteByte(t[i])
		}
	}
	return append(cells, strings.TrimSpace(cur.String()))
}

func isSeparatorRow(r []string) bool {
	for _, c := range r {
		if strings.Trim(c, ":- ") != "" || c == "" {
			return false
		}
	}
	return true
}

func writeBodyTable(b *strings.Builder, rows [][]string, caption string) {
	b.WriteString("<table>\n")
	if caption != "" {
		b.WriteString("<caption>" + inlineHTML(caption) + "</caption>\n")
	}
	start := 0
	if len(rows) > 1 && isSeparatorRow(rows[1]) {
		b.WriteString("<thead><tr>")
		for _, c := range rows[0] {
			b.WriteString(`<th scope="col">` + inlineHTML(c) + "</th>")
		}
		b.WriteString("</tr></thead>\n")
		start = 2
	}
	b.WriteString("<tbody>\n")
	for _, r := range rows[start:] {
		b.WriteString("<tr>")
		for _, c := range r {
			b.WriteString("<td>" + inlineHTML(c) + "</td>")
		}
		b.WriteString("</tr>\n")
	}
	b.WriteString("</tbody></table>\n")
}

// inlineHTML escapes a line of Markdown text, keeps **bold** and drops link
// targets: [text](url) becomes text.
func inlineHTML(s string) string {
	s = dropLinkTargets(s)
	s = template.HTMLEscapeString(s)
	for {
		i := strings.Index(s, "**")
		if i < 0 {
			break
		}
		j := strings.Index(s[i+2:], "**")
		if j <= 0 {
			break
		}
		s = s[:i] + "<strong>" + s[i+2:i+2+j] + "</strong>" + s[i+2+j+2:]
	}
	return s
}

func dropLinkTargets(s string) string {
	for {
		i := strings.Index(s, "](")
		if i < 0 {
			return s
		}
		open := strings.LastIndexByte(s[:i], '[')
		end := strings.IndexByte(s[i:], ')')
		if open < 0 || end < 0 {
			return s
		}
		s = s[:open] + s[open+1:i] + s[i+end+1:]
	}
}
