package casefile

import "strings"

// What designates a beneficiary to erase (acc purge): the store rewrites the history, the
// domain says who the person is and what text names them.

// FicheNames returns the first and last names that a version of a fiche gives the
// beneficiary (prenom, nom): what designates them in free text, besides their id.
func FicheNames(data []byte) [][2]string {
	d := Parse(FicheFile, data)
	if d.Front == nil {
		return nil
	}
	p, n := d.Str("prenom"), d.Str("nom")
	if p == "" && n == "" {
		return nil
	}
	return [][2]string{{p, n}}
}

// MentionMatcher returns the test of whether a text names one of the beneficiaries ids:
// their id, or one of their names ("Prénom Nom", "Nom Prénom", or the family name alone
// when it has at least three letters), compared without case or accents, as whole words.
// The other beneficiaries' ids (others) are blanked out first, so that erasing
// jean-dupont leaves "jean-dupont-2" alone. A first name alone is not a mention: too
// many people share it.
func MentionMatcher(ids []string, names [][2]string, others []string) func(text string) bool {
	m := &mentionMatcher{ids: map[string]bool{}, others: map[string]bool{}}
	for _, id := range ids {
		m.ids[id] = true
	}
	for _, id := range others {
		if !m.ids[id] {
			m.others[id] = true
		}
	}
	seen := map[string]bool{}
	add := func(p string) {
		p = normalizeWords(p)
		if strings.TrimSpace(p) == "" || seen[p] {
			return
		}
		seen[p] = true
		m.patterns = append(m.patterns, p)
	}
	for _, n := range names {
		prenom, nom := strings.TrimSpace(n[0]), strings.TrimSpace(n[1])
		if prenom != "" && nom != "" {
			add(prenom + " " + nom)
			add(nom + " " + prenom)
		}
		if len(strings.TrimSpace(normalizeWords(nom))) >= 3 {
			add(nom)
		}
	}
	return m.mentions
}

type mentionMatcher struct {
	ids, others map[string]bool
	patterns    []string // normalised, " word word "
}

// normalizeWords folds case and accents and turns every run of characters other than
// a-z and 0-9 into one space, with a space at both ends.
func normalizeWords(s string) string {
	f := FoldText(s)
	var b strings.Builder
	b.Grow(len(f) + 2)
	b.WriteByte(' ')
	space := true
	for i := 0; i < len(f); i++ {
		c := f[i]
		if c >= 'a' && c <= 'z' || c >= '0' && c <= '9' {
			b.WriteByte(c)
			space = false
		} else if !space {
			b.WriteByte(' ')
			space = true
		}
	}
	if !space {
		b.WriteByte(' ')
	}
	return b.String()
}

func isIDByte(c byte) bool { return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' }

func (m *mentionMatcher) mentions(text string) bool {
	f := FoldText(text)
	var kept strings.Builder
	kept.Grow(len(f))
	for i := 0; i < len(f); {
		if !isIDByte(f[i]) {
			kept.WriteByte(f[i])
			i++
			continue
		}
		j := i
		for j < len(f) && isIDByte(f[j]) {
			j++
		}
		tok := f[i:j]
		switch {
		case m.ids[tok]:
			return true
		case m.others[tok]:
			kept.WriteByte(' ')
		default:
			kept.WriteString(tok)
		}
		i = j
	}
	if len(m.patterns) == 0 {
		return false
	}
	n := normalizeWords(kept.String())
	for _, p := range m.patterns {
		if strings.Contains(n, p) {
			return true
		}
	}
	return false
}
