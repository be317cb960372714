package gitstore

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/acc-formation/acc/casefile"
)

// Erasure (acc purge, the GDPR's right to erasure).
//
// Purge removes a beneficiary's folder from every commit of every reference (branches,
// tags, remote-tracking refs, refs/acc/*, ...), drops their id and name from commit and
// tag messages, drops the commits that only touched them, empties the reflogs, deletes
// the objects nothing reaches any more (purge_prune.go) and acc's caches, removes the
// folder from the index and the disk, and records the erasure in .acc/purges with a
// commit "purge : dossier effacé (…)" so that acc sync replays it on the other clones
// (ApplyPurges).
//
// The record is an opaque hash: SHA-256 of "acc-purge-v1", the id and the Git name of the
// first version of one of the person's files (the fiche, when there is one). Whoever holds
// the folder (another clone not yet synced) can recognise it; whoever does not cannot test
// a guess ("was Jean Dupont followed here?"): the hash needs the file's exact content.
//
// The rewrite is deterministic (it depends only on the commits, the ids and the names), so
// two clones that erase the same person get the same new commits for the history they
// share, and acc sync merges them as usual afterwards.
//
// A purge interrupted by a kill is finished by the next Purge, ApplyPurges or
// ResumePurge: a journal (<common dir>/acc/purge) says what was being erased. It names
// the id until the purge is over: the data itself is still there meanwhile.

// PurgeRecordsFile is the case-relative file that records the erasures.
const PurgeRecordsFile = ".acc/purges"

// TrailerPurge is the trailer of a purge commit that holds the record.
const TrailerPurge = "Acc-Purge"

const purgeDomain = "acc-purge-v1"

// PurgeRecordFor returns the record of the erasure of id, whose witness file had the Git
// blob name blob.
func PurgeRecordFor(id string, blob Hash) string {
	sum := sha256.Sum256([]byte(purgeDomain + "\x00" + id + "\x00" + blob.String()))
	return hex.EncodeToString(sum[:])
}

// PurgePolicy is what the domain says about the people an erasure designates: the store
// knows how to rewrite a history, not who a person is.
type PurgePolicy struct {
	// Dir is the case-relative folder that holds one folder per person, named by id.
	Dir string
	// Fiche is the file of a person's folder that identifies them: its first version
	// makes the record of the erasure, its versions give the names.
	Fiche string
	// CheckID tells whether an id is well formed.
	CheckID func(id string) error
	// Names returns the first and last names that a version of Fiche gives.
	Names func(data []byte) [][2]string
	// Matcher returns the test of whether a text (a commit or tag message, a note, a
	// file) names one of ids, given their names and the ids of everyone else.
	Matcher func(ids []string, names [][2]string, others []string) func(text string) bool
}

// ErrNoPurgePolicy is returned when an erasure is asked of a Store without Erasure.
var ErrNoPurgePolicy = errors.New("politique d'effacement absente (erreur interne)")

func (s *Store) policy() (*PurgePolicy, error) {
	if s.Erasure == nil || s.Erasure.CheckID == nil || s.Erasure.Names == nil || s.Erasure.Matcher == nil {
		return nil, ErrNoPurgePolicy
	}
	return s.Erasure, nil
}

// newScrubber builds the scrubber of the people ids (all: every id that ever had a
// folder).
func newScrubber(pol *PurgePolicy, ids map[string]bool, names [][2]string, all map[string]bool) *scrubber {
	var idList, others []string
	for id := range ids {
		idList = append(idList, id)
	}
	for id := range all {
		if !ids[id] {
			others = append(others, id)
		}
	}
	sort.Strings(idList)
	sort.Strings(others)
	return &scrubber{mentions: pol.Matcher(idList, names, others)}
}

// PurgeUnknownError is returned when the id is nowhere: not on disk, not in the index,
// not in any commit reachable from a reference or a reflog.
type PurgeUnknownError struct {
	ID string
}

func (e *PurgeUnknownError) Error() string {
	return fmt.Sprintf("bénéficiaire « %s » introuvable : ni dans les fichiers, ni dans l'index, ni dans l'historique", e.ID)
}

// PurgeRefusedError is returned when the repository is in a state where an erasure could
// not reach everything (a stash, a linked worktree, an operation in progress...).
type PurgeRefusedError struct {
	Msg string
	// SyncPending: a sync is unfinished or stopped on a conflict (it must be finished
	// first).
	SyncPending bool
}

