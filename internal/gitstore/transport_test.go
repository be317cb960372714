//go:build unix

package gitstore

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/binary"
	"encoding/pem"
	"errors"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/skeema/knownhosts"
	"golang.org/x/crypto/ssh"
)

// sshServer is a minimal SSH server on 127.0.0.1 that runs git-upload-pack and
// git-receive-pack for the clients it accepts.
type sshServer struct {
	addr    string
	hostKey ssh.PublicKey
}

func startSSHServer(t *testing.T, clientKey ssh.PublicKey) *sshServer {
	t.Helper()
	if _, err := exec.LookPath("git-upload-pack"); err != nil {
		if _, err := exec.LookPath("git"); err != nil {
			t.Skip("git absent")
		}
	}
	_, hostPriv, _ := ed25519.GenerateKey(rand.Reader)
	hostSigner, err := ssh.NewSignerFromKey(hostPriv)
	if err != nil {
		t.Fatal(err)
	}
	cfg := &ssh.ServerConfig{
		PublicKeyCallback: func(_ ssh.ConnMetadata, k ssh.PublicKey) (*ssh.Permissions, error) {
			if string(k.Marshal()) == string(clientKey.Marshal()) {
				return nil, nil
			}
			return nil, errors.New("clé refusée")
		},
	}
	cfg.AddHostKey(hostSigner)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	execPath, _ := exec.Command("git", "--exec-path").Output()
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go serveSSH(c, cfg, strings.TrimSpace(string(execPath)))
		}
	}()
	return &sshServer{addr: l.Addr().String(), hostKey: hostSigner.PublicKey()}
}

func serveSSH(c net.Conn, cfg *ssh.ServerConfig, execPath string) {
	_, chans, reqs, err := ssh.NewServerConn(c, cfg)
	if err != nil {
		c.Close()
		return
	}
	go ssh.DiscardRequests(reqs)
	for nc := range chans {
		if nc.ChannelType() != "session" {
			nc.Reject(ssh.UnknownChannelType, "")
			continue
		}
		ch, creqs, err := nc.Accept()
		if err != nil {
			continue
		}
		go func() {
			defer ch.Close()
			for r := range creqs {
				if r.Type != "exec" || len(r.Payload) < 4 {
					r.Reply(false, nil)
					continue
				}
				n := binary.BigEndian.Uint32(r.Payload)
				line := string(r.Payload[4 : 4+n])
				prog, arg, _ := strings.Cut(line, " ")
				arg = strings.Trim(arg, "'")
				if prog != "git-upload-pack" && prog != "git-receive-pack" {
					r.Reply(false, nil)
					continue
				}
				r.Reply(true, nil)
				cmd := exec.Command(filepath.Join(execPath, prog), arg)
				cmd.Stdin, cmd.Stdout, cmd.Stderr = ch, ch, ch.Stderr()
				code := 0
				if err := cmd.Run(); err != nil {
					code = 1
				}
				ch.SendRequest("exit-status", false, binary.BigEndian.AppendUint32(nil, uint32(code)))
				return
			}
		}()
	}
}

// sshClient writes a client key and a known_hosts for the test and returns getenv.
func sshClient(t *testing.T, known string) (getenv func(string) string, pub ssh.PublicKey) {
	t.Helper()
	home := t.TempDir()
	os.MkdirAll(filepath.Join(home, ".ssh"), 0o700)
	_, priv, _ := ed25519.GenerateKey(rand.Reader)
	block, err := ssh.MarshalPrivateKey(priv, "")
	if err != nil {
		t.Fatal(err)
	}
	keyFile := filepath.Join(home, ".ssh", "id_ed25519")
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(block), 0o600); err != nil {
		t.Fatal(err)
	}
	signer, _ := ssh.NewSignerFromKey(priv)
	if known != "-" {
		os.WriteFile(filepath.Join(home, ".ssh", "known_hosts"), []byte(known), 0o600)
	}
	env := map[string]string{"HOME": home, "SSH_KNOWN_HOSTS": filepath.Join(home, ".ssh", "known_hosts")}
	return func(k string) string { return env[k] }, signer.PublicKey()
}

