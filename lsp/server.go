// Package lsp is acc's Language Server (DESIGN §7): the rules of acc
// validate in the trainer's editor, from the unsaved text, with completion,
// hover and the safe fixes as quick fixes. It judges with the validate
// package's one engine (validate.CheckText, validate.Fixer).
package lsp

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net/url"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/sourcegraph/jsonrpc2"

	"github.com/acc-formation/acc/casefile"
	"github.com/acc-formation/acc/validate"
)

// Options configure a server.
type Options struct {
	// Today gives the date the time-based rules judge against (the
	// command's --today, ACC_TODAY or the clock).
	Today func() (time.Time, error)
	// Log receives protocol-level events only, never document content.
	Log io.Writer
	// Debounce is the delay between a change and its diagnostics;
	// 0 means 150 ms.
	Debounce time.Duration
}

// Serve answers one client on rwc until it exits or the stream ends.
func Serve(ctx context.Context, rwc io.ReadWriteCloser, o Options) error {
	if o.Debounce <= 0 {
		o.Debounce = 150 * time.Millisecond
	}
	if o.Log == nil {
		o.Log = io.Discard
	}
	s := &server{o: o, docs: map[string]*document{}, repos: map[string]*repo{}, logger: log.New(o.Log, "acc lsp : ", 0),
		ready: make(chan struct{})}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	s.cancel = cancel
	conn := jsonrpc2.NewConn(ctx, jsonrpc2.NewBufferedStream(rwc, jsonrpc2.VSCodeObjectCodec{}),
		jsonrpc2.HandlerWithError(s.handle), jsonrpc2.SetLogger(s.logger))
	s.conn = conn
	close(s.ready)
	select {
	case <-conn.DisconnectNotify():
	case <-ctx.Done():
		conn.Close()
	}
	s.stopAll()
	return nil
}

type server struct {
	o      Options
	conn   *jsonrpc2.Conn
	ready  chan struct{} // closed once conn is set: messages may come first
	logger *log.Logger
	cancel func()

	// pub orders the publications of a document's diagnostics with its
	// closing: what a computation finished after didClose is never shown.
	pub sync.Mutex

	mu       sync.Mutex
	docs     map[string]*document // by URI
	repos    map[string]*repo     // by case-file root
	shutdown bool
}

// document is an opened buffer.
type document struct {
	uri     string
	text    []byte
	version int
	gen     int // bumped by every change; stale diagnostics are dropped
	timer   *time.Timer
	// checked holds the findings of generation checkedGen.
	checked    []validate.Finding
	checkedGen int
	check      sync.Mutex // one computation at a time per document
}

// repo is a case-file repository the server judges documents of.
type repo struct {
	root  string
	opts  validate.RunOptions // without Today
	fixer *validate.Fixer
}

// handle dispatches one message. A panic in a handler answers that request
// with an error and the server keeps serving.
func (s *server) handle(ctx context.Context, conn *jsonrpc2.Conn, req *jsonrpc2.Request) (result any, err error) {
	defer func() {
		if r := recover(); r != nil {
			s.logger.Printf("erreur interne pendant %s (ignorée)", req.Method)
			result, err = nil, &jsonrpc2.Error{Code: jsonrpc2.CodeInternalError, Message: "erreur interne d'acc lsp"}
		}
	}()
	s.mu.Lock()
	down := s.shutdown
	s.mu.Unlock()
	if down && req.Method != "exit" {
		if req.Notif {
			return nil, nil
		}
		return nil, &jsonrpc2.Error{Code: jsonrpc2.CodeInvalidRequest, Message: "serveur arrêté (shutdown)"}
	}
	if m, ok := methods[req.Method]; ok {
		return m(s, ctx, req.Params)
	}
	if req.Notif {
		return nil, nil
	}
	return nil, &jsonrpc2.Error{Code: jsonrpc2.CodeMethodNotFound, Message: "méthode non prise en charge : " + oneWord(req.Method)}
}

// method answers one LSP method, given its raw parameters.
type method func(s *server, ctx context.Context, params *json.RawMessage) (any, error)

