//go:build unix

package file_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/regmint/regmint/core/store/file"
	"github.com/regmint/regmint/core/store/storetest"
)

// otherUID is the user that owns the docker config in the owner test: not
// root, and a uid no test process runs as.
const otherUID, otherGID = 65534, 65534

// TestPutAsRootKeepsTheOwner (issue 12, item 6): the store run as root on
// a user's docker config leaves it owned by that user, who can still read
// it (checked by reading it as that user in a child process).
func TestPutAsRootKeepsTheOwner(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root: the test hands the docker config to a second uid and writes it as root")
	}
	// t.TempDir's parents are 0700 root: the other user must be able to
	// reach the file.
	base, err := os.MkdirTemp("", "regmint-owner-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(base) })
	if err := os.Chmod(base, 0o711); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(base, ".docker")
	path := filepath.Join(dir, "config.json")
	writeFile(t, path, `{"auths":{}}`, 0o600)
	for _, p := range []string{dir, path} {
		if err := os.Chown(p, otherUID, otherGID); err != nil {
			t.Fatal(err)
		}
	}
	s, err := file.New(path)
	if err != nil {
		t.Fatal(err)
	}
	r := storetest.Record("owner.example.com", "pw-owner-"+strings.Repeat("x", 8))
	if err := s.Put(context.Background(), "owner", r); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	st := fi.Sys().(*syscall.Stat_t)
	if st.Uid != otherUID || st.Gid != otherGID || fi.Mode().Perm() != 0o600 {
		t.Errorf("config is owned by %d:%d with mode %v after Put, want %d:%d and 0600", st.Uid, st.Gid, fi.Mode().Perm(), otherUID, otherGID)
	}
	cat := exec.Command("cat", path)
	cat.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: otherUID, Gid: otherGID}}
	out, err := cat.Output()
	if err != nil || !strings.Contains(string(out), "owner.example.com") {
		t.Errorf("the config's owner cannot read it after Put: %v", err)
	}
}

// TestLockFileSymlinkIsRefused (item 6): a lock file that is a symbolic
// link is not followed, so nothing is created or touched where it points.
func TestLockFileSymlinkIsRefused(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	victim := filepath.Join(t.TempDir(), "victim")
	if err := os.MkdirAll(filepath.Dir(s.Path()), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(victim, s.Path()+file.LockSuffix); err != nil {
		t.Fatal(err)
	}
	err := s.Put(context.Background(), "x", storetest.Record("lock.example.com", "pw-lock-00000001"))
	if err == nil || !strings.Contains(err.Error(), "symbolic link") {
		t.Fatalf("Put with a symlinked lock file: %v, want an error saying it is a symbolic link", err)
	}
	if _, err := os.Lstat(victim); !os.IsNotExist(err) {
		t.Errorf("the lock's link target was created: %v", err)
	}
	if _, err := os.Stat(s.Path()); !os.IsNotExist(err) {
		t.Errorf("the config was written: %v", err)
	}
}

// TestWritableDirectoryIsRefused (item 6): a group- or world-writable
// directory is refused with an error saying so; nothing is written.
func TestWritableDirectoryIsRefused(t *testing.T) {
	t.Parallel()
	for _, mode := range []os.FileMode{0o777, 0o770, 0o1777} {
		s := newStore(t)
		dir := filepath.Dir(s.Path())
		if err := os.MkdirAll(dir, 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(dir, mode); err != nil {
			t.Fatal(err)
		}
		err := s.Put(context.Background(), "x", storetest.Record("dir.example.com", "pw-dir-000000001"))
		if err == nil || !strings.Contains(err.Error(), "group- or world-writable") {
			t.Errorf("Put in a %v directory: %v, want an error saying it is group- or world-writable", mode, err)
		}
		if _, err := os.Stat(s.Path()); !os.IsNotExist(err) {
			t.Errorf("the config was written in a %v directory", mode)
		}
	}
}
