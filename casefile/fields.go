package casefile

import (
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// Pair is a key of a YAML mapping with its value.
type Pair struct {
	Key   *yaml.Node
	Value *yaml.Node
}

// Pairs returns the key/value pairs of a mapping node, in document order
// (duplicate keys included); nil for any other node.
func Pairs(m *yaml.Node) []Pair {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	out := make([]Pair, 0, len(m.Content)/2)
	for i := 0; i+1 < len(m.Content); i += 2 {
		out = append(out, Pair{Key: m.Content[i], Value: m.Content[i+1]})
	}
	return out
}

// Get returns the value node of key in mapping m (the first one when the key
// is duplicated) and the key node, or nils. Aliases are resolved.
func Get(m *yaml.Node, key string) (value, keyNode *yaml.Node) {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil, nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return Resolve(m.Content[i+1]), m.Content[i]
		}
	}
	return nil, nil
}

// Resolve follows an alias node to its anchor.
func Resolve(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && i < 8; i++ {
		n = n.Alias
	}
	return n
}

// IsNull reports whether n is absent or an explicit null (`key:` with nothing).
func IsNull(n *yaml.Node) bool {
	return n == nil || n.Kind == yaml.ScalarNode && n.Tag == "!!null"
}

// Scalar returns the text of a scalar node, "" for anything else.
func Scalar(n *yaml.Node) string {
	if n == nil || n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		return ""
	}
	return n.Value
}

// DateOf returns the date held by a scalar node.
func DateOf(n *yaml.Node) (time.Time, bool) {
	s := Scalar(n)
	if s == "" {
		return time.Time{}, false
	}
	t, err := ParseDate(s)
	return t, err == nil
}

// IntOf returns the integer held by a scalar node (decimal only: YAML 1.1
// octal forms such as 012 are not numbers in a case file).
func IntOf(n *yaml.Node) (int, bool) {
	if n == nil || n.Kind != yaml.ScalarNode || n.Tag != "!!int" {
		return 0, false
	}
	v, err := strconv.Atoi(strings.TrimPrefix(n.Value, "+"))
	return v, err == nil
}

// BoolOf returns the boolean held by a scalar node (true/false only).
func BoolOf(n *yaml.Node) (bool, bool) {
	if n == nil || n.Kind != yaml.ScalarNode || n.Tag != "!!bool" {
		return false, false
	}
	switch strings.ToLower(n.Value) {
	case "true":
		return true, true
	case "false":
		return false, true
	}
	return false, false
}

// Get returns the value and key nodes of a top-level frontmatter key.
func (d *Document) Get(key string) (value, keyNode *yaml.Node) { return Get(d.Front, key) }

// Str returns the scalar text of a top-level key, "" when absent.
func (d *Document) Str(key string) string {
	v, _ := d.Get(key)
	return Scalar(v)
}

// Date returns the date of a top-level key.
func (d *Document) Date(key string) (time.Time, bool) {
	v, _ := d.Get(key)
	return DateOf(v)
}

// Type returns the document's `type`.
func (d *Document) Type() string { return d.Str("type") }

// Statut returns the document's `statut`.
func (d *Document) Statut() string { return d.Str("statut") }

// Final reports whether an interview is finalised (`statut: finalise`).
func (d *Document) Final() bool { return d.Str("statut") == "finalise" }

// Presence returns `presence`, "present" by default.
func (d *Document) Presence() string {
	if p := d.Str("presence"); p != "" {
		return p
	}
	return "present"
}

// Held reports whether the interview took place (presence: present).
func (d *Document) Held() bool { return d.Presence() == "present" }

// Pos returns the file position (line, column in characters) of a node of
// the frontmatter; line 1, column 1 for nil.
func (d *Document) Pos(n *yaml.Node) (line, col int) {
	if n == nil || n.Line == 0 {
		return 1, 1
	}
	return n.Line + d.lineOffset, n.Column
}

// Section returns the first level-2 heading whose key is NormalizeHeading(title).
func (d *Document) Section(title string) (Heading, bool) {
	key := NormalizeHeading(title)
	for _, h := range d.Headings {
		if h.Level == 2 && h.Key == key {
			return h, true
		}
	}
	return Heading{}, false
}
