// Package issuertest checks that a provider behaves as every delivery form
// expects, whatever cloud it speaks to: the same conformance tests run
// against every provider's issuer through its loopback emulator (as
// core/store/storetest does for stores). A new provider gets its test suite
// by calling Run from its package's tests. It is for tests only.
package issuertest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/regmint/regmint/core"
	"github.com/regmint/regmint/core/providers"
	"github.com/regmint/regmint/internal/leaktest"
)

// Fixture is one provider and its emulator.
type Fixture struct {
	// Provider is the descriptor under test, as listed in providers.All.
	Provider core.Descriptor
	// LongTerm says the provider mints long-term tokens that its issuer
	// revokes (core.Revoker) and lists (core.TokenLister).
	LongTerm bool
	// Emulate starts an emulator for one test (cleaned up with t) and
	// returns a valid target of token type tt on it, with access-key auth.
	Emulate func(t *testing.T, tt core.TokenType) Emulated
}

// Emulated is a target on an emulator, and the emulator's controls.
type Emulated struct {
	// Target is valid and complete, cloud auth included.
	Target core.Target
	// Env is what its issuer runs with (a transport trusting the
	// emulator, fast retries).
	Env core.Env
	// Advance moves the emulator's clock (token lifetimes and the
	// registry's acceptance) forward by d; nil skips the expiry check.
	Advance func(d time.Duration)
	// Secrets returns every secret the emulator knows (keys, tokens,
	// passwords), for the leak checks.
	Secrets func() []string
}

