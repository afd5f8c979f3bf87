// Package atomicfile writes a file so that a reader sees its old content or its whole new
// content, never part of it: the caches' entries (a process killed mid-write leaves a temporary
// file, not a cut-short entry).
package atomicfile

import (
	"errors"
	"os"
	"path/filepath"
)

// WriteFile writes raw to a temporary file beside path, then renames it into place (creating
// path's directory).
func WriteFile(path string, raw []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.CreateTemp(filepath.Dir(path), ".tmp-")
	if err != nil {
		return err
	}
	_, err = f.Write(raw)
	if err = errors.Join(err, f.Close()); err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		_ = os.Remove(f.Name())
	}
	return err
}
