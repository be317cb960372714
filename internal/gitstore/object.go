package gitstore

import (
	"bufio"
	"bytes"
	"compress/zlib"
	"crypto/sha1"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
	"unsafe"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/storage/filesystem"

	"github.com/acc-formation/acc/internal/bug"
)

// Git object types, as written in object headers.
const (
	objBlob   = "blob"
	objTree   = "tree"
	objCommit = "commit"
)

// Git modes, as written in trees.
const (
	modeTree    = "40000"
	modeFile    = "100644"
	modeExec    = "100755"
	modeSymlink = "120000"
	modeGitlink = "160000"
)

// hashObject computes the object name of data stored as typ.
func hashObject(typ string, data []byte) Hash {
	h := sha1.New()
	fmt.Fprintf(h, "%s %d\x00", typ, len(data))
	h.Write(data)
	var out Hash
	h.Sum(out[:0])
	return out
}

// objectWriter writes loose objects durably. Objects are written to temporary files
// first; sync then fsyncs them all at once (in parallel: the file system groups the
// flushes into one journal commit instead of one per object), renames them into place
// and fsyncs their folders, before any reference may point to them.
type objectWriter struct {
	objDir  string
	pending map[Hash]pendingObject
	// zw and bw are reused from object to object: a flate compressor costs a large
	// allocation.
	zw *zlib.Writer
	bw *bufio.Writer
}

type pendingObject struct {
	f          *os.File
	tmp, final string
}

func (s *Store) newObjectWriter() *objectWriter {
	return &objectWriter{objDir: filepath.Join(s.CommonDir, "objects"), pending: map[Hash]pendingObject{}}
}

// write stores data as a loose object (zlib of "<type> <size>\x00<data>") and returns
// its name; the object exists only after sync. go-git's ObjectWriter renames its
// temporary file into place without fsync. The temporary file is named tmp_obj_*, which
// git fsck ignores and git gc cleans. An object that already exists loose is not written
// again.
func (w *objectWriter) write(typ string, data []byte) (Hash, error) {
	id := hashObject(typ, data)
	if _, ok := w.pending[id]; ok {
		return id, nil
	}
	hex := id.String()
	dir := filepath.Join(w.objDir, hex[:2])
	final := filepath.Join(dir, hex[2:])
	if _, err := os.Lstat(final); err == nil {
		return id, nil
	}
	if err := os.Mkdir(dir, 0o755); err != nil && !errors.Is(err, os.ErrExist) {
		return id, fmt.Errorf("écriture d'un objet Git : %w", err)
	}
	f, err := os.CreateTemp(dir, "tmp_obj_")
	if err != nil {
		return id, fmt.Errorf("écriture d'un objet Git : %w", err)
	}
	err = func() error {
		// Git's default core.looseCompression is 1 (best speed). flate writes in small
		// pieces: buffer them into few system calls.
		if w.bw == nil {
			w.bw = bufio.NewWriterSize(f, 64<<10)
			zw, err := zlib.NewWriterLevel(w.bw, zlib.BestSpeed)
			if err != nil {
				return err
			}
			w.zw = zw
		} else {
			w.bw.Reset(f)
			w.zw.Reset(w.bw)
		}
		bw, zw := w.bw, w.zw
		if _, err := fmt.Fprintf(zw, "%s %d\x00", typ, len(data)); err != nil {
			return err
		}
		if _, err := zw.Write(data); err != nil {
			return err
		}
		if err := zw.Close(); err != nil {
			return err
		}
		if err := bw.Flush(); err != nil {
			return err
		}
		return f.Chmod(0o444)
	}()
	if err != nil {
		_ = f.Close()
		_ = os.Remove(f.Name())
		return id, fmt.Errorf("écriture d'un objet Git : %w", err)
	}
	w.pending[id] = pendingObject{f: f, tmp: f.Name(), final: final}
	return id, nil
}

