package casefile

import (
	"bytes"

	"github.com/acc-formation/acc/internal/poserr"
	"go.yaml.in/yaml/v3"
)

// ReplaceTopValue rewrites the value of a top-level frontmatter key whose
// scalar value is old, touching only the bytes of that value: every other
// byte of src (a BOM, CRLF line endings, comments, quotes, NFD accents, the
// body) is kept as it is, so that a rename never rewrites a document behind
// the user's back (DESIGN §3). The value keeps its quoting; a plain value
// that would no longer read as a string (new = "2026" or "true") is written
// in double quotes. changed is false when the key is absent or its value is
// not old; an error says that the value is there but written in a form this
// surgical rewrite does not handle (a block or multi-line scalar, a tag).
func ReplaceTopValue(path string, src []byte, key, old, new string) (out []byte, changed bool, err error) {
	d := Parse(path, src)
	if d.Front == nil {
		return src, false, nil
	}
	v, _ := d.Get(key)
	if v == nil || v.Kind != yaml.ScalarNode || v.Value != old {
		return src, false, nil
	}
	line, _ := d.Pos(v)
	start, end, ok := rawLine(src, line)
	if !ok {
		return nil, false, poserr.At(path, line, 0, "ligne introuvable")
	}
	raw := src[start:end]
	// The line reads `key: value` (spaces and a trailing comment allowed);
	// ids are ASCII, so byte positions on the raw line are safe.
	prefix := []byte(key)
	i := bytes.Index(raw, prefix)
	if i < 0 || len(bytes.TrimLeft(raw[:i], " ")) != 0 {
		return nil, false, poserr.At(path, line, 0, "« %s » n'est pas écrit sur une ligne « %s: valeur »", key, key)
	}
	j := i + len(prefix)
	for j < len(raw) && raw[j] == ' ' {
		j++
	}
	if j >= len(raw) || raw[j] != ':' {
		return nil, false, poserr.At(path, line, 0, "« %s » n'est pas écrit sur une ligne « %s: valeur »", key, key)
	}
	j++
	for j < len(raw) && (raw[j] == ' ' || raw[j] == '\t') {
		j++
	}
	rest := raw[j:]
	var repl []byte
	switch {
	case v.Style == yaml.DoubleQuotedStyle && bytes.HasPrefix(rest, []byte(`"`+old+`"`)),
		v.Style == yaml.SingleQuotedStyle && bytes.HasPrefix(rest, []byte(`'`+old+`'`)):
		j++ // inside the quotes
		repl = []byte(new)
	case v.Style == 0 && bytes.HasPrefix(rest, []byte(old)) && (len(rest) == len(old) || rest[len(old)] == ' ' || rest[len(old)] == '\t'):
		repl = []byte(new)
		if !readsAsString(new) {
			repl = []byte(`"` + new + `"`)
		}
	default:
		return nil, false, poserr.At(path, line, 0, "la valeur de « %s » est écrite sous une forme qu'acc ne modifie pas sans risque ; corrigez-la à la main", key)
	}
	at := start + j
	out = make([]byte, 0, len(src)+len(repl))
	out = append(out, src[:at]...)
	out = append(out, repl...)
	out = append(out, src[at+len(old):]...)
	return out, true, nil
}

// readsAsString reports whether s, written plain after "key: ", reads back
// as the same string.
func readsAsString(s string) bool {
	var n yaml.Node
	if err := yaml.Unmarshal([]byte("k: "+s), &n); err != nil || len(n.Content) == 0 || len(n.Content[0].Content) != 2 {
		return false
	}
	v := n.Content[0].Content[1]
	return v.Tag == "!!str" && v.Value == s
}

// rawLine returns the byte span of a 1-based line of src as written: lines
// end with LF, CRLF or a lone CR, as Normalize counts them; a BOM is not part
// of line 1.
func rawLine(src []byte, line int) (start, end int, ok bool) {
	start = 0
	if bytes.HasPrefix(src, bom) {
		start = len(bom)
	}
	for n := 1; ; n++ {
		end = start
		for end < len(src) && src[end] != '\n' && src[end] != '\r' {
			end++
		}
		if n == line {
			return start, end, true
		}
		if end >= len(src) {
			return 0, 0, false
		}
		if src[end] == '\r' && end+1 < len(src) && src[end+1] == '\n' {
			end++
		}
		start = end + 1
	}
}
