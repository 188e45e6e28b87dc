package file

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"

	"github.com/regmint/regmint/core"
	"github.com/regmint/regmint/core/store/storemeta"
)

// Suffixes of the files kept beside the docker config.
const (
	MetaSuffix = ".regmint.json"
	LockSuffix = ".regmint.lock"
)

// Store keeps credentials in one docker config.json. It is safe for
// concurrent use, also by several processes on one machine.
type Store struct {
	path     string
	metaPath string
	lockPath string

	// beforeRename is a test hook run before each file is renamed into
	// place.
	beforeRename func(tmp string) error
}

var (
	_ core.Store        = (*Store)(nil)
	_ core.RecordReader = (*Store)(nil)
)

// New returns a Store for the docker config at path (e.g.
// ~/.docker/config.json, or DefaultPath). Neither the file nor its
// directory need exist yet.
func New(path string) (*Store, error) {
	if path == "" {
		return nil, errors.New("file store: no docker config path")
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("file store: %w", err)
	}
	return &Store{path: abs, metaPath: abs + MetaSuffix, lockPath: abs + LockSuffix}, nil
}

// DefaultPath returns the docker config docker itself uses:
// $DOCKER_CONFIG/config.json, else $HOME/.docker/config.json, read with
// getenv (os.Getenv if nil).
func DefaultPath(getenv func(string) string) (string, error) {
	if getenv == nil {
		getenv = os.Getenv
	}
	if d := getenv("DOCKER_CONFIG"); d != "" {
		return filepath.Join(d, "config.json"), nil
	}
	if h := getenv("HOME"); h != "" {
		return filepath.Join(h, ".docker", "config.json"), nil
	}
	return "", errors.New("docker config path: neither DOCKER_CONFIG nor HOME is set")
}

// Path returns the docker config's path.
func (s *Store) Path() string { return s.path }

// MetadataPath returns the sidecar's path.
func (s *Store) MetadataPath() string { return s.metaPath }

// Get returns the metadata recorded for ref, or an error wrapping
// core.ErrNotFound if there is none or the docker config no longer holds
// the login it describes.
func (s *Store) Get(ctx context.Context, ref string) (core.Stored, error) {
	st, _, err := s.read(ctx, ref)
	return st, err
}

// ReadRecord returns what Get returns with the login's password, read from
// the docker config under the lock; its errors are Get's and never quote
// the password. The rotation engine reads through it to check the stored
// login against its registry.
func (s *Store) ReadRecord(ctx context.Context, ref string) (core.Record, error) {
	st, a, err := s.read(ctx, ref)
	if err != nil {
		return core.Record{}, err
	}
	return core.Record{
		Credential: core.Credential{
			Registry:  st.Registry,
			Username:  st.Username,
			Password:  a.password(),
			ExpiresAt: st.ExpiresAt,
			TokenID:   st.TokenID,
		},
		IssuedAt:        st.IssuedAt,
		Fingerprint:     st.Fingerprint,
		PreviousTokenID: st.PreviousTokenID,
	}, nil
}

// read returns ref's metadata and the docker config's login it describes.
func (s *Store) read(ctx context.Context, ref string) (core.Stored, authEntry, error) {
	if ref == "" {
		return core.Stored{}, authEntry{}, errors.New("file store get: ref is empty")
	}
	if _, err := os.Stat(filepath.Dir(s.path)); errors.Is(err, fs.ErrNotExist) {
		return core.Stored{}, authEntry{}, fmt.Errorf("file store get %q: %w: directory %s does not exist", ref, core.ErrNotFound, filepath.Dir(s.path))
	}
	unlock, err := lockFile(ctx, s.lockPath, false)
	if err != nil {
		return core.Stored{}, authEntry{}, fmt.Errorf("file store get %q: %w", ref, err)
	}
	defer unlock()

	meta, err := readMeta(s.metaPath)
	if err != nil {
		return core.Stored{}, authEntry{}, fmt.Errorf("file store get %q: %w", ref, err)
	}
	m, ok := meta.Refs[ref]
	if !ok {
		return core.Stored{}, authEntry{}, fmt.Errorf("file store get %q: %w: no metadata in %s", ref, core.ErrNotFound, s.metaPath)
	}
	e, err := m.Stored("metadata of ref " + strconv.Quote(ref))
	if err != nil {
		return core.Stored{}, authEntry{}, fmt.Errorf("file store get %q: %s: %w", ref, s.metaPath, err)
	}
	b, err := readConfig(s.path)
	if err != nil {
		return core.Stored{}, authEntry{}, fmt.Errorf("file store get %q: %w", ref, err)
	}
	cfg, err := parseDockerConfig(b)
	if err != nil {
		return core.Stored{}, authEntry{}, fmt.Errorf("file store get %q: docker config %s is %w", ref, s.path, err)
	}
	a, ok := cfg.Auths[e.Registry]
	switch {
	case !ok:
		return core.Stored{}, authEntry{}, fmt.Errorf("file store get %q: %w: docker config %s has no login for %s (logged out?)", ref, core.ErrNotFound, s.path, e.Registry)
	case a.user() != e.Username:
		return core.Stored{}, authEntry{}, fmt.Errorf("file store get %q: %w: the login for %s in %s is another user's (changed by hand?)", ref, core.ErrNotFound, e.Registry, s.path)
	}
	return e, a, nil
}

