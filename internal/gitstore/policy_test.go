package gitstore

import "github.com/acc-formation/acc/casefile"

// testPolicy is the domain's erasure policy, wired as cmd/acc wires it.
var testPolicy = &PurgePolicy{
	Dir:     casefile.BeneficiariesDir,
	Fiche:   casefile.FicheFile,
	CheckID: casefile.CheckID,
	Names:   casefile.FicheNames,
	Matcher: casefile.MentionMatcher,
}