func (e *PurgeRefusedError) Error() string { return e.Msg }

// PurgePendingError is returned by a command that writes (Sync) while an erasure was
// interrupted (PendingPurge): it must be finished first (ResumePurge), or what the
// command writes or sends could still hold the person.
type PurgePendingError struct{}

func (e *PurgePendingError) Error() string {
	return "un effacement a été interrompu et n'est pas terminé : rien n'a été fait"
}

// PurgeReport describes an erasure: planned (PlanPurge) or done (Purge, ApplyPurges).
type PurgeReport struct {
	// IDs are the beneficiaries erased (one for Purge; those matched for ApplyPurges).
	IDs []string
	// Records are the records of the erasures (see PurgeRecordFor).
	Records []string
	// Commits counts the commits whose tree held the folder (Purge and PlanPurge only).
	Commits int
	// Rewritten counts the commits given a new hash; Dropped those removed because they
	// only touched the person.
	Rewritten, Dropped int
	// Refs are the references moved (New zero: deleted). acc sync pushes a moved
	// remote-tracking branch with a lease on its old value.
	Refs []RefChange
	// Files counts the files removed from the work tree (tracked or not); IndexEntries
	// the index entries removed.
	Files, IndexEntries int
	// Commit is the purge commit (zero for ApplyPurges, or when nothing was committed).
	Commit Hash
	// Objects counts the objects deleted; Packs the packs rewritten.
	Objects, Packs int
	// Mentions are the case-relative files, outside the erased folders, that still name
	// the person: acc does not edit them.
	Mentions []string
	// RefNames are references whose very name holds the id (a branch named after the
	// person): acc does not rename them.
	RefNames []string
	// Remotes are the configured remotes: their copies keep the data until acc sync
	// pushes the erasure.
	Remotes []string
	// Alternates is true when the repository borrows objects from another one
	// (objects/info/alternates), which acc cannot clean.
	Alternates bool
}

// purgeJournal is what an erasure in progress records, so that a kill leaves nothing
// half done for long.
type purgeJournal struct {
	kind    string // "purge" (commit the record) or "apply"
	ids     []string
	records []string
}

func (s *Store) purgeJournalPath() string { return filepath.Join(s.CommonDir, "acc", "purge") }

func (s *Store) readPurgeJournal() (*purgeJournal, error) {
	data, err := os.ReadFile(s.purgeJournalPath())
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("lecture du journal d'effacement : %w", err)
	}
	j := &purgeJournal{}
	for _, line := range strings.Split(string(data), "\n") {
		k, v, _ := strings.Cut(strings.TrimSpace(line), " ")
		switch k {
		case "kind":
			j.kind = v
		case "id":
			if checkJournalID(v) == nil {
				j.ids = append(j.ids, v)
			}
		case "record":
			if isRecord(v) {
				j.records = append(j.records, v)
			}
		}
	}
	if len(j.ids) == 0 {
		// Nothing left to do with it.
		return nil, os.Remove(s.purgeJournalPath())
	}
	return j, nil
}

// checkJournalID accepts, from the journal, only a plain folder name: the journal is
// read before any policy is at hand (PendingPurge, doctor).
func checkJournalID(id string) error {
	if id == "" || id == "." || id == ".." || strings.ContainsAny(id, "/\\\x00") || strings.HasPrefix(id, ".") {
		return errors.New("identifiant invalide")
	}
	return nil
}

func (s *Store) writePurgeJournal(j *purgeJournal) error {
	var b strings.Builder
	b.WriteString("acc-purge v1\nkind " + j.kind + "\n")
	for _, id := range j.ids {
		b.WriteString("id " + id + "\n")
	}
	for _, r := range j.records {
		b.WriteString("record " + r + "\n")
	}
	if err := writeSmallFile(s.purgeJournalPath(), []byte(b.String())); err != nil {
		return fmt.Errorf("écriture du journal d'effacement : %w", err)
	}
	return nil
}

func (s *Store) removePurgeJournal() error {
	if err := removeDurably(s.purgeJournalPath()); err != nil {
		return fmt.Errorf("suppression du journal d'effacement : %w", err)
	}
	return nil
}

// PendingPurge tells whether an erasure was interrupted (ResumePurge finishes it).
func (s *Store) PendingPurge() bool {
	_, err := os.Stat(s.purgeJournalPath())
	return err == nil
}

