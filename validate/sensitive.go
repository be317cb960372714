package validate

import (
	"unicode/utf8"
)

// Sensitive data (DESIGN §5.1): a French social security number (NIR) whose
// key is valid, or an IBAN that passes the ISO 13616 mod-97 check. The
// scanners work on the raw bytes of the whole file, frontmatter included, and
// report offsets only: a finding's message never repeats the value.

// sensitiveKind names what was found, for messages.
type sensitiveKind int

const (
	kindNIR sensitiveKind = iota
	kindIBAN
)

// sensitiveMatch is one piece of sensitive data at a byte offset.
type sensitiveMatch struct {
	Offset int
	Len    int // in bytes
	Kind   sensitiveKind
}

// scanSensitive returns the NIRs and IBANs of src in order of appearance.
func scanSensitive(src []byte) []sensitiveMatch {
	var out []sensitiveMatch
	for i := 0; i < len(src); {
		c := src[i]
		if c >= utf8.RuneSelf {
			// A word that starts with a letter such as É: skip it whole.
			r, size := utf8.DecodeRune(src[i:])
			i += size
			if isWordRune(r) {
				i = skipWord(src, i)
			}
			continue
		}
		isDigit := c >= '0' && c <= '9'
		if !isDigit && !(c|0x20 >= 'a' && c|0x20 <= 'z') {
			i++
			continue
		}
		// A word or a number starts here (the previous character is not a
		// letter or a digit: skipWord consumed those).
		if isDigit {
			if n := matchNIR(src, i); n > 0 {
				out = append(out, sensitiveMatch{Offset: i, Len: n, Kind: kindNIR})
				i += n
				continue
			}
		} else if n := matchIBAN(src, i); n > 0 {
			out = append(out, sensitiveMatch{Offset: i, Len: n, Kind: kindIBAN})
			i += n
			continue
		}
		i = skipWord(src, i+1)
	}
	return out
}

// skipWord returns the offset after the letters and digits that start at i.
func skipWord(src []byte, i int) int {
	for i < len(src) {
		c := src[i]
		if c < utf8.RuneSelf {
			if !isASCIIAlnum(c) {
				return i
			}
			i++
			continue
		}
		r, size := utf8.DecodeRune(src[i:])
		if !isWordRune(r) {
			return i
		}
		i += size
	}
	return i
}

// isAlnumAt reports whether the character at offset i is a letter or a digit;
// false at the end of src.
func isAlnumAt(src []byte, i int) bool {
	if i >= len(src) {
		return false
	}
	c := src[i]
	if c < utf8.RuneSelf {
		return isASCIIAlnum(c)
	}
	r, _ := utf8.DecodeRune(src[i:])
	return isWordRune(r)
}

func isASCIIAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c|0x20 >= 'a' && c|0x20 <= 'z'
}

// separator returns the length of a group separator at offset i (a space, a
// dot, a no-break space or a narrow no-break space), or 0.
func separator(src []byte, i int, dots bool) int {
	if i >= len(src) {
		return 0
	}
	switch src[i] {
	case ' ':
		return 1
	case '.':
		if dots {
			return 1
		}
	case 0xC2: // U+00A0
		if i+1 < len(src) && src[i+1] == 0xA0 {
			return 2
		}
	case 0xE2: // U+202F
		if i+2 < len(src) && src[i+1] == 0x80 && src[i+2] == 0xAF {
			return 3
		}
	}
	return 0
}

// matchNIR returns the length in bytes of a NIR starting at offset i with a
// valid key, or 0. Layout: sex (1), year (2), month (2), department (2, or
// 2A/2B), commune (3), order (3), key (2); one separator is allowed between
// groups.
func matchNIR(src []byte, i int) int {
	groups := [...]int{1, 2, 2, 2, 3, 3, 2}
	var digits [15]byte
	n := 0
	p := i
	for g, size := range groups {
		if g > 0 {
			p += separator(src, p, true)
		}
		for k := 0; k < size; k++ {
			if p >= len(src) {
				return 0
			}
			c := src[p]
			switch {
			case c >= '0' && c <= '9':
			case g == 3 && k == 1 && (c|0x20 == 'a' || c|0x20 == 'b') && digits[n-1] == '2':
				c = c &^ 0x20 // 2A, 2B
			default:
				return 0
			}
			digits[n] = c
			n++
			p++
		}
	}
	if isAlnumAt(src, p) {
		return 0 // part of a longer number or word
	}
	switch digits[0] {
	case '1', '2', '3', '4', '7', '8':
	default:
		return 0
	}
	month := int(digits[3]-'0')*10 + int(digits[4]-'0')
	if month == 0 || month > 12 && month < 20 || month > 42 && month < 50 {
		return 0
	}
	key := int(digits[13]-'0')*10 + int(digits[14]-'0')
	if key < 1 || key > 97 || nirKey(digits[:13]) != key {
		return 0
	}
	return p - i
}

