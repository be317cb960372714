package gitstore

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	gogit "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/transport"
)

// Erasures travel with acc sync (see purge.go): a record in .acc/purges that one side has
// and the other lacks means the person must go from both. acc sync exchanges only the
// current branch, but the remote may hold the person elsewhere (another branch, a tag),
// and this clone may hold them in a commit it is about to send (a git pull merged the old
// history back). So, when records differ, or when a previous sweep did not finish:
//
//   - every branch and tag of the remote is fetched into refs/acc/distant/ (a private
//     namespace, deleted afterwards);
//   - ApplyPurges erases the people of every record from every reference of this clone,
//     those included;
//   - each remote branch or tag it moved is pushed with a lease on the value fetched
//     (compare-and-swap); those it cannot push (moved meanwhile, refused, deleted by the
//     rewrite, annotated tags) are named in a *PurgeRemoteError after the sync, and the
//     next sync tries again (a marker in <common dir>/acc/purge-remote says so).
//
// And before anything is sent, the commits this clone would push are checked: a folder
// that one of the records designates is erased here first (ApplyPurges), so that a sync
// never pushes an erased person back.

// ErrPurgeDuringConflict is returned by Sync when resuming a conflict and an erasure
// arrived meanwhile: the conflict must be abandoned, then the sync run again.
var ErrPurgeDuringConflict = errors.New("un effacement est arrivé pendant la résolution du conflit")

// distantPrefix is the private namespace where a sweep fetches the remote's branches and
// tags.
const distantPrefix = "refs/acc/distant/"

// PurgeRemoteError is returned by Sync when an erasure could not reach some references
// of the remote: they still hold the person. Refs are their names on the remote
// (refs/heads/..., refs/tags/...).
type PurgeRemoteError struct {
	Refs []string
}

func (e *PurgeRemoteError) Error() string {
	return fmt.Sprintf("l'effacement n'a pas pu être appliqué à %s du dépôt partagé, qui gardent la personne effacée : %s",
		map[bool]string{true: "cette référence", false: "ces références"}[len(e.Refs) == 1], strings.Join(e.Refs, ", "))
}

func (s *Store) purgeRemoteMarker() string { return filepath.Join(s.CommonDir, "acc", "purge-remote") }

// distantRef is a reference of the remote fetched by a sweep.
type distantRef struct {
	remote string // its name on the remote
	local  string // its name here, under distantPrefix
	old    Hash   // its value on the remote, the lease of its push
}

// syncPurges applies the erasures that local and remote do not share, and those whose
// person is still in a commit that this clone would send. It returns how many records it
// applied and, when it did, the commits the remote holds (read before the rewrite, which
// prunes them), so that the push sends what the remote lacks, and the other references
// of the remote fetched by the sweep (pushRemoteRefs pushes those that moved).
func (s *Store) syncPurges(ctx context.Context, h *heldLock, rc *remoteConn, name, branch string, local, remote Hash,
	resuming bool, timeout time.Duration, ident Signature) (int, map[Hash]bool, []distantRef, error) {
	lrec, err := s.PurgeRecords(local)
	if err != nil {
		return 0, nil, nil, err
	}
	rrec, err := s.PurgeRecords(remote)
	if err != nil {
		return 0, nil, nil, err
	}
	in := map[string]int{}
	for _, r := range lrec {
		in[r] |= 1
	}
	for _, r := range rrec {
		in[r] |= 2
	}
	var missing, all []string
	for r, sides := range in {
		all = append(all, r)
		if sides != 3 {
			missing = append(missing, r)
		}
	}
	if len(all) == 0 {
		return 0, nil, nil, nil
	}
	sort.Strings(all)
	_, err = os.Stat(s.purgeRemoteMarker())
	sweep := len(missing) > 0 || err == nil
	if !sweep {
		// Records shared: is the person back in what this clone would send?
		back, err := s.erasedIn(local, remote, all)
		if err != nil || !back {
			return 0, nil, nil, err
		}
	}
	if resuming {
		return 0, nil, nil, ErrPurgeDuringConflict
	}
	var others []distantRef
	if sweep {
		if err := writeSmallFile(s.purgeRemoteMarker(), []byte("acc-purge-remote v1\n")); err != nil {
			return 0, nil, nil, fmt.Errorf("écriture de %s : %w", s.purgeRemoteMarker(), err)
		}
		if others, err = s.fetchDistant(ctx, h, rc, name, branch, timeout, ident); err != nil {
			return 0, nil, nil, err
		}
	}
	g := newCommitGraph(s)
	has := map[Hash]bool{}
	for _, tip := range append([]Hash{remote}, s.distantTips(others)...) {
		commits, err := g.all(tip)
		if err != nil {
			return 0, nil, nil, err
		}
		for _, c := range commits {
			has[c] = true
		}
	}
	rep, err := s.ApplyPurges(ctx, all)
	if err != nil {
		return 0, nil, nil, fmt.Errorf("application d'un effacement : %w", err)
	}
	s.refreshObjects()
	if rep == nil || len(rep.IDs) == 0 {
		return 0, has, others, nil
	}
	return len(rep.Records), has, others, nil
}