// sync makes the pending objects durable and visible: fsync the temporary files, rename
// them, fsync the folders (objects/ too when a folder was created).
func (w *objectWriter) sync() error {
	if len(w.pending) == 0 {
		return nil
	}
	objs := make([]pendingObject, 0, len(w.pending))
	for _, o := range w.pending {
		objs = append(objs, o)
	}
	clear(w.pending)
	err := parallel(len(objs), func(i int) error {
		err := objs[i].f.Sync()
		if cerr := objs[i].f.Close(); err == nil {
			err = cerr
		}
		return err
	})
	dirs := map[string]bool{}
	for _, o := range objs {
		if err == nil {
			err = os.Rename(o.tmp, o.final)
			dirs[filepath.Dir(o.final)] = true
		}
		if err != nil {
			_ = os.Remove(o.tmp)
		}
	}
	if err != nil {
		return fmt.Errorf("écriture d'un objet Git : %w", err)
	}
	// The parent must be synced too when a two-hex folder may be new; syncing it always
	// costs one more fsync in the same journal commit.
	dirs[w.objDir] = true
	list := make([]string, 0, len(dirs))
	for d := range dirs {
		list = append(list, d)
	}
	if err := parallel(len(list), func(i int) error { return syncDir(list[i]) }); err != nil {
		return fmt.Errorf("écriture d'un objet Git : %w", err)
	}
	return nil
}

// discard removes pending objects that will not be used.
func (w *objectWriter) discard() {
	for id, o := range w.pending {
		_ = o.f.Close()
		_ = os.Remove(o.tmp)
		delete(w.pending, id)
	}
}

// parallel runs fn(0..n-1) concurrently and returns the first error.
func parallel(n int, fn func(i int) error) error {
	if n == 1 {
		return fn(0)
	}
	errs := make(chan error, n)
	for i := 0; i < n; i++ {
		go func(i int) { errs <- bug.Call(func() error { return fn(i) }) }(i)
	}
	var first error
	for i := 0; i < n; i++ {
		if err := <-errs; err != nil && first == nil {
			first = err
		}
	}
	return first
}

// readObject returns the content of object h, which must be of type typ. Safe for
// concurrent use (the checkout's workers, the verifier).
func (s *Store) readObject(h Hash, typ plumbing.ObjectType) ([]byte, error) {
	_, data, err := s.objectSource().read(h, typ)
	return data, err
}

// readAnyObject returns the type and content of object h, whatever its type.
func (s *Store) readAnyObject(h Hash) (plumbing.ObjectType, []byte, error) {
	return s.objectSource().read(h, plumbing.AnyObject)
}

// objectSource is the Store's reader of objects, made once.
func (s *Store) objectSource() *objectSource {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.src == nil {
		s.src = newObjectSource(filepath.Join(s.CommonDir, "objects"), s.objects)
	}
	return s.src
}

// objectSource reads the objects of one repository: from its packs, mapped (packread.go),
// then loose, then through go-git's storage for what those cannot read (alternates, a
// system that cannot map the packs) and for its reports of what is missing. Packs come
// first: a lookup there costs a binary search in memory, where a loose object costs an
// open that fails for every packed object (100,000 for a clone).
type objectSource struct {
	objDir  string
	packs   *packSet
	storage func() (*filesystem.Storage, error)
}

func newObjectSource(objDir string, storage func() (*filesystem.Storage, error)) *objectSource {
	return &objectSource{objDir: objDir, packs: newPackSet(objDir), storage: storage}
}

// close releases the packs' mappings; o must not be used afterwards.
func (o *objectSource) close() { o.packs.close() }

// reindex makes o list the packs again, after another program may have repacked.
func (o *objectSource) reindex() { o.packs.reindex() }

// read returns the type and content of object h, which must be of type want unless
// want is plumbing.AnyObject.
func (o *objectSource) read(h Hash, want plumbing.ObjectType) (plumbing.ObjectType, []byte, error) {
	typ, data, err := o.packs.readListed(h)
	if errors.Is(err, errNotInPacks) {
		var ok bool
		if typ, data, ok = readLoose(o.objDir, h, want); ok {
			return typ, data, nil
		}
		// Packed since the packs were listed (a concurrent git gc, a fetch)?
		o.packs.reindex()
		typ, data, err = o.packs.readListed(h)
	}
	if errors.Is(err, errNotInPacks) {
		typ, data, err = o.readStorage(h)
	}
	if err != nil {
		return plumbing.InvalidObject, nil, fmt.Errorf("lecture de l'objet Git %s : %w", h, err)
	}
	if want != plumbing.AnyObject && typ != want {
		return plumbing.InvalidObject, nil, fmt.Errorf("lecture de l'objet Git %s : objet %s au lieu de %s", h, typ, want)
	}
	return typ, data, nil
}

