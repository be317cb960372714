package gitstore

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"time"

	"github.com/gofrs/flock"
)

// Health checks of a repository (acc doctor): who can read the files, how the remotes are
// reached, locks left behind, the index, the history, erasures not applied here. Checks
// only read: they never take acc's lock (a probe of the lock is released at once) and
// never repair; each says what to do.

// CheckStatus is the outcome of a check.
type CheckStatus int

const (
	CheckOK      CheckStatus = iota // nothing to do
	CheckWarning                    // worth a look, no harm done yet
	CheckProblem                    // something to fix
)

// Check is one line of acc doctor's report. Messages are French.
type Check struct {
	ID      string // stable: permissions, transport, verrou, index, historique, effacements...
	Status  CheckStatus
	Message string
	Details []string // examples (paths, remotes), at most a few
	Advice  string   // what to do, when something is to be done
}

// DoctorOptions tunes the checks.
type DoctorOptions struct {
	// Shared is true when acc.yaml says permissions: partagees: the group may read.
	Shared bool
	// StaleAfter is the age from which a Git lock file counts as abandoned (default 10
	// minutes).
	StaleAfter time.Duration
}

// Doctor runs the repository's checks, in a fixed order.
func (s *Store) Doctor(ctx context.Context, opt DoctorOptions) []Check {
	if opt.StaleAfter == 0 {
		opt.StaleAfter = 10 * time.Minute
	}
	return []Check{
		s.checkPermissions(opt),
		s.checkTransport(),
		s.checkLocks(opt),
		s.checkIndex(),
		s.checkHistory(),
		s.checkPaths(),
		s.checkPurges(ctx),
	}
}

const maxDetails = 5

func addDetail(c *Check, d string) {
	if len(c.Details) < maxDetails {
		c.Details = append(c.Details, d)
	}
}

// ancestorsOpen tells whether every folder above dir lets others (and the group) through,
// and names the first one that does not. Tests replace it.
var ancestorsOpen = func(dir string) (others, group bool, blocker string) {
	others, group = true, true
	for d := filepath.Dir(dir); ; d = filepath.Dir(d) {
		fi, err := os.Stat(d)
		if err == nil {
			m := fi.Mode().Perm()
			if m&0o001 == 0 && others {
				others = false
				blocker = d
			}
			if m&0o011 == 0 {
				group = false
				if blocker == "" {
					blocker = d
				}
			}
		}
		if filepath.Dir(d) == d {
			return others, group, blocker
		}
	}
}

// gitDataPaths are the parts of the git dir that hold the case files' content or names.
var gitDataPaths = []string{"objects", "index", "logs", "acc", "rr-cache", "COMMIT_EDITMSG", "MERGE_MSG", "SQUASH_MSG", "FETCH_HEAD"}

// checkPermissions looks for files with personal data (the case-file folder, the Git
// objects, the index, the reflogs, acc's caches) that other users of the machine can
// read: the file's bits and those of every folder from the work tree's root down. Folders
// above the repository count too, but only to tell a problem (readable now) from a
// warning (protected only by a folder outside the repository: moving the repository or
// opening that folder would expose it).
func (s *Store) checkPermissions(opt DoctorOptions) Check {
	c := Check{ID: "permissions"}
	if runtime.GOOS == "windows" {
		c.Message = "non vérifiées sous Windows (droits NTFS)"
		return c
	}
	a := &permAudit{s: s, shared: opt.Shared}
	a.ancOthers, a.ancGroup, a.blocker = ancestorsOpen(s.Root)
	rootFI, err := os.Stat(s.Root)
	if err != nil {
		c.Status, c.Message = CheckProblem, fmt.Sprintf("dossier du dépôt illisible : %v", err)
		return c
	}
	a.rootMode = rootFI.Mode().Perm()
	a.walkCases()
	a.walkGit()
	a.report(&c)
	return c
}

// permAudit is one permissions check: the walks of the case-file folder and the git
// dir, and the files they found open. Paths are relative to the work tree's root.
type permAudit struct {
	s                   *Store
	shared              bool // permissions: partagees: the group may read
	ancOthers, ancGroup bool // the folders above the root let others, the group through
	blocker             string
	rootMode            fs.FileMode
	// exposedNow are readable now; exposedLater only behind a folder above the root.
	exposedNow, exposedLater []string
}

