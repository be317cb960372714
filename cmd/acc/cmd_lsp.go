package main

import (
	"io"

	"github.com/spf13/cobra"

	"github.com/acc-formation/acc/lsp"
)

func (a *app) lspCmd() *cobra.Command {
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
			if _, err := a.todayDate(); err != nil {
				return err
			}
			return lsp.Serve(a.ctx, stdio{a.stdin, a.stdout}, lsp.Options{
				Today: a.todayDate,
				Log:   a.stderr,
			})
		},
	}
}

// stdio joins the standard input and output into the server's stream.
type stdio struct {
	io.Reader
	io.Writer
}

func (stdio) Close() error { return nil }
