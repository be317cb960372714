package casefile

import (
	"fmt"
	"strconv"
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

// ParseUserDate parses a date typed by a person (command line, a spreadsheet
// column): AAAA-MM-JJ, or the French JJ/MM/AAAA (day and month may have one
// digit: 1/3/2026), DESIGN §4.2. It is the one parser of such dates; files
// keep ParseDate (exact storage), and what acc writes is always AAAA-MM-JJ.
func ParseUserDate(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	d, m, y, ok := frenchDate(s)
	if !ok {
		if t, err := ParseDate(s); err == nil {
			return t, nil
		}
		if DateLike(s) {
			return time.Time{}, fmt.Errorf("date « %s » impossible : vérifiez le jour et le mois", termtext.Arg(s))
		}
		return time.Time{}, fmt.Errorf("date « %s » invalide : format attendu JJ/MM/AAAA ou AAAA-MM-JJ", termtext.Arg(s))
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if t.Day() != d || int(t.Month()) != m || y < 1000 {
		return time.Time{}, fmt.Errorf("date « %s » impossible : vérifiez le jour et le mois (JJ/MM/AAAA)", termtext.Arg(s))
	}
	return t, nil
}

// DateLike reports whether s has the shape of a date (YYYY-MM-DD or
// JJ/MM/AAAA), valid or not: what is not is a Git revision for --at.
func DateLike(s string) bool {
	if _, _, _, ok := frenchDate(s); ok {
		return true
	}
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return false
	}
	for i := 0; i < len(s); i++ {
		if i != 4 && i != 7 && (s[i] < '0' || s[i] > '9') {
			return false
		}
	}
	return true
}

// CanonicalDate returns the YYYY-MM-DD form of a date written in a form
// ParseUserDate accepts, or "" when s is no date: what to write instead of
// "12/03/2026" in a file.
func CanonicalDate(s string) string {
	t, err := ParseUserDate(s)
	if err != nil {
		return ""
	}
	return FormatDate(t)
}

// frenchDate splits J/M/AAAA or JJ/MM/AAAA into numbers; it does not check
// ranges.
func frenchDate(s string) (d, m, y int, ok bool) {
	if len(s) < 8 || len(s) > 10 {
		return 0, 0, 0, false
	}
	if s[len(s)-5] != '/' {
		return 0, 0, 0, false
	}
	parts := strings.Split(s, "/")
	if len(parts) != 3 || len(parts[2]) != 4 || len(parts[0]) == 0 || len(parts[0]) > 2 || len(parts[1]) == 0 || len(parts[1]) > 2 {
		return 0, 0, 0, false
	}
	var n [3]int
	for i, p := range parts {
		for j := 0; j < len(p); j++ {
			if p[j] < '0' || p[j] > '9' {
				return 0, 0, 0, false
			}
		}
		n[i], _ = strconv.Atoi(p)
	}
	return n[0], n[1], n[2], true
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
