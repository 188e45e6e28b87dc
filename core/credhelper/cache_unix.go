//go:build unix

package credhelper

import (
	"context"
	"errors"
	"fmt"
	"os"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// ownedByMe refuses a file of another user.
func ownedByMe(fi os.FileInfo) error {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return errors.New("has no owner information")
	}
	if int(st.Uid) != os.Getuid() {
		return fmt.Errorf("belongs to uid %d, not to the current user (uid %d)", st.Uid, os.Getuid())
	}
	return nil
}

// private refuses a file that the group or others may read or write.
func private(fi os.FileInfo) error {
	if m := fi.Mode().Perm(); m&0o077 != 0 {
		return fmt.Errorf("has mode %04o: others may read or change it (accepted: 0600 files in a 0700 directory)", m)
	}
	return nil
}

// openNoFollow opens path for reading without following a symbolic link.
func openNoFollow(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_RDONLY|unix.O_NOFOLLOW|unix.O_NONBLOCK, 0)
}

// Waits between attempts to take a busy lock.
const (
	firstLockWait = time.Millisecond
	maxLockWait   = 20 * time.Millisecond
)

// lockFile takes an exclusive flock on path (created 0600 if missing),
// polling so that the context's end stops the wait. flock locks belong to
// the open file, so goroutines exclude each other as processes do.
func lockFile(ctx context.Context, path string) (func(), error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|unix.O_NOFOLLOW, fileMode)
	if err != nil {
		return nil, fmt.Errorf("open cache lock: %w", err)
	}
	fd := int(f.Fd())
	wait := firstLockWait
	for {
		err := unix.Flock(fd, unix.LOCK_EX|unix.LOCK_NB)
		if err == nil {
			return func() {
				unix.Flock(fd, unix.LOCK_UN)
				f.Close()
			}, nil
		}
		if !errors.Is(err, unix.EWOULDBLOCK) && !errors.Is(err, unix.EINTR) {
			f.Close()
			return nil, fmt.Errorf("lock cache: %w", err)
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			f.Close()
			return nil, fmt.Errorf("wait for the cache lock: %w", ctx.Err())
		case <-t.C:
		}
		wait = min(2*wait, maxLockWait)
	}
}
