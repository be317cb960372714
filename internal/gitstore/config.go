package gitstore

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/acc-formation/acc/internal/poserr"
)

// maxIncludeDepth is Git's own limit on nested [include] files.
const maxIncludeDepth = 10

// configVar is one "section.subsection.key = value" line of a Git config file, in file
// order. Section and key are lowercased (Git compares them without case); the subsection
// keeps its case.
type configVar struct {
	key   string // "section.key" or "section.subsection.key"
	value string
	// noValue is true for a bare key ("[core] bare"), which Git reads as boolean true.
	noValue bool
}

// gitConfig is the ordered list of variables read from one or more config files, includes
// expanded in place, as Git reads them: the last value of a key wins.
type gitConfig struct {
	vars []configVar
}

// get returns the last value of key (lowercase section and key) and whether it is set.
func (c *gitConfig) get(key string) (string, bool) {
	for i := len(c.vars) - 1; i >= 0; i-- {
		if c.vars[i].key == key {
			if c.vars[i].noValue {
				return "true", true
			}
			return c.vars[i].value, true
		}
	}
	return "", false
}

// getBool reads a boolean the way Git does (true/yes/on/1, false/no/off/0/"").
func (c *gitConfig) getBool(key string, def bool) bool {
	v, ok := c.get(key)
	if !ok {
		return def
	}
	switch strings.ToLower(v) {
	case "true", "yes", "on", "1":
		return true
	case "false", "no", "off", "0", "":
		return false
	}
	return def
}

// includeContext carries what conditional includes ([includeIf "gitdir:..."],
// [includeIf "onbranch:..."]) are matched against.
type includeContext struct {
	gitDir string // absolute path of the repository's git dir; "" outside a repository
	branch string // short name of HEAD's branch; "" when detached or unknown
	home   string // home folder for "~/"; "" means os.UserHomeDir
}

// loadConfigFile appends the variables of file (and of the files it includes) to c, with
// the process environment.
func (c *gitConfig) loadConfigFile(file string, ctx includeContext, depth int) error {
	return c.loadConfigFileEnv(file, ctx, depth, os.Getenv)
}

// loadConfigFileEnv appends the variables of file (and of the files it includes) to c. A
// missing file is not an error, as in Git.
func (c *gitConfig) loadConfigFileEnv(file string, ctx includeContext, depth int, getenv func(string) string) error {
	if ctx.home == "" {
		ctx.home = getenv("HOME")
	}
	file = expandHome(file, ctx.home)
	if depth > maxIncludeDepth {
		return fmt.Errorf("configuration Git illisible : %w", &poserr.Error{Path: file, Err: errors.New("trop d'inclusions imbriquées ([include])")})
	}
	data, err := os.ReadFile(file)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) || errors.Is(err, os.ErrPermission) || isDirErr(err) {
			return nil
		}
		return fmt.Errorf("lecture de la configuration Git %s : %w", file, err)
	}
	vars, err := parseConfig(file, data)
	if err != nil {
		// Git itself would refuse to read it.
		return fmt.Errorf("configuration Git illisible : %w", err)
	}
	for _, v := range vars {
		c.vars = append(c.vars, v)
		path, ok := includePath(v, ctx, file)
		if !ok {
			continue
		}
		if err := c.loadConfigFileEnv(path, ctx, depth+1, getenv); err != nil {
			return err
		}
	}
	return nil
}

func isDirErr(err error) bool {
	var pe *os.PathError
	return errors.As(err, &pe) && strings.Contains(pe.Err.Error(), "is a directory")
}

// includePath tells whether v is an include directive that applies, and the file it names.
func includePath(v configVar, ctx includeContext, from string) (string, bool) {
	var cond string
	switch {
	case v.key == "include.path":
	case strings.HasPrefix(v.key, "includeif.") && strings.HasSuffix(v.key, ".path"):
		cond = strings.TrimSuffix(strings.TrimPrefix(v.key, "includeif."), ".path")
		if !includeCondition(cond, ctx, from) {
			return "", false
		}
	default:
		return "", false
	}
	if v.noValue || v.value == "" {
		return "", false
	}
	p := expandHome(v.value, ctx.home)
	if !filepath.IsAbs(p) {
		p = filepath.Join(filepath.Dir(from), p)
	}
	return p, true
}

