//go:build !unix

package file

import (
	"context"
	"errors"
)

// lockFile is not available off unix: without a lock, concurrent Puts
// could lose an update, so the store refuses to work.
func lockFile(context.Context, string, bool) (func(), error) {
	return nil, errors.New("the docker config file store needs flock, available on unix systems only")
}
