package file

import (
	"fmt"
	"os"
	"path/filepath"
)

// fileMode is the mode of every file the store writes: they hold secrets
// (the config) or sit beside them (the sidecar, the lock).
const fileMode = 0o600

// dirMode is the mode of a directory the store creates.
const dirMode = 0o700

// writeAtomic replaces path with data: it writes a temporary file in the
// same directory (so the rename stays on one file system), syncs it, sets
// mode 0600, renames it over path and syncs the directory. Readers see the
// old file or the new one, never a part. On failure the temporary file is
// removed and path is unchanged. beforeRename, if not nil, runs just before
// the rename (tests make it fail).
//
// A file replaced keeps its owner (when the store runs as root, e.g. for
// a user's ~/.docker/config.json) and its owner's mode bits; group and
// others get none. A group- or world-writable directory is refused.
func writeAtomic(path string, data []byte, beforeRename func(tmp string) error) (err error) {
	dir := filepath.Dir(path)
	if err := checkDir(dir); err != nil {
		return err
	}
	mode, uid, gid, chown := os.FileMode(fileMode), 0, 0, false
	if fi, err := os.Lstat(path); err == nil && fi.Mode().IsRegular() {
		mode = keptMode(fi)
		if u, g, ok := fileOwner(fi); ok && os.Geteuid() == 0 && (u != 0 || g != 0) {
			uid, gid, chown = u, g, true
		}
	}
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("create temporary file: %w", err)
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	if err = f.Chmod(mode); err != nil {
		return fmt.Errorf("chmod temporary file: %w", err)
	}
	if chown {
		if err = f.Chown(uid, gid); err != nil {
			return fmt.Errorf("give the temporary file the owner of %s: %w", filepath.Base(path), err)
		}
	}
	if _, err = f.Write(data); err != nil {
		return fmt.Errorf("write temporary file: %w", err)
	}
	if err = f.Sync(); err != nil {
		return fmt.Errorf("sync temporary file: %w", err)
	}
	if err = f.Close(); err != nil {
		return fmt.Errorf("close temporary file: %w", err)
	}
	if beforeRename != nil {
		if err = beforeRename(tmp); err != nil {
			return err
		}
	}
	if err = os.Rename(tmp, path); err != nil {
		return fmt.Errorf("rename into place: %w", err)
	}
	return syncDir(dir)
}

// syncDir makes a rename in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("open directory to sync: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("sync directory: %w", err)
	}
	return nil
}
