package lsp

import (
	"context"
	"regexp"
	"strconv"
	"strings"

	"github.com/acc-formation/acc/casefile"
	"github.com/acc-formation/acc/templates"
	"github.com/acc-formation/acc/validate"
)

// fixAllKind is the code action applying every safe fix of a document.
const fixAllKind = "source.fixAll.acc"

var (
	keyPrefix   = regexp.MustCompile(`^([A-Za-z_][A-Za-z0-9_-]*)?$`)
	valuePrefix = regexp.MustCompile(`^(\s*(?:-\s+)?)([A-Za-z_][A-Za-z0-9_-]*):\s*([^\s#]*)$`)
	headPrefix  = regexp.MustCompile(`^##\s*([^#].*)?$`)
	keyLine     = regexp.MustCompile(`^(\s*(?:-\s+)?)([A-Za-z_][A-Za-z0-9_-]*)\s*:`)
	// nestedKeyPrefix is an indented key being typed, maybe starting a list
	// item: "  mobi", "  - obj".
	nestedKeyPrefix = regexp.MustCompile(`^( +)(-\s+)?([A-Za-z_][A-Za-z0-9_-]*)?$`)
	// listItemPrefix is a list item being typed: "  - O".
	listItemPrefix = regexp.MustCompile(`^(\s*)-\s+([^\s:#]*)$`)
	// idValue is an objective id after objectif: or id:, or as a list item.
	idValue = regexp.MustCompile(`^(\s*)(?:-\s+)?(?:(?:objectif|id)\s*:\s*)?([A-Za-z0-9_-]+)\s*(?:#.*)?$`)
)

// parentKey returns the key of the block a line at that indentation
// belongs to: the nearest line above it, less indented, ending with "key:".
func parentKey(pl *place, line, indent int) string {
	l := newLines(pl.d.Src)
	for n := line - 1; n >= 1; n-- {
		a, b, ok := l.span(n)
		if !ok {
			continue
		}
		text := string(pl.d.Src[a:b])
		trimmed := strings.TrimLeft(text, " ")
		if trimmed == "" || strings.HasPrefix(trimmed, "#") {
			continue
		}
		if len(text)-len(trimmed) < indent || len(text)-len(trimmed) == indent && !strings.HasPrefix(trimmed, "-") {
			if m := keyLine.FindStringSubmatch(text); m != nil {
				return m[2]
			}
			return ""
		}
	}
	return ""
}

// pathAt returns the keys leading to the mapping that a line indented by
// indent belongs to, from the top: "suivi_objectifs", "[]" for a list item,
// and so on. nil at the top level.
func pathAt(pl *place, line, indent int) []string {
	l := newLines(pl.d.Src)
	var rev []string
	for n := line - 1; n >= 1 && indent > 0; n-- {
		a, b, ok := l.span(n)
		if !ok {
			continue
		}
		text := string(pl.d.Src[a:b])
		trimmed := strings.TrimLeft(text, " ")
		ind := len(text) - len(trimmed)
		if trimmed == "" || strings.HasPrefix(trimmed, "#") || ind >= indent || trimmed == "---" {
			continue
		}
		if strings.HasPrefix(trimmed, "-") {
			// Inside a list item: its mapping is the list's item.
			rev = append(rev, "[]")
			indent = ind
			continue
		}
		m := keyLine.FindStringSubmatch(text)
		if m == nil {
			return nil
		}
		rev = append(rev, m[2])
		indent = ind
	}
	out := make([]string, len(rev))
	for i, k := range rev {
		out[len(rev)-1-i] = k
	}
	return out
}

// lineField resolves a path of pathAt to the field it names, nil when the
// type does not know it.
func lineField(pl *place, path []string) *templates.Field {
	fields := pl.typ.Fields
	var f *templates.Field
	for _, k := range path {
		if k == "[]" {
			if f == nil || f.Item == nil {
				return nil
			}
			f = f.Item
			fields = f.Fields
			continue
		}
		if f = fieldOf(fields, k); f == nil {
			return nil
		}
		fields = f.Fields
	}
	return f
}

