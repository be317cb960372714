//go:build unix

package gitstore

import (
	"bufio"
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/storage/filesystem"
)

// deltaRepo makes a repository whose history gives Git material for deltas: files that
// change a little at each commit, a tag, folders.
func deltaRepo(t *testing.T) string {
	dir := newRepo(t)
	var lines []string
	for i := range 400 {
		lines = append(lines, fmt.Sprintf("ligne %d du suivi de Jeanne Exemple", i))
	}
	for c := range 12 {
		lines[c*7] = fmt.Sprintf("modifiée au commit %d", c)
		lines = append(lines, fmt.Sprintf("ajoutée au commit %d", c))
		writeFile(t, filepath.Join(dir, "beneficiaires/jeanne/suivi.md"), strings.Join(lines, "\n")+"\n")
		writeFile(t, filepath.Join(dir, "beneficiaires/paul/suivi.md"), strings.Join(lines[c:], "\n")+"\n")
		writeFile(t, filepath.Join(dir, fmt.Sprintf("autres/f%d.md", c)), strings.Repeat("x", c*50)+"\n")
		git(t, dir, "add", ".")
		git(t, dir, "commit", "-q", "-m", fmt.Sprintf("commit %d", c))
	}
	git(t, dir, "tag", "-a", "bilan", "-m", "Bilan")
	return dir
}

// catAll returns every object of the repository as git cat-file --batch gives it.
func catAll(t *testing.T, dir string) map[Hash]struct {
	typ  string
	data []byte
} {
	t.Helper()
	cmd := exec.Command("git", "cat-file", "--batch-all-objects", "--batch")
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("git cat-file: %v", err)
	}
	objs := map[Hash]struct {
		typ  string
		data []byte
	}{}
	br := bufio.NewReader(bytes.NewReader(out))
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			break
		}
		f := strings.Fields(line)
		h, err := ParseHash(f[0])
		if err != nil {
			t.Fatal(err)
		}
		n, _ := strconv.Atoi(f[2])
		data := make([]byte, n+1)
		if _, err := io.ReadFull(br, data); err != nil {
			t.Fatal(err)
		}
		objs[h] = struct {
			typ  string
			data []byte
		}{f[1], data[:n]}
	}
	if len(objs) < 50 {
		t.Fatalf("only %d objects", len(objs))
	}
	return objs
}

