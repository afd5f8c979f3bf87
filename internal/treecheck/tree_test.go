// Package treecheck keeps the repository's tree clean: no compiled file is tracked, and every
// construct package shows its use in a godoc example.
package treecheck

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// root is the repository (this package is internal/treecheck).
var root = filepath.Join("..", "..")

// tracked lists git's tracked files with their modes.
func tracked(t *testing.T) map[string]string {
	t.Helper()
	cmd := exec.Command("git", "ls-files", "-s", "-z")
	cmd.Dir = root
	out, err := cmd.Output()
	if err != nil {
		t.Skipf("not a git checkout (%v): nothing to check", err)
	}
	files := map[string]string{}
	for _, entry := range strings.Split(strings.TrimSuffix(string(out), "\x00"), "\x00") {
		// <mode> <object> <stage>\t<path>
		meta, path, ok := strings.Cut(entry, "\t")
		if ok {
			files[path] = strings.Fields(meta)[0]
		}
	}
	return files
}

// compiled is the kind of compiled file content starts with, or "".
func compiled(head []byte) string {
	for magic, kind := range map[string]string{
		"\x7fELF": "an ELF binary", "MZ": "a Windows executable", "\xcf\xfa\xed\xfe": "a Mach-O binary",
		"\xca\xfe\xba\xbe": "a Mach-O or Java class file", "!<arch>\n": "an object archive", "\x00asm": "a WebAssembly module",
	} {
		if bytes.HasPrefix(head, []byte(magic)) {
			return kind
		}
	}
	return ""
}

// objectExtensions are compiled files by name.
var objectExtensions = regexp.MustCompile(`\.(o|a|so|dylib|dll|exe|test|class|pyc|wasm)$`)

// TestNoCompiledFilesTracked: no tracked file is a binary or object file, and an executable
// file is a script (it starts with #!).
func TestNoCompiledFilesTracked(t *testing.T) {
	files := tracked(t)
	if len(files) < 100 {
		t.Fatalf("git ls-files listed %d files", len(files))
	}
	for path, mode := range files {
		if objectExtensions.MatchString(path) {
			t.Errorf("%s is tracked: a compiled file (by its name); build it, and ignore it in .gitignore", path)
			continue
		}
		f, err := os.Open(filepath.Join(root, path))
		if err != nil {
			continue // deleted in the work tree
		}
		head := make([]byte, 8)
		n, _ := f.Read(head)
		f.Close()
		head = head[:n]
		if kind := compiled(head); kind != "" {
			t.Errorf("%s is tracked: %s; build it, and ignore it in .gitignore", path, kind)
		} else if mode == "100755" && !bytes.HasPrefix(head, []byte("#!")) {
			t.Errorf("%s is tracked as executable (mode %s) but is no script (no #!)", path, mode)
		}
	}
}

func TestCompiledKinds(t *testing.T) {
	for head, want := range map[string]bool{"\x7fELF\x02\x01": true, "!<arch>\n": true, "#!/bin/sh": false, "package ": false, "MZ\x90\x00": true} {
		if got := compiled([]byte(head)) != ""; got != want {
			t.Errorf("compiled(%q) = %v, want %v", head, got, want)
		}
	}
}

// example is a godoc example function.
var example = regexp.MustCompile(`(?m)^func Example\w*\(\) \{`)

// TestEveryConstructPackageHasAnExample: each package under constructs/ shows its use in an
// Example function (go vet compiles them; godoc shows them).
func TestEveryConstructPackageHasAnExample(t *testing.T) {
	dirs, err := filepath.Glob(filepath.Join(root, "constructs", "*"))
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no construct packages: %v", err)
	}
	for _, dir := range dirs {
		tests, _ := filepath.Glob(filepath.Join(dir, "*_test.go"))
		found := false
		for _, file := range tests {
			if text, err := os.ReadFile(file); err == nil && example.Match(text) {
				found = true
				break
			}
		}
		if !found {
			t.Errorf("constructs/%s has no Example function in a _test.go file: add one showing how the construct is used", filepath.Base(dir))
		}
	}
}