// distantTips returns the commits the references point at, annotated tags peeled.
func (s *Store) distantTips(refs []distantRef) []Hash {
	var out []Hash
	for _, r := range refs {
		h := r.old
		for depth := 0; depth < 10; depth++ {
			typ, data, err := s.readAnyObject(h)
			if err != nil || typ == plumbing.CommitObject {
				break
			}
			if typ != plumbing.TagObject {
				h = Hash{}
				break
			}
			if h, _, err = tagTarget(data); err != nil {
				break
			}
		}
		if !h.IsZero() {
			out = append(out, h)
		}
	}
	return out
}

// fetchDistant fetches every branch and tag of the remote, but the current branch (its
// remote-tracking branch has it), into distantPrefix.
func (s *Store) fetchDistant(ctx context.Context, h *heldLock, rc *remoteConn, name, branch string, timeout time.Duration, ident Signature) ([]distantRef, error) {
	st, err := s.objects()
	if err != nil {
		return nil, err
	}
	cs := &captureStorage{configlessStorage: configlessStorage{st}, refs: map[plumbing.ReferenceName]plumbing.Hash{}}
	rem := gogit.NewRemote(cs, &config.RemoteConfig{Name: name, URLs: []string{rc.url}})
	before := listPacks(s.CommonDir)
	cctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	err = rem.FetchContext(cctx, &gogit.FetchOptions{
		RemoteName: name,
		RefSpecs: []config.RefSpec{
			config.RefSpec("+refs/heads/*:" + distantPrefix + "heads/*"),
			config.RefSpec("+refs/tags/*:" + distantPrefix + "tags/*"),
		},
		Auth: rc.auth,
		Tags: gogit.NoTags,
	})
	var noMatch gogit.NoMatchingRefSpecError
	switch {
	case err == nil, errors.Is(err, gogit.NoErrAlreadyUpToDate), errors.As(err, &noMatch),
		errors.Is(err, transport.ErrEmptyRemoteRepository):
	default:
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, rc.remoteError("fetch", err)
	}
	if err := syncNewPacks(s.CommonDir, before); err != nil {
		return nil, err
	}
	s.refreshObjects()
	var out []distantRef
	for ref, v := range cs.refs {
		local := string(ref)
		rest, ok := strings.CutPrefix(local, distantPrefix)
		if !ok {
			continue
		}
		remoteName := "refs/" + rest
		if remoteName == branch {
			continue
		}
		if err := s.setRef(h, local, false, Hash(v), "acc sync : effacement", ident); err != nil {
			return nil, err
		}
		out = append(out, distantRef{remote: remoteName, local: local, old: Hash(v)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].remote < out[j].remote })
	return out, nil
}