// open reports whether a file with mode m, behind folders that let others (the group)
// through, is open to people it should not be.
func (a *permAudit) open(m fs.FileMode, othersThrough, groupThrough bool) bool {
	if othersThrough && m&0o006 != 0 {
		return true
	}
	return !a.shared && groupThrough && m&0o060 != 0
}

// chain tells whether the folders from the root down to to (excluded) let others and
// the group through.
func (a *permAudit) chain(to string) (bool, bool) {
	root := a.s.Root
	o, g := a.rootMode&0o001 != 0, a.rootMode&0o011 != 0
	rel, err := filepath.Rel(root, to)
	if err != nil || rel == "." {
		return o, g
	}
	d := root
	for _, part := range strings.Split(rel, string(filepath.Separator)) {
		d = filepath.Join(d, part)
		if d == to {
			break
		}
		fi, err := os.Stat(d)
		if err != nil {
			return false, false
		}
		m := fi.Mode().Perm()
		o, g = o && m&0o001 != 0, g && m&0o011 != 0
	}
	return o, g
}

// walkCases visits the case-file folder (without a .git inside it).
func (a *permAudit) walkCases() {
	caseRoot := a.s.diskPath(a.s.Prefix)
	o, g := a.chain(caseRoot)
	if caseRoot == a.s.Root {
		o, g = true, true // the walk reads the root's own bits
	}
	a.visit(caseRoot, o, g, true)
}

// walkGit visits the parts of the git dir that hold personal data.
func (a *permAudit) walkGit() {
	for _, part := range gitDataPaths {
		p := filepath.Join(a.s.CommonDir, part)
		if _, err := os.Lstat(p); err != nil {
			continue
		}
		o, g := a.chain(filepath.Dir(p))
		if filepath.Dir(p) == a.s.Root {
			o, g = a.rootMode&0o001 != 0, a.rootMode&0o011 != 0
		} else if gd, err := os.Stat(filepath.Dir(p)); err == nil {
			m := gd.Mode().Perm()
			o, g = o && m&0o001 != 0, g && m&0o011 != 0
		}
		a.visit(p, o, g, false)
	}
}

// visit walks root, whose parent lets others (the group) through as told, and records
// every regular file open to people it should not be.
func (a *permAudit) visit(root string, rootThroughO, rootThroughG bool, skipGit bool) {
	type state struct{ o, g bool }
	through := map[string]state{filepath.Dir(root): {rootThroughO, rootThroughG}}
	_ = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if skipGit && d.IsDir() && d.Name() == ".git" {
			return filepath.SkipDir
		}
		fi, err := d.Info()
		if err != nil {
			return nil
		}
		parent := through[filepath.Dir(p)]
		m := fi.Mode().Perm()
		if d.IsDir() {
			through[p] = state{parent.o && m&0o001 != 0, parent.g && m&0o011 != 0}
			return nil
		}
		if !fi.Mode().IsRegular() || !a.open(m, parent.o, parent.g) {
			return nil
		}
		rel, _ := filepath.Rel(a.s.Root, p)
		if (a.ancOthers && parent.o && m&0o006 != 0) || (!a.shared && a.ancGroup && parent.g && m&0o060 != 0) {
			a.exposedNow = append(a.exposedNow, rel)
		} else {
			a.exposedLater = append(a.exposedLater, rel)
		}
		return nil
	})
}

// describe counts paths as case files and Git files, and lists them, case files first:
// they are what the examples must show.
func (a *permAudit) describe(paths []string) (string, []string) {
	gitDir := a.s.CommonDir + string(filepath.Separator)
	var cases, git []string
	for _, p := range paths {
		if strings.HasPrefix(filepath.Join(a.s.Root, p), gitDir) {
			git = append(git, p)
		} else {
			cases = append(cases, p)
		}
	}
	sort.Strings(cases)
	sort.Strings(git)
	var parts []string
	if len(cases) > 0 {
		parts = append(parts, fmt.Sprintf("%d fichier(s) de dossiers", len(cases)))
	}
	if len(git) > 0 {
		parts = append(parts, fmt.Sprintf("%d fichier(s) de l'historique Git (.git)", len(git)))
	}
	return strings.Join(parts, " et "), append(cases, git...)
}

