package synthcache_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse-cdk/gatehouse/internal/synthcache"
)

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func key(t *testing.T, in synthcache.Inputs) string {
	t.Helper()
	k, ok := synthcache.Key(in)
	if !ok {
		t.Fatal("Key: not keyable")
	}
	return k
}

// TestKey: every input of a synth changes the key — the context, a configured file's content, an
// asset file rewritten (even with the same content), a CDK_, JSII_, NODE_ or GATEHOUSE_ variable —
// and where the output goes does not.
func TestKey(t *testing.T) {
	if _, err := os.Stat("/proc/self/exe"); err != nil {
		t.Skip("no executable to key")
	}
	assets := t.TempDir()
	bootstrap := filepath.Join(assets, "fn", "bootstrap")
	write(t, bootstrap, "code")
	in := synthcache.Inputs{Context: `{"env":"dev"}`, Contents: []string{"PEM"}, AssetDirs: []string{filepath.Join(assets, "fn")}}
	t.Setenv("CDK_OUTDIR", "cdk.out")
	base := key(t, in)
	if key(t, in) != base {
		t.Fatal("the same inputs, another key")
	}
	t.Setenv("CDK_OUTDIR", "elsewhere")
	t.Setenv("CDK_ERROR_FILE", "elsewhere/error.txt")
	if key(t, in) != base {
		t.Error("the output directory changed the key: the assembly does not depend on it")
	}
	changed := map[string]func() synthcache.Inputs{
		"context": func() synthcache.Inputs { c := in; c.Context = `{"env":"prod"}`; return c },
		"content": func() synthcache.Inputs { c := in; c.Contents = []string{"PEM2"}; return c },
		"asset rewritten, same content": func() synthcache.Inputs {
			time.Sleep(10 * time.Millisecond)
			write(t, bootstrap, "code")
			return in
		},
		"asset added": func() synthcache.Inputs { write(t, filepath.Join(assets, "fn", "extra"), ""); return in },
	}
	for _, name := range []string{"context", "content", "asset rewritten, same content", "asset added"} {
		if key(t, changed[name]()) == base {
			t.Errorf("%s: same key", name)
		}
	}
	base = key(t, in)
	for _, name := range []string{"CDK_DEFAULT_REGION", "JSII_RUNTIME", "NODE_OPTIONS", "GATEHOUSE_VALIDATOR"} {
		t.Run(name, func(t *testing.T) {
			t.Setenv(name, "changed")
			if key(t, in) == base {
				t.Errorf("%s changed, same key", name)
			}
		})
	}
	if _, ok := synthcache.Key(synthcache.Inputs{AssetDirs: []string{filepath.Join(assets, "missing")}}); ok {
		t.Error("a missing asset directory was keyed (the app must fail on it, not reuse an assembly)")
	}
}

// TestStoreReplay: a stored assembly comes back byte for byte into another directory (assets
// linked); a corrupt entry or a lost asset is a miss.
func TestStoreReplay(t *testing.T) {
	cache, out := t.TempDir(), t.TempDir()
	files := map[string]string{
		"manifest.json":                      `{"version":"54.0.0"}`,
		"assembly-dev/devAuth.template.json": `{"Resources":{}}`,
		"asset.0123/bootstrap":               "binary",
		"assembly-dev/devAuth.assets.json":   `{}`,
	}
	for rel, content := range files {
		write(t, filepath.Join(out, rel), content)
	}
	const k = "0000000000000000000000000000000000000000000000000000000000000001"
	if err := synthcache.Store(cache, k, out); err != nil {
		t.Fatal(err)
	}
	if synthcache.Replay(cache, "0000000000000000000000000000000000000000000000000000000000000002", t.TempDir()) {
		t.Error("another key replayed")
	}
	again := t.TempDir()
	if !synthcache.Replay(cache, k, again) {
		t.Fatal("the stored assembly was not replayed")
	}
	for rel, content := range files {
		if raw, err := os.ReadFile(filepath.Join(again, rel)); err != nil || string(raw) != content {
			t.Errorf("%s: %q, %v; want %q", rel, raw, err, content)
		}
	}

	entry := filepath.Join(cache, "entries", k+".json")
	whole, _ := os.ReadFile(entry)
	for name, corrupt := range map[string][]byte{
		"cut short":        whole[:len(whole)/2],
		"template changed": []byte(strings.Replace(string(whole), `{\"Resources\":{}}`, `{\"Resources\":{\"X\":{}}}`, 1)),
		"empty":            nil,
	} {
		write(t, entry, string(corrupt))
		if synthcache.Replay(cache, k, t.TempDir()) {
			t.Errorf("%s entry replayed", name)
		}
	}
	write(t, entry, string(whole))
	if err := os.Remove(filepath.Join(cache, "assets", "asset.0123", "bootstrap")); err != nil {
		t.Fatal(err)
	}
	if synthcache.Replay(cache, k, t.TempDir()) {
		t.Error("an entry whose asset is gone replayed")
	}
}