// methods are the LSP methods the server handles; the others are refused
// (requests) or ignored (notifications).
var methods = map[string]method{
	"initialize":                       func(*server, context.Context, *json.RawMessage) (any, error) { return capabilities(), nil },
	"initialized":                      ignore,
	"$/cancelRequest":                  ignore,
	"$/setTrace":                       ignore,
	"workspace/didChangeConfiguration": ignore,
	"workspace/didChangeWatchedFiles":  ignore,
	"shutdown": func(s *server, _ context.Context, _ *json.RawMessage) (any, error) {
		s.mu.Lock()
		s.shutdown = true
		s.mu.Unlock()
		return nil, nil
	},
	"exit": func(s *server, _ context.Context, _ *json.RawMessage) (any, error) {
		s.cancel()
		return nil, nil
	},
	"textDocument/didOpen": withParams(func(s *server, _ context.Context, p DidOpenTextDocumentParams) any {
		s.open(p.TextDocument)
		return nil
	}),
	"textDocument/didChange": withParams(func(s *server, _ context.Context, p DidChangeTextDocumentParams) any {
		s.change(p)
		return nil
	}),
	"textDocument/didClose": withParams(func(s *server, _ context.Context, p DidCloseTextDocumentParams) any {
		s.close(p.TextDocument.URI)
		return nil
	}),
	"textDocument/didSave": withParams(func(s *server, _ context.Context, p DidCloseTextDocumentParams) any {
		s.saved(p.TextDocument.URI)
		return nil
	}),
	"textDocument/completion": withParams(func(s *server, _ context.Context, p TextDocumentPositionParams) any {
		return s.completion(p)
	}),
	"textDocument/hover": withParams(func(s *server, _ context.Context, p TextDocumentPositionParams) any {
		return s.hover(p)
	}),
	"textDocument/codeAction": withParams(func(s *server, ctx context.Context, p CodeActionParams) any {
		return s.codeActions(ctx, p)
	}),
}

func ignore(*server, context.Context, *json.RawMessage) (any, error) { return nil, nil }

// withParams decodes a method's parameters into a P for h; missing or
// unreadable parameters answer CodeInvalidParams.
func withParams[P any](h func(s *server, ctx context.Context, p P) any) method {
	return func(s *server, ctx context.Context, raw *json.RawMessage) (any, error) {
		var p P
		if err := decodeParams(raw, &p); err != nil {
			return nil, err
		}
		return h(s, ctx, p), nil
	}
}

func decodeParams(raw *json.RawMessage, v any) error {
	if raw == nil {
		return &jsonrpc2.Error{Code: jsonrpc2.CodeInvalidParams, Message: "paramètres manquants"}
	}
	if err := json.Unmarshal(*raw, v); err != nil {
		return &jsonrpc2.Error{Code: jsonrpc2.CodeInvalidParams, Message: "paramètres illisibles"}
	}
	return nil
}

// capabilities answers initialize.
func capabilities() map[string]any {
	return map[string]any{
		"capabilities": map[string]any{
			// Positions count UTF-16 code units, the protocol's default.
			"positionEncoding":   "utf-16",
			"textDocumentSync":   map[string]any{"openClose": true, "change": 2, "save": map[string]any{"includeText": false}},
			"completionProvider": map[string]any{"triggerCharacters": []string{":", " ", "#", "-"}},
			"hoverProvider":      true,
			"codeActionProvider": map[string]any{"codeActionKinds": []string{"quickfix", fixAllKind}},
		},
		"serverInfo": map[string]any{"name": "acc"},
	}
}

// oneWord keeps a method name printable and short in a message.
func oneWord(s string) string {
	if len(s) > 64 {
		s = s[:64]
	}
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return '?'
		}
		return r
	}, s)
}

func (s *server) open(item TextDocumentItem) {
	s.mu.Lock()
	d := s.docs[item.URI]
	if d == nil {
		d = &document{uri: item.URI}
		s.docs[item.URI] = d
	}
	d.text = []byte(item.Text)
	d.version = item.Version
	d.gen++
	s.mu.Unlock()
	s.schedule(d, 0)
}

func (s *server) change(p DidChangeTextDocumentParams) {
	s.mu.Lock()
	d := s.docs[p.TextDocument.URI]
	if d == nil {
		s.mu.Unlock()
		return
	}
	for _, c := range p.ContentChanges {
		d.text = applyChange(d.text, c)
	}
	d.version = p.TextDocument.Version
	d.gen++
	s.mu.Unlock()
	s.schedule(d, s.o.Debounce)
}