// packCodes counts the entry types of the repository's only pack, as the reader
// decodes its headers.
func packCodes(t *testing.T, dir string) (map[byte]int, *mappedPack) {
	t.Helper()
	idx, _ := filepath.Glob(filepath.Join(dir, ".git/objects/pack/*.idx"))
	if len(idx) != 1 {
		t.Fatalf("packs: %v", idx)
	}
	p, err := openMappedPack(strings.TrimSuffix(idx[0], ".idx"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.release)
	codes := map[byte]int{}
	for i := range p.count {
		var h Hash
		copy(h[:], p.names[i*20:])
		off, ok, err := p.find(h)
		if !ok || err != nil {
			t.Fatalf("find %s: %v %v", h, ok, err)
		}
		e, err := parsePackEntry(p.pack, off, p.findOffset)
		if err != nil {
			t.Fatal(err)
		}
		codes[e.code]++
	}
	return codes, p
}

// checkAllObjects: every object the reader gives equals git cat-file's, byte for byte.
func checkAllObjects(t *testing.T, dir string) {
	t.Helper()
	want := catAll(t, dir)
	src := newObjectSource(filepath.Join(dir, ".git", "objects"), func() (*filesystem.Storage, error) {
		return nil, fmt.Errorf("go-git must not be needed")
	})
	defer src.close()
	for h, w := range want {
		typ, data, err := src.read(h, plumbing.AnyObject)
		if err != nil {
			t.Fatalf("%s: %v", h, err)
		}
		if typ.String() != w.typ || !bytes.Equal(data, w.data) {
			t.Fatalf("%s: got %s of %d bytes, git cat-file gives %s of %d bytes", h, typ, len(data), w.typ, len(w.data))
		}
	}
}

// TestPackReaderOfsDeltas: a pack made by git gc --aggressive (OFS_DELTA chains) reads
// as git cat-file reads it.
func TestPackReaderOfsDeltas(t *testing.T) {
	dir := deltaRepo(t)
	git(t, dir, "gc", "-q", "--aggressive")
	if codes, _ := packCodes(t, dir); codes[packOfsDelta] < 10 {
		t.Fatalf("entry types %v: git gc wrote too few OFS_DELTA entries to test", codes)
	}
	checkAllObjects(t, dir)
}

// TestPackReaderRefDeltas: the same with REF_DELTA entries.
func TestPackReaderRefDeltas(t *testing.T) {
	dir := deltaRepo(t)
	git(t, dir, "-c", "repack.useDeltaBaseOffset=false", "repack", "-q", "-adf")
	if codes, _ := packCodes(t, dir); codes[packRefDelta] < 10 || codes[packOfsDelta] > 0 {
		t.Fatalf("entry types %v: want REF_DELTA entries only", codes)
	}
	checkAllObjects(t, dir)
}

// TestPackReaderLargeOffsets: an index whose offsets all go through its 64-bit table
// (git index-pack --index-version=2,<offset>).
func TestPackReaderLargeOffsets(t *testing.T) {
	dir := deltaRepo(t)
	git(t, dir, "gc", "-q")
	idx, _ := filepath.Glob(filepath.Join(dir, ".git/objects/pack/*.idx"))
	pack := strings.TrimSuffix(idx[0], ".idx") + ".pack"
	tmp := filepath.Join(t.TempDir(), "large.idx")
	git(t, dir, "index-pack", "--index-version=2,0x10", "-o", tmp, pack)
	data, err := os.ReadFile(tmp)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(idx[0]); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(idx[0], data, 0o444); err != nil {
		t.Fatal(err)
	}
	_, p := packCodes(t, dir)
	if len(p.large) < 8*(p.count-1) { // all but the first object, at offset 12
		t.Fatalf("%d bytes of 64-bit offsets for %d objects", len(p.large), p.count)
	}
	checkAllObjects(t, dir)
}

// TestPackReaderNewPack: a pack written after the reader listed the packs (a fetch, a
// gc) is found.
func TestPackReaderNewPack(t *testing.T) {
	dir := deltaRepo(t)
	git(t, dir, "gc", "-q")
	src := newObjectSource(filepath.Join(dir, ".git", "objects"), func() (*filesystem.Storage, error) {
		return nil, fmt.Errorf("go-git must not be needed")
	})
	defer src.close()
	head, _ := ParseHash(strings.TrimSpace(git(t, dir, "rev-parse", "HEAD")))
	if _, _, err := src.read(head, plumbing.CommitObject); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, "nouveau.md"), "nouveau\n")
	git(t, dir, "add", ".")
	git(t, dir, "commit", "-q", "-m", "nouveau")
	git(t, dir, "gc", "-q")
	newHead, _ := ParseHash(strings.TrimSpace(git(t, dir, "rev-parse", "HEAD")))
	if _, _, err := src.read(newHead, plumbing.CommitObject); err != nil {
		t.Fatal(err)
	}
	if _, _, err := src.read(newHead, plumbing.TreeObject); err == nil {
		t.Fatal("a commit read as a tree")
	}
}

