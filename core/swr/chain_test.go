package swr_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/regmint/regmint/core"
	"github.com/regmint/regmint/core/swr"
)

// chainIssue mints an Enterprise temporary credential with auth method
// chain and vars as the environment the issuer reads.
func (w *world) chainIssue(t *testing.T, vars map[string]string) (core.Credential, error) {
	t.Helper()
	tg := core.Target{Provider: swr.EnterpriseName, Region: region, InstanceID: w.inst.ID,
		APIEndpoint: w.srv.SWRURL, IAMEndpoint: w.srv.IAMURL, Auth: core.Auth{Chain: true}}
	iss, err := swr.New(tg, core.Env{Backoff: fastBackoff, Getenv: mapEnv(vars)})
	if err != nil {
		t.Fatal(err)
	}
	return iss.Issue(context.Background())
}

// noSDKProfile makes sure the SDK's profile link finds no file.
func noSDKProfile(t *testing.T) {
	t.Setenv("HOME", t.TempDir())
	t.Setenv(swr.EnvCredentialsFile, "")
	t.Setenv(swr.EnvPodIdentityURI, "")
}

// checkMinted checks that the credential is one the instance's registry
// takes.
func (w *world) checkMinted(t *testing.T, c core.Credential) {
	t.Helper()
	v := core.Verifier{}.Verify(context.Background(), c)
	if v.Result != core.VerifyGood {
		t.Fatalf("the registry does not take the credential: %v", v)
	}
}

func TestChainEnvironment(t *testing.T) {
	noSDKProfile(t)
	w := newWorld(t)
	c, err := w.chainIssue(t, map[string]string{swr.EnvAK: w.acct.AK, swr.EnvSK: w.acct.SK})
	if err != nil {
		t.Fatal(err)
	}
	w.checkMinted(t, c)
}

func TestChainProfileFile(t *testing.T) {
	noSDKProfile(t)
	w := newWorld(t)
	home := t.TempDir()
	t.Setenv("HOME", home)
	dir := filepath.Join(home, ".huaweicloud")
	os.MkdirAll(dir, 0o700)
	profile := "[basic]\nak = " + w.acct.AK + "\nsk = " + w.acct.SK + "\nproject_id = " + w.acct.Projects[region] + "\n"
	if err := os.WriteFile(filepath.Join(dir, "credentials"), []byte(profile), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := w.chainIssue(t, nil)
	if err != nil {
		t.Fatalf("~/.huaweicloud/credentials was not used: %v", err)
	}
	w.checkMinted(t, c)

	// A profile file without keys is an error naming it, not a silent
	// fall-through to the next link.
	other := filepath.Join(t.TempDir(), "credentials")
	os.WriteFile(other, []byte("[basic]\nregion = cn-north-4\n"), 0o600)
	t.Setenv(swr.EnvCredentialsFile, other)
	if _, err := w.chainIssue(t, nil); err == nil || !strings.Contains(err.Error(), other) {
		t.Fatalf("err = %v; want it to name %s", err, other)
	}
}

func TestChainPodIdentity(t *testing.T) {
	noSDKProfile(t)
	w := newWorld(t)
	ak, sk, token := w.srv.TemporaryKeys(w.acct, time.Hour)
	podToken := "pod-token-" + strings.Repeat("x", 24)
	var asked int
	agent := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		asked++
		if r.Method != http.MethodPost || r.Header.Get("Authorization") != podToken {
			http.Error(rw, "unauthorized", http.StatusUnauthorized)
			return
		}
		json.NewEncoder(rw).Encode(map[string]any{"credentials": map[string]string{
			"access": ak, "secret": sk, "securitytoken": token,
			"expires_at": time.Now().Add(time.Hour).UTC().Format("2006-01-02T15:04:05Z"),
		}})
	}))
	t.Cleanup(agent.Close)
	tokenFile := filepath.Join(t.TempDir(), "token")
	os.WriteFile(tokenFile, []byte(podToken), 0o600)
	t.Setenv(swr.EnvPodIdentityURI, agent.URL+"/v1/credentials")
	t.Setenv(swr.EnvPodIdentityTokenFile, tokenFile)
	c, err := w.chainIssue(t, nil)
	if err != nil {
		t.Fatal(err)
	}
	if asked == 0 {
		t.Fatal("the pod identity agent was not asked")
	}
	w.checkMinted(t, c)
}
