package secretsmanager_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	dockerconfig "github.com/docker/cli/cli/config"
	"github.com/google/go-containerregistry/pkg/authn"
	ggcrname "github.com/google/go-containerregistry/pkg/name"

	"github.com/regmint/regmint/core"
)

// storedConfigDir stores a record and writes the secret value, as External
// Secrets or a script would, to <dir>/config.json.
func storedConfigDir(t *testing.T, registry string) (string, core.Record) {
	t.Helper()
	e := newEnv(t)
	r := e.record(registry, "pw-docker-reads-it-01")
	if err := e.store.Put(context.Background(), "docker", r); err != nil {
		t.Fatal(e.text(err))
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "config.json"), []byte(e.current(t, name("docker")).Value), 0o600); err != nil {
		t.Fatal(err)
	}
	return dir, r
}

// TestValueReadByDockerCLI loads the secret value with the docker CLI's own
// config package (what "docker --config DIR" and go-containerregistry use).
func TestValueReadByDockerCLI(t *testing.T) {
	t.Parallel()
	dir, r := storedConfigDir(t, "cli.example.com:5000")
	cf, err := dockerconfig.Load(dir)
	if err != nil {
		t.Fatalf("docker config.Load: %v", err)
	}
	ac, err := cf.GetAuthConfig("cli.example.com:5000")
	if err != nil {
		t.Fatal(err)
	}
	if ac.Username != r.Credential.Username || ac.Password != r.Credential.Password {
		t.Errorf("docker reads user %q and a password that matches: %v", ac.Username, ac.Password == r.Credential.Password)
	}
}

// TestValueReadByDefaultKeychain resolves the registry through
// go-containerregistry's DefaultKeychain with DOCKER_CONFIG pointing at the
// value. Not parallel: it sets the process environment.
func TestValueReadByDefaultKeychain(t *testing.T) {
	dir, r := storedConfigDir(t, "ggcr.example.com")
	t.Setenv("DOCKER_CONFIG", dir)
	t.Setenv("HOME", t.TempDir())
	t.Setenv("XDG_RUNTIME_DIR", "")
	t.Setenv("XDG_CONFIG_HOME", "")
	reg, err := ggcrname.NewRegistry("ggcr.example.com")
	if err != nil {
		t.Fatal(err)
	}
	a, err := authn.DefaultKeychain.Resolve(reg)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := a.Authorization()
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Username != r.Credential.Username || cfg.Password != r.Credential.Password {
		t.Errorf("keychain resolves user %q and a password that matches: %v", cfg.Username, cfg.Password == r.Credential.Password)
	}
}
