package tcr_test

import (
	"context"
	"testing"
	"time"

	"github.com/regmint/regmint/core"
	"github.com/regmint/regmint/core/tcr"
	"github.com/regmint/regmint/core/tcr/tcrtest"
)

func TestRevoke(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	is := e.issuer(t, e.target(longTerm))
	c, err := is.Issue(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := verify(t, c), core.VerifyGood; got != want {
		t.Fatalf("before revoke: verify = %v, want %v", got, want)
	}
	if err := is.Revoke(ctx(t), c.TokenID); err != nil {
		t.Fatalf("Revoke: %v", err)
	}
	if got, want := verify(t, c), core.VerifyBad; got != want {
		t.Errorf("after revoke: verify = %v, want %v", got, want)
	}
	if err := is.Revoke(ctx(t), c.TokenID); err != nil {
		t.Errorf("revoking again: %v", err)
	}
	if got, want := e.srv.Calls("DescribeInstanceToken"), 1; got != want {
		t.Errorf("DescribeInstanceToken calls = %d, want %d (to confirm the token is gone)", got, want)
	}
}

func TestRevokeFailures(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		fault tcrtest.Fault
		n     int
		code  string
		lists int
	}{
		{"token still listed after an InvalidParameter", tcrtest.Fault{Action: "DeleteInstanceToken", Code: "InvalidParameter", Message: "x"}, 1, "InvalidParameter", 1},
		{"auth failure: no listing", tcrtest.Fault{Action: "DeleteInstanceToken", Code: "AuthFailure.SignatureFailure"}, 1, "AuthFailure.SignatureFailure", 0},
		{"5xx then success", tcrtest.Fault{Action: "DeleteInstanceToken", Status: 503}, 2, "", 0},
		{"throttled then success", tcrtest.Fault{Action: "DeleteInstanceToken", Code: "RequestLimitExceeded"}, 2, "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			is := e.issuer(t, e.target(longTerm))
			c, err := is.Issue(ctx(t))
			if err != nil {
				t.Fatal(err)
			}
			e.srv.Inject(tt.n, tt.fault)
			err = is.Revoke(ctx(t), c.TokenID)
			if got := tcr.Code(err); got != tt.code {
				t.Errorf("Code = %q (err %v), want %q", got, err, tt.code)
			}
			if got := e.srv.Calls("DescribeInstanceToken"); got != tt.lists {
				t.Errorf("DescribeInstanceToken calls = %d, want %d", got, tt.lists)
			}
			if got, want := len(e.srv.LongTermTokens(e.inst.ID)) == 0, tt.code == ""; got != want {
				t.Errorf("token deleted = %v, want %v", got, want)
			}
		})
	}
	t.Run("empty token id", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t)
		if err := e.issuer(t, e.target()).Revoke(ctx(t), ""); err == nil || e.srv.Calls("") != 0 {
			t.Errorf("Revoke(\"\") = %v after %d calls, want an error before any call", err, e.srv.Calls(""))
		}
	})
}

func TestListTokens(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	is := e.issuer(t, e.target(longTerm, func(t *core.Target) { t.Registry = "reg.example.com" }))
	const n = 205 // three pages of 100
	want := map[string]bool{}
	for i := 0; i < n; i++ {
		c, err := is.Issue(ctx(t))
		if err != nil {
			t.Fatal(err)
		}
		want[c.TokenID] = true
	}
	toks, err := is.ListTokens(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	if got := len(toks); got != n {
		t.Fatalf("ListTokens returned %d, want %d", got, n)
	}
	for _, tok := range toks {
		if !want[tok.ID] {
			t.Errorf("unexpected token %q", tok.ID)
		}
		delete(want, tok.ID)
		// CreatedAt comes in whole seconds, ExpiredAt in milliseconds.
		if life := tok.ExpiresAt.Sub(tok.CreatedAt); tok.CreatedAt.IsZero() || life < tcrtest.LongTermTokenTTL || life >= tcrtest.LongTermTokenTTL+time.Second || !tok.Enabled {
			t.Errorf("token %+v: want created, enabled, expiring in %v", tok, tcrtest.LongTermTokenTTL)
			break
		}
	}
	if got, want := e.srv.Calls("DescribeInstanceToken"), 3; got != want {
		t.Errorf("DescribeInstanceToken calls = %d, want %d", got, want)
	}
}

func TestEndToEnd(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name string
		mod  func(*core.Target)
		end  func(e *env, is *tcr.Issuer, c core.Credential) error
	}{
		{"temp token expires", func(*core.Target) {}, func(e *env, _ *tcr.Issuer, _ core.Credential) error {
			e.srv.Advance(time.Hour + time.Second)
			return nil
		}},
		{"long-term token revoked", longTerm, func(e *env, is *tcr.Issuer, c core.Credential) error {
			return is.Revoke(context.Background(), c.TokenID)
		}},
		{"keyless temp token expires", nil, func(e *env, _ *tcr.Issuer, _ core.Credential) error {
			e.srv.Advance(2 * time.Hour)
			return nil
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			mod := tt.mod
			if mod == nil {
				mod = e.oidc
			}
			is := e.issuer(t, e.target(mod))
			c, err := is.Issue(ctx(t))
			if err != nil {
				t.Fatal(err)
			}
			if got, want := verify(t, c), core.VerifyGood; got != want {
				t.Fatalf("fresh credential: verify = %v, want %v", got, want)
			}
			if err := tt.end(e, is, c); err != nil {
				t.Fatal(err)
			}
			if got, want := verify(t, c), core.VerifyBad; got != want {
				t.Errorf("afterwards: verify = %v, want %v", got, want)
			}
		})
	}
}
