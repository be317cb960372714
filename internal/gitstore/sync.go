package gitstore

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"sort"
	"strings"
	"time"

	gogit "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/format/packfile"
	"github.com/go-git/go-git/v5/plumbing/protocol/packp"
	"github.com/go-git/go-git/v5/plumbing/protocol/packp/capability"
	"github.com/go-git/go-git/v5/plumbing/storer"
	"github.com/go-git/go-git/v5/plumbing/transport"
	"github.com/go-git/go-git/v5/storage/memory"

	"github.com/acc-formation/acc/internal/bug"
)

// acc sync: fetch the shared remote, integrate (sync_integrate.go), move the work tree
// (sync_checkout.go), push, all under acc's lock and in process.
//
// Order of a round: fetch (objects into a new pack, fsynced; the remote-tracking ref
// moved under its lock file); plan the integration and write its commits; move the
// current branch, the files and the index to the result (journal first, so that a
// killed sync is finished by the next one); push by compare-and-swap against the remote
// head that was integrated. A push the remote refuses because someone pushed meanwhile
// starts a new round (SyncOptions.MaxAttempts). A push it refuses for another reason
// (rights, hook) puts the branch and files back where they were before the sync; a
// connection lost while pushing leaves the integrated state, which the next sync pushes
// (the push is a compare-and-swap: it cannot happen twice).

// DefaultRemote is the remote acc sync uses when acc.yaml names none.
const DefaultRemote = "origin"

// NoRemoteError is returned when the remote acc sync should use is not configured.
type NoRemoteError struct {
	Name string
}

func (e *NoRemoteError) Error() string {
	return fmt.Sprintf("aucun dépôt partagé « %s » n'est configuré", e.Name)
}

// ConflictPendingError is returned by Sync without Resume while a previous sync waits
// for the trainer's choice.
type ConflictPendingError struct {
	Conflict *Conflict
}

func (e *ConflictPendingError) Error() string {
	return "une synchronisation arrêtée sur un conflit attend votre choix"
}

// errRemoteMoved: the remote's branch is no longer where the integration started.
var errRemoteMoved = errors.New("le dépôt partagé a changé pendant la synchronisation")

// SyncOptions parameterises Sync.
type SyncOptions struct {
	// Remote is the remote's name (acc.yaml's remote:); DefaultRemote if empty.
	Remote string
	// Resume finishes a sync stopped on a conflict: for each conflicting file, what the
	// current branch holds now is the trainer's choice (the caller commits it first),
	// and the remote version written beside counts as already seen.
	Resume bool
	// Committer signs the commits Sync writes (replays and fix-up) and the reflogs.
	Committer Signature
	// Relocate is asked where to put the local copy of a file created on both sides
	// with different contents (case paths). It returns a file path, or a folder prefix
	// ending with "/" to move every file the local side created under from. exists tells
	// whether a path (a folder if it ends with "/") is taken. ok false: a conflict.
	Relocate func(path string, exists func(string) bool) (from, to string, ok bool)
	// Rewrite adapts the content of a relocated file (case paths); nil keeps it.
	Rewrite func(from, to string, content []byte) []byte
	// FixupMessage is the message of the commit that puts files back at their
	// integrated version (case paths); it must carry Acc-Action: sync.
	FixupMessage func(paths []string) string
	// Timeout bounds each exchange with the remote; 5 minutes if zero.
	Timeout time.Duration
	// MaxAttempts bounds the rounds when others keep pushing; 5 if zero.
	MaxAttempts int
}

// SyncResult says what Sync did.
type SyncResult struct {
	Remote     string // remote name
	URL        string // its address, password hidden
	Branch     string // short name of the current branch
	Before     Hash   // local head before
	After      Hash   // local head after
	RemoteHead Hash   // remote head after
	// Received counts the remote commits brought in; Sent the commits pushed; Replayed
	// the local commits rewritten on top of the remote's; Fixup tells whether a commit
	// put files back at their integrated version.
	Received, Sent, Replayed int
	Fixup                    bool
	Pushed                   bool
	EmptyRemote              bool     // the remote had no commit before
	Renamed                  []Rename // documents created on both sides: our copy moved
	Changed                  []string // files changed in the work tree (case-relative), sorted
	Conflict                 *Conflict
	Resumed                  bool     // a stopped sync was finished
	KeptBeside               []string // remote versions kept because the trainer changed them
	RolledBack               bool     // the push was refused: branch and files put back
	Purges                   int      // erasures (acc purge) applied to one side or the other
	Attempts                 int
	Notes                    []string // French notes (a previous sync finished, ...)
}

var remoteNameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)

// RemoteURL returns the address configured for a remote (remote.<name>.url).
func (s *Store) RemoteURL(name string) (string, bool) {
	if name == "" {
		name = DefaultRemote
	}
	v, ok := s.config.get("remote." + name + ".url")
	return v, ok && v != ""
}

func (s *Store) syncURLs(name string) (fetch, push string, err error) {
	if !remoteNameRE.MatchString(name) {
		return "", "", fmt.Errorf("nom de dépôt partagé invalide « %s » (acc.yaml, remote:)", name)
	}
	fetch, ok := s.RemoteURL(name)
	if !ok {
		return "", "", &NoRemoteError{Name: name}
	}
	push = fetch
	if v, ok := s.config.get("remote." + name + ".pushurl"); ok && v != "" {
		push = v
	}
	return fetch, push, nil
}

