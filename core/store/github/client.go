package github

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	gh "github.com/google/go-github/v84/github"

	"github.com/regmint/regmint/core"
)

// Defaults of a Client.
const (
	// DefaultBaseURL is GitHub.com's REST API.
	DefaultBaseURL = "https://api.github.com/"
	// DefaultTimeout bounds one HTTP request of the default HTTP client.
	DefaultTimeout = 30 * time.Second
	// DefaultMaxRateLimitWait is the longest the client waits for a rate
	// limit to reset before it gives up on the call.
	DefaultMaxRateLimitWait = 2 * time.Minute
	// userAgent identifies regmint's requests to GitHub.
	userAgent = "regmint"
)

// App is a GitHub App installation the client authenticates as: it signs a
// JWT with the app's private key and exchanges it for an installation
// token (valid one hour), minted on first use and reused until shortly
// before it expires.
type App struct {
	// ID is the app's numeric id (App settings, "App ID").
	ID int64
	// InstallationID is the id of the app's installation on the account
	// that owns the repositories or organization written to.
	InstallationID int64
	// PrivateKey is the app's private key in PEM (PKCS #1 as GitHub
	// generates it, or PKCS #8). Secret.
	PrivateKey Secret
}

// ClientConfig configures a Client: how it reaches GitHub and as whom.
// Give exactly one of App (preferred) and Token.
type ClientConfig struct {
	// BaseURL is the REST API root: DefaultBaseURL if empty; for GitHub
	// Enterprise Server its host ("https://ghe.example.com", to which
	// "/api/v3/" is added) or the API root itself.
	BaseURL string
	// App authenticates as a GitHub App installation.
	App *App
	// Token is a fine-grained personal access token (or any bearer token
	// GitHub accepts). Secret.
	Token Secret
	// HTTPClient sends the requests; default: a client with
	// DefaultTimeout whose transport honours HTTPS_PROXY and NO_PROXY.
	HTTPClient *http.Client
	// Logger receives the client's logs (rate-limit waits, retries, token
	// minting), none of which holds a secret; default: none.
	Logger *slog.Logger
	// Clock tells the time for token expiry, JWTs and rate-limit resets;
	// default time.Now.
	Clock func() time.Time
	// Sleep waits d or until ctx ends (for rate limits); default: a timer.
	// Tests make it return at once.
	Sleep func(ctx context.Context, d time.Duration) error
	// Backoff spaces retries of 5xx answers and transport errors.
	Backoff core.Backoff
	// MaxRateLimitWait is the longest wait for a rate limit, default
	// DefaultMaxRateLimitWait; the context's deadline bounds it too.
	MaxRateLimitWait time.Duration
}

// Client is an authenticated connection to the GitHub REST API, shared by
// the Stores of one run: it mints the app installation token once, caches
// each scope's public key, and serialises writes to the same names. It is
// safe for concurrent use.
type Client struct {
	gh      *gh.Client
	auth    tokenSource
	app     bool
	log     *slog.Logger
	now     func() time.Time
	sleep   func(context.Context, time.Duration) error
	backoff core.Backoff
	maxWait time.Duration
	locks   keyedLock

	mu   sync.Mutex
	keys map[string]publicKey // by scope.key()
}

// NewClient checks cfg and returns a Client. It makes no request: bad
// credentials show on the first call.
func NewClient(cfg ClientConfig) (*Client, error) {
	base, err := baseURL(cfg.BaseURL)
	if err != nil {
		return nil, fmt.Errorf("github client: %w", err)
	}
	c := &Client{
		log:     cfg.Logger,
		now:     cfg.Clock,
		sleep:   cfg.Sleep,
		backoff: cfg.Backoff,
		maxWait: cfg.MaxRateLimitWait,
		keys:    map[string]publicKey{},
	}
	if c.log == nil {
		c.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if c.now == nil {
		c.now = time.Now
	}
	if c.sleep == nil {
		c.sleep = sleepCtx
	}
	if c.maxWait <= 0 {
		c.maxWait = DefaultMaxRateLimitWait
	}
	hc := cfg.HTTPClient
	if hc == nil {
		hc = &http.Client{Timeout: DefaultTimeout}
	}
	hc2 := *hc
	next := hc2.Transport
	if next == nil {
		next = http.DefaultTransport
	}
	hc2.Transport = &authTransport{host: base.Host, next: core.LimitBodies(next, core.MaxAPIBody)}
	g, err := gh.NewClient(&hc2).WithEnterpriseURLs(base.String(), base.String())
	if err != nil {
		return nil, fmt.Errorf("github client: base url: %w", err)
	}
	g.UserAgent = userAgent
	// The client waits for rate limits itself, by the answer's headers
	// and its own clock; go-github must not refuse calls on its own.
	g.DisableRateLimitCheck = true
	c.gh = g

	switch {
	case cfg.App != nil && cfg.Token != "":
		return nil, errors.New("github client: give a GitHub App or a token, not both")
	case cfg.App != nil:
		src, err := newAppTokens(*cfg.App, c)
		if err != nil {
			return nil, fmt.Errorf("github client: %w", err)
		}
		c.auth, c.app = src, true
	case strings.TrimSpace(string(cfg.Token)) != "":
		if strings.ContainsAny(string(cfg.Token), " \t\r\n") {
			return nil, errors.New("github client: the token holds white space; give the token alone")
		}
		c.auth = staticToken(cfg.Token)
	default:
		return nil, errors.New("github client: no credentials: give a GitHub App (id, installation id, private key) or a fine-grained token")
	}
	return c, nil
}

// baseURL parses the API root; its errors never echo a URL that may hold
// a password.
func baseURL(raw string) (*url.URL, error) {
	if raw == "" {
		raw = DefaultBaseURL
	}
	u, err := url.Parse(strings.TrimSpace(raw))
	switch {
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
		shown := ""
		if !strings.Contains(raw, "@") {
			shown = fmt.Sprintf(" %q", raw)
		}
		return nil, fmt.Errorf("base url%s is not an http or https URL (e.g. https://ghe.example.com/api/v3/)", shown)
	case u.User != nil:
		return nil, errors.New("base url must not hold a user name or password")
	case u.RawQuery != "" || u.Fragment != "":
		return nil, errors.New("base url must not have a query or fragment")
	}
	if !strings.HasSuffix(u.Path, "/") {
		u.Path += "/"
	}
	return u, nil
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// tokenKey is the context key of the bearer credential of one request.
type tokenKey struct{}

func withToken(ctx context.Context, token string) context.Context {
	return context.WithValue(ctx, tokenKey{}, token)
}

// authTransport sets the Authorization header from the request's context,
// and only for the API host: a redirect elsewhere never gets the token.
type authTransport struct {
	host string
	next http.RoundTripper
}

// RoundTrip implements http.RoundTripper.
func (t *authTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	tok, _ := req.Context().Value(tokenKey{}).(string)
	if tok == "" || !strings.EqualFold(req.URL.Host, t.host) {
		return t.next.RoundTrip(req)
	}
	r := req.Clone(req.Context())
	r.Header.Set("Authorization", "Bearer "+tok)
	return t.next.RoundTrip(r)
}
