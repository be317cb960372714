package casefile

import (
	"errors"
	"fmt"
	"strings"

	"github.com/acc-formation/acc/internal/termtext"
)

// MaxIDLen is the maximum length of a beneficiary id.
const MaxIDLen = 64

// ErrBadID is wrapped by every error about an id that breaks the rules.
var ErrBadID = errors.New("identifiant invalide")

// Slugify derives a beneficiary id from a person's name: accents folded,
// lowercase, every run of other characters (spaces, apostrophes, hyphens…)
// becomes one hyphen, cut at 64 characters on a hyphen.
// "Élodie N'Guessan-Lefèvre" gives "elodie-n-guessan-lefevre". It returns ""
// when nothing usable is left.
func Slugify(name string) string {
	s := FoldWords(name)
	if len(s) > MaxIDLen {
		cut := strings.LastIndexByte(s[:MaxIDLen+1], '-')
		if cut <= 0 {
			cut = MaxIDLen
		}
		s = strings.TrimRight(s[:cut], "-")
	}
	return s
}

// FoldWords returns the words of s, accents folded and lowercase, joined by
// single hyphens, without Slugify's length cut: "Appel d'Élodie N'Guessan…"
// gives "appel-d-elodie-n-guessan". Comparing two FoldWords results, hyphens
// included, matches names whatever their case, accents and punctuation.
func FoldWords(s string) string {
	folded := FoldText(s)
	var b strings.Builder
	hyphen := false
	for _, r := range folded {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			if hyphen && b.Len() > 0 {
				b.WriteByte('-')
			}
			hyphen = false
			b.WriteRune(r)
		default:
			hyphen = true
		}
	}
	return b.String()
}

// CheckID reports whether id is a valid beneficiary id: 1–64 characters of
// [a-z0-9-], not starting or ending with a hyphen, not a name Windows
// reserves for a device (WindowsReserved). The error is French and wraps
// ErrBadID.
func CheckID(id string) error {
	switch {
	case id == "":
		return fmt.Errorf("%w : l'identifiant est vide", ErrBadID)
	case len(id) > MaxIDLen:
		return fmt.Errorf("%w : %d caractères, %d au plus", ErrBadID, len(id), MaxIDLen)
	case strings.HasPrefix(id, "-") || strings.HasSuffix(id, "-"):
		return fmt.Errorf("%w : « %s » ne peut ni commencer ni finir par un tiret", ErrBadID, termtext.Arg(id))
	}
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
			return fmt.Errorf("%w : « %s » ne peut contenir que des minuscules sans accent, des chiffres et des tirets (a-z, 0-9, -)", ErrBadID, termtext.Arg(id))
		}
	}
	if WindowsReserved(id) {
		return fmt.Errorf("%w : « %s » est un nom réservé par Windows (con, prn, aux, nul, com1 à com9, lpt1 à lpt9) : "+
			"le dossier ne pourrait pas y être extrait", ErrBadID, id)
	}
	return nil
}

// WindowsReserved tells whether Windows reads name as a device rather than a
// file (CON, PRN, AUX, NUL, COM1–COM9, LPT1–LPT9, in any case, with or
// without an extension: "nul.md" is NUL too): Git for Windows refuses to
// check such a path out, so a clone with one cannot be used there.
func WindowsReserved(name string) bool {
	if i := strings.IndexByte(name, '.'); i >= 0 {
		name = name[:i]
	}
	// Windows also ignores trailing spaces before the extension ("nul .md").
	name = strings.ToLower(strings.TrimRight(name, " "))
	switch name {
	case "con", "prn", "aux", "nul":
		return true
	}
	return len(name) == 4 && (name[:3] == "com" || name[:3] == "lpt") && name[3] >= '1' && name[3] <= '9'
}

// CheckObjectiveID reports whether id is a valid objective id ([A-Za-z0-9-]+).
func CheckObjectiveID(id string) bool {
	if id == "" {
		return false
	}
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-') {
			return false
		}
	}
	return true
}

// pseudoAlphabet avoids characters that are easy to confuse (0/o, 1/l/i).
const pseudoAlphabet = "abcdefghjkmnpqrstuvwxyz23456789"

// Pseudonym returns a random id such as "b-2026-k7f3" from 4 random bytes,
// for repositories with `identifiants: pseudonymes`: the id says nothing
// about the person, and two trainers' clones practically never clash.
func Pseudonym(year int, random [4]byte) string {
	var b strings.Builder
	fmt.Fprintf(&b, "b-%d-", year)
	for _, c := range random {
		b.WriteByte(pseudoAlphabet[int(c)%len(pseudoAlphabet)])
	}
	return b.String()
}
