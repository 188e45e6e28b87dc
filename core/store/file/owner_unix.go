//go:build unix

package file

import (
	"os"
	"syscall"
)

// fileOwner returns the owner of the file fi describes.
func fileOwner(fi os.FileInfo) (uid, gid int, ok bool) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return 0, 0, false
	}
	return int(st.Uid), int(st.Gid), true
}

// noFollow makes an open fail on a symbolic link.
const noFollow = syscall.O_NOFOLLOW
