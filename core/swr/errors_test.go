package swr_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/regmint/regmint/core"
	"github.com/regmint/regmint/core/swr"
	"github.com/regmint/regmint/core/swr/swrtest"
	"github.com/regmint/regmint/core/tcr"
)

func TestThrottledThenSuccess(t *testing.T) {
	t.Parallel()
	for _, auth := range []string{authKeysProject, authPassword} {
		t.Run(auth, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t)
			w.srv.Inject(swrtest.Fault{Op: swrtest.OpCreateInstanceTempCredential, Status: http.StatusTooManyRequests, Times: 2})
			w.srv.Inject(swrtest.Fault{Op: swrtest.OpKeystoneCreateUserTokenByPassword, Status: http.StatusTooManyRequests, Times: 2})
			tg, opts := w.setup(t, swr.EnterpriseName, core.TokenTemp, auth)
			iss, err := swr.New(tg, opts)
			if err != nil {
				t.Fatal(err)
			}
			c, err := iss.Issue(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if v := (core.Verifier{}).Verify(context.Background(), c); v.Result != core.VerifyGood {
				t.Errorf("Verify = %v", v)
			}
			if got := w.srv.Calls(swrtest.OpCreateInstanceTempCredential); got != 3 {
				t.Errorf("CreateInstanceTempCredential calls = %d, want 3", got)
			}
			if auth == authPassword {
				if got := w.srv.Calls(swrtest.OpKeystoneCreateUserTokenByPassword); got != 3 {
					t.Errorf("IAM calls = %d, want 3", got)
				}
			}
		})
	}
}

func TestServerErrorsUntilDeadline(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.srv.Inject(swrtest.Fault{Op: swrtest.OpCreateInstanceTempCredential, Status: http.StatusServiceUnavailable, Times: swrtest.Forever})
	tg, _ := w.setup(t, swr.EnterpriseName, core.TokenTemp, authKeysProject)
	iss, err := swr.New(tg, core.Env{Backoff: core.Backoff{Base: 10 * time.Millisecond, Max: 40 * time.Millisecond, Attempts: 1000}})
	if err != nil {
		t.Fatal(err)
	}
	// Long enough for several answered attempts on a loaded machine; the
	// point is that retries stop at the deadline with the last answer.
	const deadline = 2 * time.Second
	ctx, cancel := context.WithTimeout(context.Background(), deadline)
	defer cancel()
	start := time.Now()
	_, err = iss.Issue(ctx)
	elapsed := time.Since(start)
	if err == nil {
		t.Fatal("no error")
	}
	if elapsed > deadline+5*time.Second {
		t.Errorf("Issue took %v past a %v deadline", elapsed, deadline)
	}
	msg := err.Error()
	for _, want := range []string{"swr CreateInstanceTempCredential " + w.inst.ID, "gave up", "SVCSTG.SWR.5000001", "HTTP 503", "request id "} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q does not contain %q", msg, want)
		}
	}
	if got := w.srv.Calls(swrtest.OpCreateInstanceTempCredential); got < 3 {
		t.Errorf("calls = %d, want several", got)
	}
	if h := swr.Hint(err); !strings.Contains(h, "server error") {
		t.Errorf("Hint = %q", h)
	}
}

func TestLatencyBeyondDeadline(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.srv.Inject(swrtest.Fault{Op: swrtest.OpCreateSecret, Delay: 5 * time.Second, Times: swrtest.Forever})
	tg, opts := w.setup(t, swr.SharedName, core.TokenTemp, authKeys)
	iss, err := swr.New(tg, opts)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err = iss.Issue(ctx)
	if err == nil || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Issue = %v, want a deadline error", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("Issue took %v", d)
	}
}

