package file_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	dockerconfig "github.com/docker/cli/cli/config"

	"github.com/regmint/regmint/core"
	"github.com/regmint/regmint/core/store/file"
	"github.com/regmint/regmint/core/store/storetest"
	"github.com/regmint/regmint/internal/leaktest"
)

// newStore returns a store for <tmp>/docker/config.json (the directory does
// not exist yet).
func newStore(t *testing.T) *file.Store {
	t.Helper()
	s, err := file.New(filepath.Join(t.TempDir(), "docker", "config.json"))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func writeFile(t *testing.T, path, content string, mode os.FileMode) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, mode); err != nil {
		t.Fatal(err)
	}
}

func readJSON(t *testing.T, path string) map[string]json.RawMessage {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("%s is not JSON: %v", path, err)
	}
	return m
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) core.Store { return newStore(t) })
}

// TestMergeKeepsOthers: every other registry, the credential helpers and
// keys regmint does not know survive a Put byte for byte (as JSON values).
func TestMergeKeepsOthers(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	const existing = `{
		"auths": {
			"other.example.com": {"auth": "b3RoZXI6b3RoZXItcGFzc3dvcmQ="},
			"mine.example.com": {"auth": "b2xkOm9sZC1wYXNzd29yZA=="}
		},
		"credHelpers": {"123456789012.dkr.ecr.us-east-1.amazonaws.com": "ecr-login"},
		"HttpHeaders": {"User-Agent": "custom"},
		"psFormat": "table {{.ID}}",
		"x-unknown": {"nested": [1, 2, {"k": null}]}
	}`
	writeFile(t, s.Path(), existing, 0o600)
	r := storetest.Record("mine.example.com", "pw-merge-keeps-0001")
	if err := s.Put(context.Background(), "mine", r); err != nil {
		t.Fatal(err)
	}
	var before map[string]json.RawMessage
	if err := json.Unmarshal([]byte(existing), &before); err != nil {
		t.Fatal(err)
	}
	after := readJSON(t, s.Path())
	for _, k := range []string{"credHelpers", "HttpHeaders", "psFormat", "x-unknown"} {
		if !sameJSON(before[k], after[k]) {
			t.Errorf("%q changed: %s -> %s", k, before[k], after[k])
		}
	}
	var auths map[string]core.AuthEntry
	if err := json.Unmarshal(after["auths"], &auths); err != nil {
		t.Fatal(err)
	}
	if got := auths["other.example.com"].Auth; got != "b3RoZXI6b3RoZXItcGFzc3dvcmQ=" {
		t.Errorf("other registry's auth changed to %q", got)
	}
	if got, want := auths["mine.example.com"], r.Credential.DockerAuthEntry(); got != want {
		t.Error("the login written differs from the credential's docker auth entry")
	}
	if len(auths) != 2 {
		t.Errorf("auths has %d entries, want 2", len(auths))
	}
}

func TestModes(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	if err := s.Put(context.Background(), "m", storetest.Record("modes.example.com", "pw-modes-00000001")); err != nil {
		t.Fatal(err)
	}
	want := map[string]os.FileMode{
		filepath.Dir(s.Path()):     0o700 | os.ModeDir,
		s.Path():                   0o600,
		s.MetadataPath():           0o600,
		s.Path() + file.LockSuffix: 0o600,
	}
	for path, mode := range want {
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if got := fi.Mode() & (os.ModePerm | os.ModeDir); got != mode {
			t.Errorf("%s: mode %v, want %v", filepath.Base(path), got, mode)
		}
	}

	// An existing world-readable config is tightened on the next write.
	s2 := newStore(t)
	writeFile(t, s2.Path(), `{"auths":{}}`, 0o644)
	if err := s2.Put(context.Background(), "m", storetest.Record("modes.example.com", "pw-modes-00000002")); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(s2.Path()); fi.Mode().Perm() != 0o600 {
		t.Errorf("existing 0644 config is %v after Put, want 0600", fi.Mode().Perm())
	}
}