// readStorage reads h through go-git's storage.
func (o *objectSource) readStorage(h Hash) (plumbing.ObjectType, []byte, error) {
	st, err := o.storage()
	if err != nil {
		return plumbing.InvalidObject, nil, err
	}
	obj, err := st.EncodedObject(plumbing.AnyObject, plumbing.Hash(h))
	if errors.Is(err, plumbing.ErrObjectNotFound) {
		st.Reindex()
		obj, err = st.EncodedObject(plumbing.AnyObject, plumbing.Hash(h))
	}
	if err != nil {
		return plumbing.InvalidObject, nil, err
	}
	r, err := obj.Reader()
	if err != nil {
		return plumbing.InvalidObject, nil, err
	}
	defer r.Close()
	var b bytes.Buffer
	b.Grow(int(min(obj.Size(), 64<<20)))
	if _, err := b.ReadFrom(r); err != nil {
		return plumbing.InvalidObject, nil, err
	}
	return obj.Type(), b.Bytes(), nil
}

// readLoose reads a loose object of objDir directly into a buffer of its size (go-git
// grows its buffer and re-hashes the content with its collision-detecting SHA-1, which
// costs milliseconds on a 400 KB tree); ok is false when it is not there, not of type
// want (unless AnyObject) or not readable as expected (go-git then reports the error).
func readLoose(objDir string, h Hash, want plumbing.ObjectType) (plumbing.ObjectType, []byte, bool) {
	hex := h.String()
	f, err := os.Open(filepath.Join(objDir, hex[:2], hex[2:]))
	if err != nil {
		return plumbing.InvalidObject, nil, false
	}
	defer f.Close()
	zr, err := zlib.NewReader(bufio.NewReaderSize(f, 32<<10))
	if err != nil {
		return plumbing.InvalidObject, nil, false
	}
	defer zr.Close()
	br := bufio.NewReaderSize(zr, 64)
	header, err := br.ReadString(0)
	if err != nil {
		return plumbing.InvalidObject, nil, false
	}
	kind, sizeText, ok := strings.Cut(strings.TrimSuffix(header, "\x00"), " ")
	size, err := strconv.Atoi(sizeText)
	if !ok || err != nil || size < 0 {
		return plumbing.InvalidObject, nil, false
	}
	typ, err := plumbing.ParseObjectType(kind)
	if err != nil || want != plumbing.AnyObject && typ != want {
		return plumbing.InvalidObject, nil, false
	}
	// The size is believed only as far as the file could hold it.
	if fi, err := f.Stat(); err != nil || int64(size) > fi.Size()*deflateMaxRatio+64 {
		return plumbing.InvalidObject, nil, false
	}
	data := make([]byte, size)
	if _, err := io.ReadFull(br, data); err != nil {
		return plumbing.InvalidObject, nil, false
	}
	return typ, data, true
}

// treeEntry is one line of a tree object. mode is kept as written, so that entries acc
// does not touch are rewritten byte for byte.
type treeEntry struct {
	mode string
	name string
	hash Hash
}

func (e treeEntry) isTree() bool { return e.mode == modeTree }

// parseTree decodes a raw tree object ("<mode> <name>\x00<20-byte hash>"...).
//
// Names are not copied: they share data's memory (unsafe.String), which must therefore
// never be modified; modes are interned. A 10,000-entry tree then costs one allocation
// instead of 20,000.
func parseTree(data []byte) ([]treeEntry, error) {
	out := make([]treeEntry, 0, len(data)/40+1)
	for len(data) > 0 {
		sp := bytes.IndexByte(data, ' ')
		if sp < 0 {
			return nil, errors.New("objet tree Git mal formé")
		}
		nul := bytes.IndexByte(data[sp+1:], 0)
		if nul < 0 || sp+1+nul+1+20 > len(data) {
			return nil, errors.New("objet tree Git mal formé")
		}
		e := treeEntry{mode: internMode(data[:sp])}
		if nul > 0 {
			e.name = unsafe.String(&data[sp+1], nul)
		}
		copy(e.hash[:], data[sp+1+nul+1:])
		out = append(out, e)
		data = data[sp+1+nul+1+20:]
	}
	return out, nil
}

