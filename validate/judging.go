package validate

import (
	"bytes"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/acc-formation/acc/casefile"
)

// wordMatcher finds judging words in text.
type wordMatcher struct {
	// byFirst maps the first folded token of an entry to the entries
	// (each a list of folded tokens) starting with it.
	byFirst map[string][][]string
	// words keeps the entries as configured, for messages.
	words map[string]string
	// pairs marks the first two bytes of the entries' first tokens (one
	// byte and a zero for a one-letter token): most words of a text are
	// ruled out without a map lookup.
	pairs [1 << 16 / 64]uint64
}

func pairKey(w []byte) int {
	switch len(w) {
	case 0:
		return 0
	case 1:
		return int(w[0]) << 8
	}
	return int(w[0])<<8 | int(w[1])
}

func (m *wordMatcher) mayStart(w []byte) bool {
	k := pairKey(w)
	return m.pairs[k/64]&(1<<(k%64)) != 0
}

func newWordMatcher(words []string) *wordMatcher {
	m := &wordMatcher{byFirst: map[string][][]string{}, words: map[string]string{}}
	for _, w := range words {
		toks := foldTokens(w)
		if len(toks) == 0 {
			continue
		}
		key := strings.Join(toks, " ")
		if _, dup := m.words[key]; dup {
			continue
		}
		m.words[key] = strings.TrimSpace(w)
		m.byFirst[toks[0]] = append(m.byFirst[toks[0]], toks)
		k := pairKey([]byte(toks[0]))
		m.pairs[k/64] |= 1 << (k % 64)
	}
	return m
}

func isWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r)
}

type token struct {
	start, end int // byte offsets in the text
	folded     string
}

// tokens splits text into words (letters and digits; apostrophes, hyphens
// and everything else separate them), folded for comparison.
func tokens(text []byte, base int, out []token) []token {
	i := 0
	for i < len(text) {
		r, size := utf8.DecodeRune(text[i:])
		if !isWordRune(r) {
			i += size
			continue
		}
		j := i + size
		ascii := r < utf8.RuneSelf
		for j < len(text) {
			r2, s2 := utf8.DecodeRune(text[j:])
			if !isWordRune(r2) {
				break
			}
			ascii = ascii && r2 < utf8.RuneSelf
			j += s2
		}
		var f string
		if ascii {
			f = strings.ToLower(string(text[i:j]))
		} else {
			f = casefile.FoldText(string(text[i:j]))
		}
		out = append(out, token{start: base + i, end: base + j, folded: f})
		i = j
	}
	return out
}

func foldTokens(s string) []string {
	var out []string
	for _, t := range tokens([]byte(s), 0, nil) {
		out = append(out, t.folded)
	}
	return out
}

// judgingMatch is a judging word at a byte offset.
type judgingMatch struct {
	Offset int
	Word   string // the entry as configured
}

// latinFold holds the folded form of the runes U+0080–U+024F (Latin-1 and
// Latin Extended A and B), computed once with casefile.FoldText, so that the
// scan of a document folds its words without allocating.
var latinFold = func() [0x250 - 0x80]string {
	var t [0x250 - 0x80]string
	for r := rune(0x80); r < 0x250; r++ {
		t[r-0x80] = casefile.FoldText(string(r))
	}
	return t
}()

// foldWord reads the word starting at offset i of src and appends its
// folded form to buf; it returns buf and the offset after the word.
func foldWord(src []byte, i int, buf []byte) ([]byte, int) {
	for i < len(src) {
		c := src[i]
		if c < utf8.RuneSelf {
			switch {
			case c >= 'a' && c <= 'z' || c >= '0' && c <= '9':
				buf = append(buf, c)
			case c >= 'A' && c <= 'Z':
				buf = append(buf, c+'a'-'A')
			default:
				return buf, i
			}
			i++
			continue
		}
		r, size := utf8.DecodeRune(src[i:])
		if !isWordRune(r) {
			return buf, i
		}
		if r < 0x250 {
			buf = append(buf, latinFold[r-0x80]...)
		} else {
			buf = append(buf, casefile.FoldText(string(r))...)
		}
		i += size
	}
	return buf, i
}

// nextWord skips to the next word at or after offset i and folds it; it
// stops at an HTML comment. ok is false when there is none.
func nextWord(src []byte, i int, buf []byte) (_ []byte, end int, ok bool) {
	for i < len(src) {
		c := src[i]
		if c < utf8.RuneSelf {
			if isASCIIAlnum(c) {
				b, e := foldWord(src, i, buf)
				return b, e, true
			}
			if c == '<' && bytes.HasPrefix(src[i:], commentOpen) {
				return buf, i, false
			}
			i++
			continue
		}
		r, size := utf8.DecodeRune(src[i:])
		if isWordRune(r) {
			b, e := foldWord(src, i, buf)
			return b, e, true
		}
		i += size
	}
	return buf, i, false
}

var (
	commentOpen  = []byte("<!--")
	commentClose = []byte("-->")
)

// find returns the judging words of src, skipping HTML comments (template
// prompts may quote the words to avoid).
func (m *wordMatcher) find(src []byte) []judgingMatch {
	if len(m.byFirst) == 0 {
		return nil
	}
	var out []judgingMatch
	var buf, next []byte
	i := 0
	for i < len(src) {
		c := src[i]
		if c < utf8.RuneSelf && !isASCIIAlnum(c) {
			if c == '<' && bytes.HasPrefix(src[i:], commentOpen) {
				e := bytes.Index(src[i+4:], commentClose)
				if e < 0 {
					return out
				}
				i += 4 + e + 3
				continue
			}
			i++
			continue
		}
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRune(src[i:])
			if !isWordRune(r) {
				i += size
				continue
			}
		}
		start := i
		buf, i = foldWord(src, i, buf[:0])
		if word, ok := m.match(buf, src, i, &next); ok {
			out = append(out, judgingMatch{Offset: start, Word: word})
		}
	}
	return out
}

// match tells whether the folded word w, followed in src by the words from
// offset after on, starts a judging entry.
func (m *wordMatcher) match(w, src []byte, after int, next *[]byte) (string, bool) {
	if !m.mayStart(w) {
		return "", false
	}
	for _, entry := range m.byFirst[string(w)] {
		if m.rest(entry, src, after, next) {
			return m.words[strings.Join(entry, " ")], true
		}
	}
	// A plural of a one-word entry: "paresseux" has no s to drop.
	if n := len(w); n > 1 && (w[n-1] == 's' || w[n-1] == 'x') {
		for _, entry := range m.byFirst[string(w[:n-1])] {
			if len(entry) == 1 {
				return m.words[entry[0]], true
			}
		}
	}
	return "", false
}

// rest checks the words of an entry after the first; the last may carry a
// plural s or x.
func (m *wordMatcher) rest(entry []string, src []byte, after int, next *[]byte) bool {
	pos := after
	for k := 1; k < len(entry); k++ {
		var ok bool
		*next, pos, ok = nextWord(src, pos, (*next)[:0])
		if !ok {
			return false
		}
		f, e := string(*next), entry[k]
		if f != e && !(k == len(entry)-1 && (f == e+"s" || f == e+"x")) {
			return false
		}
	}
	return true
}
