package templates

import (
	_ "embed"
	"fmt"
	"sync"

	"go.yaml.in/yaml/v3"
)

//go:embed rules.yaml
var rulesYAML []byte

// RuleDef is one rule of DESIGN §5 as rules.yaml defines it: data, like the
// types, so that the rule ids are written once.
type RuleDef struct {
	ID       string
	Default  string // erreur, avertissement, info
	Summary  string // French, one line
	Help     string // French
	Waivable bool   // false only for « derogeable: non » (donnee-sensible)
}

var rulesOnce = sync.OnceValues(func() ([]RuleDef, error) {
	var raw []struct {
		ID         string `yaml:"id"`
		Default    string `yaml:"defaut"`
		Summary    string `yaml:"resume"`
		Help       string `yaml:"aide"`
		Derogeable string `yaml:"derogeable"`
	}
	if err := yaml.Unmarshal(rulesYAML, &raw); err != nil {
		return nil, err
	}
	defs := make([]RuleDef, len(raw))
	seen := map[string]bool{}
	for i, r := range raw {
		switch {
		case r.ID == "" || seen[r.ID]:
			return nil, fmt.Errorf("rules.yaml: rule %d: id %q empty or repeated", i+1, r.ID)
		case r.Default != "erreur" && r.Default != "avertissement" && r.Default != "info":
			return nil, fmt.Errorf("rules.yaml: %s: defaut %q", r.ID, r.Default)
		case r.Derogeable != "" && r.Derogeable != "non":
			return nil, fmt.Errorf("rules.yaml: %s: derogeable %q", r.ID, r.Derogeable)
		}
		seen[r.ID] = true
		defs[i] = RuleDef{ID: r.ID, Default: r.Default, Summary: r.Summary, Help: r.Help, Waivable: r.Derogeable == ""}
	}
	return defs, nil
})

// Rules returns the rules of DESIGN §5, in the contract's order, from the
// embedded rules.yaml. It panics only if the embedded data is broken, which
// the package's tests rule out.
func Rules() []RuleDef {
	defs, err := rulesOnce()
	if err != nil {
		panic("templates: embedded rules are broken: " + err.Error())
	}
	return defs
}

// ruleIDs returns the rule ids, the only ones a field's regle may name.
func ruleIDs() []string {
	defs := Rules()
	ids := make([]string, len(defs))
	for i, d := range defs {
		ids[i] = d.ID
	}
	return ids
}
