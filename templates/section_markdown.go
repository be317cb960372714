package templates

// SectionMarkdown returns a section as a new document writes it: its
// heading and its prompt comment (acc validate --fix and the editor's quick
// fixes add a missing section exactly as acc new would have).
func SectionMarkdown(s Section) string { return sectionMarkdown(s) }
