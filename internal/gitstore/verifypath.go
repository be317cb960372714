package gitstore

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/acc-formation/acc/casefile"
	"golang.org/x/text/unicode/norm"
)

// Paths from outside.
//
// A shared remote is untrusted: a crafted tree could name ".git/hooks/x", "../x", a
// symlink or a submodule, and a checkout would then write outside the work tree or plant
// a program that Git runs later. Every tree acc did not write itself is therefore checked
// here, before anything of it is written, with Git's verify_path and fsck rules (".", "..",
// ".git" in any spelling a file system reads as ".git": case, trailing dots and spaces,
// NTFS 8.3 short names and alternate data streams, HFS+ ignorable code points) and more:
// no symlink, no submodule, no name Windows cannot write, and inside the case-file
// folder only what a case-file repository holds (DESIGN §2):
//
//	acc.yaml .gitattributes .gitignore   files at the top (any other whose name does
//	                                     not start with ".": a README.md, as examples/)
//	.acc/… conflits/…                    files and folders, safe names
//	beneficiaires/.gitkeep               the folder's placeholder (acc init)
//	beneficiaires/<id>/…                 <id> as casefile.CheckID; its documents (<nom>.md)
//	                                     and what a team keeps beside them (sync and purge
//	                                     handle other files there), no name starting with "."
//	                                     but .gitkeep
//
// Outside the case-file folder (a case-file folder inside a larger repository), only the
// names and modes are checked. One rule engine (pathRules.step) serves both the tree walk
// (incoming commits: verifyCommits) and single paths (checkouts, reads at a revision:
// verifyPath).

// UnsafePathError is a path of a tree that acc refuses to write or read.
type UnsafePathError struct {
	Path   string // Git path, as the tree spells it
	Reason string // French
	Commit Hash   // the commit that holds it, when known
}

func (e *UnsafePathError) Error() string {
	msg := fmt.Sprintf("chemin refusé %q : %s", e.Path, e.Reason)
	if !e.Commit.IsZero() {
		msg += fmt.Sprintf(" (commit %.10s)", e.Commit)
	}
	return msg
}

// Where a tree entry sits.
const (
	psOutside = iota // outside the case-file folder: names and modes only
	psAbove          // a folder on the way down to the case-file folder
	psCase           // the case-file folder
	psFree           // under .acc/ or conflits/
	psBenefs         // beneficiaires/
	psBenef          // beneficiaires/<id>/
)

type pathState struct {
	kind  uint8
	depth uint16 // psAbove: how many components of the prefix are behind
}

type pathRules struct {
	prefix []string // the case-file folder from the Git root; nil at the root
}

func (s *Store) pathRules() pathRules {
	if s.Prefix == "" {
		return pathRules{}
	}
	return pathRules{prefix: strings.Split(s.Prefix, "/")}
}

func (r pathRules) root() pathState {
	if len(r.prefix) == 0 {
		return pathState{kind: psCase}
	}
	return pathState{kind: psAbove}
}

// caseLayout is the French summary of what a case-file folder holds, for messages.
const caseLayout = "un dépôt de dossiers ne contient, outre des fichiers à sa racine (acc.yaml…), que .gitattributes, .gitignore, .acc/, beneficiaires/<id>/… et conflits/"

