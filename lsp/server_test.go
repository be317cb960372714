package lsp

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sourcegraph/jsonrpc2"
	"golang.org/x/text/unicode/norm"

	"github.com/acc-formation/acc/casefile"
	"github.com/acc-formation/acc/validate"
)

var today = time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)

// copyTree copies a folder into a new temporary one.
func copyTree(t testing.TB, src string) string {
	t.Helper()
	dst := t.TempDir()
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		out := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(out, 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(out, b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

// pipe joins two one-way pipes into a stream.
type pipe struct {
	io.Reader
	io.WriteCloser
}

// client is an LSP client talking to an in-process server.
type client struct {
	t     testing.TB
	conn  *jsonrpc2.Conn
	diags map[string][]PublishDiagnosticsParams
	got   chan PublishDiagnosticsParams
	done  chan struct{}
}

func newClient(t testing.TB, debounce time.Duration) *client {
	t.Helper()
	cr, sw := io.Pipe()
	sr, cw := io.Pipe()
	c := &client{t: t, diags: map[string][]PublishDiagnosticsParams{}, got: make(chan PublishDiagnosticsParams, 1000), done: make(chan struct{})}
	go func() {
		defer close(c.done)
		Serve(context.Background(), pipe{sr, sw}, Options{Today: func() (time.Time, error) { return today, nil }, Log: io.Discard, Debounce: debounce})
		sw.Close()
	}()
	h := jsonrpc2.HandlerWithError(func(_ context.Context, _ *jsonrpc2.Conn, req *jsonrpc2.Request) (any, error) {
		if req.Method == "textDocument/publishDiagnostics" {
			var p PublishDiagnosticsParams
			if err := json.Unmarshal(*req.Params, &p); err != nil {
				t.Errorf("publishDiagnostics: %v", err)
			}
			c.got <- p
		}
		return nil, nil
	})
	c.conn = jsonrpc2.NewConn(context.Background(), jsonrpc2.NewBufferedStream(pipe{cr, cw}, jsonrpc2.VSCodeObjectCodec{}), h)
	t.Cleanup(func() {
		c.conn.Notify(context.Background(), "exit", nil)
		select {
		case <-c.done:
		case <-time.After(5 * time.Second):
			t.Error("le serveur ne s'arrête pas après exit")
		}
		c.conn.Close()
	})
	return c
}

func (c *client) call(method string, params, result any) {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := c.conn.Call(ctx, method, params, result); err != nil {
		c.t.Fatalf("%s: %v", method, err)
	}
}

func (c *client) notify(method string, params any) {
	c.t.Helper()
	if err := c.conn.Notify(context.Background(), method, params); err != nil {
		c.t.Fatalf("%s: %v", method, err)
	}
}

// waitDiags returns the next diagnostics of uri with that version.
func (c *client) waitDiags(uri string, version int) []Diagnostic {
	c.t.Helper()
	deadline := time.After(20 * time.Second)
	for {
		select {
		case p := <-c.got:
			if p.URI == uri && (p.Version == nil || *p.Version == version) {
				return p.Diagnostics
			}
		case <-deadline:
			c.t.Fatalf("pas de diagnostics pour %s version %d", uri, version)
		}
	}
}

func fileURI(p string) string { return (&url.URL{Scheme: "file", Path: filepath.ToSlash(p)}).String() }

func (c *client) initialize(root string) {
	var res map[string]any
	c.call("initialize", map[string]any{"rootUri": fileURI(root), "capabilities": map[string]any{}}, &res)
	if res["capabilities"] == nil {
		c.t.Fatalf("initialize sans capabilities : %v", res)
	}
	c.notify("initialized", map[string]any{})
}

func (c *client) open(uri, text string, version int) []Diagnostic {
	c.notify("textDocument/didOpen", DidOpenTextDocumentParams{TextDocument: TextDocumentItem{URI: uri, LanguageID: "markdown", Version: version, Text: text}})
	return c.waitDiags(uri, version)
}

// jsonFindings returns what acc validate --format json says of one path of
// the repository at root.
func jsonFindings(t testing.TB, root, rel string) []map[string]any {
	t.Helper()
	src, err := os.ReadFile(filepath.Join(root, "acc.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := casefile.ParseConfig("acc.yaml", src)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	w, err := validate.NewWriter(validate.FormatJSON, &buf, validate.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var counter validate.Counter
	all := validate.Multi(&counter, w)
	if _, err := validate.Run(context.Background(), validate.RunOptions{Root: root, Today: today, Config: cfg, Paths: []string{rel}}, all); err != nil {
		t.Fatal(err)
	}
	if err := all.Close(counter.Summary); err != nil {
		t.Fatal(err)
	}
	var out struct {
		Findings []map[string]any `json:"findings"`
	}
	if err := json.Unmarshal(buf.Bytes(), &out); err != nil {
		t.Fatalf("%v\n%s", err, buf.String())
	}
	var mine []map[string]any
	for _, f := range out.Findings {
		if f["path"] == rel {
			mine = append(mine, f)
		}
	}
	return mine
}

// sameAsValidate checks that diagnostics of text say what acc validate
// --format json says of the same text on disk.
func sameAsValidate(t *testing.T, text []byte, diags []Diagnostic, want []map[string]any) {
	t.Helper()
	if len(diags) != len(want) {
		t.Fatalf("%d diagnostics, acc validate en donne %d :\n%v\n%v", len(diags), len(want), diags, want)
	}
	l := newLines(text)
	sev := map[string]int{"error": 1, "warning": 2, "info": 3}
	for i, d := range diags {
		w := want[i]
		pos := editorPos(l, int(w["line"].(float64)), int(w["column"].(float64)))
		if d.Code != w["rule"] || d.Message != w["message"] || d.Severity != sev[w["severity"].(string)] || d.Source != "acc" || d.Range.Start != pos {
			t.Errorf("diagnostic %d = %+v, acc validate : %v (position attendue %+v)", i, d, w, pos)
		}
	}
}

const brokenSuivi = `---
type: entretien-suivi
beneficiaire: maelle-kergoat
date: 2026-11-26
statut: finalise
objectif_entretien: "Faire le point."
presence: present
evaluation: { note: "é😀", autonomie: 9, interactions: 2 }
suivi_objectifs:
  - objectif: O1
    statut: en-cours
---

# Entretien de suivi

## Avancemant des objectifs

Les démarches avancent.
`

func TestDiagnosticsCompletionHoverCodeActions(t *testing.T) {
	root := copyTree(t, "../examples")
	rel := "beneficiaires/maelle-kergoat/2026-11-26-entretien-suivi.md"
	abs := filepath.Join(root, filepath.FromSlash(rel))
	if err := os.WriteFile(abs, []byte(brokenSuivi), 0o644); err != nil {
		t.Fatal(err)
	}
	c := newClient(t, 10*time.Millisecond)
	c.initialize(root)
	uri := fileURI(abs)
	diags := c.open(uri, brokenSuivi, 1)
	sameAsValidate(t, []byte(brokenSuivi), diags, jsonFindings(t, root, rel))
	codes := map[string]Diagnostic{}
	for _, d := range diags {
		codes[d.Code] = d
	}
	for _, want := range []string{"champ-manquant", "champ-invalide", "section-manquante"} {
		if _, ok := codes[want]; !ok {
			t.Errorf("pas de %s dans %v", want, diags)
		}
	}
	// The value after "é😀" is at UTF-16 column of "9" in the line.
	line := strings.Split(brokenSuivi, "\n")[7]
	wantChar := utf16Len([]byte(line[:strings.Index(line, "9")]))
	found := false
	for _, d := range diags {
		if d.Range.Start.Line == 7 && d.Code == "champ-invalide" {
			found = true
			if d.Range.Start.Character != wantChar {
				t.Errorf("autonomie : caractère %d, attendu %d (UTF-16)", d.Range.Start.Character, wantChar)
			}
		}
	}
	if !found {
		t.Errorf("pas de champ-invalide ligne 8 : %v", diags)
	}

	// Incremental change: fix the value 9 → 3, in UTF-16 positions.
	c.notify("textDocument/didChange", DidChangeTextDocumentParams{
		TextDocument: VersionedTextDocumentIdentifier{URI: uri, Version: 2},
		ContentChanges: []TextDocumentContentChangeEvent{{
			Range: &Range{Start: Position{Line: 7, Character: wantChar}, End: Position{Line: 7, Character: wantChar + 1}}, Text: "3"}},
	})
	diags = c.waitDiags(uri, 2)
	text2 := strings.Replace(brokenSuivi, "autonomie: 9", "autonomie: 3", 1)
	os.WriteFile(abs, []byte(text2), 0o644)
	sameAsValidate(t, []byte(text2), diags, jsonFindings(t, root, rel))
	for _, d := range diags {
		if d.Range.Start.Line == 7 && strings.Contains(d.Message, "autonomie") {
			t.Errorf("toujours signalé après correction : %v", d)
		}
	}

	// Completion: keys with their description, enum values, rule ids,
	// today's date, section titles.
	var list CompletionList
	c.call("textDocument/completion", TextDocumentPositionParams{TextDocument: TextDocumentIdentifier{URI: uri}, Position: Position{Line: 4, Character: 0}}, &list)
	if !hasItem(list, "formateur") || !hasItem(list, "prochain_entretien") || hasItem(list, "statut") {
		t.Errorf("complétion des clés : %v", labels(list))
	}
	c.call("textDocument/completion", TextDocumentPositionParams{TextDocument: TextDocumentIdentifier{URI: uri}, Position: Position{Line: 6, Character: len("presence: ")}}, &list)
	if !hasItem(list, "present") || !hasItem(list, "absent") || !hasItem(list, "excuse") {
		t.Errorf("complétion de presence : %v", labels(list))
	}
	c.call("textDocument/completion", TextDocumentPositionParams{TextDocument: TextDocumentIdentifier{URI: uri}, Position: Position{Line: 3, Character: len("date: ")}}, &list)
	if !hasItem(list, "2026-12-01") {
		t.Errorf("complétion de la date : %v", labels(list))
	}
	c.call("textDocument/completion", TextDocumentPositionParams{TextDocument: TextDocumentIdentifier{URI: uri}, Position: Position{Line: 15, Character: 3}}, &list)
	if !hasItem(list, "Ajustements") {
		t.Errorf("complétion des sections : %v", labels(list))
	}

	c.call("textDocument/completion", TextDocumentPositionParams{TextDocument: TextDocumentIdentifier{URI: uri}, Position: Position{Line: 9, Character: len("  - objectif: ")}}, &list)
	if !hasItem(list, "O1") || !hasItem(list, "O2") || !hasItem(list, "O3") {
		t.Errorf("complétion des objectifs du dossier : %v", labels(list))
	}

	c.call("textDocument/completion", TextDocumentPositionParams{TextDocument: TextDocumentIdentifier{URI: uri}, Position: Position{Line: 10, Character: 4}}, &list)
	if !hasItem(list, "commentaire") || !hasItem(list, "statut") || hasItem(list, "formateur") {
		t.Errorf("complétion des clés d'un élément de suivi_objectifs : %v", labels(list))
	}
	c.call("textDocument/completion", TextDocumentPositionParams{TextDocument: TextDocumentIdentifier{URI: uri}, Position: Position{Line: 10, Character: len("    statut: ")}}, &list)
	if !hasItem(list, "atteint") || !hasItem(list, "en-cours") || hasItem(list, "brouillon") {
		t.Errorf("complétion du statut d'un objectif : %v", labels(list))
	}

	// Hover on a key; on an objective id: its folded state; on a line with
	// a finding: the rule's help.
	var h *Hover
	c.call("textDocument/hover", TextDocumentPositionParams{TextDocument: TextDocumentIdentifier{URI: uri}, Position: Position{Line: 9, Character: len("  - objectif: O")}}, &h)
	if h == nil || !strings.Contains(h.Contents.Value, "**O1**") || !strings.Contains(h.Contents.Value, "Statut : ") || !strings.Contains(h.Contents.Value, "Indicateur : ") {
		t.Errorf("survol de O1 : %+v", h)
	}
	h = nil
	c.call("textDocument/hover", TextDocumentPositionParams{TextDocument: TextDocumentIdentifier{URI: uri}, Position: Position{Line: 7, Character: 1}}, &h)
	if h == nil || !strings.Contains(h.Contents.Value, "`evaluation`") || !strings.Contains(h.Contents.Value, "**champ-inconnu**") {
		t.Errorf("survol d'une ligne à constat : %+v", h)
	}
	h = nil
	c.call("textDocument/hover", TextDocumentPositionParams{TextDocument: TextDocumentIdentifier{URI: uri}, Position: Position{Line: 6, Character: 2}}, &h)
	if h == nil || !strings.Contains(h.Contents.Value, "presence") || !strings.Contains(h.Contents.Value, "`absent`") {
		t.Errorf("survol de presence : %+v", h)
	}

	// Code actions: the quick fixes, then all of them applied give a text
	// without those findings.
	var actions []CodeAction
	// The whole text: a near-miss heading's finding (and its rename) is at
	// the heading's line, the absent ones at the first line.
	c.call("textDocument/codeAction", CodeActionParams{TextDocument: TextDocumentIdentifier{URI: uri}, Range: Range{Start: Position{Line: 0}, End: Position{Line: 1000}}}, &actions)
	var all *CodeAction
	titles := []string{}
	for i, a := range actions {
		titles = append(titles, a.Title)
		if a.Kind == fixAllKind {
			all = &actions[i]
		}
	}
	joined := strings.Join(titles, "\n")
	for _, want := range []string{"Ajouter le champ « formateur »", "Renommer le titre en « ## Avancement des objectifs »", "Ajouter la section « ## Ajustements »"} {
		if !strings.Contains(joined, want) {
			t.Errorf("action %q absente de :\n%s", want, joined)
		}
	}
	if all == nil {
		t.Fatalf("pas d'action « tout corriger » : %s", joined)
	}
	fixed := applyTextEdits(t, []byte(text2), all.Edit.Changes[uri])
	c.notify("textDocument/didChange", DidChangeTextDocumentParams{TextDocument: VersionedTextDocumentIdentifier{URI: uri, Version: 3},
		ContentChanges: []TextDocumentContentChangeEvent{{Text: string(fixed)}}})
	diags = c.waitDiags(uri, 3)
	for _, d := range diags {
		if d.Code == "section-manquante" || d.Code == "champ-manquant" && d.Range.Start.Line == 0 {
			t.Errorf("toujours là après les corrections : %v\n%s", d, fixed)
		}
	}
}

func hasItem(l CompletionList, label string) bool {
	for _, it := range l.Items {
		if it.Label == label {
			return true
		}
	}
	return false
}

func labels(l CompletionList) []string {
	var out []string
	for _, it := range l.Items {
		out = append(out, it.Label)
	}
	return out
}

// applyTextEdits applies the editor's edits as an editor does: all
// positions refer to the text before the edits.
func applyTextEdits(t *testing.T, text []byte, edits []TextEdit) []byte {
	t.Helper()
	type span struct {
		a, b int
		s    string
	}
	var spans []span
	for _, e := range edits {
		spans = append(spans, span{byteOffset(text, e.Range.Start), byteOffset(text, e.Range.End), e.NewText})
	}
	out := text
	for i := len(spans) - 1; i >= 0; i-- {
		s := spans[i]
		out = append(append(append([]byte{}, out[:s.a]...), s.s...), out[s.b:]...)
	}
	return out
}

func TestOutsideAndHostileBuffers(t *testing.T) {
	root := copyTree(t, "../examples")
	c := newClient(t, 5*time.Millisecond)
	c.initialize(root)
	// Outside beneficiaires/, outside any repository: no diagnostics.
	for i, p := range []string{filepath.Join(root, "README.md"), filepath.Join(t.TempDir(), "beneficiaires", "x", "fiche.md")} {
		if d := c.open(fileURI(p), "---\ntype: [\n---\n", i+1); len(d) != 0 {
			t.Errorf("%s : diagnostics %v", p, d)
		}
	}
	uri := fileURI(filepath.Join(root, "beneficiaires", "maelle-kergoat", "2026-11-27-entretien-suivi.md"))
	bomb := "---\na: &a [\"x\",\"x\",\"x\",\"x\",\"x\",\"x\",\"x\",\"x\",\"x\"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\ng: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\n---\n"
	big := "---\ntype: entretien-suivi\n---\n" + strings.Repeat("é😀 texte ", 500_000)
	for i, text := range []string{"", "\x00\xff\xfe binaire \x80", "---\n: : :\n\t- [\n", bomb, big, "---\r\ntype: entretien-suivi\r\n---\r\n"} {
		diags := c.open(uri, text, 100+i)
		if text != "" && len(diags) == 0 {
			t.Errorf("texte %d : aucun diagnostic", i)
		}
		var list CompletionList
		c.call("textDocument/completion", TextDocumentPositionParams{TextDocument: TextDocumentIdentifier{URI: uri}, Position: Position{Line: 1, Character: 3}}, &list)
		var h *Hover
		c.call("textDocument/hover", TextDocumentPositionParams{TextDocument: TextDocumentIdentifier{URI: uri}, Position: Position{Line: 1, Character: 1}}, &h)
		var actions []CodeAction
		c.call("textDocument/codeAction", CodeActionParams{TextDocument: TextDocumentIdentifier{URI: uri}}, &actions)
	}
}

// TestSameAsValidate: over the examples and altered versions of them, the
// server's diagnostics of an unsaved text are acc validate --format json's
// for that text on disk.
func TestSameAsValidate(t *testing.T) {
	root := copyTree(t, "../examples")
	disk := copyTree(t, "../examples")
	c := newClient(t, time.Millisecond)
	c.initialize(root)
	version := 0
	err := filepath.WalkDir(filepath.Join(root, "beneficiaires"), func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".md") {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		rel = filepath.ToSlash(rel)
		orig, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		lines := strings.SplitAfter(string(orig), "\n")
		variants := []string{string(orig)}
		for _, k := range []int{1, 3, 5, len(lines) / 2, len(lines) - 2} {
			if k > 0 && k < len(lines) {
				variants = append(variants, strings.Join(lines[:k], "")+strings.Join(lines[k+1:], ""))
			}
		}
		variants = append(variants, strings.Replace(string(orig), "statut: finalise", "statut: finalisé", 1),
			strings.Replace(string(orig), "\n", "\r\n", -1), "\ufeff"+string(orig), norm.NFD.String(string(orig)))
		for _, v := range variants {
			version++
			diags := c.open(fileURI(p), v, version)
			target := filepath.Join(disk, filepath.FromSlash(rel))
			if err := os.WriteFile(target, []byte(v), 0o644); err != nil {
				return err
			}
			sameAsValidate(t, []byte(v), diags, jsonFindings(t, disk, rel))
			if err := os.WriteFile(target, orig, 0o644); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if version < 50 {
		t.Fatalf("seulement %d textes comparés", version)
	}
}

// FuzzEdits: the server keeps answering whatever edits it receives.
func FuzzEdits(f *testing.F) {
	f.Add(uint32(1), uint32(2), uint32(3), uint32(4), "é😀\n## \r\n")
	f.Add(uint32(0), uint32(0), uint32(100), uint32(100), "\xff\x00---\n")
	f.Add(uint32(7), uint32(1), uint32(7), uint32(9), "statut: ")
	root := copyTree(f, "../examples")
	c := newClient(f, time.Millisecond)
	c.initialize(root)
	uri := fileURI(filepath.Join(root, "beneficiaires", "maelle-kergoat", "2026-11-26-entretien-suivi.md"))
	version := 1
	c.open(uri, brokenSuivi, version)
	f.Fuzz(func(t *testing.T, l1, c1, l2, c2 uint32, text string) {
		version++
		c.t = t
		c.notify("textDocument/didChange", DidChangeTextDocumentParams{TextDocument: VersionedTextDocumentIdentifier{URI: uri, Version: version},
			ContentChanges: []TextDocumentContentChangeEvent{{Range: &Range{Start: Position{int(l1 % 40), int(c1 % 80)}, End: Position{int(l2 % 40), int(c2 % 80)}}, Text: text}}})
		var list CompletionList
		c.call("textDocument/completion", TextDocumentPositionParams{TextDocument: TextDocumentIdentifier{URI: uri}, Position: Position{int(l2 % 20), int(c2 % 20)}}, &list)
		var actions []CodeAction
		c.call("textDocument/codeAction", CodeActionParams{TextDocument: TextDocumentIdentifier{URI: uri}, Range: Range{End: Position{Line: 40}}}, &actions)
		c.waitDiags(uri, version)
	})
}

func TestShutdownThenExit(t *testing.T) {
	root := copyTree(t, "../examples")
	c := newClient(t, time.Millisecond)
	c.initialize(root)
	var none any
	c.call("shutdown", nil, &none)
	err := c.conn.Call(context.Background(), "textDocument/hover", TextDocumentPositionParams{}, &none)
	if err == nil || !strings.Contains(err.Error(), "shutdown") {
		t.Errorf("requête après shutdown : %v", err)
	}
	c.notify("exit", nil)
	select {
	case <-c.done:
	case <-time.After(5 * time.Second):
		t.Fatal("le serveur ne s'arrête pas après exit")
	}
}

func TestNestedKeysAndLevels(t *testing.T) {
	root := copyTree(t, "../examples")
	c := newClient(t, time.Millisecond)
	c.initialize(root)
	uri := fileURI(filepath.Join(root, "beneficiaires", "maelle-kergoat", "2026-11-27-entretien-diagnostic.md"))
	text := "---\ntype: entretien-diagnostic\nfreins:\n  mobilite: \n  \n---\n"
	c.open(uri, text, 1)
	var list CompletionList
	c.call("textDocument/completion", TextDocumentPositionParams{TextDocument: TextDocumentIdentifier{URI: uri}, Position: Position{Line: 4, Character: 2}}, &list)
	if !hasItem(list, "logement") || !hasItem(list, "numerique") || hasItem(list, "statut") {
		t.Errorf("complétion des clés de freins : %v", labels(list))
	}
	c.call("textDocument/completion", TextDocumentPositionParams{TextDocument: TextDocumentIdentifier{URI: uri}, Position: Position{Line: 3, Character: len("  mobilite: ")}}, &list)
	if got := strings.Join(labels(list), ","); got != "0,1,2,3" {
		t.Errorf("niveaux d'un frein : %s", got)
	}
}
