package validate

// RuleInfo describes a rule: its stable id, default severity and French help.
type RuleInfo struct {
	ID       string
	Default  Severity
	Summary  string // one line, French: what the rule checks
	Help     string // French: why it matters and what to do
	Waivable bool   // false only for donnee-sensible
}

// Rules lists every rule of DESIGN §5, in the contract's order.
var Rules = []RuleInfo{
	{"frontmatter-invalide", Error, "Frontmatter YAML absent ou illisible.", "Chaque document commence par une ligne ---, les champs YAML, puis une ligne --- fermante. Corrigez la syntaxe à la ligne indiquée.", true},
	{"champ-manquant", Error, "Champ obligatoire absent.", "Ajoutez le champ indiqué dans le frontmatter ; « acc types » liste les champs de chaque type.", true},
	{"champ-invalide", Error, "Champ de type, de valeur ou de date incorrect.", "Corrigez la valeur : dates au format AAAA-MM-JJ, valeurs permises listées par « acc types ».", true},
	{"champ-inconnu", Warning, "Champ inconnu (faute de frappe probable).", "Vérifiez l'orthographe du champ ; une suggestion est proposée quand un champ connu est proche.", true},
	{"section-manquante", Error, "Section obligatoire absente.", "Ajoutez le titre de niveau 2 (« ## ») indiqué ; la casse, les accents et la numérotation sont libres.", true},
	{"section-vide", Warning, "Section obligatoire sans contenu (document finalisé).", "Rédigez la section : les consignes du modèle sont des commentaires HTML et ne comptent pas comme du texte.", true},
	{"objectif-incomplet", Error, "Objectif sans intitulé, indicateur ou échéance.", "Un objectif SMART a un intitulé précis, un indicateur mesurable et une échéance datée.", true},
	{"objectif-echeance", Error, "Échéance antérieure à la date du document qui déclare l'objectif.", "Donnez une échéance postérieure à la date de l'entretien.", true},
	{"objectif-inconnu", Error, "Référence à un objectif jamais déclaré.", "Déclarez l'objectif (champ objectifs) dans un entretien antérieur ou corrigez l'identifiant.", true},
	{"objectif-duplique", Error, "Identifiant d'objectif déclaré deux fois dans un même document.", "Chaque objectif a un identifiant unique ; pour réviser un objectif, déclarez-le dans un document ultérieur.", true},
	{"objectif-en-retard", Warning, "Échéance d'objectif dépassée sans qu'il soit atteint.", "Faites le point lors du prochain suivi : statut final, ou nouvelle échéance (statut reporte).", true},
	{"action-en-retard", Warning, "Action non faite après son échéance.", "Marquez l'action faite (fait: true) ou révisez l'objectif avec une nouvelle échéance.", true},
	{"objectif-non-cloture", Error, "Bilan finalisé laissant un objectif sans statut final.", "Dans suivi_objectifs du bilan, donnez à chaque objectif un statut final : atteint, partiellement-atteint, non-atteint ou abandonne.", true},
	{"evaluation-manquante", Error, "Suivi ou bilan finalisé sans évaluation.", "Ajoutez evaluation: { autonomie: 1-4, interactions: 1-4 }.", true},
	{"contrat-non-signe", Error, "Contractualisation finalisée sans date de signature ou signataires.", "Ajoutez signe_le (date) et signataires (liste des noms).", true},
	{"sequence", Warning, "Ordre des phases non respecté.", "Le parcours suit accueil, construction puis accompagnement : vérifiez les dates et les types des entretiens.", true},
	{"rythme", Warning, "Écart entre entretiens trop long ou trop court.", "Planifiez les entretiens dans l'intervalle fixé par acc.yaml (regles.rythme), ou justifiez l'écart par une dérogation.", true},
	{"entretien-non-documente", Warning, "Entretien prévu passé sans document.", "Créez le compte rendu de l'entretien prévu (acc new) ou notez l'absence.", true},
	{"brouillon-ancien", Warning, "Brouillon resté ouvert trop longtemps.", "Finalisez le document (statut: finalise) une fois complet.", true},
	{"cloture-sans-bilan", Error, "Parcours terminé sans bilan finalisé.", "Rédigez et finalisez l'entretien de bilan avant de clore la fiche.", true},
	{"emplacement", Error, "Nom de fichier, dossier et frontmatter en désaccord.", "Le fichier beneficiaires/<id>/<AAAA-MM-JJ>-<type>.md doit avoir le même bénéficiaire, type et date dans son frontmatter.", true},
	{"donnee-sensible", Error, "Donnée interdite : numéro de sécurité sociale (NIR) ou IBAN.", "Supprimez cette donnée : elle ne doit pas être conservée dans le dossier. Elle bloque l'enregistrement du fichier.", false},
	{"absence-sans-relance", Warning, "Entretien manqué sans relance.", "Recontactez la personne et notez la date dans relance.", true},
	{"decrochage", Warning, "Deux entretiens manqués de suite : risque de décrochage.", "Organisez un contact rapide et adaptez l'accompagnement.", true},
	{"information-rgpd", Error, "Entretien initial finalisé sans information RGPD.", "Notez dans information_rgpd la date où la personne a été informée de l'usage de ses données.", true},
	{"conservation", Warning, "Dernier contact plus ancien que la durée de conservation.", "Archivez, anonymisez ou purgez le dossier (acc purge) : la CNIL recommande 24 mois après le dernier contact.", true},
	{"derogation-sans-motif", Error, "Dérogation sans motif.", "Chaque dérogation indique la règle et le motif qui la justifie.", true},
	{"propos-jugeant", Info, "Mots qui jugent la personne plutôt que de décrire des faits.", "Décrivez des faits observables plutôt que de qualifier la personne.", true},
}

// Rule returns the description of a rule id.
func Rule(id string) (RuleInfo, bool) {
	for _, r := range Rules {
		if r.ID == id {
			return r, true
		}
	}
	return RuleInfo{}, false
}
