package validate

import "strings"

// HasSensitive reports whether text holds data that must never be stored (a NIR with a
// valid key, or a valid IBAN; see donnee-sensible): for text that is not a case file but
// would enter the history too, such as a commit message or a name typed on the command
// line.
func HasSensitive(text []byte) bool { return len(scanSensitive(text)) > 0 }

// MaskSensitive returns s with each NIR and IBAN that donnee-sensible would
// flag replaced by a placeholder. It is the one guard for text that quotes a
// document (a finding's message or key, a waiver's motif, a report's
// values): donnee-sensible reports such data without repeating it, and no
// other message may repeat it either.
func MaskSensitive(s string) string {
	ms := scanSensitive([]byte(s))
	if len(ms) == 0 {
		return s
	}
	var b strings.Builder
	last := 0
	for _, m := range ms {
		b.WriteString(s[last:m.Offset])
		if m.Kind == kindNIR {
			b.WriteString("[NIR masqué]")
		} else {
			b.WriteString("[IBAN masqué]")
		}
		last = m.Offset + m.Len
	}
	b.WriteString(s[last:])
	return b.String()
}

// masked is f with its message and key guarded by MaskSensitive.
func masked(f Finding) Finding {
	f.Message = MaskSensitive(f.Message)
	f.Key = MaskSensitive(f.Key)
	return f
}
