package tcr_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/regmint/regmint/core"
	"github.com/regmint/regmint/core/swr"
	"github.com/regmint/regmint/core/tcr"
	"github.com/regmint/regmint/core/tcr/tcrtest"
)

func TestIssueTemp(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	is := e.issuer(t, e.target())
	c, err := is.Issue(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	info, ok := e.srv.LookupToken(c.Password)
	if !ok {
		t.Fatal("the emulator did not mint the password returned")
	}
	if got, want := c.Registry, e.inst.Registry; got != want {
		t.Errorf("Registry = %q, want %q", got, want)
	}
	if got, want := c.Username, e.srv.UIN; got != want {
		t.Errorf("Username = %q, want %q", got, want)
	}
	if !c.ExpiresAt.Equal(info.Expires) {
		t.Errorf("ExpiresAt = %v, want %v (ExpTime in ms)", c.ExpiresAt, info.Expires)
	}
	if got, want := c.ExpiresAt.Sub(info.Created), time.Hour; got != want {
		t.Errorf("temp token lives %v, want %v", got, want)
	}
	if c.TokenID != "" || info.LongTerm {
		t.Errorf("temp token has TokenID %q / long-term %v", c.TokenID, info.LongTerm)
	}
	if _, err := is.Issue(ctx(t)); err != nil {
		t.Fatal(err)
	}
	if got, want := e.srv.Calls("DescribeInstances"), 1; got != want {
		t.Errorf("DescribeInstances calls = %d, want %d (host cached)", got, want)
	}
	if got, want := e.srv.Calls("CreateInstanceToken"), 2; got != want {
		t.Errorf("CreateInstanceToken calls = %d, want %d", got, want)
	}
}

func TestIssueLongTerm(t *testing.T) {
	t.Parallel()
	now := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	for _, tt := range []struct {
		name, desc, wantDesc string
	}{
		{"default description", "", "regmint 2030-01-02T03:04:05Z"},
		{"own description", "ci pushes", "ci pushes"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			is := e.issuer(t, e.target(longTerm, func(t *core.Target) { t.Description = tt.desc }),
				func(v *core.Env) { v.Now = func() time.Time { return now } })
			c, err := is.Issue(ctx(t))
			if err != nil {
				t.Fatal(err)
			}
			toks := e.srv.LongTermTokens(e.inst.ID)
			if len(toks) != 1 {
				t.Fatalf("emulator holds %d long-term tokens, want 1", len(toks))
			}
			if got, want := c.TokenID, toks[0].ID; got != want || got == "" {
				t.Errorf("TokenID = %q, want %q", got, want)
			}
			if !c.ExpiresAt.Equal(toks[0].Expires) {
				t.Errorf("ExpiresAt = %v, want %v", c.ExpiresAt, toks[0].Expires)
			}
			if got, want := toks[0].Desc, tt.wantDesc; got != want {
				t.Errorf("Desc = %q, want %q", got, want)
			}
			if got, want := verify(t, c), core.VerifyGood; got != want {
				t.Errorf("verify = %v, want %v", got, want)
			}
		})
	}
}