// Sync exchanges the current branch with the remote's branch of the same name. The
// Store must hold acc's lock. On a conflict, the result holds it (Conflict) and nothing
// moved; the error is nil.
func (s *Store) Sync(ctx context.Context, opts SyncOptions) (*SyncResult, error) {
	h, err := s.requireLock()
	if err != nil {
		return nil, err
	}
	defer h.clearRecords()
	if s.PendingPurge() {
		return nil, &PurgePendingError{}
	}
	r, err := s.newSyncRun(ctx, h, opts)
	if err != nil {
		return nil, err
	}
	defer r.listChanged()
	if err := r.recover(); err != nil {
		return r.res, err
	}
	for attempt := 1; ; attempt++ {
		end, err := r.round(attempt)
		if err != nil || end == roundStop {
			return r.res, err
		}
		if end == roundDone {
			break
		}
	}
	return r.res, r.finish()
}

// syncRun is one acc sync in progress: what its rounds share.
type syncRun struct {
	s                      *Store
	ctx                    context.Context
	h                      *heldLock
	opts                   SyncOptions // defaults applied
	committer              Signature
	name, branch, tracking string // remote, full branch name, remote-tracking ref
	rcFetch, rcPush        *remoteConn
	res                    *SyncResult
	st                     *syncState           // the stopped sync being resumed, or nil
	seen                   map[string]pathEntry // remote versions already resolved against
	local                  Hash                 // the local head
	start                  Hash                 // where a refused push puts everything back
	changed                map[string]bool      // Git paths the sync changed on disk
	sweep                  bool                 // an erasure was carried to the remote's other references
	unclean                []string             // remote references it could not clean
}

// roundEnd says how a round of sync ended.
type roundEnd int

const (
	roundDone  roundEnd = iota // integrated, and pushed if there was anything to push
	roundAgain                 // someone pushed meanwhile: fetch and integrate again
	roundStop                  // a conflict, or an error: the sync ends there
)

// newSyncRun resolves the remote, connects to it and applies the defaults.
func (s *Store) newSyncRun(ctx context.Context, h *heldLock, opts SyncOptions) (*syncRun, error) {
	r := &syncRun{s: s, ctx: ctx, h: h, name: opts.Remote, changed: map[string]bool{}, seen: map[string]pathEntry{}}
	if r.name == "" {
		r.name = DefaultRemote
	}
	fetchURL, pushURL, err := s.syncURLs(r.name)
	if err != nil {
		return nil, err
	}
	if r.rcFetch, err = connect(fetchURL, s.getenv); err != nil {
		return nil, err
	}
	r.rcPush = r.rcFetch
	if pushURL != fetchURL {
		if r.rcPush, err = connect(pushURL, s.getenv); err != nil {
			return nil, err
		}
	}
	if opts.MaxAttempts <= 0 {
		opts.MaxAttempts = 5
	}
	if opts.Timeout <= 0 {
		opts.Timeout = 5 * time.Minute
	}
	r.opts, r.committer = opts, opts.Committer
	if r.committer.When.IsZero() {
		r.committer.When = s.now()
	}
	if r.branch, err = s.headBranch(); err != nil {
		return nil, err
	}
	r.res = &SyncResult{Remote: r.name, URL: RedactURL(fetchURL), Branch: strings.TrimPrefix(r.branch, "refs/heads/")}
	r.tracking = "refs/remotes/" + r.name + "/" + r.res.Branch
	return r, nil
}

// recover finishes what a killed sync left (the journal), and loads the state of a sync
// stopped on a conflict: without Resume it is an error; with it, what the trainer chose
// counts as seen.
func (r *syncRun) recover() error {
	s, res := r.s, r.res
	note, err := s.recoverJournal(r.ctx, r.h, r.committer)
	if err != nil {
		return err
	}
	if note != "" {
		res.Notes = append(res.Notes, note)
	}
	if r.st, err = s.loadState(); err != nil {
		return err
	}
	if r.st != nil && !r.opts.Resume {
		return &ConflictPendingError{Conflict: s.conflictOf(r.st)}
	}
	if r.st != nil {
		res.Resumed = true
		for p, v := range r.st.Seen {
			if e, err := parsePathEntry(v); err == nil {
				r.seen[p] = e
			}
		}
		for _, f := range r.st.Files {
			if e, err := parsePathEntry(f.Remote); err == nil {
				r.seen[f.Path] = e
			}
		}
	}
	if _, r.local, err = s.headCommit(); err != nil {
		return err
	}
	res.Before, r.start = r.local, r.local
	return nil
}

// listChanged reports the files the sync changed, sorted.
func (r *syncRun) listChanged() {
	for p := range r.changed {
		r.res.Changed = append(r.res.Changed, r.s.displayPath(p))
	}
	sort.Strings(r.res.Changed)
}

// round fetches, integrates, moves the work tree and pushes.
func (r *syncRun) round(attempt int) (roundEnd, error) {
	r.res.Attempts = attempt
	if err := r.ctx.Err(); err != nil {
		return roundStop, err
	}
	remote, err := r.fetch(attempt)
	if err != nil {
		return roundStop, err
	}
	lease := remote
	remote, remoteHas, err := r.applyPurges(remote)
	if err != nil {
		return roundStop, err
	}
	g, in, err := r.integrate(remote)
	if err != nil || in == nil {
		return roundStop, err
	}
	if err := r.moveTo(in); err != nil {
		return roundStop, err
	}
	if (r.local == remote && lease == remote) || r.local.IsZero() {
		return roundDone, nil
	}
	return r.push(attempt, g, remote, lease, remoteHas)
}

