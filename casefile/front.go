package casefile

// ParseFront parses only the frontmatter of a case file, as Parse does,
// leaving Headings empty: commands that read one key of every fiche (names
// for the check of commit messages, duplicates of an import) skip the
// Markdown body, the costly part.
func ParseFront(path string, src []byte) *Document {
	d := &Document{Path: path, Src: Normalize(src)}
	d.lines = lineStarts(d.Src)
	bodyStart := d.splitFront()
	d.BodyLine = d.LineAt(bodyStart)
	d.canonicalizeBuiltin()
	return d
}