func TestMalformedBody(t *testing.T) {
	t.Parallel()
	cases := []struct {
		kind      string
		provider  core.Provider
		tokenType core.TokenType
		op        string
	}{
		{"enterprise-temp", swr.EnterpriseName, core.TokenTemp, swrtest.OpCreateInstanceTempCredential},
		{"enterprise-longterm", swr.EnterpriseName, core.TokenLongTerm, swrtest.OpCreateInstanceLtCredential},
		{"shared-temp", swr.SharedName, core.TokenTemp, swrtest.OpCreateSecret},
		{"iam-token", swr.EnterpriseName, core.TokenTemp, swrtest.OpKeystoneCreateUserTokenByPassword},
		{"show-instance", swr.EnterpriseName, core.TokenTemp, swrtest.OpShowInstance},
	}
	for _, c := range cases {
		t.Run(c.kind, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t)
			w.srv.Inject(swrtest.Fault{Op: c.op, Malformed: true})
			tg, opts := w.setup(t, c.provider, c.tokenType, authPassword)
			iss, err := swr.New(tg, opts)
			if err != nil {
				t.Fatal(err)
			}
			_, err = iss.Issue(context.Background())
			if !errors.Is(err, swr.ErrMalformedResponse) {
				t.Fatalf("Issue = %v, want ErrMalformedResponse", err)
			}
			if !strings.Contains(err.Error(), "malformed response body") {
				t.Errorf("error %q", err)
			}
			// The SDK's decoder quotes parts of the body it failed on: not
			// even a fragment of a secret may get through.
			for i, s := range w.srv.Secrets() {
				if f := fragment(err.Error(), s, 12); f != "" {
					t.Errorf("the error holds 12 characters of secret #%d", i)
				}
			}
			if got := w.srv.Calls(c.op); got != 1 {
				t.Errorf("%s calls = %d, want 1 (not retried)", c.op, got)
			}
			if c.tokenType == core.TokenLongTerm {
				if names := w.srv.LongTermCredentials(w.inst); len(names) != 0 {
					t.Errorf("credentials left behind: %v", names)
				}
			}
		})
	}
}

func TestUnknownInstance(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	tg, opts := w.setup(t, swr.EnterpriseName, core.TokenTemp, authKeysProject)
	tg.InstanceID = "no-such-instance"
	iss, err := swr.New(tg, opts)
	if err != nil {
		t.Fatal(err)
	}
	_, err = iss.Issue(context.Background())
	var ae *swr.APIError
	if !errors.As(err, &ae) || ae.StatusCode != http.StatusNotFound {
		t.Fatalf("Issue = %v, want 404", err)
	}
	msg := err.Error()
	for _, want := range []string{"swr ShowInstance no-such-instance: ", "SVCSTG.SWR.4040001", "request id " + ae.RequestID} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q does not contain %q", msg, want)
		}
	}
	if ae.RequestID == "" {
		t.Error("no request id")
	}
	if h := swr.Hint(err); !strings.Contains(h, "instance-id") {
		t.Errorf("Hint = %q", h)
	}
	if got := w.srv.Calls(swrtest.OpShowInstance); got != 1 {
		t.Errorf("ShowInstance calls = %d, want 1 (4xx is final)", got)
	}
	// With the registry given, the credential call itself says so.
	tg.Registry = "registry.example.test"
	iss, _ = swr.New(tg, opts)
	if _, err := iss.Issue(context.Background()); !strings.Contains(fmtErr(err), "swr CreateInstanceTempCredential no-such-instance: SVCSTG.SWR.4040001") {
		t.Errorf("Issue = %v", err)
	}
}

func fmtErr(err error) string {
	if err == nil {
		return "<nil>"
	}
	return err.Error()
}

func TestMissingProjectID(t *testing.T) {
	t.Parallel()
	srv := swrtest.New(swrtest.WithRegions(region, "ap-southeast-1"))
	t.Cleanup(srv.Close)
	acct := srv.NewAccount(swrtest.InRegions("ap-southeast-1")) // no project in cn-north-4
	base := core.Target{Provider: swr.EnterpriseName, Region: region, InstanceID: "any-instance",
		APIEndpoint: srv.SWRURL, IAMEndpoint: srv.IAMURL}

	t.Run("keys", func(t *testing.T) {
		t.Parallel()
		tg := base
		tg.Auth = core.Auth{AccessKeyID: acct.AK, AccessKeySecret: acct.SK}
		iss, err := swr.New(tg, core.Env{Backoff: fastBackoff})
		if err != nil {
			t.Fatal(err)
		}
		_, err = iss.Issue(context.Background())
		if !errors.Is(err, swr.ErrNoProject) {
			t.Fatalf("Issue = %v, want ErrNoProject", err)
		}
		for _, want := range []string{"swr KeystoneListProjects " + region, `no project named "` + region + `"`, core.FieldProjectID, swr.EnvProjectID} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error %q does not contain %q", err, want)
			}
		}
		if h := swr.Hint(err); !strings.Contains(h, "project-id") {
			t.Errorf("Hint = %q", h)
		}
	})
	t.Run("password", func(t *testing.T) {
		t.Parallel()
		tg := base
		tg.Auth = core.Auth{IAMUser: acct.UserName, IAMPassword: acct.Password, IAMDomain: acct.DomainName}
		iss, err := swr.New(tg, core.Env{Backoff: fastBackoff})
		if err != nil {
			t.Fatal(err)
		}
		_, err = iss.Issue(context.Background())
		var ae *swr.APIError
		if !errors.As(err, &ae) || ae.StatusCode != http.StatusBadRequest || !strings.Contains(err.Error(), "scope") {
			t.Fatalf("Issue = %v, want IAM's 400 about the scope", err)
		}
	})
}

