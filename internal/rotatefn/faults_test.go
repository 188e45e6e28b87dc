package rotatefn

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws/retry"
	sm "github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/regmint/regmint/core"
	"github.com/regmint/regmint/core/config"
	"github.com/regmint/regmint/core/registrytest"
	"github.com/regmint/regmint/core/rotation"
	"github.com/regmint/regmint/core/store/secretsmanager/smtest"
	"github.com/regmint/regmint/core/tcr/tcrtest"
)

// inproc is the engine wired as main wires it, in this process, with the
// clouds' environment; logs and metrics go to out. Vendor and Secrets
// Manager retries wait milliseconds instead of seconds.
type inproc struct {
	r   *rotator
	out *syncBuffer
}

func newInproc(t *testing.T, c *clouds, doc string, engineOpts ...rotation.Option) *inproc {
	t.Helper()
	env := merge(c.awsEnv(), map[string]string{config.EnvConfig: doc})
	out := &syncBuffer{}
	fast := retry.BackoffDelayerFunc(func(int, error) (time.Duration, error) { return 5 * time.Millisecond, nil })
	r, err := build(context.Background(), deps{
		getenv: func(k string) string { return env[k] }, logs: out, metrics: out,
		env: func(e *core.Env) { e.Backoff = core.Backoff{Base: 2 * time.Millisecond, Max: 10 * time.Millisecond} },
		smOpts: []func(*sm.Options){func(o *sm.Options) {
			o.Retryer = retry.NewStandard(func(so *retry.StandardOptions) { so.Backoff = fast })
		}},
		engineOpts: engineOpts,
	})
	if err != nil {
		t.Fatalf("build: %v", err)
	}
	return &inproc{r: r, out: out}
}

func (p *inproc) run(ctx context.Context) *rotation.Report { return p.r.engine.Run(ctx) }

func resultOf(t *testing.T, rep *rotation.Report, name string) rotation.Result {
	t.Helper()
	for _, r := range rep.Results {
		if r.Target == name {
			return r
		}
	}
	t.Fatalf("no result for %s", name)
	return rotation.Result{}
}

// failedTargets returns the names the run's error names.
func failedTargets(t *testing.T, rep *rotation.Report) []string {
	t.Helper()
	var fe *rotation.FailedError
	if err := rep.Err(); err != nil && !errors.As(err, &fe) {
		t.Fatalf("Err() = %T %v", err, err)
	}
	if fe == nil {
		return nil
	}
	return fe.Targets
}

// TestFaultCloudFailsForOneTargetOfMany: one target's cloud throttles for
// good, answers 5xx, or is down; the others are minted and stored, and the
// error names that one target.
func TestFaultCloudFailsForOneTargetOfMany(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		fault func(*tcrtest.Server)
		want  string
	}{
		{"throttled", func(s *tcrtest.Server) { s.Throttle(1000) }, "RequestLimitExceeded"},
		{"5xx", func(s *tcrtest.Server) { s.FailHTTP(1000, 502) }, "502"},
		{"down", func(s *tcrtest.Server) { s.Close() }, "connection refused"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := newClouds(t)
			bad := tcrtest.New()
			t.Cleanup(bad.Close)
			key, inst := bad.AddKey(), bad.AddInstance(tcrRegion)
			c.sm.Seed("src/tencent-bad", fmt.Sprintf(`{"access_key_id":%q,"access_key_secret":%q}`, key.ID, key.Secret))
			c.extra.Add(key.Secret)
			tc.fault(bad)
			doc := c.config(false, "", fmt.Sprintf("{name: tcr-bad, provider: tcr, region: %s, instance-id: %s, api-endpoint: %q, credentials: {secret: src/tencent-bad}}",
				tcrRegion, inst.ID, bad.URL))
			p := newInproc(t, c, doc)
			rep := p.run(context.Background())
			if got := failedTargets(t, rep); len(got) != 1 || got[0] != "tcr-bad" {
				t.Fatalf("failed targets %v, want [tcr-bad]; %v", got, rep.Err())
			}
			if msg := rep.Err().Error(); !strings.Contains(msg, tc.want) {
				t.Errorf("error %q does not say %q", msg, tc.want)
			}
			for _, name := range targetNames {
				checkDockerConfig(t, name, []byte(c.current(t, name).Value), 1)
			}
			if _, ok := c.sm.Secret("regmint/tcr-bad"); ok {
				t.Error("the failed target has a secret")
			}
			c.checkNoLeaks(t, map[string]string{"logs": p.out.String(), "error": rep.Err().Error()})
		})
	}
}

