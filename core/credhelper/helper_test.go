package credhelper_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/regmint/regmint/core"
	"github.com/regmint/regmint/core/config"
	"github.com/regmint/regmint/core/credhelper"
	"github.com/regmint/regmint/core/tcr"
	"github.com/regmint/regmint/core/tcr/tcrtest"
	"github.com/regmint/regmint/internal/testutil"
)

// world is a TCR emulator with one key and one instance.
type world struct {
	srv  *tcrtest.Server
	key  tcrtest.Key
	inst tcrtest.Instance
	env  map[string]string
}

func newWorld(t testing.TB) *world {
	t.Helper()
	srv := tcrtest.New()
	t.Cleanup(srv.Close)
	w := &world{srv: srv, key: srv.AddKey(), inst: srv.AddInstance("ap-guangzhou")}
	w.env = map[string]string{tcr.EnvSecretID: w.key.ID, tcr.EnvSecretKey: w.key.Secret}
	return w
}

// doc is a targets document with one TCR target; registry "" is found
// from the instance.
func (w *world) doc(registry string, extra ...string) string {
	s := fmt.Sprintf("targets:\n- name: app\n  provider: tcr\n  region: ap-guangzhou\n  instance-id: %s\n  api-endpoint: %s\n", w.inst.ID, w.srv.URL)
	if registry != "" {
		s += "  registry: " + registry + "\n"
	}
	for _, e := range extra {
		s += "  " + e + "\n"
	}
	return s
}

func (w *world) getenv(k string) string { return w.env[k] }

