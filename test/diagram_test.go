package test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/gatehouse-cdk/gatehouse/access"
	"github.com/gatehouse-cdk/gatehouse/proof/matrix"
)

// TestAccessDiagramIsCurrent: docs/diagrams/access-dev.md is the picture of dev's access matrix
// as the synthesized policies decide it (TestAccessMatrix proves every row decides as expected,
// so the expected decisions are the decisions).
func TestAccessDiagramIsCurrent(t *testing.T) {
	m, err := referenceModel()
	if err != nil {
		t.Fatal(err)
	}
	rows, err := matrix.Reference(m, "dev", referenceApp().envs["dev"])
	if err != nil {
		t.Fatal(err)
	}
	decisions := make([]access.Decision, len(rows))
	for i, r := range rows {
		decisions[i] = r.Expect
	}
	path := filepath.Join(repoRoot, "docs", "diagrams", "access-dev.md")
	committed, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if want := matrix.DiagramPage("dev", rows, decisions); string(committed) != want {
		t.Errorf("docs/diagrams/access-dev.md is stale: run `make access-report ENV=dev` and commit it (read the diff)")
	}
}
