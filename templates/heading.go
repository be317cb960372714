package templates

import (
	"regexp"
	"strings"
	"unicode"
)

// foldAccents lowercases s and removes the accents of French text, without
// golang.org/x/text (this package depends on the standard library and YAML
// only): combining marks (NFD input) are dropped and precomposed letters
// mapped to their base letter.
func foldAccents(s string) string {
	var b strings.Builder
	for _, r := range s {
		if unicode.Is(unicode.Mn, r) {
			continue
		}
		r = unicode.ToLower(r)
		switch r {
		case 'à', 'â', 'ä', 'á', 'ã', 'å':
			r = 'a'
		case 'é', 'è', 'ê', 'ë':
			r = 'e'
		case 'î', 'ï', 'í', 'ì':
			r = 'i'
		case 'ô', 'ö', 'ó', 'ò', 'õ':
			r = 'o'
		case 'ù', 'û', 'ü', 'ú':
			r = 'u'
		case 'ÿ', 'ý':
			r = 'y'
		case 'ç':
			r = 'c'
		case 'ñ':
			r = 'n'
		case 'œ':
			b.WriteString("oe")
			continue
		case 'æ':
			b.WriteString("ae")
			continue
		case '’', '‘', 'ʼ':
			r = '\''
		}
		b.WriteRune(r)
	}
	return b.String()
}

var numberingRE = regexp.MustCompile(`^(?:\d+(?:\.\d+)*(?:[.)]\s*|\s+)|(?:[ivxlc]+|[a-z])[.)]\s*)(?:[-–—]\s*)?`)

// headingKey is the key under which a heading matches a section title:
// case, accents, a leading numbering and trailing punctuation ignored. It
// mirrors casefile.NormalizeHeading, which is what the validator uses; here it
// serves duplicate detection and the completion of rendered templates.
func headingKey(s string) string {
	s = foldAccents(s)
	s = strings.Map(func(r rune) rune {
		switch r {
		case '*', '_', '`':
			return -1
		}
		return r
	}, s)
	s = strings.Join(strings.Fields(s), " ")
	s = strings.TrimRight(s, "# ")
	s = numberingRE.ReplaceAllString(s, "")
	return strings.TrimRightFunc(s, func(r rune) bool { return unicode.IsPunct(r) || unicode.IsSpace(r) })
}
