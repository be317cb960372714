// Package templates holds acc's document types and their Markdown templates:
// the built-in fiche and the six interview types of the methodology, defined
// as embedded data files, plus an organisation's own definitions read from
// the case-file repository (.acc/types/<type>.yaml, .acc/templates/<type>.md).
//
// A Registry answers three questions: what keys and sections a type has and
// when they are required (Type, Field, Section, with Type.Requires and
// Type.RequiresSection giving the exact semantics the validator applies), what
// a new document of that type looks like (Registry.Render), and the JSON
// Schema of its frontmatter for editors (Registry.Schema).
//
// The definition format (French keys: nom, libelle, phase, base, objectif,
// sections, champs…) is documented for organisations, in French, in
// README.md next to this file; the built-in definitions in types/ are its
// examples.
//
// Requirement semantics, in short:
//
//   - requis: oui — the key is always required (for a sub-key: whenever its
//     parent is present).
//   - requis: finalise — required once the document has statut: finalise and,
//     for an interview, was held (presence: present, the default). Drafts and
//     missed interviews skip these, as DESIGN §5.1 says. The fiche has no
//     draft state: finalise means oui there.
//   - requis_si: {key: [values]} — the requirement above applies only while the
//     document's top-level key has one of the values (its default when absent);
//     alone it implies requis: oui. It applies to drafts too (relance when
//     presence: absent).
//   - non_vide — an empty list or text counts as absent.
//   - Sections are required in drafts too, but only when the interview was held
//     and their si condition holds; facultative sections are never required.
//
// Everything a Registry hands out is shared and must not be modified.
package templates
