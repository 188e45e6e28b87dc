package credhelper

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/regmint/regmint/core"
)

// Modes of what the cache writes: it holds registry passwords.
const (
	fileMode = 0o600
	dirMode  = 0o700
)

// maxCacheFile bounds a cache file read: an entry is a few hundred bytes.
const maxCacheFile = 64 << 10

// cacheVersion is the version of the cache file format.
const cacheVersion = 1

// Cache keeps minted credentials between runs of the helper: one file per
// registry host (0600, in a 0700 directory), replaced atomically, and a
// lock file beside each so that parallel runs mint once. A file that is
// not the current user's, is readable by others, or does not hold a
// well-formed entry is ignored (and replaced by the next write), never
// trusted.
type Cache struct {
	// Dir is the cache directory ($XDG_CACHE_HOME/regmint).
	Dir string
	// Warn receives one line about a cache file that was ignored (never a
	// secret); nil: dropped.
	Warn func(msg string)
}

// entry is a cache file's content.
type entry struct {
	Version     int       `json:"version"`
	Host        string    `json:"host"`
	Username    string    `json:"username"`
	Password    string    `json:"password"`
	ExpiresAt   time.Time `json:"expires_at,omitzero"`
	IssuedAt    time.Time `json:"issued_at"`
	Fingerprint string    `json:"fingerprint"`
}

// hostFile is a target's discovered registry host.
type hostFile struct {
	Version     int    `json:"version"`
	Fingerprint string `json:"fingerprint"`
	Host        string `json:"host"`
}

func (e entry) credential() core.Credential {
	return core.Credential{Registry: e.Host, Username: e.Username, Password: e.Password, ExpiresAt: e.ExpiresAt}
}

func (e entry) stored() *core.Stored {
	return &core.Stored{Registry: e.Host, Username: e.Username, ExpiresAt: e.ExpiresAt, IssuedAt: e.IssuedAt, Fingerprint: e.Fingerprint}
}

// key names the files of one host or target.
func key(prefix, s string) string {
	sum := sha256.Sum256([]byte(s))
	return prefix + hex.EncodeToString(sum[:16])
}

// ensureDir creates the cache directory (0700), or checks the one there:
// it must be a directory of the current user that others cannot enter.
func (c *Cache) ensureDir() error {
	if c == nil || c.Dir == "" {
		return errors.New("no cache directory")
	}
	if err := os.MkdirAll(c.Dir, dirMode); err != nil {
		return fmt.Errorf("create cache directory: %w", err)
	}
	fi, err := os.Lstat(c.Dir)
	if err != nil {
		return fmt.Errorf("cache directory: %w", err)
	}
	if !fi.IsDir() {
		return fmt.Errorf("cache directory %s is not a directory", c.Dir)
	}
	if err := ownedByMe(fi); err != nil {
		return fmt.Errorf("cache directory %s %w", c.Dir, err)
	}
	if private(fi) != nil {
		if err := os.Chmod(c.Dir, dirMode); err != nil {
			return fmt.Errorf("cache directory %s: %w", c.Dir, err)
		}
	}
	return nil
}

// get returns the cached entry of host, or false when there is none to
// trust.
func (c *Cache) get(host string) (entry, bool) {
	var e entry
	if !c.read(key("cred-", host)+".json", &e) {
		return entry{}, false
	}
	cred := e.credential()
	switch {
	case e.Version != cacheVersion, e.Host != host, e.Fingerprint == "", e.IssuedAt.IsZero():
		c.warn(host, "its entry is not well-formed")
		return entry{}, false
	case cred.Check() != nil:
		c.warn(host, "its credential is not usable")
		return entry{}, false
	}
	return e, true
}

// put writes host's entry.
func (c *Cache) put(e entry) error {
	e.Version = cacheVersion
	b, err := json.Marshal(e)
	if err != nil {
		return err
	}
	return writeAtomic(filepath.Join(c.Dir, key("cred-", e.Host)+".json"), b)
}

// drop removes host's entry.
func (c *Cache) drop(host string) error {
	err := os.Remove(filepath.Join(c.Dir, key("cred-", host)+".json"))
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	return err
}

// hostOf returns the registry host discovered earlier for the target with
// fingerprint fp.
func (c *Cache) hostOf(fp string) (string, bool) {
	var h hostFile
	if !c.read(key("host-", fp)+".json", &h) {
		return "", false
	}
	if h.Version != cacheVersion || h.Fingerprint != fp || core.CheckEndpoint("https://"+h.Host) != nil {
		return "", false
	}
	return h.Host, true
}

// setHost records the registry host of the target with fingerprint fp.
func (c *Cache) setHost(fp, host string) error {
	b, err := json.Marshal(hostFile{Version: cacheVersion, Fingerprint: fp, Host: host})
	if err != nil {
		return err
	}
	return writeAtomic(filepath.Join(c.Dir, key("host-", fp)+".json"), b)
}

// read decodes the cache file name into v, strictly; false when it is
// missing or not to be trusted (wrong owner, readable by others, not a
// regular file, too long, not the format).
func (c *Cache) read(name string, v any) bool {
	path := filepath.Join(c.Dir, name)
	f, err := openNoFollow(path)
	if err != nil {
		if !errors.Is(err, os.ErrNotExist) {
			c.warn(name, "it cannot be opened as a regular file")
		}
		return false
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil || !fi.Mode().IsRegular() {
		c.warn(name, "it is not a regular file")
		return false
	}
	if err := ownedByMe(fi); err != nil {
		c.warn(name, "it "+err.Error())
		return false
	}
	if err := private(fi); err != nil {
		c.warn(name, "it "+err.Error())
		return false
	}
	b, err := io.ReadAll(io.LimitReader(f, maxCacheFile+1))
	if err != nil || len(b) > maxCacheFile {
		c.warn(name, "it is too long or unreadable")
		return false
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil || dec.More() {
		c.warn(name, "it is not a cache entry")
		return false
	}
	return true
}

func (c *Cache) warn(what, why string) {
	if c.Warn != nil {
		c.Warn(fmt.Sprintf("ignoring the cache entry of %s in %s: %s; it will be replaced", what, c.Dir, why))
	}
}

// lock takes the exclusive lock of host's entry, waiting while another
// process holds it, until ctx ends.
func (c *Cache) lock(ctx context.Context, name string) (func(), error) {
	return lockFile(ctx, filepath.Join(c.Dir, key("lock-", name)))
}

// writeAtomic replaces path with data: a temporary file in the same
// directory, mode 0600, synced and renamed over path, so that readers see
// the old entry or the new one, never a part; a file there that was not
// trusted is replaced.
func writeAtomic(path string, data []byte) (err error) {
	f, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return fmt.Errorf("write cache: %w", err)
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	if err = f.Chmod(fileMode); err != nil {
		return fmt.Errorf("write cache: %w", err)
	}
	if _, err = f.Write(data); err != nil {
		return fmt.Errorf("write cache: %w", err)
	}
	if err = f.Sync(); err != nil {
		return fmt.Errorf("write cache: %w", err)
	}
	if err = f.Close(); err != nil {
		return fmt.Errorf("write cache: %w", err)
	}
	if err = os.Rename(tmp, path); err != nil {
		return fmt.Errorf("write cache: %w", err)
	}
	return nil
}