// pushDistant pushes, with a lease on the value fetched, each reference of the remote that
// the erasure moved, then deletes the private copies (and prunes what only they reached).
// It returns the remote names of
// those it could not clean.
func (s *Store) pushDistant(ctx context.Context, h *heldLock, rc *remoteConn, others []distantRef, has map[Hash]bool, timeout time.Duration) ([]string, error) {
	var failed []string
	moved := false
	g := newCommitGraph(s)
	for _, r := range others {
		cur, ok, err := s.readRef(r.local)
		if err != nil {
			return nil, err
		}
		if ok && cur == r.old {
			continue
		}
		moved = true
		typ := plumbing.InvalidObject
		if ok {
			typ, _, _ = s.readAnyObject(cur)
		}
		if !ok || cur.IsZero() || typ != plumbing.CommitObject {
			// Deleted by the rewrite (it held only the person), or an annotated tag
			// (its object would have to be sent): named, not pushed.
			failed = append(failed, r.remote)
			continue
		}
		commits, err := g.notIn(cur, has)
		if err != nil {
			return nil, err
		}
		if err := s.pushBranch(ctx, rc, r.remote, r.old, cur, commits, g, timeout); err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			failed = append(failed, r.remote)
			continue
		}
		for _, c := range commits {
			has[c] = true
		}
	}
	for _, r := range others {
		if err := s.deleteRef(h, r.local); err != nil {
			return nil, err
		}
	}
	if moved {
		// The rewritten copies reached only by the private references (a tag object, a
		// branch's own commits) go too: nothing is left dangling.
		err := s.withBulkStorage(func() error {
			_, err := s.prune(ctx, h)
			return err
		})
		if err != nil {
			return nil, err
		}
	}
	return failed, nil
}

// finishSweep removes the marker of a sweep once every reference of the remote is clean.
func (s *Store) finishSweep() error {
	if err := os.Remove(s.purgeRemoteMarker()); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("suppression de %s : %w", s.purgeRemoteMarker(), err)
	}
	return nil
}

// erasedIn tells whether a commit reachable from local and not from remote holds a
// folder that one of records designates: sending it would bring an erased person back.
// Only the folders a commit changed are read (a folder it kept as in a parent is the
// parent's, checked as such, or already on the remote).
func (s *Store) erasedIn(local, remote Hash, records []string) (bool, error) {
	want := map[string]bool{}
	for _, r := range records {
		want[r] = true
	}
	g := newCommitGraph(s)
	commits, err := s.commitsToSend(g, local, remote)
	if err != nil {
		return false, err
	}
	pol, err := s.policy()
	if err != nil {
		return false, err
	}
	dir := s.gitPath(pol.Dir)
	folders := func(c Hash) (map[string]Hash, error) {
		tree, err := s.treeOf(c)
		if err != nil {
			return nil, err
		}
		e, ok, err := s.lookupPath(tree, dir)
		if err != nil || !ok || !e.isTree() {
			return nil, err
		}
		entries, err := s.treeEntries(e.hash)
		if err != nil {
			return nil, err
		}
		out := map[string]Hash{}
		for _, e := range entries {
			if e.isTree() {
				out[strings.Clone(e.name)] = e.hash
			}
		}
		return out, nil
	}
	checked := map[Hash]bool{}
	for _, c := range commits {
		rc, err := g.get(c)
		if err != nil {
			return false, err
		}
		mine, err := folders(c)
		if err != nil {
			return false, err
		}
		var theirs []map[string]Hash
		for _, p := range rc.parents {
			f, err := folders(p)
			if err != nil {
				return false, err
			}
			theirs = append(theirs, f)
		}
		for id, t := range mine {
			inherited := false
			for _, f := range theirs {
				inherited = inherited || f[id] == t
			}
			if inherited || checked[t] {
				continue
			}
			checked[t] = true
			var blobs []folderBlob
			if err := s.folderBlobs(t, "", &blobs); err != nil {
				return false, err
			}
			for _, b := range blobs {
				if want[PurgeRecordFor(id, b.hash)] {
					return true, nil
				}
			}
		}
	}
	return false, nil
}