// internMode returns the constant string of the usual modes.
func internMode(m []byte) string {
	switch string(m) {
	case modeTree:
		return modeTree
	case modeFile:
		return modeFile
	case modeExec:
		return modeExec
	case modeSymlink:
		return modeSymlink
	case modeGitlink:
		return modeGitlink
	}
	return string(m)
}

// findTreeEntry looks name up in a raw tree without decoding the other entries.
func findTreeEntry(data []byte, name string) (treeEntry, bool) {
	for len(data) > 0 {
		sp := bytes.IndexByte(data, ' ')
		if sp < 0 {
			return treeEntry{}, false
		}
		nul := bytes.IndexByte(data[sp+1:], 0)
		if nul < 0 || sp+1+nul+1+20 > len(data) {
			return treeEntry{}, false
		}
		if string(data[sp+1:sp+1+nul]) == name {
			e := treeEntry{mode: string(data[:sp]), name: name}
			copy(e.hash[:], data[sp+1+nul+1:])
			return e, true
		}
		data = data[sp+1+nul+1+20:]
	}
	return treeEntry{}, false
}

// encodeTree writes entries, which must already be in Git's order.
func encodeTree(entries []treeEntry) []byte {
	n := 0
	for _, e := range entries {
		n += len(e.mode) + 1 + len(e.name) + 1 + 20
	}
	buf := make([]byte, 0, n)
	for _, e := range entries {
		buf = append(buf, e.mode...)
		buf = append(buf, ' ')
		buf = append(buf, e.name...)
		buf = append(buf, 0)
		buf = append(buf, e.hash[:]...)
	}
	return buf
}

// treeLess is Git's order of tree entries: names compared as bytes, a tree's name
// followed by "/".
func treeLess(a, b treeEntry) bool {
	return compareTreeNames(a.name, a.isTree(), b.name, b.isTree()) < 0
}

func compareTreeNames(a string, aTree bool, b string, bTree bool) int {
	n := min(len(a), len(b))
	if c := strings.Compare(a[:n], b[:n]); c != 0 {
		return c
	}
	var ca, cb byte
	if len(a) > n {
		ca = a[n]
	} else if aTree {
		ca = '/'
	}
	if len(b) > n {
		cb = b[n]
	} else if bTree {
		cb = '/'
	}
	switch {
	case ca < cb:
		return -1
	case ca > cb:
		return 1
	}
	return 0
}

// insertSorted inserts e into entries kept in Git's order.
func insertSorted(entries []treeEntry, e treeEntry) []treeEntry {
	i := sort.Search(len(entries), func(i int) bool { return !treeLess(entries[i], e) })
	entries = append(entries, treeEntry{})
	copy(entries[i+1:], entries[i:])
	entries[i] = e
	return entries
}

// Signature is a Git identity and a time, as in a commit's author and committer lines.
type Signature struct {
	Name  string
	Email string
	When  time.Time
}

// format writes "Name <email> <unix> <+hhmm>". Like Git, it drops the characters that
// would break the line ('<', '>', newlines) and trims "crud" around name and email.
func (sig Signature) format() string {
	_, off := sig.When.Zone()
	sign := '+'
	if off < 0 {
		sign, off = '-', -off
	}
	return fmt.Sprintf("%s <%s> %d %c%02d%02d", cleanIdent(sig.Name), cleanIdent(sig.Email),
		sig.When.Unix(), sign, off/3600, off%3600/60)
}

func cleanIdent(s string) string {
	s = strings.Map(func(r rune) rune {
		if r == '<' || r == '>' || r == '\n' || r == '\r' || r == 0 {
			return -1
		}
		return r
	}, s)
	return strings.Trim(s, " \t.,:;\"'\\")
}

