// Package yamlerr explains yaml.v3's syntax errors in French, with the file
// line they are about.
package yamlerr

import (
	"regexp"
	"strconv"
	"strings"
)

var lineRe = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// Explain returns the 1-based line of the YAML text that err is about (0
// when yaml.v3 gives none) and a French explanation. The explanation never
// quotes a value of the document.
func Explain(err error) (line int, msg string) {
	msg = err.Error()
	if i := strings.IndexByte(msg, '\n'); i >= 0 {
		msg = msg[:i]
	}
	if m := lineRe.FindStringSubmatch(msg); m != nil {
		line, _ = strconv.Atoi(m[1])
		msg = m[2]
		// yaml.v3 numbers lines from 0 in parser errors (it adds 1 for
		// scanner errors only): the line is one too small.
		if parserError(msg) {
			line++
		}
	} else {
		msg = strings.TrimPrefix(msg, "yaml: ")
	}
	return line, french(msg)
}

// parserError reports the problems yaml.v3's parser (not its scanner)
// raises, whose line numbers count from 0.
func parserError(msg string) bool {
	for _, p := range []string{
		"did not find expected key", "did not find expected node content",
		"did not find expected '-' indicator", "did not find expected ',' or ']'",
		"did not find expected ',' or '}'", "did not find expected <document start>",
		"found undefined tag handle", "found duplicate %", "found incompatible YAML document",
	} {
		if strings.HasPrefix(msg, p) {
			return true
		}
	}
	return false
}

// french explains the most common YAML syntax errors in French. The
// original message is kept in parentheses for the rarer ones; it never quotes
// a value of the document.
func french(msg string) string {
	switch {
	case strings.Contains(msg, "found character that cannot start any token"),
		strings.Contains(msg, "tab character"):
		return "caractère inattendu (une tabulation ? indentez avec des espaces)"
	case strings.Contains(msg, "mapping values are not allowed"):
		return "deux-points inattendu : mettez la valeur entre guillemets"
	case strings.Contains(msg, "did not find expected key"):
		return "indentation incohérente : alignez les champs d'un même niveau"
	case strings.Contains(msg, "could not find expected ':'"):
		return "deux-points attendu après le nom du champ"
	case strings.Contains(msg, "found unexpected end of stream"):
		return "fin inattendue : un guillemet ou un crochet n'est pas fermé"
	case strings.Contains(msg, "did not find expected node content"):
		return "valeur attendue"
	case strings.Contains(msg, "excessive aliasing"):
		return "trop d'alias YAML"
	case strings.Contains(msg, "did not find expected ',' or ']'"):
		return "liste entre crochets non fermée : ajoutez « ] » ou mettez la valeur entre guillemets"
	case strings.Contains(msg, "did not find expected ',' or '}'"):
		return "accolades non fermées : ajoutez « } » ou mettez la valeur entre guillemets"
	case strings.Contains(msg, "did not find expected '-' indicator"):
		return "élément de liste attendu (« - ») : vérifiez l'indentation"
	}
	return "syntaxe incorrecte (" + msg + ")"
}