func TestRegistryOverride(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	is := e.issuer(t, e.target(func(t *core.Target) { t.Registry = "reg.example.com:5000" }))
	c, err := is.Issue(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := c.Registry, "reg.example.com:5000"; got != want {
		t.Errorf("Registry = %q, want %q", got, want)
	}
	if got := e.srv.Calls("DescribeInstances"); got != 0 {
		t.Errorf("DescribeInstances calls = %d, want 0 with a registry override", got)
	}
}

func TestIssueErrors(t *testing.T) {
	t.Parallel()
	override := func(t *core.Target) { t.Registry = "reg.example.com" }
	tests := []struct {
		name   string
		mods   []func(*core.Target)
		setup  func(e *env, tg *core.Target)
		code   string // "" = success
		calls  int    // CreateInstanceToken calls
		hint   string // substring of Hint(err)
		target error  // errors.Is target
	}{
		{name: "wrong secret key: final", mods: []func(*core.Target){override}, code: "AuthFailure.SignatureFailure", calls: 1, hint: "SecretKey",
			setup: func(e *env, tg *core.Target) { tg.Auth.AccessKeySecret = e.srv.AddKey().Secret }},
		{name: "unknown secret id: final", mods: []func(*core.Target){override}, code: "AuthFailure.SecretIdNotFound", calls: 1, hint: "SecretId",
			setup: func(e *env, tg *core.Target) { e.srv.RemoveKey(e.key.ID) }},
		{name: "no permission on the instance: final", mods: []func(*core.Target){override}, code: "UnauthorizedOperation", calls: 1, hint: "permission",
			setup: func(e *env, tg *core.Target) {
				k := e.srv.AddKey(tcrtest.OnlyInstances("tcr-other000"))
				tg.Auth = core.Auth{AccessKeyID: k.ID, AccessKeySecret: k.Secret}
			}},
		{name: "unknown instance (registry given): final", mods: []func(*core.Target){override}, code: "ResourceNotFound.TcrResourceNotFound", calls: 1, hint: "instance-id",
			setup: func(e *env, tg *core.Target) { tg.InstanceID = "tcr-nothere0" }},
		{name: "unknown instance (discovery)", calls: 0, hint: "instance-id", target: tcr.ErrInstanceNotFound,
			setup: func(e *env, tg *core.Target) { tg.InstanceID = "tcr-nothere0" }},
		{name: "instance in another region", calls: 0, target: tcr.ErrInstanceNotFound,
			setup: func(e *env, tg *core.Target) { tg.Region = "ap-shanghai" }},
		{name: "throttled then success", calls: 3,
			setup: func(e *env, tg *core.Target) {
				e.srv.Inject(2, tcrtest.Fault{Action: "CreateInstanceToken", Code: "RequestLimitExceeded"})
			}},
		{name: "5xx then success", calls: 3,
			setup: func(e *env, tg *core.Target) {
				e.srv.Inject(2, tcrtest.Fault{Action: "CreateInstanceToken", Status: http.StatusBadGateway})
			}},
		{name: "InternalError then success", calls: 2,
			setup: func(e *env, tg *core.Target) {
				e.srv.Inject(1, tcrtest.Fault{Action: "CreateInstanceToken", Code: "InternalError", Message: "oops"})
			}},
		{name: "malformed body: final", code: "ClientError.ParseJsonError", calls: 1, hint: "endpoint",
			setup: func(e *env, tg *core.Target) {
				e.srv.Inject(1, tcrtest.Fault{Action: "CreateInstanceToken", Malformed: true})
			}},
		{name: "long-term: malformed body: final", mods: []func(*core.Target){longTerm}, code: "ClientError.ParseJsonError", calls: 1, target: tcr.ErrMaybeCreated,
			setup: func(e *env, tg *core.Target) {
				e.srv.Inject(1, tcrtest.Fault{Action: "CreateInstanceToken", Malformed: true})
			}},
		{name: "long-term: throttled then success", mods: []func(*core.Target){longTerm}, calls: 2,
			setup: func(e *env, tg *core.Target) {
				e.srv.Inject(1, tcrtest.Fault{Action: "CreateInstanceToken", Code: "RequestLimitExceeded"})
			}},
		{name: "long-term: 5xx not retried", mods: []func(*core.Target){longTerm}, code: "ClientError.HttpStatusCodeError", calls: 1, target: tcr.ErrMaybeCreated, hint: "DescribeInstanceToken",
			setup: func(e *env, tg *core.Target) {
				e.srv.Inject(1, tcrtest.Fault{Action: "CreateInstanceToken", Status: http.StatusBadGateway})
			}},
		{name: "long-term: InternalError not retried", mods: []func(*core.Target){longTerm}, code: "InternalError", calls: 1, target: tcr.ErrMaybeCreated,
			setup: func(e *env, tg *core.Target) {
				e.srv.Inject(1, tcrtest.Fault{Action: "CreateInstanceToken", Code: "InternalError"})
			}},
		{name: "discovery: 5xx then success", calls: 1,
			setup: func(e *env, tg *core.Target) {
				e.srv.Inject(2, tcrtest.Fault{Action: "DescribeInstances", Status: http.StatusServiceUnavailable})
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			tg := e.target(tt.mods...)
			if tt.setup != nil {
				tt.setup(e, &tg)
			}
			c, err := e.issuer(t, tg).Issue(ctx(t))
			if got := e.srv.Calls("CreateInstanceToken"); got != tt.calls {
				t.Errorf("CreateInstanceToken calls = %d, want %d", got, tt.calls)
			}
			if tt.code == "" && tt.target == nil {
				if err != nil {
					t.Fatalf("Issue: %v", err)
				}
				if c.Password == "" {
					t.Error("no password")
				}
				return
			}
			if err == nil {
				t.Fatal("Issue succeeded")
			}
			if tt.code != "" {
				if got := tcr.Code(err); got != tt.code {
					t.Errorf("Code = %q, want %q (err %v)", got, tt.code, err)
				}
				if !strings.HasPrefix(tt.code, "ClientError") && tcr.RequestID(err) == "" {
					t.Errorf("no request id in %v", err)
				}
			}
			if tt.target != nil && !errors.Is(err, tt.target) {
				t.Errorf("err = %v, want it to wrap %v", err, tt.target)
			}
			if !strings.HasPrefix(err.Error(), "tcr ") || !strings.Contains(err.Error(), tg.InstanceID) {
				t.Errorf("err %q does not name the operation and instance", err)
			}
			if tt.hint != "" && !strings.Contains(tcr.Hint(err), tt.hint) {
				t.Errorf("Hint = %q, want it to mention %q", tcr.Hint(err), tt.hint)
			}
		})
	}
}

func TestErrorFormat(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tg := e.target(func(t *core.Target) { t.Registry = "reg.example.com"; t.Auth.AccessKeySecret = "not-the-secret-key" })
	_, err := e.issuer(t, tg).Issue(ctx(t))
	want := "tcr CreateInstanceToken " + e.inst.ID + ": AuthFailure.SignatureFailure: "
	if err == nil || !strings.HasPrefix(err.Error(), want) || !strings.HasSuffix(err.Error(), "(request id "+tcr.RequestID(err)+")") {
		t.Errorf("err = %v, want %q...(request id ...)", err, want)
	}
}

func TestRetryUntilDeadline(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.srv.Inject(1<<30, tcrtest.Fault{Action: "DescribeInstances", Status: http.StatusServiceUnavailable})
	is := e.issuer(t, e.target(), func(v *core.Env) {
		v.Backoff = core.Backoff{Base: 10 * time.Millisecond, Max: 40 * time.Millisecond, Attempts: 1 << 20}
	})
	c, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	deadline, _ := c.Deadline()
	_, err := is.Issue(c)
	if err == nil {
		t.Fatal("Issue succeeded")
	}
	if late := time.Since(deadline); late > 2*time.Second {
		t.Errorf("Issue returned %v after the deadline", late)
	}
	// The last attempt's HTTP 503 with "gave up ... deadline too near", or,
	// if the deadline struck during an exchange, the transport's deadline
	// error.
	if msg := err.Error(); !strings.Contains(msg, "deadline") || !strings.HasPrefix(msg, "tcr DescribeInstances "+e.inst.ID) {
		t.Errorf("err = %v, want the operation and the deadline named", err)
	}
	if !strings.Contains(err.Error(), "HTTP 503") && !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v, want the HTTP 503 or the deadline as cause", err)
	}
	if got := e.srv.Calls("DescribeInstances"); got < 2 {
		t.Errorf("DescribeInstances calls = %d, want retries", got)
	}
}

