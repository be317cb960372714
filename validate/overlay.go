package validate

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/acc-formation/acc/casefile"
)

// CheckText gives the findings acc validate would give for the document p
// (slash-separated, relative to opts.Root: beneficiaires/<id>/<file>.md) if
// its content were src: its own rules on src, and the case-level rules of
// its beneficiary with the rest of the case as it is on disk. It is the
// editor server's entry point (acc lsp): the unsaved buffer is judged by the
// one engine, never by a copy of it. opts.Paths and opts.Changed are
// ignored. The findings are those of p only, in Run's order.
//
// A document not yet on disk (an unsaved new buffer) gets its own rules
// only: its case cannot be folded without it.
func CheckText(ctx context.Context, opts RunOptions, p string, src []byte) ([]Finding, error) {
	p = path.Clean(filepath.ToSlash(p))
	parts := strings.Split(p, "/")
	if len(parts) != 3 || parts[0] != casefile.BeneficiariesDir || !casefile.IsCaseFileName(parts[2]) {
		return nil, pathErr(p, "n'est pas un document de dossier (beneficiaires/<id>/<fichier>.md attendu)")
	}
	opts.Paths = []string{p}
	opts.Changed = nil
	opts.overlay = map[string][]byte{p: src}
	if _, err := os.Lstat(filepath.Join(opts.Root, filepath.FromSlash(p))); errors.Is(err, fs.ErrNotExist) {
		return checkAlone(opts, p, parts[1], src)
	}
	all, _, err := Check(ctx, opts)
	if err != nil {
		return nil, err
	}
	out := all[:0]
	for _, f := range all {
		if f.Path == p {
			out = append(out, f)
		}
	}
	return out, nil
}

// checkAlone checks a document that is not on disk on its own, its waivers
// applied.
func checkAlone(opts RunOptions, p, id string, src []byte) ([]Finding, error) {
	e, err := engineFor(opts)
	if err != nil {
		return nil, err
	}
	r := &runner{e: e}
	ent, _ := r.checkOverlay(p, id, src, &result{})
	var waivers []Waiver
	if ent.facts != nil {
		waivers = waiversOf(ent.facts)
	}
	out := applyWaivers(ent.findings, waivers)
	sortFindings(out)
	return out, nil
}

// engineFor builds the engine of opts as Run does.
func engineFor(opts RunOptions) (*engine, error) {
	s := opts.Settings
	if s == nil {
		var err error
		if s, err = NewSettings(opts.Config, casefile.ConfigFile); err != nil {
			return nil, err
		}
	}
	if opts.Registry == nil {
		return nil, errors.New("validate: RunOptions.Registry manquant")
	}
	return newEngine(s, opts.Registry), nil
}

// checkOverlay checks an unsaved text in place of the file p. Its entry has
// no stat signature, so that a cache never trusts it for the file on disk;
// its blob id lets a later run reuse it only if the file comes to hold the
// same content.
func (r *runner) checkOverlay(p, id string, src []byte, res *result) (*docEntry, *casefile.Document) {
	if len(src) > casefile.MaxFileSize {
		ent := &docEntry{path: p, broken: true}
		ent.findings = append(ent.findings, forced("frontmatter-invalide", p,
			"fichier de plus de 16 Mio (%s) : un compte rendu n'est pas si long ; les règles du dossier n'ont pas été vérifiées pour ce bénéficiaire",
			fmt.Sprintf("%s : plus de %d octets", casefile.ErrTooLarge, casefile.MaxFileSize)))
		return ent, nil
	}
	res.read++
	res.parsed++
	d := casefile.Parse(p, src)
	return &docEntry{path: p, sum: blobID(src), findings: r.e.checkDocument(d, id), facts: factsOf(d)}, d
}