// step checks the entry name (mode as in a tree) in a folder whose state is st, and
// returns the state of its content (for a folder). reason is "" when it is accepted.
func (r pathRules) step(st pathState, name, mode string) (next pathState, reason string) {
	if reason := badName(name); reason != "" {
		return st, reason
	}
	isTree := mode == modeTree
	switch mode {
	case modeTree, modeFile, modeExec, "100664":
	case modeSymlink:
		return st, "lien symbolique (acc n'écrit que des fichiers ordinaires)"
	case modeGitlink:
		return st, "sous-module Git (gitlink)"
	default:
		return st, fmt.Sprintf("mode Git inconnu %q", mode)
	}
	if strings.EqualFold(name, ".gitmodules") {
		return st, "fichier .gitmodules (sous-modules refusés)"
	}
	if st.kind != psOutside && st.kind != psAbove && mode == modeExec {
		return st, "fichier exécutable dans le dossier des dossiers d'accompagnement"
	}
	switch st.kind {
	case psOutside:
		return st, ""
	case psAbove:
		if isTree && name == r.prefix[st.depth] {
			if int(st.depth)+1 == len(r.prefix) {
				return pathState{kind: psCase}, ""
			}
			return pathState{kind: psAbove, depth: st.depth + 1}, ""
		}
		return pathState{kind: psOutside}, ""
	case psCase:
		switch {
		case !isTree && (name == ".gitattributes" || name == ".gitignore"):
			return st, ""
		case !isTree && !strings.HasPrefix(name, ".") && name != casefile.BeneficiariesDir && name != conflictsDir:
			return st, "" // acc.yaml, and a README.md as in the project's examples/
		case isTree && (name == casefile.AccDir || name == conflictsDir):
			return pathState{kind: psFree}, ""
		case isTree && name == casefile.BeneficiariesDir:
			return pathState{kind: psBenefs}, ""
		}
		return st, caseLayout
	case psFree:
		if hasGitPrefix(name) {
			return st, "fichier de réglage Git hors de la racine du dépôt"
		}
		return pathState{kind: psFree}, ""
	case psBenefs:
		switch {
		case !isTree && name == ".gitkeep":
			return st, ""
		case isTree && casefile.CheckID(name) == nil:
			return pathState{kind: psBenef}, ""
		case isTree:
			return st, "nom de dossier de bénéficiaire invalide (a-z, 0-9 et tirets, 64 caractères au plus)"
		}
		return st, caseLayout
	case psBenef:
		switch {
		case !isTree && name == ".gitkeep":
			return st, ""
		case strings.HasPrefix(name, "."):
			return st, "nom commençant par un point dans un dossier de bénéficiaire"
		}
		return pathState{kind: psFree}, ""
	}
	return st, "emplacement inconnu"
}

// conflictsDir is where acc sync writes the remote versions of conflicting files.
const conflictsDir = "conflits"

func hasGitPrefix(name string) bool {
	return len(name) >= 4 && strings.EqualFold(name[:4], ".git")
}

// badName returns why a single tree entry name must never reach a file system, "" when
// it may. Git's verify_path and fsck refuse ".", "..", names with "/" and ".git" in
// every spelling (verify_dotfile, is_ntfs_dotgit, is_hfs_dotgit); this refuses more:
// what Windows cannot write or would read as another name (":", "\", "<>\"|?*", trailing
// dots and spaces, 8.3 short names such as BENEFI~1, device names such as NUL or
// aux.md), control characters, invalid
// UTF-8, and the code points HFS+ ignores.
func badName(name string) string {
	switch {
	case name == "":
		return "nom vide"
	case name == "." || name == "..":
		return "« . » ou « .. »"
	case strings.IndexByte(name, '/') >= 0:
		return "nom contenant « / »"
	case strings.IndexByte(name, 0) >= 0:
		return "nom contenant un caractère nul"
	}
	if isDotGit(name) {
		return "équivaut à .git pour un système de fichiers (historique et crochets Git)"
	}
	if !utf8.ValidString(name) {
		return "nom qui n'est pas de l'UTF-8 valide"
	}
	for _, c := range name {
		switch {
		case c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0):
			return "nom contenant un caractère de contrôle"
		case hfsIgnorable(c):
			return "nom contenant un caractère invisible qu'ignore HFS+ (macOS)"
		case strings.ContainsRune(`\:<>"|?*`, c):
			return fmt.Sprintf("nom contenant « %c », interdit sous Windows (séparateur, flux NTFS)", c)
		}
	}
	if last := name[len(name)-1]; last == '.' || last == ' ' {
		return "nom finissant par un point ou une espace (Windows les retire)"
	}
	if isShortName(name) {
		return "nom court 8.3 de Windows (comme GIT~1), qui peut désigner un autre fichier"
	}
	if casefile.WindowsReserved(name) {
		return "nom réservé par Windows à un périphérique (con, prn, aux, nul, com1 à com9, lpt1 à lpt9, avec ou sans extension)"
	}
	return ""
}

// isDotGit tells whether a file system may read name as ".git": case folded (NTFS,
// HFS+, APFS), HFS+ ignorable code points dropped, trailing dots and spaces and an NTFS
// stream (".git::$INDEX_ALLOCATION") cut, and the short names NTFS gives ".git"
// (GIT~1, and GI7EBA~1 as Git's is_ntfs_dotgit knows them).
func isDotGit(name string) bool {
	var b strings.Builder
	for _, c := range name {
		if !hfsIgnorable(c) {
			b.WriteRune(c)
		}
	}
	n := b.String()
	if i := strings.IndexByte(n, ':'); i >= 0 {
		n = n[:i]
	}
	n = strings.TrimRight(n, ". ")
	if strings.EqualFold(n, ".git") {
		return true
	}
	if i := strings.IndexByte(n, '~'); i > 0 && isDigits(n[i+1:]) {
		base := strings.ToLower(n[:i])
		return base == "git" || strings.HasPrefix(base, "gi7eb")
	}
	return false
}

