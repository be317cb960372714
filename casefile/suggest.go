package casefile

// Suggest returns the candidate closest to word when it is close enough to be
// a likely typo (edit distance at most 2, or 3 for long words, accents and case
// ignored), or "".
func Suggest(word string, candidates []string) string {
	w := []rune(FoldText(word))
	best, bestD := "", 1<<30
	for _, c := range candidates {
		d := distance(w, []rune(FoldText(c)))
		if d < bestD {
			best, bestD = c, d
		}
	}
	limit := 2
	if len(w) >= 10 {
		limit = 3
	}
	if bestD == 0 || bestD > limit || bestD >= len(w) {
		if bestD == 0 && best != word {
			return best
		}
		return ""
	}
	return best
}

// distance is the Damerau–Levenshtein (optimal string alignment) distance.
func distance(a, b []rune) int {
	prev2 := make([]int, len(b)+1)
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)]
}