// TestAtomicWrite makes the last step of a write fail: the file keeps its
// old content and no temporary file stays behind.
func TestAtomicWrite(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tests := []struct {
		name     string
		failOn   int // which rename fails: 1 the config, 2 the sidecar
		wantUser string
	}{
		{"config write fails", 1, "old-user"},
		{"sidecar write fails", 2, "user-atomic.example.com"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := newStore(t)
			first := storetest.Record("atomic.example.com", "pw-atomic-first-0001")
			first.Credential.Username = "old-user"
			if err := s.Put(ctx, "a", first); err != nil {
				t.Fatal(err)
			}
			configBefore, _ := os.ReadFile(s.Path())
			metaBefore, _ := os.ReadFile(s.MetadataPath())
			n := 0
			file.SetBeforeRename(s, func(string) error {
				if n++; n == tt.failOn {
					return errors.New("injected: disk full")
				}
				return nil
			})
			err := s.Put(ctx, "a", storetest.Record("atomic.example.com", "pw-atomic-second-002"))
			if err == nil || !strings.Contains(err.Error(), "disk full") {
				t.Fatalf("Put error = %v, want the injected failure", err)
			}
			configAfter, _ := os.ReadFile(s.Path())
			metaAfter, _ := os.ReadFile(s.MetadataPath())
			if (string(configAfter) == string(configBefore)) != (tt.failOn == 1) {
				t.Errorf("config changed = %v, want %v", string(configAfter) != string(configBefore), tt.failOn != 1)
			}
			if string(metaAfter) != string(metaBefore) {
				t.Error("sidecar changed although its write (or the config's) failed")
			}
			entries, _ := os.ReadDir(filepath.Dir(s.Path()))
			for _, e := range entries {
				if strings.Contains(e.Name(), ".tmp-") {
					t.Errorf("temporary file %s left behind", e.Name())
				}
			}
			// Get still describes a login the config holds or says none:
			// never newer metadata than the config.
			got, err := s.Get(ctx, "a")
			switch {
			case tt.failOn == 1 && err != nil:
				t.Errorf("Get after a failed config write: %v", err)
			case tt.failOn == 1 && got.Username != tt.wantUser:
				t.Errorf("Get user = %q, want %q", got.Username, tt.wantUser)
			case tt.failOn == 2 && !errors.Is(err, core.ErrNotFound):
				t.Errorf("Get after a failed sidecar write = %v, %v; want not found (the config's login is another user's)", got, err)
			}
		})
	}
}

