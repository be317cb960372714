//go:build unix

package gitstore

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/protocol/packp"
	"github.com/go-git/go-git/v5/plumbing/protocol/packp/capability"

	"github.com/acc-formation/acc/internal/bug"
)

// The phases of a push, one by one, against bare repositories made by git.

func TestPushLease(t *testing.T) {
	remoteDir, url := newRemote(t)
	lease := func(name, branch string, old Hash, moved bool) {
		t.Helper()
		rc, err := connect(url, os.Getenv)
		if err != nil {
			t.Fatal(err)
		}
		tr, _ := rc.transport()
		sess, err := tr.NewReceivePackSession(rc.ep, rc.auth)
		if err != nil {
			t.Fatal(err)
		}
		defer sess.Close()
		ar, err := pushLease(context.Background(), rc, sess, branch, old)
		if moved != errors.Is(err, errRemoteMoved) || (!moved && (err != nil || ar == nil)) {
			t.Fatalf("%s: %v", name, err)
		}
	}
	lease("empty remote, nothing expected", "refs/heads/main", Hash{}, false)
	lease("empty remote, a commit expected", "refs/heads/main", Hash{1}, true)
	marie := firstTrainer(t, url, "Marie Martin")
	head, err := ParseHash(bareRev(t, remoteDir, "main"))
	if err != nil || head != marie.rev("HEAD") {
		t.Fatalf("remote main %s, Marie's HEAD %s", head, marie.head())
	}
	lease("at the lease", "refs/heads/main", head, false)
	lease("moved", "refs/heads/main", Hash{1}, true)
	lease("branch absent, nothing expected", "refs/heads/autre", Hash{}, false)
	lease("branch absent, a commit expected", "refs/heads/autre", head, true)
}

func TestPushRequest(t *testing.T) {
	old, new := Hash{1}, Hash{2}
	for _, c := range []struct {
		caps []capability.Capability
		want capability.Capability
	}{
		{[]capability.Capability{capability.ReportStatus, capability.Sideband, capability.Sideband64k}, capability.Sideband64k},
		{[]capability.Capability{capability.ReportStatus, capability.Sideband}, capability.Sideband},
		{[]capability.Capability{capability.ReportStatus}, ""},
	} {
		ar := packp.NewAdvRefs()
		for _, cp := range c.caps {
			if err := ar.Capabilities.Set(cp); err != nil {
				t.Fatal(err)
			}
		}
		req, progress := pushRequest(ar, "refs/heads/main", old, new)
		if len(req.Commands) != 1 || req.Commands[0].Name != "refs/heads/main" ||
			req.Commands[0].Old != plumbing.Hash(old) || req.Commands[0].New != plumbing.Hash(new) {
			t.Fatalf("commands %+v", req.Commands)
		}
		if c.want == "" {
			if req.Progress != nil || req.Capabilities.Supports(capability.Sideband) || req.Capabilities.Supports(capability.Sideband64k) {
				t.Errorf("no side band offered, one asked: %v", req.Capabilities)
			}
			continue
		}
		if !req.Capabilities.Supports(c.want) || req.Progress != io.Writer(progress) {
			t.Errorf("side band %s: capabilities %v, progress %v", c.want, req.Capabilities, req.Progress)
		}
		if c.want == capability.Sideband64k && req.Capabilities.Supports(capability.Sideband) {
			t.Errorf("both side bands asked: %v", req.Capabilities)
		}
	}
}

