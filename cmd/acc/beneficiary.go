package main

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/acc-formation/acc/casefile"
	"github.com/acc-formation/acc/internal/gitstore"
	"github.com/acc-formation/acc/templates"
	"github.com/acc-formation/acc/validate"
)

// What creates, names and finds beneficiaries, shared by acc new beneficiaire,
// acc import beneficiaires, acc mv and the check of commit messages, so that
// the id rules and the fiche are the same whichever command writes them.

// ficheSpec is what a new fiche says about the person.
type ficheSpec struct {
	prenom, nom, dispositif, formateur string
	entree                             time.Time
}

// errSensitiveInput is returned when what the user typed would put a NIR or
// an IBAN into a fiche and the history.
var errSensitiveInput = errors.New("donnée interdite")

// ficheChange renders a new fiche from the repository's template and returns
// the exclusive creation that commits it. Sensitive data typed by the user
// never gets that far (DESIGN §4.1, donnee-sensible): errSensitiveInput.
func ficheChange(ws *workspace, id string, f ficheSpec) (gitstore.Change, error) {
	date := casefile.FormatDate(f.entree)
	content, err := ws.reg.Render("fiche", templates.Data{
		Type: ws.reg.Fiche(), Beneficiaire: id, Date: date, Formateur: f.formateur,
		Organisation: ws.repo.Config.Organisation, Prenom: f.prenom, Nom: f.nom,
		Dispositif: strings.TrimSpace(f.dispositif), DateEntree: date,
	})
	if err != nil {
		return gitstore.Change{}, repoErr(err)
	}
	if validate.HasSensitive(content) {
		return gitstore.Change{}, errSensitiveInput
	}
	return gitstore.Change{Path: casefile.FichePath(id), Content: content, Exclusive: true, Perm: ws.repo.Config.FilePerm()}, nil
}

// shareFolder opens a new beneficiary folder to the team's Unix group when
// acc.yaml asks for shared permissions (gitstore creates folders 0700).
func shareFolder(ws *workspace, id string) error {
	if ws.repo.Config.Permissions != casefile.PermShared {
		return nil
	}
	if err := os.Chmod(ws.repo.Abs(casefile.BeneficiaryDir(id)), ws.repo.Config.DirPerm()); err != nil {
		return repoErr(err)
	}
	return nil
}

// checkIDRules checks an id the user typed (--id, acc mv, a CSV column):
// nothing that could leave its folder, then the id rules (DESIGN §2).
func checkIDRules(id string) error {
	if err := casefile.CheckName(id); err != nil {
		return err
	}
	return casefile.CheckID(id)
}

// folderNames returns the names of the entries of beneficiaires/, keyed by
// their lowercase form: two ids that differ only by case would be one folder
// on Windows and macOS (DESIGN §4.2), so a new id is compared without case.
func folderNames(ws *workspace) (map[string]string, error) {
	ents, err := os.ReadDir(ws.repo.Abs(casefile.BeneficiariesDir))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, repoErr(err)
	}
	out := make(map[string]string, len(ents))
	for _, e := range ents {
		out[strings.ToLower(e.Name())] = e.Name()
	}
	return out, nil
}

// idTaken returns the existing folder that a new id would collide with,
// exactly or by case only, or "".
func idTaken(names map[string]string, id string) string {
	return names[strings.ToLower(id)]
}

// takenErr is the French refusal of an id that collides with folder name.
func takenErr(id, name string) string {
	if name == id {
		return fmt.Sprintf("le bénéficiaire « %s » existe déjà (%s)", id, casefile.BeneficiaryDir(id))
	}
	return fmt.Sprintf("« %s » ne diffère de « %s » (%s) que par les majuscules : sous Windows et macOS ce serait le même dossier", id, name, casefile.BeneficiaryDir(name))
}

// deriveID gives a new person's id when none was typed: a random pseudonym
// in repositories with `identifiants: pseudonymes`, else the slug of the
// name. taken says which ids are already used. It returns "" when the name
// gives no usable id.
func deriveID(ws *workspace, name string, year int, taken func(string) bool) (string, error) {
	if ws.repo.Config.Identifiants != casefile.IDsPseudo {
		return casefile.Slugify(name), nil
	}
	var id string
	for range 20 {
		var r [4]byte
		if _, err := rand.Read(r[:]); err != nil {
			return "", repoErr(err)
		}
		if id = casefile.Pseudonym(year, r); !taken(id) {
			break
		}
	}
	return id, nil
}

// person is a beneficiary as their fiche names them.
type person struct {
	id, prenom, nom string
	entree          time.Time // zero when the fiche has no valid date_entree
}

// people reads the fiches of the work tree through casefile.ReadFile (the
// one bounded reader). A fiche that is missing, a link, too large or
// unreadable is skipped: acc validate reports it.
func people(ws *workspace) ([]person, error) {
	ids, err := ws.repo.Beneficiaries()
	if err != nil {
		return nil, repoErr(err)
	}
	// One file read and one YAML parse per person: spread over the cores
	// (10k fiches cost about 0.5 s of CPU).
	out := make([]person, len(ids))
	ok := make([]bool, len(ids))
	var wg sync.WaitGroup
	next := atomic.Int64{}
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := int(next.Add(1) - 1); i < len(ids); i = int(next.Add(1) - 1) {
				rel := casefile.FichePath(ids[i])
				src, _, err := casefile.ReadFile(ws.repo.Abs(rel))
				if err != nil {
					continue
				}
				d := casefile.ParseFront(rel, src)
				out[i] = person{id: ids[i], prenom: d.Str("prenom"), nom: d.Str("nom")}
				out[i].entree, _ = d.Date("date_entree")
				ok[i] = true
			}
		}()
	}
	wg.Wait()
	kept := out[:0]
	for i, p := range out {
		if ok[i] {
			kept = append(kept, p)
		}
	}
	return kept, nil
}

// readBounded reads at most limit bytes of a file; a longer one is refused.
func readBounded(path string, limit int64) ([]byte, bool) {
	f, err := os.Open(path)
	if err != nil {
		return nil, false
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil || int64(len(data)) > limit {
		return nil, false
	}
	return data, true
}

// nameKey is how two names are compared: words, case, accents and
// punctuation ignored ("Élodie N'Guessan" = "ELODIE N GUESSAN").
func nameKey(prenom, nom string) string {
	return casefile.FoldWords(prenom + " " + nom)
}