func isRecord(s string) bool {
	if len(s) != 64 {
		return false
	}
	_, err := hex.DecodeString(s)
	return err == nil && strings.ToLower(s) == s
}

// PurgeRecords returns the records listed in .acc/purges in commit rev (zero: HEAD), in
// file order. A missing file gives none.
func (s *Store) PurgeRecords(rev Hash) ([]string, error) {
	if rev.IsZero() {
		_, head, err := s.headCommit()
		if err != nil && !errors.Is(err, ErrDetachedHead) {
			return nil, err
		}
		if head.IsZero() {
			return nil, nil
		}
		rev = head
	}
	c, err := s.readCommit(rev)
	if err != nil {
		return nil, err
	}
	e, ok, err := s.lookupPath(c.tree, s.gitPath(PurgeRecordsFile))
	if err != nil || !ok || e.isTree() {
		return nil, err
	}
	data, err := s.readObject(e.hash, plumbing.BlobObject)
	if err != nil {
		return nil, err
	}
	return parseRecords(data), nil
}

func parseRecords(data []byte) []string {
	var out []string
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if f := strings.Fields(line); len(f) > 0 && isRecord(f[0]) {
			out = append(out, f[0])
		}
	}
	return out
}

// MergePurgeRecords returns the content of .acc/purges that holds the records of every
// given version of the file: what acc sync writes when two clones recorded different
// erasures (the lines are independent; the union, sorted, is the same on both sides).
func MergePurgeRecords(versions ...[]byte) []byte {
	var all []string
	for _, v := range versions {
		all = append(all, parseRecords(v)...)
	}
	return formatRecords(all)
}

// formatRecords writes .acc/purges: a French header, then the records sorted, one a line
// (sorted, so that two clones that erased different people merge to the same file).
func formatRecords(records []string) []byte {
	set := map[string]bool{}
	for _, r := range records {
		set[r] = true
	}
	sorted := make([]string, 0, len(set))
	for r := range set {
		sorted = append(sorted, r)
	}
	sort.Strings(sorted)
	var b strings.Builder
	b.WriteString("# Dossiers effacés par « acc purge » (droit à l'effacement, RGPD).\n")
	b.WriteString("# Une empreinte par dossier : elle ne permet de retrouver ni la personne ni son\n")
	b.WriteString("# identifiant sans détenir son dossier. acc sync applique ces effacements aux autres\n")
	b.WriteString("# copies du dépôt. Ne modifiez pas ce fichier à la main.\n")
	for _, r := range sorted {
		b.WriteString(r + "\n")
	}
	return []byte(b.String())
}

// checkPurgeable refuses the states in which an erasure could not reach everything, or
// would break an operation in progress.
func (s *Store) checkPurgeable(snap *refSnapshot) error {
	refuse := func(format string, args ...any) error {
		return &PurgeRefusedError{Msg: fmt.Sprintf(format, args...)}
	}
	if s.GitDir != s.CommonDir {
		return refuse("effacement impossible depuis une copie de travail liée (git worktree) : lancez-le depuis la copie principale %s", filepath.Dir(s.CommonDir))
	}
	if entries, err := os.ReadDir(filepath.Join(s.CommonDir, "worktrees")); err == nil && len(entries) > 0 {
		return refuse("le dépôt a des copies de travail liées (git worktree list) : elles garderaient le dossier ; supprimez-les (git worktree remove) puis recommencez")
	}
	for _, f := range []struct{ name, what string }{
		{"MERGE_HEAD", "une fusion est en cours (git merge --abort, ou terminez-la)"},
		{"CHERRY_PICK_HEAD", "un cherry-pick est en cours"},
		{"REVERT_HEAD", "un revert est en cours"},
		{"REBASE_HEAD", "un rebase est en cours"},
		{"rebase-merge", "un rebase est en cours"},
		{"rebase-apply", "un rebase ou un git am est en cours"},
		{"sequencer", "une suite de cherry-pick ou de revert est en cours"},
		{"BISECT_START", "un git bisect est en cours (git bisect reset)"},
	} {
		if _, err := os.Lstat(filepath.Join(s.GitDir, f.name)); err == nil {
			return refuse("effacement impossible : %s", f.what)
		}
	}
	for _, f := range []string{"journal", "conflit.json"} {
		if _, err := os.Lstat(filepath.Join(s.CommonDir, "acc", "sync", f)); err == nil {
			return &PurgeRefusedError{Msg: "une synchronisation est inachevée ou arrêtée sur un conflit", SyncPending: true}
		}
	}
	if _, err := os.Lstat(filepath.Join(s.CommonDir, "shallow")); err == nil {
		return refuse("effacement impossible dans un clone partiel (shallow) : son historique est incomplet")
	}
	if v, ok := s.config.get("extensions.partialclone"); ok && v != "" {
		return refuse("effacement impossible dans un clone partiel (partial clone)")
	}
	for _, r := range snap.refs {
		if r.name == "refs/stash" {
			return refuse("des modifications sont mises de côté (git stash list) : elles peuvent contenir le dossier ; appliquez-les ou supprimez-les (git stash pop / git stash drop) puis recommencez")
		}
	}
	if _, err := s.headBranch(); err != nil {
		return err
	}
	return nil
}