// includeCondition evaluates the condition of [includeIf "cond"]: gitdir:, gitdir/i: and
// onbranch: are understood; other conditions (hasconfig:) never match.
func includeCondition(cond string, ctx includeContext, from string) bool {
	var pattern string
	fold := false
	switch {
	case strings.HasPrefix(cond, "gitdir:"):
		pattern = cond[len("gitdir:"):]
	case strings.HasPrefix(cond, "gitdir/i:"):
		pattern, fold = cond[len("gitdir/i:"):], true
	case strings.HasPrefix(cond, "onbranch:"):
		if ctx.branch == "" {
			return false
		}
		p := cond[len("onbranch:"):]
		if strings.HasSuffix(p, "/") {
			p += "**"
		}
		return globMatch(p, ctx.branch, false)
	default:
		return false
	}
	if ctx.gitDir == "" {
		return false
	}
	// Git's rules: "~/" is the home folder, "./" the including file's folder, a relative
	// pattern matches at any depth, a trailing slash matches everything below.
	switch {
	case strings.HasPrefix(pattern, "~/"):
		pattern = expandHome(pattern, ctx.home)
	case strings.HasPrefix(pattern, "./"):
		pattern = filepath.Join(filepath.Dir(from), pattern[2:])
	case !filepath.IsAbs(pattern):
		pattern = "**/" + pattern
	}
	pattern = filepath.ToSlash(pattern)
	if strings.HasSuffix(pattern, "/") {
		pattern += "**"
	}
	dirs := []string{ctx.gitDir}
	if real, err := filepath.EvalSymlinks(ctx.gitDir); err == nil && real != ctx.gitDir {
		dirs = append(dirs, real)
	}
	for _, d := range dirs {
		if globMatch(pattern, filepath.ToSlash(d), fold) {
			return true
		}
	}
	return false
}

