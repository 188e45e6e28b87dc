//go:build unix

package file

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"golang.org/x/sys/unix"
)

// Waits between attempts to take a busy lock.
const (
	firstLockWait = time.Millisecond
	maxLockWait   = 50 * time.Millisecond
)

// lockFile takes an flock on path (created with mode 0600 if missing):
// exclusive for writers, shared for readers. flock locks belong to the open
// file, so goroutines of one process exclude each other as processes do.
// It polls without blocking, so that the context's end stops the wait.
func lockFile(ctx context.Context, path string, exclusive bool) (unlock func(), err error) {
	if err := checkDir(filepath.Dir(path)); err != nil {
		return nil, err
	}
	// A lock file that is a symbolic link is refused: opening it with
	// O_CREATE would create or touch whatever file it points to.
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|noFollow, fileMode)
	if errors.Is(err, unix.ELOOP) {
		return nil, fmt.Errorf("lock file %s is a symbolic link: refused (remove it)", path)
	}
	if err != nil {
		return nil, fmt.Errorf("open lock file: %w", err)
	}
	how := unix.LOCK_SH
	if exclusive {
		how = unix.LOCK_EX
	}
	fd := int(f.Fd())
	wait := firstLockWait
	for {
		err := unix.Flock(fd, how|unix.LOCK_NB)
		if err == nil {
			return func() {
				unix.Flock(fd, unix.LOCK_UN)
				f.Close()
			}, nil
		}
		if !errors.Is(err, unix.EWOULDBLOCK) && !errors.Is(err, unix.EINTR) {
			f.Close()
			return nil, fmt.Errorf("lock %s: %w", path, err)
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			f.Close()
			return nil, fmt.Errorf("wait for lock %s: %w", path, ctx.Err())
		case <-t.C:
		}
		wait = min(2*wait, maxLockWait)
	}
}