// reflogCommits returns the commits named by the reflogs that still exist: a commit
// undone by git reset or amended lives on there, with its content.
func (s *Store) reflogCommits() []Hash {
	var out []Hash
	seen := map[Hash]bool{}
	dirs := []string{filepath.Join(s.CommonDir, "logs")}
	if s.GitDir != s.CommonDir {
		dirs = append(dirs, filepath.Join(s.GitDir, "logs"))
	}
	for _, dir := range dirs {
		_ = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return nil
			}
			data, err := os.ReadFile(p)
			if err != nil {
				return nil
			}
			for _, line := range strings.Split(string(data), "\n") {
				f := strings.Fields(line)
				for i := 0; i < 2 && i < len(f); i++ {
					if h, err := ParseHash(f[i]); err == nil && !h.IsZero() && !seen[h] {
						seen[h] = true
						out = append(out, h)
					}
				}
			}
			return nil
		})
	}
	sort.Slice(out, func(i, j int) bool { return bytes.Compare(out[i][:], out[j][:]) < 0 })
	return out
}

// purgeState is what an erasure reads before writing anything.
type purgeState struct {
	pol  *PurgePolicy
	snap *refSnapshot
	hist *history
	scan *folderScan
	dir  string // beneficiaries folder from the Git root
}

func (s *Store) readPurgeState(ctx context.Context, want map[string]bool) (*purgeState, error) {
	pol, err := s.policy()
	if err != nil {
		return nil, err
	}
	s.refreshObjects()
	snap, err := s.listRefs()
	if err != nil {
		return nil, err
	}
	if err := s.checkPurgeable(snap); err != nil {
		return nil, err
	}
	var targets []Hash
	for _, r := range snap.refs {
		targets = append(targets, r.value)
	}
	// Commits that only a reflog names are read too: they may hold the person, and the
	// rewrite must know them to count them (their objects go with the reflogs).
	for _, h := range s.reflogCommits() {
		if typ, _, err := s.readAnyObject(h); err == nil && typ == plumbing.CommitObject {
			targets = append(targets, h)
		}
	}
	hist, err := s.loadHistory(ctx, targets)
	if err != nil {
		return nil, err
	}
	dir := s.gitPath(pol.Dir)
	scan, err := s.scanFolders(ctx, hist, dir, want)
	if err != nil {
		return nil, err
	}
	return &purgeState{pol: pol, snap: snap, hist: hist, scan: scan, dir: dir}, nil
}

// witness returns the file whose content identifies the person's folder in a record: the
// fiche of the first version of the folder, else its first file.
func (s *Store) witness(pol *PurgePolicy, folder Hash) (Hash, bool, error) {
	var blobs []folderBlob
	if err := s.folderBlobs(folder, "", &blobs); err != nil {
		return Hash{}, false, err
	}
	for _, b := range blobs {
		if b.path == pol.Fiche {
			return b.hash, true, nil
		}
	}
	if len(blobs) > 0 {
		return blobs[0].hash, true, nil
	}
	return Hash{}, false, nil
}

// personNames reads the first and last names of every version of the people's fiches:
// in history and on disk.
func (s *Store) personNames(st *purgeState, ids []string) ([][2]string, error) {
	var out [][2]string
	seen := map[Hash]bool{}
	add := func(data []byte) { out = append(out, st.pol.Names(data)...) }
	for _, id := range ids {
		for _, t := range st.scan.folders[id] {
			var blobs []folderBlob
			if err := s.folderBlobs(t, "", &blobs); err != nil {
				return nil, err
			}
			for _, b := range blobs {
				if b.path != st.pol.Fiche || seen[b.hash] {
					continue
				}
				seen[b.hash] = true
				data, err := s.readObject(b.hash, plumbing.BlobObject)
				if err != nil {
					return nil, err
				}
				add(data)
			}
		}
		if data, err := os.ReadFile(s.diskPath(st.dir + "/" + id + "/" + st.pol.Fiche)); err == nil {
			add(data)
		}
	}
	return out, nil
}

