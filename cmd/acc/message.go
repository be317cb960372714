package main

import (
	"strings"
	"unicode"

	"github.com/acc-formation/acc/casefile"
	"github.com/acc-formation/acc/validate"
)

// checkMessage checks a commit message a trainer typed (commit -m, edit -m)
// and returns it trimmed. History is shared and outlives erasures (purge
// rewrites files, not every clone's memory of a message), so a message holds
// no sensitive data and no person's name (DESIGN §4.2): a first and last
// name as a fiche writes them, in either order, case, accents and
// punctuation ignored, is refused with the id to write instead.
func checkMessage(ws *workspace, msg string) (string, error) {
	msg = strings.TrimSpace(msg)
	if msg == "" {
		return "", nil
	}
	if strings.ContainsAny(msg, "\n\r") {
		return "", usageErr("-m : une seule ligne")
	}
	if validate.HasSensitive([]byte(msg)) {
		return "", usageErr("-m : le message contient une donnée interdite (numéro de sécurité sociale ou IBAN), qui resterait dans l'historique : rien n'a été enregistré")
	}
	ps, err := people(ws)
	if err != nil {
		return "", err
	}
	words := messageWords(msg, ps)
	for _, p := range ps {
		if strings.TrimSpace(p.prenom) == "" || strings.TrimSpace(p.nom) == "" {
			continue // one word alone is too common to be a name
		}
		for _, k := range []string{nameKey(p.prenom, p.nom), nameKey(p.nom, p.prenom)} {
			if k != "" && strings.Contains(words, "-"+k+"-") {
				return "", usageErr("-m : le message contient le prénom et le nom d'une personne suivie ; écrivez plutôt son identifiant « %s » (l'historique est partagé et survit aux effacements) : rien n'a été enregistré", p.id)
			}
		}
	}
	return msg, nil
}

// messageWords folds a message into words joined by hyphens, as nameKey
// folds names, with every beneficiary id written as such ("elodie-n-guessan",
// what the refusal asks for) replaced by a break: a readable id is the name's
// words, but written as an id it is not the name.
func messageWords(msg string, ps []person) string {
	ids := make(map[string]bool, len(ps))
	for _, p := range ps {
		ids[p.id] = true
	}
	tokens := strings.FieldsFunc(msg, func(r rune) bool {
		return !(unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r) || r == '-')
	})
	var b strings.Builder
	b.WriteString("-")
	for _, t := range tokens {
		if ids[strings.Trim(t, "-")] {
			b.WriteString("|-")
			continue
		}
		if w := casefile.FoldWords(t); w != "" {
			b.WriteString(w + "-")
		}
	}
	return b.String()
}
