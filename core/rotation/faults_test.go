package rotation_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/regmint/regmint/core"
	"github.com/regmint/regmint/core/rotation"
	"github.com/regmint/regmint/core/swr"
)

var errStore = errors.New("secretsmanager PutSecretValue: ThrottlingException: Rate exceeded (request id 7f3c)")

// manyDoc lists n temporary TCR targets t0..t{n-1}, instances tcr-inst0000...
func manyDoc(n int, extra string) string {
	var b strings.Builder
	b.WriteString(extra)
	b.WriteString("targets:\n")
	for i := range n {
		fmt.Fprintf(&b, "  - {name: t%d, provider: tcr, region: ap-guangzhou, instance-id: tcr-inst%04d, credentials: {env: true}}\n", i, i)
	}
	return b.String()
}

func TestIssuerFailureIsolated(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		err  error
	}{
		{"throttled", errors.New("tcr CreateInstanceToken tcr-inst0003: gave up after 6 attempts: [TencentCloudSDKError] Code=RequestLimitExceeded, Message=request limit exceeded, RequestId=0d7e-aa")},
		{"5xx", errors.New("tcr CreateInstanceToken tcr-inst0003: [TencentCloudSDKError] Code=InternalError, Message=internal error, RequestId=51f2-bb")},
		{"down", errors.New("tcr CreateInstanceToken tcr-inst0003: [TencentCloudSDKError] Code=ClientError.NetworkError, Message=dial tcp 127.0.0.1:1: connect: connection refused, RequestId=")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			e.cloud.fail["tcr-inst0003"] = tc.err
			rep := e.engine(t, manyDoc(8, "concurrency: 3\n")).Run(context.Background())
			for i := range 8 {
				name := fmt.Sprintf("t%d", i)
				res := result(t, rep, name)
				_, stored := e.sm.Record(name)
				if i == 3 {
					if res.Outcome != rotation.Failed || !strings.Contains(res.Reason, tc.err.Error()) {
						t.Errorf("%s: %s (%s), want failed with the vendor error", name, res.Outcome, res.Reason)
					}
					if stored {
						t.Errorf("%s: something was stored", name)
					}
					continue
				}
				if res.Outcome != rotation.Minted || !stored {
					t.Errorf("%s: %s (%s), stored %v; want minted and stored", name, res.Outcome, res.Reason, stored)
				}
			}
			err := rep.Err()
			var fe *rotation.FailedError
			if !errors.As(err, &fe) {
				t.Fatalf("Err() = %v, want *FailedError", err)
			}
			if len(fe.Targets) != 1 || fe.Targets[0] != "t3" || fe.Total != 8 {
				t.Errorf("FailedError = %+v", fe)
			}
			if msg := err.Error(); !strings.Contains(msg, "t3: ") || !strings.Contains(msg, "1 of 8") {
				t.Errorf("Err() = %q, want it to name t3", msg)
			}
			if r, s, f := rep.Counts(); r != 7 || s != 0 || f != 1 {
				t.Errorf("Counts = %d, %d, %d", r, s, f)
			}
		})
	}
}

func TestVerificationOutcomes(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		result   core.VerifyResult
		require  bool
		longTerm bool
		want     rotation.Outcome
		stored   bool
		warn     bool
	}{
		{"bad temp", core.VerifyBad, false, false, rotation.Failed, false, false},
		{"bad long-term", core.VerifyBad, false, true, rotation.Failed, false, false},
		{"unknown stored with a warning", core.VerifyUnknown, false, false, rotation.Minted, true, true},
		{"unknown refused with require-verified", core.VerifyUnknown, true, true, rotation.Failed, false, false},
		{"good", core.VerifyGood, true, true, rotation.Minted, true, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			doc := `
targets:
  - name: x
    provider: tcr
    region: ap-guangzhou
    instance-id: tcr-inst0001
    credentials: {env: true}
`
			if tc.longTerm {
				doc += "    token-type: longterm\n"
			}
			if tc.require {
				doc += "    require-verified: true\n"
			}
			// The destination holds an old, expired-soon value.
			old := core.Record{
				Credential: core.Credential{Registry: "old.example.test", Username: "u", Password: "old-password", ExpiresAt: t0.Add(5 * time.Minute), TokenID: "old-tok"},
				IssuedAt:   t0.Add(-55 * time.Minute), Fingerprint: "stale",
			}
			e.sm.Set("x", old)
			e.cloud.live["old-tok"] = true
			v := fakeVerifier{verify: func(context.Context, core.Credential) core.Verification {
				return core.Verification{Result: tc.result, Scheme: "bearer", Detail: "token realm answered HTTP 401: login refused"}
			}}
			rep := e.engine(t, doc, rotation.WithVerifier(v)).Run(context.Background())
			res := result(t, rep, "x")
			if res.Outcome != tc.want {
				t.Fatalf("outcome %s (%s), want %s", res.Outcome, res.Reason, tc.want)
			}
			rec, _ := e.sm.Record("x")
			if got := rec.Credential.Password != "old-password"; got != tc.stored {
				t.Errorf("new value stored = %v, want %v", got, tc.stored)
			}
			if res.Verification == nil || res.Verification.Result != tc.result {
				t.Errorf("verification %v, want %v", res.Verification, tc.result)
			}
			if got := len(res.Warnings) > 0; got != tc.warn {
				t.Errorf("warnings %v, want some: %v", res.Warnings, tc.warn)
			}
			if !tc.stored {
				if !strings.Contains(res.Reason, "verification") || !strings.Contains(res.Reason, "destinations keep their value") {
					t.Errorf("reason %q", res.Reason)
				}
				if rep.Err() == nil {
					t.Error("Err() = nil")
				}
				// The report says what the destination still holds.
				if res.TokenID != "old-tok" || res.Registry != "old.example.test" {
					t.Errorf("report shows %s %s, want the old value", res.Registry, res.TokenID)
				}
				if tc.longTerm {
					// The discarded new token was revoked; the stored one
					// was not.
					live := e.cloud.Live()
					if len(live) != 1 || !live["old-tok"] {
						t.Errorf("live tokens %v, want only old-tok", live)
					}
				}
			}
		})
	}
}

