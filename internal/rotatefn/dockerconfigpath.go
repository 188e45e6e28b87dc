package rotatefn

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// dockerConfigFile is the file docker reads in a config directory
// (docker --config DIR, $DOCKER_CONFIG).
const dockerConfigFile = "config.json"

// dockerConfigPath resolves -docker-config: a directory, as docker's own
// --config and DOCKER_CONFIG name it, stands for its config.json; anything
// else (an existing file, or a path not yet created) is the file itself.
// It is resolved before any target is minted, so that a path the store
// cannot write fails the run up front. An empty flag stays empty.
func dockerConfigPath(flagValue string) (string, error) {
	if flagValue == "" {
		return "", nil
	}
	fi, err := os.Stat(flagValue)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return flagValue, nil
	case err != nil:
		return "", fmt.Errorf("-docker-config: %w", err)
	case fi.IsDir():
		return filepath.Join(flagValue, dockerConfigFile), nil
	case !fi.Mode().IsRegular():
		return "", fmt.Errorf("-docker-config: %q is neither a regular file nor a directory; accepted: docker's config.json, or the directory holding it", flagValue)
	}
	return flagValue, nil
}