// fetch brings the remote's branch into the remote-tracking ref and returns its head.
func (r *syncRun) fetch(attempt int) (Hash, error) {
	remote, empty, err := r.s.fetchBranch(r.ctx, r.h, r.rcFetch, r.name, r.branch, r.tracking, r.opts.Timeout, r.committer)
	if err != nil {
		return remote, err
	}
	r.res.RemoteHead = remote
	if attempt == 1 {
		r.res.EmptyRemote = empty
	}
	r.s.step("sync-fetched")
	return remote, nil
}

// applyPurges applies the erasures (acc purge) recorded on one side only: on this
// clone's history when the remote brought them, on the remote-tracking branch when this
// clone made them (the push then rewrites the remote, with a lease on what was
// fetched). It returns the remote head to integrate and, when an erasure was applied,
// the commits the remote has (the rewritten history must be sent whole).
func (r *syncRun) applyPurges(remote Hash) (Hash, map[Hash]bool, error) {
	s, res := r.s, r.res
	if remote.IsZero() || r.local.IsZero() {
		return remote, nil, nil
	}
	applied, has, others, err := s.syncPurges(r.ctx, r.h, r.rcFetch, r.name, r.branch, r.local, remote, r.st != nil, r.opts.Timeout, r.committer)
	if err != nil {
		return remote, nil, err
	}
	if others != nil {
		r.sweep = true
		failed, err := s.pushDistant(r.ctx, r.h, r.rcPush, others, has, r.opts.Timeout)
		if err != nil {
			return remote, nil, err
		}
		r.unclean = append(r.unclean, failed...)
	}
	if applied == 0 {
		return remote, nil, nil
	}
	res.Purges += applied
	if _, r.local, err = s.headCommit(); err != nil {
		return remote, nil, err
	}
	if remote, _, err = s.readRef(r.tracking); err != nil {
		return remote, nil, err
	}
	r.start = r.local // never go back to a state that still holds an erased person
	return remote, has, nil
}

// integrate plans the round and writes its commits. On a conflict it stops the sync
// (stopOnConflict) and returns no plan.
func (r *syncRun) integrate(remote Hash) (*commitGraph, *integration, error) {
	s, res := r.s, r.res
	g := newCommitGraph(s)
	ow := s.newObjectWriter()
	in, err := s.integrate(g, ow, r.local, remote, r.seen, &r.opts, r.committer)
	if err != nil {
		ow.discard()
		return nil, nil, err
	}
	if len(in.conflicts) > 0 {
		ow.discard()
		c, err := s.stopOnConflict(r.h, r.st, in, r.name, r.branch, r.seen, r.committer)
		res.Conflict = c
		return nil, nil, err
	}
	if err := ow.sync(); err != nil {
		return nil, nil, err
	}
	s.step("sync-objects")
	res.Received += len(in.remoteOnly)
	res.Replayed += in.replayed
	res.Fixup = res.Fixup || in.fixup
	res.Renamed = append(res.Renamed, in.renamed...)
	if in.kind == syncFastForward && in.local.IsZero() {
		all, err := g.all(remote)
		if err != nil {
			return nil, nil, err
		}
		res.Received += len(all)
	}
	return g, in, nil
}

// moveTo moves the branch, the files and the index to the plan's head.
func (r *syncRun) moveTo(in *integration) error {
	if in.head != r.local {
		msg := "acc sync : avance rapide sur " + r.name + "/" + r.res.Branch
		if in.kind == syncRebase {
			msg = "acc sync : intégration de " + r.name + "/" + r.res.Branch
		}
		paths, err := r.s.checkout(r.h, r.branch, r.local, in.head, msg, r.committer)
		if err != nil {
			return err
		}
		for _, p := range paths {
			r.changed[p] = true
		}
		r.local = in.head
	}
	r.res.After = r.local
	return nil
}

// push sends the local head by compare-and-swap against lease. remoteHas, when an
// erasure rewrote the history, lists what the remote has.
func (r *syncRun) push(attempt int, g *commitGraph, remote, lease Hash, remoteHas map[Hash]bool) (roundEnd, error) {
	s, res := r.s, r.res
	var newCommits []Hash
	var err error
	if remoteHas != nil {
		newCommits, err = g.notIn(r.local, remoteHas)
	} else {
		newCommits, err = s.commitsToSend(g, r.local, remote)
	}
	if err != nil {
		return roundStop, err
	}
	s.step("sync-before-push")
	perr := s.pushBranch(r.ctx, r.rcPush, r.branch, lease, r.local, newCommits, g, r.opts.Timeout)
	if perr == nil {
		res.Pushed = true
		res.Sent += len(newCommits)
		res.RemoteHead = r.local
		s.step("sync-pushed")
		return roundDone, s.setRef(r.h, r.tracking, false, r.local, "acc sync : envoi", r.committer)
	}
	if errors.Is(perr, errRemoteMoved) && attempt < r.opts.MaxAttempts {
		return roundAgain, nil
	}
	return r.pushFailed(attempt, perr, lease, len(newCommits), remoteHas != nil)
}

