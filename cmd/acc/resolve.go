package main

import (
	"errors"
	"fmt"

	"github.com/acc-formation/acc/casefile"
	"github.com/acc-formation/acc/internal/termtext"
)

// designations returns the beneficiaries among ids (all of the work tree's
// when ids is nil) with the names their fiche gives (people reads them),
// for designating them.
func designations(ws *workspace, ids []string) ([]casefile.Person, error) {
	if ids == nil {
		var err error
		if ids, err = ws.repo.Beneficiaries(); err != nil {
			return nil, repoErr(err)
		}
	}
	named, err := people(ws)
	if err != nil {
		return nil, err
	}
	byID := make(map[string]person, len(named))
	for _, p := range named {
		byID[p.id] = p
	}
	out := make([]casefile.Person, 0, len(ids))
	for _, id := range ids {
		p := byID[id]
		out = append(out, casefile.Person{ID: id, Prenom: p.prenom, Nom: p.nom})
	}
	return out, nil
}

// resolveBeneficiary is the one reading of what a person typed to designate
// a beneficiary, wherever an id is expected (-b, acc report ID, acc log ID,
// the prompts): the id, a unique prefix of it, or a first or last name
// (DESIGN §4.2). ids are the beneficiaries that may be meant (nil: those of
// the work tree). An ambiguous answer is asked again on a terminal, and
// refused (exit 2) in a script, with the candidates; an unknown one is
// refused with the nearest ids. flag prefixes the messages ("-b"); at is
// --at when the beneficiaries are those of a past date.
func (a *app) resolveBeneficiary(ws *workspace, query string, ids []string, flag, at string) (string, error) {
	if ids == nil && ws.repo.HasBeneficiary(query) {
		return query, nil // the common case reads no fiche
	}
	ps, err := designations(ws, ids)
	if err != nil {
		return "", err
	}
	id, err := casefile.ResolvePerson(query, ps)
	if err == nil {
		return id, nil
	}
	var amb *casefile.AmbiguousError
	var unk *casefile.UnknownPersonError
	if errors.As(err, &unk) {
		unk.Query = termtext.Arg(unk.Query) // typed by a person: never raw on the terminal
		if at != "" {
			unk.When = " à la date --at " + termtext.Arg(at)
		}
	}
	if errors.As(err, &amb) {
		amb.Query = termtext.Arg(amb.Query)
	}
	if errors.As(err, &amb) && a.interactive() {
		return a.choose(fmt.Sprintf("« %s » désigne plusieurs bénéficiaires ; lequel ?", amb.Query), amb.Candidates, nil)
	}
	if flag != "" {
		return "", usageErr("%s : %v", flag, err)
	}
	return "", usageErr("%v", err)
}

// choosePerson asks which beneficiary, among ids, by number, id, prefix or
// name.
func (a *app) choosePerson(ws *workspace, question string, ids []string) (string, error) {
	ps, err := designations(ws, ids)
	if err != nil {
		return "", err
	}
	return a.chooseMatching(question, ids, nil, func(ans string) (string, error) {
		return casefile.ResolvePerson(ans, ps)
	})
}