func TestPermissionDenied(t *testing.T) {
	t.Parallel()
	srv := swrtest.New()
	t.Cleanup(srv.Close)
	acct := srv.NewAccount(swrtest.Denied())
	in := srv.NewInstance(acct, region)
	tg := core.Target{Provider: swr.EnterpriseName, Region: region, InstanceID: in.ID,
		APIEndpoint: srv.SWRURL, IAMEndpoint: srv.IAMURL,
		Auth: core.Auth{AccessKeyID: acct.AK, AccessKeySecret: acct.SK}}
	iss, err := swr.New(tg, core.Env{Backoff: fastBackoff})
	if err != nil {
		t.Fatal(err)
	}
	_, err = iss.Issue(context.Background())
	var ae *swr.APIError
	if !errors.As(err, &ae) || ae.StatusCode != http.StatusForbidden {
		t.Fatalf("Issue = %v, want 403", err)
	}
	if h := swr.Hint(err); !strings.Contains(h, "permission") {
		t.Errorf("Hint = %q", h)
	}
}

func TestWrongSecretKey(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	tg, opts := w.setup(t, swr.SharedName, core.TokenTemp, authKeys)
	tg.Auth.AccessKeySecret = w.acct.SK + "-wrong"
	iss, err := swr.New(tg, opts)
	if err != nil {
		t.Fatal(err)
	}
	_, err = iss.Issue(context.Background())
	var ae *swr.APIError
	if !errors.As(err, &ae) || ae.Code != "APIGW.0301" {
		t.Fatalf("Issue = %v, want APIGW.0301", err)
	}
	if strings.Contains(err.Error(), tg.Auth.AccessKeySecret) {
		t.Error("the error shows the secret key")
	}
	if h := swr.Hint(err); !strings.Contains(h, "secret key") {
		t.Errorf("Hint = %q", h)
	}
	if got := w.srv.Calls(swrtest.OpCreateSecret); got != 1 {
		t.Errorf("calls = %d, want 1", got)
	}
}

