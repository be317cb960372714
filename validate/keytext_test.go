package validate

import "testing"

func TestHumanKeys(t *testing.T) {
	for _, c := range []struct{ in, key, want string }{
		{"champ « objectifs[O1].actions[1].fait » manquant (dans objectifs[O1].actions[1]) : ajoutez-le", "objectifs[O1].actions[1].fait",
			"champ « fait » de l'action 1 de l'objectif O1 manquant (dans l'action 1 de l'objectif O1) : ajoutez-le"},
		{"élément vide dans « objectifs[O2].actions » : complétez-le", "objectifs[O2].actions[3]", "élément vide dans « actions » de l'objectif O2 : complétez-le"},
		{"champ « objectifs[O1].echance » inconnu : vouliez-vous dire « objectifs[O1].echeance » ?", "objectifs[O1].echance",
			"champ « echance » de l'objectif O1 inconnu : vouliez-vous dire « echeance » de l'objectif O1 ?"},
		{"« derogations[1].regle » : règle inconnue", "derogations[1].regle", "« regle » de la dérogation 1 : règle inconnue"},
		{"« competences[3] » doit être un texte", "competences[3]", "l'élément 3 de « competences » doit être un texte"},
		// Without an index, a key path is already words enough.
		{"champ « statut » manquant", "statut", "champ « statut » manquant"},
		{"« evaluation.autonomie » : de 1 à 4", "evaluation.autonomie", "« evaluation.autonomie » : de 1 à 4"},
		// A value from the document that looks like a path is not one.
		{"« objectifs[O1].statut » : valeur « x[1] » inconnue", "objectifs[O1].statut", "« statut » de l'objectif O1 : valeur « x[1] » inconnue"},
	} {
		if got := humanKeys(c.in, c.key); got != c.want {
			t.Errorf("humanKeys(%q)\n got %q\nwant %q", c.in, got, c.want)
		}
	}
}
