// Package ghtest runs a loopback emulator of the GitHub REST API endpoints
// regmint's GitHub Actions secrets store uses, for tests and the demo:
//
//   - public keys: GET /repos/{o}/{r}/actions/secrets/public-key,
//     /repos/{o}/{r}/environments/{env}/secrets/public-key and
//     /orgs/{org}/actions/secrets/public-key;
//   - secrets at each level: PUT (organization secrets with visibility and
//     selected_repository_ids) and GET (name and times, never the value);
//   - variables at each level: GET, POST (create) and PATCH (update);
//   - POST /app/installations/{id}/access_tokens, which verifies the app
//     JWT's RS256 signature against the app's public key and its iat, exp
//     and iss claims, and mints installation tokens that expire after an
//     hour.
//
// Every other call must carry a bearer token the server issued: a personal
// access token from AddToken, or an installation token it minted and that
// has not expired. The server holds a libsodium key pair per scope and
// decrypts every secret it receives (box.OpenAnonymous), refusing values
// sealed to another key with 422 as GitHub does, so tests can read the
// exact plaintext (Secret). Answers carry GitHub's shapes, status codes,
// X-GitHub-Request-Id and X-RateLimit-* headers. The API is served at the
// root and under /api/v3/ (GitHub Enterprise Server's layout).
//
// Faults can be injected per endpoint: primary rate limits (403 or 429
// with X-RateLimit-Remaining: 0 and X-RateLimit-Reset), secondary rate
// limits (Retry-After), 5xx answers and latency; every endpoint's calls
// are counted, and public keys can be rotated.
//
// All keys (the app's RSA key, the scopes' curve25519 keys) and tokens are
// generated at run time; none is hard-coded.
package ghtest

import (
	"net/http/httptest"
	"sync"
	"time"

	"github.com/regmint/regmint/core/internal/faultq"
)

// Server is a running emulator. Close it when done. All methods are safe
// for concurrent use.
type Server struct {
	// URL is the server's root, "http://127.0.0.1:port": what a GitHub
	// client's base URL is set to (the API is also served under
	// URL+"/api/v3/").
	URL string

	srv  *httptest.Server
	done chan struct{}

	mu       sync.Mutex
	clock    func() time.Time
	offset   time.Duration
	nextID   int64
	repos    map[string]*repo // by lower-case "owner/name"
	orgs     map[string]string
	scopes   map[string]*scopeState // by Scope.key()
	pats     map[string]bool
	app      *appState
	minted   map[string]time.Time // installation token -> expiry
	revoked  map[string]bool
	faults   faultq.Queue[Fault]
	calls    map[string]int
	requests int
	closed   bool
	// secondary is the enforced secondary rate limit (secondary.go).
	secondary *secondary
	primary   *primary
}

// Option configures a Server.
type Option func(*Server)

// WithClock sets the server's clock (default time.Now): token expiry, JWT
// checks, rate-limit resets and timestamps follow it, shifted by Advance.
func WithClock(now func() time.Time) Option {
	return func(s *Server) {
		if now != nil {
			s.clock = now
		}
	}
}

// New starts a Server on a loopback port. It knows no repository,
// organization or token yet: add them with AddRepo, AddEnvironment,
// AddOrg, AddToken and App.
func New(opts ...Option) *Server {
	s := &Server{
		done:    make(chan struct{}),
		clock:   time.Now,
		nextID:  1000,
		repos:   map[string]*repo{},
		orgs:    map[string]string{},
		scopes:  map[string]*scopeState{},
		pats:    map[string]bool{},
		minted:  map[string]time.Time{},
		revoked: map[string]bool{},
		calls:   map[string]int{},
	}
	for _, o := range opts {
		o(s)
	}
	s.srv = httptest.NewServer(s.routes())
	s.URL = s.srv.URL
	return s
}

// Close shuts the server down; calls held by latency are released first.
func (s *Server) Close() {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.closed = true
	close(s.done)
	s.mu.Unlock()
	s.srv.Close()
}

// Now returns the server's time.
func (s *Server) Now() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.nowLocked()
}

// Advance moves the server's clock forward by d (cumulative).
func (s *Server) Advance(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.offset += d
}

func (s *Server) nowLocked() time.Time { return s.clock().Add(s.offset) }

// Calls returns how many requests reached endpoint (one of the Endpoint
// constants) at any level, faulted and refused ones included.
func (s *Server) Calls(endpoint string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[endpoint]
}

// TotalCalls returns how many requests reached the server.
func (s *Server) TotalCalls() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests
}
