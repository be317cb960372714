package casefile

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"

	"github.com/acc-formation/acc/internal/poserr"
	"go.yaml.in/yaml/v3"
)

// Config is the content of acc.yaml.
type Config struct {
	Organisation string
	// Formateur is the team's fallback trainer name, used only when Git has
	// no identity.
	Formateur string
	// Identifiants is "lisibles" (ids derived from names) or "pseudonymes"
	// (random ids such as b-2026-k7f3).
	Identifiants string
	// Remote is the shared remote used by acc sync ("origin" by default).
	Remote string
	// Permissions is "privees" (files acc writes are readable by their owner only:
	// 0600, folders 0700) or "partagees" (readable by the owner's Unix group too:
	// 0640, 0750, for a team sharing one machine and one group).
	Permissions string
	// Rules holds the rule settings of `regles:`, by rule id.
	Rules map[string]RuleConfig
	// Node is the document's top-level mapping, for positions.
	Node *yaml.Node
}

// RuleConfig is one entry of `regles:`: a severity alone, or a map of
// parameters with an optional `severite`.
type RuleConfig struct {
	Severity string // erreur, avertissement, info, desactive, or "" to keep the default
	// SeverityNode is the node holding the severity, for positions.
	SeverityNode *yaml.Node
	Params       map[string]*yaml.Node
	Key          *yaml.Node
}

// Identifier modes.
const (
	IDsReadable = "lisibles"
	IDsPseudo   = "pseudonymes"
)

// Permission modes.
const (
	PermPrivate = "privees"
	PermShared  = "partagees"
)

// FilePerm is the permission of the case files acc creates.
func (c *Config) FilePerm() fs.FileMode {
	if c != nil && c.Permissions == PermShared {
		return 0o640
	}
	return 0o600
}

// DirPerm is the permission of the folders acc creates.
func (c *Config) DirPerm() fs.FileMode {
	if c != nil && c.Permissions == PermShared {
		return 0o750
	}
	return 0o700
}

// Severity words of acc.yaml.
var SeverityWords = []string{"erreur", "avertissement", "info", "desactive"}

var configKeys = []string{"organisation", "formateur", "identifiants", "remote", "permissions", "regles"}

// ParseConfig parses acc.yaml. path is used in error positions. Rule ids and
// parameters are checked by the validator, which knows them.
func ParseConfig(path string, src []byte) (*Config, error) {
	src = Normalize(src)
	cfg := &Config{Identifiants: IDsReadable, Remote: "origin", Permissions: PermPrivate, Rules: map[string]RuleConfig{}}
	var root yaml.Node
	if err := yaml.Unmarshal(src, &root); err != nil {
		return nil, yamlError(path, src, err, 0)
	}
	if root.Kind == 0 || len(root.Content) == 0 || root.Content[0].Kind != yaml.MappingNode {
		return nil, &poserr.Error{Path: path, Line: 1, Column: 1, Err: errors.New("acc.yaml doit contenir au moins « organisation: <nom du centre> »")}
	}
	top := root.Content[0]
	cfg.Node = top
	perr := func(n *yaml.Node, format string, args ...any) error {
		return &poserr.Error{Path: path, Line: n.Line, Column: n.Column, Err: fmt.Errorf(format, args...)}
	}
	text := func(k, v *yaml.Node) (string, error) {
		v = Resolve(v)
		if v.Kind != yaml.ScalarNode || v.Tag == "!!null" {
			return "", perr(v, "« %s » doit être un texte", k.Value)
		}
		return strings.TrimSpace(v.Value), nil
	}
	seen := map[string]bool{}
	for _, p := range Pairs(top) {
		k := p.Key.Value
		if seen[k] {
			return nil, perr(p.Key, "« %s » apparaît deux fois", k)
		}
		seen[k] = true
		var err error
		switch k {
		case "organisation":
			cfg.Organisation, err = text(p.Key, p.Value)
		case "formateur":
			cfg.Formateur, err = text(p.Key, p.Value)
		case "remote":
			cfg.Remote, err = text(p.Key, p.Value)
		case "identifiants":
			cfg.Identifiants, err = text(p.Key, p.Value)
			if err == nil && cfg.Identifiants != IDsReadable && cfg.Identifiants != IDsPseudo {
				err = perr(p.Value, "« identifiants » vaut « lisibles » ou « pseudonymes », pas « %s »", cfg.Identifiants)
			}
		case "permissions":
			cfg.Permissions, err = text(p.Key, p.Value)
			if err == nil {
				switch FoldText(cfg.Permissions) {
				case PermPrivate:
					cfg.Permissions = PermPrivate
				case PermShared:
					cfg.Permissions = PermShared
				default:
					err = perr(p.Value, "« permissions » vaut « privees » (vous seul) ou « partagees » (votre groupe Unix aussi), pas « %s »", cfg.Permissions)
				}
			}
		case "regles":
			err = parseRules(cfg, Resolve(p.Value), perr)
		default:
			msg := "clé inconnue « %s »"
			if s := Suggest(k, configKeys); s != "" {
				msg += fmt.Sprintf(" : vouliez-vous dire « %s » ?", s)
			}
			err = perr(p.Key, msg, k)
		}
		if err != nil {
			return nil, err
		}
	}
	if cfg.Organisation == "" {
		return nil, &poserr.Error{Path: path, Line: 1, Column: 1, Err: errors.New("« organisation » manque : ajoutez « organisation: <nom du centre> »")}
	}
	return cfg, nil
}

func parseRules(cfg *Config, m *yaml.Node, perr func(*yaml.Node, string, ...any) error) error {
	if IsNull(m) {
		return nil
	}
	if m.Kind != yaml.MappingNode {
		return perr(m, "« regles » doit associer à chaque règle une sévérité ou des paramètres")
	}
	for _, p := range Pairs(m) {
		rc := RuleConfig{Key: p.Key, Params: map[string]*yaml.Node{}}
		v := Resolve(p.Value)
		switch v.Kind {
		case yaml.ScalarNode:
			rc.Severity, rc.SeverityNode = v.Value, v
		case yaml.MappingNode:
			for _, q := range Pairs(v) {
				if q.Key.Value == "severite" {
					rc.Severity, rc.SeverityNode = Scalar(Resolve(q.Value)), q.Value
					continue
				}
				rc.Params[q.Key.Value] = Resolve(q.Value)
			}
		default:
			return perr(v, "règle « %s » : une sévérité (%s) ou des paramètres attendus", p.Key.Value, strings.Join(SeverityWords, ", "))
		}
		if rc.Severity != "" {
			ok := false
			for _, w := range SeverityWords {
				ok = ok || rc.Severity == w
			}
			if !ok {
				msg := "règle « %s » : sévérité « %s » inconnue ; valeurs possibles : %s"
				return perr(rc.SeverityNode, msg, p.Key.Value, rc.Severity, strings.Join(SeverityWords, ", "))
			}
		}
		cfg.Rules[p.Key.Value] = rc
	}
	return nil
}