func TestStoreFailureIsPerDestination(t *testing.T) {
	t.Parallel()
	const doc = `
targets:
  - name: two
    provider: tcr
    region: ap-guangzhou
    instance-id: tcr-inst0001
    token-type: longterm
    credentials: {env: true}
    destinations:
      - {store: secretsmanager}
      - {store: file, ref: host}
  - name: other
    provider: tcr
    region: ap-guangzhou
    instance-id: tcr-inst0002
    credentials: {env: true}
`
	e := newEnv(t)
	e.sm.putErr = func(_ context.Context, ref string, _ core.Record) error {
		if ref == "two" {
			return errStore
		}
		return nil
	}
	rep := e.engine(t, doc).Run(context.Background())
	res := result(t, rep, "two")
	if res.Outcome != rotation.Failed {
		t.Fatalf("outcome %s (%s)", res.Outcome, res.Reason)
	}
	if !strings.Contains(res.Reason, "written to 1 of 2 destinations") || !strings.Contains(res.Reason, "secretsmanager:two: write: "+errStore.Error()) {
		t.Errorf("reason %q", res.Reason)
	}
	if _, ok := e.file.Record("host"); !ok {
		t.Error("the file destination was not written")
	}
	if _, ok := e.sm.Record("two"); ok {
		t.Error("the failing destination holds something")
	}
	if got := res.Destinations; len(got) != 2 || got[0].Status != rotation.DestFailed || got[0].Error == "" || got[1].Status != rotation.DestWritten {
		t.Errorf("destinations %+v", got)
	}
	// Secrets Manager holds nothing: the target's expiry is 0 for alarms.
	if !res.HasExpiry || res.SecondsToExpiry != 0 {
		t.Errorf("SecondsToExpiry = %d (known %v), want 0", res.SecondsToExpiry, res.HasExpiry)
	}
	if got := result(t, rep, "other"); got.Outcome != rotation.Minted {
		t.Errorf("other: %s (%s)", got.Outcome, got.Reason)
	}
	if err := rep.Err(); err == nil || !strings.Contains(err.Error(), "two: ") || strings.Contains(err.Error(), "other: ") {
		t.Errorf("Err() = %v", err)
	}
	// The new token is live (the file holds it); the next run fills the
	// other destination without revoking what the file holds.
	e.sm.putErr = nil
	e.clock.Advance(time.Minute)
	res = result(t, e.engine(t, doc).Run(context.Background()), "two")
	if res.Outcome != rotation.Minted || len(res.Revoked) != 0 {
		t.Errorf("second run: %s (%s), revoked %v", res.Outcome, res.Reason, res.Revoked)
	}
}

func TestPutFailedButLanded(t *testing.T) {
	t.Parallel()
	// The store applies the write but answers with an error (a timeout after
	// the fact): the engine finds the new token there and treats it as
	// written, so it neither revokes it nor reports the write failed.
	e := newEnv(t)
	e.sm.putErr = func(_ context.Context, ref string, r core.Record) error {
		e.sm.Set(ref, r)
		return errors.New("secretsmanager PutSecretValue: context deadline exceeded")
	}
	doc := strings.Replace(longDoc, "credentials: {secret: src/tencent}", "credentials: {env: true}", 1)
	res := result(t, e.engine(t, doc).Run(context.Background()), "tcr-long")
	if res.Outcome != rotation.Minted {
		t.Fatalf("outcome %s (%s)", res.Outcome, res.Reason)
	}
	if live := e.cloud.Live(); !live[res.TokenID] {
		t.Errorf("the stored token %s was revoked", res.TokenID)
	}
}

