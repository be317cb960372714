package swar

import (
	"math/rand/v2"
	"testing"
)

// check compares the word tests with byte-by-byte answers.
func check(t *testing.T, b [8]byte) {
	t.Helper()
	v := Word(string(b[:]), 0)
	var high, less, has bool
	for _, c := range b {
		high = high || c >= 0x80
		less = less || c < 0x20
		has = has || c == '"'
	}
	if HasHigh(v) != high || HasLess(v, 0x20) != less || HasByte(v, '"') != has {
		t.Fatalf("%q: HasHigh %v HasLess %v HasByte %v, want %v %v %v", b[:], HasHigh(v), HasLess(v, 0x20), HasByte(v, '"'), high, less, has)
	}
}

func TestWordTests(t *testing.T) {
	// Every byte value at every position, among plain letters and among
	// bytes that make a subtraction borrow (0x00, 0x80, 0xff).
	for _, fill := range []byte{'a', 0x00, 0x80, 0xff, '"', 0x1f, 0x20} {
		for pos := 0; pos < 8; pos++ {
			for c := 0; c < 256; c++ {
				var b [8]byte
				for i := range b {
					b[i] = fill
				}
				b[pos] = byte(c)
				check(t, b)
			}
		}
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 200000 {
		var b [8]byte
		for i := range b {
			b[i] = byte(r.UintN(256))
		}
		check(t, b)
	}
	if got := Word("abcdefgh", 0); got != 0x6867666564636261 {
		t.Errorf("Word = %#x", got)
	}
}

func TestSkip(t *testing.T) {
	letters := func(v uint64) bool { return !HasHigh(v) && !HasLess(v, 'a') }
	for _, c := range []struct {
		s       string
		from, n int
	}{
		{"", 0, 0},
		{"abcdefg", 0, 0},            // no whole word
		{"abcdefgh", 0, 8},           // one
		{"abcdefghijklmnopq", 0, 16}, // two, the tail left
		{"abcdefgHijklmnop", 0, 0},   // the first word refused
		{"abcdefghIjklmnop", 0, 8},
		{"xabcdefghijklmnop", 1, 17},
	} {
		if got := Skip(c.s, c.from, letters); got != c.n {
			t.Errorf("Skip(%q, %d) = %d, want %d", c.s, c.from, got, c.n)
		}
	}
}
