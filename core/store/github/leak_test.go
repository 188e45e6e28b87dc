package github_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/regmint/regmint/core/store/github"
	"github.com/regmint/regmint/core/store/github/ghtest"
	"github.com/regmint/regmint/internal/leaktest"
)

// TestNoSecretLeaks runs the paths that succeed and fail, with the client
// logging at debug level, and checks the logs, every error (%v, %+v, %#v)
// and the metadata variables for the passwords, their base64 docker auth
// strings, the app private key, the installation tokens and the personal
// access token.
func TestNoSecretLeaks(t *testing.T) {
	t.Parallel()
	for _, a := range []auth{withApp, withPAT} {
		e := newEnv(t, a)
		ctx := context.Background()
		s := e.store(t, github.Config{Repository: testRepo, DockerConfig: true})
		org := e.store(t, github.Config{Organization: testOrg, Visibility: github.VisibilityPrivate, DockerConfig: true})
		first := e.record("leak.example.com", "pw-leak-aaaa-0000001")
		second := e.record("leak.example.com", "pw-leak-bbbb-0000002")
		second.IssuedAt = first.IssuedAt.Add(time.Hour)
		show := func(err error) {
			if err != nil {
				e.text(err)
			}
		}
		scenarios := []struct {
			fault *ghtest.Fault
			n     int
			run   func() error
		}{
			{nil, 0, func() error { return s.Put(ctx, "leak", first) }},
			{nil, 0, func() error { _, err := s.Get(ctx, "leak"); return err }},
			{nil, 0, func() error { return org.Put(ctx, "leak", second) }},
			{ptr(ghtest.SecondaryRateLimit(ghtest.EndpointPutSecret, 403, time.Second)), 1, func() error { return s.Put(ctx, "leak", second) }},
			{ptr(ghtest.PrimaryRateLimit(ghtest.EndpointPutSecret, 429, time.Hour)), 1, func() error { return s.Put(ctx, "leak", first) }},
			{ptr(ghtest.ServerError(ghtest.EndpointPutSecret, 502)), -1, func() error { return org.Put(ctx, "leak", first) }},
			{ptr(ghtest.Fault{Endpoint: ghtest.EndpointPutSecret, Status: 422, Message: "Bad request - validation failed due to an improperly encrypted secret"}), -1, func() error { return s.Put(ctx, "leak", first) }},
			{ptr(ghtest.ServerError(ghtest.EndpointGetSecret, 500)), -1, func() error { _, err := s.Get(ctx, "leak"); return err }},
			{ptr(ghtest.ServerError(ghtest.EndpointAccessToken, 500)), -1, func() error { _, err := s.Get(ctx, "leak"); return err }},
			{nil, 0, func() error {
				for _, tok := range e.srv.InstallationTokens() {
					e.srv.RevokeToken(tok)
				}
				if e.pat != "" {
					e.srv.RevokeToken(e.pat)
				}
				return s.Put(ctx, "leak", first)
			}},
		}
		for _, sc := range scenarios {
			if sc.fault != nil {
				e.srv.Inject(sc.n, *sc.fault)
			}
			show(sc.run())
			e.srv.ClearFaults()
		}
		if e.texts.String() == "" || e.logs.String() == "" {
			t.Fatal("no errors or logs were produced: the scenarios did not run")
		}
		all := append(e.secrets.List(), e.srv.InstallationTokens()...)
		if a == withApp && len(e.srv.InstallationTokens()) == 0 {
			t.Error("no installation token was minted")
		}
		for _, sc := range []ghtest.Scope{ghtest.Repo(testRepo), ghtest.Org(testOrg)} {
			v, _ := e.srv.Variable(sc, "LEAK_REGMINT_META")
			leaktest.Check(t, "metadata variable", v.Value, all...)
		}
		// Checked again at cleanup; here so that a failure names this test.
		leaktest.Check(t, "errors", e.texts.String(), all...)
		leaktest.Check(t, "client log", e.logs.String(), all...)
		if !strings.Contains(e.logs.String(), "rate limit") {
			t.Error("the rate-limit wait was not logged")
		}
	}
}

func ptr[T any](v T) *T { return &v }