// report fills in c: a problem for files readable now, a warning for files protected
// only by a folder above the repository.
func (a *permAudit) report(c *Check) {
	who := "vous seul"
	fix := "chmod -R go-rwx " + shellQuote(a.s.Root)
	audience := "d'autres utilisateurs de cette machine (groupe ou tous)"
	if a.shared {
		who = "vous et votre groupe (permissions : partagees)"
		fix = "chmod -R o-rwx " + shellQuote(a.s.Root)
		audience = "les autres utilisateurs de cette machine"
	}
	switch {
	case len(a.exposedNow) > 0:
		what, list := a.describe(a.exposedNow)
		c.Status = CheckProblem
		c.Message = fmt.Sprintf("%s sont lisibles ou modifiables par %s", what, audience)
		for _, p := range list {
			addDetail(c, p)
		}
		c.Advice = fix
	case len(a.exposedLater) > 0:
		what, list := a.describe(a.exposedLater)
		c.Status = CheckWarning
		c.Message = fmt.Sprintf("%s sont ouverts à %s, protégés seulement par le dossier %s, hors du dépôt : déplacer le dépôt ou ouvrir ce dossier les exposerait",
			what, audience, a.blocker)
		for _, p := range list {
			addDetail(c, p)
		}
		c.Advice = fix
	default:
		c.Message = "dossiers et historique Git lisibles par " + who
	}
}

func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/._-") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// doctorRemoteURLs returns the remotes' addresses (url and pushurl), by remote name, with
// url.<base>.insteadOf applied as Git does.
func (s *Store) doctorRemoteURLs() (map[string][]string, error) {
	cfg, err := s.fullConfig()
	if err != nil {
		return nil, err
	}
	instead := map[string]string{} // prefix -> base
	for _, v := range cfg.vars {
		if strings.HasPrefix(v.key, "url.") && strings.HasSuffix(v.key, ".insteadof") {
			instead[v.value] = strings.TrimSuffix(strings.TrimPrefix(v.key, "url."), ".insteadof")
		}
	}
	rewrite := func(u string) string {
		best := ""
		for p := range instead {
			if strings.HasPrefix(u, p) && len(p) > len(best) {
				best = p
			}
		}
		if best == "" {
			return u
		}
		return instead[best] + u[len(best):]
	}
	out := map[string][]string{}
	for _, v := range s.config.vars {
		if !strings.HasPrefix(v.key, "remote.") {
			continue
		}
		for _, suffix := range []string{".url", ".pushurl"} {
			if strings.HasSuffix(v.key, suffix) {
				name := strings.TrimSuffix(strings.TrimPrefix(v.key, "remote."), suffix)
				out[name] = append(out[name], rewrite(v.value))
			}
		}
	}
	return out, nil
}

// checkTransport refuses remotes that carry personal data in clear over the network
// (http://, git:// to another machine) or that keep a password in .git/config.
func (s *Store) checkTransport() Check {
	c := Check{ID: "transport"}
	remotes, err := s.doctorRemoteURLs()
	if err != nil {
		c.Status, c.Message = CheckProblem, err.Error() // names the file, and that Git cannot read it
		return c
	}
	if len(remotes) == 0 {
		c.Message = "aucun dépôt distant : les dossiers ne quittent pas cette machine (pensez aux sauvegardes)"
		return c
	}
	names := make([]string, 0, len(remotes))
	for n := range remotes {
		names = append(names, n)
	}
	sort.Strings(names)
	var ok []string
	for _, n := range names {
		for _, u := range remotes[n] {
			shown := RedactURL(u)
			var insecure *InsecureURLError
			switch err := CheckRemoteURL(u); {
			case URLHasPassword(u):
				c.Status = CheckProblem
				addDetail(&c, fmt.Sprintf("%s : %s — mot de passe ou jeton écrit en clair dans .git/config", n, shown))
				c.Advice = "retirez le mot de passe ou le jeton de l'adresse (git remote set-url " + n + " …) et donnez-le dans ACC_GIT_TOKEN, ou passez par ssh://"
			case errors.As(err, &insecure):
				c.Status = CheckProblem
				addDetail(&c, fmt.Sprintf("%s : %s — %s:// n'est pas chiffré", n, shown, insecure.Scheme))
				if c.Advice == "" {
					c.Advice = "passez à https:// ou ssh:// : git remote set-url " + n + " https://…"
				}
			case err != nil:
				if c.Status < CheckWarning {
					c.Status = CheckWarning
				}
				addDetail(&c, fmt.Sprintf("%s : %s — protocole inconnu d'acc (acc sync le refusera)", n, shown))
			default:
				ok = append(ok, n)
			}
		}
	}
	switch c.Status {
	case CheckProblem:
		c.Message = "un dépôt distant expose les dossiers (transport non chiffré ou mot de passe, jeton en clair)"
	case CheckWarning:
		c.Message = "un dépôt distant a une adresse qu'acc ne sait pas vérifier"
	default:
		c.Message = "dépôts distants joints par un transport chiffré ou local : " + strings.Join(uniq(ok), ", ")
	}
	return c
}

