package gitstore

import (
	"fmt"
	"strings"
)

// The paths of the whole history (acc doctor).
//
// acc clone and acc sync check every tree they receive (verifyIncoming), but a clone
// made by an earlier acc or by git clone holds history nobody checked: a crafted path
// waits in it for a checkout of an old revision, a rebase, a purge. checkPaths runs the
// same verifier over every commit of the branches (refs/heads/*) and of the
// remote-tracking branches (refs/remotes/*), each commit once and each commit's tree by
// its changes against its first parent, as a clone does.

// maxPathDetails is how many unsafe paths the check lists; the message counts them all.
const maxPathDetails = 20

// pathFinding is an unsafe path of the history, with where it was first met.
type pathFinding struct {
	ref    string
	commit Hash
	err    *UnsafePathError
}

// historyPaths checks the history of the branches and remote-tracking branches and
// returns the unsafe paths, each (path, reason) once, in the order met (parents before
// children: the first commit named is where the path appears), and how many commits
// were checked.
func (s *Store) historyPaths() ([]pathFinding, int, error) {
	snap, err := s.listRefs()
	if err != nil {
		return nil, 0, err
	}
	var refs []gitRef
	for _, r := range snap.refs {
		if strings.HasPrefix(r.name, "refs/heads/") {
			refs = append(refs, r)
		}
	}
	for _, r := range snap.refs {
		if strings.HasPrefix(r.name, "refs/remotes/") {
			refs = append(refs, r)
		}
	}
	g := newCommitGraph(s)
	v := s.newPathVerifier()
	var (
		found   []pathFinding
		seen    = map[string]bool{}
		ref     string
		checked = map[Hash]bool{}
	)
	v.report = func(e *UnsafePathError) {
		key := e.Path + "\x00" + e.Reason
		if seen[key] {
			return
		}
		seen[key] = true
		found = append(found, pathFinding{ref: ref, commit: e.Commit, err: e})
	}
	for _, r := range refs {
		// Commits checked from an earlier ref are left out with their ancestors: every
		// commit's first parent is checked before it, and serves as its base.
		commits, err := g.notIn(r.value, checked)
		if err != nil {
			return nil, 0, fmt.Errorf("%s : %w", r.name, err)
		}
		ref = r.name
		if err := v.commits(g, commits); err != nil {
			return nil, 0, fmt.Errorf("commit %.10s : %w", v.current, err)
		}
		for _, c := range commits {
			checked[c] = true
		}
	}
	return found, len(checked), nil
}

// checkPaths reports the unsafe paths of the history: a problem, since acc clone and
// acc sync refuse such a tree and a checkout of that revision by git would write it.
func (s *Store) checkPaths() Check {
	c := Check{ID: "chemins"}
	found, n, err := s.historyPaths()
	if err != nil {
		c.Status, c.Message = CheckWarning, fmt.Sprintf("vérification des chemins de l'historique impossible : %v", err)
		c.Advice = "git fsck --full pour voir ce qui manque"
		return c
	}
	if len(found) == 0 {
		c.Message = fmt.Sprintf("aucun chemin dangereux dans l'historique des branches (%d commit(s) vérifié(s))", n)
		return c
	}
	c.Status = CheckProblem
	c.Message = fmt.Sprintf("%d chemin(s) dangereux dans l'historique (acc clone et acc sync refusent ces arbres ; "+
		"git les écrirait en récupérant ces révisions)", len(found))
	for i, f := range found {
		if i == maxPathDetails {
			c.Details = append(c.Details, fmt.Sprintf("… et %d autre(s)", len(found)-i))
			break
		}
		// %q shows what the terminal would hide or obey: control characters, invisible
		// code points, bidirectional controls.
		c.Details = append(c.Details, fmt.Sprintf("%s, commit %.10s : %q — %s", f.ref, f.commit, f.err.Path, f.err.Reason))
	}
	c.Advice = "ne récupérez pas ces révisions (git checkout, git switch, git rebase) et prévenez l'administrateur du dépôt partagé, " +
		"qui doit retirer ces chemins de l'historique ; s'il s'agit des données d'une personne, effacez-les avec acc purge"
	return c
}
