package gitstore

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"

	"github.com/go-git/go-billy/v5/osfs"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/cache"
	"github.com/go-git/go-git/v5/plumbing/protocol/packp"
	"github.com/go-git/go-git/v5/plumbing/storer"
	"github.com/go-git/go-git/v5/plumbing/transport"
	"github.com/go-git/go-git/v5/plumbing/transport/client"
	githttp "github.com/go-git/go-git/v5/plumbing/transport/http"
	"github.com/go-git/go-git/v5/plumbing/transport/server"
	gitssh "github.com/go-git/go-git/v5/plumbing/transport/ssh"
	"github.com/go-git/go-git/v5/storage/filesystem"
	"github.com/skeema/knownhosts"
	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"

	"github.com/acc-formation/acc/internal/termtext"
)

// Transports (acc sync, acc clone, acc init --remote).
//
// Case files hold personal data: only encrypted transports reach other machines. ssh://
// (and scp-like user@host:path) and https:// are accepted anywhere; http:// and git://
// only for the loopback interface (localhost, 127.0.0.0/8, ::1), where nothing crosses
// the network; file:// and local paths (a bare repository on a shared folder) are
// served in process, without the git binary.
//
// Credentials: for ssh, the keys of the SSH agent ($SSH_AUTH_SOCK) then the key files
// ($ACC_SSH_KEY, else ~/.ssh/id_ed25519, id_ecdsa, id_rsa; keys protected by a passphrase
// need the agent), and the server's key must be in known_hosts ($SSH_KNOWN_HOSTS, else
// ~/.ssh/known_hosts and /etc/ssh/ssh_known_hosts). For https, $ACC_GIT_TOKEN (with
// $ACC_GIT_USER, "oauth2" by default: GitLab, Gitea, Forgejo and GitHub accept a token
// as the password), else Git's credential store files (~/.git-credentials,
// $XDG_CONFIG_HOME/git/credentials), else the user and password written in the URL.

// InsecureURLError is returned for a remote whose transport would send personal data
// in clear over the network.
type InsecureURLError struct {
	URL    string // redacted
	Scheme string
}

func (e *InsecureURLError) Error() string {
	return fmt.Sprintf("adresse refusée %s : le protocole %s:// n'est pas chiffré et les dossiers contiennent des données personnelles ; "+
		"utilisez https:// ou ssh:// (%s:// n'est accepté que vers cette machine, localhost)", e.URL, e.Scheme, e.Scheme)
}

// RemoteErrorKind classifies what went wrong with a remote.
type RemoteErrorKind int

const (
	RemoteOther       RemoteErrorKind = iota
	RemoteUnreachable                 // no connection (DNS, refused, timeout)
	RemoteAuth                        // authentication or authorisation refused
	RemoteNotFound                    // no repository there
	RemoteRefused                     // the remote refused the push (hook, rights, protected branch)
	RemoteInterrupted                 // the connection broke while sending: the push may or may not have happened
	RemoteHostKey                     // the SSH server's key is unknown or changed
)

// RemoteError is a failure to talk to the shared remote. Its message is French and never
// holds a password or token.
type RemoteError struct {
	URL    string // redacted
	Op     string // "fetch", "push", "list"
	Kind   RemoteErrorKind
	Detail string // the server's own words, when it gave some
	Err    error
}