// A long-term creation that failed after the server made the credential is
// cleaned up before the retry: exactly one credential remains.
func TestLongTermRetryRemovesOrphan(t *testing.T) {
	t.Parallel()
	for _, f := range []swrtest.Fault{
		{Op: swrtest.OpCreateInstanceLtCredential, Status: http.StatusBadGateway, AfterProcessing: true},
		{Op: swrtest.OpCreateInstanceLtCredential, Status: http.StatusTooManyRequests},
	} {
		t.Run(http.StatusText(f.Status), func(t *testing.T) {
			t.Parallel()
			w := newWorld(t)
			w.srv.Inject(f)
			tg, opts := w.setup(t, swr.EnterpriseName, core.TokenLongTerm, authKeysProject)
			tg.Description = "CI push, team A"
			iss, err := swr.New(tg, opts)
			if err != nil {
				t.Fatal(err)
			}
			c, err := iss.Issue(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			names := w.srv.LongTermCredentials(w.inst)
			if len(names) != 1 || !strings.HasPrefix(names[0], "ci-push-team-a-") {
				t.Errorf("credentials = %v, want one named ci-push-team-a-...", names)
			}
			if v := (core.Verifier{}).Verify(context.Background(), c); v.Result != core.VerifyGood {
				t.Errorf("Verify = %v", v)
			}
			wantLists := 0
			if f.AfterProcessing {
				wantLists = 1
			}
			if got := w.srv.Calls(swrtest.OpListInstanceLtCredentials); got != wantLists {
				t.Errorf("ListInstanceLtCredentials calls = %d, want %d", got, wantLists)
			}
		})
	}
}

// Bad input is refused before any network call, saying what is wrong.
func TestBadInputBeforeAnyCall(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ent := core.Target{Provider: swr.EnterpriseName, Region: region, InstanceID: w.inst.ID, APIEndpoint: w.srv.SWRURL, IAMEndpoint: w.srv.IAMURL}
	shared := core.Target{Provider: swr.SharedName, Region: region, APIEndpoint: w.srv.SWRURL, IAMEndpoint: w.srv.IAMURL}
	with := func(t core.Target, f func(*core.Target)) core.Target { f(&t); return t }
	cases := []struct {
		name string
		t    core.Target
		env  map[string]string
		want []string
	}{
		{"no credentials at all", ent, nil, []string{"no Huawei Cloud credentials", swr.EnvAK, swr.EnvSK, swr.EnvCloudAK}},
		{"env AK without SK", ent, map[string]string{swr.EnvAK: "swrtestak"}, []string{swr.EnvAK + " is set but " + swr.EnvSK + " is not"}},
		{"cloud env SK without AK", ent, map[string]string{swr.EnvCloudSK: "secret-value"}, []string{swr.EnvCloudSK + " is set but " + swr.EnvCloudAK + " is not"}},
		{"bad env endpoint", with(ent, func(t *core.Target) { t.APIEndpoint = "" }), map[string]string{swr.EnvAK: "a", swr.EnvSK: "b", "HUAWEICLOUD_SDK_REGION_SWR_CN_NORTH_4": "ftp://x"}, []string{"HUAWEICLOUD_SDK_REGION_SWR_CN_NORTH_4"}},
		{"missing instance", with(ent, func(t *core.Target) { t.InstanceID = "" }), map[string]string{swr.EnvAK: "a", swr.EnvSK: "b"}, []string{core.FieldInstanceID, "required"}},
		{"instance with shared edition", with(shared, func(t *core.Target) { t.InstanceID = "x" }), map[string]string{swr.EnvAK: "a", swr.EnvSK: "b"}, []string{core.FieldInstanceID}},
		{"keyless without token", with(ent, func(t *core.Target) { t.Auth = core.Auth{IdPID: "idp"} }), nil, []string{"web identity token"}},
		{"password without domain", with(ent, func(t *core.Target) { t.Auth = core.Auth{IAMUser: "u", IAMPassword: "p-secret"} }), nil, []string{core.FieldIAMDomain}},
		{"shared longterm with password", with(shared, func(t *core.Target) {
			t.TokenType = core.TokenLongTerm
			t.Auth = core.Auth{IAMUser: "u", IAMPassword: "p-secret", IAMDomain: "d"}
		}), nil, []string{core.FieldTokenType, "permanent access key"}},
		{"tcr target", with(ent, func(t *core.Target) { t.Provider = tcr.Name }), nil, []string{core.FieldProvider}},
		{"bad region", with(ent, func(t *core.Target) { t.Region = "North 4" }), nil, []string{core.FieldRegion}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := swr.New(c.t, core.Env{Getenv: mapEnv(c.env)})
			if err == nil {
				t.Fatal("no error")
			}
			for _, want := range c.want {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not contain %q", err, want)
				}
			}
			if strings.Contains(err.Error(), "p-secret") || strings.Contains(err.Error(), "secret-value") {
				t.Errorf("error %q shows a secret", err)
			}
		})
	}
	for _, op := range []string{swrtest.OpShowInstance, swrtest.OpCreateSecret, swrtest.OpKeystoneListProjects, swrtest.OpKeystoneCreateUserTokenByPassword} {
		if n := w.srv.Calls(op); n != 0 {
			t.Errorf("%s called %d times", op, n)
		}
	}
	_, err := swr.New(ent, core.Env{Getenv: mapEnv(nil)})
	if !errors.Is(err, swr.ErrNoCredentials) || !strings.Contains(swr.Hint(err), swr.EnvAK) {
		t.Errorf("New = %v, Hint = %q", err, swr.Hint(err))
	}
}

// fragment returns a piece of secret at least n long found in text, or "".
func fragment(text, secret string, n int) string {
	for i := 0; i+n <= len(secret); i++ {
		if strings.Contains(text, secret[i:i+n]) {
			return secret[i : i+n]
		}
	}
	return ""
}

// TestOversizedAnswerNotRetried: an answer past the 1 MiB body limit is an
// error at once, naming the limit, and is not asked for again (it would be
// as large again: retrying only multiplies the bytes read).
func TestOversizedAnswerNotRetried(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.srv.Inject(swrtest.Fault{Op: swrtest.OpCreateInstanceTempCredential, Oversized: true, Times: swrtest.Forever})
	tg, _ := w.setup(t, swr.EnterpriseName, core.TokenTemp, authKeysProject)
	iss, err := swr.New(tg, core.Env{Backoff: core.Backoff{Base: time.Millisecond, Max: time.Millisecond, Attempts: 5}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = iss.Issue(context.Background())
	if !errors.Is(err, core.ErrResponseTooLarge) || !strings.Contains(err.Error(), "larger than 1 MiB") {
		t.Fatalf("Issue: %v, want the body limit named", err)
	}
	if got := w.srv.Calls(swrtest.OpCreateInstanceTempCredential); got != 1 {
		t.Errorf("CreateInstanceTempCredential called %d times, want 1 (no retry of an oversized answer)", got)
	}
}
