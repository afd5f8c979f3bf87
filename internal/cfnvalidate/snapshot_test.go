package cfnvalidate_test

import (
	"bufio"
	"encoding/json"
	"io"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gatehouse-cdk/gatehouse/internal/cfnvalidate"
)

// bad has the finding a bad template edit makes: a property the type does not have.
const bad = `{"Resources": {"Bucket": {"Type": "AWS::S3::Bucket", "Properties": {"BucketNam": "x"}}}}`

// TestEngineSnapshot: the validator keeps its initialised engine in the cache's snapshot, a later
// run restores it, and a restored engine still fails a bad template. A snapshot that does not
// check out — cut short, its memory not the one its CRC-32 was taken of, its engine answering the probe
// templates otherwise than the one that wrote it, another engine's — is refused (and the engine
// is initialised anew: the validator's run that writes the snapshot is that path).
func TestEngineSnapshot(t *testing.T) {
	dir := t.TempDir()
	cache := openCache(t, root, dir)
	// The repository's own snapshot, when the app or the tests wrote one, saves an initialisation
	// (without one, or with one another Node wrote, the first run writes it).
	repo := openCache(t, root, filepath.Join(root, cfnvalidate.DefaultCacheDir))
	_ = os.Link(repo.Snapshot(), cache.Snapshot())
	for run := 1; ; run++ {
		p := start(t, cache)
		findings, err := p.Validate([]cfnvalidate.Stack{
			{Template: "bad.template.json", Body: bad, Account: "111122223333", Region: "us-east-1"},
			{Template: "handle.template.json", Body: handle, Account: "111122223333", Region: "us-east-1"},
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(findings) != 1 || findings[0].RuleID != "F3002" || findings[0].Template != "bad.template.json" || findings[0].Path != "Properties.BucketNam" {
			t.Errorf("findings %v; want the unknown property's F3002 in bad.template.json only", findings)
		}
		p.Stop(false)
		loaded, _ := p.Loaded()
		if loaded == "restored" {
			break
		}
		if run == 2 || !strings.HasSuffix(loaded, "snapshot written") {
			t.Fatalf("run %d: engine %q, want it restored from the snapshot the first run wrote", run, loaded)
		}
	}

	// The variants are written as a header and a copy of the snapshot's memory.
	original, err := os.Open(cache.Snapshot())
	if err != nil {
		t.Fatal(err)
	}
	defer original.Close()
	head, err := bufio.NewReader(original).ReadBytes('\n')
	if err != nil {
		t.Fatal("the snapshot has no header line:", err)
	}
	var header map[string]any
	if err := json.Unmarshal(head, &header); err != nil {
		t.Fatal(err)
	}
	memory := int64(header["memory"].(float64))
	variant := func(change func(h map[string]any), copied int64) string {
		t.Helper()
		h := maps.Clone(header)
		change(h)
		edited, _ := json.Marshal(h)
		file := filepath.Join(t.TempDir(), "engine.snapshot")
		out, err := os.Create(file)
		if err != nil {
			t.Fatal(err)
		}
		defer out.Close()
		if _, err := out.Write(append(edited, '\n')); err != nil {
			t.Fatal(err)
		}
		// From file to file (a limited *os.File): the kernel copies, the test never reads them.
		if _, err := original.Seek(int64(len(head)), io.SeekStart); err != nil {
			t.Fatal(err)
		}
		if _, err := io.Copy(out, io.LimitReader(original, copied)); err != nil {
			t.Fatal(err)
		}
		return file
	}
	same := func(map[string]any) {}
	for name, c := range map[string]struct{ file, want string }{
		"cut short": {variant(same, 4096), "refused ("},
		// Whole by its size, but not the memory its CRC-32 was taken of (a short one: the check
		// is the same for 280 MB, and the test need not copy them twice).
		"another memory": {variant(func(h map[string]any) { h["memory"] = 4096 }, 4096), "refused (its CRC-32 does not match)"},
		// The CRC-32 matches; the probes' recorded answers do not.
		"other answers": {variant(func(h map[string]any) { h["answers"] = strings.Replace(h["answers"].(string), "F3002", "F3003", 1) }, memory),
			"refused (the restored engine answers the probes differently)"},
		"another engine": {variant(func(h map[string]any) { h["engine"] = "9.9.9" }, 4096), "refused (written by"},
	} {
		out, err := exec.Command("node", append(slices.Clone(cfnvalidate.NodeFlags), filepath.Join(root, cfnvalidate.Script), "--check-snapshot="+c.file)...).Output()
		var got struct{ Snapshot string }
		if err != nil || json.Unmarshal(out, &got) != nil || !strings.HasPrefix(got.Snapshot, c.want) {
			t.Errorf("%s: %q (%v), want %q", name, out, err, c.want)
		}
	}
}

func start(t *testing.T, cache *cfnvalidate.Cache) *cfnvalidate.Process {
	t.Helper()
	p, err := cfnvalidate.Start(root, cache)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Stop(true) })
	return p
}