// TestMalformedUntouched: a config (or sidecar) that cannot be read is an
// error, stays byte for byte as it was, and is not quoted in the error.
func TestMalformedUntouched(t *testing.T) {
	t.Parallel()
	const secret = "c2VjcmV0LXVzZXI6c2VjcmV0LXBhc3N3b3Jk"
	tests := []struct {
		name, config, meta string
	}{
		{"not JSON", `{"auths": {"x": {"auth": "` + secret + `"}`, ""},
		{"trailing garbage", `{"auths": {"x": {"auth": "` + secret + `"}}} garbage`, ""},
		{"auths not an object", `{"auths": "` + secret + `"}`, ""},
		{"entry not an object", `{"auths": {"x": "` + secret + `"}}`, ""},
		{"an array", `["` + secret + `"]`, ""},
		{"sidecar not JSON", `{"auths": {"x": {"auth": "` + secret + `"}}}`, `{"version": 1, "refs": `},
		{"sidecar from the future", `{"auths": {"x": {"auth": "` + secret + `"}}}`, `{"version": 7, "refs": {}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := newStore(t)
			writeFile(t, s.Path(), tt.config, 0o600)
			if tt.meta != "" {
				writeFile(t, s.MetadataPath(), tt.meta, 0o600)
			}
			err := s.Put(context.Background(), "m", storetest.Record("m.example.com", "pw-malformed-000001"))
			if err == nil {
				t.Fatal("Put succeeded over a malformed file")
			}
			leaktest.Check(t, "error", err.Error(), secret, "secret-password")
			if got, _ := os.ReadFile(s.Path()); string(got) != tt.config {
				t.Error("the malformed config was changed")
			}
			if tt.meta != "" {
				if got, _ := os.ReadFile(s.MetadataPath()); string(got) != tt.meta {
					t.Error("the malformed sidecar was changed")
				}
			}
		})
	}
}

// TestShadowedLogin: docker reads logins from a credential helper when the
// config names one, so writing to "auths" would do nothing; Put says so.
func TestShadowedLogin(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, config, wantErr string
	}{
		{"credsStore", `{"auths": {}, "credsStore": "desktop"}`, "docker-credential-desktop"},
		{"credHelpers for the registry", `{"credHelpers": {"sh.example.com": "pass"}}`, "docker-credential-pass"},
		{"credHelpers for another registry", `{"credHelpers": {"other.example.com": "pass"}}`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := newStore(t)
			writeFile(t, s.Path(), tt.config, 0o600)
			err := s.Put(context.Background(), "sh", storetest.Record("sh.example.com", "pw-shadowed-000001"))
			if tt.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("Put error = %v, want one naming %s", err, tt.wantErr)
			}
			if got, _ := os.ReadFile(s.Path()); string(got) != tt.config {
				t.Error("config changed")
			}
		})
	}
}

func TestGetChecksTheConfig(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	const stored = "pw-get-checks-00001"
	tests := []struct {
		name    string
		edit    func(auths map[string]any)
		wantErr string // "" for found
		// wantPassword is what ReadRecord reads.
		wantPassword string
	}{
		{"unchanged", func(map[string]any) {}, "", stored},
		{"logged out", func(a map[string]any) { delete(a, "get.example.com") }, "no login for get.example.com", ""},
		{"another user logged in", func(a map[string]any) {
			a["get.example.com"] = map[string]string{"auth": core.DockerAuth("someone-else", "x")}
		}, "another user's", ""},
		{"same user, username field only", func(a map[string]any) {
			a["get.example.com"] = map[string]string{"username": "user-get.example.com", "password": "p"}
		}, "", "p"},
		{"same user, password changed by hand", func(a map[string]any) {
			a["get.example.com"] = map[string]string{"auth": core.DockerAuth("user-get.example.com", "changed-by-hand")}
		}, "", "changed-by-hand"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := newStore(t)
			r := storetest.Record("get.example.com", stored)
			if err := s.Put(ctx, "g", r); err != nil {
				t.Fatal(err)
			}
			var cfg map[string]any
			b, _ := os.ReadFile(s.Path())
			_ = json.Unmarshal(b, &cfg)
			tt.edit(cfg["auths"].(map[string]any))
			b, _ = json.Marshal(cfg)
			writeFile(t, s.Path(), string(b), 0o600)
			got, err := s.Get(ctx, "g")
			rec, rerr := s.ReadRecord(ctx, "g")
			if tt.wantErr == "" {
				if err != nil || rerr != nil {
					t.Fatal(err, rerr)
				}
				if err := storetest.SameStored(got, r.Stored()); err != nil {
					t.Error(err)
				}
				if err := storetest.SameStored(rec.Stored(), r.Stored()); err != nil {
					t.Errorf("ReadRecord: %v", err)
				}
				if rec.Credential.Password != tt.wantPassword {
					t.Error("ReadRecord read another password than the docker config's")
				}
				return
			}
			for op, err := range map[string]error{"Get": err, "ReadRecord": rerr} {
				if !errors.Is(err, core.ErrNotFound) || !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("%s error = %v, want not found: %s", op, err, tt.wantErr)
				}
			}
		})
	}
}

// TestOneLoginPerRegistry: two refs for one registry overwrite each other's
// login; the one overwritten reads as not found.
func TestOneLoginPerRegistry(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newStore(t)
	if err := s.Put(ctx, "first", storetest.Record("same.example.com", "pw-same-reg-first-01")); err != nil {
		t.Fatal(err)
	}
	second := storetest.Record("same.example.com", "pw-same-reg-second-2")
	if err := s.Put(ctx, "second", second); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get(ctx, "first"); !errors.Is(err, core.ErrNotFound) {
		t.Errorf("Get(first) error = %v, want not found", err)
	}
	if got, err := s.Get(ctx, "second"); err != nil || storetest.SameStored(got, second.Stored()) != nil {
		t.Errorf("Get(second) = %v, %v", got, err)
	}
}

func TestUnchangedNotRewritten(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newStore(t)
	r := storetest.Record("same.example.com", "pw-unchanged-00001")
	if err := s.Put(ctx, "u", r); err != nil {
		t.Fatal(err)
	}
	before, _ := os.Stat(s.Path())
	metaBefore, _ := os.Stat(s.MetadataPath())
	if err := s.Put(ctx, "u", r); err != nil {
		t.Fatal(err)
	}
	after, _ := os.Stat(s.Path())
	metaAfter, _ := os.Stat(s.MetadataPath())
	if !os.SameFile(before, after) || !os.SameFile(metaBefore, metaAfter) {
		t.Error("an unchanged Put replaced the files")
	}
}

func TestSymlinkedConfig(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	real := filepath.Join(dir, "dotfiles", "docker.json")
	writeFile(t, real, `{"auths": {}}`, 0o600)
	link := filepath.Join(dir, "docker", "config.json")
	if err := os.MkdirAll(filepath.Dir(link), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(real, link); err != nil {
		t.Fatal(err)
	}
	s, _ := file.New(link)
	if err := s.Put(context.Background(), "l", storetest.Record("link.example.com", "pw-symlink-00001")); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Fatal("the symbolic link was replaced by a file")
	}
	if _, ok := readJSON(t, real)["auths"]; !ok || !strings.Contains(mustRead(t, real), "link.example.com") {
		t.Error("the link's target does not hold the login")
	}
}

func TestDockerReadsIt(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newStore(t)
	recs := []core.Record{
		storetest.Record("one.example.com", "pw-docker-reads-0001"),
		storetest.Record("two.example.com:5000", "pw-docker-reads-0002"),
	}
	for i, r := range recs {
		if err := s.Put(ctx, string(rune('a'+i)), r); err != nil {
			t.Fatal(err)
		}
	}
	cf, err := dockerconfig.Load(filepath.Dir(s.Path()))
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		ac, err := cf.GetAuthConfig(r.Credential.Registry)
		if err != nil || ac.Username != r.Credential.Username || ac.Password != r.Credential.Password {
			t.Errorf("docker reads %s as user %q (password matches: %v), %v", r.Credential.Registry, ac.Username, ac.Password == r.Credential.Password, err)
		}
	}
	leaktest.Check(t, "sidecar", mustRead(t, s.MetadataPath()), append(recs[0].Credential.Secrets(), recs[1].Credential.Secrets()...)...)
}

func TestBadInput(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newStore(t)
	noPassword := storetest.Record("bad.example.com", "pw-bad-input-00001")
	noPassword.Credential.Password = ""
	tests := []struct {
		name    string
		err     error
		wantMsg string
	}{
		{"empty ref put", s.Put(ctx, "", storetest.Record("bad.example.com", "pw-bad-input-00001")), "ref is empty"},
		{"empty ref get", func() error { _, err := s.Get(ctx, ""); return err }(), "ref is empty"},
		{"no password", s.Put(ctx, "x", noPassword), "has no password"},
		{"no path", func() error { _, err := file.New(""); return err }(), "no docker config path"},
	}
	for _, tt := range tests {
		if tt.err == nil || !strings.Contains(tt.err.Error(), tt.wantMsg) {
			t.Errorf("%s: error %v, want one saying %q", tt.name, tt.err, tt.wantMsg)
		}
	}
	if _, err := os.Stat(s.Path()); !errors.Is(err, os.ErrNotExist) {
		t.Error("bad input wrote a config")
	}
}

func TestDefaultPath(t *testing.T) {
	t.Parallel()
	tests := []struct {
		env     map[string]string
		want    string
		wantErr bool
	}{
		{map[string]string{"DOCKER_CONFIG": "/etc/regmint/docker", "HOME": "/home/u"}, "/etc/regmint/docker/config.json", false},
		{map[string]string{"HOME": "/home/u"}, "/home/u/.docker/config.json", false},
		{nil, "", true},
	}
	for _, tt := range tests {
		got, err := file.DefaultPath(func(k string) string { return tt.env[k] })
		if got != tt.want || (err != nil) != tt.wantErr {
			t.Errorf("DefaultPath(%v) = %q, %v; want %q", tt.env, got, err, tt.want)
		}
	}
}

func sameJSON(a, b json.RawMessage) bool {
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return false
	}
	xb, _ := json.Marshal(x)
	yb, _ := json.Marshal(y)
	return string(xb) == string(yb)
}

func mustRead(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