func (e *RemoteError) Error() string {
	var what string
	switch e.Op {
	case "push":
		what = "envoi vers"
	default:
		what = "lecture de"
	}
	var msg string
	switch e.Kind {
	case RemoteUnreachable:
		msg = fmt.Sprintf("dépôt partagé injoignable (%s %s) : vérifiez la connexion réseau et l'adresse", what, e.URL)
	case RemoteAuth:
		msg = fmt.Sprintf("accès refusé par le dépôt partagé (%s %s) : vérifiez vos identifiants "+
			"(https : variable ACC_GIT_TOKEN avec un jeton d'accès ; ssh : votre clé, chargée dans ssh-agent)", what, e.URL)
	case RemoteNotFound:
		msg = fmt.Sprintf("aucun dépôt à l'adresse %s : vérifiez l'adresse (git remote -v)", e.URL)
	case RemoteRefused:
		msg = fmt.Sprintf("le dépôt partagé %s a refusé l'envoi", e.URL)
	case RemoteInterrupted:
		msg = fmt.Sprintf("la connexion avec %s a été interrompue pendant l'envoi", e.URL)
	case RemoteHostKey:
		msg = fmt.Sprintf("serveur SSH non vérifié (%s)", e.URL)
	default:
		msg = fmt.Sprintf("échec de l'échange avec le dépôt partagé (%s %s)", what, e.URL)
	}
	if e.Detail != "" {
		msg += " : " + e.Detail
	}
	// The address and the server's words come from outside: escaped.
	return termtext.Line(msg)
}

func (e *RemoteError) Unwrap() error { return e.Err }

// CheckRemoteURL refuses addresses acc cannot use or must not use: unparsable ones,
// unknown protocols, and unencrypted protocols towards another machine.
func CheckRemoteURL(raw string) error {
	ep, err := parseEndpoint(raw)
	if err != nil {
		return err
	}
	switch ep.Protocol {
	case "https", "ssh", "file":
		return nil
	case "http", "git":
		if isLoopback(ep.Host) {
			return nil
		}
		return &InsecureURLError{URL: RedactURL(raw), Scheme: ep.Protocol}
	}
	return fmt.Errorf("adresse de dépôt %s : protocole %s non pris en charge (https://, ssh:// ou un dossier)", RedactURL(raw), ep.Protocol)
}

func parseEndpoint(raw string) (*transport.Endpoint, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return nil, errors.New("adresse de dépôt vide")
	}
	ep, err := transport.NewEndpoint(raw)
	if err != nil {
		return nil, fmt.Errorf("adresse de dépôt invalide %s", RedactURL(raw))
	}
	return ep, nil
}

// URLHasPassword tells whether an address carries a password or a token, which would
// then be written in clear in .git/config: in its user info ("https://u:tok@…") or in
// its query string or fragment ("…?private_token=…").
func URLHasPassword(raw string) bool {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.Scheme == "" {
		return false
	}
	if u.RawQuery != "" || u.ForceQuery || u.Fragment != "" {
		return true
	}
	if u.User == nil {
		return false
	}
	_, ok := u.User.Password()
	return ok
}