// TestFaultVerificationBadKeepsOldValue: a credential the registry
// refuses is never stored: the old value stays AWSCURRENT, and a new
// long-term token is revoked at once.
func TestFaultVerificationBadKeepsOldValue(t *testing.T) {
	t.Parallel()
	c := newClouds(t)
	ctx := context.Background()
	if err := newInproc(t, c, c.config(false, "")).run(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	before := map[string]string{}
	for _, name := range targetNames {
		before[name] = c.current(t, name).ID
	}
	refusing := registrytest.New(func(string, string) bool { return false })
	t.Cleanup(refusing.Close)
	// The registry override changes both TCR targets' config, so both are
	// minted again, and checked against a registry that refuses them.
	doc := strings.ReplaceAll(c.config(false, ""), "api-endpoint: \""+c.tcr.URL+"\"",
		"registry: "+refusing.Host+", api-endpoint: \""+c.tcr.URL+"\"")
	p := newInproc(t, c, doc)
	rep := p.run(ctx)
	if got := failedTargets(t, rep); strings.Join(got, ",") != "tcr-temp,tcr-long" {
		t.Fatalf("failed targets %v, want tcr-temp and tcr-long", got)
	}
	for _, name := range []string{"tcr-temp", "tcr-long"} {
		if res := resultOf(t, rep, name); !strings.Contains(res.Reason, "verification bad") {
			t.Errorf("%s: %s", name, res.Reason)
		}
	}
	for _, name := range targetNames {
		if got := c.current(t, name).ID; got != before[name] {
			t.Errorf("%s: AWSCURRENT moved to %s, want it to stay %s", name, got, before[name])
		}
		checkDockerConfig(t, name, []byte(c.current(t, name).Value), 1)
	}
	if lt := c.tcr.LongTermTokens(c.tcrLong.ID); len(lt) != 1 {
		t.Errorf("%d live long-term tokens, want 1 (the refused one revoked)", len(lt))
	}
	if accepted, refused := refusing.Logins(); accepted != 0 || refused == 0 {
		t.Errorf("refusing registry: %d accepted, %d refused", accepted, refused)
	}
	c.checkNoLeaks(t, map[string]string{"logs": p.out.String(), "error": rep.Err().Error()})
}

// TestFaultSecretsManagerRetried: Secrets Manager throttles, fails with
// 5xx and 503 and loses a response after applying a write; the SDK's
// retries (idempotent by request token) store every credential once.
func TestFaultSecretsManagerRetried(t *testing.T) {
	t.Parallel()
	c := newClouds(t)
	ctx := context.Background()
	now := time.Now()
	clock := func() time.Time { return now }
	c.sm.Throttle(1, "GetSecretValue")
	c.sm.FailInternal(1, "CreateSecret")
	c.sm.Inject(1, smtest.Fault{Op: "CreateSecret", Code: smtest.CodeInternalServiceError, Status: 500, AfterApply: true})
	c.sm.Inject(1, smtest.Unavailable("DescribeSecret"))
	p := newInproc(t, c, c.config(false, ""), rotation.WithClock(clock))
	if err := p.run(ctx).Err(); err != nil {
		t.Fatalf("first run: %v", err)
	}
	// 45 minutes on, the temporary credentials are due: they are put as
	// new versions through throttling and a lost response.
	now = now.Add(45 * time.Minute)
	c.sm.Throttle(1, "PutSecretValue")
	c.sm.Inject(1, smtest.Fault{Op: "PutSecretValue", Code: smtest.CodeThrottling, Message: "Rate exceeded", AfterApply: true})
	rep := p.run(ctx)
	if err := rep.Err(); err != nil {
		t.Fatalf("second run: %v", err)
	}
	for name, versions := range map[string]int{"tcr-temp": 2, "tcr-long": 1, "swr-ent": 2} {
		s, _ := c.sm.Secret("regmint/" + name)
		if len(s.Versions) != versions {
			t.Errorf("%s: %d versions, want %d (one per credential)", name, len(s.Versions), versions)
		}
		if prev, ok := s.Previous(); versions == 2 && (!ok || prev.Value == "") {
			t.Errorf("%s: no AWSPREVIOUS", name)
		}
		checkDockerConfig(t, name, []byte(c.current(t, name).Value), 1)
	}
	// Every fault was met and retried: three secrets created, two put.
	if cr, put := c.sm.Calls("CreateSecret"), c.sm.Calls("PutSecretValue"); cr != 3+2 || put != 2+2 {
		t.Errorf("CreateSecret %d calls, PutSecretValue %d: want 5 and 4 (each fault retried once)", cr, put)
	}
	if r := resultOf(t, rep, "tcr-temp"); r.Outcome != rotation.Minted {
		t.Errorf("tcr-temp: %s (%s)", r.Outcome, r.Reason)
	}
	c.checkNoLeaks(t, map[string]string{"logs": p.out.String()})
}

// TestFaultDeadlineMidRun: the invocation's deadline (less the margin)
// comes while targets are still waiting; those finished are kept, the rest
// are reported failed, and the run returns in time.
func TestFaultDeadlineMidRun(t *testing.T) {
	t.Parallel()
	c := newClouds(t)
	var extra []string
	for i := range 4 {
		in := c.tcr.AddInstance(tcrRegion)
		extra = append(extra, fmt.Sprintf("{name: tcr-x%d, provider: tcr, region: %s, instance-id: %s, api-endpoint: %q, credentials: {source: tencent}}",
			i, tcrRegion, in.ID, c.tcr.URL))
	}
	c.tcr.SetLatency(150 * time.Millisecond) // each TCR target makes two calls
	p := newInproc(t, c, c.config(false, "concurrency: 1\ndeadline-margin: 500ms\n", extra...))
	ctx, cancel := context.WithTimeout(context.Background(), 1500*time.Millisecond)
	defer cancel()
	start := time.Now()
	rep := p.run(ctx)
	if took := time.Since(start); took > 1500*time.Millisecond {
		t.Errorf("run took %s, past the invocation deadline", took)
	}
	failed := failedTargets(t, rep)
	var minted int
	for _, r := range rep.Results {
		_, stored := c.sm.Secret("regmint/" + r.Target)
		switch r.Outcome {
		case rotation.Minted:
			minted++
			if !stored {
				t.Errorf("%s minted but not stored", r.Target)
			}
		case rotation.Failed:
			// "run deadline reached", or the rate limiter's "would exceed
			// context deadline" when it refuses a wait just before.
			if !strings.Contains(r.Reason, "deadline") {
				t.Errorf("%s: %s, want the run deadline named", r.Target, r.Reason)
			}
			if stored {
				t.Errorf("%s failed but stored", r.Target)
			}
		default:
			t.Errorf("%s: %s", r.Target, r.Outcome)
		}
	}
	if minted == 0 || len(failed) == 0 || minted+len(failed) != len(rep.Results) {
		t.Errorf("%d minted, failed %v of %d: want some of each", minted, failed, len(rep.Results))
	}
	c.checkNoLeaks(t, map[string]string{"logs": p.out.String()})
}

// TestBuildErrors: wiring problems found before any target is touched.
func TestBuildErrors(t *testing.T) {
	t.Parallel()
	c := newClouds(t)
	for _, tc := range []struct {
		name string
		env  map[string]string
		want string
	}{
		{"ssm without AWS", map[string]string{config.EnvConfigSSMParameter: "/regmint/config"}, "REGMINT_CONFIG_SSM_PARAMETER is set, but no SSM client"},
		{"bad SSM endpoint", merge(c.awsEnv(), map[string]string{config.EnvConfigSSMParameter: "/p", envSSMEndpoint: "ftp://x"}), `AWS_ENDPOINT_URL_SSM "ftp://x" is not an http or https URL`},
		{"namespace differs", merge(c.awsEnv(), map[string]string{config.EnvConfig: c.config(false, ""), envMetricsNamespace: "ops"}),
			`config metrics-namespace "regmint" differs from REGMINT_METRICS_NAMESPACE "ops"`},
		{"bad KMS key", merge(c.awsEnv(), map[string]string{config.EnvConfig: c.config(false, ""), envKMSKeyID: " "}), "kms key id is empty"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := build(context.Background(), deps{getenv: func(k string) string { return tc.env[k] }})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("build = %v, want %q", err, tc.want)
			}
		})
	}
}
