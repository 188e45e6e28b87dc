package swr_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/regmint/regmint/core"
	"github.com/regmint/regmint/core/swr"
	"github.com/regmint/regmint/core/swr/swrtest"
)

func TestWrongPasswordIsFinalAndClear(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	tg, opts := w.setup(t, swr.EnterpriseName, core.TokenTemp, authPassword)
	tg.Auth.IAMPassword = w.acct.Password + "-wrong"
	iss, err := swr.New(tg, opts)
	if err != nil {
		t.Fatal(err)
	}
	_, err = iss.Issue(context.Background())
	if err == nil {
		t.Fatal("Issue with a wrong password: no error")
	}
	msg := err.Error()
	for _, want := range []string{"swr KeystoneCreateUserTokenByPassword", w.acct.UserName + "@" + w.acct.DomainName, "The username or password is wrong.", "401"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q does not contain %q", msg, want)
		}
	}
	if strings.Contains(msg, tg.Auth.IAMPassword) {
		t.Error("the error shows the password")
	}
	var ae *swr.APIError
	if !errors.As(err, &ae) || ae.StatusCode != 401 || ae.Op != swr.OpKeystoneCreateUserTokenByPassword {
		t.Errorf("errors.As APIError: %#v", ae)
	}
	if h := swr.Hint(err); !strings.Contains(h, "iam-password") {
		t.Errorf("Hint = %q", h)
	}
	if got := w.srv.Calls(swrtest.OpKeystoneCreateUserTokenByPassword); got != 1 {
		t.Errorf("IAM calls = %d, want 1 (no retry)", got)
	}
	if got := w.srv.Calls(swrtest.OpShowInstance) + w.srv.Calls(swrtest.OpCreateInstanceTempCredential); got != 0 {
		t.Errorf("SWR calls = %d after a refused login", got)
	}
}

func TestIAMTokenReusedAcrossCalls(t *testing.T) {
	t.Parallel()
	for _, auth := range []string{authPassword, authOIDC} {
		t.Run(auth, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t)
			tg, opts := w.setup(t, swr.EnterpriseName, core.TokenTemp, auth)
			iss, err := swr.New(tg, opts)
			if err != nil {
				t.Fatal(err)
			}
			for range 3 {
				if _, err := iss.Issue(context.Background()); err != nil {
					t.Fatal(err)
				}
			}
			iamCalls := w.srv.Calls(swrtest.OpKeystoneCreateUserTokenByPassword) + w.srv.Calls(swrtest.OpCreateTokenWithIdToken)
			if iamCalls != 1 {
				t.Errorf("IAM token calls = %d, want 1", iamCalls)
			}
			if got := w.srv.Calls(swrtest.OpCreateInstanceTempCredential); got != 3 {
				t.Errorf("CreateInstanceTempCredential calls = %d, want 3", got)
			}
		})
	}
}

func TestIAMTokenRenewedNearExpiry(t *testing.T) {
	t.Parallel()
	clock := swrtest.NewClock(time.Now())
	w := newWorld(t, swrtest.WithClock(clock.Now))
	tg, opts := w.setup(t, swr.EnterpriseName, core.TokenTemp, authPassword)
	iss, err := swr.New(tg, withNow(opts, clock.Now))
	if err != nil {
		t.Fatal(err)
	}
	issue := func() {
		t.Helper()
		c, err := iss.Issue(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if v := (core.Verifier{}).Verify(context.Background(), c); v.Result != core.VerifyGood {
			t.Fatalf("Verify = %v", v)
		}
	}
	calls := func() int { return w.srv.Calls(swrtest.OpKeystoneCreateUserTokenByPassword) }
	issue()
	clock.Advance(swrtest.TokenTTL - time.Hour) // still valid for an hour: reused
	issue()
	if got := calls(); got != 1 {
		t.Fatalf("IAM calls after 23 h = %d, want 1", got)
	}
	clock.Advance(50 * time.Minute) // 10 minutes left: renewed before it lapses
	issue()
	if got := calls(); got != 2 {
		t.Fatalf("IAM calls 10 minutes before expiry = %d, want 2", got)
	}
	clock.Advance(swrtest.TokenTTL + time.Minute) // long expired
	issue()
	if got := calls(); got != 3 {
		t.Fatalf("IAM calls after expiry = %d, want 3", got)
	}
}

// A cached token the service no longer accepts (revoked by a password
// change) is dropped and replaced once.
func TestRevokedIAMTokenIsReplaced(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	tg, opts := w.setup(t, swr.EnterpriseName, core.TokenTemp, authPassword)
	iss, err := swr.New(tg, opts)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := iss.Issue(context.Background()); err != nil {
		t.Fatal(err)
	}
	w.srv.RevokeTokens(w.acct)
	if _, err := iss.Issue(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := w.srv.Calls(swrtest.OpKeystoneCreateUserTokenByPassword); got != 2 {
		t.Errorf("IAM calls = %d, want 2", got)
	}
}

// The issuer always calls the project its token is scoped to (the emulator
// refuses a token on any other project: see swrtest's
// TestTokenScopedToAnotherProjectIsRefused); an instance of another project
// is then not found.
func TestTokenScopedToAnotherProjectFindsNoInstance(t *testing.T) {
	t.Parallel()
	w := newWorld(t, swrtest.WithRegions(region, "ap-southeast-1"))
	tg, opts := w.setup(t, swr.EnterpriseName, core.TokenTemp, authPassword)
	tg.Auth.ProjectID = w.acct.Projects["ap-southeast-1"] // the token's scope
	iss, err := swr.New(tg, opts)
	if err != nil {
		t.Fatal(err)
	}
	_, err = iss.Issue(context.Background())
	var ae *swr.APIError
	if !errors.As(err, &ae) || ae.StatusCode != 404 {
		t.Fatalf("Issue = %v, want 404", err)
	}
}

func TestOIDCRefused(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	other := w.srv.NewIdP(w.acct)
	tg, opts := w.setup(t, swr.EnterpriseName, core.TokenTemp, authOIDC)
	tg.Auth.IdPID = other.ID // a token of another identity provider
	iss, err := swr.New(tg, opts)
	if err != nil {
		t.Fatal(err)
	}
	_, err = iss.Issue(context.Background())
	var ae *swr.APIError
	if !errors.As(err, &ae) || ae.StatusCode != 401 || ae.Op != swr.OpCreateTokenWithIdToken {
		t.Fatalf("Issue = %v, want 401 from CreateTokenWithIdToken", err)
	}
	if h := swr.Hint(err); !strings.Contains(h, "idp-id") {
		t.Errorf("Hint = %q", h)
	}
	if got := w.srv.Calls(swrtest.OpCreateTokenWithIdToken); got != 1 {
		t.Errorf("calls = %d, want 1", got)
	}
}