// pushFailed looks where the remote stands after a push that failed: it may have
// happened after all, someone may have pushed meanwhile (another round), or it was
// refused: then the branch and files go back to where they were before the sync.
func (r *syncRun) pushFailed(attempt int, perr error, lease Hash, sent int, rewrote bool) (roundEnd, error) {
	s, res := r.s, r.res
	now, _, ferr := s.fetchBranch(r.ctx, r.h, r.rcFetch, r.name, r.branch, r.tracking, r.opts.Timeout, r.committer)
	if ferr == nil && now == r.local {
		res.Pushed = true
		res.Sent += sent
		res.RemoteHead = r.local
		return roundDone, nil
	}
	if ferr == nil && now != lease && attempt < r.opts.MaxAttempts {
		return roundAgain, nil
	}
	if ferr == nil && now != lease {
		return roundStop, fmt.Errorf("le dépôt partagé change sans cesse (%d essais) : relancez acc sync dans un moment ; vos commits sont intégrés localement, rien n'est perdu", attempt)
	}
	if ferr == nil && r.local != r.start {
		// The push certainly did not happen: put everything back as it was.
		paths, err := s.checkout(r.h, r.branch, r.local, r.start, "acc sync : annulé (envoi refusé)", r.committer)
		if err != nil {
			return roundStop, fmt.Errorf("%v ; de plus, le retour à l'état d'avant a échoué : %w", perr, err)
		}
		for _, p := range paths {
			r.changed[p] = !r.changed[p]
			if !r.changed[p] {
				delete(r.changed, p)
			}
		}
		res.RolledBack = true
		res.After = r.start
	}
	if rewrote {
		res.Notes = append(res.Notes, "un effacement doit réécrire l'historique du dépôt partagé : "+
			"si la forge protège la branche, autorisez-y la réécriture (« force push ») le temps d'une synchronisation")
	}
	return roundStop, perr
}

// finish clears the state of the conflict the sync resumed, and reports what the
// erasures could not clean on the remote.
func (r *syncRun) finish() error {
	if r.st != nil {
		kept, err := r.s.clearState(r.h, r.st)
		r.res.KeptBeside = kept
		if err != nil {
			return err
		}
	}
	if len(r.unclean) > 0 {
		return &PurgeRemoteError{Refs: r.unclean}
	}
	if r.sweep {
		return r.s.finishSweep()
	}
	return nil
}

// stopOnConflict keeps everything for the trainer's choice: a branch on the local head
// (named acc-conflit-<date>, reused if one already points there or when resuming), the
// remote version of each file under conflits/ in the case-file folder, and the state.
func (s *Store) stopOnConflict(h *heldLock, prev *syncState, in *integration, remoteName, branch string, seen map[string]pathEntry, ident Signature) (*Conflict, error) {
	keep := ""
	if prev != nil {
		keep = prev.Keep
	}
	if keep == "" {
		keep = s.findConflictBranch(in.local)
	}
	if keep == "" {
		base := "acc-conflit-" + s.now().Format("20060102-150405")
		keep = base
		for i := 2; ; i++ {
			if _, ok, _ := s.readRef("refs/heads/" + keep); !ok {
				break
			}
			keep = fmt.Sprintf("%s-%d", base, i)
		}
	}
	if err := s.setRef(h, "refs/heads/"+keep, false, in.local, "acc sync : commits locaux conservés (conflit)", ident); err != nil {
		return nil, err
	}
	st := &syncState{Branch: branch, Remote: remoteName, Keep: keep, Local: in.local.String(),
		RemoteHead: in.remote.String(), Since: s.now(), Seen: map[string]string{}}
	for p, e := range seen {
		st.Seen[p] = e.String()
	}
	for i := range in.conflicts {
		c := &in.conflicts[i]
		f := stateFile{Path: c.gitPath, Base: c.base.String(), Local: c.local.String(), Remote: c.remote.String(),
			LocalAuthors: c.LocalAuthors, RemoteAuthors: c.RemoteAuthors}
		if c.remote.present() {
			f.Beside = "conflits/" + s.displayPath(c.gitPath)
			data, err := s.readObject(c.remote.hash, plumbing.BlobObject)
			if err != nil {
				return nil, err
			}
			disk := s.diskPath(s.gitPath(f.Beside))
			if err := checkNoSymlink(s.Root, filepath.FromSlash(s.gitPath(f.Beside))); err != nil {
				return nil, err
			}
			if err := mkdirAll(filepath.Dir(disk), s.Root, dirPerm); err != nil {
				return nil, err
			}
			if _, err := s.writeFileAtomic(h, disk, data, 0o600, false); err != nil {
				return nil, fmt.Errorf("écriture de %s : %w", f.Beside, err)
			}
		}
		st.Files = append(st.Files, f)
	}
	if err := s.saveState(st); err != nil {
		return nil, err
	}
	return s.conflictOf(st), nil
}

// findConflictBranch returns the short name of a loose branch acc-conflit-* that
// points at h, "" if none.
func (s *Store) findConflictBranch(h Hash) string {
	entries, err := os.ReadDir(filepath.Join(s.CommonDir, "refs", "heads"))
	if err != nil {
		return ""
	}
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), "acc-conflit-") || e.IsDir() || strings.HasSuffix(e.Name(), ".lock") {
			continue
		}
		if v, ok, err := s.readRef("refs/heads/" + e.Name()); err == nil && ok && v == h {
			return e.Name()
		}
	}
	return ""
}

// captureStorage is the repository's object storage for go-git's fetch, with the ref
// updates captured instead of written: acc writes them itself, under lock files.
type captureStorage struct {
	configlessStorage
	refs  map[plumbing.ReferenceName]plumbing.Hash
	store *Store // for Progress (progress.go); nil: none
}

func (c *captureStorage) SetReference(r *plumbing.Reference) error {
	if r.Type() == plumbing.HashReference {
		c.refs[r.Name()] = r.Hash()
	}
	return nil
}

func (c *captureStorage) CheckAndSetReference(r, _ *plumbing.Reference) error {
	return c.SetReference(r)
}

