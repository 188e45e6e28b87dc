package credhelper

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/regmint/regmint/core/config"
)

// EnvConfig names the targets document the helper reads, overriding the
// default path.
const EnvConfig = "REGMINT_HELPER_CONFIG"

// ConfigPath returns where the targets document is read from:
// $REGMINT_HELPER_CONFIG, else $XDG_CONFIG_HOME/regmint/helper.yaml, else
// ~/.config/regmint/helper.yaml.
func ConfigPath(getenv func(string) string) (string, error) {
	if p := getenv(EnvConfig); p != "" {
		return p, nil
	}
	base := getenv("XDG_CONFIG_HOME")
	if base == "" {
		home, err := home(getenv)
		if err != nil {
			return "", fmt.Errorf("no config: set %s or XDG_CONFIG_HOME: %w", EnvConfig, err)
		}
		base = filepath.Join(home, ".config")
	}
	return filepath.Join(base, "regmint", "helper.yaml"), nil
}

// CacheDir returns the cache directory: $XDG_CACHE_HOME/regmint, else
// ~/.cache/regmint.
func CacheDir(getenv func(string) string) (string, error) {
	base := getenv("XDG_CACHE_HOME")
	if base == "" {
		home, err := home(getenv)
		if err != nil {
			return "", fmt.Errorf("no cache directory: set XDG_CACHE_HOME: %w", err)
		}
		base = filepath.Join(home, ".cache")
	}
	return filepath.Join(base, "regmint"), nil
}

func home(getenv func(string) string) (string, error) {
	for _, v := range []string{"HOME", "USERPROFILE"} {
		if h := getenv(v); h != "" {
			return h, nil
		}
	}
	return "", errors.New("HOME is not set")
}

// maxConfigFile bounds the targets document read (config.ParseTargets
// refuses more anyway).
const maxConfigFile = 2 << 20

// LoadConfig reads and parses the targets document at path. Errors name
// the file and every problem, each naming its target and field.
func LoadConfig(path string) (*config.Config, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read config: %w", err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxConfigFile+1))
	if err != nil {
		return nil, fmt.Errorf("read config %s: %w", path, err)
	}
	cfg, err := config.ParseTargets(b)
	if err != nil {
		return nil, fmt.Errorf("config %s: %w", path, err)
	}
	return cfg, nil
}
