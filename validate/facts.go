package validate

import (
	"github.com/acc-formation/acc/casefile"
	"github.com/acc-formation/acc/internal/binrec"
	"go.yaml.in/yaml/v3"
)

// The case-level rules need only a few keys of each document. After a
// document's own checks, its frontmatter is pruned to those keys (the
// "facts" of the document) and the rest is dropped: the case-level rules run
// on the facts of every document of a beneficiary, which keeps memory small,
// and the cache stores the facts so that an unchanged document is never
// parsed again.

// factKeys are the top-level keys the case-level rules and the waivers read.
var factKeys = map[string]bool{
	"type": true, "beneficiaire": true, "date": true, "statut": true,
	"presence": true, "relance": true, "prochain_entretien": true,
	"objectifs": true, "objectifs_retenus": true, "suivi_objectifs": true,
	"derogations": true,
	// fiche
	"id": true, "date_entree": true, "date_sortie": true,
}

// maxFactNodes bounds the copy of one document's facts: YAML aliases could
// otherwise make a small file expand into a large tree.
const maxFactNodes = 20000

// factsOf returns what the case-level rules keep of a parsed document: the
// document itself, without its text (the case-level rules read only the
// frontmatter). The cache stores a pruned copy (encodeFacts).
func factsOf(d *casefile.Document) *casefile.Document {
	f := *d
	f.Src = nil
	f.Headings = nil
	return &f
}

// encodeFacts writes the facts of a document: the factKeys of its
// frontmatter, aliases resolved, with file lines (so that a decoded node
// needs no line offset), at most maxFactNodes nodes.
func encodeFacts(e *binrec.Encoder, d *casefile.Document) {
	budget := maxFactNodes
	pairs := casefile.Pairs(d.Front)
	n := 0
	for _, p := range pairs {
		if factKeys[p.Key.Value] {
			n++
		}
	}
	line, col := d.Pos(d.Front)
	e.Uint(uint64(yaml.MappingNode))
	e.Str("!!map")
	e.Str("")
	e.Int(line)
	e.Int(col)
	e.Uint(uint64(2 * n))
	for _, p := range pairs {
		if factKeys[p.Key.Value] {
			encodeNode(e, d, p.Key, &budget)
			encodeNode(e, d, p.Value, &budget)
		}
	}
}

// encodeNode writes n and its children; past the budget, children are
// dropped (a mapping keeps an even number of them).
func encodeNode(e *binrec.Encoder, d *casefile.Document, n *yaml.Node, budget *int) {
	n = casefile.Resolve(n)
	if n == nil || n.Kind == yaml.AliasNode {
		// An alias that does not resolve (a cycle): a null.
		e.Uint(uint64(yaml.ScalarNode))
		e.Str("!!null")
		e.Str("")
		e.Int(0)
		e.Int(0)
		e.Uint(0)
		return
	}
	*budget--
	e.Uint(uint64(n.Kind))
	e.Str(n.Tag)
	e.Str(n.Value)
	line, col := 0, 0
	if n.Line > 0 {
		line, col = d.Pos(n)
	}
	e.Int(line)
	e.Int(col)
	kids := n.Content
	if *budget <= 0 {
		kids = nil
	} else if len(kids) > *budget {
		kids = kids[:*budget&^1]
	}
	e.Uint(uint64(len(kids)))
	for _, k := range kids {
		encodeNode(e, d, k, budget)
	}
}