func TestSSHTransport(t *testing.T) {
	remoteDir, _ := newRemote(t)
	// Publish something with the git CLI so that the remote is not empty.
	src := newRepo(t)
	writeFile(t, filepath.Join(src, "acc.yaml"), "organisation: SSH\n")
	git(t, src, "add", "acc.yaml")
	git(t, src, "commit", "-q", "-m", "init : ssh")
	git(t, src, "push", "-q", remoteDir, "main")

	getenv, clientPub := sshClient(t, "")
	srv := startSSHServer(t, clientPub)
	host, port, _ := net.SplitHostPort(srv.addr)
	url := "ssh://git@" + srv.addr + remoteDir
	p, _ := strconv.Atoi(port)
	entry := knownhosts.Line([]string{knownhosts.Normalize(net.JoinHostPort(host, strconv.Itoa(p)))}, srv.hostKey) + "\n"
	ctx := context.Background()

	t.Run("no known_hosts", func(t *testing.T) {
		getenv, _ := sshClient(t, "-")
		_, err := ProbeRemote(ctx, url, getenv, 10*time.Second)
		var re *RemoteError
		if !errors.As(err, &re) || re.Kind != RemoteHostKey || !strings.Contains(err.Error(), "aucun fichier known_hosts") {
			t.Fatalf("without known_hosts: %v", err)
		}
	})
	t.Run("unknown host", func(t *testing.T) {
		_, other, _ := ed25519.GenerateKey(rand.Reader)
		otherPub, _ := ssh.NewPublicKey(other.Public())
		getenv, _ := sshClient(t, knownhosts.Line([]string{"forge.exemple.org"}, otherPub)+"\n")
		_, err := ProbeRemote(ctx, url, getenv, 10*time.Second)
		var re *RemoteError
		if !errors.As(err, &re) || re.Kind != RemoteHostKey || !strings.Contains(err.Error(), "n'est pas dans ~/.ssh/known_hosts") {
			t.Fatalf("unknown host: %v", err)
		}
	})
	t.Run("changed host key", func(t *testing.T) {
		_, other, _ := ed25519.GenerateKey(rand.Reader)
		otherPub, _ := ssh.NewPublicKey(other.Public())
		getenv, _ := sshClient(t, knownhosts.Line([]string{knownhosts.Normalize(srv.addr)}, otherPub)+"\n")
		_, err := ProbeRemote(ctx, url, getenv, 10*time.Second)
		var re *RemoteError
		if !errors.As(err, &re) || re.Kind != RemoteHostKey || !strings.Contains(err.Error(), "CHANGÉ") {
			t.Fatalf("changed key: %v", err)
		}
	})
	t.Run("key refused", func(t *testing.T) {
		getenv, _ := sshClient(t, entry) // a key the server does not know
		_, err := ProbeRemote(ctx, url, getenv, 10*time.Second)
		var re *RemoteError
		if !errors.As(err, &re) || re.Kind != RemoteAuth {
			t.Fatalf("refused key: %v", err)
		}
	})
	t.Run("clone and push", func(t *testing.T) {
		home := getenv("HOME")
		os.WriteFile(filepath.Join(home, ".ssh", "known_hosts"), []byte(entry), 0o600)
		dir := filepath.Join(t.TempDir(), "clone")
		sig := Signature{Name: "Marie Martin", Email: "marie@exemple.org"}
		s, res, err := Clone(ctx, url, dir, CloneOptions{Getenv: getenv, Committer: sig})
		if err != nil {
			t.Fatalf("clone over ssh: %v", err)
		}
		if res.Received != 1 {
			t.Fatalf("clone: %+v", res)
		}
		checkClean(t, dir)
		unlock, err := s.Lock(ctx, time.Second, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer unlock()
		if _, err := s.Commit(ctx, []Change{{Path: "beneficiaires/x/fiche.md", Content: []byte("x\n")}}, "fiche : x\n\nAcc-Action: new\n", sig, sig); err != nil {
			t.Fatal(err)
		}
		res, err = s.Sync(ctx, SyncOptions{Committer: sig})
		if err != nil || !res.Pushed {
			t.Fatalf("push over ssh: %+v %v", res, err)
		}
		checkBare(t, remoteDir)
		if out := git(t, remoteDir, "log", "--format=%s", "main"); !strings.Contains(out, "fiche : x") {
			t.Fatalf("pushed commit missing on the server: %s", out)
		}
	})
}

func TestHTTPCredentials(t *testing.T) {
	home := t.TempDir()
	os.WriteFile(filepath.Join(home, ".git-credentials"), []byte("https://paul:jeton-paul@forge.exemple.org\nhttps://marie:jeton-marie@autre.exemple.org\n"), 0o600)
	env := map[string]string{"HOME": home}
	getenv := func(k string) string { return env[k] }
	rc, err := connect("https://forge.exemple.org/centre/dossiers.git", getenv)
	if err != nil {
		t.Fatal(err)
	}
	if rc.auth == nil || !strings.Contains(rc.auth.String(), "paul") {
		t.Fatalf("credential store not used: %v", rc.auth)
	}
	env["ACC_GIT_TOKEN"] = "jeton-env"
	rc, _ = connect("https://forge.exemple.org/centre/dossiers.git", getenv)
	if !strings.Contains(rc.auth.String(), "oauth2") {
		t.Fatalf("ACC_GIT_TOKEN not used: %v", rc.auth)
	}
	// Secrets never appear in messages.
	e := rc.remoteError("push", errors.New(`unexpected requesting "https://oauth2:jeton-env@forge.exemple.org/x" status code: 500`))
	if strings.Contains(e.Error(), "jeton-env") {
		t.Fatalf("token in message: %v", e)
	}
}

// TestRedactURL: no credential of an address survives in a message, wherever it is.
func TestRedactURL(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"https://user:tok@host/x?private_token=abc", "https://***@host/x?***"},
		{"https://ghp_t0ken@github.com/equipe/x.git", "https://***@github.com/equipe/x.git"},
		{"https://host/x.git#jeton", "https://host/x.git#***"},
		{"http://u:p@localhost:8080/x", "http://***@localhost:8080/x"},
		{"ssh://git@forge.example/x.git", "ssh://git@forge.example/x.git"},
		{"ssh://git:motdepasse@forge.example/x.git", "ssh://***@forge.example/x.git"},
		{"git@forge.example:equipe/x.git", "git@forge.example:equipe/x.git"},
		{"file:///srv/partage.git", "file:///srv/partage.git"},
		{`Get "https://u:s3cret@h/x/info/refs?service=git-upload-pack&tok=zz": EOF`, `Get "https://***@h/x/info/refs?***": EOF`},
	} {
		if got := RedactURL(c.in); got != c.want {
			t.Errorf("RedactURL(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	if got := redactText("refus pour marie : jeton s3cr3t-t0k", "s3cr3t-t0k"); strings.Contains(got, "s3cr3t") {
		t.Errorf("secret left: %q", got)
	}
	for raw, want := range map[string]bool{
		"https://u:p@h/x": true, "https://h/x?private_token=a": true, "https://h/x#t": true,
		"https://u@h/x": false, "ssh://git@h/x": false, "git@h:x": false, "/srv/x.git": false,
	} {
		if got := URLHasPassword(raw); got != want {
			t.Errorf("URLHasPassword(%q) = %v", raw, got)
		}
	}
}