func TestAllWritesFailRevokesNewToken(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.sm.putErr = func(context.Context, string, core.Record) error { return errStore }
	doc := strings.Replace(longDoc, "credentials: {secret: src/tencent}", "credentials: {env: true}", 1)
	res := result(t, e.engine(t, doc).Run(context.Background()), "tcr-long")
	if res.Outcome != rotation.Failed || !strings.Contains(res.Reason, "no destination written") {
		t.Fatalf("outcome %s (%s)", res.Outcome, res.Reason)
	}
	if live := e.cloud.Live(); len(live) != 0 {
		t.Errorf("live tokens %v: the unstored token must be revoked", live)
	}
}

func TestUnreadableDestination(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		longTerm bool
		want     rotation.Outcome
		minted   int
	}{
		// A temporary credential still goes to the readable destination.
		{"temp", false, rotation.Failed, 1},
		// A long-term token is not rotated without knowing every
		// destination's state.
		{"long-term", true, rotation.Failed, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			doc := `
targets:
  - name: x
    provider: tcr
    region: ap-guangzhou
    instance-id: tcr-inst0001
    credentials: {env: true}
    destinations: [{store: secretsmanager}, {store: file, ref: host}]
`
			if tc.longTerm {
				doc += "    token-type: longterm\n"
			}
			e.file.getErr = func(context.Context, string) error {
				return errors.New("open /root/.docker/config.json: permission denied")
			}
			res := result(t, e.engine(t, doc).Run(context.Background()), "x")
			if res.Outcome != tc.want || !strings.Contains(res.Reason, "file:host: read: open") {
				t.Errorf("outcome %s (%s)", res.Outcome, res.Reason)
			}
			if got := e.cloud.Issued("tcr-inst0001"); got != tc.minted {
				t.Errorf("minted %d, want %d", got, tc.minted)
			}
			_, stored := e.sm.Record("x")
			if stored != (tc.minted > 0) {
				t.Errorf("secretsmanager written = %v", stored)
			}
		})
	}
}

func TestDeadlineMidRun(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	var started atomic.Int32
	e.cloud.beforeIssue = func(ctx context.Context, tg core.Target) error {
		started.Add(1)
		if tg.InstanceID == "tcr-inst0001" {
			<-ctx.Done() // slow: outlives the run's deadline
			return fmt.Errorf("tcr CreateInstanceToken %s: %w", tg.InstanceID, ctx.Err())
		}
		return nil
	}
	// One at a time, in config order: t0 finishes, t1 hangs until the
	// deadline, t2 and t3 never start.
	eng := e.engine(t, manyDoc(4, "concurrency: 1\ndeadline-margin: 1ms\n"))
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	rep := eng.Run(ctx)
	if res := result(t, rep, "t0"); res.Outcome != rotation.Minted {
		t.Errorf("t0: %s (%s)", res.Outcome, res.Reason)
	}
	if _, ok := e.sm.Record("t0"); !ok {
		t.Error("t0 was not kept")
	}
	if res := result(t, rep, "t1"); res.Outcome != rotation.Failed || !strings.Contains(res.Reason, "run deadline reached") {
		t.Errorf("t1: %s (%s), want failed at the deadline", res.Outcome, res.Reason)
	}
	for _, name := range []string{"t2", "t3"} {
		if res := result(t, rep, name); res.Outcome != rotation.Failed || !strings.Contains(res.Reason, "not started: run deadline reached") {
			t.Errorf("%s: %s (%s), want not started", name, res.Outcome, res.Reason)
		}
	}
	if got := started.Load(); got != 2 {
		t.Errorf("issue started %d times, want 2", got)
	}
	err := rep.Err()
	if err == nil {
		t.Fatal("Err() = nil")
	}
	for _, name := range []string{"t1", "t2", "t3"} {
		if !strings.Contains(err.Error(), name+": ") {
			t.Errorf("Err() = %v, does not name %s", err, name)
		}
	}
}

