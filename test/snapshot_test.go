package test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// updateSnapshots is set by `make snapshot` to rewrite the golden templates on purpose.
var updateSnapshots = os.Getenv("UPDATE_SNAPSHOTS") == "1"

// TestSnapshots compares every stack's template with its golden file in test/golden. Read the
// diff of a failing snapshot, then run `make snapshot` only if every change is intended.
func TestSnapshots(t *testing.T) {
	r := referenceApp()
	for _, name := range r.stackNames() {
		t.Run(name, func(t *testing.T) {
			got := normalize(r.json[name])
			file := filepath.Join("golden", strings.ReplaceAll(name, "/", "-")+".json")
			if updateSnapshots {
				raw, _ := json.MarshalIndent(got, "", "  ")
				if err := os.WriteFile(file, append(raw, '\n'), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			raw, err := os.ReadFile(file)
			if err != nil {
				t.Fatalf("no golden template %s (run `make snapshot` to create it): %v", file, err)
			}
			var want any
			if err := json.Unmarshal(raw, &want); err != nil {
				t.Fatalf("%s: %v", file, err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("template of %s differs from %s (-golden +synthesized):\n%s\n"+
					"If every change is intended, run `make snapshot` and commit the golden file.", name, file, diff)
			}
		})
	}
}

var assetHash = regexp.MustCompile(`[0-9a-f]{64}`)

// assetDestination is the suffix CDK Pipelines gives an asset's publishing destination: a hash
// of the destination, which names the asset by its hash.
var assetDestination = regexp.MustCompile(`(<asset-hash>:[A-Za-z0-9_]+(?:-[a-z0-9]+)*?)-[0-9a-f]{8}\b`)

// normalize removes what changes with the CDK version rather than with our code: the
// AWS::CDK::Metadata resource (version analytics) and its condition, and asset hashes (and the
// pipeline's asset destinations, which name them).
func normalize(template map[string]any) any {
	raw, _ := json.Marshal(template)
	var t map[string]any
	text := assetHash.ReplaceAllString(string(raw), "<asset-hash>")
	text = assetDestination.ReplaceAllString(text, "$1-<destination-hash>")
	_ = json.Unmarshal([]byte(text), &t)
	if resources, ok := t["Resources"].(map[string]any); ok {
		for id, r := range resources {
			if r.(map[string]any)["Type"] == "AWS::CDK::Metadata" {
				delete(resources, id)
			}
		}
	}
	if conditions, ok := t["Conditions"].(map[string]any); ok {
		delete(conditions, "CDKMetadataAvailable")
		if len(conditions) == 0 {
			delete(t, "Conditions")
		}
	}
	return t
}
