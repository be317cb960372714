package casefile

import "testing"

// The shapes of dates a person types (see also TestParseUserDate).
func TestParseUserDateShapes(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"2026-03-12", "2026-03-12"},
		{"12/03/2026", "2026-03-12"},
		{"1/3/2026", "2026-03-01"},
		{" 29/02/2028 ", "2028-02-29"},
		{"12.03.2026", ""},
		{"12-03-2026", ""},
		{"30/02/2026", ""},
		{"2026-02-30", ""},
		{"03/13/2026", ""},
		{"12/03/26", ""},
		{"demain", ""},
		{"", ""},
	} {
		got, err := ParseUserDate(c.in)
		if c.want == "" {
			if err == nil {
				t.Errorf("ParseUserDate(%q) = %s, want an error", c.in, FormatDate(got))
			}
			continue
		}
		if err != nil || FormatDate(got) != c.want {
			t.Errorf("ParseUserDate(%q) = %s, %v; want %s", c.in, FormatDate(got), err, c.want)
		}
	}
	if !DateLike("30/02/2026") || !DateLike("2026-02-30") || DateLike("HEAD~1") || DateLike("abcd-ef-gh") {
		t.Error("DateLike")
	}
	if CanonicalDate("12/03/2026") != "2026-03-12" || CanonicalDate("x") != "" {
		t.Error("CanonicalDate")
	}
}
