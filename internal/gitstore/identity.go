package gitstore

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// Identity returns the trainer's identity as Git would put it in a commit:
//
//   - names and emails from GIT_AUTHOR_NAME / GIT_AUTHOR_EMAIL and GIT_COMMITTER_NAME /
//     GIT_COMMITTER_EMAIL when set, else author.name / committer.name, else user.name
//     (and the same for emails, then $EMAIL), read from the repository's config, the
//     global config (GIT_CONFIG_GLOBAL, else $XDG_CONFIG_HOME/git/config or
//     ~/.config/git/config, then ~/.gitconfig) and the system config (/etc/gitconfig or
//     GIT_CONFIG_SYSTEM, unless GIT_CONFIG_NOSYSTEM), repository first, then global, then
//     system, [include] and [includeIf "gitdir:…"/"onbranch:…"] followed (go-git's
//     config.LoadConfig ignores includes and the environment);
//   - dates from GIT_AUTHOR_DATE / GIT_COMMITTER_DATE (RFC 2822, ISO 8601, "@<unix>
//     <+hhmm>", Git's raw "<unix> <+hhmm>"), else the Store's clock.
//
// ok is false when Git has no name for the author: the caller falls back to acc.yaml's
// formateur. The committer falls back to the author's identity.
func (s *Store) Identity() (author, committer Signature, ok bool, err error) {
	cfg, err := s.fullConfig()
	if err != nil {
		return author, committer, false, err
	}
	pick := func(env, key string) string {
		if v := s.getenv(env); v != "" {
			return v
		}
		if v, ok := cfg.get(key); ok && v != "" {
			return v
		}
		return ""
	}
	userName, _ := cfg.get("user.name")
	userEmail, _ := cfg.get("user.email")
	if userEmail == "" {
		userEmail = s.getenv("EMAIL")
	}
	or := func(a, b string) string {
		if a != "" {
			return a
		}
		return b
	}
	author.Name = or(pick("GIT_AUTHOR_NAME", "author.name"), userName)
	author.Email = or(pick("GIT_AUTHOR_EMAIL", "author.email"), userEmail)
	committer.Name = or(pick("GIT_COMMITTER_NAME", "committer.name"), userName)
	committer.Email = or(pick("GIT_COMMITTER_EMAIL", "committer.email"), userEmail)
	if committer.Name == "" {
		committer.Name = author.Name
	}
	if committer.Email == "" {
		committer.Email = author.Email
	}
	now := s.now()
	author.When, committer.When = now, now
	if v := s.getenv("GIT_AUTHOR_DATE"); v != "" {
		t, err := ParseGitDate(v)
		if err != nil {
			return author, committer, false, fmt.Errorf("GIT_AUTHOR_DATE : %w", err)
		}
		author.When = t
	}
	if v := s.getenv("GIT_COMMITTER_DATE"); v != "" {
		t, err := ParseGitDate(v)
		if err != nil {
			return author, committer, false, fmt.Errorf("GIT_COMMITTER_DATE : %w", err)
		}
		committer.When = t
	}
	return author, committer, author.Name != "", nil
}

// UserIdentity is Identity for a folder that is not in a Git repository
// yet (acc init checks who would commit before it creates anything): the
// environment, the global and the system configuration only.
func UserIdentity(getenv func(string) string, clock func() time.Time) (author, committer Signature, ok bool, err error) {
	s := &Store{Getenv: getenv, Clock: clock}
	return s.Identity()
}

// fullConfig reads system, global and repository config in Git's order (later wins), then
// the GIT_CONFIG_COUNT/KEY_n/VALUE_n variables.
func (s *Store) fullConfig() (*gitConfig, error) {
	ctx := includeContext{gitDir: s.GitDir}
	if s.GitDir != "" {
		if b, err := s.headBranch(); err == nil {
			ctx.branch = strings.TrimPrefix(b, "refs/heads/")
		}
	}
	c := &gitConfig{}
	if err := c.loadUserConfig(s.getenv, ctx); err != nil {
		return nil, err
	}
	// The repository config was read by Open; read it again so that includes see the
	// environment of this call. UserIdentity's Store has no repository.
	if s.CommonDir != "" {
		repo := &gitConfig{}
		if err := repo.loadConfigFileEnv(filepath.Join(s.CommonDir, "config"), ctx, 0, s.getenv); err != nil {
			return nil, err
		}
		if repo.getBool("extensions.worktreeconfig", false) {
			if err := repo.loadConfigFileEnv(filepath.Join(s.GitDir, "config.worktree"), ctx, 0, s.getenv); err != nil {
				return nil, err
			}
		}
		c.vars = append(c.vars, repo.vars...)
	}
	if n, err := strconv.Atoi(s.getenv("GIT_CONFIG_COUNT")); err == nil {
		for i := range n {
			k := s.getenv(fmt.Sprintf("GIT_CONFIG_KEY_%d", i))
			v := s.getenv(fmt.Sprintf("GIT_CONFIG_VALUE_%d", i))
			if k == "" {
				continue
			}
			c.vars = append(c.vars, configVar{key: canonicalKey(k), value: v})
		}
	}
	return c, nil
}

