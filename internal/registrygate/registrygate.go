// Package registrygate serves a whole registry for tests (push, pull:
// go-containerregistry's in-memory registry) behind the login endpoint of a
// registrytest.Server, so that real clients (crane, skopeo) can be shown to
// work with exactly the credentials an emulator minted: GET /v2/ is the
// login endpoint's, and every other request must carry a token the login
// endpoint accepts.
package registrygate

import (
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/google/go-containerregistry/pkg/registry"

	"github.com/regmint/regmint/core/registrytest"
)

// Gate is a running registry. Close it when done.
type Gate struct {
	// URL is "http://127.0.0.1:port"; Host is "127.0.0.1:port".
	URL, Host string

	login   *registrytest.Server
	srv     *httptest.Server
	content http.Handler
	proxy   *httputil.ReverseProxy

	mu      sync.Mutex
	valid   map[string]bool
	served  atomic.Int64
	refused atomic.Int64
}

// New starts a gate in front of login.
func New(login *registrytest.Server) *Gate {
	u, _ := url.Parse(login.URL)
	g := &Gate{
		login:   login,
		content: registry.New(registry.Logger(log.New(io.Discard, "", 0))),
		proxy:   httputil.NewSingleHostReverseProxy(u),
		valid:   map[string]bool{},
	}
	// The token realm is served here too (proxied), so that clients send
	// their login to the registry's own host, as they do with TCR and SWR.
	g.proxy.ModifyResponse = func(resp *http.Response) error {
		if c := resp.Header.Get("WWW-Authenticate"); c != "" {
			resp.Header.Set("WWW-Authenticate", strings.ReplaceAll(c, login.URL, g.URL))
		}
		return nil
	}
	g.srv = httptest.NewServer(g)
	g.URL = g.srv.URL
	g.Host = strings.TrimPrefix(g.URL, "http://")
	return g
}

// Close shuts the gate down.
func (g *Gate) Close() { g.srv.Close() }

// Requests returns how many content requests were served and refused.
func (g *Gate) Requests() (served, refused int64) { return g.served.Load(), g.refused.Load() }

// ServeHTTP implements http.Handler.
func (g *Gate) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/v2/" || r.URL.Path == "/v2" || r.URL.Path == registrytest.TokenPath {
		g.proxy.ServeHTTP(w, r)
		return
	}
	auth := r.Header.Get("Authorization")
	ok, challenge := g.check(r, auth)
	if !ok {
		g.refused.Add(1)
		if challenge != "" {
			w.Header().Set("WWW-Authenticate", challenge)
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		io.WriteString(w, `{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}`)
		return
	}
	g.served.Add(1)
	g.content.ServeHTTP(w, r)
}

// check asks the login endpoint whether auth is a token it issued.
func (g *Gate) check(r *http.Request, auth string) (bool, string) {
	if auth != "" {
		g.mu.Lock()
		known := g.valid[auth]
		g.mu.Unlock()
		if known {
			return true, ""
		}
	}
	req, err := http.NewRequestWithContext(r.Context(), http.MethodGet, g.login.URL+"/v2/", nil)
	if err != nil {
		return false, ""
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return false, ""
	}
	io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
	resp.Body.Close()
	if resp.StatusCode == http.StatusOK && auth != "" {
		g.mu.Lock()
		g.valid[auth] = true
		g.mu.Unlock()
		return true, ""
	}
	return false, strings.ReplaceAll(resp.Header.Get("WWW-Authenticate"), g.login.URL, g.URL)
}
