// Package textkey turns French text into keys for matching: accents and
// case folded, headings stripped of numbering and punctuation, and near
// misses suggested. casefile (documents) and templates (type definitions)
// share it so that a heading or a key matches the same way everywhere.
package textkey

import (
	"regexp"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Fold lowercases s and removes its accents ("Déroulement" → "deroulement"),
// for comparisons that must ignore both.
func Fold(s string) string {
	// Fast path: the folded form of the characters of most French text,
	// precomputed by foldSlow itself.
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		if r >= rune(len(foldTable)) {
			return foldSlow(s)
		}
		if r < utf8.RuneSelf {
			if 'A' <= r && r <= 'Z' {
				r += 'a' - 'A'
			}
			b.WriteByte(byte(r))
			continue
		}
		b.WriteString(foldTable[r])
	}
	return b.String()
}

// foldTable holds foldSlow of every character below U+0250 (Latin-1 and
// Latin Extended A and B).
var foldTable = func() (t [0x250]string) {
	for r := range t {
		t[r] = foldSlow(string(rune(r)))
	}
	return t
}()

// foldSlow is Fold for any text: decomposed, marks dropped, lowercased.
func foldSlow(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range norm.NFD.String(s) {
		if unicode.Is(unicode.Mn, r) {
			continue
		}
		switch r {
		case 'œ', 'Œ':
			b.WriteString("oe")
			continue
		case 'æ', 'Æ':
			b.WriteString("ae")
			continue
		case 'ß':
			b.WriteString("ss")
			continue
		case '’', '‘', 'ʼ':
			r = '\''
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

// Heading returns the key under which a heading's text is matched:
// case and accents ignored, a leading numbering ("1.", "2)", "III -", "A.")
// and trailing punctuation removed, inner spaces collapsed.
// "## 1. Déroulement :" and "## DÉROULEMENT" both give "deroulement".
func Heading(s string) string {
	s = Fold(s)
	// Strip inline markup characters that do not change the words.
	s = strings.Map(func(r rune) rune {
		switch r {
		case '*', '_', '`':
			return -1
		}
		return r
	}, s)
	s = strings.Join(strings.Fields(s), " ")
	s = stripNumbering(s)
	s = strings.TrimRightFunc(s, func(r rune) bool {
		return unicode.IsPunct(r) || unicode.IsSpace(r)
	})
	return s
}

// numbering matches a leading section number: "1.", "1.2)", "3 -",
// "iv -", "a." — digits alone need no punctuation ("2 Freins"), roman
// numerals and letters do, so that real words are untouched.
var numbering = regexp.MustCompile(`^(?:\d+(?:\.\d+)*\s*[.):\-–—]?|(?:[ivxlc]+|[a-z])\s*[.):\-–—])\s+`)

func stripNumbering(s string) string {
	// Most headings start with a word the expression cannot match: a
	// non-ASCII letter, or two ASCII letters the first of which is not a
	// roman digit ("a. …" and "iv - …" need the expression).
	if s == "" || s[0] >= utf8.RuneSelf {
		return s
	}
	if c := s[0]; c >= 'a' && c <= 'z' && strings.IndexByte("ivxlc", c) < 0 &&
		len(s) > 1 && s[1] >= 'a' && s[1] <= 'z' {
		return s
	}
	if loc := numbering.FindStringIndex(s); loc != nil && loc[1] < len(s) {
		return s[loc[1]:]
	}
	return s
}

// Suggest returns the candidate closest to word when it is close enough to be
// a likely typo (edit distance at most 2, or 3 for long words, accents and case
// ignored), or "".
func Suggest(word string, candidates []string) string {
	w := []rune(Fold(word))
	best, bestD := "", 1<<30
	for _, c := range candidates {
		d := distance(w, []rune(Fold(c)))
		if d < bestD {
			best, bestD = c, d
		}
	}
	limit := 2
	if len(w) >= 10 {
		limit = 3
	}
	if bestD == 0 || bestD > limit || bestD >= len(w) {
		if bestD == 0 && best != word {
			return best
		}
		return ""
	}
	return best
}

// distance is the Damerau–Levenshtein (optimal string alignment) distance.
func distance(a, b []rune) int {
	prev2 := make([]int, len(b)+1)
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)]
}

// Closest returns up to n candidates nearest to word (accents and case
// ignored), nearest first, leaving out those that share too little with it
// to be a likely misspelling (more edits than half its length, and 3).
func Closest(word string, candidates []string, n int) []string {
	w := []rune(Fold(word))
	limit := max(3, len(w)/2)
	type scored struct {
		s string
		d int
	}
	var all []scored
	for _, c := range candidates {
		if d := distance(w, []rune(Fold(c))); d <= limit {
			all = append(all, scored{c, d})
		}
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].d < all[j].d })
	out := make([]string, 0, n)
	for i := 0; i < len(all) && i < n; i++ {
		out = append(out, all[i].s)
	}
	return out
}
