//go:build !unix

package file

import "os"

// fileOwner is not known off unix.
func fileOwner(os.FileInfo) (uid, gid int, ok bool) { return 0, 0, false }

// noFollow is not available off unix.
const noFollow = 0