// containerFields returns the fields of the mapping a key written after
// lead ("    " or "  - ") on a line belongs to.
func containerFields(pl *place, line int, lead string) []*templates.Field {
	trimmed := strings.TrimLeft(lead, " ")
	indent := len(lead) - len(trimmed)
	path := pathAt(pl, line, indent)
	if strings.HasPrefix(trimmed, "-") {
		path = append(path, "[]")
	} else if len(path) == 0 {
		return pl.typ.Fields
	}
	if f := lineField(pl, path); f != nil {
		return f.Fields
	}
	return nil
}

func fieldOf(fields []*templates.Field, key string) *templates.Field {
	for _, f := range fields {
		if f.Key == key {
			return f
		}
	}
	return nil
}

// objectiveItems proposes the objective ids of the case, with their
// intitulé.
func (s *server) objectiveItems(uri string, pl *place) []CompletionItem {
	c := s.caseOf(uri, pl)
	if c == nil {
		return nil
	}
	var out []CompletionItem
	for _, o := range c.Objectives {
		out = append(out, CompletionItem{Label: o.ID, Kind: kindConstant, Detail: o.Intitule, Documentation: markdown(objectiveDoc(o))})
	}
	return out
}

// caseOf folds the case of the document, its buffer in place of its file.
func (s *server) caseOf(uri string, pl *place) *casefile.Case {
	r, rel, ok := s.target(uri)
	if !ok {
		return nil
	}
	parts := strings.Split(rel, "/")
	return r.fixer.CaseOf(r.root, parts[1], pl.d)
}

// objectiveDoc is an objective's folded state: intitulé, indicateur,
// échéance with its revisions, status.
func objectiveDoc(o *casefile.Objective) string {
	var b strings.Builder
	b.WriteString("**" + o.ID + "** — " + orDash(o.Intitule) + "\n\n")
	b.WriteString("- Indicateur : " + orDash(o.Indicateur) + "\n")
	ech := "—"
	if !o.Echeance.IsZero() {
		ech = casefile.FormatDate(o.Echeance)
	}
	b.WriteString("- Échéance : " + ech + "\n")
	if n := len(o.Revisions); n > 1 {
		var dates []string
		for _, r := range o.Revisions {
			dates = append(dates, casefile.FormatDate(r.Date))
		}
		b.WriteString("- Déclaré puis révisé : " + strings.Join(dates, ", ") + "\n")
	}
	b.WriteString("- Statut : " + orDash(o.Status()) + "\n")
	return b.String()
}

func orDash(s string) string {
	if strings.TrimSpace(s) == "" {
		return "—"
	}
	return s
}

// context of a position in a document: its parsed text, its type and
// whether the position is in the frontmatter.
type place struct {
	d      *casefile.Document
	typ    *templates.Type
	front  bool
	prefix string // the line up to the position
	line   string // the whole line
}

func (s *server) place(uri string, pos Position) (*repo, *place, bool) {
	text, _, _, ok := s.snapshot(uri)
	if !ok {
		return nil, nil, false
	}
	r, rel, ok := s.target(uri)
	if !ok {
		return nil, nil, false
	}
	l := newLines(text)
	start, end, ok := l.span(pos.Line)
	if !ok {
		return nil, nil, false
	}
	at := byteOffset(text, pos)
	if at < start || at > end {
		at = end
	}
	d := casefile.Parse(rel, text)
	pl := &place{d: d, typ: r.fixer.TypeOf(d), prefix: string(text[start:at]), line: string(text[start:end])}
	// Lines 2 up to the closing delimiter (line BodyLine-1) hold the
	// frontmatter; the closing line itself is where a new key is typed.
	n := pos.Line + 1
	pl.front = d.HasFront && n >= 2 && n <= d.BodyLine-1 && strings.TrimSpace(pl.line) != "---"
	return r, pl, true
}

func (s *server) completion(p TextDocumentPositionParams) CompletionList {
	out := CompletionList{Items: []CompletionItem{}}
	_, pl, ok := s.place(p.TextDocument.URI, p.Position)
	if !ok || pl.typ == nil {
		return out
	}
	out.Items = append(out.Items, s.completeAt(p, pl)...)
	return out
}