func (c *captureStorage) RemoveReference(plumbing.ReferenceName) error { return nil }

// fetchBranch brings the remote's branch and its objects in, moves the remote-tracking
// ref, and returns the remote head (zero when the remote is empty).
func (s *Store) fetchBranch(ctx context.Context, h *heldLock, rc *remoteConn, name, branch, tracking string, timeout time.Duration, ident Signature) (Hash, bool, error) {
	st, err := s.objects()
	if err != nil {
		return Hash{}, false, err
	}
	cs := &captureStorage{configlessStorage: configlessStorage{st}, refs: map[plumbing.ReferenceName]plumbing.Hash{}, store: s}
	rem := gogit.NewRemote(cs, &config.RemoteConfig{Name: name, URLs: []string{rc.url}})
	before := listPacks(s.CommonDir)
	cctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	err = rem.FetchContext(cctx, &gogit.FetchOptions{
		RemoteName: name,
		RefSpecs:   []config.RefSpec{config.RefSpec("+" + branch + ":" + tracking)},
		Auth:       rc.auth,
		Tags:       gogit.NoTags,
	})
	var noMatch gogit.NoMatchingRefSpecError
	switch {
	case err == nil, errors.Is(err, gogit.NoErrAlreadyUpToDate):
	case errors.Is(err, transport.ErrEmptyRemoteRepository):
		return Hash{}, true, nil
	case errors.As(err, &noMatch):
		return Hash{}, false, fmt.Errorf("le dépôt partagé %s n'a pas de branche %s : vérifiez l'adresse, ou demandez quelle branche l'équipe utilise",
			RedactURL(rc.url), strings.TrimPrefix(branch, "refs/heads/"))
	default:
		if ctx.Err() != nil {
			return Hash{}, false, ctx.Err()
		}
		return Hash{}, false, rc.remoteError("fetch", err)
	}
	if err := syncNewPacks(s.CommonDir, before); err != nil {
		return Hash{}, false, err
	}
	s.refreshObjects()
	v, fetched := cs.refs[plumbing.ReferenceName(tracking)]
	head := Hash(v)
	if !fetched {
		// Already up to date: the remote-tracking ref may still hold commits that this
		// branch lacks, brought by a git fetch: checked all the same.
		if head, _, err = s.readRef(tracking); err != nil || head.IsZero() {
			return head, false, err
		}
	}
	// Before anything refers to what came in: a refused tree leaves no ref and no pack
	// behind (verifypath.go).
	if err := s.verifyIncoming(head); err != nil {
		removeNewPacks(s.CommonDir, before)
		s.refreshObjects()
		var ue *UnsafePathError
		if errors.As(err, &ue) {
			return Hash{}, false, fmt.Errorf("le dépôt partagé %s contient un chemin qu'acc refuse d'écrire : %w ; "+
				"rien n'a été écrit (le dépôt partagé doit être réparé avec git)", RedactURL(rc.url), err)
		}
		return Hash{}, false, err
	}
	if fetched {
		if err := s.setRef(h, tracking, false, head, "acc sync : réception", ident); err != nil {
			return Hash{}, false, err
		}
	}
	return head, false, nil
}

// commitsToSend lists the commits reachable from local and not from remote.
func (s *Store) commitsToSend(g *commitGraph, local, remote Hash) ([]Hash, error) {
	if remote.IsZero() {
		return g.all(local)
	}
	flags, _, err := g.paint(local, remote)
	if err != nil {
		return nil, err
	}
	return g.only(flags, flagA, local)
}

// objectsToSend lists the objects of commits that their first parent does not have:
// what a remote holding the parents lacks. Only the trees that differ are read.
func (s *Store) objectsToSend(g *commitGraph, commits []Hash) ([]plumbing.Hash, error) {
	set := map[Hash]bool{}
	var out []plumbing.Hash
	add := func(h Hash) {
		if !set[h] {
			set[h] = true
			out = append(out, plumbing.Hash(h))
		}
	}
	var walk func(old, new Hash) error
	walk = func(old, new Hash) error {
		if new == old || set[new] {
			return nil
		}
		add(new)
		ne, err := s.treeEntries(new)
		if err != nil {
			return err
		}
		oe, err := s.treeEntries(old)
		if err != nil {
			return err
		}
		byName := make(map[string]treeEntry, len(oe))
		for _, e := range oe {
			byName[e.name] = e
		}
		for _, e := range ne {
			o, had := byName[e.name]
			switch {
			case e.isTree():
				var oh Hash
				if had && o.isTree() {
					oh = o.hash
				}
				if err := walk(oh, e.hash); err != nil {
					return err
				}
			case e.mode == modeGitlink:
			case had && o.hash == e.hash:
			default:
				add(e.hash)
			}
		}
		return nil
	}
	for _, c := range commits {
		rc, err := g.get(c)
		if err != nil {
			return nil, err
		}
		add(c)
		var ptree Hash
		if len(rc.parents) > 0 {
			if ptree, err = s.treeOf(rc.parents[0]); err != nil {
				return nil, err
			}
		}
		if err := walk(ptree, rc.tree); err != nil {
			return nil, err
		}
	}
	return out, nil
}

var remoteLine = regexp.MustCompile(`(?m)^\s*(?:remote:\s*)?(.*?)\s*$`)

