package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/acc-formation/acc/casefile"
	"github.com/acc-formation/acc/internal/termtext"
	"github.com/acc-formation/acc/templates"
	"github.com/acc-formation/acc/validate"
)

// typesOptions are acc types' flags and what it needs from outside.
type typesOptions struct {
	deps
	// Registry loads the types of the repository around the working folder,
	// or the built-in ones outside any (app.registry).
	Registry func() (*templates.Registry, *casefile.Repo, error)

	JSON   bool
	Schema string // a type whose JSON Schema to write
}

func (a *app) typesCmd() *cobra.Command {
	o := &typesOptions{deps: a.deps(), Registry: a.registry}
	c := &cobra.Command{
		Use:   "types",
		Short: "Lister les types de documents, leurs champs et sections obligatoires",
		Long: `Liste les types de documents (les six entretiens de la méthode, la fiche et
ceux que votre organisation ajoute dans .acc/types/), avec leur phase, les
champs et les sections qu'ils exigent.

Avec --schema TYPE, écrit le schéma JSON du frontmatter de ce type, pour
l'autocomplétion et la vérification dans un éditeur.`,
		Example: "  acc types\n  acc types --json\n  acc types --schema entretien-suivi > suivi.schema.json",
		Args:    cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			return runTypes(o)
		},
	}
	c.Flags().BoolVar(&o.JSON, "json", false, "sortie JSON")
	c.Flags().StringVar(&o.Schema, "schema", "", "écrire le schéma JSON du `TYPE`")
	_ = c.RegisterFlagCompletionFunc("schema", a.completeTypes)
	return c
}

// registry loads the types of the repository around the working directory,
// or the built-in ones outside any repository.
func (a *app) registry() (*templates.Registry, *casefile.Repo, error) {
	wd, err := a.workDir()
	if err != nil {
		return nil, nil, err
	}
	repo, err := casefile.Open(wd)
	if errIs(err, casefile.ErrNotRepo) {
		return templates.Builtin(), nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	reg, err := validate.LoadRegistry(repo.Abs(casefile.AccDir))
	if err != nil {
		return nil, nil, repoErr(a.relLoadError(err))
	}
	return reg, repo, nil
}

// runTypes lists the document types, or writes one's JSON Schema.
func runTypes(o *typesOptions) error {
	reg, _, err := o.Registry()
	if err != nil {
		return err
	}
	if o.Schema != "" {
		if _, ok := reg.Lookup(o.Schema); !ok {
			return unknownTypeErr(reg, o.Schema, true)
		}
		b, err := reg.Schema(o.Schema)
		if err != nil {
			return err
		}
		_, err = o.IO.Out.Write(append(b, '\n'))
		return err
	}
	all := append([]*templates.Type{reg.Fiche()}, reg.Types()...)
	if o.JSON {
		return writeJSON(o.IO.Out, typesJSON(all))
	}
	return writeTypesText(o.IO.Out, all)
}

type typeJSON struct {
	Name          string   `json:"nom"`
	Label         string   `json:"libelle"`
	Phase         string   `json:"phase,omitempty"`
	Purpose       string   `json:"objectif,omitempty"`
	Builtin       bool     `json:"integre"`
	Required      []string `json:"champs_requis"`
	RequiredFinal []string `json:"champs_requis_finalise"`
	Sections      []string `json:"sections"`
}

func typesJSON(all []*templates.Type) []typeJSON {
	out := make([]typeJSON, 0, len(all))
	for _, t := range all {
		j := typeJSON{Name: t.Name, Label: t.Label, Phase: t.Phase, Purpose: t.Purpose, Builtin: t.Builtin,
			Required: []string{}, RequiredFinal: []string{}, Sections: []string{}}
		for _, f := range t.Fields {
			switch f.Required {
			case templates.Always:
				j.Required = append(j.Required, f.Key)
			case templates.Final:
				j.RequiredFinal = append(j.RequiredFinal, f.Key)
			}
		}
		for _, s := range t.Sections {
			if !s.Optional {
				j.Sections = append(j.Sections, s.Title)
			}
		}
		out = append(out, j)
	}
	return out
}

func writeTypesText(w io.Writer, all []*templates.Type) error {
	var b strings.Builder
	for i, t := range all {
		if i > 0 {
			b.WriteString("\n")
		}
		// An organisation's types come from the repository: escaped.
		line := termtext.Line
		fmt.Fprintf(&b, "%s — %s", line(t.Name), line(t.Label))
		if t.Phase != "" {
			fmt.Fprintf(&b, " (phase %s)", line(strings.ToLower(t.PhaseLabel())))
		}
		if !t.Builtin {
			b.WriteString(" [propre à l'organisation]")
		}
		b.WriteString("\n")
		if t.Purpose != "" {
			fmt.Fprintf(&b, "  objectif : %s\n", line(t.Purpose))
		}
		var always, final []string
		for _, f := range t.Fields {
			switch f.Required {
			case templates.Always:
				always = append(always, fieldLabel(f))
			case templates.Final:
				final = append(final, fieldLabel(f))
			}
		}
		if len(always) > 0 {
			fmt.Fprintf(&b, "  champs requis : %s\n", line(strings.Join(always, ", ")))
		}
		if len(final) > 0 {
			fmt.Fprintf(&b, "  requis une fois finalisé : %s\n", line(strings.Join(final, ", ")))
		}
		var secs []string
		for _, s := range t.Sections {
			if s.Optional {
				continue
			}
			title := s.Title
			if s.If != nil {
				title += " (si " + s.If.String() + ")"
			}
			secs = append(secs, title)
		}
		if len(secs) > 0 {
			fmt.Fprintf(&b, "  sections : %s\n", line(strings.Join(secs, " · ")))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func fieldLabel(f *templates.Field) string {
	if f.RequiredIf != nil {
		return f.Key + " (si " + f.RequiredIf.String() + ")"
	}
	return f.Key
}

// unknownTypeErr explains an unknown type name with the list of types and a
// suggestion.
func unknownTypeErr(reg *templates.Registry, name string, withFiche bool) error {
	var names []string
	if withFiche {
		names = append(names, "fiche")
	}
	for _, t := range reg.Types() {
		names = append(names, t.Name)
	}
	msg := fmt.Sprintf("type de document inconnu « %s »", termtext.Arg(name))
	if s := casefile.Suggest(name, names); s != "" {
		msg += fmt.Sprintf(" : vouliez-vous dire « %s » ?", s)
	}
	return usageErr("%s\ntypes disponibles : %s", msg, strings.Join(names, ", "))
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}
