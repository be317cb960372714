package yamlerr

import (
	"regexp"
	"strings"
)

// Locate explains a yaml.v3 error about src (the YAML text alone) in French
// at the line, and column where known (0 otherwise), of the mistake a
// person most likely made. yaml.v3 often notices a mistake lines later (an
// unclosed quote at the end of the text, a missing dash at the start of the
// list), so the text itself is read for the common hand-made mistakes: a
// tab in the indentation, an unclosed quote, a missing space after a colon,
// a colon inside an unquoted value, a list item or key without its colon,
// a missing dash, a misaligned key. When none is found, the yaml.v3 line
// and its explanation are kept. The message never quotes a value of the
// document.
func Locate(src []byte, err error) (line, col int, msg string) {
	line, msg = Explain(err)
	if e := err.Error(); strings.Contains(e, "did not find expected ','") || strings.Contains(e, "aliasing") {
		// An unclosed [ or {, or alias abuse: yaml.v3 says it well, and a
		// line read inside the brackets would mislead.
		return line, 0, msg
	}
	lines := scan(string(src))
	if c, ok := firstMistake(lines); ok {
		return c.line, c.col, c.msg
	}
	return line, 0, msg
}

// srcLine is one line of the YAML text.
type srcLine struct {
	n      int    // 1-based line number
	text   string // without its indentation
	indent int    // leading spaces
	tabCol int    // 1-based column of a tab in the indentation, 0 if none
	skip   bool   // blank, comment, or the content of a block scalar (| or >)
}

func scan(src string) []srcLine {
	raw := strings.Split(src, "\n")
	out := make([]srcLine, len(raw))
	block := -1 // indentation of the key that opened a block scalar; -1 outside
	for i, r := range raw {
		l := srcLine{n: i + 1}
		j := 0
		for j < len(r) && (r[j] == ' ' || r[j] == '\t') {
			if r[j] == '\t' && l.tabCol == 0 {
				l.tabCol = j + 1
			}
			j++
		}
		l.indent = j
		l.text = strings.TrimRight(r[j:], " \t\r")
		blank := l.text == "" || strings.HasPrefix(l.text, "#")
		if block >= 0 {
			// A block scalar goes on while lines are blank or more
			// indented than its key; a tab inside it is text.
			if l.text == "" || l.indent > block {
				l.skip = true
				out[i] = l
				continue
			}
			block = -1
		}
		l.skip = blank
		if !blank && blockScalar.MatchString(l.text) {
			block = l.indent
			if strings.HasPrefix(l.text, "- ") {
				block = l.indent // the item's content is deeper than the dash
			}
		}
		out[i] = l
	}
	return out
}

var (
	blockScalar = regexp.MustCompile(`(^|:\s+|^-\s+)[|>][-+0-9]*\s*(#.*)?$`)
	// keyLine is "key: …", "key:" or "- key: …" with a plain key.
	keyLine = regexp.MustCompile(`^(- +)?[\p{L}_][\p{L}\p{N}_.-]*:( |$)`)
	// noSpace is "key:value": a plain key glued to its value.
	noSpace = regexp.MustCompile(`^(- +)?[\p{L}_][\p{L}\p{N}_.-]*:[^\s:/]`)
)

type mistake struct {
	line, col int
	msg       string
}