// isShortName tells whether name has the shape of an NTFS 8.3 short name ("NAME~1",
// "NAME~1.EXT"), which Windows may resolve to another, longer name.
func isShortName(name string) bool {
	base := name
	if i := strings.LastIndexByte(base, '.'); i > 0 {
		base = base[:i]
	}
	i := strings.LastIndexByte(base, '~')
	return i >= 0 && isDigits(base[i+1:])
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// hfsIgnorable: the code points HFS+ drops when it compares names (Git's
// is_hfs_dotgit, utf8.c next_hfs_char).
func hfsIgnorable(c rune) bool {
	switch {
	case c >= 0x200c && c <= 0x200f, c >= 0x202a && c <= 0x202e, c >= 0x206a && c <= 0x206f, c == 0xfeff:
		return true
	}
	return false
}

// verifyPath checks one Git path with the mode it has in a tree (a checkout, a read at
// a revision).
func (s *Store) verifyPath(gp, mode string) error {
	r := s.pathRules()
	st := r.root()
	parts := strings.Split(gp, "/")
	for i, name := range parts {
		m := modeTree
		if i == len(parts)-1 {
			m = mode
		}
		var reason string
		if st, reason = r.step(st, name, m); reason != "" {
			return &UnsafePathError{Path: strings.Join(parts[:i+1], "/"), Reason: reason}
		}
	}
	return nil
}

// pathVerifier checks trees from outside, each (tree, place) once.
type pathVerifier struct {
	s     *Store
	rules pathRules
	done  map[verifiedTree]bool
	// The trees read for the previous commit and for this one: a commit's base is
	// usually the commit checked just before, whose large trees (beneficiaires/) are
	// then not read and parsed twice.
	prev, cur map[Hash][]treeEntry
	root      pathState
	// report, when set, receives each unsafe entry and the walk goes on past it (acc
	// doctor lists them all); otherwise the first one ends the walk.
	report func(*UnsafePathError)
	// current is the commit whose tree is being checked.
	current Hash
}

type verifiedTree struct {
	tree Hash
	st   pathState
}

func (s *Store) newPathVerifier() *pathVerifier {
	r := s.pathRules()
	return &pathVerifier{s: s, rules: r, root: r.root(), done: map[verifiedTree]bool{}, cur: map[Hash][]treeEntry{}}
}

// namesOnly makes v check names and modes only, as outside the case-file folder.
func (v *pathVerifier) namesOnly() { v.root = pathState{kind: psOutside} }

func (v *pathVerifier) entries(t Hash) ([]treeEntry, error) {
	if e, ok := v.cur[t]; ok {
		return e, nil
	}
	e, ok := v.prev[t]
	if !ok {
		var err error
		if e, err = v.s.treeEntries(t); err != nil {
			return nil, err
		}
	}
	v.cur[t] = e
	return e, nil
}

// commit checks the tree of commit c against base, the tree of its first parent (zero
// for a root commit): entries identical to the base's (same name, mode and object) are
// skipped, the base being either checked already or local history. A clone therefore
// checks its first commit whole and every later one by its changes, and a sync only
// what the commits it receives change: the cost follows the trees received, as Git's
// fsck of a fetch does.
func (v *pathVerifier) commit(c, tree, base Hash) error {
	defer func() { v.prev, v.cur = v.cur, make(map[Hash][]treeEntry, len(v.cur)) }()
	v.current = c
	return v.tree(tree, base, v.root, "")
}

// unsafe ends the walk with ue, or hands it to v.report and lets the walk go on.
func (v *pathVerifier) unsafe(ue *UnsafePathError) error {
	ue.Commit = v.current
	if v.report == nil {
		return ue
	}
	v.report(ue)
	return nil
}

func (v *pathVerifier) tree(t, base Hash, st pathState, dir string) error {
	if t == base || v.done[verifiedTree{t, st}] {
		return nil
	}
	entries, err := v.entries(t)
	if err != nil {
		return err
	}
	var baseEntries []treeEntry
	if !base.IsZero() {
		if baseEntries, err = v.entries(base); err != nil {
			return err
		}
	}
	// Names that differ only by case are one file on macOS and Windows, and names that
	// differ only by Unicode normalisation ("é" as one code point, NFC, or as "e" and a
	// combining accent, NFD) are one file on macOS: one would overwrite the other.
	// Beneficiaries' ids are lowercase ASCII already, and outside the case-file folder
	// Git's own rules apply.
	var folded map[string]string
	if st.kind == psCase || st.kind == psFree || st.kind == psBenef {
		folded = make(map[string]string, len(entries))
	}
	j := 0
	prev := ""
	for i, e := range entries {
		p := e.name
		if dir != "" {
			p = dir + "/" + e.name
		}
		next, reason := v.rules.step(st, e.name, e.mode)
		if reason != "" {
			if err := v.unsafe(&UnsafePathError{Path: strings.Clone(p), Reason: reason}); err != nil {
				return err
			}
			continue
		}
		// Git sorts entries by name, a folder's name read with a "/" after it: out of
		// order or twice, a name could stand for two contents (fsck: duplicateEntries,
		// treeNotSorted).
		key := e.name
		if e.isTree() {
			key += "/"
		}
		if i > 0 && key <= prev {
			if err := v.unsafe(&UnsafePathError{Path: strings.Clone(p), Reason: "entrée en double ou mal triée dans l'objet tree"}); err != nil {
				return err
			}
			continue
		}
		prev = key
		if folded != nil {
			k := strings.ToLower(norm.NFC.String(e.name))
			if other, ok := folded[k]; ok {
				ue := &UnsafePathError{Path: strings.Clone(p), Reason: fmt.Sprintf("même nom que %q une fois les accents écrits de la même façon "+
					"(normalisation Unicode NFC/NFD : un seul fichier sous macOS)", other)}
				if strings.EqualFold(other, e.name) {
					ue.Reason = fmt.Sprintf("même nom que %q à la casse près (un seul fichier sous macOS et Windows)", other)
				}
				if err := v.unsafe(ue); err != nil {
					return err
				}
				continue
			}
			folded[k] = e.name
		}
		// Both lists are in Git's order: the base entry of the same name, if any, is
		// found by moving forward only.
		var b *treeEntry
		for j < len(baseEntries) {
			bk := baseEntries[j].name
			if baseEntries[j].isTree() {
				bk += "/"
			}
			if bk < key {
				j++
				continue
			}
			if bk == key {
				b = &baseEntries[j]
			}
			break
		}
		if b != nil && b.mode == e.mode && b.hash == e.hash {
			continue
		}
		if e.isTree() {
			var bt Hash
			if b != nil && b.isTree() {
				bt = b.hash
			}
			if err := v.tree(e.hash, bt, next, p); err != nil {
				return err
			}
		}
	}
	v.done[verifiedTree{t, st}] = true
	return nil
}

// verifyCommits checks the trees of commits (in any order) against their first
// parents'. Parents outside the list must be trusted: local history, or checked before.
func (s *Store) verifyCommits(g *commitGraph, commits []Hash) error {
	return s.newPathVerifier().commits(g, commits)
}

// commits checks each commit's tree against its first parent's.
func (v *pathVerifier) commits(g *commitGraph, commits []Hash) error {
	for _, c := range commits {
		rc, err := g.get(c)
		if err != nil {
			return err
		}
		var base Hash
		if len(rc.parents) > 0 {
			p, err := g.get(rc.parents[0])
			if err != nil {
				return err
			}
			base = p.tree
		}
		if err := v.commit(c, rc.tree, base); err != nil {
			return err
		}
	}
	return nil
}

// verifyIncoming checks the commits reachable from remote that the current branch does
// not hold: what a fetch brought.
func (s *Store) verifyIncoming(remote Hash) error {
	_, local, err := s.headCommit()
	if err != nil {
		return err
	}
	g := newCommitGraph(s)
	flags, _, err := g.paint(remote, local)
	if err != nil {
		return err
	}
	commits, err := g.only(flags, flagA, remote)
	if err != nil {
		return err
	}
	return s.verifyCommits(g, commits)
}

// checkCaseLayout checks a path relative to the case-file folder with the rules a
// received tree meets (step), folders on the way and the last component either a
// regular file or a folder. The error names the whole path.
func checkCaseLayout(p string) error {
	var r pathRules
	st := r.root()
	parts := strings.Split(p, "/")
	for i, name := range parts {
		next, reason := r.step(st, name, modeTree)
		if reason != "" && i == len(parts)-1 {
			next, reason = r.step(st, name, modeFile)
		}
		if reason != "" {
			return &UnsafePathError{Path: p, Reason: reason}
		}
		st = next
	}
	return nil
}

// checkNames checks each component of a slash path with badName alone (a ref name).
func checkNames(p string) error {
	for _, name := range strings.Split(p, "/") {
		if reason := badName(name); reason != "" {
			return &UnsafePathError{Path: p, Reason: reason}
		}
	}
	return nil
}