// indexHas tells whether the index has entries under folder (from the Git root).
func (s *Store) indexHas(folder string) (bool, error) {
	found := false
	prefix := []byte(folder + "/")
	err := s.readIndex(func(ix *indexFile) error {
		_, err := ix.walk(func(e *rawEntry) bool {
			if bytes.HasPrefix(e.name, prefix) {
				found = true
				return false
			}
			return true
		})
		return err
	})
	return found, err
}

// PlanPurge tells what Purge(id) would erase, without writing anything.
func (s *Store) PlanPurge(ctx context.Context, id string) (out *PurgeReport, err error) {
	err = s.withBulkStorage(func() error {
		out, err = s.planPurge(ctx, id)
		return err
	})
	return out, err
}

func (s *Store) planPurge(ctx context.Context, id string) (*PurgeReport, error) {
	pol, err := s.policy()
	if err != nil {
		return nil, err
	}
	if err := pol.CheckID(id); err != nil {
		return nil, err
	}
	st, err := s.readPurgeState(ctx, map[string]bool{id: true})
	if err != nil {
		return nil, err
	}
	rep, found, err := s.locate(st, id)
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, &PurgeUnknownError{ID: id}
	}
	names, err := s.personNames(st, []string{id})
	if err != nil {
		return nil, err
	}
	ids := map[string]bool{id: true}
	rw := newRewriter(s, hashSink{}, st.dir, ids, newScrubber(st.pol, ids, names, st.scan.all), st.hist)
	rw.markNotes(notesRoots(st.snap, st.hist))
	if err := rw.run(ctx); err != nil {
		return nil, err
	}
	ups, err := refUpdates(rw, st.snap)
	if err != nil {
		return nil, err
	}
	rep.Rewritten, rep.Dropped = rw.rewritten+rw.dropped, rw.dropped
	for _, u := range ups {
		rep.Refs = append(rep.Refs, RefChange{Name: u.name, Old: u.value, New: u.new})
	}
	return rep, nil
}

// locate fills what is known of id before erasing: commits, files, record.
func (s *Store) locate(st *purgeState, id string) (*PurgeReport, bool, error) {
	rep := &PurgeReport{IDs: []string{id}, Commits: st.scan.commits[id]}
	folder := st.dir + "/" + id
	rep.Files = countFiles(s.diskPath(folder))
	inIndex, err := s.indexHas(folder)
	if err != nil {
		return nil, false, err
	}
	if first, ok := st.scan.first[id]; ok {
		blob, ok, err := s.witness(st.pol, first)
		if err != nil {
			return nil, false, err
		}
		if ok {
			rep.Records = []string{PurgeRecordFor(id, blob)}
		}
	}
	s.fillLimits(st, rep, []string{id})
	return rep, rep.Commits > 0 || rep.Files > 0 || inIndex, nil
}

// fillLimits lists what the erasure cannot reach.
func (s *Store) fillLimits(st *purgeState, rep *PurgeReport, ids []string) {
	seen := map[string]bool{}
	for _, v := range s.config.vars {
		if strings.HasPrefix(v.key, "remote.") && strings.HasSuffix(v.key, ".url") {
			name := strings.TrimSuffix(strings.TrimPrefix(v.key, "remote."), ".url")
			if !seen[name] {
				seen[name] = true
				rep.Remotes = append(rep.Remotes, name)
			}
		}
	}
	for _, r := range st.snap.refs {
		for _, id := range ids {
			if strings.Contains(r.name, id) {
				rep.RefNames = append(rep.RefNames, r.name)
				break
			}
		}
	}
	_, err := os.Stat(filepath.Join(s.CommonDir, "objects", "info", "alternates"))
	rep.Alternates = err == nil
}