func uniq(in []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, v := range in {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}

// checkLocks looks at acc's lock (held by a running acc, or left by one that died) and
// at Git's lock files (index.lock, refs' .lock files...).
func (s *Store) checkLocks(opt DoctorOptions) Check {
	c := Check{ID: "verrou"}
	var notes []string
	if data, err := os.ReadFile(s.infoPath()); err == nil {
		fl := flock.New(s.lockPath(), flock.SetFlag(os.O_RDWR))
		got, lerr := fl.TryLock()
		defer fl.Close()
		switch {
		case lerr != nil:
		case !got:
			h := readHolder(s.infoPath())
			notes = append(notes, "une commande acc est en cours ("+h.Error()+")")
		default:
			_ = fl.Unlock()
			if len(strings.TrimSpace(string(data))) > 0 {
				h := parseHolder(data)
				c.Status = CheckWarning
				addDetail(&c, fmt.Sprintf("verrou acc laissé par le processus %d, arrêté sans le libérer", h.PID))
				c.Advice = "la prochaine commande acc qui écrit le lèvera et terminera ou annulera ce qui était en cours (acc commit, par exemple)"
			}
		}
	}
	var locks []string
	for _, p := range []string{filepath.Join(s.GitDir, "index.lock"), filepath.Join(s.GitDir, "HEAD.lock"),
		filepath.Join(s.CommonDir, "packed-refs.lock"), filepath.Join(s.CommonDir, "config.lock"),
		filepath.Join(s.CommonDir, "shallow.lock")} {
		if _, err := os.Lstat(p); err == nil {
			locks = append(locks, p)
		}
	}
	_ = filepath.WalkDir(filepath.Join(s.CommonDir, "refs"), func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(d.Name(), ".lock") {
			locks = append(locks, p)
		}
		return nil
	})
	now := s.now()
	for _, p := range locks {
		fi, err := os.Lstat(p)
		if err != nil {
			continue
		}
		rel, _ := filepath.Rel(s.Root, p)
		age := now.Sub(fi.ModTime())
		if age >= opt.StaleAfter {
			c.Status = CheckProblem
			addDetail(&c, fmt.Sprintf("%s, laissé depuis %s", rel, fi.ModTime().Local().Format("2006-01-02 15:04")))
			c.Advice = "si aucune commande git ne tourne, supprimez ce fichier de verrou Git (rm " + shellQuote(p) + ")"
		} else {
			if c.Status < CheckWarning {
				c.Status = CheckWarning
			}
			addDetail(&c, rel+" : une commande git est peut-être en cours")
		}
	}
	switch c.Status {
	case CheckProblem:
		c.Message = "un fichier de verrou Git abandonné bloque les enregistrements"
	case CheckWarning:
		c.Message = "un verrou est à surveiller"
	default:
		c.Message = "aucun verrou abandonné"
		if len(notes) > 0 {
			c.Message += " ; " + strings.Join(notes, " ; ")
		}
	}
	return c
}

// checkIndex reads the index as acc does (checksum, entries) and looks for the formats acc
// does not write.
func (s *Store) checkIndex() Check {
	c := Check{ID: "index"}
	var entries uint32
	var exts []string
	err := s.readIndex(func(ix *indexFile) error {
		entries = ix.count
		data := ix.data
		if len(data) == 0 {
			return nil
		}
		off, end := ix.entriesEnd, len(data)-indexTrailerSize
		for off+8 <= end {
			exts = append(exts, string(data[off:off+4]))
			off += 8 + int(uint32(data[off+4])<<24|uint32(data[off+5])<<16|uint32(data[off+6])<<8|uint32(data[off+7]))
		}
		return nil
	})
	var corrupt *IndexCorruptError
	switch {
	case errors.As(err, &corrupt):
		c.Status, c.Message = CheckProblem, "index Git illisible : "+corrupt.Msg
		c.Advice = "git reset (reconstruit l'index depuis le dernier commit ; vos fichiers ne sont pas touchés)"
		return c
	case err != nil:
		c.Status, c.Message = CheckProblem, fmt.Sprintf("index Git illisible : %v", err)
		return c
	}
	for _, e := range exts {
		switch e {
		case "link":
			c.Status, c.Message = CheckWarning, "index scindé (split index) : acc ne peut pas y enregistrer"
			c.Advice = "git update-index --no-split-index"
			return c
		case "sdir":
			c.Status, c.Message = CheckWarning, "index creux (sparse index) : acc ne peut pas y enregistrer"
			c.Advice = "git sparse-checkout disable"
			return c
		}
	}
	c.Message = fmt.Sprintf("index lisible (%d entrées)", entries)
	return c
}

