// Package atomicfile replaces a file's contents in one step: a reader,
// another process or a crash sees the old file or the new one, never half
// of either.
package atomicfile

import (
	"fmt"
	"os"
	"path/filepath"
)

// Write puts data at path with mode perm by writing a temporary file in the
// same directory and renaming it over path. With durable, the data and the
// rename are synced to disk before Write returns (secrets and configs a
// person wrote); without, a crash may lose the new contents but never
// leaves a torn file (caches and hints that are fetched again).
func Write(path string, data []byte, perm os.FileMode, durable bool) error {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("create a file in %s: %w", dir, err)
	}
	name := tmp.Name()
	fail := func(what string, err error) error {
		tmp.Close()
		os.Remove(name)
		return fmt.Errorf("%s %s: %w", what, path, err)
	}
	// CreateTemp uses 0600; set the mode asked for whatever the umask.
	if err := tmp.Chmod(perm); err != nil {
		return fail("chmod", err)
	}
	if _, err := tmp.Write(data); err != nil {
		return fail("write", err)
	}
	if durable {
		if err := tmp.Sync(); err != nil {
			return fail("sync", err)
		}
	}
	if err := tmp.Close(); err != nil {
		os.Remove(name)
		return fmt.Errorf("close %s: %w", path, err)
	}
	if err := os.Rename(name, path); err != nil {
		os.Remove(name)
		return fmt.Errorf("replace %s: %w", path, err)
	}
	if durable {
		// The rename is durable once the directory is synced; not every
		// system can sync a directory, and the data itself already is.
		if d, err := os.Open(dir); err == nil {
			_ = d.Sync()
			d.Close()
		}
	}
	return nil
}