// completeAt chooses the completions by what the line holds before the
// cursor: a heading, a top-level key, a nested key, a list item or a value.
func (s *server) completeAt(p TextDocumentPositionParams, pl *place) []CompletionItem {
	if !pl.front {
		if headPrefix.MatchString(pl.prefix) {
			return sectionItems(pl)
		}
		return nil
	}
	if keyPrefix.MatchString(pl.prefix) {
		return missingKeyItems(pl)
	}
	if m := nestedKeyPrefix.FindStringSubmatch(pl.prefix); m != nil {
		if fields := nestedFields(pl, p.Position.Line, len(m[1]), m[2] != ""); len(fields) > 0 {
			items := make([]CompletionItem, 0, len(fields))
			for i, f := range fields {
				items = append(items, keyItem(i, f))
			}
			return items
		}
	}
	if item := listItemPrefix.FindStringSubmatch(pl.prefix); item != nil {
		if parentKey(pl, p.Position.Line, len(item[1])) == "objectifs_retenus" {
			return s.objectiveItems(p.TextDocument.URI, pl)
		}
		return nil
	}
	m := valuePrefix.FindStringSubmatch(pl.prefix)
	if m == nil {
		return nil
	}
	return s.valueItems(p, pl, m[1], m[2])
}

// sectionItems are the type's sections the body does not have yet.
func sectionItems(pl *place) []CompletionItem {
	var items []CompletionItem
	for _, sec := range pl.typ.Sections {
		if _, there := pl.d.Section(casefile.NormalizeHeading(sec.Title)); there {
			continue
		}
		items = append(items, CompletionItem{Label: sec.Title, Kind: kindKeyword,
			Detail: "section de « " + pl.typ.Label + " »", Documentation: markdown(strings.TrimSpace(sec.Prompt))})
	}
	return items
}

// missingKeyItems are the type's top-level keys the frontmatter lacks.
func missingKeyItems(pl *place) []CompletionItem {
	var items []CompletionItem
	for i, f := range pl.typ.Fields {
		if _, k := casefile.Get(pl.d.Front, f.Key); k != nil {
			continue
		}
		items = append(items, keyItem(i, f))
	}
	return items
}

// keyItem completes the key of the field f, ranked i-th.
func keyItem(i int, f *templates.Field) CompletionItem {
	return CompletionItem{Label: f.Key, Kind: kindField, Detail: fieldDetail(f),
		Documentation: markdown(fieldDoc(f)), InsertText: f.Key + ": ", SortText: sortKey(i)}
}

// nestedFields are the fields a key indented by indent may name: those of
// a nested mapping (evaluation, freins), of a list's items when the key
// opens an item ("- "), or the top-level ones at indent 0 of no parent.
// "  - O" under objectifs_retenus is an objective id, not a key: no field.
func nestedFields(pl *place, line, indent int, item bool) []*templates.Field {
	if item {
		if list := lineField(pl, pathAt(pl, line, indent)); list != nil && list.Item != nil {
			return list.Item.Fields
		}
		return nil
	}
	if f := lineField(pl, pathAt(pl, line, indent)); f != nil {
		return f.Fields
	}
	if path := pathAt(pl, line, indent); len(path) == 0 {
		return pl.typ.Fields
	}
	return nil
}

// valueItems complete the value of key, a top-level key when lead (its
// indentation and list marker) is empty, else a key of the mapping around
// the line.
func (s *server) valueItems(p TextDocumentPositionParams, pl *place, lead, key string) []CompletionItem {
	switch key {
	case "objectif":
		return s.objectiveItems(p.TextDocument.URI, pl)
	case "regle":
		items := make([]CompletionItem, 0, len(validate.Rules))
		for _, r := range validate.Rules {
			items = append(items, CompletionItem{Label: r.ID, Kind: kindConstant, Detail: r.Summary})
		}
		return items
	}
	f := findField(pl.typ.Fields, key, lead == "")
	if lead != "" {
		if g := fieldOf(containerFields(pl, p.Position.Line, lead), key); g != nil {
			f = g
		}
	}
	if f == nil {
		return nil
	}
	return s.fieldValues(f)
}