func (s *server) close(uri string) {
	s.pub.Lock()
	defer s.pub.Unlock()
	s.mu.Lock()
	d := s.docs[uri]
	delete(s.docs, uri)
	if d != nil {
		d.gen++
		if d.timer != nil {
			d.timer.Stop()
		}
	}
	s.mu.Unlock()
	if d != nil {
		s.publish(uri, nil, nil) // the editor clears what it showed
	}
}

// saved re-reads a repository whose settings or types were saved, and
// re-judges the open documents (a saved document changes its case for the
// others).
func (s *server) saved(uri string) {
	p, ok := uriPath(uri)
	if !ok {
		return
	}
	s.mu.Lock()
	for root := range s.repos {
		if rel, err := filepath.Rel(root, p); err == nil {
			rel = filepath.ToSlash(rel)
			if rel == casefile.ConfigFile || strings.HasPrefix(rel, casefile.AccDir+"/") {
				delete(s.repos, root)
			}
		}
	}
	var all []*document
	for _, d := range s.docs {
		d.gen++
		all = append(all, d)
	}
	s.mu.Unlock()
	for _, d := range all {
		s.schedule(d, s.o.Debounce)
	}
}

func (s *server) stopAll() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, d := range s.docs {
		d.gen++
		if d.timer != nil {
			d.timer.Stop()
		}
	}
}

// schedule computes and publishes the diagnostics of d after delay, unless
// it changes again before.
func (s *server) schedule(d *document, delay time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if d.timer != nil {
		d.timer.Stop()
	}
	gen := d.gen
	d.timer = time.AfterFunc(delay, func() { s.diagnose(d, gen) })
}

// diagnose publishes the diagnostics of generation gen of d, if still
// current once computed.
func (s *server) diagnose(d *document, gen int) {
	defer func() {
		if r := recover(); r != nil {
			s.logger.Printf("erreur interne pendant le calcul des diagnostics (ignorée)")
		}
	}()
	d.check.Lock()
	defer d.check.Unlock()
	s.mu.Lock()
	if d.gen != gen {
		s.mu.Unlock()
		return
	}
	text, version, uri := d.text, d.version, d.uri
	s.mu.Unlock()
	findings, ok := s.findings(context.Background(), uri, text)
	s.pub.Lock()
	defer s.pub.Unlock()
	s.mu.Lock()
	if d.gen != gen {
		s.mu.Unlock()
		return
	}
	d.checked, d.checkedGen = findings, gen
	s.mu.Unlock()
	if !ok {
		findings = nil
	}
	s.publish(uri, &version, diagnostics(newLines(text), findings))
}

func (s *server) publish(uri string, version *int, diags []Diagnostic) {
	if diags == nil {
		diags = []Diagnostic{}
	}
	<-s.ready
	err := s.conn.Notify(context.Background(), "textDocument/publishDiagnostics",
		PublishDiagnosticsParams{URI: uri, Version: version, Diagnostics: diags})
	if err != nil && !errors.Is(err, jsonrpc2.ErrClosed) {
		s.logger.Printf("envoi des diagnostics impossible : %v", err)
	}
}

// target locates a document: its repository and its path there. ok is
// false for anything acc does not judge (not a file URI, outside a
// case-file repository, not a case file of a beneficiary folder).
func (s *server) target(uri string) (*repo, string, bool) {
	p, ok := uriPath(uri)
	if !ok || !casefile.IsCaseFileName(filepath.Base(p)) {
		return nil, "", false
	}
	root, err := casefile.FindRoot(filepath.Dir(p))
	if err != nil {
		return nil, "", false
	}
	rel, err := filepath.Rel(root, p)
	if err != nil {
		return nil, "", false
	}
	rel = filepath.ToSlash(rel)
	parts := strings.Split(rel, "/")
	if len(parts) != 3 || parts[0] != casefile.BeneficiariesDir {
		return nil, "", false
	}
	r, err := s.repo(root)
	if err != nil {
		return nil, "", false
	}
	return r, rel, true
}