func isLoopback(host string) bool {
	host = strings.Trim(host, "[]")
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// urlInText finds addresses in free text (an address alone, or inside a go-git or
// server message): scheme, user info, the rest up to a query string or fragment.
var urlInText = regexp.MustCompile(`([A-Za-z][A-Za-z0-9+.-]*://)([^/\s@"'<>]*@)?([^\s?#"'<>]*)([?#][^\s"'<>]*)?`)

// RedactURL hides every credential an address may carry: the user info of any address
// but an ssh login without password ("https://***@host/x", "ssh://git@host/x" kept),
// and the query string and fragment, where forges accept tokens ("…/x?***"). It works on
// free text too.
func RedactURL(raw string) string {
	return urlInText.ReplaceAllStringFunc(raw, func(m string) string {
		p := urlInText.FindStringSubmatch(m)
		scheme, user, rest, query := p[1], p[2], p[3], p[4]
		if user != "" && !(strings.EqualFold(scheme, "ssh://") && !strings.Contains(user, ":")) {
			user = "***@"
		}
		if query != "" {
			query = query[:1] + "***"
		}
		return scheme + user + rest + query
	})
}

// redactText returns s with the credentials of any address in it (RedactURL), and the
// given secrets, hidden.
func redactText(s string, secrets ...string) string {
	s = RedactURL(s)
	for _, sec := range secrets {
		if len(sec) >= 4 {
			s = strings.ReplaceAll(s, sec, "***")
		}
	}
	return s
}

// remoteConn is an address with its credentials, ready for go-git.
type remoteConn struct {
	url     string
	ep      *transport.Endpoint
	auth    transport.AuthMethod
	secrets []string // never to be printed
}

// connect prepares a remote address: policy check, endpoint, credentials.
func connect(raw string, getenv func(string) string) (*remoteConn, error) {
	if err := CheckRemoteURL(raw); err != nil {
		return nil, err
	}
	installTransports()
	ep, err := parseEndpoint(raw)
	if err != nil {
		return nil, err
	}
	rc := &remoteConn{url: raw, ep: ep}
	if ep.Password != "" {
		rc.secrets = append(rc.secrets, ep.Password)
	}
	if ep.User != "" && ep.Protocol != "ssh" {
		rc.secrets = append(rc.secrets, ep.User) // forges take a token as user name too
	}
	if u, err := url.Parse(raw); err == nil {
		for _, vs := range u.Query() {
			rc.secrets = append(rc.secrets, vs...)
		}
	}
	switch ep.Protocol {
	case "https", "http":
		rc.auth, rc.secrets = httpAuth(ep, getenv, rc.secrets)
	case "ssh":
		a, err := sshAuth(ep, getenv)
		if err != nil {
			kind := RemoteAuth
			if strings.Contains(err.Error(), "known_hosts") {
				kind = RemoteHostKey
			}
			return nil, &RemoteError{URL: RedactURL(raw), Op: "list", Kind: kind, Detail: err.Error(), Err: err}
		}
		rc.auth = a
	}
	return rc, nil
}

// transport returns go-git's client for the address.
func (rc *remoteConn) transport() (transport.Transport, error) {
	return client.NewClient(rc.ep)
}

// remoteError turns a go-git error into a French *RemoteError.
func (rc *remoteConn) remoteError(op string, err error) error {
	if err == nil {
		return nil
	}
	var re *RemoteError
	if errors.As(err, &re) {
		return err
	}
	e := &RemoteError{URL: RedactURL(rc.url), Op: op, Err: err}
	detail := redactText(err.Error(), rc.secrets...)
	var opErr *net.OpError
	var dnsErr *net.DNSError
	var refused *refusedError
	switch {
	case errors.As(err, &refused):
		e.Kind, e.Detail = RemoteRefused, refused.msg
	case errors.Is(err, transport.ErrAuthenticationRequired), errors.Is(err, transport.ErrAuthorizationFailed),
		errors.Is(err, transport.ErrInvalidAuthMethod), strings.Contains(detail, "unable to authenticate"),
		strings.Contains(detail, "no supported methods remain"):
		e.Kind = RemoteAuth
		e.Detail = ""
		if strings.Contains(detail, "service not enabled") {
			e.Kind, e.Detail = RemoteRefused, "le serveur n'accepte pas les envois à cette adresse"
		}
	case errors.Is(err, transport.ErrRepositoryNotFound):
		e.Kind = RemoteNotFound
	case strings.Contains(detail, "knownhosts") || strings.Contains(detail, "known_hosts"):
		e.Kind = RemoteHostKey
		e.Detail = hostKeyDetail(err, rc.ep.Host)
	case errors.Is(err, context.DeadlineExceeded):
		e.Kind, e.Detail = RemoteUnreachable, "délai dépassé"
	case errors.As(err, &dnsErr):
		e.Kind, e.Detail = RemoteUnreachable, "nom de serveur inconnu"
	case errors.Is(err, syscall.ECONNREFUSED):
		e.Kind, e.Detail = RemoteUnreachable, "connexion refusée"
	case errors.As(err, &opErr) && opErr.Op == "dial":
		e.Kind, e.Detail = RemoteUnreachable, "connexion impossible"
	case strings.Contains(detail, "service not enabled"), strings.Contains(detail, "access denied"):
		e.Kind, e.Detail = RemoteRefused, "le serveur n'accepte pas les envois à cette adresse"
	default:
		e.Detail = "détail : " + detail
	}
	return e
}

func hostKeyDetail(err error, host string) string {
	switch {
	case knownhosts.IsHostKeyChanged(err):
		return fmt.Sprintf("la clé du serveur %s a CHANGÉ depuis votre dernière connexion : connexion refusée "+
			"(attaque possible, ou serveur réinstallé : demandez à l'administrateur du dépôt avant de corriger ~/.ssh/known_hosts)", host)
	case knownhosts.IsHostUnknown(err):
		return fmt.Sprintf("le serveur %s n'est pas dans ~/.ssh/known_hosts : connectez-vous une fois avec « ssh %s » "+
			"et vérifiez l'empreinte de sa clé avant de l'accepter", host, host)
	}
	return redactText(err.Error())
}

// httpAuth picks the credentials of an https address.
func httpAuth(ep *transport.Endpoint, getenv func(string) string, secrets []string) (transport.AuthMethod, []string) {
	if tok := getenv("ACC_GIT_TOKEN"); tok != "" {
		user := getenv("ACC_GIT_USER")
		if user == "" {
			user = ep.User
		}
		if user == "" {
			user = "oauth2"
		}
		return &githttp.BasicAuth{Username: user, Password: tok}, append(secrets, tok)
	}
	if ep.Password != "" {
		return nil, secrets // go-git uses the URL's user and password
	}
	if user, pass, ok := storedCredential(ep, getenv); ok {
		return &githttp.BasicAuth{Username: user, Password: pass}, append(secrets, pass)
	}
	return nil, secrets
}

// storedCredential reads Git's credential store files (git credential-store format: one
// URL per line, https://user:password@host[:port][/path]) and returns the first entry
// for the endpoint's protocol and host (and user, when the address names one).
func storedCredential(ep *transport.Endpoint, getenv func(string) string) (user, pass string, ok bool) {
	home := getenv("HOME")
	var files []string
	if home != "" {
		files = append(files, filepath.Join(home, ".git-credentials"))
	}
	if x := getenv("XDG_CONFIG_HOME"); x != "" {
		files = append(files, filepath.Join(x, "git", "credentials"))
	} else if home != "" {
		files = append(files, filepath.Join(home, ".config", "git", "credentials"))
	}
	host := ep.Host
	if ep.Port != 0 {
		host += ":" + strconv.Itoa(ep.Port)
	}
	for _, f := range files {
		fh, err := os.Open(f)
		if err != nil {
			continue
		}
		sc := bufio.NewScanner(fh)
		for sc.Scan() {
			u, err := url.Parse(strings.TrimSpace(sc.Text()))
			if err != nil || u.User == nil || !strings.EqualFold(u.Scheme, ep.Protocol) || !strings.EqualFold(u.Host, host) {
				continue
			}
			p, has := u.User.Password()
			if !has || (ep.User != "" && u.User.Username() != ep.User) {
				continue
			}
			fh.Close()
			return u.User.Username(), p, true
		}
		fh.Close()
	}
	return "", "", false
}

// sshAuth builds public-key authentication from the agent and the key files, with the
// server's key checked against known_hosts.
func sshAuth(ep *transport.Endpoint, getenv func(string) string) (transport.AuthMethod, error) {
	user := ep.User
	if user == "" {
		user = "git"
	}
	home := getenv("HOME")
	var files []string
	if v := getenv("SSH_KNOWN_HOSTS"); v != "" {
		files = filepath.SplitList(v)
	} else {
		if home != "" {
			files = append(files, filepath.Join(home, ".ssh", "known_hosts"))
		}
		files = append(files, "/etc/ssh/ssh_known_hosts")
	}
	var existing []string
	for _, f := range files {
		if _, err := os.Stat(f); err == nil {
			existing = append(existing, f)
		}
	}
	if len(existing) == 0 {
		return nil, fmt.Errorf("aucun fichier known_hosts : acc ne se connecte qu'à un serveur SSH dont la clé est connue ; "+
			"connectez-vous une fois avec « ssh %s » et vérifiez l'empreinte de sa clé avant de l'accepter", ep.Host)
	}
	db, err := knownhosts.NewDB(existing...)
	if err != nil {
		return nil, fmt.Errorf("lecture de known_hosts : %v", err)
	}
	hostname, port := ep.Host, ep.Port
	if h := gitssh.DefaultSSHConfig.Get(ep.Host, "Hostname"); h != "" {
		hostname = h
	}
	if port == 0 {
		if p, err := strconv.Atoi(gitssh.DefaultSSHConfig.Get(ep.Host, "Port")); err == nil && p > 0 {
			port = p
		} else {
			port = 22
		}
	}
	hostPort := net.JoinHostPort(hostname, strconv.Itoa(port))
	sockPath := getenv("SSH_AUTH_SOCK")
	keyFiles := []string{getenv("ACC_SSH_KEY")}
	if keyFiles[0] == "" && home != "" {
		keyFiles = []string{
			filepath.Join(home, ".ssh", "id_ed25519"),
			filepath.Join(home, ".ssh", "id_ecdsa"),
			filepath.Join(home, ".ssh", "id_rsa"),
		}
	}
	signers := func() ([]ssh.Signer, error) {
		var out []ssh.Signer
		if sockPath != "" {
			if conn, err := net.Dial("unix", sockPath); err == nil {
				if ss, err := agent.NewClient(conn).Signers(); err == nil {
					out = append(out, ss...)
				}
			}
		}
		for _, f := range keyFiles {
			data, err := os.ReadFile(f)
			if err != nil {
				continue
			}
			if s, err := ssh.ParsePrivateKey(data); err == nil {
				out = append(out, s)
			}
		}
		if len(out) == 0 {
			return nil, errors.New("aucune clé SSH utilisable : chargez votre clé dans ssh-agent (ssh-add) ou indiquez-la avec ACC_SSH_KEY")
		}
		return out, nil
	}
	return &gitssh.PublicKeysCallback{
		User:     user,
		Callback: signers,
		HostKeyCallbackHelper: gitssh.HostKeyCallbackHelper{
			HostKeyCallback:   db.HostKeyCallback(),
			HostKeyAlgorithms: db.HostKeyAlgorithms(hostPort),
		},
	}, nil
}

var installOnce sync.Once

// installTransports serves file:// addresses in process (go-git would run
// git-upload-pack and git-receive-pack).
func installTransports() {
	installOnce.Do(func() {
		client.InstallProtocol("file", fileTransport{})
	})
}

// fileTransport serves a repository on the local file system. Fetching works from bare
// and non-bare repositories; pushing only to a bare one (pushing to a branch that is
// checked out elsewhere would leave that copy's files behind its branch, as Git's
// receive.denyCurrentBranch prevents). Branches of the target are moved the way Git moves
// them: <ref>.lock created exclusively, compare-and-swap against the old value the client
// saw, fsync, rename; the received pack is fsynced before the branch moves. go-git's own
// server overwrites the ref without comparing, which would lose a concurrent push.
type fileTransport struct{}

type singleLoader struct{ st storer.Storer }

func (l singleLoader) Load(*transport.Endpoint) (storer.Storer, error) { return l.st, nil }

// localRepo finds the git dir of a repository given by path; bare tells which kind.
func localRepo(path string) (gitDir string, bare bool, err error) {
	fi, err := os.Stat(path)
	if err != nil || !fi.IsDir() {
		return "", false, transport.ErrRepositoryNotFound
	}
	dot := filepath.Join(path, ".git")
	if fi, err := os.Stat(dot); err == nil {
		if fi.IsDir() {
			return dot, false, nil
		}
		_, common, err := resolveGitDir(path, dot)
		if err != nil {
			return "", false, transport.ErrRepositoryNotFound
		}
		return common, false, nil
	}
	if _, err := os.Stat(filepath.Join(path, "HEAD")); err == nil {
		if _, err := os.Stat(filepath.Join(path, "objects")); err == nil {
			return path, true, nil
		}
	}
	return "", false, transport.ErrRepositoryNotFound
}

func (fileTransport) NewUploadPackSession(ep *transport.Endpoint, auth transport.AuthMethod) (transport.UploadPackSession, error) {
	dir, _, err := localRepo(ep.Path)
	if err != nil {
		return nil, err
	}
	// A small object cache: the pack is streamed object by object (transport_upload.go);
	// the cache only spares re-reading the trees a walk compares twice. A few pack files
	// stay open (closed with the session) rather than one opened per object.
	st := filesystem.NewStorageWithOptions(osfs.New(dir), cache.NewObjectLRU(16*cache.MiByte),
		filesystem.Options{MaxOpenDescriptors: 8})
	sess, err := server.NewClient(singleLoader{st}).NewUploadPackSession(ep, auth)
	if err != nil {
		return nil, err
	}
	src := newObjectSource(filepath.Join(dir, "objects"), func() (*filesystem.Storage, error) { return st, nil })
	return &havesFilter{UploadPackSession: sess, st: st, src: src}, nil
}

// havesFilter drops the "haves" the served repository does not hold: go-git's server
// fails on them ("object not found") where Git's ignores them, and a client always has
// commits the server lacks (those it is about to push).
type havesFilter struct {
	transport.UploadPackSession
	st  *filesystem.Storage
	src *objectSource // the objects sent, read by acc (transport_upload.go)
}

func (f *havesFilter) Close() error {
	err := f.UploadPackSession.Close()
	f.src.close()
	if cerr := f.st.Close(); err == nil {
		err = cerr
	}
	return err
}

func (f *havesFilter) UploadPack(ctx context.Context, req *packp.UploadPackRequest) (*packp.UploadPackResponse, error) {
	haves := req.Haves[:0:0]
	for _, h := range req.Haves {
		if f.st.HasEncodedObject(h) == nil {
			haves = append(haves, h)
		}
	}
	req.Haves = haves
	return uploadPack(ctx, f.src, req, haves)
}

func (fileTransport) NewReceivePackSession(ep *transport.Endpoint, auth transport.AuthMethod) (transport.ReceivePackSession, error) {
	dir, bare, err := localRepo(ep.Path)
	if err != nil {
		return nil, err
	}
	if !bare {
		return nil, &refusedError{msg: fmt.Sprintf("%s n'est pas un dépôt nu (un dépôt partagé se crée avec « git init --bare »)", ep.Path)}
	}
	cs := &casStorage{Storage: filesystem.NewStorage(osfs.New(dir), cache.NewObjectLRUDefault()), dir: dir}
	sess, err := server.NewClient(singleLoader{cs}).NewReceivePackSession(ep, auth)
	if err != nil {
		return nil, err
	}
	return &casSession{ReceivePackSession: sess, st: cs}, nil
}

// refusedError is a refusal of the local transport, with its French reason.
type refusedError struct{ msg string }

func (e *refusedError) Error() string { return e.msg }

// casSession records the old values the client expects before the server updates refs.
type casSession struct {
	transport.ReceivePackSession
	st *casStorage
}

func (c *casSession) ReceivePack(ctx context.Context, req *packp.ReferenceUpdateRequest) (*packp.ReportStatus, error) {
	c.st.olds = map[plumbing.ReferenceName]plumbing.Hash{}
	for _, cmd := range req.Commands {
		c.st.olds[cmd.Name] = cmd.Old
	}
	c.st.packs = listPacks(c.st.dir)
	return c.ReceivePackSession.ReceivePack(ctx, req)
}

// casStorage is the target repository's storage, with branch updates made by
// compare-and-swap under Git's lock file.
type casStorage struct {
	*filesystem.Storage
	dir   string
	olds  map[plumbing.ReferenceName]plumbing.Hash
	packs map[string]bool
}

func (c *casStorage) SetReference(ref *plumbing.Reference) error {
	old, ok := c.olds[ref.Name()]
	if !ok || ref.Type() != plumbing.HashReference {
		return errors.New("mise à jour de référence inattendue")
	}
	if err := syncNewPacks(c.dir, c.packs); err != nil {
		return err
	}
	return casRefFile(c.dir, ref.Name().String(), Hash(old), Hash(ref.Hash()))
}

func (c *casStorage) CheckAndSetReference(ref, _ *plumbing.Reference) error {
	return c.SetReference(ref)
}

// listPacks lists the files of objects/pack.
func listPacks(gitDir string) map[string]bool {
	out := map[string]bool{}
	entries, _ := os.ReadDir(filepath.Join(gitDir, "objects", "pack"))
	for _, e := range entries {
		out[e.Name()] = true
	}
	return out
}

// removeNewPacks deletes the pack files that appeared since before: a fetch whose
// content was refused.
func removeNewPacks(gitDir string, before map[string]bool) {
	dir := filepath.Join(gitDir, "objects", "pack")
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if !before[e.Name()] && !e.IsDir() {
			_ = os.Remove(filepath.Join(dir, e.Name()))
		}
	}
}