// refUpdates maps every reference to its rewritten target. A replacement (git replace,
// refs/replace/<name>) of an object the rewrite changed would replace nothing any more:
// it is deleted.
func refUpdates(rw *rewriter, snap *refSnapshot) ([]refUpdate, error) {
	var ups []refUpdate
	for _, r := range snap.refs {
		nv, err := rw.mapTarget(r.value)
		if err != nil {
			return nil, err
		}
		if name, ok := strings.CutPrefix(r.name, "refs/replace/"); ok {
			if old, err := ParseHash(name); err == nil {
				if _, ok := rw.hist.commits[old]; ok && (rw.drop[old] || rw.newOf[old] != old) {
					nv = Hash{}
				}
			}
		}
		if nv != r.value {
			ups = append(ups, refUpdate{gitRef: r, new: nv})
		}
	}
	return ups, nil
}

// Purge erases beneficiary id from the repository (see the comment at the top of this
// file) and commits the record of the erasure as author and committer. The Store must
// hold acc's lock. It fails with *PurgeUnknownError when the id is nowhere, and with
// *PurgeRefusedError when the repository's state would let a copy escape.
func (s *Store) Purge(ctx context.Context, id string, author, committer Signature) (out *PurgeReport, err error) {
	err = s.withBulkStorage(func() error {
		out, err = s.purge(ctx, id, author, committer)
		return err
	})
	return out, err
}

func (s *Store) purge(ctx context.Context, id string, author, committer Signature) (*PurgeReport, error) {
	h, err := s.requireLock()
	if err != nil {
		return nil, err
	}
	pol, err := s.policy()
	if err != nil {
		return nil, err
	}
	if err := pol.CheckID(id); err != nil {
		return nil, err
	}
	j, err := s.readPurgeJournal()
	if err != nil {
		return nil, err
	}
	if j != nil && !(j.kind == "purge" && len(j.ids) == 1 && j.ids[0] == id) {
		if _, err := s.resume(ctx, h, j, author, committer); err != nil {
			return nil, err
		}
		j = nil
	}
	st, err := s.readPurgeState(ctx, map[string]bool{id: true})
	if err != nil {
		return nil, err
	}
	rep, found, err := s.locate(st, id)
	if err != nil {
		return nil, err
	}
	if j != nil && len(rep.Records) == 0 {
		// Resuming: the history no longer holds the folder, the journal has the record.
		rep.Records = j.records
	}
	if !found && j == nil {
		return nil, &PurgeUnknownError{ID: id}
	}
	if err := s.writePurgeJournal(&purgeJournal{kind: "purge", ids: []string{id}, records: rep.Records}); err != nil {
		return nil, err
	}
	if err := s.erase(ctx, h, st, rep, []string{id}, true, author, committer); err != nil {
		return rep, err
	}
	return rep, s.removePurgeJournal()
}

// ApplyPurges erases from this clone every beneficiary that one of records designates
// (the lines of .acc/purges of another clone, see PurgeRecords): it looks, in every commit
// reachable from a reference or a reflog, for a folder one of whose files ever had the
// content the record was made from, and erases those folders as Purge does, without
// committing anything (the record comes with the commit that brought it). Records that
// match nothing here are ignored. The Store must hold acc's lock.
//
// For acc sync: after a fetch, call it with the records that one side has and the other
// lacks (PurgeRecords of the local head and of the fetched head). It rewrites the
// remote-tracking branches too: a remote-tracking branch it moved (Report.Refs) means the
// remote still holds the erased person, and the merged result must be pushed with a lease
// on the value fetched. Calling it with every record is correct too, but reads the whole
// history.
func (s *Store) ApplyPurges(ctx context.Context, records []string) (out *PurgeReport, err error) {
	err = s.withBulkStorage(func() error {
		out, err = s.applyPurges(ctx, records)
		return err
	})
	return out, err
}

func (s *Store) applyPurges(ctx context.Context, records []string) (*PurgeReport, error) {
	h, err := s.requireLock()
	if err != nil {
		return nil, err
	}
	rep := &PurgeReport{}
	if j, err := s.readPurgeJournal(); err != nil {
		return nil, err
	} else if j != nil {
		author, committer, _, _ := s.Identity()
		if rep, err = s.resume(ctx, h, j, author, committer); err != nil {
			return nil, err
		}
	}
	want := map[string]bool{}
	for _, r := range records {
		if isRecord(r) {
			want[r] = true
		}
	}
	if len(want) == 0 {
		return rep, nil
	}
	st, err := s.readPurgeState(ctx, nil)
	if err != nil {
		return nil, err
	}
	ids, matched, err := s.matchRecords(st, want)
	if err != nil {
		return nil, err
	}
	if len(ids) == 0 {
		return rep, nil
	}
	rep = &PurgeReport{IDs: ids, Records: matched}
	s.fillLimits(st, rep, ids)
	for _, id := range ids {
		rep.Files += countFiles(s.diskPath(st.dir + "/" + id))
	}
	if err := s.writePurgeJournal(&purgeJournal{kind: "apply", ids: ids, records: matched}); err != nil {
		return nil, err
	}
	if err := s.erase(ctx, h, st, rep, ids, false, Signature{}, Signature{}); err != nil {
		return rep, err
	}
	return rep, s.removePurgeJournal()
}