// globMatch matches a wildmatch pattern with pathname semantics: "*" and "?" stop at "/",
// "**/" matches any number of folders.
func globMatch(pattern, s string, fold bool) bool {
	var b strings.Builder
	b.WriteString("^")
	if fold {
		b.WriteString("(?i)")
	}
	for i := 0; i < len(pattern); i++ {
		ch := pattern[i]
		switch {
		case strings.HasPrefix(pattern[i:], "**/"):
			b.WriteString("(?:.*/)?")
			i += 2
		case strings.HasPrefix(pattern[i:], "**"):
			b.WriteString(".*")
			i++
		case ch == '*':
			b.WriteString("[^/]*")
		case ch == '?':
			b.WriteString("[^/]")
		case ch == '[':
			end := strings.IndexByte(pattern[i+1:], ']')
			if end < 0 {
				b.WriteString(regexp.QuoteMeta("["))
				continue
			}
			class := pattern[i+1 : i+1+end]
			if strings.HasPrefix(class, "!") {
				class = "^" + class[1:]
			}
			b.WriteString("[" + strings.ReplaceAll(class, `\`, `\\`) + "]")
			i += end + 1
		default:
			b.WriteString(regexp.QuoteMeta(string(ch)))
		}
	}
	b.WriteString("$")
	re, err := regexp.Compile(b.String())
	if err != nil {
		return false
	}
	return re.MatchString(s)
}

// expandHome replaces a leading "~/" (or a lone "~") with the home folder (home, or
// os.UserHomeDir when home is "").
func expandHome(p, home string) string {
	if p != "~" && !strings.HasPrefix(p, "~/") {
		return p
	}
	if home == "" {
		h, err := os.UserHomeDir()
		if err != nil || h == "" {
			return p
		}
		home = h
	}
	return filepath.Join(home, p[1:])
}

// parseConfig parses one Git config file. It follows git-config(1): sections
// "[name]", "[name "sub"]" and the legacy "[name.sub]"; keys without value; values with
// quotes, escapes (\n \t \b \" \\), backslash-newline continuations and ";"/"#" comments.
func parseConfig(file string, data []byte) ([]configVar, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	p := &configParser{file: file, data: data, line: 1}
	return p.parse()
}

type configParser struct {
	file string
	data []byte
	pos  int
	line int
}

func (p *configParser) errorf(format string, args ...any) error {
	return poserr.At(p.file, p.line, 0, format, args...)
}

func (p *configParser) peek() int {
	if p.pos >= len(p.data) {
		return -1
	}
	return int(p.data[p.pos])
}

func (p *configParser) next() int {
	c := p.peek()
	if c >= 0 {
		p.pos++
		if c == '\n' {
			p.line++
		}
	}
	return c
}

func (p *configParser) skipLine() {
	for c := p.next(); c >= 0 && c != '\n'; c = p.next() {
	}
}

func isSpace(c int) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v' }

func isKeyChar(c int) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-'
}

func (p *configParser) parse() ([]configVar, error) {
	var vars []configVar
	section := "" // "name" or "name.subsection", name lowercased
	for {
		c := p.peek()
		switch {
		case c < 0:
			return vars, nil
		case c == '\n' || isSpace(c):
			p.next()
		case c == '#' || c == ';':
			p.skipLine()
		case c == '[':
			s, err := p.parseSection()
			if err != nil {
				return nil, err
			}
			section = s
		case isKeyChar(c):
			if section == "" {
				return nil, p.errorf("clé en dehors de toute section")
			}
			v, err := p.parseVar(section)
			if err != nil {
				return nil, err
			}
			vars = append(vars, v)
		default:
			return nil, p.errorf("caractère inattendu %q", rune(c))
		}
	}
}

func (p *configParser) parseSection() (name string, err error) {
	line := p.line
	defer func() {
		if pe, ok := err.(*poserr.Error); ok {
			pe.Line = line
		}
	}()
	p.next() // '['
	return p.parseSectionBody()
}

func (p *configParser) parseSectionBody() (string, error) {
	var name strings.Builder
	for {
		c := p.next()
		switch {
		case c == ']':
			// Legacy "[section.sub]": the subsection is lowercased.
			return strings.ToLower(name.String()), nil
		case isKeyChar(c) || c == '.':
			name.WriteByte(byte(c))
		case isSpace(c):
			for isSpace(p.peek()) {
				p.next()
			}
			if p.next() != '"' {
				return "", p.errorf("en-tête de section invalide")
			}
			var sub strings.Builder
			for {
				c := p.next()
				switch c {
				case -1, '\n':
					return "", p.errorf("sous-section non terminée")
				case '\\':
					e := p.next()
					if e < 0 || e == '\n' {
						return "", p.errorf("sous-section non terminée")
					}
					sub.WriteByte(byte(e))
					continue
				case '"':
				default:
					sub.WriteByte(byte(c))
					continue
				}
				break
			}
			if p.next() != ']' {
				return "", p.errorf("en-tête de section invalide")
			}
			if name.Len() == 0 {
				return "", p.errorf("nom de section vide")
			}
			return strings.ToLower(name.String()) + "." + sub.String(), nil
		default:
			return "", p.errorf("en-tête de section invalide")
		}
	}
}

func (p *configParser) parseVar(section string) (configVar, error) {
	var key strings.Builder
	for isKeyChar(p.peek()) {
		key.WriteByte(byte(p.next()))
	}
	v := configVar{key: section + "." + strings.ToLower(key.String())}
	for isSpace(p.peek()) {
		p.next()
	}
	switch c := p.peek(); c {
	case -1, '\n':
		p.next()
		v.noValue = true
		return v, nil
	case '#', ';':
		p.skipLine()
		v.noValue = true
		return v, nil
	case '=':
		p.next()
	default:
		return v, p.errorf("ligne invalide (clé %q)", key.String())
	}
	val, err := p.parseValue()
	if err != nil {
		return v, err
	}
	v.value = val
	return v, nil
}

func (p *configParser) parseValue() (string, error) {
	var b strings.Builder
	quoted := false
	// pending holds unquoted whitespace, kept only if something follows it.
	pending := 0
	started := false
	for {
		c := p.next()
		switch {
		case c < 0 || c == '\n':
			if quoted {
				return "", p.errorf("guillemet non fermé")
			}
			return b.String(), nil
		case !quoted && (c == '#' || c == ';'):
			p.skipLine()
			return b.String(), nil
		case !quoted && isSpace(c):
			if started {
				pending++
			}
			continue
		}
		if pending > 0 {
			b.WriteString(strings.Repeat(" ", pending))
			pending = 0
		}
		started = true
		switch c {
		case '"':
			quoted = !quoted
		case '\\':
			e := p.next()
			switch e {
			case '\n':
				// Continuation: the value goes on on the next line.
			case 'n':
				b.WriteByte('\n')
			case 't':
				b.WriteByte('\t')
			case 'b':
				if b.Len() > 0 {
					s := b.String()
					b.Reset()
					b.WriteString(s[:len(s)-1])
				}
			case '"', '\\':
				b.WriteByte(byte(e))
			case '\r':
				if p.peek() == '\n' {
					p.next()
					continue
				}
				return "", p.errorf("séquence d'échappement invalide")
			default:
				return "", p.errorf("séquence d'échappement invalide")
			}
		default:
			b.WriteByte(byte(c))
		}
	}
}
