package casefile

import (
	"reflect"
	"testing"

	"github.com/acc-formation/acc/templates"
)

// TestBriefRoundTrip checks that a brief read back from its binary form
// answers as the brief made from the case, on every day: what acc status
// and acc agenda keep between runs gives what a fresh judgement gives.
func TestBriefRoundTrip(t *testing.T) {
	repo, err := Open("../examples")
	if err != nil {
		t.Fatal(err)
	}
	ids, err := repo.Beneficiaries()
	if err != nil || len(ids) == 0 {
		t.Fatalf("examples: %v, %v", ids, err)
	}
	l := &Loader{Source: repo}
	q := Query{Kinds: KindsOf(templates.Builtin()), Horizon: 6}
	for _, id := range ids {
		c, err := l.Load(id)
		if err != nil {
			t.Fatal(err)
		}
		b := q.Brief(c)
		data, err := b.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		var got Brief
		if err := got.UnmarshalBinary(data); err != nil {
			t.Fatalf("%s: %v", id, err)
		}
		if !reflect.DeepEqual(&got, b) {
			t.Fatalf("%s: read back\n%+v\nwant\n%+v", id, got, *b)
		}
		for _, day := range []string{"2026-01-01", "2026-06-10", "2026-11-25", "2026-12-05", "2027-03-01", "2032-01-01"} {
			if q.Today, err = ParseDate(day); err != nil {
				t.Fatal(err)
			}
			if s, want := q.SummaryOf(&got), q.Summarize(c); s != want {
				t.Errorf("%s on %s: summary %+v, want %+v", id, day, s, want)
			}
			if a, want := q.AttentionOf(&got), q.Attention(c); !reflect.DeepEqual(a, want) {
				t.Errorf("%s on %s: attention %+v, want %+v", id, day, a, want)
			}
		}
		if !reflect.DeepEqual(got.Events(), b.Events()) {
			t.Errorf("%s: events differ", id)
		}
		// Damaged or cut: an error, never a panic.
		for n := range len(data) {
			var x Brief
			if x.UnmarshalBinary(data[:n]) == nil {
				t.Fatalf("%s: cut at %d accepted", id, n)
			}
		}
	}
}

// FuzzBriefUnmarshal feeds damaged briefs (the cache of acc status and acc
// agenda) to the decoder: an error, or a brief that encodes back and reads
// the same, never a panic.
func FuzzBriefUnmarshal(f *testing.F) {
	repo, err := Open("../examples")
	if err != nil {
		f.Fatal(err)
	}
	ids, _ := repo.Beneficiaries()
	l := &Loader{Source: repo}
	q := Query{Kinds: KindsOf(templates.Builtin()), Horizon: 6}
	for _, id := range ids {
		if c, err := l.Load(id); err == nil {
			if data, err := q.Brief(c).MarshalBinary(); err == nil {
				f.Add(data)
			}
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var b Brief
		if b.UnmarshalBinary(data) != nil {
			return
		}
		again, err := b.MarshalBinary()
		if err != nil {
			t.Fatalf("a brief read back cannot be written: %v", err)
		}
		var c Brief
		if err := c.UnmarshalBinary(again); err != nil || !reflect.DeepEqual(&c, &b) {
			t.Fatalf("brief does not round-trip: %v", err)
		}
	})
}
