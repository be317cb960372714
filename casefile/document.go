package casefile

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/acc-formation/acc/internal/poserr"
	"github.com/acc-formation/acc/internal/yamlerr"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
	"go.yaml.in/yaml/v3"
)

// Document is one parsed case file (fiche.md or an interview).
//
// Parsing is lenient: a Document is returned for any readable file, and a
// missing or unparsable frontmatter is reported in FrontErr with a position,
// so that the validator turns it into a finding.
type Document struct {
	// Path is the slash path relative to the case-file root,
	// e.g. "beneficiaires/jean-dupont/fiche.md".
	Path string
	// Src is the normalised content (see Normalize).
	Src []byte

	// Front is the frontmatter's top-level mapping node; nil when the
	// frontmatter is absent, empty, unparsable or not a mapping (FrontErr
	// says which, except for an empty frontmatter).
	Front *yaml.Node
	// FrontErr describes a missing or unparsable frontmatter.
	FrontErr *poserr.Error
	// HasFront reports that delimiters were found, even around nothing.
	HasFront bool
	// Overflow reports that the frontmatter was refused because its YAML
	// aliases would expand it past maxAliasGrowth nodes (an "alias bomb"):
	// Front is nil and FrontErr says so.
	Overflow bool

	// Headings are the body's headings in order, with file positions.
	Headings []Heading
	// BodyLine is the file line (1-based) where the body starts.
	BodyLine int

	lineOffset int   // file line = YAML node line + lineOffset
	lines      []int // byte offset in Src of the start of each line
}

// Heading is a Markdown heading of the body.
type Heading struct {
	Level int
	Text  string // as written, trimmed
	Key   string // NormalizeHeading(Text)
	Line  int    // file line, 1-based
	// Empty reports that the section under the heading, up to the next
	// heading of the same or a higher level, holds nothing but blank lines,
	// HTML comments and deeper headings.
	Empty bool
}

// mdParser parses only blocks: headings and section emptiness need nothing
// more, and inline parsing is the costly part of goldmark.
var mdParser = parser.NewParser(
	parser.WithBlockParsers(parser.DefaultBlockParsers()...),
	parser.WithInlineParsers([]util.PrioritizedValue{}...),
	parser.WithParagraphTransformers([]util.PrioritizedValue{}...),
)

// Parse parses a case file. path is the slash path relative to the case-file
// root; src is the raw content, normalised first (BOM, CRLF, NFD).
func Parse(path string, src []byte) *Document {
	d := &Document{Path: path, Src: Normalize(src)}
	d.lines = lineStarts(d.Src)
	bodyStart := d.splitFront()
	d.BodyLine = d.LineAt(bodyStart)
	d.parseBody(bodyStart)
	d.canonicalizeBuiltin()
	return d
}

func lineStarts(src []byte) []int {
	starts := make([]int, 1, bytes.Count(src, []byte{'\n'})+1)
	for i, c := range src {
		if c == '\n' && i+1 <= len(src) {
			starts = append(starts, i+1)
		}
	}
	return starts
}

// LineAt returns the 1-based line of a byte offset in Src.
func (d *Document) LineAt(off int) int {
	return sort.Search(len(d.lines), func(i int) bool { return d.lines[i] > off })
}

// PosAt returns the 1-based line and column (in characters) of a byte
// offset in Src.
func (d *Document) PosAt(off int) (line, col int) {
	line = d.LineAt(off)
	start := d.lines[line-1]
	if off > len(d.Src) {
		off = len(d.Src)
	}
	return line, utf8.RuneCount(d.Src[start:off]) + 1
}