// syncNewPacks fsyncs the pack files that appeared since before, and their folder.
func syncNewPacks(gitDir string, before map[string]bool) error {
	dir := filepath.Join(gitDir, "objects", "pack")
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	n := 0
	for _, e := range entries {
		if before[e.Name()] || strings.HasPrefix(e.Name(), "tmp_") || e.IsDir() {
			continue
		}
		f, err := os.Open(filepath.Join(dir, e.Name()))
		if err != nil {
			continue
		}
		err = f.Sync()
		f.Close()
		if err != nil {
			return fmt.Errorf("écriture des objets reçus : %w", err)
		}
		n++
	}
	if n > 0 {
		return syncDir(dir)
	}
	return nil
}

// errRefChanged is the answer of a compare-and-swap that lost.
var errRefChanged = errors.New("la branche a changé entre-temps (un autre envoi est passé avant)")

// casRefFile moves a ref of the repository gitDir from old to new (zero old: the ref
// must not exist) with Git's protocol: <ref>.lock created exclusively, value checked,
// new value written and fsynced, renamed into place, folder fsynced.
func casRefFile(gitDir, name string, old, new Hash) error {
	if err := checkNames(name); err != nil || !strings.HasPrefix(name, "refs/") {
		return fmt.Errorf("nom de référence invalide %q", name)
	}
	path := filepath.Join(gitDir, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	lock := path + ".lock"
	f, err := os.OpenFile(lock, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		if errors.Is(err, os.ErrExist) {
			return fmt.Errorf("%s est verrouillée par un autre envoi : réessayez", name)
		}
		return err
	}
	done := false
	defer func() {
		if !done {
			f.Close()
			os.Remove(lock)
		}
	}()
	cur, err := readRefIn(gitDir, name)
	if err != nil {
		return err
	}
	if cur != old {
		return errRefChanged
	}
	if _, err := fmt.Fprintf(f, "%s\n", new); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(lock, path); err != nil {
		return err
	}
	done = true
	return syncDir(filepath.Dir(path))
}

// readRefIn reads a ref of another repository (loose, then packed-refs); zero if absent.
func readRefIn(gitDir, name string) (Hash, error) {
	s := &Store{GitDir: gitDir, CommonDir: gitDir}
	h, _, err := s.readRef(name)
	return h, err
}
