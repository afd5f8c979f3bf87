package cdkapp_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// kernel stands in for the jsii kernel (its program is jsii-runtime.*/lib/program.js): like it,
// it makes its modules' directory anew each run (/tmp/jsii-kernel-XXXXXX/node_modules) and loads
// a module from there.
const kernel = `const fs = require('node:fs'), os = require('node:os'), path = require('node:path');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jsii-kernel-'));
fs.mkdirSync(path.join(dir, 'node_modules', 'm'), { recursive: true });
fs.writeFileSync(path.join(dir, 'node_modules', 'm', 'index.js'), 'module.exports = () => ' + JSON.stringify('x'.repeat(4096)) + '.length;');
require(path.join(dir, 'node_modules', 'm'))();
`

// TestCompileCacheAcrossKernelDirectories: the preload's cache serves a module the next run
// loads from another temporary directory (Node's own log says the code was accepted), whether
// jsii's launcher or jsii-kernel.sh started the kernel, and acts only in the jsii kernel.
func TestCompileCacheAcrossKernelDirectories(t *testing.T) {
	preload, err := filepath.Abs("compile-cache.cjs")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	program := filepath.Join(dir, "jsii-runtime.123", "lib", "program.js")
	other := filepath.Join(dir, "other.js")
	for _, f := range []string{program, other} {
		if err := os.MkdirAll(filepath.Dir(f), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(f, []byte(kernel), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cache := filepath.Join(dir, "cache")
	run := func(script string) string {
		t.Helper()
		cmd := exec.Command("node", "--require", preload, script)
		cmd.Env = append(os.Environ(), "TMPDIR="+t.TempDir(), "GATEHOUSE_JSII_COMPILE_CACHE="+cache, "NODE_DEBUG_NATIVE=COMPILE_CACHE")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%s: %v\n%s", script, err, out)
		}
		return string(out)
	}
	const accepted = "node_modules/m/index.js was accepted"
	if first := run(program); strings.Contains(first, accepted) || !strings.Contains(first, "using relative path ../../node_modules/m/index.js") {
		t.Fatalf("first run: want the module compiled and keyed by its path relative to the cache:\n%s", first)
	}
	if second := run(program); !strings.Contains(second, accepted) {
		t.Errorf("second run, another temporary directory: want the cached code accepted:\n%s", second)
	}
	// The kernel as jsii-kernel.sh starts it, from build/jsii-runtime/lib.
	direct := filepath.Join(dir, "build", "jsii-runtime", "lib", "program.js")
	if err := os.MkdirAll(filepath.Dir(direct), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(direct, []byte(kernel), 0o644); err != nil {
		t.Fatal(err)
	}
	if third := run(direct); !strings.Contains(third, accepted) {
		t.Errorf("the kernel started directly: want the cached code accepted:\n%s", third)
	}
	if out := run(other); strings.Contains(out, "[compile cache]") {
		t.Errorf("a process that is not the jsii kernel used the cache:\n%s", out)
	}
}
