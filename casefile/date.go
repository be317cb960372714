package casefile

import (
	"fmt"
	"strings"
	"time"

	"github.com/acc-formation/acc/internal/termtext"
)

// DateLayout is the only date format of case files: YYYY-MM-DD.
const DateLayout = "2006-01-02"

// ParseDate parses a YYYY-MM-DD date, refusing impossible ones
// ("2026-02-30"). The result is midnight UTC.
func ParseDate(s string) (time.Time, error) {
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return time.Time{}, fmt.Errorf("date « %s » invalide : format attendu AAAA-MM-JJ", termtext.Arg(s))
	}
	t, err := time.Parse(DateLayout, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("date « %s » impossible : vérifiez le jour et le mois (format AAAA-MM-JJ)", termtext.Arg(s))
	}
	return t, nil
}

// FormatDate formats t as YYYY-MM-DD.
func FormatDate(t time.Time) string { return t.Format(DateLayout) }

// Day returns the calendar day of t (in t's location) as midnight UTC, the
// representation every date of a case file uses.
func Day(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// DaysBetween returns the number of days from a to b (negative when b is before a).
func DaysBetween(a, b time.Time) int {
	return int(Day(b).Sub(Day(a)).Hours() / 24)
}

// ParseUserDate parses a date typed by a person (command line, a spreadsheet
// column): AAAA-MM-JJ, or the French JJ/MM/AAAA (day and month may have one
// digit), DESIGN §4.2. What acc writes is always AAAA-MM-JJ.
func ParseUserDate(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	parts := strings.Split(s, "/")
	if len(parts) != 3 {
		if len(s) != 10 || s[4] != '-' || s[7] != '-' {
			return time.Time{}, fmt.Errorf("date %q invalide : format attendu JJ/MM/AAAA ou AAAA-MM-JJ", s)
		}
		return ParseDate(s)
	}
	d, m, y := parts[0], parts[1], parts[2]
	digits := func(x string, min, max int) bool {
		if len(x) < min || len(x) > max {
			return false
		}
		for _, r := range x {
			if r < '0' || r > '9' {
				return false
			}
		}
		return true
	}
	if !digits(d, 1, 2) || !digits(m, 1, 2) || !digits(y, 4, 4) {
		return time.Time{}, fmt.Errorf("date %q invalide : format attendu JJ/MM/AAAA ou AAAA-MM-JJ", s)
	}
	pad := func(x string) string {
		if len(x) == 1 {
			return "0" + x
		}
		return x
	}
	t, err := time.Parse(DateLayout, y+"-"+pad(m)+"-"+pad(d))
	if err != nil {
		return time.Time{}, fmt.Errorf("date %q impossible : vérifiez le jour et le mois (JJ/MM/AAAA)", s)
	}
	return t, nil
}