// repo returns the repository at root, loading its settings and types once.
func (s *server) repo(root string) (*repo, error) {
	s.mu.Lock()
	r := s.repos[root]
	s.mu.Unlock()
	if r != nil {
		return r, nil
	}
	cr, err := casefile.Open(root)
	if err != nil {
		s.logger.Printf("dépôt de dossiers illisible (acc.yaml) : diagnostics suspendus")
		return nil, err
	}
	settings, err := validate.NewSettings(cr.Config, casefile.ConfigFile)
	if err != nil {
		s.logger.Printf("règles d'acc.yaml invalides : diagnostics suspendus")
		return nil, err
	}
	reg, err := validate.LoadRegistry(cr.Abs(casefile.AccDir))
	if err != nil {
		s.logger.Printf("types de .acc invalides : diagnostics suspendus")
		return nil, err
	}
	opts := validate.RunOptions{Root: cr.Root, Registry: reg, Settings: settings, Config: cr.Config,
		Cache: &validate.MemCache{}, Workers: 1}
	fixer, err := validate.NewFixer(opts)
	if err != nil {
		return nil, err
	}
	r = &repo{root: root, opts: opts, fixer: fixer}
	s.mu.Lock()
	s.repos[root] = r
	s.mu.Unlock()
	return r, nil
}

// findings judges text as the document uri; ok is false when acc does not
// judge that document.
func (s *server) findings(ctx context.Context, uri string, text []byte) ([]validate.Finding, bool) {
	r, rel, ok := s.target(uri)
	if !ok {
		return nil, false
	}
	today, err := s.o.Today()
	if err != nil {
		return nil, false
	}
	opts := r.opts
	opts.Today = today
	fs, err := validate.CheckText(ctx, opts, rel, text)
	if err != nil {
		s.logger.Printf("vérification impossible : %s", errKind(err))
		return nil, false
	}
	out := fs[:0]
	for _, f := range fs {
		if f.Severity == validate.Error || f.Severity == validate.Warning || f.Severity == validate.Info {
			out = append(out, f)
		}
	}
	return out, true
}

// errKind names an error without its text, which may quote a path or a
// value.
func errKind(err error) string {
	if errors.Is(err, validate.ErrPath) {
		return "chemin refusé"
	}
	return fmt.Sprintf("%T", err)
}

// diagnostics converts findings to the editor's positions.
func diagnostics(l *lines, findings []validate.Finding) []Diagnostic {
	out := make([]Diagnostic, 0, len(findings))
	for _, f := range findings {
		start := editorPos(l, f.Line, f.Column)
		out = append(out, Diagnostic{
			Range:    Range{Start: start, End: lineEnd(l, start.Line)},
			Severity: severity(f.Severity),
			Code:     f.Rule,
			Source:   "acc",
			Message:  f.Message,
		})
	}
	return out
}

func severity(s validate.Severity) int {
	switch s {
	case validate.Error:
		return 1
	case validate.Warning:
		return 2
	}
	return 3
}

// uriPath returns the local path of a file URI.
func uriPath(uri string) (string, bool) {
	u, err := url.Parse(uri)
	if err != nil || u.Scheme != "file" || (u.Host != "" && u.Host != "localhost") {
		return "", false
	}
	p := u.Path
	if runtime.GOOS == "windows" {
		p = strings.TrimPrefix(p, "/")
	}
	p = filepath.Clean(filepath.FromSlash(p))
	if !filepath.IsAbs(p) {
		return "", false
	}
	return p, true
}

// snapshot returns the current text of an open document, its generation
// and findings when they are of that generation.
func (s *server) snapshot(uri string) (text []byte, findings []validate.Finding, fresh, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	d := s.docs[uri]
	if d == nil {
		return nil, nil, false, false
	}
	return d.text, d.checked, d.checkedGen == d.gen, true
}

// currentFindings returns the findings of the document's current text,
// computing them when the debounced run has not yet.
func (s *server) currentFindings(ctx context.Context, uri string) ([]byte, []validate.Finding, bool) {
	text, fs, fresh, ok := s.snapshot(uri)
	if !ok {
		if p, isFile := uriPath(uri); isFile {
			if b, _, err := casefile.ReadFile(p); err == nil {
				text = b
			}
		}
	}
	if !fresh {
		fs, _ = s.findings(ctx, uri, text)
	}
	return text, fs, true
}