// firstMistake returns the first hand-made mistake of the text: the one
// yaml.v3 stumbled on, or an earlier one that made it read the text wrong.
func firstMistake(lines []srcLine) (mistake, bool) {
	type level struct {
		indent int
		seq    bool // a list's dash column
		parent int  // for a list: the indentation of the key holding it
	}
	var stack []level
	prevKey := -1    // indentation of the previous "key: scalar" line, -1 if it opens a block
	prevScalar := "" // the previous line when it is a "- text" item without colon
	for i, l := range lines {
		if l.skip {
			continue
		}
		if l.tabCol > 0 {
			return mistake{l.n, l.tabCol, "tabulation dans l'indentation : indentez avec des espaces (la touche Tab n'est pas permise au début d'une ligne YAML)"}, true
		}
		t := l.text
		dash := strings.HasPrefix(t, "- ") || t == "-"
		body := t
		bodyIndent := l.indent
		if dash {
			body = strings.TrimLeft(t[1:], " ")
			bodyIndent = l.indent + len(t) - len(body)
		}
		if c, ok := unclosedQuote(body); ok {
			return mistake{l.n, bodyIndent + c, "guillemet ouvert et jamais fermé : fermez-le en fin de valeur (ou retirez-le)"}, true
		}
		if noSpace.MatchString(t) && !strings.Contains(body, ": ") {
			return mistake{l.n, bodyIndent + strings.IndexByte(body, ':') + 2, "espace manquant après les deux-points : écrivez « champ: valeur » (une espace après « : »)"}, true
		}
		if k := keyLine.FindString(t); k != "" {
			v := strings.TrimSpace(t[len(k):])
			if plain(v) && (strings.Contains(v, ": ") || strings.HasSuffix(v, ":")) {
				return mistake{l.n, l.indent + len(k) + 1, "deux-points dans la valeur : mettez toute la valeur entre guillemets (\"…\")"}, true
			}
		}
		// A "- text" item followed by a deeper "key: …" line: the item was
		// meant as "- key: value".
		if prevScalar != "" && keyLine.MatchString(t) && !dash && len(stack) > 0 && l.indent > stack[len(stack)-1].indent {
			return mistake{lines[prevLine(lines, i)].n, 0, "deux-points manquant : un élément de liste avec des champs s'écrit « - champ: valeur » (deux-points puis une espace)"}, true
		}
		prevScalar = ""
		// Indentation: pop the levels this line closes.
		for len(stack) > 0 && stack[len(stack)-1].indent > l.indent {
			stack = stack[:len(stack)-1]
		}
		top := level{indent: -1, parent: -1}
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		switch {
		case top.indent == l.indent && top.seq && !dash && top.indent > top.parent:
			return mistake{l.n, l.indent + 1, "tiret manquant : chaque élément de la liste commence par « - », aligné sur les autres"}, true
		case top.indent < l.indent && len(stack) > 0 && prevKey >= 0 && keyLine.MatchString(t) && !dash:
			return mistake{l.n, l.indent + 1, "indentation incohérente : ce champ est plus décalé que celui de la ligne précédente ; alignez-les"}, true
		}
		if top.indent != l.indent {
			parent := top.indent
			if parent < 0 {
				parent = 0
			}
			stack = append(stack, level{indent: l.indent, seq: dash, parent: parent})
		} else if dash && !top.seq {
			stack[len(stack)-1].seq = true
		}
		if dash {
			if keyLine.MatchString(t) {
				stack = append(stack, level{indent: bodyIndent, parent: l.indent})
			} else if plain(body) {
				prevScalar = body
			}
		}
		prevKey = -1
		if k := keyLine.FindString(t); k != "" && strings.TrimSpace(t[len(k):]) != "" {
			prevKey = l.indent
		}
	}
	return mistake{}, false
}

// prevLine returns the index of the line before i that is not skipped.
func prevLine(lines []srcLine, i int) int {
	for j := i - 1; j >= 0; j-- {
		if !lines[j].skip {
			return j
		}
	}
	return i
}

// plain reports whether a value is written without quotes, brackets or a
// block indicator.
func plain(v string) bool {
	if v == "" {
		return false
	}
	switch v[0] {
	case '"', '\'', '[', '{', '|', '>', '&', '*', '!', '#':
		return false
	}
	return true
}

// unclosedQuote returns the 1-based column, within v, of an opening quote
// of a value that does not close on its line.
func unclosedQuote(v string) (int, bool) {
	k := keyLine.FindString(v)
	if k != "" {
		v2 := strings.TrimLeft(v[len(k):], " ")
		return unclosedAt(v2, len(v)-len(v2))
	}
	return unclosedAt(v, 0)
}

func unclosedAt(v string, off int) (int, bool) {
	if v == "" || (v[0] != '"' && v[0] != '\'') {
		return 0, false
	}
	q := v[0]
	for i := 1; i < len(v); i++ {
		switch {
		case q == '"' && v[i] == '\\':
			i++
		case v[i] == q && q == '\'' && i+1 < len(v) && v[i+1] == '\'':
			i++
		case v[i] == q:
			return 0, false
		}
	}
	return off + 1, true
}