// helper builds a Helper over doc with its cache in dir.
func (w *world) helper(t testing.TB, doc, dir string, now func() time.Time) *credhelper.Helper {
	t.Helper()
	cfg, err := config.ParseTargets([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	return &credhelper.Helper{
		Config: cfg,
		Env: core.Env{Getenv: w.getenv, Now: now, Transport: w.srv.Transport(),
			Backoff: core.Backoff{Base: time.Millisecond, Max: 5 * time.Millisecond, Attempts: 4}},
		Cache: &credhelper.Cache{Dir: dir},
		Warn:  func(msg string) { t.Log("warning: " + msg) },
	}
}

func TestGetServesFromCacheUntilTheMargin(t *testing.T) {
	w := newWorld(t)
	dir := filepath.Join(t.TempDir(), "regmint")
	clk := testutil.NewClock(time.Now())
	h := w.helper(t, w.doc(""), dir, clk.Now)
	ctx := context.Background()

	first, err := h.Get(ctx, "https://"+w.inst.Registry+"/v2/")
	if err != nil {
		t.Fatal(err)
	}
	if !first.Minted || first.Credential.Registry != w.inst.Registry {
		t.Fatalf("first get: minted %v registry %s", first.Minted, first.Credential.Registry)
	}
	if accepted, _ := w.srv.RegistryServer(w.inst.ID).Logins(); accepted != 1 {
		t.Errorf("the credential was checked against its registry %d times before serving; want 1", accepted)
	}
	mints, describes := w.srv.Calls("CreateInstanceToken"), w.srv.Calls("DescribeInstances")

	// Within the lifetime, a new process (a new Helper) makes no API call.
	clk.Advance(20 * time.Minute)
	again, err := w.helper(t, w.doc(""), dir, clk.Now).Get(ctx, w.inst.Registry)
	if err != nil {
		t.Fatal(err)
	}
	if again.Minted || again.Credential.Password != first.Credential.Password {
		t.Fatal("second get within the lifetime did not serve the cached credential")
	}
	if n := w.srv.Calls(""); n != mints+describes {
		t.Fatalf("second get made %d API calls", n-mints-describes)
	}
	if got := again.CacheFor(clk.Now()); got <= 9*time.Minute || got > 10*time.Minute+5*time.Second {
		t.Errorf("CacheFor = %v; want the 1 h lifetime minus 20 min minus the 30 min margin", got)
	}

	// Past the refresh margin (30 min before the 1 h expiry), it mints.
	clk.Advance(11 * time.Minute)
	third, err := h.Get(ctx, w.inst.Registry)
	if err != nil {
		t.Fatal(err)
	}
	if !third.Minted || third.Credential.Password == first.Credential.Password {
		t.Fatal("get past the refresh margin did not mint")
	}
	if got := w.srv.Calls("CreateInstanceToken"); got != mints+1 {
		t.Errorf("CreateInstanceToken calls = %d; want %d", got, mints+1)
	}
	if got := w.srv.Calls("DescribeInstances"); got != describes {
		t.Errorf("the registry host was asked again (%d DescribeInstances calls; want %d): it is cached", got, describes)
	}
}

func TestParallelGetsMintOnce(t *testing.T) {
	w := newWorld(t)
	dir := filepath.Join(t.TempDir(), "regmint")
	const n = 10
	var wg sync.WaitGroup
	var failed atomic.Int32
	passwords := make([]string, n)
	for i := range n {
		// A Helper each, as ten processes would be.
		h := w.helper(t, w.doc(""), dir, time.Now)
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, err := h.Get(context.Background(), w.inst.Registry)
			if err != nil {
				t.Error(err)
				failed.Add(1)
				return
			}
			passwords[i] = r.Credential.Password
		}()
	}
	wg.Wait()
	if failed.Load() > 0 {
		t.FailNow()
	}
	if got := w.srv.Calls("CreateInstanceToken"); got != 1 {
		t.Errorf("%d parallel gets minted %d times; want once", n, got)
	}
	if got := w.srv.Calls("DescribeInstances"); got != 1 {
		t.Errorf("%d parallel gets asked for the registry host %d times; want once", n, got)
	}
	for i, p := range passwords {
		if p != passwords[0] {
			t.Fatalf("get %d served another credential", i)
		}
	}
}

func TestUnknownHostMakesNoCall(t *testing.T) {
	w := newWorld(t)
	dir := filepath.Join(t.TempDir(), "regmint")
	h := w.helper(t, w.doc(w.inst.Registry), dir, time.Now)
	for _, host := range []string{"index.docker.io", "https://ghcr.io/v2/", "", "not a host", "ghcr.io:99999"} {
		if _, err := h.Get(context.Background(), host); !errors.Is(err, credhelper.ErrUnknownHost) {
			t.Errorf("Get(%q) = %v; want ErrUnknownHost", host, err)
		}
	}
	if n := w.srv.Calls(""); n != 0 {
		t.Errorf("unknown hosts made %d API calls", n)
	}
	// Discovered once, an unknown host costs nothing more.
	h = w.helper(t, w.doc(""), dir, time.Now)
	if _, err := h.Get(context.Background(), "ghcr.io"); !errors.Is(err, credhelper.ErrUnknownHost) {
		t.Fatalf("Get(ghcr.io) = %v; want ErrUnknownHost", err)
	}
	if _, err := h.Get(context.Background(), "quay.io"); !errors.Is(err, credhelper.ErrUnknownHost) {
		t.Fatalf("Get(quay.io) = %v; want ErrUnknownHost", err)
	}
	if got := w.srv.Calls("DescribeInstances"); got != 1 {
		t.Errorf("DescribeInstances calls = %d; want 1 (the host is remembered)", got)
	}
	if got := w.srv.Calls("CreateInstanceToken"); got != 0 {
		t.Errorf("unknown hosts minted %d tokens", got)
	}
}

func TestRefusedCredentialIsNotCached(t *testing.T) {
	w := newWorld(t)
	other := w.srv.AddInstance("ap-guangzhou")
	dir := filepath.Join(t.TempDir(), "regmint")
	// The target names the registry of another instance: its tokens are
	// refused there.
	h := w.helper(t, w.doc(other.Registry), dir, time.Now)
	_, err := h.Get(context.Background(), other.Registry)
	if err == nil || !strings.Contains(err.Error(), "refused the credential") {
		t.Fatalf("Get = %v; want the registry's refusal", err)
	}
	entries, _ := filepath.Glob(filepath.Join(dir, "cred-*"))
	if len(entries) != 0 {
		t.Errorf("a refused credential was cached: %v", entries)
	}
}

// cacheFile returns the one credential file in dir.
func cacheFile(t *testing.T, dir string) string {
	t.Helper()
	m, _ := filepath.Glob(filepath.Join(dir, "cred-*.json"))
	if len(m) != 1 {
		t.Fatalf("cache files: %v; want one", m)
	}
	return m[0]
}

func TestCacheFilesArePrivate(t *testing.T) {
	w := newWorld(t)
	dir := filepath.Join(t.TempDir(), "regmint")
	if _, err := w.helper(t, w.doc(""), dir, time.Now).Get(context.Background(), w.inst.Registry); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(dir)
	if err != nil || fi.Mode().Perm() != 0o700 {
		t.Fatalf("cache directory mode %v (%v); want 0700", fi.Mode().Perm(), err)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*"))
	for _, f := range files {
		fi, err := os.Stat(f)
		if err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("%s has mode %v; want 0600", filepath.Base(f), fi.Mode().Perm())
		}
	}
}

// TestUntrustedCacheIsReplaced: a cache file that is corrupt, readable by
// others, a symbolic link or another user's is not served: the helper
// mints and replaces it.
func TestUntrustedCacheIsReplaced(t *testing.T) {
	for _, tc := range []struct {
		name   string
		spoil  func(t *testing.T, path string)
		asRoot bool
	}{
		{"corrupt", func(t *testing.T, path string) { os.WriteFile(path, []byte(`{"version":1,"host":`), 0o600) }, false},
		{"unknown key", func(t *testing.T, path string) {
			b, _ := os.ReadFile(path)
			os.WriteFile(path, []byte(strings.Replace(string(b), `{`, `{"extra":1,`, 1)), 0o600)
		}, false},
		{"group readable", func(t *testing.T, path string) { os.Chmod(path, 0o640) }, false},
		{"world readable", func(t *testing.T, path string) { os.Chmod(path, 0o604) }, false},
		{"symbolic link", func(t *testing.T, path string) {
			target := path + ".elsewhere"
			os.Rename(path, target)
			os.Symlink(target, path)
		}, false},
		{"foreign owner", func(t *testing.T, path string) {
			if err := os.Chown(path, 4242, 4242); err != nil {
				t.Fatal(err)
			}
		}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.asRoot && os.Getuid() != 0 {
				t.Skip("changing a file's owner needs root")
			}
			w := newWorld(t)
			dir := filepath.Join(t.TempDir(), "regmint")
			var warnings []string
			h := w.helper(t, w.doc(w.inst.Registry), dir, time.Now)
			h.Cache.Warn = func(m string) { warnings = append(warnings, m) }
			first, err := h.Get(context.Background(), w.inst.Registry)
			if err != nil {
				t.Fatal(err)
			}
			path := cacheFile(t, dir)
			tc.spoil(t, path)
			again, err := h.Get(context.Background(), w.inst.Registry)
			if err != nil {
				t.Fatal(err)
			}
			if !again.Minted || again.Credential.Password == first.Credential.Password {
				t.Fatal("the spoiled cache entry was served")
			}
			if len(warnings) == 0 {
				t.Error("no warning about the ignored cache file")
			}
			fi, err := os.Lstat(path)
			if err != nil || !fi.Mode().IsRegular() || fi.Mode().Perm() != 0o600 {
				t.Fatalf("the entry was not replaced by a private regular file: %v %v", fi.Mode(), err)
			}
			third, err := h.Get(context.Background(), w.inst.Registry)
			if err != nil || third.Minted {
				t.Fatalf("the replaced entry is not served: minted %v, %v", third.Minted, err)
			}
		})
	}
}

