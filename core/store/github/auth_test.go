package github_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/regmint/regmint/core"
	"github.com/regmint/regmint/core/store/github"
	"github.com/regmint/regmint/core/store/github/ghtest"
)

// clock is a clock the test moves.
type clock struct {
	mu     sync.Mutex
	offset time.Duration
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.offset)
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.offset += d
}

// TestAppInstallationToken: the installation token is minted once and
// reused by every store on the client, replaced shortly before it expires,
// and replaced once when GitHub refuses it.
func TestAppInstallationToken(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clk := &clock{}
	e := newEnv(t, withApp, func(c *github.ClientConfig) { c.Clock = clk.now })
	repo := e.repoStore(t)
	org := e.store(t, github.Config{Organization: testOrg, Visibility: github.VisibilityAll})
	minted := func() int { return e.srv.Calls(ghtest.EndpointAccessToken) }
	use := func(step string) {
		t.Helper()
		r := e.record("app.example.com", "pw-app-token-"+strings.ReplaceAll(step, " ", "-"))
		r.IssuedAt = clk.now()
		for _, s := range []*github.Store{repo, org} {
			if err := s.Put(ctx, "app", r); err != nil {
				t.Fatalf("%s: %s", step, e.text(err))
			}
			if _, err := s.Get(ctx, "app"); err != nil {
				t.Fatalf("%s: %s", step, e.text(err))
			}
		}
	}

	use("first")
	use("second")
	if got := minted(); got != 1 {
		t.Fatalf("installation tokens minted = %d, want 1 (reused)", got)
	}
	// 56 minutes on, the token has 4 minutes left: replaced.
	clk.advance(56 * time.Minute)
	e.srv.Advance(56 * time.Minute)
	use("near expiry")
	if got := minted(); got != 2 {
		t.Fatalf("installation tokens minted = %d, want 2 (replaced before expiry)", got)
	}
	use("again")
	if got := minted(); got != 2 {
		t.Errorf("installation tokens minted = %d, want still 2", got)
	}
	// GitHub refuses the token (revoked): one new token, the call goes on.
	for _, tok := range e.srv.InstallationTokens() {
		e.srv.RevokeToken(tok)
	}
	use("after revocation")
	if got := minted(); got != 3 {
		t.Errorf("installation tokens minted = %d, want 3", got)
	}
	if !strings.Contains(e.logs.String(), "minting another") {
		t.Error("the replacement of a refused token was not logged")
	}
}

// TestBadCredentials: credentials GitHub refuses give one clear, final
// error naming the call and what to check, not "not found".
func TestBadCredentials(t *testing.T) {
	t.Parallel()
	otherKey := newRSAKeyPEM(t)
	tests := []struct {
		name      string
		auth      auth
		edit      func(e *env, c *github.ClientConfig)
		wantMsg   []string
		wantCalls int
	}{
		{"unknown token", withPAT, func(e *env, c *github.ClientConfig) {
			c.Token = github.Secret("github_pat_" + strings.Repeat("x", 82))
			e.secrets.Add(string(c.Token))
		}, []string{"github get variable TCR_REGMINT_META in repository octo-org/app: HTTP 401: Bad credentials", "the token was refused: it is wrong, expired or revoked"}, 1},
		{"revoked token", withPAT, func(e *env, _ *github.ClientConfig) { e.srv.RevokeToken(e.pat) },
			[]string{"HTTP 401: Bad credentials", "the token was refused"}, 1},
		{"another private key", withApp, func(e *env, c *github.ClientConfig) {
			c.App.PrivateKey = github.Secret(otherKey)
			e.secrets.Add(otherKey, pemBodyLine(otherKey))
		}, []string{"create installation token (app ", "HTTP 401: A JSON web token could not be decoded", "check the app id and that the private key is the app's current one"}, 1},
		{"wrong app id", withApp, func(_ *env, c *github.ClientConfig) { c.App.ID++ },
			[]string{"HTTP 401: 'Issuer' claim"}, 1},
		{"wrong installation", withApp, func(_ *env, c *github.ClientConfig) { c.App.InstallationID += 100 },
			[]string{"HTTP 404: Not Found", "no such installation of this app"}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, tt.auth)
			cfg := e.cfg
			if cfg.App != nil {
				app := *cfg.App
				cfg.App = &app
			}
			tt.edit(e, &cfg)
			c, err := github.NewClient(cfg)
			if err != nil {
				t.Fatal(err)
			}
			s, _ := github.New(c, github.Config{Repository: testRepo})
			_, err = s.Get(context.Background(), "tcr")
			if err == nil || errors.Is(err, core.ErrNotFound) {
				t.Fatalf("Get error = %v, want a refusal", err)
			}
			msg := e.text(err)
			for _, w := range tt.wantMsg {
				if !strings.Contains(msg, w) {
					t.Errorf("error %q does not say %q", msg, w)
				}
			}
			var ae *github.APIError
			if !errors.As(err, &ae) || ae.Retryable() {
				t.Errorf("error holds %+v, want a final APIError", ae)
			}
			if got := e.srv.TotalCalls(); got != tt.wantCalls {
				t.Errorf("requests = %d, want %d (no retry)", got, tt.wantCalls)
			}
		})
	}
}

// newRSAKeyPEM makes an RSA key the emulator does not know.
func newRSAKeyPEM(t *testing.T) string {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: mustPKCS8(t, k)}))
}

func mustPKCS8(t *testing.T, k *rsa.PrivateKey) []byte {
	t.Helper()
	b, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestEnterpriseBaseURL: a GitHub Enterprise Server host, with or without
// its /api/v3/ path, reaches the API.
func TestEnterpriseBaseURL(t *testing.T) {
	t.Parallel()
	for _, suffix := range []string{"", "/", "/api/v3", "/api/v3/"} {
		t.Run("suffix "+suffix, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, withApp)
			cfg := e.cfg
			cfg.BaseURL = e.srv.URL + suffix
			c, err := github.NewClient(cfg)
			if err != nil {
				t.Fatal(err)
			}
			s, _ := github.New(c, github.Config{Repository: testRepo})
			if err := s.Put(context.Background(), "ghes", e.record("ghes.example.com", "pw-enterprise-00001")); err != nil {
				t.Fatal(e.text(err))
			}
		})
	}
}
