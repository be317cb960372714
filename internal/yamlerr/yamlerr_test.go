package yamlerr

import (
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

func TestExplain(t *testing.T) {
	cases := []struct {
		src  string
		line int
		want string
	}{
		{"a: 1\n\tb: 2\n", 2, "tabulation"},
		{"a: [1, 2\nb: 3\n", 0, "crochets"},
		{"a: b: c\n", 0, "deux-points inattendu"}, // yaml.v3 gives no line here
		{"a:\n  b: 1\n c: 2\n", 3, "indentation"},
		{"a: \"non fermé\n", 0, "guillemet"},
	}
	for _, c := range cases {
		var n yaml.Node
		err := yaml.Unmarshal([]byte(c.src), &n)
		if err == nil {
			t.Fatalf("%q: no error", c.src)
		}
		line, msg := Explain(err)
		if (c.line != 0 && line != c.line) || !strings.Contains(msg, c.want) {
			t.Errorf("%q: Explain = %d %q, want line %d with %q (yaml: %v)", c.src, line, msg, c.line, c.want, err)
		}
		if strings.Contains(msg, "non fermé") && strings.Contains(c.src, "non fermé") {
			t.Errorf("%q: the message quotes the document's value", c.src)
		}
	}
}
