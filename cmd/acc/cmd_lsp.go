package main

import (
	"io"

	"github.com/spf13/cobra"

	"github.com/acc-formation/acc/lsp"
)

// lspOptions is what acc lsp needs from outside: the streams it serves on,
// the date its rules judge against.
type lspOptions struct {
	deps
}

func (a *app) lspCmd() *cobra.Command {
	o := &lspOptions{deps: a.deps()}
	return &cobra.Command{
		Use:   "lsp",
		Short: "Serveur de langage (LSP) : les règles d'acc dans l'éditeur",
		Long: `Lance le serveur de langage d'acc (Language Server Protocol 3.17) sur l'entrée
et la sortie standard. L'éditeur le démarre lui-même : voir la configuration de
Neovim, Helix, Emacs, Vim et VS Code dans le README.

Il vérifie les documents .md de beneficiaires/ pendant la frappe (les mêmes
constats que acc validate, sur le texte non enregistré), propose les champs, les
valeurs et les titres de section, décrit un champ au survol et offre les
corrections sûres de acc validate --fix. Il n'écrit dans son journal (sortie
d'erreur) que des événements du protocole, jamais le contenu d'un document.`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			return runLSP(o)
		},
	}
}

// runLSP serves the protocol on the streams until the editor says exit or
// closes stdin; a bad --today is refused before anything is read.
func runLSP(o *lspOptions) error {
	if _, err := o.Today(); err != nil {
		return err
	}
	return lsp.Serve(o.Ctx, stdio{o.IO.In, o.IO.Out}, lsp.Options{
		Today: o.Today,
		Log:   o.IO.Err,
	})
}

// stdio joins the standard input and output into the server's stream.
type stdio struct {
	io.Reader
	io.Writer
}

func (stdio) Close() error { return nil }