// Run checks the provider: its descriptor, bad input refused before any
// call with errors naming the field, a credential issued and accepted by
// the registry, expiry, revocation of long-term tokens, a wrong key refused
// with a hint, and no secret in any error or rendering.
func Run(t *testing.T, f Fixture) {
	t.Helper()
	d := f.Provider
	ctx := context.Background()

	t.Run("Descriptor", func(t *testing.T) {
		t.Parallel()
		if d.Name == "" || strings.ToLower(string(d.Name)) != string(d.Name) || d.Title == "" || d.Vendor == "" {
			t.Errorf("descriptor names: %q, %q, %q", d.Name, d.Title, d.Vendor)
		}
		if d.Validate == nil || d.New == nil || d.Hint == nil {
			t.Fatal("descriptor lacks Validate, New or Hint")
		}
		if d.RateLimit <= 0 || len(d.Auth) == 0 || len(d.SecretEnv) == 0 || len(d.SourceKeys) == 0 {
			t.Errorf("descriptor lacks rate limit, auth methods, secret variables or source keys: %+v", d)
		}
		if listed, err := providers.Lookup(d.Name); err != nil || listed.Title != d.Title {
			t.Errorf("%s is not in providers.All: %v", d.Name, err)
		}
		if d.Supports(core.AuthOIDC) && d.OIDCField == "" {
			t.Error("keyless provider names no OIDC field")
		}
	})

	t.Run("BadInput", func(t *testing.T) {
		t.Parallel()
		e := f.Emulate(t, core.TokenTemp)
		good, env := e.Target, e.Env
		if err := providers.Validate(good); err != nil {
			t.Fatalf("the fixture's target is invalid: %v", err)
		}
		for _, tc := range []struct {
			field string
			mod   func(*core.Target)
		}{
			{core.FieldRegion, func(t *core.Target) { t.Region = "" }},
			{core.FieldRegion, func(t *core.Target) { t.Region = "Guangzhou 1" }},
			{core.FieldRegistry, func(t *core.Target) { t.Registry = "https://reg.example.com/v2" }},
			{core.FieldTokenType, func(t *core.Target) { t.TokenType = "forever" }},
			{core.FieldAPIEndpoint, func(t *core.Target) { t.APIEndpoint = "ftp://api.example.com" }},
			{core.FieldAccessSecret, func(t *core.Target) { t.Auth.AccessKeySecret = "" }},
			{core.FieldAuth, func(t *core.Target) { t.Auth.IAMUser, t.Auth.IAMPassword, t.Auth.IAMDomain = "u", "p-secret", "d" }},
		} {
			bad := good
			tc.mod(&bad)
			_, err := providers.New(bad, env)
			if err == nil {
				t.Errorf("%s: New accepted a bad target", tc.field)
				continue
			}
			if !namesField(err, tc.field) {
				t.Errorf("%s: error names no such field: %v", tc.field, err)
			}
			leaktest.Check(t, "validation error", err.Error(), append(good.Auth.Secrets(), "p-secret")...)
		}
		other := good
		other.Provider = "no-such-cloud"
		if _, err := providers.New(other, env); !namesField(err, core.FieldProvider) {
			t.Errorf("unknown provider: %v", err)
		}
	})

	t.Run("IssueAndVerify", func(t *testing.T) {
		t.Parallel()
		e := f.Emulate(t, core.TokenTemp)
		tg, env := e.Target, e.Env
		iss, err := d.New(tg, env)
		if err != nil {
			t.Fatal(err)
		}
		c, err := iss.Issue(ctx)
		if err != nil {
			t.Fatalf("Issue: %v", err)
		}
		if err := c.Check(); err != nil {
			t.Fatalf("issued credential: %v", err)
		}
		if c.Expires() && !c.ExpiresAt.After(time.Now().Add(-time.Hour)) {
			t.Errorf("temporary credential already expired: %v", c.ExpiresAt)
		}
		checkNoSecrets(t, e, c, fmt.Sprintf("%v %+v %#v %s", c, c, c, c.String()))
		if v := (core.Verifier{Transport: env.Transport}).Verify(ctx, c); v.Result != core.VerifyGood {
			t.Fatalf("the registry refuses the new credential: %v", v)
		}
		if e.Advance != nil && c.Expires() {
			e.Advance(c.ExpiresAt.Sub(env.WithDefaults().Now()) + time.Minute)
			if v := (core.Verifier{Transport: env.Transport}).Verify(ctx, c); v.Result != core.VerifyBad {
				t.Errorf("the registry accepts the credential after its expiry: %v", v)
			}
		}
	})

	if f.LongTerm {
		t.Run("LongTermRevoke", func(t *testing.T) {
			t.Parallel()
			e := f.Emulate(t, core.TokenLongTerm)
			tg, env := e.Target, e.Env
			tg.Description = "regmint conformance " + string(d.Name)
			iss, err := d.New(tg, env)
			if err != nil {
				t.Fatal(err)
			}
			rev, ok := iss.(core.Revoker)
			if !ok {
				t.Fatal("long-term issuer is not a core.Revoker")
			}
			c, err := iss.Issue(ctx)
			if err != nil {
				t.Fatalf("Issue: %v", err)
			}
			if c.TokenID == "" {
				t.Fatal("long-term credential has no token id")
			}
			if lister, ok := iss.(core.TokenLister); ok {
				toks, err := lister.IssuedTokens(ctx)
				if err != nil || !hasToken(toks, c.TokenID) {
					t.Errorf("IssuedTokens = %v, %v: the new token is not listed", toks, err)
				}
			} else {
				t.Error("long-term issuer is not a core.TokenLister")
			}
			ver := core.Verifier{Transport: env.Transport}
			if v := ver.Verify(ctx, c); v.Result != core.VerifyGood {
				t.Fatalf("the registry refuses the long-term credential: %v", v)
			}
			if err := rev.Revoke(ctx, c.TokenID); err != nil {
				t.Fatalf("Revoke: %v", err)
			}
			if v := ver.Verify(ctx, c); v.Result != core.VerifyBad {
				t.Errorf("the registry accepts a revoked credential: %v", v)
			}
			if err := rev.Revoke(ctx, c.TokenID); err != nil {
				t.Errorf("revoking again: %v, want nil (already gone)", err)
			}
		})
	}

	t.Run("WrongKey", func(t *testing.T) {
		t.Parallel()
		e := f.Emulate(t, core.TokenTemp)
		tg, env := e.Target, e.Env
		tg.Auth.AccessKeySecret = "wrong-" + tg.Auth.AccessKeySecret
		iss, err := d.New(tg, env)
		if err != nil {
			t.Fatal(err)
		}
		c, err := iss.Issue(ctx)
		if err == nil {
			t.Fatalf("a wrong secret key minted %v", c)
		}
		if d.Hint(err) == "" || providers.Hint(err) == "" {
			t.Errorf("no hint for a wrong key: %v", err)
		}
		checkNoSecrets(t, e, core.Credential{}, fmt.Sprintf("%v %+v %s", err, err, providers.Hint(err)), tg.Auth.AccessKeySecret)
	})

	t.Run("Cancelled", func(t *testing.T) {
		t.Parallel()
		e := f.Emulate(t, core.TokenTemp)
		tg, env := e.Target, e.Env
		iss, err := d.New(tg, env)
		if err != nil {
			t.Fatal(err)
		}
		c, cancel := context.WithCancel(ctx)
		cancel()
		if _, err := iss.Issue(c); err == nil || !errors.Is(err, context.Canceled) {
			t.Errorf("Issue with a cancelled context: %v, want context.Canceled", err)
		}
	})
}

func namesField(err error, field string) bool {
	for _, fe := range core.FieldErrors(err) {
		if fe.Field == field {
			return true
		}
	}
	return false
}

func hasToken(toks []core.IssuedToken, id string) bool {
	for _, tk := range toks {
		if tk.ID == id {
			return true
		}
	}
	return false
}

// checkNoSecrets fails if text shows any secret the emulator knows, the
// credential's, or the extra ones.
func checkNoSecrets(t *testing.T, e Emulated, c core.Credential, text string, extra ...string) {
	t.Helper()
	secrets := append(c.Secrets(), extra...)
	if e.Secrets != nil {
		secrets = append(secrets, e.Secrets()...)
	}
	if c.Password != "" {
		// The rendering of a credential must never show its own password.
		leaktest.Check(t, "credential rendering", text, secrets...)
		return
	}
	leaktest.Check(t, "error", text, secrets...)
}
