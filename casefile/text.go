package casefile

import (
	"bytes"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

var bom = []byte{0xEF, 0xBB, 0xBF}

// Normalize returns src as acc reads it: without a UTF-8 byte order mark,
// with LF line endings and accents composed (NFC). Positions are unaffected
// for lines; a column counts characters of the composed text.
// The file on disk is never rewritten.
func Normalize(src []byte) []byte {
	src = bytes.TrimPrefix(src, bom)
	if bytes.IndexByte(src, '\r') >= 0 {
		src = bytes.ReplaceAll(src, []byte("\r\n"), []byte("\n"))
		// A lone CR (classic Mac) is a line break too.
		src = bytes.ReplaceAll(src, []byte("\r"), []byte("\n"))
	}
	if !norm.NFC.IsNormal(src) {
		src = norm.NFC.Bytes(src)
	}
	return src
}

// FoldText lowercases s and removes its accents ("Déroulement" → "deroulement"),
// for comparisons that must ignore both.
func FoldText(s string) string {
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

// foldSlow is FoldText for any text: decomposed, marks dropped, lowercased.
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

// NormalizeHeading returns the key under which a heading's text is matched:
// case and accents ignored, a leading numbering ("1.", "2)", "III -", "A.")
// and trailing punctuation removed, inner spaces collapsed.
// "## 1. Déroulement :" and "## DÉROULEMENT" both give "deroulement".
func NormalizeHeading(s string) string {
	s = FoldText(s)
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