func TestEraseDropsTheEntry(t *testing.T) {
	w := newWorld(t)
	dir := filepath.Join(t.TempDir(), "regmint")
	h := w.helper(t, w.doc(""), dir, time.Now)
	if _, err := h.Get(context.Background(), w.inst.Registry); err != nil {
		t.Fatal(err)
	}
	if got := h.List(); len(got) != 1 || got[w.inst.Registry] != w.srv.UIN {
		t.Errorf("List = %v; want the discovered host with its user", got)
	}
	if err := h.Erase(w.inst.Registry); err != nil {
		t.Fatal(err)
	}
	r, err := h.Get(context.Background(), w.inst.Registry)
	if err != nil || !r.Minted {
		t.Fatalf("get after erase: minted %v, %v; want a new credential", r.Minted, err)
	}
}

func TestVendorErrorIsReported(t *testing.T) {
	w := newWorld(t)
	w.srv.RemoveKey(w.key.ID)
	h := w.helper(t, w.doc(w.inst.Registry), filepath.Join(t.TempDir(), "regmint"), time.Now)
	_, err := h.Get(context.Background(), w.inst.Registry)
	if err == nil || !strings.Contains(err.Error(), "AuthFailure") {
		t.Fatalf("Get = %v; want the vendor's AuthFailure", err)
	}
	if strings.Contains(err.Error(), w.key.Secret) {
		t.Fatal("the error holds the secret key")
	}
}