// TestPackReaderTruncatedFile: a pack truncated by another program after it was mapped
// gives an error, not a crash.
func TestPackReaderTruncatedFile(t *testing.T) {
	dir := deltaRepo(t)
	git(t, dir, "gc", "-q")
	src := newObjectSource(filepath.Join(dir, ".git", "objects"), func() (*filesystem.Storage, error) {
		return nil, fmt.Errorf("go-git must not be needed")
	})
	defer src.close()
	head, _ := ParseHash(strings.TrimSpace(git(t, dir, "rev-parse", "HEAD")))
	if _, _, err := src.read(head, plumbing.CommitObject); err != nil {
		t.Fatal(err)
	}
	objs := strings.Fields(git(t, dir, "rev-list", "--objects", "--no-object-names", "--all"))
	packs, _ := filepath.Glob(filepath.Join(dir, ".git/objects/pack/*.pack"))
	if err := os.Chmod(packs[0], 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(packs[0], 0); err != nil {
		t.Fatal(err)
	}
	failed := 0
	for _, line := range objs {
		h, _ := ParseHash(line)
		if _, _, err := src.read(h, plumbing.AnyObject); err != nil {
			failed++
		}
	}
	if failed == 0 {
		t.Fatal("every object read from a truncated pack")
	}
}

// entry encodes a pack entry: type and size header, the OFS_DELTA distance or REF_DELTA
// base, the zlib of data.
func entry(code byte, size uint64, base []byte, data []byte) []byte {
	b := appendPackEntryHeader(nil, code, size)
	b = append(b, base...)
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	zw.Write(data)
	zw.Close()
	return append(b, z.Bytes()...)
}

// testPack joins entries into a pack (a fake trailer) and returns each entry's offset.
func testPack(entries ...[]byte) ([]byte, []uint64) {
	p := []byte("PACK\x00\x00\x00\x02")
	p = binary.BigEndian.AppendUint32(p, uint32(len(entries)))
	var offs []uint64
	for _, e := range entries {
		offs = append(offs, uint64(len(p)))
		p = append(p, e...)
	}
	return append(p, make([]byte, 20)...), offs
}

// delta encodes a delta of a base of srcSize bytes to a target of tgtSize bytes.
func delta(srcSize, tgtSize uint64, ops ...byte) []byte {
	var b []byte
	b = binary.AppendUvarint(b, srcSize)
	b = binary.AppendUvarint(b, tgtSize)
	return append(b, ops...)
}

func noRef(Hash) (uint64, bool) { return 0, false }

// TestPackDecodeHostile: damaged or hostile entries give errors, without a panic or an
// allocation their bytes do not justify.
func TestPackDecodeHostile(t *testing.T) {
	base := []byte("contenu de base, assez long pour une copie\n")
	good := delta(uint64(len(base)), 10, 0x90|0x01, 0, 10) // copy 10 bytes at offset 0
	okPack, okOffs := testPack(entry(packBlob, uint64(len(base)), nil, base),
		entry(packOfsDelta, uint64(len(good)), []byte{byte(0)}, good))
	// The OFS_DELTA distance: fix it now that the offsets are known.
	okPack[okOffs[1]+1] = byte(okOffs[1] - okOffs[0])
	if code, data, err := decodePackObject(okPack, okOffs[1], nil, nil, noRef); err != nil || code != packBlob || string(data) != string(base[:10]) {
		t.Fatalf("valid delta: %d %q %v", code, data, err)
	}

	var ha, hb Hash
	ha[0], hb[0] = 1, 2
	loop := delta(3, 3, 3, 'a', 'b', 'c')
	loopPack, loopOffs := testPack(entry(packRefDelta, uint64(len(loop)), hb[:], loop),
		entry(packRefDelta, uint64(len(loop)), ha[:], loop))
	loopRef := func(h Hash) (uint64, bool) {
		if h == ha {
			return loopOffs[0], true
		}
		return loopOffs[1], true
	}

	outOfBase := delta(uint64(len(base)), 100, 0x90|0x01, 40, 100) // copy past the base's end
	oobPack, oobOffs := testPack(entry(packBlob, uint64(len(base)), nil, base),
		entry(packOfsDelta, uint64(len(outOfBase)), []byte{0}, outOfBase))
	oobPack[oobOffs[1]+1] = byte(oobOffs[1] - oobOffs[0])

	bigTarget := delta(uint64(len(base)), 1<<40, 0x90|0x01, 0, 10)
	bigPack, bigOffs := testPack(entry(packBlob, uint64(len(base)), nil, base),
		entry(packOfsDelta, uint64(len(bigTarget)), []byte{0}, bigTarget))
	bigPack[bigOffs[1]+1] = byte(bigOffs[1] - bigOffs[0])

	liar, liarOffs := testPack(entry(packBlob, 1<<40, nil, []byte("petit")))
	short, shortOffs := testPack(entry(packBlob, 100, nil, []byte("petit")))
	long, longOffs := testPack(entry(packBlob, 2, nil, []byte("petit")))
	selfRef, selfOffs := testPack(entry(packOfsDelta, 3, []byte{0}, []byte("abc")))

	cases := []struct {
		name string
		pack []byte
		off  uint64
		ref  func(Hash) (uint64, bool)
	}{
		{"truncated pack", okPack[:okOffs[1]+3], okOffs[1], noRef},
		{"truncated zlib stream", append(okPack[:okOffs[1]-5:okOffs[1]-5], make([]byte, 20)...), okOffs[0], noRef},
		{"offset past the end", okPack, uint64(len(okPack)) + 100, noRef},
		{"offset in the header", okPack, 3, noRef},
		{"delta copy out of the base", oobPack, oobOffs[1], noRef},
		{"delta target of 2^40 bytes", bigPack, bigOffs[1], noRef},
		{"REF_DELTA loop", loopPack, loopOffs[0], loopRef},
		{"declared size of 2^40", liar, liarOffs[0], noRef},
		{"fewer bytes than declared", short, shortOffs[0], noRef},
		{"more bytes than declared", long, longOffs[0], noRef},
		{"OFS_DELTA distance 0", selfRef, selfOffs[0], noRef},
		{"REF_DELTA base absent", loopPack, loopOffs[0], noRef},
	}
	for _, c := range cases {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		_, _, err := decodePackObject(c.pack, c.off, newBaseCache(1<<20), nil, c.ref)
		runtime.ReadMemStats(&after)
		if err == nil {
			t.Errorf("%s: no error", c.name)
		}
		t.Logf("%s: %v", c.name, err)
		if n := after.TotalAlloc - before.TotalAlloc; n > 8<<20 {
			t.Errorf("%s: %d bytes allocated", c.name, n)
		}
	}
}

// FuzzPackDecode: whatever the bytes of a pack and of a delta, decoding gives data or
// an error, and never more than the pack's bytes can justify.
func FuzzPackDecode(f *testing.F) {
	base := []byte("contenu de base, assez long pour une copie\n")
	good := delta(uint64(len(base)), 10, 0x90|0x01, 0, 10)
	p, offs := testPack(entry(packBlob, uint64(len(base)), nil, base),
		entry(packOfsDelta, uint64(len(good)), []byte{0}, good))
	p[offs[1]+1] = byte(offs[1] - offs[0])
	f.Add(p, offs[1], base, good)
	f.Add(p, uint64(12), base, delta(3, 5, 2, 'a', 'b', 0x91, 1, 3))
	f.Fuzz(func(t *testing.T, pack []byte, off uint64, base, d []byte) {
		ref := func(h Hash) (uint64, bool) { return uint64(h[0]), true }
		if _, data, err := decodePackObject(pack, off, newBaseCache(1<<16), nil, ref); err == nil && uint64(len(data)) > uint64(len(pack))<<16*deflateMaxRatio {
			t.Fatalf("%d bytes from a pack of %d", len(data), len(pack))
		}
		if out, err := applyDelta(base, d); err == nil && len(out) > len(d)<<16 {
			t.Fatalf("%d bytes from a delta of %d", len(out), len(d))
		}
	})
}

// TestPackReaderSkipsDamagedPack: an empty or damaged pack beside a good one is
// skipped (go-git, asked for what no pack gives, reports it); the good one is still read
// from its mapping.
func TestPackReaderSkipsDamagedPack(t *testing.T) {
	dir := deltaRepo(t)
	git(t, dir, "gc", "-q")
	packDir := filepath.Join(dir, ".git/objects/pack")
	for name, content := range map[string]string{
		"pack-0000000000000000000000000000000000000000.pack": "",
		"pack-0000000000000000000000000000000000000000.idx":  "",
		"pack-1111111111111111111111111111111111111111.pack": "PACK\x00\x00\x00\x02\x00\x00\x00\x01",
		"pack-1111111111111111111111111111111111111111.idx":  "\xfftOc\x00\x00\x00\x02" + strings.Repeat("\xff", 1024),
	} {
		if err := os.WriteFile(filepath.Join(packDir, name), []byte(content), 0o444); err != nil {
			t.Fatal(err)
		}
	}
	checkAllObjects(t, dir)
}
