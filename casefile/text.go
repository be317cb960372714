package casefile

import (
	"bytes"

	"golang.org/x/text/unicode/norm"

	"github.com/acc-formation/acc/internal/textkey"
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
func FoldText(s string) string { return textkey.Fold(s) }

// NormalizeHeading returns the key under which a heading's text is matched:
// case and accents ignored, a leading numbering ("1.", "2)", "III -", "A.")
// and trailing punctuation removed, inner spaces collapsed.
// "## 1. Déroulement :" and "## DÉROULEMENT" both give "deroulement".
func NormalizeHeading(s string) string { return textkey.Heading(s) }
