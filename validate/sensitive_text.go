package validate

// HasSensitive reports whether text holds data that must never be stored (a NIR with a
// valid key, or a valid IBAN; see donnee-sensible): for text that is not a case file but
// would enter the history too, such as a commit message or a name typed on the command
// line.
func HasSensitive(text []byte) bool { return len(scanSensitive(text)) > 0 }