// canonicalKey lowercases the section and the key of "section.sub.key", keeping sub.
func canonicalKey(k string) string {
	first := strings.IndexByte(k, '.')
	last := strings.LastIndexByte(k, '.')
	if first < 0 {
		return strings.ToLower(k)
	}
	return strings.ToLower(k[:first]) + k[first:last] + strings.ToLower(k[last:])
}

// loadUserConfig reads the system and global config files, in that order.
func (c *gitConfig) loadUserConfig(getenv func(string) string, ctx includeContext) error {
	if !envBool(getenv("GIT_CONFIG_NOSYSTEM")) {
		sys := getenv("GIT_CONFIG_SYSTEM")
		if sys == "" && runtime.GOOS != "windows" {
			sys = "/etc/gitconfig"
		}
		if sys != "" {
			if err := c.loadConfigFileEnv(sys, ctx, 0, getenv); err != nil {
				return err
			}
		}
	}
	if g := getenv("GIT_CONFIG_GLOBAL"); g != "" {
		return c.loadConfigFileEnv(g, ctx, 0, getenv)
	}
	home := getenv("HOME")
	if home == "" {
		home, _ = os.UserHomeDir()
	}
	xdg := getenv("XDG_CONFIG_HOME")
	if xdg == "" && home != "" {
		xdg = filepath.Join(home, ".config")
	}
	if xdg != "" {
		if err := c.loadConfigFileEnv(filepath.Join(xdg, "git", "config"), ctx, 0, getenv); err != nil {
			return err
		}
	}
	if home != "" {
		return c.loadConfigFileEnv(filepath.Join(home, ".gitconfig"), ctx, 0, getenv)
	}
	return nil
}

func envBool(v string) bool {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "", "0", "false", "no", "off":
		return false
	}
	return true
}

// ParseGitDate parses a date as Git accepts it in GIT_AUTHOR_DATE and GIT_COMMITTER_DATE:
// Git's raw "<unix> <+hhmm>" (optionally prefixed with "@"), RFC 2822 ("Wed, 25 Nov 2026
// 10:00:00 +0100") and ISO 8601 ("2026-11-25T10:00:00+01:00", "2026-11-25 10:00:00
// +0100", with or without fractional seconds; without a zone, local time).
func ParseGitDate(v string) (time.Time, error) {
	v = strings.TrimSpace(v)
	if raw := strings.TrimPrefix(v, "@"); raw != "" {
		fields := strings.Fields(raw)
		if len(fields) <= 2 && (strings.HasPrefix(v, "@") || len(fields) == 2) {
			if sec, err := strconv.ParseInt(fields[0], 10, 64); err == nil {
				loc := time.UTC
				if len(fields) == 2 {
					l, ok := parseTZ(fields[1])
					if !ok {
						return time.Time{}, fmt.Errorf("date invalide : %q", v)
					}
					loc = l
				}
				return time.Unix(sec, 0).In(loc), nil
			}
		}
	}
	// RFC 2822 may end with a comment: "+0100 (CET)".
	if i := strings.IndexByte(v, '('); i > 0 {
		v = strings.TrimSpace(v[:i])
	}
	zoned := []string{
		time.RFC1123Z,
		"Mon, 2 Jan 2006 15:04:05 -0700",
		"2 Jan 2006 15:04:05 -0700",
		"02 Jan 2006 15:04:05 -0700",
		"Mon, 2 Jan 2006 15:04 -0700",
		time.RFC1123,
		"Mon, 2 Jan 2006 15:04:05 MST",
		"Mon Jan 2 15:04:05 2006 -0700", // git log's default format
		time.RFC3339Nano,
		"2006-01-02T15:04:05.999999999-0700",
		"2006-01-02 15:04:05.999999999 -0700",
		"2006-01-02 15:04:05.999999999-07:00",
		"2006-01-02 15:04:05.999999999 -07:00",
		"2006-01-02 15:04:05.999999999Z07:00",
		"2006-01-02T15:04:05.999999999 -0700",
	}
	for _, layout := range zoned {
		if t, err := time.Parse(layout, v); err == nil {
			return t, nil
		}
	}
	local := []string{
		"2006-01-02T15:04:05.999999999",
		"2006-01-02 15:04:05.999999999",
		"2006-01-02T15:04",
		"2006-01-02 15:04",
	}
	for _, layout := range local {
		if t, err := time.ParseInLocation(layout, v, time.Local); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("date invalide : %q (formats acceptés : RFC 2822, ISO 8601, « @<secondes> +hhmm »)", v)
}