func TestEncodePack(t *testing.T) {
	dir := newRepo(t)
	s := openLocked(t, dir)
	first := mustCommit(t, s, "un", Change{Path: "beneficiaires/a/fiche.md", Content: []byte("a\n")})
	second := mustCommit(t, s, "deux", Change{Path: "beneficiaires/b/fiche.md", Content: []byte("b\n")})
	g := newCommitGraph(s)
	objs, err := s.objectsToSend(g, []Hash{first, second})
	if err != nil {
		t.Fatal(err)
	}
	st, err := s.objects()
	if err != nil {
		t.Fatal(err)
	}
	var phases []Phase
	s.Progress = func(p Phase, done, total int) { phases = append(phases, p) }
	for _, refDeltas := range []bool{false, true} {
		rd, wr := io.Pipe()
		done := s.encodePack(wr, st, objs, refDeltas)
		pack, rerr := io.ReadAll(rd)
		if err := <-done; err != nil || rerr != nil {
			t.Fatalf("encode: %v %v", err, rerr)
		}
		// git reads the pack in an empty repository and finds every object.
		target := t.TempDir()
		git(t, target, "init", "-q", "--bare")
		cmd := exec.Command("git", "index-pack", "--stdin", "--strict")
		cmd.Dir = target
		cmd.Stdin = bytes.NewReader(pack)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git index-pack: %v\n%s", err, out)
		}
		for _, o := range objs {
			if _, err := gitErr(target, "cat-file", "-e", o.String()); err != nil {
				t.Errorf("object %s missing from the pack", o)
			}
		}
		if out := strings.TrimSpace(git(t, target, "log", "--format=%s", second.String())); out != "deux\nun" {
			t.Errorf("git log in the pack: %q", out)
		}
	}
	if len(phases) == 0 || phases[0] != PhaseSend {
		t.Fatalf("progress: %v", phases)
	}
	// An object that does not exist: the reader (the push) and the channel get the
	// encoder's error, which the push reports as such.
	rd, wr := io.Pipe()
	done := s.encodePack(wr, st, append(objs, plumbing.Hash{1}), false)
	_, rerr := io.ReadAll(rd)
	encErr := <-done
	if rerr == nil || encErr == nil || !errors.Is(rerr, encErr) {
		t.Fatalf("a missing object: reader %v, encoder %v", rerr, encErr)
	}
	rc, err := connect("https://forge.exemple.org/centre/dossiers.git", os.Getenv)
	if err != nil {
		t.Fatal(err)
	}
	if err := pushOutcome(context.Background(), rc, nil, nil, encErr, &bytes.Buffer{}); err == nil ||
		!errors.Is(err, encErr) || !strings.Contains(err.Error(), "préparation de l'envoi") {
		t.Fatalf("push outcome: %v", err)
	}
}

func TestPushOutcome(t *testing.T) {
	rc, err := connect("https://marie:s3cret@forge.exemple.org/centre/dossiers.git", os.Getenv)
	if err != nil {
		t.Fatal(err)
	}
	report := func(status string) *packp.ReportStatus {
		rs := packp.NewReportStatus()
		rs.UnpackStatus = "ok"
		rs.CommandStatuses = []*packp.CommandStatus{{ReferenceName: "refs/heads/main", Status: status}}
		return rs
	}
	progress := bytes.NewBufferString("remote: Counting objects: 3\nremote: branche protégée par s3cret\n")
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	panicked := bug.Call(func() error { panic("encodeur") })
	lost := errors.New("connexion perdue")
	for _, c := range []struct {
		name     string
		ctx      context.Context
		rs       *packp.ReportStatus
		err, enc error
		check    func(error) bool
	}{
		{"accepted", context.Background(), report("ok"), nil, nil, func(err error) bool { return err == nil }},
		{"lost the compare-and-swap", context.Background(), report(errRefChanged.Error()), nil, nil,
			func(err error) bool { return errors.Is(err, errRemoteMoved) }},
		{"refused by a hook", context.Background(), report("pre-receive hook declined"), nil, nil, func(err error) bool {
			var re *RemoteError
			return errors.As(err, &re) && re.Kind == RemoteRefused && strings.Contains(re.Detail, "branche protégée") &&
				!strings.Contains(re.Detail, "s3cret") && !strings.Contains(re.Detail, "Counting")
		}},
		{"interrupted", context.Background(), nil, lost, nil, func(err error) bool {
			var re *RemoteError
			return errors.As(err, &re) && re.Kind == RemoteInterrupted && strings.Contains(re.Detail, "connexion perdue")
		}},
		{"canceled", canceled, nil, lost, nil, func(err error) bool { return errors.Is(err, context.Canceled) }},
		{"encoder failed", context.Background(), report("ok"), nil, lost, func(err error) bool {
			return errors.Is(err, lost) && strings.Contains(err.Error(), "préparation de l'envoi")
		}},
		{"encoder failed, the server could not unpack", context.Background(), report("unpack error: object not found"), lost, lost, func(err error) bool {
			return errors.Is(err, lost) && strings.Contains(err.Error(), "préparation de l'envoi")
		}},
		{"connection lost, the encoder's pipe closed", context.Background(), nil, lost, io.ErrClosedPipe, func(err error) bool {
			var re *RemoteError
			return errors.As(err, &re) && re.Kind == RemoteInterrupted
		}},
		{"encoder panicked", context.Background(), report("ok"), nil, panicked, func(err error) bool {
			var p *bug.Panic
			return errors.As(err, &p) && err == panicked
		}},
	} {
		if err := pushOutcome(c.ctx, rc, c.rs, c.err, c.enc, progress); !c.check(err) {
			t.Errorf("%s: %v", c.name, err)
		}
	}
}

