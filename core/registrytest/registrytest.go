// Package registrytest runs a loopback Docker Registry v2 login endpoint for
// tests and the demo: GET /v2/ with a Bearer challenge (as Harbor, and so
// TCR and SWR Enterprise, answer) or a Basic one, and a token realm on the
// same listener, so go-containerregistry's realm checks accept it. It
// accepts exactly the credentials its check function accepts.
package registrytest

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
)

// TokenPath is the path of the token realm, as Harbor serves it.
const TokenPath = "/service/token"

// CheckFunc reports whether a docker login user name and password are valid
// now.
type CheckFunc func(username, password string) bool

// Server is a running registry login endpoint. Close it when done.
type Server struct {
	// URL is the base URL, "http://127.0.0.1:port" ("https://..." with
	// WithTLS).
	URL string
	// Host is the registry host, "127.0.0.1:port": what a Credential's
	// Registry holds.
	Host string

	srv     *httptest.Server
	check   CheckFunc
	basic   bool
	tls     bool
	service string

	fail    atomic.Int32 // HTTP status to answer every request with; 0: none
	logins  atomic.Int64
	refused atomic.Int64

	mu     sync.Mutex
	tokens map[string]bool
}

// Option configures a Server.
type Option func(*Server)

// WithBasic makes the registry answer a Basic challenge instead of Bearer.
func WithBasic() Option { return func(s *Server) { s.basic = true } }

// WithService sets the Bearer challenge's service (default "harbor-registry").
func WithService(name string) Option { return func(s *Server) { s.service = name } }

// New starts a Server on a loopback port.
func New(check CheckFunc, opts ...Option) *Server {
	s := &Server{check: check, service: "harbor-registry", tokens: map[string]bool{}}
	for _, o := range opts {
		o(s)
	}
	if s.tls {
		s.srv = httptest.NewTLSServer(s)
	} else {
		s.srv = httptest.NewServer(s)
	}
	s.URL = s.srv.URL
	s.Host = strings.TrimPrefix(strings.TrimPrefix(s.srv.URL, "http://"), "https://")
	return s
}

// Close shuts the server down; later requests fail to connect.
func (s *Server) Close() { s.srv.Close() }

// FailWith makes every request answer with status (e.g. 503) until
// FailWith(0).
func (s *Server) FailWith(status int) { s.fail.Store(int32(status)) }

// Logins returns how many logins were accepted and refused so far.
func (s *Server) Logins() (accepted, refused int64) { return s.logins.Load(), s.refused.Load() }

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Docker-Distribution-Api-Version", "registry/2.0")
	if st := s.fail.Load(); st != 0 {
		writeErr(w, int(st), "UNAVAILABLE", http.StatusText(int(st)))
		return
	}
	switch {
	case r.URL.Path == TokenPath && !s.basic:
		s.token(w, r)
	case r.URL.Path == "/v2/" || r.URL.Path == "/v2":
		s.base(w, r)
	default:
		writeErr(w, http.StatusNotFound, "NOT_FOUND", "not found")
	}
}

func (s *Server) base(w http.ResponseWriter, r *http.Request) {
	h := r.Header.Get("Authorization")
	if s.basic {
		if u, p, ok := r.BasicAuth(); ok && s.login(u, p) {
			w.Write([]byte("{}"))
			return
		}
		w.Header().Set("WWW-Authenticate", `Basic realm="registrytest"`)
		writeErr(w, http.StatusUnauthorized, "UNAUTHORIZED", "authentication required")
		return
	}
	if tok, ok := strings.CutPrefix(h, "Bearer "); ok {
		s.mu.Lock()
		valid := s.tokens[tok]
		s.mu.Unlock()
		if valid {
			w.Write([]byte("{}"))
			return
		}
	}
	w.Header().Set("WWW-Authenticate", `Bearer realm="`+s.URL+TokenPath+`",service="`+s.service+`"`)
	writeErr(w, http.StatusUnauthorized, "UNAUTHORIZED", "authentication required")
}

func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	u, p, ok := r.BasicAuth()
	if !ok || r.URL.Query().Get("service") != s.service || !s.login(u, p) {
		writeErr(w, http.StatusUnauthorized, "UNAUTHORIZED", "invalid credentials")
		return
	}
	b := make([]byte, 24)
	rand.Read(b)
	tok := hex.EncodeToString(b)
	s.mu.Lock()
	s.tokens[tok] = true
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{"token": tok, "access_token": tok, "expires_in": 1800})
}

func (s *Server) login(u, p string) bool {
	if s.check(u, p) {
		s.logins.Add(1)
		return true
	}
	s.refused.Add(1)
	return false
}

func writeErr(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]any{"errors": []map[string]string{{"code": code, "message": msg}}})
}
