package report

import (
	"bytes"
	"context"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/acc-formation/acc/validate"
)

// htmlReports renders every kind of report of the examples as HTML.
func htmlReports(t *testing.T) map[string][]byte {
	t.Helper()
	opt := testOptions(t)
	out := map[string][]byte{}
	b, err := BuildBeneficiary(loadCase(t, "elodie-n-guessan"), []validate.Finding{
		{Path: "beneficiaires/elodie-n-guessan/2026-04-07-entretien-suivi.md", Line: 3, Column: 1, Severity: validate.Warning, Rule: "rythme", Message: "Écart <script>alert(1)</script> trop long"},
	}, opt)
	if err != nil {
		t.Fatal(err)
	}
	out["beneficiaire"] = render(t, HTML, b)
	var bs []*Beneficiary
	for _, id := range exampleIDs(t) {
		b, err := BuildBeneficiary(loadCase(t, id), nil, opt)
		if err != nil {
			t.Fatal(err)
		}
		bs = append(bs, b)
	}
	bundle, err := NewBundle(opt, bs)
	if err != nil {
		t.Fatal(err)
	}
	out["lot"] = render(t, HTML, bundle)
	c, err := BuildCaseload(exampleCases(t), opt)
	if err != nil {
		t.Fatal(err)
	}
	out["file-active"] = render(t, HTML, c)
	q, err := BuildQualiopi(exampleCases(t), opt)
	if err != nil {
		t.Fatal(err)
	}
	out["qualiopi"] = render(t, HTML, q)
	anon := opt
	anon.Anonymize = true
	c, err = BuildCaseload(exampleCases(t), anon)
	if err != nil {
		t.Fatal(err)
	}
	out["file-active-anonyme"] = render(t, HTML, c)
	return out
}

var externalURL = regexp.MustCompile(`(?i)^\s*(https?:|//|ftp:|file:|data:|javascript:)`)
var cssURL = regexp.MustCompile(`(?i)url\(|@import`)

// TestHTMLSelfContained parses every HTML report and checks that it needs
// nothing from outside (no script, no external reference, no fetched font)
// and follows the accessibility rules of the issue: lang, captions, scoped
// header cells, headings without skipped levels, labelled SVG charts.
func TestHTMLSelfContained(t *testing.T) {
	for name, src := range htmlReports(t) {
		t.Run(name, func(t *testing.T) {
			doc, err := html.Parse(bytes.NewReader(src))
			if err != nil {
				t.Fatal(err)
			}
			ids := map[string]bool{}
			var labelled []string
			lastHeading := 0
			var walk func(n *html.Node)
			walk = func(n *html.Node) {
				if n.Type == html.ElementNode {
					tag := n.Data
					switch tag {
					case "script", "link", "iframe", "object", "embed", "img", "base", "audio", "video", "source":
						t.Errorf("element <%s> in a self-contained report", tag)
					case "html":
						if attr(n, "lang") != "fr" {
							t.Errorf(`<html lang="%s">, want "fr"`, attr(n, "lang"))
						}
					case "table":
						if c := firstElement(n); c == nil || c.Data != "caption" || strings.TrimSpace(text(c)) == "" {
							t.Errorf("table without a caption first: %.80s", text(n))
						}
					case "th":
						if attr(n, "scope") != "col" && attr(n, "scope") != "row" {
							t.Errorf("<th> without scope: %q", text(n))
						}
					case "h1", "h2", "h3", "h4", "h5", "h6":
						lvl := int(tag[1] - '0')
						if lvl > lastHeading+1 {
							t.Errorf("heading %s %q after h%d: a level is skipped", tag, text(n), lastHeading)
						}
						lastHeading = lvl
					case "svg":
						if attr(n, "role") != "img" || attr(n, "aria-labelledby") == "" {
							t.Errorf(`<svg> without role="img" and aria-labelledby`)
						}
						labelled = append(labelled, strings.Fields(attr(n, "aria-labelledby"))...)
						if c := firstElement(n); c == nil || c.Data != "title" || strings.TrimSpace(text(c)) == "" {
							t.Errorf("<svg> without a <title> first")
						}
					case "style":
						if cssURL.MatchString(text(n)) {
							t.Errorf("the style sheet fetches something: url() or @import")
						}
					}
					for _, a := range n.Attr {
						switch strings.ToLower(a.Key) {
						case "src", "href", "xlink:href", "action", "srcset", "poster", "data":
							t.Errorf("<%s %s=%q>: no reference in a self-contained report", tag, a.Key, a.Val)
						case "style":
							if cssURL.MatchString(a.Val) {
								t.Errorf("<%s style=%q> fetches something", tag, a.Val)
							}
						case "id":
							if ids[a.Val] {
								t.Errorf("duplicate id %q", a.Val)
							}
							ids[a.Val] = true
						}
						if externalURL.MatchString(a.Val) {
							t.Errorf("<%s %s=%q>: external URL", tag, a.Key, a.Val)
						}
					}
				}
				for c := n.FirstChild; c != nil; c = c.NextSibling {
					walk(c)
				}
			}
			walk(doc)
			for _, id := range labelled {
				if !ids[id] {
					t.Errorf("aria-labelledby names %q, which is not in the page", id)
				}
			}
			if bytes.Contains(src, []byte("<script>alert")) {
				t.Error("a finding's message was not escaped")
			}
			if !bytes.Contains(src, []byte("@page")) || !bytes.Contains(src, []byte("size: A4")) || !bytes.Contains(src, []byte("@media print")) {
				t.Error("no print rules for A4")
			}
		})
	}
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func firstElement(n *html.Node) *html.Node {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.ElementNode {
			return c
		}
	}
	return nil
}

