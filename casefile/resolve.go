package casefile

import (
	"fmt"
	"sort"
	"strings"

	"github.com/acc-formation/acc/internal/textkey"
)

// Person is a beneficiary as people designate them: the id, and the first
// and last names of the fiche ("" when unknown).
type Person struct {
	ID, Prenom, Nom string
}

// ResolvePerson's errors.
type (
	// AmbiguousError: several beneficiaries match; Candidates lists their ids.
	AmbiguousError struct {
		Query      string
		Candidates []string
	}
	// UnknownPersonError: no beneficiary matches; Closest lists the nearest
	// ids (possibly none).
	UnknownPersonError struct {
		Query   string
		Closest []string
		When    string // " à la date --at …" when looking in the past
	}
)

func (e *AmbiguousError) Error() string {
	return fmt.Sprintf("« %s » désigne plusieurs bénéficiaires : %s ; précisez l'identifiant", e.Query, strings.Join(e.Candidates, ", "))
}

func (e *UnknownPersonError) Error() string {
	msg := fmt.Sprintf("bénéficiaire « %s » inconnu%s", e.Query, e.When)
	switch len(e.Closest) {
	case 0:
		return msg
	case 1:
		return msg + " : vouliez-vous dire « " + e.Closest[0] + " » ?"
	}
	return msg + " ; les plus proches : " + strings.Join(e.Closest, ", ")
}

// maxQuery bounds what is compared with names and ids, in bytes.
const maxQuery = 4 * MaxIDLen

// ResolvePerson finds the one beneficiary that query designates (DESIGN
// §4.2): the exact id; else the people whose id starts with it, or whose
// first name, last name, or both (in either order) it is, accents and case
// ignored. Several matches give an *AmbiguousError, none an
// *UnknownPersonError with the nearest ids: never a suggestion to create
// the person, who may exist under another spelling.
func ResolvePerson(query string, people []Person) (string, error) {
	q := strings.Join(strings.Fields(query), " ")
	for _, p := range people {
		if p.ID == q {
			return p.ID, nil
		}
	}
	if len(q) > maxQuery {
		// No name or id is that long: no search (the distances would cost
		// the query's length times every name's).
		return "", &UnknownPersonError{Query: q}
	}
	if strings.ContainsAny(q, `/\`) {
		// A path is not a person: no prefix of ../jean-dupont is taken.
		return "", &UnknownPersonError{Query: q, Closest: closestPeople(q, people, 3)}
	}
	key := FoldText(q)
	slug := Slugify(q)
	var hits []string
	for _, p := range people {
		switch {
		case slug != "" && strings.HasPrefix(p.ID, slug):
		case p.Prenom != "" && FoldText(p.Prenom) == key, p.Nom != "" && FoldText(p.Nom) == key:
		case p.Prenom != "" && p.Nom != "" &&
			(FoldText(p.Prenom+" "+p.Nom) == key || FoldText(p.Nom+" "+p.Prenom) == key):
		default:
			continue
		}
		hits = append(hits, p.ID)
	}
	sort.Strings(hits)
	switch len(hits) {
	case 1:
		return hits[0], nil
	case 0:
		return "", &UnknownPersonError{Query: q, Closest: closestPeople(q, people, 3)}
	}
	return "", &AmbiguousError{Query: q, Candidates: hits}
}

// closestPeople returns the ids of the n people whose id or name is nearest
// to q.
func closestPeople(q string, people []Person, n int) []string {
	var names []string
	idOf := map[string][]string{}
	add := func(name, id string) {
		if name == "" {
			return
		}
		k := FoldText(name)
		if _, ok := idOf[k]; !ok {
			names = append(names, k)
		}
		idOf[k] = append(idOf[k], id)
	}
	for _, p := range people {
		add(p.ID, p.ID)
		add(p.Prenom, p.ID)
		add(p.Nom, p.ID)
		add(strings.TrimSpace(p.Prenom+" "+p.Nom), p.ID)
	}
	var out []string
	seen := map[string]bool{}
	for _, k := range textkey.Closest(q, names, len(names)) {
		for _, id := range idOf[k] {
			if !seen[id] && len(out) < n {
				seen[id] = true
				out = append(out, id)
			}
		}
	}
	return out
}