func TestContextCancel(t *testing.T) {
	t.Parallel()
	t.Run("already cancelled", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t)
		c, cancel := context.WithCancel(context.Background())
		cancel()
		_, err := e.issuer(t, e.target()).Issue(c)
		if !errors.Is(err, context.Canceled) {
			t.Errorf("err = %v, want context.Canceled", err)
		}
	})
	t.Run("cancelled while waiting", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t)
		e.srv.SetLatency(time.Minute)
		c, cancel := context.WithCancel(context.Background())
		go func() {
			for e.srv.Calls("DescribeInstances") == 0 {
				time.Sleep(time.Millisecond)
			}
			cancel()
		}()
		_, err := e.issuer(t, e.target()).Issue(c)
		if !errors.Is(err, context.Canceled) {
			t.Errorf("err = %v, want context.Canceled", err)
		}
		if got := e.srv.Calls("DescribeInstances"); got != 1 {
			t.Errorf("DescribeInstances calls = %d, want 1 (no retry after cancel)", got)
		}
	})
}

func TestNewRejects(t *testing.T) {
	t.Parallel()
	base := core.Target{Provider: tcr.Name, Region: region, InstanceID: "tcr-abcd1234",
		Auth: core.Auth{AccessKeyID: "TESTIDX", AccessKeySecret: "not-a-real-secret"}}
	tests := []struct {
		name, field string
		mod         func(*core.Target)
	}{
		{"other provider", core.FieldProvider, func(t *core.Target) { t.Provider = swr.SharedName; t.InstanceID = "" }},
		{"bad instance id", core.FieldInstanceID, func(t *core.Target) { t.InstanceID = "abcd" }},
		{"keyless without a token", core.FieldAuth, func(t *core.Target) {
			t.Auth = core.Auth{RoleARN: "qcs::cam::uin/1:roleName/r", OIDCProviderID: "p"}
		}},
		{"bad endpoint", core.FieldAPIEndpoint, func(t *core.Target) { t.APIEndpoint = "ftp://x" }},
		{"description too long", tcr.FieldDescription, func(t *core.Target) { t.Description = strings.Repeat("x", 256) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tg := base
			tt.mod(&tg)
			_, err := tcr.New(tg, core.Env{})
			fes := core.FieldErrors(err)
			if len(fes) == 0 || fes[0].Field != tt.field {
				t.Errorf("err = %v, want a field error for %s", err, tt.field)
			}
		})
	}
}