// fieldValues are the values a field of f's kind suggests: a choix's
// values, a small integer range, the booleans, today for a date.
func (s *server) fieldValues(f *templates.Field) []CompletionItem {
	var items []CompletionItem
	switch f.Kind {
	case templates.KindChoice:
		for _, v := range f.Values {
			items = append(items, CompletionItem{Label: v, Kind: kindValue, Detail: fieldDetail(f)})
		}
	case templates.KindInteger:
		if f.Min != nil && f.Max != nil && *f.Max-*f.Min <= 10 {
			for v := *f.Min; v <= *f.Max; v++ {
				items = append(items, CompletionItem{Label: strconv.Itoa(v), Kind: kindValue, Detail: fieldDetail(f), SortText: sortKey(v - *f.Min)})
			}
		}
	case templates.KindBoolean:
		for _, v := range []string{"true", "false"} {
			items = append(items, CompletionItem{Label: v, Kind: kindValue})
		}
	case templates.KindDate:
		if t, err := s.o.Today(); err == nil {
			items = append(items, CompletionItem{Label: t.Format("2006-01-02"), Kind: kindText, Detail: "aujourd'hui"})
		}
	}
	return items
}

func sortKey(i int) string { return string(rune('a'+i/26)) + string(rune('a'+i%26)) }

// findField finds the field of a key: at the top level when top, else the
// first sub-field of that name at any depth.
func findField(fields []*templates.Field, key string, top bool) *templates.Field {
	if top {
		for _, f := range fields {
			if f.Key == key {
				return f
			}
		}
		return nil
	}
	var walk func(fs []*templates.Field) *templates.Field
	walk = func(fs []*templates.Field) *templates.Field {
		for _, f := range fs {
			for _, sub := range [][]*templates.Field{f.Fields, itemFields(f)} {
				for _, g := range sub {
					if g.Key == key {
						return g
					}
				}
				if g := walk(sub); g != nil {
					return g
				}
			}
		}
		return nil
	}
	return walk(fields)
}

func itemFields(f *templates.Field) []*templates.Field {
	if f.Item == nil {
		return nil
	}
	return f.Item.Fields
}

func fieldDetail(f *templates.Field) string {
	if f.Label != "" {
		return f.Label + " — " + f.Expected()
	}
	return f.Expected()
}

func fieldDoc(f *templates.Field) string {
	var b strings.Builder
	if f.Label != "" {
		b.WriteString("**" + f.Label + "**\n\n")
	}
	if f.Description != "" {
		b.WriteString(strings.TrimSpace(f.Description) + "\n\n")
	}
	b.WriteString("Attendu : " + f.Expected())
	if len(f.Values) > 0 {
		b.WriteString("\n\nValeurs : `" + strings.Join(f.Values, "`, `") + "`")
	}
	return b.String()
}

func markdown(s string) *MarkupContent {
	if s == "" {
		return nil
	}
	return &MarkupContent{Kind: "markdown", Value: s}
}

func (s *server) hover(p TextDocumentPositionParams) *Hover {
	_, pl, ok := s.place(p.TextDocument.URI, p.Position)
	if !ok {
		return nil
	}
	var parts []string
	if pl.typ != nil && pl.front {
		parts = append(parts, s.frontHover(p, pl)...)
	}
	parts = append(parts, s.ruleHelp(p)...)
	if len(parts) == 0 {
		return nil
	}
	return &Hover{Contents: MarkupContent{Kind: "markdown", Value: strings.Join(parts, "\n\n---\n\n")}}
}

// frontHover describes the key under the position, or the objective whose
// id it is.
func (s *server) frontHover(p TextDocumentPositionParams, pl *place) []string {
	if m := idValue.FindStringSubmatch(pl.line); m != nil {
		k := keyLine.FindStringSubmatch(pl.line)
		onID := k == nil && parentKey(pl, p.Position.Line, len(m[1])) == "objectifs_retenus" ||
			k != nil && (k[2] == "objectif" || k[2] == "id") && len(pl.prefix) > strings.Index(pl.line, ":")
		if onID {
			if c := s.caseOf(p.TextDocument.URI, pl); c != nil {
				if o := c.Objective(m[2]); o != nil {
					return []string{objectiveDoc(o)}
				}
			}
		}
	}
	m := keyLine.FindStringSubmatch(pl.line)
	if m == nil {
		return nil
	}
	f := findField(pl.typ.Fields, m[2], m[1] == "")
	if f == nil {
		return nil
	}
	return []string{"`" + f.Key + "` — " + fieldDoc(f)}
}

