package atomicfile_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/gatehouse-cdk/gatehouse/internal/atomicfile"
)

// TestWriteFile: the file is created with its directory, replaced whole, and no temporary file
// is left beside it.
func TestWriteFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "a", "entry")
	for _, content := range []string{"first, longer content\n", "second\n"} {
		if err := atomicfile.WriteFile(path, []byte(content)); err != nil {
			t.Fatal(err)
		}
		if raw, err := os.ReadFile(path); err != nil || string(raw) != content {
			t.Errorf("read %q, %v; want %q", raw, err, content)
		}
	}
	if entries, _ := os.ReadDir(filepath.Dir(path)); len(entries) != 1 {
		t.Errorf("%d files beside the entry's directory, want the entry alone", len(entries))
	}
	if err := atomicfile.WriteFile(filepath.Join(path, "under-a-file"), nil); err == nil {
		t.Error("writing under a regular file succeeded")
	}
}