// nirKey computes the key of the first 13 characters of a NIR: 97 minus the
// number modulo 97, with 2A read as 19 and 2B as 18.
func nirKey(d []byte) int {
	var num uint64
	for k := 0; k < 13; k++ {
		if k == 5 && (d[6] == 'A' || d[6] == 'B') {
			// Corsica: department 2A counts as 19, 2B as 18.
			num = num*100 + 19
			if d[6] == 'B' {
				num--
			}
			k++
			continue
		}
		num = num*10 + uint64(d[k]-'0')
	}
	return 97 - int(num%97)
}

// ibanLengths is the length of an IBAN per country (ISO 13616 registry).
// A country code that is not listed is accepted with 15 to 34 characters.
var ibanLengths = map[string]int{
	"AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22,
	"BH": 22, "BI": 27, "BR": 29, "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24,
	"DE": 22, "DJ": 27, "DK": 18, "DO": 28, "EE": 20, "EG": 29, "ES": 24, "FI": 18,
	"FK": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23, "GL": 18, "GR": 27,
	"GT": 28, "HN": 28, "HR": 21, "HU": 28, "IE": 22, "IL": 23, "IQ": 23, "IS": 26,
	"IT": 27, "JO": 30, "KW": 30, "KZ": 20, "LB": 28, "LC": 32, "LI": 21, "LT": 20,
	"LU": 20, "LV": 21, "LY": 25, "MC": 27, "MD": 24, "ME": 22, "MK": 19, "MN": 20,
	"MR": 27, "MT": 31, "MU": 30, "NI": 28, "NL": 18, "NO": 15, "OM": 23, "PK": 24,
	"PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22, "RU": 33, "SA": 24,
	"SC": 31, "SD": 18, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "SO": 23, "ST": 25,
	"SV": 28, "TL": 23, "TN": 24, "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20,
	"YE": 30,
}

// matchIBAN returns the length in bytes of an IBAN starting at offset i, or
// 0: two letters, two check digits, then letters and digits up to the
// country's length, with single spaces allowed between characters (the
// printed form groups them by four). The characters after the IBAN must not
// continue it.
func matchIBAN(src []byte, i int) int {
	if i+4 > len(src) {
		return 0
	}
	for k := 0; k < 4; k++ {
		c := src[i+k]
		if k < 2 && c|0x20 < 'a' || k < 2 && c|0x20 > 'z' || k >= 2 && (c < '0' || c > '9') {
			return 0
		}
	}
	country := [2]byte{src[i] &^ 0x20, src[i+1] &^ 0x20}
	// Collect up to 34 characters; ends[n] is the byte offset just after
	// the (n+1)-th character.
	var chars [34]byte
	var ends [34]int
	n := 0
	p := i
	for n < 34 && p < len(src) {
		if n >= 4 {
			if s := separator(src, p, false); s > 0 && isASCIIAlnumAt(src, p+s) {
				p += s
			}
		}
		if p >= len(src) || !isASCIIAlnum(src[p]) {
			break
		}
		c := src[p]
		if c >= 'a' && c <= 'z' {
			c -= 'a' - 'A'
		}
		chars[n] = c
		p++
		ends[n] = p
		n++
	}
	try := func(l int) int {
		if l > n || l < 15 || isAlnumAt(src, ends[l-1]) {
			return 0
		}
		if ibanValid(chars[:l]) {
			return ends[l-1] - i
		}
		return 0
	}
	if l, ok := ibanLengths[string(country[:])]; ok {
		return try(l)
	}
	// Unknown country: try the ends of groups only (where the run stops or
	// a separator follows), so that a long reference is not tried at twenty
	// lengths.
	for l := n; l >= 15; l-- {
		if l == n || !isASCIIAlnumAt(src, ends[l-1]) {
			if m := try(l); m > 0 {
				return m
			}
		}
	}
	return 0
}

func isASCIIAlnumAt(src []byte, i int) bool { return i < len(src) && isASCIIAlnum(src[i]) }

// ibanValid applies the ISO 13616 check to an uppercase IBAN without
// spaces: move the first four characters to the end, read letters as 10–35,
// and the number modulo 97 must be 1.
func ibanValid(s []byte) bool {
	if s[2] == '0' && s[3] < '2' || s[2] == '9' && s[3] == '9' {
		return false // check digits run from 02 to 98
	}
	rem := 0
	add := func(c byte) {
		if c >= 'A' {
			v := int(c-'A') + 10
			rem = (rem*100 + v) % 97
		} else {
			rem = (rem*10 + int(c-'0')) % 97
		}
	}
	for _, c := range s[4:] {
		add(c)
	}
	for _, c := range s[:4] {
		add(c)
	}
	return rem == 1
}