func TestTargetTimeout(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.cloud.beforeIssue = func(ctx context.Context, tg core.Target) error {
		if tg.InstanceID == "tcr-inst0000" {
			<-ctx.Done()
			return ctx.Err()
		}
		return nil
	}
	doc := strings.Replace(manyDoc(2, ""), "credentials: {env: true}}", "credentials: {env: true}, timeout: 50ms}", 1)
	rep := e.engine(t, doc).Run(context.Background())
	if res := result(t, rep, "t0"); res.Outcome != rotation.Failed || !strings.Contains(res.Reason, "target timeout 50ms reached") {
		t.Errorf("t0: %s (%s)", res.Outcome, res.Reason)
	}
	if res := result(t, rep, "t1"); res.Outcome != rotation.Minted {
		t.Errorf("t1: %s (%s)", res.Outcome, res.Reason)
	}
}

func TestCredentialSourceFailures(t *testing.T) {
	t.Parallel()
	const doc = `
credential-sources:
  shared: {secret: src/shared}
targets:
  - {name: a, provider: tcr, region: ap-guangzhou, instance-id: tcr-inst0001, credentials: {source: shared}}
  - {name: b, provider: tcr, region: ap-guangzhou, instance-id: tcr-inst0002, credentials: {source: shared}}
  - {name: c, provider: swr, region: cn-north-4, credentials: {secret: src/huawei}}
  - {name: d, provider: tcr, region: ap-guangzhou, instance-id: tcr-inst0004, credentials: {secret: src/iam-on-tcr}}
  - {name: e, provider: tcr, region: ap-guangzhou, instance-id: tcr-inst0005, credentials: {secret: src/typo}}
  - {name: f, provider: tcr, region: ap-guangzhou, instance-id: tcr-inst0006, credentials: {secret: src/missing}}
`
	e := newEnv(t)
	e.keySecret(t, "src/shared")
	e.secrets.values["src/huawei"] = `{"iam_user":"ci","iam_password":"pw-aaaaaaaaaaaa","iam_domain":"acct","project_id":"0123abcd"}`
	e.secrets.values["src/iam-on-tcr"] = `{"iam_user":"ci","iam_password":"pw-bbbbbbbbbbbb","iam_domain":"acct"}`
	e.secrets.values["src/typo"] = `{"access_key_id":"AKIDx","acces_key_secret":"pw-cccccccccccc"}`
	rep := e.engine(t, doc).Run(context.Background())
	for _, tc := range []struct {
		name, want string
	}{
		{"a", ""}, {"b", ""}, {"c", ""},
		{"d", "cloud credentials from secret src/iam-on-tcr: iam-user: IAM password login is only for the Huawei providers"},
		{"e", `credentials secret src/typo is not a valid credentials object (json: unknown field "acces_key_secret")`},
		{"f", "secretsmanager GetSecretValue src/missing: ResourceNotFoundException"},
	} {
		res := result(t, rep, tc.name)
		if tc.want == "" {
			if res.Outcome != rotation.Minted {
				t.Errorf("%s: %s (%s)", tc.name, res.Outcome, res.Reason)
			}
			continue
		}
		if res.Outcome != rotation.Failed || !strings.Contains(res.Reason, tc.want) {
			t.Errorf("%s: %s (%s), want failed with %q", tc.name, res.Outcome, res.Reason, tc.want)
		}
	}
	// The shared secret is read once per run.
	if got := e.secrets.reads["src/shared"]; got != 1 {
		t.Errorf("shared secret read %d times, want 1", got)
	}
	// The issuer got the resolved auth.
	for _, tg := range e.cloud.targets {
		if tg.Provider == swr.SharedName && (tg.Auth.IAMUser != "ci" || tg.Auth.IAMPassword == "" || tg.Auth.ProjectID != "0123abcd") {
			t.Errorf("swr target auth = %v", tg.Auth)
		}
	}
}

func TestPutFailedOutcomeUnknown(t *testing.T) {
	t.Parallel()
	// The write fails and the store cannot be read to see whether it
	// landed: the new token may be stored, so it is not revoked, and the
	// report says so.
	e := newEnv(t)
	var broken atomic.Bool
	e.sm.putErr = func(context.Context, string, core.Record) error {
		broken.Store(true)
		return errors.New("secretsmanager PutSecretValue: connection reset")
	}
	e.sm.getErr = func(context.Context, string) error {
		if broken.Load() {
			return errors.New("secretsmanager GetSecretValue: connection refused")
		}
		return nil
	}
	doc := strings.Replace(longDoc, "credentials: {secret: src/tencent}", "credentials: {env: true}", 1)
	res := result(t, e.engine(t, doc).Run(context.Background()), "tcr-long")
	if res.Outcome != rotation.Failed || len(res.Warnings) != 1 || !strings.Contains(res.Warnings[0], "may be stored where a write failed") {
		t.Fatalf("%s (%s), warnings %v", res.Outcome, res.Reason, res.Warnings)
	}
	if live := e.cloud.Live(); len(live) != 1 {
		t.Errorf("live tokens %v, want the new one kept", live)
	}
}