// ruleHelp gives the help of the rules of the findings on the line.
func (s *server) ruleHelp(p TextDocumentPositionParams) []string {
	text, findings, fresh, ok := s.snapshot(p.TextDocument.URI)
	if !ok || !fresh {
		return nil
	}
	l := newLines(text)
	seen := map[string]bool{}
	var out []string
	for _, f := range findings {
		if editorPos(l, f.Line, f.Column).Line != p.Position.Line || seen[f.Rule] {
			continue
		}
		seen[f.Rule] = true
		for _, r := range validate.Rules {
			if r.ID == f.Rule {
				out = append(out, "**"+r.ID+"** : "+r.Summary+"\n\n"+strings.TrimSpace(r.Help))
			}
		}
	}
	return out
}

// codeActions offers the safe fixes of the findings on the requested
// lines (and those the editor names), and one action applying them all.
func (s *server) codeActions(ctx context.Context, p CodeActionParams) []CodeAction {
	out := []CodeAction{}
	uri := p.TextDocument.URI
	r, rel, ok := s.target(uri)
	if !ok {
		return out
	}
	text, findings, _ := s.currentFindings(ctx, uri)
	fixes := r.fixer.Fixes(rel, text, findings)
	if len(fixes) == 0 {
		return out
	}
	l := newLines(text)
	named := map[string]bool{}
	for _, d := range p.Context.Diagnostics {
		named[d.Code+"\x00"+d.Message] = true
	}
	wantQuick, wantAll := len(p.Context.Only) == 0, len(p.Context.Only) == 0
	for _, k := range p.Context.Only {
		wantQuick = wantQuick || strings.HasPrefix("quickfix", k)
		wantAll = wantAll || strings.HasPrefix(fixAllKind, k)
	}
	diags := diagnostics(l, findingsOf(fixes))
	for i, fx := range fixes {
		line := diags[i].Range.Start.Line
		if !wantQuick || !(named[fx.Finding.Rule+"\x00"+fx.Finding.Message] || line >= p.Range.Start.Line && line <= p.Range.End.Line) {
			continue
		}
		out = append(out, CodeAction{Title: fx.Title, Kind: "quickfix", Diagnostics: []Diagnostic{diags[i]}, IsPreferred: true,
			Edit: &WorkspaceEdit{Changes: map[string][]TextEdit{uri: textEdits(l, fx.Edits)}}})
	}
	if wantAll && len(fixes) > 1 {
		out = append(out, CodeAction{Title: "Appliquer les corrections sûres d'acc", Kind: fixAllKind,
			Edit: &WorkspaceEdit{Changes: map[string][]TextEdit{uri: textEdits(l, validate.Merge(fixes))}}})
	}
	return out
}

func findingsOf(fixes []validate.Fix) []validate.Finding {
	out := make([]validate.Finding, len(fixes))
	for i, f := range fixes {
		out[i] = f.Finding
	}
	return out
}

// textEdits converts line edits to the editor's, with the text's own line
// break.
func textEdits(l *lines, edits []validate.Edit) []TextEdit {
	nl := "\n"
	if strings.Contains(string(l.text), "\r\n") {
		nl = "\r\n"
	}
	var out []TextEdit
	last := len(l.starts) - 1
	for _, e := range edits {
		text := strings.ReplaceAll(e.Text, "\n", nl)
		switch {
		case e.Line <= 0 || e.Line-1 > last:
			end := lineEnd(l, last)
			if end.Character > 0 {
				text = nl + text
			}
			out = append(out, TextEdit{Range: Range{Start: end, End: end}, NewText: text})
		case e.Replace:
			start := Position{Line: e.Line - 1}
			out = append(out, TextEdit{Range: Range{Start: start, End: lineEnd(l, e.Line-1)}, NewText: e.Text})
		default:
			at := Position{Line: e.Line - 1}
			out = append(out, TextEdit{Range: Range{Start: at, End: at}, NewText: text})
		}
	}
	return out
}
