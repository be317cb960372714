package casecache

import (
	"reflect"
	"testing"

	"github.com/acc-formation/acc/validate"
)

func TestRecordRoundTrip(t *testing.T) {
	r := record{
		files: []validate.FileState{
			{Name: "fiche.md", Sum: [20]byte{1, 2, 3}, Size: 120, Mtime: 1_700_000_000_123_456_789, Ctime: 1_700_000_000_000_000_001, Ino: 42},
			{Name: "2026-01-02-entretien-initial.md", Sum: [20]byte{19: 9}},
		},
		item: []byte("élément\x00binaire"), day: "2026-11-25", errs: 2, warnings: 3,
		invalid: []string{"beneficiaires/x/a.md", "beneficiaires/x/b.md"},
	}
	b := r.encode()
	got, ok := decodeRecord(b)
	if !ok || !reflect.DeepEqual(got, r) {
		t.Fatalf("decodeRecord = %+v, %v; want %+v", got, ok, r)
	}
	// Every truncation and a trailing byte are refused, never a panic.
	for n := range len(b) {
		if _, ok := decodeRecord(b[:n]); ok {
			t.Fatalf("truncated at %d: accepted", n)
		}
	}
	if _, ok := decodeRecord(append(b, 0)); ok {
		t.Fatal("trailing byte accepted")
	}
	// Another format is a miss.
	b[0]++
	if _, ok := decodeRecord(b); ok {
		t.Fatal("other format accepted")
	}
}

// FuzzDecodeRecord feeds damaged cache records (a disk error, another
// version, a hand edit) to the decoder: a miss or a record that encodes back
// to the same bytes, never a panic.
func FuzzDecodeRecord(f *testing.F) {
	r := record{
		files: []validate.FileState{{Name: "fiche.md", Sum: [20]byte{1}, Size: 3, Mtime: 4, Ctime: 5, Ino: 6}},
		item:  []byte("x"), day: "2026-11-25", errs: 1, invalid: []string{"beneficiaires/x/a.md"},
	}
	f.Add(r.encode())
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		got, ok := decodeRecord(b)
		if !ok {
			return
		}
		again, ok := decodeRecord(got.encode())
		if !ok || !reflect.DeepEqual(again, got) {
			t.Fatalf("decoded record does not round-trip: %+v", got)
		}
	})
}