// pushBranch end to end: a lost lease, then a push git sees.
func TestPushBranch(t *testing.T) {
	remoteDir, url := newRemote(t)
	marie := firstTrainer(t, url, "Marie Martin")
	old := marie.rev("HEAD")
	marie.commit("m", map[string]string{"beneficiaires/m/fiche.md": "m\n"})
	s := openLocked(t, marie.dir)
	g := newCommitGraph(s)
	local := marie.rev("HEAD")
	rc, err := connect(url, os.Getenv)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.pushBranch(context.Background(), rc, "refs/heads/main", local, local, nil, g, time.Minute); !errors.Is(err, errRemoteMoved) {
		t.Fatalf("wrong lease: %v", err)
	}
	commits, err := s.commitsToSend(g, local, old)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.pushBranch(context.Background(), rc, "refs/heads/main", old, local, commits, g, time.Minute); err != nil {
		t.Fatal(err)
	}
	if bareRev(t, remoteDir, "main") != local.String() {
		t.Fatal("remote main not moved")
	}
	checkBare(t, remoteDir)
	if out := git(t, filepath.Dir(remoteDir), "--git-dir", remoteDir, "show", "main:beneficiaires/m/fiche.md"); out != "m\n" {
		t.Fatalf("pushed file: %q", out)
	}
}

// TestPushBranchMissingObject: an object missing from the local repository stops the
// push with the encoder's own message, not as a refusal by the server.
func TestPushBranchMissingObject(t *testing.T) {
	remoteDir, url := newRemote(t)
	marie := firstTrainer(t, url, "Marie Martin")
	old := marie.rev("HEAD")
	marie.commit("m", map[string]string{"beneficiaires/m/fiche.md": "objet perdu\n"})
	blob := strings.TrimSpace(git(t, marie.dir, "rev-parse", "HEAD:beneficiaires/m/fiche.md"))
	if err := os.Remove(filepath.Join(marie.dir, ".git", "objects", blob[:2], blob[2:])); err != nil {
		t.Fatal(err)
	}
	s := openLocked(t, marie.dir)
	g := newCommitGraph(s)
	local := marie.rev("HEAD")
	rc, err := connect(url, os.Getenv)
	if err != nil {
		t.Fatal(err)
	}
	commits, err := s.commitsToSend(g, local, old)
	if err != nil {
		t.Fatal(err)
	}
	err = s.pushBranch(context.Background(), rc, "refs/heads/main", old, local, commits, g, time.Minute)
	var re *RemoteError
	if err == nil || !strings.Contains(err.Error(), "préparation de l'envoi") || errors.As(err, &re) {
		t.Fatalf("push with a missing object: %T %v", err, err)
	}
	if bareRev(t, remoteDir, "main") != old.String() {
		t.Fatal("remote main moved")
	}
	checkBare(t, remoteDir)
}
