package tcr_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/regmint/regmint/core"
	"github.com/regmint/regmint/core/tcr"
	"github.com/regmint/regmint/core/tcr/tcrtest"
	"github.com/regmint/regmint/internal/leaktest"
	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common"
	tchttp "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/http"
	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/profile"
)

// capture collects everything a scenario prints, logs or returns.
type capture struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (c *capture) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.buf.Write(p)
}

func (c *capture) String() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.buf.String()
}

// record renders a value every way a caller might: %v, %+v, %#v, %s and,
// for errors, the Hint.
func (c *capture) record(label string, v any) {
	fmt.Fprintf(c, "%s: %v | %+v | %#v | %s\n", label, v, v, v, v)
	if err, ok := v.(error); ok {
		fmt.Fprintf(c, "%s hint: %s\n", label, tcr.Hint(err))
	}
}

func TestNoSecretLeaks(t *testing.T) {
	t.Parallel()
	scenarios := []struct {
		name string
		run  func(t *testing.T, e *env, out *capture, opts []func(*core.Env))
	}{
		{"temp token, verified", func(t *testing.T, e *env, out *capture, opts []func(*core.Env)) {
			is := e.issuer(t, e.target(), opts...)
			c, err := is.Issue(context.Background())
			out.record("issue", err)
			out.record("credential", c)
			out.record("verify", core.Verifier{}.Verify(context.Background(), c))
		}},
		{"long-term token, listed and revoked twice", func(t *testing.T, e *env, out *capture, opts []func(*core.Env)) {
			is := e.issuer(t, e.target(longTerm), opts...)
			c, err := is.Issue(context.Background())
			out.record("issue", err)
			out.record("credential", c)
			toks, err := is.ListTokens(context.Background())
			out.record("list", err)
			out.record("tokens", toks)
			out.record("revoke", is.Revoke(context.Background(), c.TokenID))
			out.record("revoke again", is.Revoke(context.Background(), c.TokenID))
			out.record("verify", core.Verifier{}.Verify(context.Background(), c))
		}},
		{"wrong secret key", func(t *testing.T, e *env, out *capture, opts []func(*core.Env)) {
			tg := e.target(func(t *core.Target) { t.Auth.AccessKeySecret = e.srv.AddKey().Secret })
			_, err := e.issuer(t, tg, opts...).Issue(context.Background())
			out.record("issue", err)
		}},
		{"wrong session token", func(t *testing.T, e *env, out *capture, opts []func(*core.Env)) {
			k, other := e.srv.AddSessionKey(time.Hour), e.srv.AddSessionKey(time.Hour)
			tg := e.target(func(t *core.Target) {
				t.Auth = core.Auth{AccessKeyID: k.ID, AccessKeySecret: k.Secret, SecurityToken: other.Token}
			})
			_, err := e.issuer(t, tg, opts...).Issue(context.Background())
			out.record("issue", err)
		}},
		{"cut-short answer holding a minted token", func(t *testing.T, e *env, out *capture, opts []func(*core.Env)) {
			for _, mod := range []func(*core.Target){func(*core.Target) {}, longTerm} {
				e.srv.Inject(1, tcrtest.Fault{Action: "CreateInstanceToken", Malformed: true})
				_, err := e.issuer(t, e.target(mod), opts...).Issue(context.Background())
				out.record("issue", err)
			}
		}},
		{"5xx, throttling, InternalError, then success", func(t *testing.T, e *env, out *capture, opts []func(*core.Env)) {
			e.srv.FailHTTP(1, 502)
			e.srv.Throttle(1)
			e.srv.Inject(1, tcrtest.Fault{Code: "InternalError", Message: "oops"})
			c, err := e.issuer(t, e.target(), opts...).Issue(context.Background())
			out.record("issue", err)
			out.record("credential", c)
		}},
		{"keyless, twice", func(t *testing.T, e *env, out *capture, opts []func(*core.Env)) {
			is := e.issuer(t, e.target(e.oidc), opts...)
			for i := 0; i < 2; i++ {
				c, err := is.Issue(context.Background())
				out.record("issue", err)
				out.record("credential", c)
			}
		}},
		{"keyless: cut-short STS answer holding temporary keys", func(t *testing.T, e *env, out *capture, opts []func(*core.Env)) {
			e.srv.Inject(1, tcrtest.Fault{Action: "AssumeRoleWithWebIdentity", Malformed: true})
			_, err := e.issuer(t, e.target(e.oidc), opts...).Issue(context.Background())
			out.record("issue", err)
		}},
		{"keyless: refused web identity token", func(t *testing.T, e *env, out *capture, opts []func(*core.Env)) {
			tg := e.target(e.oidc)
			e.srv.Advance(2 * time.Hour) // the token expires; STS is not signed, so the clock shift is fine
			_, err := e.issuer(t, tg, opts...).Issue(context.Background())
			out.record("issue", err)
		}},
		{"env auth with session token, and without variables", func(t *testing.T, e *env, out *capture, opts []func(*core.Env)) {
			k := e.srv.AddSessionKey(time.Hour)
			vars := map[string]string{tcr.EnvSecretID: k.ID, tcr.EnvSecretKey: k.Secret, tcr.EnvSessionToken: k.Token}
			is, err := e.newIssuer(e.target(envAuth), append(opts, func(v *core.Env) { v.Getenv = func(s string) string { return vars[s] } })...)
			out.record("new", err)
			if err == nil {
				c, err := is.Issue(context.Background())
				out.record("issue", err)
				out.record("credential", c)
			}
			_, err = e.newIssuer(e.target(envAuth), append(opts, func(v *core.Env) { v.Getenv = func(string) string { return "" } })...)
			out.record("new without variables", err)
		}},
		{"cancelled while waiting", func(t *testing.T, e *env, out *capture, opts []func(*core.Env)) {
			e.srv.SetLatency(time.Minute)
			c, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
			defer cancel()
			_, err := e.issuer(t, e.target(e.oidc), opts...).Issue(c)
			out.record("issue", err)
		}},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			out := &capture{}
			log := slog.New(slog.NewTextHandler(out, &slog.HandlerOptions{Level: slog.LevelDebug}))
			sc.run(t, e, out, []func(*core.Env){func(v *core.Env) { v.Logger = log }})
			var secrets []string
			for _, s := range e.srv.Secrets() {
				secrets = append(secrets, s, core.DockerAuth(e.srv.UIN, s))
			}
			if len(secrets) == 0 {
				t.Fatal("no secrets to look for")
			}
			leaktest.Check(t, sc.name, out.String(), secrets...)
		})
	}
}

// TestSDKErrorsQuoteBodies is the control for TestNoSecretLeaks: the SDK's
// own error for a cut-short answer quotes the body, minted token and all,
// which is why the issuer replaces such messages.
func TestSDKErrorsQuoteBodies(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	cpf := profile.NewClientProfile()
	cpf.HttpProfile.Scheme = "HTTP"
	cpf.HttpProfile.Endpoint = e.srv.APIHost()
	c := common.NewCommonClient(common.NewCredential(e.key.ID, e.key.Secret), region, cpf)
	req := tchttp.NewCommonRequest("tcr", tcrtest.APIVersion, "CreateInstanceToken")
	req.SetActionParameters(map[string]any{"RegistryId": e.inst.ID})
	e.srv.Malform(1)
	err := c.Send(req, tchttp.NewCommonResponse())
	if err == nil {
		t.Fatal("Send succeeded")
	}
	if found := leaktest.Find(err.Error(), e.srv.Secrets()...); len(found) == 0 {
		t.Errorf("the SDK's error no longer quotes the body (%v): the sanitising in newAPIError may be unneeded", err)
	}
}
