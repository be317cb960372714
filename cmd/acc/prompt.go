package main

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/acc-formation/acc/internal/termtext"
)

// prompt asks a question on the terminal and returns the trimmed answer.
func (a *app) prompt(question string) (string, error) {
	fmt.Fprint(a.stderr, question)
	// Read byte by byte: a buffered reader would swallow the answers to the
	// next questions (a second try, the next prompt) typed ahead.
	var line []byte
	var b [1]byte
	for len(line) < 4096 {
		n, err := a.stdin.Read(b[:])
		if n == 1 {
			if b[0] == '\n' {
				break
			}
			line = append(line, b[0])
		}
		if err != nil {
			if len(line) == 0 {
				return "", usageErr("aucune réponse")
			}
			break
		}
	}
	return strings.TrimSpace(string(line)), nil
}

// choose asks the user to pick one of the choices, by number or by name.
func (a *app) choose(question string, choices, labels []string) (string, error) {
	return a.chooseMatching(question, choices, labels, nil)
}

// chooseMatching is choose where match, when not nil, also reads an answer
// (a first name for a beneficiary). A wrong answer gets a second try.
func (a *app) chooseMatching(question string, choices, labels []string, match func(string) (string, error)) (string, error) {
	fmt.Fprintln(a.stderr, question)
	for i, c := range choices {
		l := c
		if labels != nil && labels[i] != "" {
			l = c + " — " + labels[i]
		}
		fmt.Fprintf(a.stderr, "  %2d. %s\n", i+1, termtext.Line(l))
	}
	var why error
	for try := 0; try < 2; try++ {
		ans, err := a.prompt("Votre choix (numéro ou nom) : ")
		if err != nil {
			return "", err
		}
		if c, err := pick(ans, choices, match); err == nil {
			return c, nil
		} else {
			why = err
		}
		if try == 0 {
			fmt.Fprintf(a.stderr, "%v ; réessayez.\n", why)
		}
	}
	return "", usageErr("%v", why)
}

// pick reads one answer: a number, a choice, or what match accepts among
// the choices.
func pick(ans string, choices []string, match func(string) (string, error)) (string, error) {
	if n, err := strconv.Atoi(ans); err == nil && n >= 1 && n <= len(choices) {
		return choices[n-1], nil
	}
	for _, c := range choices {
		if c == ans {
			return c, nil
		}
	}
	if match != nil && ans != "" {
		c, err := match(ans)
		if err != nil {
			return "", err
		}
		if contains(choices, c) {
			return c, nil
		}
	}
	return "", fmt.Errorf("choix « %s » inconnu", termtext.Arg(ans))
}
