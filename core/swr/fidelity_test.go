package swr_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/regmint/regmint/core"
	"github.com/regmint/regmint/core/swr"
	"github.com/regmint/regmint/core/swr/swrtest"
)

func fctx(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// enterprise builds an Enterprise issuer of the world's instance for an
// auth path, changed by mod.
func (w *world) enterprise(t *testing.T, tt core.TokenType, auth string, mod func(*core.Target)) *swr.Enterprise {
	t.Helper()
	tg, opts := w.setup(t, swr.EnterpriseName, tt, auth)
	tg.Description = "regmint fidelity"
	if mod != nil {
		mod(&tg)
	}
	e, err := swr.NewEnterprise(tg, opts)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func verifyCred(t *testing.T, c core.Credential) core.VerifyResult {
	t.Helper()
	return core.Verifier{Timeout: 10 * time.Second}.Verify(fctx(t), c).Result
}

// TestRevokeConfirmsNotFound: a 404 to DeleteInstanceLtCredential counts
// as revoked only when a listing of the instance no longer shows the
// credential. A wrong instance id or an unknown route answers 404 as well,
// and the credential still logs in.
func TestRevokeConfirmsNotFound(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ctx := fctx(t)
	good := w.enterprise(t, core.TokenLongTerm, authKeys, nil)
	c, err := good.Issue(ctx)
	if err != nil {
		t.Fatal(err)
	}

	t.Run("wrong instance id", func(t *testing.T) {
		wrong := w.enterprise(t, core.TokenLongTerm, authKeys, func(tg *core.Target) { tg.InstanceID = "no-such-instance" })
		err := wrong.Revoke(ctx, c.TokenID)
		if err == nil {
			t.Fatal("Revoke through a wrong instance id succeeded")
		}
		for _, want := range []string{"DeleteInstanceLtCredential", "no-such-instance", "not found"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("err = %v, want it to name %q", err, want)
			}
		}
		if h := swr.Hint(err); !strings.Contains(h, "instance-id") {
			t.Errorf("Hint = %q, want it to point at instance-id", h)
		}
	})
	t.Run("404 from the route while the credential exists", func(t *testing.T) {
		w.srv.Inject(swrtest.Fault{Op: swrtest.OpDeleteInstanceLtCredential, Status: 404})
		err := good.Revoke(ctx, c.TokenID)
		if err == nil || !strings.Contains(err.Error(), "still lists") {
			t.Fatalf("err = %v, want the credential still listed", err)
		}
	})
	if got, want := verifyCred(t, c), core.VerifyGood; got != want {
		t.Fatalf("after the failed revocations the credential verifies %v, want %v", got, want)
	}
	if err := good.Revoke(ctx, c.TokenID); err != nil {
		t.Fatalf("Revoke: %v", err)
	}
	if err := good.Revoke(ctx, c.TokenID); err != nil {
		t.Errorf("Revoke of a credential already gone (404, not listed): %v", err)
	}
	if got, want := verifyCred(t, c), core.VerifyBad; got != want {
		t.Errorf("after Revoke the credential verifies %v, want %v", got, want)
	}
}

// TestListingSeesEarlierIdentity: after a switch of cloud auth (IAM
// password to keyless OIDC), the credentials the earlier identity created
// are still found (self_only=false), by IssuedTokens and by Revoke's check.
func TestListingSeesEarlierIdentity(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ctx := fctx(t)
	before, err := w.enterprise(t, core.TokenLongTerm, authPassword, nil).Issue(ctx)
	if err != nil {
		t.Fatal(err)
	}
	after := w.enterprise(t, core.TokenLongTerm, authOIDC, nil)
	issued, err := after.IssuedTokens(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(issued, func(it core.IssuedToken) bool { return it.ID == before.TokenID }) {
		t.Fatalf("IssuedTokens after the switch = %v, want it to hold %s made by the earlier identity", issued, before.TokenID)
	}
	w.srv.Inject(swrtest.Fault{Op: swrtest.OpDeleteInstanceLtCredential, Status: 404})
	if err := after.Revoke(ctx, before.TokenID); err == nil {
		t.Error("a 404 for a credential another identity made, still listed, counted as revoked")
	}
	if err := after.Revoke(ctx, before.TokenID); err != nil {
		t.Fatalf("Revoke: %v", err)
	}
	if got := w.srv.LongTermCredentials(w.inst); len(got) != 0 {
		t.Errorf("credentials left: %v", got)
	}
}

// TestLongTermExpireDateNever: the forms of expire_date that mean "never"
// give a credential that does not expire, instead of one created, deleted
// and failed.
func TestLongTermExpireDateNever(t *testing.T) {
	t.Parallel()
	for _, v := range []string{
		"0001-01-01T00:00:00Z", "0001-01-01 00:00:00", "0001-01-01T00:00:00.000Z", "0",
		"9999-12-31T23:59:59Z", time.Now().AddDate(150, 0, 0).UTC().Format(time.RFC3339),
	} {
		t.Run(v, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t)
			w.srv.SetLongTermExpireDate(v)
			c, err := w.enterprise(t, core.TokenLongTerm, authKeys, nil).Issue(fctx(t))
			if err != nil {
				t.Fatalf("Issue: %v", err)
			}
			if c.Expires() {
				t.Errorf("ExpiresAt = %v, want zero (never expires)", c.ExpiresAt)
			}
			if got := len(w.srv.LongTermCredentials(w.inst)); got != 1 {
				t.Errorf("%d credentials exist, want 1", got)
			}
		})
	}
	// A real date is kept; temporary credentials still need a real one.
	w := newWorld(t)
	exp := time.Now().Add(90 * 24 * time.Hour).UTC().Truncate(time.Second)
	w.srv.SetLongTermExpireDate(exp.Format(time.RFC3339))
	c, err := w.enterprise(t, core.TokenLongTerm, authKeys, nil).Issue(fctx(t))
	if err != nil || !c.ExpiresAt.Equal(exp) {
		t.Errorf("Issue = %v, %v; want expiry %v", c.ExpiresAt, err, exp)
	}
}

// TestTempLifetimeFromAnswer: the temporary credential's expiry is the
// answer's, whether the instance grants 1 h or the documented 24 h.
func TestTempLifetimeFromAnswer(t *testing.T) {
	t.Parallel()
	for _, ttl := range []time.Duration{time.Hour, 24 * time.Hour} {
		t.Run(ttl.String(), func(t *testing.T) {
			t.Parallel()
			clock := swrtest.NewClock(time.Now().UTC().Truncate(time.Second))
			w := newWorld(t, swrtest.WithClock(clock.Now), swrtest.WithSignatureClock(time.Now), swrtest.WithTempCredentialTTL(ttl))
			c, err := w.enterprise(t, core.TokenTemp, authKeys, nil).Issue(fctx(t))
			if err != nil {
				t.Fatal(err)
			}
			if got, want := c.ExpiresAt, clock.Now().Add(ttl); !got.Equal(want) {
				t.Errorf("ExpiresAt = %v, want %v", got, want)
			}
			clock.Advance(ttl - time.Minute)
			if got, want := verifyCred(t, c), core.VerifyGood; got != want {
				t.Errorf("before expiry: verify %v, want %v", got, want)
			}
			clock.Advance(2 * time.Minute)
			if got, want := verifyCred(t, c), core.VerifyBad; got != want {
				t.Errorf("after expiry: verify %v, want %v", got, want)
			}
		})
	}
}
