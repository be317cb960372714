package report

import (
	"fmt"
	"strings"
	"time"

	"github.com/acc-formation/acc/casefile"
)

// genSources writes the documents of a generated beneficiary: a fiche and
// up to nine interviews following the methodology, with the variety the
// caseload aggregates (statuses, absences with and without relance, old
// drafts, overdue objectives, bilans with satisfaction).
func genSources(i int, start time.Time) (id string, files map[string]string) {
	id = fmt.Sprintf("beneficiaire-%05d", i)
	files = map[string]string{}
	trainers := []string{"Julien Marchais", "Sophie Vasseur", "Nadia Berthelot", "Karim Benali", "Claire Dumont"}
	trainer := trainers[i%len(trainers)]
	entry := start.AddDate(0, 0, i%300)
	statut := "en-cours"
	switch i % 10 {
	case 0:
		statut = "abandon"
	case 1, 2:
		statut = "termine"
	case 3:
		statut = "suspendu"
	}
	d := func(n int) string { return casefile.FormatDate(entry.AddDate(0, 0, n)) }
	var fiche strings.Builder
	fmt.Fprintf(&fiche, "---\ntype: fiche\nid: %s\nprenom: Prénom%d\nnom: Nom%d\ndate_entree: %s\nformateur_referent: %s\nstatut: %s\ndispositif: Dispositif %d\n",
		id, i, i, d(0), trainer, statut, i%7)
	if statut == "termine" || statut == "abandon" {
		fmt.Fprintf(&fiche, "date_sortie: %s\n", d(200))
	}
	if statut == "abandon" {
		fiche.WriteString("motif_sortie: \"Déménagement\"\n")
	}
	fiche.WriteString("---\n\n# Fiche\n\n## Situation à l'entrée\n\nTexte de la situation à l'entrée.\n")
	files["fiche.md"] = fiche.String()

	common := func(typ string, day int, extra string) string {
		statutDoc := "finalise"
		if i%13 == 0 && typ == "entretien-suivi" && day > 100 {
			statutDoc = "brouillon"
		}
		return fmt.Sprintf("---\ntype: %s\nbeneficiaire: %s\ndate: %s\nformateur: %s\nstatut: %s\nobjectif_entretien: \"Objectif de l'entretien %s\"\nduree_minutes: 45\nmodalite: presentiel\n%s---\n\n# Titre\n\n## Introduction\n\nIntroduction de l'entretien.\n\n## Déroulement\n\nDéroulement de l'entretien, sur plusieurs lignes\nde texte libre.\n\n## Conclusion\n\nConclusion.\n",
			typ, id, d(day), trainer, statutDoc, typ, extra)
	}
	files[d(0)+"-entretien-initial.md"] = common("entretien-initial", 0, "information_rgpd: "+d(0)+"\nprochain_entretien: "+d(8)+"\n")
	files[d(8)+"-entretien-diagnostic.md"] = common("entretien-diagnostic", 8, "freins:\n  mobilite: 2\n  logement: 1\n  sante: 0\n  numerique: 1\nbesoin_compensation: false\n")
	files[d(15)+"-co-elaboration.md"] = common("co-elaboration", 15, fmt.Sprintf(
		"objectifs:\n  - id: O1\n    intitule: \"Objectif un\"\n    indicateur: \"Indicateur un\"\n    echeance: %s\n    actions:\n      - libelle: \"Action\"\n        echeance: %s\n        responsable: beneficiaire\n        fait: false\n  - id: O2\n    intitule: \"Objectif deux\"\n    indicateur: \"Indicateur deux\"\n    echeance: %s\n",
		d(120), d(60), d(240)))
	files[d(22)+"-contractualisation.md"] = common("contractualisation", 22, fmt.Sprintf(
		"engagements:\n  beneficiaire: [\"Être présent\"]\n  formateur: [\"Recevoir\"]\nobjectifs_retenus: [O1, O2]\nsigne_le: %s\nsignataires: [\"Prénom%d Nom%d\", \"%s\"]\n", d(22), i, i, trainer))
	for k, day := range []int{55, 90, 125, 160} {
		extra := fmt.Sprintf("suivi_objectifs:\n  - objectif: O1\n    statut: en-cours\n    commentaire: \"Commentaire %d\"\nevaluation:\n  autonomie: %d\n  interactions: %d\nprochain_entretien: %s\n", k, 1+k%4, 1+(k+1)%4, d(day+35))
		if k == 2 && i%6 == 0 {
			extra = "presence: absent\nprochain_entretien: " + d(day+5) + "\n"
			if i%12 == 0 {
				extra = "presence: absent\nrelance: " + d(day+1) + "\nprochain_entretien: " + d(day+5) + "\n"
			}
		}
		files[d(day)+"-entretien-suivi.md"] = common("entretien-suivi", day, extra)
	}
	if statut == "termine" {
		files[d(195)+"-entretien-bilan.md"] = common("entretien-bilan", 195,
			fmt.Sprintf("suivi_objectifs:\n  - objectif: O1\n    statut: atteint\n  - objectif: O2\n    statut: partiellement-atteint\nevaluation:\n  autonomie: 4\n  interactions: 3\nsuites: \"Emploi\"\nsatisfaction: %d\n", 1+i%4))
	}
	return id, files
}

// genCase parses and folds a generated beneficiary.
func genCase(i int, start time.Time) *casefile.Case {
	id, files := genSources(i, start)
	return parseCase(id, files)
}

func parseCase(id string, files map[string]string) *casefile.Case {
	var fiche *casefile.Document
	var docs []*casefile.Document
	for name, src := range files {
		d := casefile.Parse(casefile.BeneficiaryDir(id)+"/"+name, []byte(src))
		if name == casefile.FicheFile {
			fiche = d
		} else {
			docs = append(docs, d)
		}
	}
	return casefile.NewCase(id, fiche, docs, func(n string) (int, bool) {
		t, ok := BuiltinTypes(n)
		return t.Rank, ok
	})
}
