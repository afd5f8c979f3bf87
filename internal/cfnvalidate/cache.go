package cfnvalidate

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/gatehouse-cdk/gatehouse/internal/atomicfile"
)

// DefaultCacheDir is where the app and the tests record the templates the validator passed,
// relative to the repository (make clean removes it).
const DefaultCacheDir = "build/cfn-validated"

// engineFiles are what the validator runs, relative to the repository: the engine's package
// (its version, JavaScript and WebAssembly) and the script with its options.
var engineFiles = []string{
	"node_modules/@aws/cloudformation-validate/package.json",
	"node_modules/@aws/cloudformation-validate/index.js",
	"node_modules/@aws/cloudformation-validate/bindings_wasm.js",
	"node_modules/@aws/cloudformation-validate/bindings_wasm_bg.wasm",
	Script,
}

// Cache records the templates the validator passed, as Go's test cache records passing tests:
// one file a pass, named by the SHA-256 of the engine (the content of every file it runs and its
// Node flags), the account and region the template is validated for, and the template's exact
// bytes — the bytes sent to the validator. A template with a finding is never recorded, so it is
// validated on every run until it is fixed. A missing, unreadable or corrupt entry is a template
// to validate: the cache can make a synth faster, never let a template through unvalidated.
type Cache struct {
	dir    string
	engine string
}

// OpenCache is the cache in dir (created when first written) for the engine of the repository
// at root.
func OpenCache(root, dir string) (*Cache, error) {
	h := sha256.New()
	fmt.Fprintf(h, "gatehouse cfnvalidate cache 1\nflags %q\n", NodeFlags)
	for _, name := range engineFiles {
		raw, err := os.ReadFile(filepath.Join(root, name))
		if err != nil {
			return nil, fmt.Errorf("the CloudFormation validator's engine: %w", err)
		}
		fmt.Fprintf(h, "%s %d\n", name, len(raw))
		h.Write(raw)
	}
	return &Cache{dir: dir, engine: hex.EncodeToString(h.Sum(nil))}, nil
}

// Snapshot is the file the validator keeps its initialised engine in (strict.mjs), beside the
// passes and named by the engine: a new engine writes a new one (and removes the others).
func (c *Cache) Snapshot() string { return filepath.Join(c.dir, "engine-"+c.engine[:32]+".snapshot") }

// Engine identifies the engine the cache's entries are for (a SHA-256 of what it runs): a record
// of a run it validated must name it (the app's synth cache does).
func (c *Cache) Engine() string { return c.engine }

// key names s's entry: the engine, the pseudo parameters' account and region, and the body.
func (c *Cache) key(s Stack) string {
	h := sha256.New()
	fmt.Fprintf(h, "engine %s\naccount %q\nregion %q\nbody %d\n", c.engine, s.Account, s.Region, len(s.Body))
	h.Write([]byte(s.Body))
	return hex.EncodeToString(h.Sum(nil))
}

func (c *Cache) path(key string) string { return filepath.Join(c.dir, key[:2], key) }

// entry is an entry's whole content: it names its own key, so a truncated or foreign file is no pass.
func entry(key string) string { return "passed " + key + "\n" }

// Passed reports whether the validator passed s's exact body before, with this engine, for
// this account and region.
func (c *Cache) Passed(s Stack) bool {
	key := c.key(s)
	raw, err := os.ReadFile(c.path(key))
	if err != nil || string(raw) != entry(key) {
		return false
	}
	// Entries in use stay; trim removes those unused for trimAge.
	if info, err := os.Stat(c.path(key)); err == nil && time.Since(info.ModTime()) > time.Hour {
		now := time.Now()
		_ = os.Chtimes(c.path(key), now, now)
	}
	return true
}

// Unvalidated are the stacks the cache has no pass for.
func (c *Cache) Unvalidated(stacks []Stack) []Stack {
	var out []Stack
	for _, s := range stacks {
		if !c.Passed(s) {
			out = append(out, s)
		}
	}
	return out
}

// Record records that the validator passed s (atomicfile: a reader sees a whole entry or none).
func (c *Cache) Record(s Stack) error {
	key := c.key(s)
	return atomicfile.WriteFile(c.path(key), []byte(entry(key)))
}

// RecordPasses records every stack without a finding.
func (c *Cache) RecordPasses(stacks []Stack, findings []Finding) error {
	failed := map[string]bool{}
	for _, f := range findings {
		failed[f.Template] = true
	}
	var errs []error
	for _, s := range stacks {
		if !failed[s.Template] {
			errs = append(errs, c.Record(s))
		}
	}
	errs = append(errs, c.trim())
	return errors.Join(errs...)
}

// trimAge: entries unused this long are removed (checked at most once a day), as Go trims its
// build cache.
const trimAge = 5 * 24 * time.Hour

func (c *Cache) trim() error {
	marker := filepath.Join(c.dir, "trimmed")
	if info, err := os.Stat(marker); err == nil && time.Since(info.ModTime()) < 24*time.Hour {
		return nil
	}
	_ = filepath.WalkDir(c.dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || filepath.Dir(path) == c.dir {
			return nil
		}
		if info, err := d.Info(); err == nil && time.Since(info.ModTime()) > trimAge {
			_ = os.Remove(path)
		}
		return nil
	})
	return os.WriteFile(marker, nil, 0o644)
}

// Check validates every template of the assembly in dir that cache has no pass for (every one
// when cache is nil), with p when the caller started one, else with a process started here and
// stopped, and records the passes. validated is how many templates were sent to the validator.
func Check(root, dir string, cache *Cache, p *Process) (findings []Finding, validated int, err error) {
	stacks, err := StacksOf(dir)
	if err != nil {
		return nil, 0, err
	}
	if cache != nil {
		stacks = cache.Unvalidated(stacks)
	}
	if len(stacks) == 0 {
		return nil, 0, nil
	}
	if p == nil {
		if p, err = Start(root, cache); err != nil {
			return nil, 0, fmt.Errorf("the CloudFormation validator did not start: %w", err)
		}
		defer p.Stop(false)
	}
	if findings, err = p.Validate(stacks); err != nil {
		return nil, 0, err
	}
	if cache != nil {
		// A cache that cannot be written costs the next run time, not this one a check.
		_ = cache.RecordPasses(stacks, findings)
	}
	return findings, len(stacks), nil
}
