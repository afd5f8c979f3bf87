package cfnvalidate_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gatehouse-cdk/gatehouse/internal/cfnvalidate"
)

// root is the repository: the engine's files are its node_modules' (make deps installs them).
const root = "../.."

const handle = `{"Resources": {"Handle": {"Type": "AWS::CloudFormation::WaitConditionHandle"}}}`

func openCache(t *testing.T, root, dir string) *cfnvalidate.Cache {
	t.Helper()
	if !cfnvalidate.Available(root) {
		t.Skip("the validator's engine is not installed (make deps)")
	}
	c, err := cfnvalidate.OpenCache(root, dir)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestCacheKey: a pass counts only for the exact bytes, account and region it was recorded for,
// and only with the same engine: a copy of the engine whose package says another version does
// not see it.
func TestCacheKey(t *testing.T) {
	dir := t.TempDir()
	cache := openCache(t, root, dir)
	s := cfnvalidate.Stack{Template: "a.template.json", Body: handle, Account: "111122223333", Region: "ap-southeast-1"}
	if cache.Passed(s) {
		t.Fatal("an empty cache passed a template")
	}
	if err := cache.Record(s); err != nil {
		t.Fatal(err)
	}
	if !cache.Passed(s) {
		t.Fatal("a recorded pass was not found")
	}
	renamed := s
	renamed.Template = "b.template.json"
	if !cache.Passed(renamed) {
		t.Error("the same bytes under another file name: the validator checks the bytes, so the pass holds")
	}
	for name, changed := range map[string]func(*cfnvalidate.Stack){
		"one byte more":   func(s *cfnvalidate.Stack) { s.Body += " " },
		"one byte edited": func(s *cfnvalidate.Stack) { s.Body = strings.Replace(s.Body, "Handle", "Handlf", 1) },
		"another account": func(s *cfnvalidate.Stack) { s.Account = "444455556666" },
		"another region":  func(s *cfnvalidate.Stack) { s.Region = "us-east-1" },
	} {
		edited := s
		changed(&edited)
		if cache.Passed(edited) {
			t.Errorf("%s: passed on the strength of the original's entry", name)
		}
	}

	// Another engine version: the engine's files copied, its package.json saying 9.9.9.
	other := t.TempDir()
	for _, name := range []string{"node_modules/@aws/cloudformation-validate/package.json", "node_modules/@aws/cloudformation-validate/index.js",
		"node_modules/@aws/cloudformation-validate/bindings_wasm.js", "node_modules/@aws/cloudformation-validate/bindings_wasm_bg.wasm", cfnvalidate.Script} {
		raw, err := os.ReadFile(filepath.Join(root, name))
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasSuffix(name, "package.json") {
			var pkg map[string]any
			if err := json.Unmarshal(raw, &pkg); err != nil {
				t.Fatal(err)
			}
			pkg["version"] = "9.9.9"
			raw, _ = json.Marshal(pkg)
		}
		if err := os.MkdirAll(filepath.Dir(filepath.Join(other, name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(other, name), raw, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if openCache(t, other, dir).Passed(s) {
		t.Error("another engine version passed a template on this engine's entry")
	}
	if !openCache(t, root, dir).Passed(s) {
		t.Error("the same engine, opened again, lost the entry")
	}
}

// TestCacheCorruptEntry: an entry that is not exactly what Record writes (cut short, emptied,
// another key's, garbage) is no pass; recording again repairs it.
func TestCacheCorruptEntry(t *testing.T) {
	dir := t.TempDir()
	cache := openCache(t, root, dir)
	s := cfnvalidate.Stack{Template: "a.template.json", Body: handle, Account: "111122223333", Region: "us-east-1"}
	if err := cache.Record(s); err != nil {
		t.Fatal(err)
	}
	var entry string
	_ = filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && filepath.Base(filepath.Dir(path)) != filepath.Base(dir) {
			entry = path
		}
		return nil
	})
	whole, err := os.ReadFile(entry)
	if err != nil {
		t.Fatal(err)
	}
	for name, content := range map[string]string{
		"cut short": string(whole[:len(whole)/2]),
		"empty":     "",
		"garbage":   "\x00\x01passed",
		"other key": "passed " + strings.Repeat("0", 64) + "\n",
	} {
		if err := os.WriteFile(entry, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		if cache.Passed(s) {
			t.Errorf("%s entry: passed", name)
		}
	}
	if err := cache.Record(s); err != nil || !cache.Passed(s) {
		t.Errorf("recording again did not repair the entry (%v)", err)
	}
	if matches, _ := filepath.Glob(filepath.Join(dir, "*", ".tmp-*")); len(matches) > 0 {
		t.Errorf("temporary files left: %v", matches)
	}
}

// TestCheckStartsNothingWhenEveryTemplatePassed: with every template of an assembly passed
// before, Check sends nothing and starts no validator (there is no node on PATH to start); with
// one byte of a template changed it must start one (and here, cannot).
func TestCheckStartsNothingWhenEveryTemplatePassed(t *testing.T) {
	assembly := t.TempDir()
	manifest := `{"version": "54.0.0", "artifacts": {"Stack": {"type": "aws:cloudformation:stack", "environment": "aws://111122223333/us-east-1",
		"properties": {"templateFile": "Stack.template.json"}}}}`
	template := filepath.Join(assembly, "Stack.template.json")
	for path, content := range map[string]string{filepath.Join(assembly, "manifest.json"): manifest, template: handle} {
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cache := openCache(t, root, t.TempDir())
	stacks, err := cfnvalidate.StacksOf(assembly)
	if err != nil || len(stacks) != 1 || stacks[0].Body != handle || stacks[0].Account != "111122223333" {
		t.Fatalf("StacksOf = %+v, %v", stacks, err)
	}
	if err := cache.Record(stacks[0]); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", t.TempDir())
	findings, validated, err := cfnvalidate.Check(root, assembly, cache, nil)
	if err != nil || validated != 0 || len(findings) != 0 {
		t.Fatalf("Check over a passed assembly = %v, %d sent, %v; want nothing sent", findings, validated, err)
	}
	if err := os.WriteFile(template, []byte(handle+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := cfnvalidate.Check(root, assembly, cache, nil); err == nil || !strings.Contains(err.Error(), "did not start") {
		t.Fatalf("Check over an edited template = %v, want it to start the validator (which cannot start here)", err)
	}
}
