package validate

import (
	"strings"

	"github.com/acc-formation/acc/casefile"
	"go.yaml.in/yaml/v3"
)

// Waiver is a rule waived by a document (`derogations:`), as reports show
// it. Only waivers of a known rule that may be waived take effect; the
// others are findings of the document (champ-invalide).
type Waiver struct {
	Path   string // the document, relative to the case-file root
	Line   int    // the position of the waiver's regle value
	Column int
	Rule   string
	Motif  string // "" when missing (then derogation-sans-motif is reported)
	// Silenced counts the findings this waiver removed in this run.
	Silenced int
}

// WaiversOf returns the waivers of a parsed document that take effect: those
// of a known rule that may be waived, with or without motif (a waiver
// without motif still silences its rule; derogation-sans-motif reports it).
// Silenced is 0: only Run counts.
func WaiversOf(d *casefile.Document) []Waiver { return waiversOf(d) }

func waiversOf(d *casefile.Document) []Waiver {
	ws, _ := d.Get("derogations")
	if ws == nil || ws.Kind != yaml.SequenceNode {
		return nil
	}
	var out []Waiver
	for _, item := range ws.Content {
		item = casefile.Resolve(item)
		rn, _ := casefile.Get(item, "regle")
		rule := strings.TrimSpace(casefile.Scalar(rn))
		info, ok := Rule(rule)
		if !ok || !info.Waivable {
			continue
		}
		mn, _ := casefile.Get(item, "motif")
		w := Waiver{Path: d.Path, Rule: rule, Motif: strings.TrimSpace(casefile.Scalar(mn))}
		w.Line, w.Column = d.Pos(rn)
		out = append(out, w)
	}
	return out
}

// applyWaivers removes the findings that a waiver of their own document
// silences, counting them on the waiver. donnee-sensible is never silenced.
func applyWaivers(findings []Finding, waivers []Waiver) []Finding {
	if len(waivers) == 0 {
		return findings
	}
	out := findings[:0]
	for _, f := range findings {
		silenced := false
		if info, ok := Rule(f.Rule); !ok || info.Waivable {
			for i := range waivers {
				if waivers[i].Path == f.Path && waivers[i].Rule == f.Rule {
					waivers[i].Silenced++
					silenced = true
					break
				}
			}
		}
		if !silenced {
			out = append(out, f)
		}
	}
	return out
}
