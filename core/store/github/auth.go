package github

import (
	"context"
	"crypto/rsa"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	gh "github.com/google/go-github/v84/github"
)

// refreshBefore is how long before its expiry an installation token is
// replaced, so that no call starts with a token about to lapse.
const refreshBefore = 5 * time.Minute

// defaultTokenLife is assumed for an installation token whose answer has
// no expiry (GitHub's tokens last one hour).
const defaultTokenLife = time.Hour

// tokenSource gives the bearer token of API calls.
type tokenSource interface {
	// token returns the token to send.
	token(ctx context.Context) (string, error)
	// refused is told that GitHub answered 401 to tok; it reports whether
	// asking token again can give another one.
	refused(tok string) bool
}

// staticToken is a personal access token (or an app JWT).
type staticToken Secret

func (t staticToken) token(context.Context) (string, error) { return string(t), nil }

func (staticToken) refused(string) bool { return false }

// appTokens mints GitHub App installation tokens and reuses each until
// refreshBefore its expiry.
type appTokens struct {
	id, installation int64
	key              *rsa.PrivateKey
	c                *Client
	minting          keyedLock

	mu  sync.Mutex
	tok string
	exp time.Time
}

func newAppTokens(a App, c *Client) (*appTokens, error) {
	switch {
	case a.ID <= 0:
		return nil, errors.New("github app id is not set (a positive number: App settings, App ID)")
	case a.InstallationID <= 0:
		return nil, errors.New("github app installation id is not set (a positive number: the installation's settings URL ends with it)")
	case a.PrivateKey == "":
		return nil, errors.New("github app private key is empty (the .pem file GitHub generated for the app)")
	}
	key, err := parsePrivateKey(a.PrivateKey)
	if err != nil {
		return nil, fmt.Errorf("github app %d: %w", a.ID, err)
	}
	return &appTokens{id: a.ID, installation: a.InstallationID, key: key, c: c}, nil
}

func (a *appTokens) cached() (string, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.tok != "" && a.c.now().Before(a.exp.Add(-refreshBefore)) {
		return a.tok, true
	}
	return "", false
}

// token returns the cached installation token, or mints one (once, however
// many calls wait for it).
func (a *appTokens) token(ctx context.Context) (string, error) {
	if tok, ok := a.cached(); ok {
		return tok, nil
	}
	unlock, err := a.minting.lock(ctx, "")
	if err != nil {
		return "", err
	}
	defer unlock()
	if tok, ok := a.cached(); ok {
		return tok, nil
	}
	jwt, err := appJWT(a.key, a.id, a.c.now())
	if err != nil {
		return "", err
	}
	what := "create installation token (app " + strconv.FormatInt(a.id, 10) + ", installation " + strconv.FormatInt(a.installation, 10) + ")"
	var it *gh.InstallationToken
	err = a.c.send(ctx, what, staticToken(jwt), appHint, func(ctx context.Context) (*gh.Response, error) {
		t, resp, err := a.c.gh.Apps.CreateInstallationToken(ctx, a.installation, nil)
		it = t
		return resp, err
	})
	if err != nil {
		return "", err
	}
	if it.GetToken() == "" {
		return "", fmt.Errorf("github %s: the answer holds no token", what)
	}
	now := a.c.now()
	exp := it.GetExpiresAt().Time
	if exp.IsZero() {
		exp = now.Add(defaultTokenLife)
	}
	a.mu.Lock()
	a.tok, a.exp = it.GetToken(), exp
	a.mu.Unlock()
	a.c.log.Debug("github app installation token minted", "app_id", a.id, "installation_id", a.installation, "expires_at", exp.UTC())
	return it.GetToken(), nil
}

// refused forgets tok, so that the next call mints a new one.
func (a *appTokens) refused(tok string) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.tok == tok {
		a.tok = ""
	}
	return true
}

// appHint explains refusals of the token exchange.
func appHint(status int) string {
	switch status {
	case 401:
		return "GitHub refused the app JWT: check the app id and that the private key is the app's current one, and the machine's clock"
	case 403, 404:
		return "no such installation of this app: check the installation id (the app must be installed on the account)"
	}
	return ""
}