// pushBranch moves the remote's branch from old to new (compare-and-swap on the
// server), sending the objects of commits.
func (s *Store) pushBranch(ctx context.Context, rc *remoteConn, branch string, old, new Hash, commits []Hash, g *commitGraph, timeout time.Duration) error {
	tr, err := rc.transport()
	if err != nil {
		return rc.remoteError("push", err)
	}
	cctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	sess, err := tr.NewReceivePackSession(rc.ep, rc.auth)
	if err != nil {
		return rc.remoteError("push", err)
	}
	defer sess.Close()
	ar, err := pushLease(cctx, rc, sess, branch, old)
	if err != nil {
		return err
	}
	req, progress := pushRequest(ar, branch, old, new)
	objs, err := s.objectsToSend(g, commits)
	if err != nil {
		return err
	}
	st, err := s.objects()
	if err != nil {
		return err
	}
	rd, wr := io.Pipe()
	req.Packfile = rd
	done := s.encodePack(wr, st, objs, !ar.Capabilities.Supports(capability.OFSDelta))
	rs, err := sess.ReceivePack(cctx, req)
	if err != nil {
		_ = rd.Close()
	}
	encErr := <-done
	return pushOutcome(ctx, rc, rs, err, encErr, progress)
}

// pushLease reads the remote's references and checks that its branch is still at old
// (errRemoteMoved otherwise). An empty remote advertises nothing.
func pushLease(ctx context.Context, rc *remoteConn, sess transport.ReceivePackSession, branch string, old Hash) (*packp.AdvRefs, error) {
	ar, err := sess.AdvertisedReferencesContext(ctx)
	if err != nil && !errors.Is(err, transport.ErrEmptyRemoteRepository) {
		return nil, rc.remoteError("push", err)
	}
	var cur Hash
	if ar != nil {
		refs, err := ar.AllReferences()
		if err != nil {
			return nil, rc.remoteError("push", err)
		}
		if r, err := refs.Reference(plumbing.ReferenceName(branch)); err == nil {
			cur = Hash(r.Hash())
		}
	} else {
		ar = packp.NewAdvRefs()
	}
	if cur != old {
		return nil, errRemoteMoved
	}
	return ar, nil
}

// pushRequest asks to move branch from old to new, with the server's messages (hook
// output) captured in the returned buffer when it can send them.
func pushRequest(ar *packp.AdvRefs, branch string, old, new Hash) (*packp.ReferenceUpdateRequest, *bytes.Buffer) {
	req := packp.NewReferenceUpdateRequestFromCapabilities(ar.Capabilities)
	progress := &bytes.Buffer{}
	if ar.Capabilities.Supports(capability.Sideband64k) {
		_ = req.Capabilities.Set(capability.Sideband64k)
		req.Progress = progress
	} else if ar.Capabilities.Supports(capability.Sideband) {
		_ = req.Capabilities.Set(capability.Sideband)
		req.Progress = progress
	}
	req.Commands = []*packp.Command{{Name: plumbing.ReferenceName(branch), Old: plumbing.Hash(old), New: plumbing.Hash(new)}}
	return req, progress
}

// encodePack writes the pack of objs to wr in the background (counted for Progress)
// and closes it, with the error if any; the channel gives that error. refDeltas when
// the server does not read offset deltas.
func (s *Store) encodePack(wr *io.PipeWriter, st storer.EncodedObjectStorer, objs []plumbing.Hash, refDeltas bool) <-chan error {
	done := make(chan error, 1)
	go func() {
		err := bug.Call(func() error {
			var out io.Writer = wr
			if s.Progress != nil {
				out = &byteCounter{w: wr, s: s, p: PhaseSend}
			}
			enc := packfile.NewEncoder(out, st, refDeltas)
			_, err := enc.Encode(objs, 10)
			return err
		})
		if err != nil {
			// CloseWithError returns nil: the error itself goes on the channel (a
			// panic as well as an encoder error).
			_ = wr.CloseWithError(err)
			done <- err
			return
		}
		done <- wr.Close()
	}()
	return done
}

// pushOutcome tells what a push came to from the server's report (rs), the exchange's
// error and the encoder's: nil when the branch moved, errRemoteMoved when the
// compare-and-swap lost, a *RemoteError when the server refused or the connection was
// lost (with what the server said, progress).
func pushOutcome(ctx context.Context, rc *remoteConn, rs *packp.ReportStatus, err, encErr error, progress *bytes.Buffer) error {
	if p := (*bug.Panic)(nil); errors.As(encErr, &p) {
		return encErr
	}
	// An encoder that failed by itself (an object missing from the local repository)
	// is the cause of what the server then says ("unpack error"); one that failed on
	// the closed pipe only followed a lost connection, reported below.
	if encErr != nil && !errors.Is(encErr, io.ErrClosedPipe) && ctx.Err() == nil {
		return fmt.Errorf("préparation de l'envoi : %w", encErr)
	}
	if rs != nil {
		if rerr := rs.Error(); rerr != nil {
			e := &RemoteError{URL: RedactURL(rc.url), Op: "push", Kind: RemoteRefused, Err: rerr}
			e.Detail = serverWords(progress.String(), rerr, rc.secrets)
			if errors.Is(rerr, errRefChanged) || strings.Contains(rerr.Error(), "changé entre-temps") {
				return errRemoteMoved
			}
			return e
		}
	}
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		rerr := rc.remoteError("push", err)
		var re *RemoteError
		if errors.As(rerr, &re) && re.Kind == RemoteOther {
			re.Kind = RemoteInterrupted
			re.Detail = serverWords(progress.String(), err, rc.secrets)
		}
		return rerr
	}
	if encErr != nil {
		return fmt.Errorf("préparation de l'envoi : %w", encErr)
	}
	return nil
}

