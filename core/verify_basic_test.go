package core_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/regmint/regmint/core"
)

// TestVerifyBasicSendsAuthToRegistryOnly: for a Basic challenge the login
// goes to the registry host, with go-containerregistry's User-Agent, and
// not to a host the registry redirects to; one ping only.
func TestVerifyBasicSendsAuthToRegistryOnly(t *testing.T) {
	t.Parallel()
	password := randomString(t, 24)
	var elsewhereAuth atomic.Bool
	elsewhere := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		elsewhereAuth.Store(r.Header.Get("Authorization") != "")
		w.Write([]byte("{}"))
	}))
	t.Cleanup(elsewhere.Close)
	var pings, logins atomic.Int32
	var agent atomic.Value
	reg := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, p, ok := r.BasicAuth()
		if !ok {
			pings.Add(1)
			w.Header().Set("WWW-Authenticate", `Basic realm="test"`)
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		logins.Add(1)
		agent.Store(r.UserAgent())
		if u != "ci" || p != password {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		http.Redirect(w, r, elsewhere.URL+"/v2/", http.StatusFound)
	}))
	t.Cleanup(reg.Close)
	host := strings.TrimPrefix(reg.URL, "http://")

	v := core.Verifier{}.Verify(context.Background(), core.Credential{Registry: host, Username: "ci", Password: password})
	if v.Result != core.VerifyGood || v.Scheme != "basic" {
		t.Fatalf("verification %v, want good (basic)", v)
	}
	if elsewhereAuth.Load() {
		t.Error("the credential was sent to the host the registry redirected to")
	}
	if got := logins.Load(); got != 1 {
		t.Errorf("%d logins, want 1", got)
	}
	if got := pings.Load(); got != 1 {
		t.Errorf("%d unauthenticated GET /v2/, want one ping", got)
	}
	if ua, _ := agent.Load().(string); !strings.Contains(ua, "go-containerregistry") {
		t.Errorf("User-Agent %q, want go-containerregistry's", ua)
	}

	bad := core.Verifier{}.Verify(context.Background(), core.Credential{Registry: host, Username: "ci", Password: "wrong-" + password})
	if bad.Result != core.VerifyBad {
		t.Errorf("wrong password: %v, want bad", bad)
	}
}