// Put merges r's login into the docker config and records its metadata for
// ref, both written atomically under the lock. A malformed config, or one
// whose credential helpers would hide the login from docker, is an error
// and nothing is written.
func (s *Store) Put(ctx context.Context, ref string, r core.Record) error {
	if ref == "" {
		return errors.New("file store put: ref is empty")
	}
	if err := r.Credential.Check(); err != nil {
		return fmt.Errorf("file store put %q: %w", ref, err)
	}
	if err := os.MkdirAll(filepath.Dir(s.path), dirMode); err != nil {
		return fmt.Errorf("file store put %q: %w", ref, err)
	}
	unlock, err := lockFile(ctx, s.lockPath, true)
	if err != nil {
		return fmt.Errorf("file store put %q: %w", ref, err)
	}
	defer unlock()

	target, err := resolve(s.path)
	if err != nil {
		return fmt.Errorf("file store put %q: %w", ref, err)
	}
	old, err := readConfig(target)
	if err != nil {
		return fmt.Errorf("file store put %q: %w", ref, err)
	}
	cfg, err := parseDockerConfig(old)
	if err != nil {
		return fmt.Errorf("file store put %q: docker config %s is %w; left untouched", ref, s.path, err)
	}
	if why := cfg.shadowed(r.Credential.Registry); why != "" {
		return fmt.Errorf("file store put %q: docker would not use a login written to %s: %s; remove that entry or use a separate config (DOCKER_CONFIG=<dir>)", ref, s.path, why)
	}
	merged, err := core.MergeDockerConfig(old, r.Credential)
	if err != nil {
		return fmt.Errorf("file store put %q: docker config %s cannot be merged (%s); left untouched", ref, s.path, jsonProblem(err))
	}
	meta, err := readMeta(s.metaPath)
	if err != nil {
		return fmt.Errorf("file store put %q: %w", ref, err)
	}
	meta.set(ref, storemeta.OfRecord(r))
	metaBytes, err := meta.encode()
	if err != nil {
		return fmt.Errorf("file store put %q: %w", ref, err)
	}

	// The config first: if the sidecar write fails, the old metadata makes
	// the next run mint again instead of trusting a missing login.
	if err := s.replace(target, old, merged); err != nil {
		return fmt.Errorf("file store put %q: write %s: %w", ref, target, err)
	}
	oldMeta, _ := os.ReadFile(s.metaPath)
	if err := s.replace(s.metaPath, oldMeta, metaBytes); err != nil {
		return fmt.Errorf("file store put %q: write %s: %w", ref, s.metaPath, err)
	}
	return nil
}

// replace writes data to path atomically unless path already holds exactly
// data with mode 0600.
func (s *Store) replace(path string, old, data []byte) error {
	if fi, err := os.Stat(path); err == nil && fi.Mode().Perm() == fileMode && bytes.Equal(old, data) {
		return nil
	}
	return writeAtomic(path, data, s.beforeRename)
}

// readConfig reads a file; a missing one is empty.
func readConfig(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read docker config: %w", err)
	}
	return b, nil
}

// resolve follows path if it is a symbolic link (a config kept elsewhere
// and linked in), so that the rename replaces the target, not the link.
func resolve(path string) (string, error) {
	fi, err := os.Lstat(path)
	if err != nil || fi.Mode()&fs.ModeSymlink == 0 {
		return path, nil
	}
	t, err := filepath.EvalSymlinks(path)
	if err != nil {
		return "", fmt.Errorf("follow symbolic link %s: %w", path, err)
	}
	return t, nil
}
