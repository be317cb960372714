package validate

import (
	"regexp"
	"strings"
)

// A finding's Key names a place in the frontmatter the way a program would
// ("objectifs[O1].actions[1].fait"); it stays so, for fingerprints. Its
// message says it the way a trainer would: "« fait » de l'action 1 de
// l'objectif O1". keyText does that rewriting for the key paths a message
// quotes.

// listItemNouns name an element of the frontmatter's lists in a sentence.
var listItemNouns = map[string]string{
	"objectifs":         "l'objectif",
	"objectifs_retenus": "l'objectif retenu",
	"actions":           "l'action",
	"suivi_objectifs":   "le suivi de l'objectif",
	"derogations":       "la dérogation",
	"signataires":       "le signataire",
}

// keyPathRe matches a key path with at least one list index, quoted (« … »)
// or not.
var keyPathRe = regexp.MustCompile(`(« )?([a-z_][a-z0-9_]*(?:\[[^\]\s]+\])?(?:\.[a-z_][a-z0-9_]*(?:\[[^\]\s]+\])?)*)( »)?`)

// humanKeys rewrites into words the key paths with list indexes that msg
// quotes about the finding's key: those that start like key up to its first
// index (the key itself, its parents, a sibling suggested in their place).
// Other text — a value echoed from the document, paths without an index
// ("statut", "evaluation.autonomie") — is left as it is.
func humanKeys(msg, key string) string {
	end := strings.IndexByte(key, ']')
	if end < 0 || !strings.Contains(msg, "[") {
		return msg
	}
	stem := key[:end+1]
	return keyPathRe.ReplaceAllStringFunc(msg, func(m string) string {
		sub := keyPathRe.FindStringSubmatch(m)
		path := sub[2]
		if !strings.HasPrefix(path, stem) {
			return m
		}
		text := keyText(path)
		if sub[1] != "" && sub[3] == "" || sub[1] == "" && sub[3] != "" {
			return sub[1] + text + sub[3] // half-quoted: keep the quote mark
		}
		return text
	})
}

// keyText says a key path in words: "objectifs[O1].actions[1].fait" →
// "« fait » de l'action 1 de l'objectif O1"; "objectifs[O1].actions[2]" →
// "l'action 2 de l'objectif O1".
func keyText(path string) string {
	segs := strings.Split(path, ".")
	var parts []string // innermost first
	for i := len(segs) - 1; i >= 0; i-- {
		name, index, indexed := strings.Cut(segs[i], "[")
		index = strings.TrimSuffix(index, "]")
		switch {
		case !indexed:
			parts = append(parts, "« "+name+" »")
		case listItemNouns[name] != "":
			parts = append(parts, listItemNouns[name]+" "+index)
		default:
			parts = append(parts, "l'élément "+index+" de « "+name+" »")
		}
	}
	return strings.Join(parts, " de ")
}
