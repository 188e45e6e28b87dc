package tcr_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/regmint/regmint/core"
	"github.com/regmint/regmint/core/tcr"
)

// chainTarget is a target with auth method chain.
func (e *env) chainTarget() core.Target {
	return e.target(func(t *core.Target) { t.Auth = core.Auth{Chain: true} })
}

// issueWith mints through the chain with getenv as the environment the
// issuer reads.
func (e *env) issueWith(t *testing.T, vars map[string]string) (core.Credential, error) {
	t.Helper()
	iss, err := tcr.New(e.chainTarget(), core.Env{
		Getenv: func(k string) string { return vars[k] }, Transport: e.srv.Transport(), Backoff: fastBackoff,
	})
	if err != nil {
		t.Fatal(err)
	}
	return iss.Issue(context.Background())
}

// noProfile makes sure the SDK's profile link finds no file: a HOME of
// the test's own and no TENCENTCLOUD_CREDENTIALS_FILE.
func noProfile(t *testing.T) {
	t.Setenv("HOME", t.TempDir())
	os.Unsetenv("TENCENTCLOUD_CREDENTIALS_FILE")
}

func TestChainEnvironment(t *testing.T) {
	noProfile(t)
	e := newEnv(t)
	cred, err := e.issueWith(t, map[string]string{tcr.EnvSecretID: e.key.ID, tcr.EnvSecretKey: e.key.Secret})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := e.srv.LookupToken(cred.Password); !ok {
		t.Fatal("the credential is not one the emulator minted")
	}
	if n := e.srv.Calls("AssumeRoleWithWebIdentity"); n != 0 {
		t.Errorf("the environment's keys were not used first: %d STS calls", n)
	}
}

func TestChainProfileFile(t *testing.T) {
	noProfile(t)
	e := newEnv(t)
	path := filepath.Join(t.TempDir(), "credentials")
	if err := os.WriteFile(path, []byte("[default]\nsecret_id = "+e.key.ID+"\nsecret_key = "+e.key.Secret+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("TENCENTCLOUD_CREDENTIALS_FILE", path)
	if _, err := e.issueWith(t, nil); err != nil {
		t.Fatalf("the profile file's key was not used: %v", err)
	}

	// The default place, ~/.tencentcloud/credentials.
	os.Unsetenv("TENCENTCLOUD_CREDENTIALS_FILE")
	home := t.TempDir()
	t.Setenv("HOME", home)
	os.MkdirAll(filepath.Join(home, ".tencentcloud"), 0o700)
	data, _ := os.ReadFile(path)
	os.WriteFile(filepath.Join(home, ".tencentcloud", "credentials"), data, 0o600)
	if _, err := e.issueWith(t, nil); err != nil {
		t.Fatalf("~/.tencentcloud/credentials was not used: %v", err)
	}
}

func TestChainTKEPodIdentity(t *testing.T) {
	noProfile(t)
	e := newEnv(t)
	tokenFile := filepath.Join(t.TempDir(), "token")
	token := e.srv.IssueWebIdentityToken(10 * time.Minute)
	if err := os.WriteFile(tokenFile, []byte(token), 0o600); err != nil {
		t.Fatal(err)
	}
	vars := map[string]string{tcr.EnvTKEProviderID: e.srv.OIDCProviderID, tcr.EnvTKERoleARN: e.srv.RoleARN, tcr.EnvTKETokenFile: tokenFile, "TKE_REGION": region}
	if _, err := e.issueWith(t, vars); err != nil {
		t.Fatal(err)
	}
	if n := e.srv.Calls("AssumeRoleWithWebIdentity"); n != 1 {
		t.Errorf("AssumeRoleWithWebIdentity calls = %d; want 1", n)
	}

	delete(vars, tcr.EnvTKERoleARN)
	_, err := e.issueWith(t, vars)
	if !errors.Is(err, tcr.ErrNoChainCredentials) || !strings.Contains(err.Error(), tcr.EnvTKERoleARN) {
		t.Fatalf("incomplete TKE variables: %v; want an error naming %s", err, tcr.EnvTKERoleARN)
	}
	if strings.Contains(err.Error(), token) {
		t.Fatal("the error holds the token")
	}
}