// parseSignature decodes "Name <email> <unix> <+hhmm>".
func parseSignature(line string) Signature {
	var sig Signature
	open := strings.LastIndexByte(line, '<')
	closeIdx := strings.LastIndexByte(line, '>')
	if open < 0 || closeIdx < open {
		sig.Name = strings.TrimSpace(line)
		return sig
	}
	sig.Name = strings.TrimSpace(line[:open])
	sig.Email = line[open+1 : closeIdx]
	fields := strings.Fields(line[closeIdx+1:])
	if len(fields) == 0 {
		return sig
	}
	sec, err := strconv.ParseInt(fields[0], 10, 64)
	if err != nil {
		return sig
	}
	loc := time.UTC
	if len(fields) > 1 {
		if l, ok := parseTZ(fields[1]); ok {
			loc = l
		}
	}
	sig.When = time.Unix(sec, 0).In(loc)
	return sig
}

// parseTZ reads a Git time zone "+hhmm" / "-hhmm".
func parseTZ(tz string) (*time.Location, bool) {
	if len(tz) != 5 || (tz[0] != '+' && tz[0] != '-') {
		return nil, false
	}
	hh, err1 := strconv.Atoi(tz[1:3])
	mm, err2 := strconv.Atoi(tz[3:5])
	if err1 != nil || err2 != nil {
		return nil, false
	}
	off := hh*3600 + mm*60
	if tz[0] == '-' {
		off = -off
	}
	return time.FixedZone("", off), true
}

// rawCommit is a decoded commit object.
type rawCommit struct {
	tree      Hash
	parents   []Hash
	author    Signature
	committer Signature
	message   string
}

// parseCommit decodes a commit object; unknown headers (gpgsig, encoding, mergetag and
// their continuation lines) are skipped.
func parseCommit(data []byte) (rawCommit, error) {
	var c rawCommit
	text := string(data)
	header, msg, _ := strings.Cut(text, "\n\n")
	c.message = msg
	for _, line := range strings.Split(header, "\n") {
		key, val, _ := strings.Cut(line, " ")
		switch key {
		case "tree":
			h, err := ParseHash(val)
			if err != nil {
				return c, err
			}
			c.tree = h
		case "parent":
			h, err := ParseHash(val)
			if err != nil {
				return c, err
			}
			c.parents = append(c.parents, h)
		case "author":
			c.author = parseSignature(val)
		case "committer":
			c.committer = parseSignature(val)
		}
	}
	if c.tree.IsZero() {
		return c, errors.New("objet commit Git mal formé (pas de tree)")
	}
	return c, nil
}

// encodeCommit builds a commit object. The message is kept as given, with a final newline
// added when missing (as git commit does).
func encodeCommit(tree Hash, parents []Hash, author, committer Signature, msg string) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "tree %s\n", tree)
	for _, p := range parents {
		fmt.Fprintf(&b, "parent %s\n", p)
	}
	fmt.Fprintf(&b, "author %s\n", author.format())
	fmt.Fprintf(&b, "committer %s\n\n", committer.format())
	b.WriteString(msg)
	if !strings.HasSuffix(msg, "\n") {
		b.WriteByte('\n')
	}
	return b.Bytes()
}

// readCommit reads and decodes commit h.
func (s *Store) readCommit(h Hash) (rawCommit, error) {
	data, err := s.readObject(h, plumbing.CommitObject)
	if err != nil {
		return rawCommit{}, err
	}
	c, err := parseCommit(data)
	if err != nil {
		return c, fmt.Errorf("commit %s : %w", h, err)
	}
	return c, nil
}

// lookupPath returns the tree entry at gp (a slash path from the Git root) in tree root.
// gp == "" designates root itself.
func (s *Store) lookupPath(root Hash, gp string) (treeEntry, bool, error) {
	e := treeEntry{mode: modeTree, hash: root}
	if gp == "" {
		return e, true, nil
	}
	for _, name := range strings.Split(gp, "/") {
		if !e.isTree() {
			return treeEntry{}, false, nil
		}
		data, err := s.readObject(e.hash, plumbing.TreeObject)
		if err != nil {
			return treeEntry{}, false, err
		}
		var ok bool
		e, ok = findTreeEntry(data, name)
		if !ok {
			return treeEntry{}, false, nil
		}
	}
	return e, true, nil
}