// splitFront finds the frontmatter and returns the byte offset of the body.
func (d *Document) splitFront() int {
	src := d.Src
	// The opening delimiter must be the first non-blank line.
	open := 0
	for open < len(src) {
		end := bytes.IndexByte(src[open:], '\n')
		if end < 0 {
			end = len(src) - open
		}
		if len(bytes.TrimSpace(src[open:open+end])) != 0 {
			break
		}
		open += end + 1
	}
	if open >= len(src) || !isDelimiter(lineOf(src, open)) {
		d.FrontErr = &poserr.Error{Path: d.Path, Line: 1, Column: 1,
			Err: errors.New("frontmatter absent : le fichier doit commencer par une ligne --- suivie des champs YAML et d'une ligne --- fermante")}
		return 0
	}
	dataStart := open + len(lineOf(src, open)) + 1
	if dataStart > len(src) {
		dataStart = len(src)
	}
	// The closing delimiter: the first line that is "---" once trimmed
	// (what adrg/frontmatter takes; TestClosingAgreesWithFrontmatter keeps
	// them equal, without its reader and buffer copies, a twentieth of a cold
	// validation). A trimmed match that is indented, such as a "---" inside
	// a block scalar, would end the frontmatter early: only a delimiter at
	// column 1 counts, so look further in that case.
	dataEnd := trimmedDelimiter(src, dataStart)
	if dataEnd >= 0 && !bytes.HasPrefix(src[dataEnd:], []byte("---")) {
		dataEnd = findDelimiter(src, dataEnd)
	}
	if dataEnd < 0 {
		line, _ := d.PosAt(open)
		d.FrontErr = &poserr.Error{Path: d.Path, Line: line, Column: 1,
			Err: errors.New("frontmatter non fermé : ajoutez une ligne --- (sans espace devant) après le dernier champ YAML")}
		return 0
	}
	bodyStart := dataEnd + len(lineOf(src, dataEnd)) + 1
	if bodyStart > len(src) {
		bodyStart = len(src)
	}
	d.HasFront = true
	d.lineOffset = d.LineAt(dataStart) - 1
	d.parseYAML(src[dataStart:dataEnd])
	return bodyStart
}

// trimmedDelimiter returns the offset of the first line at or after from
// (a line start) that is "---" once trimmed of white space, or -1.
func trimmedDelimiter(src []byte, from int) int {
	for off := from; off < len(src); {
		line := lineOf(src, off)
		if string(bytes.TrimSpace(line)) == "---" {
			return off
		}
		off += len(line) + 1
	}
	return -1
}

func lineOf(src []byte, off int) []byte {
	end := bytes.IndexByte(src[off:], '\n')
	if end < 0 {
		return src[off:]
	}
	return src[off : off+end]
}

func isDelimiter(line []byte) bool {
	return string(bytes.TrimRight(line, " \t")) == "---"
}

// findDelimiter returns the offset of the first line at or after from that
// is a closing delimiter starting at column 1, or -1.
func findDelimiter(src []byte, from int) int {
	off := from
	if off > 0 && src[off-1] != '\n' {
		if i := bytes.IndexByte(src[off:], '\n'); i >= 0 {
			off += i + 1
		} else {
			return -1
		}
	}
	for off < len(src) {
		line := lineOf(src, off)
		if isDelimiter(line) {
			return off
		}
		off += len(line) + 1
	}
	return -1
}

func (d *Document) parseYAML(data []byte) {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		d.FrontErr = yamlError(d.Path, data, err, d.lineOffset)
		return
	}
	if root.Kind == 0 || len(root.Content) == 0 {
		return // empty frontmatter: every required key is missing
	}
	top := root.Content[0]
	if top.Kind != yaml.MappingNode {
		if top.Kind == yaml.ScalarNode && top.Tag == "!!null" {
			return
		}
		d.FrontErr = &poserr.Error{Path: d.Path, Line: top.Line + d.lineOffset, Column: top.Column,
			Err: errors.New("le frontmatter doit être une liste de champs « clé: valeur »")}
		return
	}
	if budget := countNodes(top, false, math.MaxInt) + maxAliasGrowth; countNodes(top, true, budget) > budget {
		d.Overflow = true
		d.FrontErr = &poserr.Error{Path: d.Path, Line: top.Line + d.lineOffset, Column: top.Column,
			Err: fmt.Errorf("YAML illisible : trop d'alias YAML (le frontmatter se développerait en plus de %d éléments) ; écrivez les valeurs sans alias", budget)}
		return
	}
	d.Front = top
}

