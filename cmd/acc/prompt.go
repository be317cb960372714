package main

import (
	"bufio"
	"fmt"
	"strconv"
	"strings"

	"github.com/acc-formation/acc/internal/termtext"
)

// prompt asks a question on the terminal and returns the trimmed answer.
func (a *app) prompt(question string) (string, error) {
	fmt.Fprint(a.stderr, question)
	line, err := bufio.NewReader(a.stdin).ReadString('\n')
	if err != nil && line == "" {
		return "", usageErr("aucune réponse")
	}
	return strings.TrimSpace(line), nil
}

// choose asks the user to pick one of the choices, by number or by name.
func (a *app) choose(question string, choices, labels []string) (string, error) {
	fmt.Fprintln(a.stderr, question)
	for i, c := range choices {
		l := c
		if labels != nil && labels[i] != "" {
			l = c + " — " + labels[i]
		}
		fmt.Fprintf(a.stderr, "  %2d. %s\n", i+1, termtext.Line(l))
	}
	ans, err := a.prompt("Votre choix (numéro ou nom) : ")
	if err != nil {
		return "", err
	}
	if n, err := strconv.Atoi(ans); err == nil && n >= 1 && n <= len(choices) {
		return choices[n-1], nil
	}
	for _, c := range choices {
		if c == ans {
			return c, nil
		}
	}
	return "", usageErr("choix « %s » inconnu", termtext.Arg(ans))
}
