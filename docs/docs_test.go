// Package docs holds gatehouse's guides (Markdown); this test keeps the README and the guides a
// map whose every link resolves.
package docs

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/gatehouse-cdk/gatehouse/app/contract"
)

// link is a Markdown inline link's target: [text](target).
var link = regexp.MustCompile(`\]\(([^)\s]+)\)`)

// heading is a Markdown heading line outside code blocks.
var heading = regexp.MustCompile(`^#{1,6} (.+)$`)

// anchorOf is GitHub's anchor for a heading: lower case, punctuation other than '-' and '_'
// dropped, spaces as '-'.
func anchorOf(title string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(strings.TrimSpace(title)) {
		switch {
		case r == ' ':
			b.WriteByte('-')
		case r == '-' || r == '_' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r > 127:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// page is one Markdown file: its links and its headings' anchors, code blocks left out.
type page struct {
	links   []string
	anchors map[string]bool
}

func read(t *testing.T, path string) page {
	t.Helper()
	text, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	p := page{anchors: map[string]bool{}}
	inCode := false
	for _, line := range strings.Split(string(text), "\n") {
		if strings.HasPrefix(line, "```") {
			inCode = !inCode
			continue
		}
		if inCode {
			continue
		}
		if m := heading.FindStringSubmatch(line); m != nil {
			p.anchors[anchorOf(m[1])] = true
		}
		for _, m := range link.FindAllStringSubmatch(line, -1) {
			p.links = append(p.links, m[1])
		}
	}
	return p
}

// TestEveryLinkResolves: every relative link of the README and the guides names a file of the
// repository, and every #anchor a heading of its page.
func TestEveryLinkResolves(t *testing.T) {
	guides, err := filepath.Glob("*.md")
	if err != nil || len(guides) == 0 {
		t.Fatalf("no guides in docs/: %v", err)
	}
	pages := map[string]page{}
	for _, path := range append([]string{filepath.Join("..", "README.md")}, guides...) {
		pages[filepath.Clean(path)] = read(t, path)
	}
	checked := 0
	for from, p := range pages {
		for _, target := range p.links {
			if strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
				continue
			}
			file, anchor, _ := strings.Cut(target, "#")
			to := from
			if file != "" {
				to = filepath.Clean(filepath.Join(filepath.Dir(from), file))
				if _, err := os.Stat(to); err != nil {
					t.Errorf("%s links to %s, which does not exist", from, target)
					continue
				}
			}
			if anchor != "" {
				dest, ok := pages[to]
				if !ok {
					dest = read(t, to)
				}
				if !dest.anchors[anchor] {
					t.Errorf("%s links to %s: %s has no heading with the anchor #%s", from, target, to, anchor)
				}
			}
			checked++
		}
	}
	if checked < len(guides) {
		t.Errorf("only %d links checked", checked)
	}
}

// TestReadmeMapsEveryGuide: the README's guides table links every guide in docs/.
func TestReadmeMapsEveryGuide(t *testing.T) {
	readme := read(t, filepath.Join("..", "README.md"))
	guides, _ := filepath.Glob("*.md")
	for _, guide := range guides {
		if !slices.Contains(readme.links, "docs/"+guide) {
			t.Errorf("README.md does not link docs/%s", guide)
		}
	}
}

func TestAnchorOf(t *testing.T) {
	for title, want := range map[string]string{
		"Whose data: the identity check":           "whose-data-the-identity-check",
		"Security defaults, and why":               "security-defaults-and-why",
		"Using the constructs in your own CDK app": "using-the-constructs-in-your-own-cdk-app",
		"`make bench` on the floor (bench/floor)":  "make-bench-on-the-floor-benchfloor",
	} {
		if got := anchorOf(title); got != want {
			t.Errorf("anchorOf(%q) = %q, want %q", title, got, want)
		}
	}
}

// TestOutputsTableHasEveryOutputTheWebAppReads: configuration.md's outputs table has a row for
// each output whose value the web app's configuration checks (contract.Checked).
func TestOutputsTableHasEveryOutputTheWebAppReads(t *testing.T) {
	doc, err := os.ReadFile("configuration.md")
	if err != nil {
		t.Fatal(err)
	}
	var keyCells []string
	for _, line := range strings.Split(string(doc), "\n") {
		if cells := strings.Split(line, "|"); strings.HasPrefix(line, "| `gatehouse-<env>-") && len(cells) > 2 {
			keyCells = append(keyCells, cells[2])
		}
	}
	for _, key := range contract.Checked() {
		if !slices.ContainsFunc(keyCells, func(cell string) bool { return strings.Contains(cell, "`"+key+"`") }) {
			t.Errorf("configuration.md's outputs table has no row for %s", key)
		}
	}
}
