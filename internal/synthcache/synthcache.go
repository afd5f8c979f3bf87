// Package synthcache lets the app reuse its last checked cloud assembly when nothing it reads
// changed, as Go reuses a test result when neither the test binary nor what it read changed.
//
// A run's key (Key) is a SHA-256 over everything the app's output depends on: the app's
// executable (which embeds aws-cdk-lib, cdk-nag and all of gatehouse's code), the context the
// CLI passed, the CloudFormation validator's engine (its files' SHA-256: a new engine validates
// anew), the content of the files the configuration names (the CloudFront public keys),
// the asset directories the stacks package (the built functions: each file's size, mode,
// modification and change times and inode, as Go's test cache keys the files a test opens), the
// node the jsii runtime starts, the working directory and every CDK_, JSII_, NODE_ and
// GATEHOUSE_ environment variable but the output directory's. Only a run that passed every check
// (cdk-nag, the CloudFormation validator) is stored (Store); a run with the same key reuses it
// (Replay). Synthesis is deterministic (the same inputs write byte-identical assemblies, wherever
// the output directory is), so a replayed assembly is the one a synthesis would write, checked.
//
// An entry is one JSON file written atomically: the assembly's files but the assets, with a
// SHA-256 over them that Replay checks (a corrupt entry is a miss). Assets (the functions'
// code, ~10 MB each) are hard-linked into assets/ by their directory's name, the CDK's
// fingerprint of their content, and back into the output directory on a replay; their sizes
// are checked. The newest maxEntries entries are kept.
package synthcache

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/gatehouse-cdk/gatehouse/internal/atomicfile"
)

// DefaultDir is the cache's directory, relative to the repository (make clean removes it).
const DefaultDir = "build/synth-cache"

// Off is the value of GATEHOUSE_SYNTH_CACHE that turns the cache off.
const Off = "off"

// maxEntries: the newest entries kept (the edit loop's few variants).
const maxEntries = 8

// Inputs are what a run reads besides its executable, context and environment.
type Inputs struct {
	Context   string   // the context as the CLI passed it (CDK_CONTEXT_JSON)
	Contents  []string // the validator engine's identity, the content of the files the configuration names
	AssetDirs []string // the directories the stacks package as assets
}

// Key is the run's key; ok is false when the run cannot be keyed (then it is neither replayed
// nor stored).
func Key(in Inputs) (key string, ok bool) {
	h := sha256.New()
	fmt.Fprintf(h, "gatehouse synth cache 1\ncontext %q\n", in.Context)
	for _, c := range in.Contents {
		fmt.Fprintf(h, "content %d\n%s\n", len(c), c)
	}
	exe, err := os.Executable()
	if err != nil {
		return "", false
	}
	node, err := exec.LookPath("node")
	if err != nil {
		return "", false
	}
	for _, path := range []string{exe, node} {
		if !stamp(h, path) {
			return "", false
		}
	}
	for _, dir := range in.AssetDirs {
		err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !stamp(h, path) {
				return fmt.Errorf("%s: cannot stat", path)
			}
			return nil
		})
		if err != nil {
			return "", false
		}
	}
	cwd, _ := os.Getwd()
	fmt.Fprintf(h, "cwd %q\n", cwd)
	env := os.Environ()
	slices.Sort(env)
	for _, kv := range env {
		name, _, _ := strings.Cut(kv, "=")
		if !hasAnyPrefix(name, "CDK_", "JSII_", "NODE_", "GATEHOUSE_") || slices.Contains(volatileEnv, name) {
			continue
		}
		fmt.Fprintf(h, "env %q\n", kv)
	}
	return hex.EncodeToString(h.Sum(nil)), true
}

// volatileEnv are the variables that name where the output goes (the CLI's -o), or the phase
// timings' file of make bench, not what it holds.
var volatileEnv = []string{"CDK_OUTDIR", "CDK_ERROR_FILE", "CDK_PERF_COUNTERS_FILE", "GATEHOUSE_TIMINGS"}