// checkHistory is a light fsck: HEAD names a branch whose commit and tree can be read,
// and every reference names an object that exists.
func (s *Store) checkHistory() Check {
	c := Check{ID: "historique"}
	branch, head, err := s.headCommit()
	switch {
	case errors.Is(err, ErrDetachedHead):
		c.Status, c.Message = CheckWarning, "HEAD détachée : acc n'enregistre que sur une branche"
		c.Advice = "git switch main (ou le nom de votre branche)"
		return c
	case err != nil:
		c.Status, c.Message = CheckProblem, fmt.Sprintf("HEAD illisible : %v", err)
		return c
	case head.IsZero():
		c.Status, c.Message = CheckWarning, "la branche "+strings.TrimPrefix(branch, "refs/heads/")+" n'a encore aucun commit"
		return c
	}
	commit, err := s.readCommit(head)
	if err == nil {
		_, err = s.treeEntries(commit.tree)
	}
	if err != nil {
		c.Status, c.Message = CheckProblem, fmt.Sprintf("le dernier commit est illisible : %v", err)
		c.Advice = "git fsck --full pour voir l'étendue des dégâts ; restaurez depuis une sauvegarde ou le dépôt partagé"
		return c
	}
	snap, err := s.listRefs()
	if err != nil {
		c.Status, c.Message = CheckProblem, err.Error()
		return c
	}
	for _, r := range snap.refs {
		if _, _, err := s.readAnyObject(r.value); err != nil {
			c.Status = CheckProblem
			addDetail(&c, fmt.Sprintf("%s → %s introuvable", r.name, r.value.String()[:10]))
		}
	}
	if c.Status == CheckProblem {
		c.Message = "des références désignent des objets absents"
		c.Advice = "git fsck --full ; supprimez les références cassées (git update-ref -d …) ou restaurez-les depuis le dépôt partagé"
		return c
	}
	c.Message = fmt.Sprintf("HEAD → %s (%s), %d référence(s) lisibles", strings.TrimPrefix(branch, "refs/heads/"), head.String()[:10], len(snap.refs))
	return c
}

// checkPurges verifies that the erasures recorded in .acc/purges hold in this clone.
func (s *Store) checkPurges(ctx context.Context) Check {
	c := Check{ID: "effacements"}
	if s.PendingPurge() {
		c.Status, c.Message = CheckProblem, "un effacement a été interrompu : le dossier est peut-être encore en partie présent"
		return c
	}
	records, err := s.PurgeRecords(Hash{})
	if err != nil {
		c.Status, c.Message = CheckWarning, fmt.Sprintf("liste des effacements illisible : %v", err)
		return c
	}
	if len(records) == 0 {
		c.Message = "aucun effacement enregistré"
		return c
	}
	left, err := s.PurgeResidue(ctx, records)
	var refused *PurgeRefusedError
	switch {
	case errors.As(err, &refused):
		c.Status, c.Message = CheckWarning, "vérification des effacements impossible : "+refused.Msg
		return c
	case err != nil:
		c.Status, c.Message = CheckWarning, fmt.Sprintf("vérification des effacements impossible : %v", err)
		return c
	case len(left) > 0:
		c.Status = CheckProblem
		c.Message = fmt.Sprintf("%d dossier(s) effacé(s) sont encore présents dans cette copie (revenus par un git pull, une ancienne branche ?)", len(left))
		return c
	}
	c.Message = fmt.Sprintf("%d effacement(s) enregistré(s), appliqué(s) dans cette copie", len(records))
	return c
}
