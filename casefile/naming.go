package casefile

import (
	"path"
	"strconv"
	"strings"
	"time"
)

// Layout of a case-file repository.
const (
	ConfigFile       = "acc.yaml"
	BeneficiariesDir = "beneficiaires"
	FicheFile        = "fiche.md"
	AccDir           = ".acc"
)

// FileName is the parsed name of an interview file:
// <YYYY-MM-DD>-<type>.md, or <YYYY-MM-DD>-<type>-<N>.md for N ≥ 2.
type FileName struct {
	Date time.Time
	Type string
	N    int // 1 when there is no suffix
}

// String returns the file's base name.
func (f FileName) String() string {
	s := FormatDate(f.Date) + "-" + f.Type
	if f.N > 1 {
		s += "-" + strconv.Itoa(f.N)
	}
	return s + ".md"
}

// ParseFileName parses an interview file's base name. isType tells which
// type names exist, so that a type ending in digits is not mistaken for a
// suffix.
func ParseFileName(base string, isType func(string) bool) (FileName, bool) {
	if !strings.HasSuffix(base, ".md") || len(base) < len("2006-01-02-x.md") || base[10] != '-' {
		return FileName{}, false
	}
	d, err := ParseDate(base[:10])
	if err != nil {
		return FileName{}, false
	}
	rest := strings.TrimSuffix(base[11:], ".md")
	if isType(rest) {
		return FileName{Date: d, Type: rest, N: 1}, true
	}
	i := strings.LastIndexByte(rest, '-')
	if i <= 0 {
		return FileName{}, false
	}
	n, err := strconv.Atoi(rest[i+1:])
	if err != nil || n < 2 || strconv.Itoa(n) != rest[i+1:] || !isType(rest[:i]) {
		return FileName{}, false
	}
	return FileName{Date: d, Type: rest[:i], N: n}, true
}

// BeneficiaryDir returns the slash path of a beneficiary's folder,
// relative to the case-file root.
func BeneficiaryDir(id string) string { return path.Join(BeneficiariesDir, id) }

// FichePath returns the slash path of a beneficiary's record sheet.
func FichePath(id string) string { return path.Join(BeneficiariesDir, id, FicheFile) }

// SplitCasePath splits a slash path relative to the case-file root into the
// beneficiary id and the file's base name. ok is false for paths outside
// beneficiaires/<id>/<file>.
func SplitCasePath(p string) (id, base string, ok bool) {
	parts := strings.Split(p, "/")
	if len(parts) != 3 || parts[0] != BeneficiariesDir || parts[1] == "" || parts[2] == "" {
		return "", "", false
	}
	return parts[1], parts[2], true
}
