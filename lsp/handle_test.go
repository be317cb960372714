package lsp

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log"
	"testing"

	"github.com/sourcegraph/jsonrpc2"
)

func rawParams(s string) *json.RawMessage { m := json.RawMessage(s); return &m }

func codeOf(t *testing.T, err error) int64 {
	t.Helper()
	var je *jsonrpc2.Error
	if !errors.As(err, &je) {
		t.Fatalf("want a *jsonrpc2.Error, got %v", err)
	}
	return je.Code
}

// Requests the table lacks are refused, notifications ignored; parameters
// are checked before any handler runs.
func TestHandleDispatch(t *testing.T) {
	cancelled := false
	s := &server{logger: log.New(io.Discard, "", 0), cancel: func() { cancelled = true }, docs: map[string]*document{}, repos: map[string]*repo{}}
	ctx := context.Background()
	call := func(method string, params *json.RawMessage, notif bool) (any, error) {
		return s.handle(ctx, nil, &jsonrpc2.Request{Method: method, Params: params, Notif: notif})
	}
	res, err := call("initialize", rawParams(`{}`), false)
	if caps, ok := res.(map[string]any)["capabilities"].(map[string]any); err != nil || !ok || caps["positionEncoding"] != "utf-16" {
		t.Fatalf("initialize: %v %v", res, err)
	}
	if _, err := call("textDocument/inconnu", nil, false); codeOf(t, err) != jsonrpc2.CodeMethodNotFound {
		t.Errorf("unknown request: %v", err)
	}
	if res, err := call("textDocument/inconnu", nil, true); res != nil || err != nil {
		t.Errorf("unknown notification: %v %v", res, err)
	}
	if _, err := call("textDocument/completion", nil, false); codeOf(t, err) != jsonrpc2.CodeInvalidParams {
		t.Errorf("no params: %v", err)
	}
	if _, err := call("textDocument/hover", rawParams(`{"position": "x"}`), false); codeOf(t, err) != jsonrpc2.CodeInvalidParams {
		t.Errorf("bad params: %v", err)
	}
	res, err = call("textDocument/completion", rawParams(`{"textDocument": {"uri": "file:///nulle-part.md"}, "position": {"line": 0, "character": 0}}`), false)
	if l, ok := res.(CompletionList); err != nil || !ok || l.Items == nil || len(l.Items) != 0 {
		t.Errorf("completion of an unknown document: %#v %v", res, err)
	}
	if res, err := call("shutdown", nil, false); res != nil || err != nil {
		t.Fatalf("shutdown: %v %v", res, err)
	}
	if _, err := call("textDocument/completion", nil, false); codeOf(t, err) != jsonrpc2.CodeInvalidRequest {
		t.Errorf("request after shutdown: %v", err)
	}
	if res, err := call("textDocument/didOpen", nil, true); res != nil || err != nil {
		t.Errorf("notification after shutdown: %v %v", res, err)
	}
	if _, err := call("exit", nil, true); err != nil || !cancelled {
		t.Errorf("exit: %v, cancelled %v", err, cancelled)
	}
}

// A panic in a handler answers that request with an internal error.
func TestHandleRecovers(t *testing.T) {
	s := &server{logger: log.New(io.Discard, "", 0)} // no cancel: exit panics
	res, err := s.handle(context.Background(), nil, &jsonrpc2.Request{Method: "exit"})
	if res != nil || codeOf(t, err) != jsonrpc2.CodeInternalError {
		t.Errorf("panic: %v %v", res, err)
	}
}