// matchRecords finds the ids whose folders match records: for each version of each file
// of each folder, the record it would give.
func (s *Store) matchRecords(st *purgeState, want map[string]bool) (ids, matched []string, err error) {
	for id, trees := range st.scan.folders {
		found := ""
		for _, t := range trees {
			var blobs []folderBlob
			if err := s.folderBlobs(t, "", &blobs); err != nil {
				return nil, nil, err
			}
			for _, b := range blobs {
				if r := PurgeRecordFor(id, b.hash); want[r] {
					found = r
					break
				}
			}
			if found != "" {
				break
			}
		}
		if found != "" {
			ids = append(ids, id)
			matched = append(matched, found)
		}
	}
	sort.Strings(ids)
	sort.Strings(matched)
	return ids, matched, nil
}

// PurgeResidue returns the records, among those given, whose person is still present in
// this clone's history (acc doctor): the erasure was not applied here (a git pull
// instead of acc sync, for instance).
func (s *Store) PurgeResidue(ctx context.Context, records []string) (out []string, err error) {
	err = s.withBulkStorage(func() error {
		out, err = s.purgeResidue(ctx, records)
		return err
	})
	return out, err
}

func (s *Store) purgeResidue(ctx context.Context, records []string) ([]string, error) {
	want := map[string]bool{}
	for _, r := range records {
		want[r] = true
	}
	if len(want) == 0 {
		return nil, nil
	}
	st, err := s.readPurgeState(ctx, nil)
	if err != nil {
		return nil, err
	}
	_, matched, err := s.matchRecords(st, want)
	return matched, err
}

// ResumePurge finishes an erasure that was interrupted (PendingPurge); it returns nil
// when there is none. The Store must hold acc's lock.
func (s *Store) ResumePurge(ctx context.Context, author, committer Signature) (out *PurgeReport, err error) {
	err = s.withBulkStorage(func() error {
		out, err = s.resumePurge(ctx, author, committer)
		return err
	})
	return out, err
}

func (s *Store) resumePurge(ctx context.Context, author, committer Signature) (*PurgeReport, error) {
	h, err := s.requireLock()
	if err != nil {
		return nil, err
	}
	j, err := s.readPurgeJournal()
	if err != nil || j == nil {
		return nil, err
	}
	return s.resume(ctx, h, j, author, committer)
}

func (s *Store) resume(ctx context.Context, h *heldLock, j *purgeJournal, author, committer Signature) (*PurgeReport, error) {
	want := map[string]bool{}
	for _, id := range j.ids {
		want[id] = true
	}
	st, err := s.readPurgeState(ctx, want)
	if err != nil {
		return nil, err
	}
	rep := &PurgeReport{IDs: j.ids, Records: j.records}
	s.fillLimits(st, rep, j.ids)
	for _, id := range j.ids {
		rep.Files += countFiles(s.diskPath(st.dir + "/" + id))
		rep.Commits += st.scan.commits[id]
	}
	if err := s.erase(ctx, h, st, rep, j.ids, j.kind == "purge", author, committer); err != nil {
		return rep, err
	}
	return rep, s.removePurgeJournal()
}

