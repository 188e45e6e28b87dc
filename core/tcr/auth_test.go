package tcr_test

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/regmint/regmint/core"
	"github.com/regmint/regmint/core/tcr"
	"github.com/regmint/regmint/core/tcr/tcrtest"
	"github.com/regmint/regmint/internal/testutil"
)

func envAuth(t *core.Target) { t.Auth = core.Auth{} }

func TestEnvAuth(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		vars    func(e *env) map[string]string
		missing []string // variables the error must name
	}{
		{"permanent key", func(e *env) map[string]string {
			return map[string]string{tcr.EnvSecretID: e.key.ID, tcr.EnvSecretKey: e.key.Secret}
		}, nil},
		{"session token", func(e *env) map[string]string {
			k := e.srv.AddSessionKey(time.Hour)
			return map[string]string{tcr.EnvSecretID: k.ID, tcr.EnvSecretKey: k.Secret, tcr.EnvSessionToken: k.Token}
		}, nil},
		{"session token under its older name", func(e *env) map[string]string {
			k := e.srv.AddSessionKey(time.Hour)
			return map[string]string{tcr.EnvSecretID: k.ID, tcr.EnvSecretKey: k.Secret, tcr.EnvToken: k.Token}
		}, nil},
		{"nothing set", func(e *env) map[string]string { return nil }, []string{tcr.EnvSecretID, tcr.EnvSecretKey}},
		{"no secret key", func(e *env) map[string]string {
			return map[string]string{tcr.EnvSecretID: e.key.ID}
		}, []string{tcr.EnvSecretKey}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			vars := tt.vars(e)
			getenv := func(k string) string { return vars[k] }
			is, err := tcr.New(e.target(envAuth), core.Env{Getenv: getenv, Backoff: fastBackoff})
			if tt.missing != nil {
				if err == nil {
					t.Fatal("New succeeded without keys in the environment")
				}
				if fes := core.FieldErrors(err); len(fes) != 1 || fes[0].Field != core.FieldAuth {
					t.Errorf("err = %v, want one field error for %s", err, core.FieldAuth)
				}
				for _, v := range tt.missing {
					if !strings.Contains(err.Error(), v+" ") {
						t.Errorf("err = %v, want it to name %s", err, v)
					}
				}
				if tt.missing[0] != tcr.EnvSecretID && strings.Contains(err.Error(), tcr.EnvSecretID+" is") {
					t.Errorf("err = %v names a variable that is set", err)
				}
				if got := e.srv.Calls(""); got != 0 {
					t.Errorf("%d calls made", got)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			c, err := is.Issue(ctx(t))
			if err != nil {
				t.Fatal(err)
			}
			if got, want := verify(t, c), core.VerifyGood; got != want {
				t.Errorf("verify = %v, want %v", got, want)
			}
		})
	}
}

func TestExplicitSessionToken(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	k := e.srv.AddSessionKey(time.Hour)
	for _, tt := range []struct {
		name, token, code string
	}{
		{"with its token", k.Token, ""},
		{"without", "", "AuthFailure.TokenFailure"},
	} {
		tg := e.target(func(t *core.Target) {
			t.Auth = core.Auth{AccessKeyID: k.ID, AccessKeySecret: k.Secret, SecurityToken: tt.token}
		})
		_, err := e.issuer(t, tg).Issue(ctx(t))
		if got := tcr.Code(err); got != tt.code {
			t.Errorf("%s: Code = %q (err %v), want %q", tt.name, got, err, tt.code)
		}
	}
}

func TestOIDC(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	clk := testutil.NewClock(time.Now())
	is := e.issuer(t, e.target(e.oidc), func(v *core.Env) { v.Now = clk.Now })
	for i := 0; i < 2; i++ {
		c, err := is.Issue(ctx(t))
		if err != nil {
			t.Fatal(err)
		}
		if got, want := verify(t, c), core.VerifyGood; got != want {
			t.Errorf("issue %d: verify = %v, want %v", i, got, want)
		}
	}
	if got, want := e.srv.Calls("AssumeRoleWithWebIdentity"), 1; got != want {
		t.Errorf("STS calls after two issues = %d, want %d (credentials cached)", got, want)
	}
	for _, step := range []struct {
		advance time.Duration
		calls   int
	}{
		{50 * time.Minute, 1}, // 1 h credentials, more than the 5 min margin left
		{6 * time.Minute, 2},  // inside the margin: replaced
	} {
		clk.Advance(step.advance)
		if _, err := is.Issue(ctx(t)); err != nil {
			t.Fatal(err)
		}
		if got := e.srv.Calls("AssumeRoleWithWebIdentity"); got != step.calls {
			t.Errorf("after +%v: STS calls = %d, want %d", step.advance, got, step.calls)
		}
	}
}

