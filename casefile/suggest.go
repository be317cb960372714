package casefile

import "github.com/acc-formation/acc/internal/textkey"

// Suggest returns the candidate closest to word when it is close enough to be
// a likely typo (edit distance at most 2, or 3 for long words, accents and case
// ignored), or "".
func Suggest(word string, candidates []string) string { return textkey.Suggest(word, candidates) }