func text(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return b.String()
}

// TestHTMLRender renders the HTML reports in headless Chromium (Debian's
// chromium package; .ci/run installs it) at the size of an A4 page at
// 150 dpi and checks that the screenshot is a real, non-blank page.
func TestHTMLRender(t *testing.T) {
	if testing.Short() {
		t.Skip("rendu Chromium ignoré avec -short")
	}
	bin := ""
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			bin = p
			break
		}
	}
	if bin == "" {
		t.Skip("chromium absent du PATH : rendu HTML non vérifié (apt-get install chromium)")
	}
	dir := t.TempDir()
	for name, src := range htmlReports(t) {
		t.Run(name, func(t *testing.T) {
			page := filepath.Join(dir, name+".html")
			shot := filepath.Join(dir, name+".png")
			if err := os.WriteFile(page, src, 0o644); err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
			defer cancel()
			cmd := exec.CommandContext(ctx, bin, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
				"--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
				"--hide-scrollbars", "--user-data-dir="+filepath.Join(dir, "profile-"+name),
				"--screenshot="+shot, "--window-size=1240,1754", "file://"+page)
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("chromium: %v\n%s", err, out)
			}
			f, err := os.Open(shot)
			if err != nil {
				t.Fatalf("no screenshot: %v\n%s", err, out)
			}
			defer f.Close()
			img, err := png.Decode(f)
			if err != nil {
				t.Fatal(err)
			}
			b := img.Bounds()
			if b.Dx() != 1240 || b.Dy() != 1754 {
				t.Errorf("screenshot %dx%d, want 1240x1754", b.Dx(), b.Dy())
			}
			inked, colours := 0, map[uint32]bool{}
			for y := b.Min.Y; y < b.Max.Y; y += 2 {
				for x := b.Min.X; x < b.Max.X; x += 2 {
					r, g, bl, _ := img.At(x, y).RGBA()
					if r < 0xE000 || g < 0xE000 || bl < 0xE000 {
						inked++
					}
					if len(colours) < 64 {
						colours[r>>12<<8|g>>12<<4|bl>>12] = true
					}
				}
			}
			total := b.Dx() * b.Dy() / 4
			if ratio := float64(inked) / float64(total); ratio < 0.01 {
				t.Errorf("page nearly blank: %.2f%% of pixels inked", ratio*100)
			}
			if len(colours) < 3 {
				t.Errorf("page of %d colours: the style sheet was not applied?", len(colours))
			}
			t.Logf("%s: %d pixels encrés sur %d", name, inked, total)
		})
	}
}