// erase does the writing part of an erasure: rewrite, references, index, work tree,
// reflogs and caches, the record's commit (when commit), then the objects.
func (s *Store) erase(ctx context.Context, h *heldLock, st *purgeState, rep *PurgeReport, ids []string, commit bool, author, committer Signature) error {
	idSet := map[string]bool{}
	for _, id := range ids {
		idSet[id] = true
	}
	names, err := s.personNames(st, ids)
	if err != nil {
		return err
	}
	sc := newScrubber(st.pol, idSet, names, st.scan.all)
	ow := s.newObjectWriter()
	defer ow.discard()
	sink := &writeSink{ow: ow}
	rw := newRewriter(s, sink, st.dir, idSet, sc, st.hist)
	rw.markNotes(notesRoots(st.snap, st.hist))
	if err := rw.run(ctx); err != nil {
		return err
	}
	ups, err := refUpdates(rw, st.snap)
	if err != nil {
		return err
	}
	if err := ow.sync(); err != nil {
		return err
	}
	rep.Rewritten, rep.Dropped = rw.rewritten+rw.dropped, rw.dropped
	s.step("purge-objects")
	if err := s.applyRefUpdates(h, st.snap, ups); err != nil {
		return err
	}
	s.step("purge-refs")
	for _, u := range ups {
		rep.Refs = append(rep.Refs, RefChange{Name: u.name, Old: u.value, New: u.new})
	}
	var folders []string
	for _, id := range ids {
		folders = append(folders, st.dir+"/"+id)
	}
	n, err := s.dropIndexFolders(h, folders, ids)
	if err != nil {
		return err
	}
	rep.IndexEntries = n
	s.step("purge-index")
	for _, f := range folders {
		disk := s.diskPath(f)
		// RemoveAll does not follow a link named as its argument, but it
		// does go through a linked parent (beneficiaires/ -> /elsewhere):
		// never delete outside the work tree.
		if err := checkNoSymlink(s.Root, filepath.FromSlash(f)); err != nil {
			return fmt.Errorf("suppression du dossier %s refusée : %w", f, err)
		}
		if err := os.RemoveAll(disk); err != nil {
			return fmt.Errorf("suppression du dossier %s : %w", f, err)
		}
		if err := syncDir(filepath.Dir(disk)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	inHistory := len(ups) > 0 || rw.rewritten+rw.dropped > 0
	for _, id := range ids {
		inHistory = inHistory || st.scan.commits[id] > 0 || len(st.scan.folders[id]) > 0
	}
	if err := s.dropLocalTraces(inHistory); err != nil {
		return err
	}
	s.step("purge-traces")
	if commit && len(rep.Records) > 0 {
		id, err := s.commitRecords(ctx, rep.Records, author, committer)
		if err != nil {
			return err
		}
		rep.Commit = id
	}
	s.step("purge-commit")
	ps, err := s.prune(ctx, h)
	if err != nil {
		return err
	}
	rep.Objects, rep.Packs = ps.objects, ps.packs
	rep.Mentions = s.mentions(sc)
	return nil
}

// commitRecords adds records to .acc/purges (unless HEAD has them already) in one commit.
func (s *Store) commitRecords(ctx context.Context, records []string, author, committer Signature) (Hash, error) {
	existing, err := s.PurgeRecords(Hash{})
	if err != nil {
		return Hash{}, err
	}
	have := map[string]bool{}
	for _, r := range existing {
		have[r] = true
	}
	var fresh []string
	for _, r := range records {
		if !have[r] {
			fresh = append(fresh, r)
		}
	}
	if len(fresh) == 0 {
		return Hash{}, nil
	}
	var b strings.Builder
	short := make([]string, len(fresh))
	for i, r := range fresh {
		short[i] = r[:12]
	}
	fmt.Fprintf(&b, "purge : dossier effacé (%s)\n\n", strings.Join(short, ", "))
	b.WriteString(casefile.TrailerAction + ": " + casefile.ActionPurge + "\n")
	for _, r := range fresh {
		b.WriteString(TrailerPurge + ": " + r + "\n")
	}
	content := formatRecords(append(existing, fresh...))
	return s.Commit(ctx, []Change{{Path: PurgeRecordsFile, Content: content}}, b.String(), author, committer)
}

// mentions lists the files of the case-file folder, on disk, that still name an erased
// person (another beneficiary's note that quotes them, a report saved in the folder...).
func (s *Store) mentions(sc *scrubber) []string {
	var out []string
	root := s.diskPath(s.Prefix)
	_ = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if d.IsDir() {
			if d.Name() == ".git" {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() {
			return nil
		}
		if fi, err := d.Info(); err != nil || fi.Size() > 8<<20 {
			return nil
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return nil
		}
		rel = filepath.ToSlash(rel)
		if rel == PurgeRecordsFile {
			return nil
		}
		if sc.mentions(rel) {
			out = append(out, rel)
			return nil
		}
		data, err := os.ReadFile(p)
		if err == nil && sc.mentions(string(data)) {
			out = append(out, rel)
		}
		return nil
	})
	return out
}