// serverWords extracts what the server said (hook output, status) for the message.
func serverWords(progress string, err error, secrets []string) string {
	var lines []string
	for _, m := range remoteLine.FindAllStringSubmatch(progress, -1) {
		l := strings.TrimSpace(m[1])
		if l == "" || strings.HasPrefix(l, "Resolving deltas") || strings.HasPrefix(l, "Counting") || strings.Contains(l, "%") {
			continue
		}
		lines = append(lines, l)
	}
	if len(lines) > 5 {
		lines = lines[len(lines)-5:]
	}
	if err != nil {
		lines = append(lines, err.Error())
	}
	return redactText(strings.Join(lines, " ; "), secrets...)
}

// RemoteInfo describes a remote before cloning or publishing to it.
type RemoteInfo struct {
	Empty    bool     // no branch at all
	Head     string   // short name of the branch its HEAD designates, if known
	Branches []string // short names
}

// ProbeRemote lists a remote's branches (acc clone, acc init --remote).
func ProbeRemote(ctx context.Context, rawURL string, getenv func(string) string, timeout time.Duration) (*RemoteInfo, error) {
	if getenv == nil {
		getenv = os.Getenv
	}
	rc, err := connect(rawURL, getenv)
	if err != nil {
		return nil, err
	}
	if timeout <= 0 {
		timeout = 2 * time.Minute
	}
	cctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	rem := gogit.NewRemote(memory.NewStorage(), &config.RemoteConfig{Name: DefaultRemote, URLs: []string{rawURL}})
	refs, err := rem.ListContext(cctx, &gogit.ListOptions{Auth: rc.auth})
	info := &RemoteInfo{}
	if errors.Is(err, transport.ErrEmptyRemoteRepository) {
		info.Empty = true
		return info, nil
	}
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, rc.remoteError("list", err)
	}
	var head *plumbing.Reference
	hashes := map[plumbing.Hash][]string{}
	for _, r := range refs {
		switch {
		case r.Name() == plumbing.HEAD:
			head = r
		case r.Name().IsBranch():
			info.Branches = append(info.Branches, r.Name().Short())
			hashes[r.Hash()] = append(hashes[r.Hash()], r.Name().Short())
		}
	}
	sort.Strings(info.Branches)
	info.Empty = len(info.Branches) == 0
	if head != nil {
		if head.Type() == plumbing.SymbolicReference && head.Target().IsBranch() {
			info.Head = head.Target().Short()
		} else if names := hashes[head.Hash()]; len(names) > 0 {
			info.Head = names[0]
			for _, n := range names {
				if n == "main" || n == "master" {
					info.Head = n
				}
			}
		}
	}
	if info.Head == "" && len(info.Branches) > 0 {
		info.Head = info.Branches[0]
		for _, n := range info.Branches {
			if n == "main" {
				info.Head = n
			}
		}
	}
	return info, nil
}

// AddRemote configures a remote in the repository's config, as git remote add does,
// and makes it the upstream of branch (short name). An existing remote of that name
// with the same address is kept; with another address it is an error.
func (s *Store) AddRemote(name, rawURL, branch string) error {
	h, err := s.requireLock()
	if err != nil {
		return err
	}
	defer h.clearRecords()
	if !remoteNameRE.MatchString(name) {
		return fmt.Errorf("nom de dépôt partagé invalide « %s »", name)
	}
	if cur, ok := s.RemoteURL(name); ok {
		if cur == rawURL {
			return nil
		}
		return fmt.Errorf("le dépôt partagé « %s » désigne déjà %s (et non %s) : rien n'a été modifié", name, RedactURL(cur), RedactURL(rawURL))
	}
	path := filepath.Join(s.CommonDir, "config")
	data, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("lecture de %s : %w", path, err)
	}
	var b bytes.Buffer
	b.Write(data)
	if len(data) > 0 && data[len(data)-1] != '\n' {
		b.WriteByte('\n')
	}
	fmt.Fprintf(&b, "[remote %s]\n\turl = %s\n\tfetch = +refs/heads/*:refs/remotes/%s/*\n", configQuote(name), configValue(rawURL), name)
	if branch != "" {
		if _, ok := s.config.get("branch." + branch + ".remote"); !ok {
			fmt.Fprintf(&b, "[branch %s]\n\tremote = %s\n\tmerge = refs/heads/%s\n", configQuote(branch), name, branch)
		}
	}
	l, err := s.takeGitLock(h, path, 0o644)
	if err != nil {
		return err
	}
	defer l.rollback()
	if fi, err := os.Stat(path); err == nil {
		_ = l.f.Chmod(fi.Mode().Perm())
	}
	if _, err := l.f.Write(b.Bytes()); err != nil {
		return fmt.Errorf("écriture de %s : %w", l.path, err)
	}
	if err := l.commit(); err != nil {
		return err
	}
	return s.loadRepoConfig()
}

