// Package docs holds gatehouse's guides (Markdown); this test keeps the README and the guides a
// map whose every link resolves.
package docs

import (
	"os"
	"os/exec"
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

// TestReadmeLayoutMatchesTheTree: the README's layout tables (library, app, proof, around them)
// and the tree cannot drift apart: every path they name exists, and every entry of the root,
// app/, app/cmd/, proof/ and proof/cmd/ (git's files, untracked ones not ignored included) is
// named, itself or by a path under it.
func TestReadmeLayoutMatchesTheTree(t *testing.T) {
	text, err := os.ReadFile(filepath.Join("..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	readme := string(text)
	start := strings.Index(readme, "### Layout")
	end := strings.Index(readme, "**What moved**") // its table names the old paths
	if start < 0 || end < start {
		t.Fatalf("README.md has no \"### Layout\" section followed by \"**What moved**\"")
	}
	code := regexp.MustCompile("`([^`]+)`")
	var named []string
	for _, line := range strings.Split(readme[start:end], "\n") {
		cells := strings.Split(line, "|")
		if !strings.HasPrefix(line, "| `") || len(cells) < 3 {
			continue
		}
		for _, m := range code.FindAllStringSubmatch(cells[1], -1) {
			path := strings.TrimSuffix(m[1], "/")
			named = append(named, path)
			if _, err := os.Stat(filepath.Join("..", filepath.FromSlash(path))); err != nil {
				t.Errorf("README.md's layout names %s, which does not exist", m[1])
			}
		}
	}
	if len(named) < 30 {
		t.Fatalf("README.md's layout tables name %d paths: the tables were not found", len(named))
	}
	cmd := exec.Command("git", "ls-files", "--cached", "--others", "--exclude-standard")
	cmd.Dir = ".."
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("git ls-files: %v", err)
	}
	entries := map[string]bool{}
	for _, file := range strings.Fields(string(out)) {
		if _, err := os.Lstat(filepath.Join("..", filepath.FromSlash(file))); err != nil {
			continue // deleted, not yet committed
		}
		parts := strings.Split(file, "/")
		entries[parts[0]] = true
		for _, dir := range []string{"app", "app/cmd", "proof", "proof/cmd"} {
			if depth := strings.Count(dir, "/") + 1; strings.HasPrefix(file, dir+"/") && len(parts) > depth {
				entries[strings.Join(parts[:depth+1], "/")] = true
			}
		}
	}
	if !entries["app/main.go"] || !entries["proof/matrix"] {
		t.Fatalf("git ls-files listed %d entries, without app/main.go or proof/matrix", len(entries))
	}
	for entry := range entries {
		if !slices.ContainsFunc(named, func(path string) bool { return path == entry || strings.HasPrefix(path, entry+"/") }) {
			t.Errorf("%s is not in README.md's layout tables: add a row saying what it holds, under library, app, proof or around them", entry)
		}
	}
}
