package main

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

func init() {
	cobra.AddTemplateFunc("frenchFlags", frenchFlagUsages)
}

// flagTypeWords name a flag's value in the help when its usage gives no
// `NAME`: pflag would print Go's type names ("string", "int").
var flagTypeWords = map[string]string{
	"string":      "TEXTE",
	"stringArray": "TEXTE",
	"strings":     "LISTE",
	"int":         "N",
	"duration":    "DURÉE",
}

// frenchFlagUsages is pflag's FlagUsages in French: the same layout, value
// names in French instead of Go types, and a text default written
// "(par défaut : md)". Other defaults (false, 0, -1 for "none") say nothing
// a trainer needs; a usage that matters says it in words.
func frenchFlagUsages(fs *pflag.FlagSet) string {
	type line struct{ left, usage string }
	var lines []line
	width := 0
	fs.VisitAll(func(f *pflag.Flag) {
		if f.Hidden {
			return
		}
		left := "      --" + f.Name
		if f.Shorthand != "" && f.ShorthandDeprecated == "" {
			left = "  -" + f.Shorthand + ", --" + f.Name
		}
		name, usage := pflag.UnquoteUsage(f)
		if w, ok := flagTypeWords[name]; ok {
			name = w
		}
		if name != "" {
			left += " " + name
		}
		if f.Value.Type() == "string" && f.DefValue != "" {
			usage += fmt.Sprintf(" (par défaut : %s)", f.DefValue)
		}
		width = max(width, utf8.RuneCountInString(left))
		lines = append(lines, line{left, usage})
	})
	var b strings.Builder
	for _, l := range lines {
		b.WriteString(l.left)
		b.WriteString(strings.Repeat(" ", width-utf8.RuneCountInString(l.left)+3))
		b.WriteString(l.usage)
		b.WriteByte('\n')
	}
	return strings.TrimRight(b.String(), " \n")
}
