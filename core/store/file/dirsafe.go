package file

import (
	"fmt"
	"os"
)

// checkDir refuses a directory that users other than its owner may write
// to: any of them could swap the docker config, its sidecar or its lock for
// a link to a file of their choosing, which a store run as root would
// then write.
func checkDir(dir string) error {
	fi, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("check directory: %w", err)
	}
	if perm := fi.Mode().Perm(); perm&0o022 != 0 {
		return fmt.Errorf("directory %s is group- or world-writable (mode %04o): another user could replace the docker config or its lock; remove that permission (chmod go-w) or use another directory", dir, perm)
	}
	return nil
}

// keptMode is the mode a file replacing one with fi keeps: the owner's
// bits of the old one (at least read and write), never any for group or
// others, since it holds a password now.
func keptMode(fi os.FileInfo) os.FileMode { return fi.Mode().Perm()&0o700 | fileMode }
