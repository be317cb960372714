// Package swar tests eight bytes of a string at once ("SIMD within a
// register"): the one place for the word tricks that let the text checks
// (JSON strings, terminal lines) skip plain ASCII quickly.
package swar

const (
	ones  = 0x0101010101010101
	highs = 0x8080808080808080
)

// Word is the eight bytes of s from i, the first one lowest. s must hold
// them.
func Word(s string, i int) uint64 {
	s = s[i : i+8]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

// HasHigh tells whether a byte of v is 0x80 or more (not ASCII).
func HasHigh(v uint64) bool { return v&highs != 0 }

// HasLess tells whether a byte of v is less than n (n at most 128).
func HasLess(v uint64, n byte) bool { return (v-uint64(n)*ones)&^v&highs != 0 }

// HasByte tells whether a byte of v is b.
func HasByte(v uint64, b byte) bool {
	x := v ^ uint64(b)*ones
	return (x-ones)&^x&highs != 0
}

// Skip returns the end of the whole words of s from i that plain accepts
// (Word by Word): the caller looks at what follows one byte or rune at a
// time, then skips again.
func Skip(s string, i int, plain func(v uint64) bool) int {
	for i+8 <= len(s) && plain(Word(s, i)) {
		i += 8
	}
	return i
}