func configQuote(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

func configValue(v string) string {
	if v == "" || strings.ContainsAny(v, "\"\\;#\n\t") || v[0] == ' ' || v[len(v)-1] == ' ' {
		return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`, "\t", `\t`).Replace(v) + `"`
	}
	return v
}

// cloneMemoryLimit is the soft heap limit of a clone (see Clone).
const cloneMemoryLimit = 200 << 20

// CloneOptions parameterise Clone.
type CloneOptions struct {
	Getenv      func(string) string
	Clock       func() time.Time
	Committer   Signature
	LockTimeout time.Duration
	Warn        io.Writer
	Timeout     time.Duration
	// Progress becomes the new Store's Progress.
	Progress func(p Phase, done, total int)

	crashHook func(step string) // tests: Store.crashHook of the new repository
}

// Clone makes dir (absent or empty) a new repository whose remote "origin" is rawURL
// and whose work tree holds the remote's main branch (the one its HEAD designates).
// An empty remote gives an empty repository, ready for acc init. On failure, what Clone
// created is removed.
func Clone(ctx context.Context, rawURL, dir string, opts CloneOptions) (*Store, *SyncResult, error) {
	if opts.Getenv == nil {
		opts.Getenv = os.Getenv
	}
	info, err := ProbeRemote(ctx, rawURL, opts.Getenv, opts.Timeout)
	if err != nil {
		return nil, nil, err
	}
	// Under Go's default pacing the heap of a clone (go-git's pack index, the
	// checkout's lists) peaks at twice what it holds: 350 MB for 100,000 documents,
	// over the 300 MB allowed. A soft limit for the clone's duration keeps it near
	// 215 MB for no measurable CPU; a GOMEMLIMIT set by the user wins.
	if debug.SetMemoryLimit(-1) == math.MaxInt64 {
		defer debug.SetMemoryLimit(debug.SetMemoryLimit(cloneMemoryLimit))
	}
	created := false
	if fi, err := os.Stat(dir); err == nil {
		if !fi.IsDir() {
			return nil, nil, fmt.Errorf("%s existe et n'est pas un dossier", dir)
		}
		entries, err := os.ReadDir(dir)
		if err != nil {
			return nil, nil, err
		}
		if len(entries) > 0 {
			return nil, nil, fmt.Errorf("%s existe et n'est pas vide", dir)
		}
	} else {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, nil, fmt.Errorf("création du dossier %s : %w", dir, err)
		}
		created = true
	}
	ok := false
	defer func() {
		if ok {
			return
		}
		if created {
			os.RemoveAll(dir)
		} else if entries, err := os.ReadDir(dir); err == nil {
			for _, e := range entries {
				os.RemoveAll(filepath.Join(dir, e.Name()))
			}
		}
	}()
	branch := info.Head
	if branch == "" {
		branch = "main"
		global := &gitConfig{}
		if err := global.loadUserConfig(opts.Getenv, includeContext{}); err == nil {
			if b, ok := global.get("init.defaultbranch"); ok && validBranchName(b) {
				branch = b
			}
		}
	}
	if err := initRepoAt(dir, branch); err != nil {
		return nil, nil, err
	}
	s, err := Open(dir)
	if err != nil {
		return nil, nil, err
	}
	s.Clock, s.Getenv, s.Progress, s.crashHook = opts.Clock, opts.Getenv, opts.Progress, opts.crashHook
	s.freshClone = true // dir is new or was empty, and is emptied if the clone fails
	if opts.Committer.Name == "" {
		if _, c, ok, err := s.Identity(); err == nil && ok {
			opts.Committer = c
		} else {
			opts.Committer = Signature{Name: "acc"}
		}
	}
	timeout := opts.LockTimeout
	if timeout <= 0 {
		timeout = DefaultLockTimeout
	}
	unlock, err := s.Lock(ctx, timeout, opts.Warn)
	if err != nil {
		return nil, nil, err
	}
	defer unlock()
	if err := s.AddRemote(DefaultRemote, rawURL, branch); err != nil {
		return nil, nil, err
	}
	res := &SyncResult{Remote: DefaultRemote, URL: RedactURL(rawURL), Branch: branch, EmptyRemote: info.Empty}
	if !info.Empty {
		res, err = s.Sync(ctx, SyncOptions{Remote: DefaultRemote, Committer: opts.Committer, Timeout: opts.Timeout})
		if err != nil {
			return nil, nil, err
		}
	}
	s.freshClone = false // the work tree is the trainer's from now on
	ok = true
	return s, res, nil
}

// initRepoAt makes dir a new repository with branch as its unborn HEAD, with the core
// settings git init writes (go-git writes only "bare = false": Git and acc must agree,
// on reflogs in particular). The git dir is closed to other users before anything goes
// in, whatever the umask and the folder's own mode (objects, index, logs and config
// hold personal data or the remote's address).
func initRepoAt(dir, branch string) error {
	repo, err := gogit.PlainInitWithOptions(dir, &gogit.PlainInitOptions{
		InitOptions: gogit.InitOptions{DefaultBranch: plumbing.NewBranchReferenceName(branch)},
	})
	if err != nil {
		return fmt.Errorf("git init dans %s : %w", dir, err)
	}
	cfg, err := repo.Config()
	if err != nil {
		return fmt.Errorf("git init dans %s : %w", dir, err)
	}
	core := cfg.Raw.Section("core")
	core.SetOption("repositoryformatversion", "0")
	core.SetOption("filemode", "true")
	core.SetOption("logallrefupdates", "true")
	if err := repo.SetConfig(cfg); err != nil {
		return fmt.Errorf("git init dans %s : %w", dir, err)
	}
	return closeGitDir(filepath.Join(dir, ".git"))
}

// closeGitDir removes the group's and others' rights from a new git dir and what go-git
// put in it: later files inherit the closed folder.
func closeGitDir(gitDir string) error {
	return filepath.WalkDir(gitDir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		if m := fi.Mode().Perm(); m&0o077 != 0 && fi.Mode()&fs.ModeSymlink == 0 {
			if err := os.Chmod(p, m&^0o077); err != nil {
				return fmt.Errorf("droits de %s : %w", p, err)
			}
		}
		return nil
	})
}