func hasAnyPrefix(s string, prefixes ...string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

// stamp writes path's identity to h: its path, size, mode, modification and change times and
// inode (a rewrite changes the change time, a rename-into-place the inode).
func stamp(h io.Writer, path string) bool {
	info, err := os.Stat(path)
	if err != nil {
		return false
	}
	st, ok := info.Sys().(*syscall.Stat_t)
	if !ok {
		return false
	}
	fmt.Fprintf(h, "file %q %d %v %d %d.%d %d\n", path, info.Size(), info.Mode(), info.ModTime().UnixNano(), st.Ctim.Sec, st.Ctim.Nsec, st.Ino)
	return true
}

// entry is a stored assembly.
type entry struct {
	// Files are the assembly's files but the assets, by slash path relative to its directory.
	Files map[string]string `json:"files"`
	// Assets are the asset files, by path, with their sizes.
	Assets map[string]int64 `json:"assets"`
	// Sum is the SHA-256 of Files and Assets (sum).
	Sum string `json:"sum"`
}

func (e *entry) sum() string {
	h := sha256.New()
	for _, name := range slices.Sorted(maps.Keys(e.Files)) {
		fmt.Fprintf(h, "file %q %d\n%s\n", name, len(e.Files[name]), e.Files[name])
	}
	for _, name := range slices.Sorted(maps.Keys(e.Assets)) {
		fmt.Fprintf(h, "asset %q %d\n", name, e.Assets[name])
	}
	return hex.EncodeToString(h.Sum(nil))
}

// isAsset: the CDK stages each asset in a directory named by its fingerprint.
func isAsset(rel string) bool { return strings.HasPrefix(rel, "asset.") }

// Store records the assembly in outdir under key. Call it only for a run that passed every check.
func Store(dir, key, outdir string) error {
	e := entry{Files: map[string]string{}, Assets: map[string]int64{}}
	assets := filepath.Join(dir, "assets")
	err := filepath.WalkDir(outdir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(outdir, path)
		rel = filepath.ToSlash(rel)
		if !d.Type().IsRegular() {
			return fmt.Errorf("%s: not a regular file", rel)
		}
		if isAsset(rel) {
			info, err := d.Info()
			if err != nil {
				return err
			}
			e.Assets[rel] = info.Size()
			return link(path, filepath.Join(assets, rel), info.Size())
		}
		raw, err := os.ReadFile(path)
		e.Files[rel] = string(raw)
		return err
	})
	if err != nil {
		return err
	}
	e.Sum = e.sum()
	raw, err := json.Marshal(e)
	if err != nil {
		return err
	}
	if err := atomicfile.WriteFile(filepath.Join(dir, "entries", key+".json"), raw); err != nil {
		return err
	}
	return trim(dir)
}

// link makes to a hard link of from (a copy across file systems), unless to already holds a
// file of that size (the same asset, by its directory's fingerprint name). It goes through a
// new file of its own, renamed into place: a file that exists is never written into (it may be
// a link to another assembly's asset).
func link(from, to string, size int64) error {
	if info, err := os.Stat(to); err == nil && info.Size() == size {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(to), ".tmp-")
	if err != nil {
		return err
	}
	_ = tmp.Close()
	_ = os.Remove(tmp.Name()) // the name only: os.Link makes it anew
	if os.Link(from, tmp.Name()) != nil {
		if err := copyFile(from, tmp.Name()); err != nil {
			_ = os.Remove(tmp.Name())
			return err
		}
	}
	return os.Rename(tmp.Name(), to)
}

// copyFile copies from to to, a file it creates (never one that exists).
func copyFile(from, to string) error {
	src, err := os.Open(from)
	if err != nil {
		return err
	}
	defer src.Close()
	info, err := src.Stat()
	if err != nil {
		return err
	}
	dst, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_EXCL, info.Mode().Perm())
	if err != nil {
		return err
	}
	_, err = io.Copy(dst, src)
	return errors.Join(err, dst.Close())
}

// Replay writes the assembly stored under key into outdir and reports whether it did. A missing
// or corrupt entry, or a missing asset, is a miss (false), with nothing written but asset
// directories the assembly names (the CDK skips staging an asset whose directory exists).
func Replay(dir, key, outdir string) bool {
	path := filepath.Join(dir, "entries", key+".json")
	raw, err := os.ReadFile(path)
	if err != nil {
		return false
	}
	var e entry
	if json.Unmarshal(raw, &e) != nil || e.Sum == "" || e.Sum != e.sum() {
		return false
	}
	for rel, size := range e.Assets {
		if info, err := os.Stat(filepath.Join(dir, "assets", filepath.FromSlash(rel))); err != nil || info.Size() != size {
			return false
		}
	}
	for rel, size := range e.Assets {
		to := filepath.Join(outdir, filepath.FromSlash(rel))
		if err := link(filepath.Join(dir, "assets", filepath.FromSlash(rel)), to, size); err != nil {
			return false
		}
	}
	for _, rel := range slices.Sorted(maps.Keys(e.Files)) {
		to := filepath.Join(outdir, filepath.FromSlash(rel))
		if os.MkdirAll(filepath.Dir(to), 0o755) != nil || os.WriteFile(to, []byte(e.Files[rel]), 0o644) != nil {
			return false
		}
	}
	now := time.Now()
	_ = os.Chtimes(path, now, now) // the newest entries are kept
	return true
}

// trim keeps the newest maxEntries entries and the assets they name.
func trim(dir string) error {
	entries, err := filepath.Glob(filepath.Join(dir, "entries", "*.json"))
	if err != nil || len(entries) <= maxEntries {
		return err
	}
	modified := func(path string) time.Time {
		info, err := os.Stat(path)
		if err != nil {
			return time.Time{}
		}
		return info.ModTime()
	}
	slices.SortFunc(entries, func(a, b string) int { return modified(b).Compare(modified(a)) })
	for _, old := range entries[maxEntries:] {
		_ = os.Remove(old)
	}
	used := map[string]bool{}
	for _, path := range entries[:maxEntries] {
		var e entry
		if raw, err := os.ReadFile(path); err == nil && json.Unmarshal(raw, &e) == nil {
			for rel := range e.Assets {
				used[strings.SplitN(rel, "/", 2)[0]] = true
			}
		}
	}
	assetDirs, _ := os.ReadDir(filepath.Join(dir, "assets"))
	for _, d := range assetDirs {
		if !used[d.Name()] {
			_ = os.RemoveAll(filepath.Join(dir, "assets", d.Name()))
		}
	}
	return nil
}
