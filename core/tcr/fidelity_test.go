package tcr_test

import (
	"strings"
	"testing"
	"time"

	"github.com/regmint/regmint/core"
	"github.com/regmint/regmint/core/tcr"
	"github.com/regmint/regmint/core/tcr/tcrtest"
)

// TestSTSCodesFromSDK checks every error code tencentcloud-sdk-go defines
// in sts/v20180813/errors.go: faults and the frequency limit are retried,
// the rest are final at once, so a wrong role-arn does not spin until the
// deadline.
func TestSTSCodesFromSDK(t *testing.T) {
	t.Parallel()
	retried := []string{
		"InternalError.DbError", "InternalError.EncryptError", "InternalError.GetSeedTokenError",
		"InternalError.PbSerializeError", "InternalError.SystemError", "InternalError.UnknownError",
		"InvalidParameter.OverLimit", "RequestLimitExceeded",
	}
	final := []string{
		"InternalError.GetAppIdError", "InternalError.GetRoleError", "InternalError.IllegalRole",
		"InvalidParameter.AccountNotAvaliable", "InvalidParameter.ExtendStrategyOverSize",
		"InvalidParameter.GrantOtherResource", "InvalidParameter.OverTimeError", "InvalidParameter.ParamError",
		"InvalidParameter.PolicyTooLong", "InvalidParameter.ResouceError", "InvalidParameter.StrategyFormatError",
		"InvalidParameter.StrategyInvalid", "InvalidParameter.TempCodeNotAvaliable",
		"InvalidParameter.WebIdentityTokenError", "ResourceNotFound.RoleNotFound", "UnauthorizedOperation",
		// Not in the SDK's list: final rather than retried blind.
		"InternalError.SomethingNew",
	}
	run := func(t *testing.T, code string, wantCalls int, wantErr bool) {
		t.Helper()
		e := newEnv(t)
		e.srv.Inject(1, tcrtest.Fault{Action: "AssumeRoleWithWebIdentity", Code: code})
		_, err := e.issuer(t, e.target(e.oidc)).Issue(ctx(t))
		if (err != nil) != wantErr {
			t.Errorf("%s: err = %v, want error %v", code, err, wantErr)
		}
		if wantErr && tcr.Code(err) != code {
			t.Errorf("%s: Code = %q", code, tcr.Code(err))
		}
		if got := e.srv.Calls("AssumeRoleWithWebIdentity"); got != wantCalls {
			t.Errorf("%s: STS calls = %d, want %d", code, got, wantCalls)
		}
	}
	for _, code := range retried {
		t.Run("retried/"+code, func(t *testing.T) { t.Parallel(); run(t, code, 2, false) })
	}
	for _, code := range final {
		t.Run("final/"+code, func(t *testing.T) { t.Parallel(); run(t, code, 1, true) })
	}
}

// TestKeylessHints checks the advice for the three things users get wrong
// in keyless login: the role, the provider id and the token's audience.
func TestKeylessHints(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name string
		mod  func(e *env, t *core.Target)
		code string
		hint []string
	}{
		{"wrong role", func(e *env, t *core.Target) { t.Auth.RoleARN = "qcs::cam::uin/1:roleName/typo" },
			"InternalError.GetRoleError", []string{"role-arn", "trust policy", "Not retried"}},
		{"wrong provider id", func(e *env, t *core.Target) { t.Auth.OIDCProviderID = "typo" },
			"InvalidParameter.ParamError", []string{"oidc-provider-id"}},
		{"token refused (audience)", func(e *env, t *core.Target) { t.Auth.WebIdentityToken = "eyJ.other-audience.x" },
			"InvalidParameter.WebIdentityTokenError", []string{"audience", "id-token: write"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			tg := e.target(e.oidc)
			tt.mod(e, &tg)
			_, err := e.issuer(t, tg).Issue(ctx(t))
			if got := tcr.Code(err); got != tt.code {
				t.Fatalf("Code = %q (err %v), want %q", got, err, tt.code)
			}
			if got := e.srv.Calls("AssumeRoleWithWebIdentity"); got != 1 {
				t.Errorf("STS calls = %d, want 1 (final)", got)
			}
			h := tcr.Hint(err)
			for _, w := range tt.hint {
				if !strings.Contains(h, w) {
					t.Errorf("Hint = %q, want it to mention %q", h, w)
				}
			}
		})
	}
}

// TestLongTermWithoutExpTime checks that a long-term answer whose ExpTime
// is absent, null or 0 (every SDK field is an optional pointer) is a token
// that does not expire, not a failure that leaves the token behind.
func TestLongTermWithoutExpTime(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name string
		form tcrtest.ExpTimeForm
	}{
		{"omitted", tcrtest.ExpTimeOmitted}, {"null", tcrtest.ExpTimeNull}, {"zero", tcrtest.ExpTimeZero},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			e.srv.SetLongTermExpTime(tt.form)
			c, err := e.issuer(t, e.target(longTerm)).Issue(ctx(t))
			if err != nil {
				t.Fatalf("Issue: %v", err)
			}
			if !c.ExpiresAt.IsZero() || c.Expires() {
				t.Errorf("ExpiresAt = %v, want zero (does not expire)", c.ExpiresAt)
			}
			if c.TokenID == "" {
				t.Error("no TokenID")
			}
			if got, want := len(e.srv.LongTermTokens(e.inst.ID)), 1; got != want {
				t.Errorf("long-term tokens = %d, want %d", got, want)
			}
			if got, want := verify(t, c), core.VerifyGood; got != want {
				t.Errorf("verify = %v, want %v", got, want)
			}
		})
	}
	// The default form still carries the expiry.
	e := newEnv(t)
	c, err := e.issuer(t, e.target(longTerm)).Issue(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	if got := time.Until(c.ExpiresAt); got < 9*365*24*time.Hour {
		t.Errorf("long-term token expires in %v, want about ten years", got)
	}
}