// maxAliasGrowth bounds how many nodes YAML aliases may add to a
// frontmatter when they are followed. yaml.v3 does not expand aliases into
// a yaml.Node, but every reader that follows them (report, status, list)
// would: 555 bytes of nested aliases make 9^9 nodes, and a report of
// gigabytes. No case file needs aliases at all; a few are allowed.
const maxAliasGrowth = 10000

// countNodes counts the nodes under n, following aliases when follow is
// set, and stops counting past limit.
func countNodes(n *yaml.Node, follow bool, limit int) int {
	count := 0
	var walk func(n *yaml.Node, depth int)
	walk = func(n *yaml.Node, depth int) {
		if n == nil || count > limit {
			return
		}
		count++
		if n.Kind == yaml.AliasNode {
			if follow && depth < 64 {
				walk(n.Alias, depth+1)
			}
			return
		}
		for _, c := range n.Content {
			walk(c, depth)
		}
	}
	walk(n, 0)
	return count
}

// yamlError turns a yaml.v3 error into a French positioned error at a file line.
func yamlError(path string, data []byte, err error, offset int) *poserr.Error {
	line, col, msg := yamlerr.Locate(data, err)
	if col == 0 {
		col = 1
	}
	return &poserr.Error{Path: path, Line: line + offset, Column: col, Err: errors.New("YAML illisible : " + msg)}
}

// parseBody records headings from the body starting at byte offset start.
func (d *Document) parseBody(start int) {
	body := d.Src[start:]
	root := mdParser.Parse(text.NewReader(body))
	type item struct {
		level int
		idx   int // index in d.Headings
	}
	var open []item // headings whose section is still collecting content
	markContent := func() {
		for _, it := range open {
			d.Headings[it.idx].Empty = false
		}
	}
	for n := root.FirstChild(); n != nil; n = n.NextSibling() {
		switch n := n.(type) {
		case *ast.Heading:
			for len(open) > 0 && open[len(open)-1].level >= n.Level {
				open = open[:len(open)-1]
			}
			var txt []byte
			off := n.Pos()
			if lines := n.Lines(); lines.Len() > 0 {
				for i := 0; i < lines.Len(); i++ {
					seg := lines.At(i)
					if i > 0 {
						txt = append(txt, ' ')
					}
					txt = append(txt, seg.Value(body)...)
				}
				if off < 0 {
					off = lines.At(0).Start
				}
			}
			if off < 0 {
				off = 0
			}
			h := Heading{Level: n.Level, Text: strings.TrimSpace(string(txt)), Line: d.LineAt(start + off), Empty: true}
			h.Key = NormalizeHeading(h.Text)
			d.Headings = append(d.Headings, h)
			open = append(open, item{level: n.Level, idx: len(d.Headings) - 1})
		case *ast.HTMLBlock:
			if n.HTMLBlockType != ast.HTMLBlockType2 || !commentOnly(n, body) {
				markContent()
			}
		default:
			markContent()
		}
	}
}

// commentOnly reports whether an HTML block of type 2 holds nothing but
// comments (text after a closing --> on the same line would be content).
func commentOnly(n *ast.HTMLBlock, src []byte) bool {
	var b []byte
	lines := n.Lines()
	for i := 0; i < lines.Len(); i++ {
		seg := lines.At(i)
		b = append(b, seg.Value(src)...)
	}
	if n.HasClosure() {
		cl := n.ClosureLine
		b = append(b, cl.Value(src)...)
	}
	s := strings.TrimSpace(string(b))
	for s != "" {
		if !strings.HasPrefix(s, "<!--") {
			return false
		}
		end := strings.Index(s, "-->")
		if end < 0 {
			return true
		}
		s = strings.TrimSpace(s[end+3:])
	}
	return true
}