func TestOIDCTokenFile(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	path := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(path, []byte(e.srv.IssueWebIdentityToken(time.Hour)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tg := e.target(e.oidc, func(t *core.Target) { t.Auth.WebIdentityToken = ""; t.Auth.WebIdentityTokenFile = path })
	if _, err := e.issuer(t, tg).Issue(ctx(t)); err != nil {
		t.Fatal(err)
	}
	tg.Auth.WebIdentityTokenFile = filepath.Join(t.TempDir(), "missing")
	_, err := e.issuer(t, tg).Issue(ctx(t))
	if err == nil || !strings.Contains(err.Error(), "web identity token file") {
		t.Errorf("missing token file: err = %v", err)
	}
}

func TestOIDCErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		mod      func(e *env, t *core.Target)
		fault    *tcrtest.Fault
		code     string
		stsCalls int
		hint     string
	}{
		{name: "unknown web identity token: final", mod: func(e *env, t *core.Target) { t.Auth.WebIdentityToken = "eyJ.not-issued.x" },
			code: "InvalidParameter.WebIdentityTokenError", stsCalls: 1, hint: "id-token: write"},
		{name: "wrong role: final", mod: func(e *env, t *core.Target) { t.Auth.RoleARN = "qcs::cam::uin/1:roleName/none" },
			code: "InternalError.GetRoleError", stsCalls: 1, hint: "role-arn"},
		{name: "STS throttled then success", fault: &tcrtest.Fault{Action: "AssumeRoleWithWebIdentity", Code: "RequestLimitExceeded"}, stsCalls: 2},
		{name: "STS 5xx then success", fault: &tcrtest.Fault{Action: "AssumeRoleWithWebIdentity", Status: 502}, stsCalls: 2},
		{name: "STS malformed: final", fault: &tcrtest.Fault{Action: "AssumeRoleWithWebIdentity", Malformed: true}, code: "ClientError.ParseJsonError", stsCalls: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			tg := e.target(e.oidc)
			if tt.mod != nil {
				tt.mod(e, &tg)
			}
			if tt.fault != nil {
				e.srv.Inject(1, *tt.fault)
			}
			_, err := e.issuer(t, tg).Issue(ctx(t))
			if got := tcr.Code(err); got != tt.code {
				t.Errorf("Code = %q (err %v), want %q", got, err, tt.code)
			}
			if got := e.srv.Calls("AssumeRoleWithWebIdentity"); got != tt.stsCalls {
				t.Errorf("STS calls = %d, want %d", got, tt.stsCalls)
			}
			if err != nil && !strings.HasPrefix(err.Error(), "tcr AssumeRoleWithWebIdentity "+tg.Auth.RoleARN+": ") {
				t.Errorf("err = %v, want it to name the operation and role", err)
			}
			if tt.hint != "" && !strings.Contains(tcr.Hint(err), tt.hint) {
				t.Errorf("Hint = %q, want it to mention %q", tcr.Hint(err), tt.hint)
			}
		})
	}
}

func TestOIDCConcurrent(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	is := e.issuer(t, e.target(e.oidc))
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := is.Issue(ctx(t))
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	if got, want := e.srv.Calls("AssumeRoleWithWebIdentity"), 1; got != want {
		t.Errorf("STS calls = %d, want %d (one fetch shared by concurrent issues)", got, want)
	}
	if got, want := e.srv.Calls("CreateInstanceToken"), 8; got != want {
		t.Errorf("CreateInstanceToken calls = %d, want %d", got, want)
	}
}
