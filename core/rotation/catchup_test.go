package rotation_test

import (
	"context"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/regmint/regmint/core"
	"github.com/regmint/regmint/core/rotation"
)

const catchUpDoc = `
targets:
  - name: x
    provider: tcr
    region: ap-guangzhou
    instance-id: tcr-inst0001
    token-type: longterm
    rotate-every: 7d
    credentials: {env: true}
    destinations: [{store: secretsmanager}, {store: file, ref: host}]
`

// splitDestinations rotates three times, the third time with the Secrets
// Manager write failing: the file holds token C (previous B), Secrets
// Manager still B (previous A), and A, B and C are live.
func splitDestinations(t *testing.T, e *checkEnv, eng *rotation.Engine) (a, b, c string) {
	t.Helper()
	for range 2 {
		if res := e.run(t, eng); res.Outcome != rotation.Minted {
			t.Fatalf("rotation: %s (%s)", res.Outcome, res.Reason)
		}
		e.clock.Advance(8 * 24 * time.Hour)
	}
	var failing atomic.Bool
	failing.Store(true)
	e.env.sm.putErr = func(context.Context, string, core.Record) error {
		if failing.Load() {
			return errStore
		}
		return nil
	}
	if res := e.run(t, eng); res.Outcome != rotation.Failed || !strings.Contains(res.Reason, "written to 1 of 2 destinations") {
		t.Fatalf("rotation with Secrets Manager failing: %s (%s)", res.Outcome, res.Reason)
	}
	failing.Store(false)
	sm, _ := e.sm.Record("x")
	file, _ := e.file.Record("host")
	a, b, c = sm.PreviousTokenID, sm.Credential.TokenID, file.Credential.TokenID
	if file.PreviousTokenID != b || a == "" || c == b {
		t.Fatalf("setup: secretsmanager %s (previous %s), file %s (previous %s)", b, a, c, file.PreviousTokenID)
	}
	if live := e.cloud.Live(); len(live) != 3 {
		t.Fatalf("setup: live tokens %v, want A, B and C", live)
	}
	return a, b, c
}

// TestCatchUpLaggingDestination: a destination a generation behind is
// given the credential the other holds rather than a third token, and the
// token two generations back is revoked; nothing is minted. The run mints
// nothing, so it revokes with an issuer made for revoking alone (a
// regression: it used to fail with "the issuer cannot revoke tokens").
func TestCatchUpLaggingDestination(t *testing.T) {
	t.Parallel()
	e := newCheckEnv(t)
	eng := e.engine(t, catchUpDoc)
	a, b, c := splitDestinations(t, e, eng)
	issued := e.cloud.Issued("tcr-inst0001")
	fileRec, _ := e.file.Record("host")

	e.clock.Advance(time.Hour)
	res := e.run(t, eng)
	if res.Outcome != rotation.Synced {
		t.Fatalf("%s (%s), want synced", res.Outcome, res.Reason)
	}
	want := "secretsmanager:x lagged behind file:host (a write failed in an earlier run): given its token " + c + " instead of minting another"
	if res.Reason != want {
		t.Errorf("reason %q, want %q", res.Reason, want)
	}
	if got := e.cloud.Issued("tcr-inst0001"); got != issued {
		t.Errorf("minted %d more, want none", got-issued)
	}
	if !slices.Equal(res.Revoked, []string{a}) {
		t.Errorf("revoked %v, want [%s]", res.Revoked, a)
	}
	if live := e.cloud.Live(); len(live) != 2 || !live[b] || !live[c] {
		t.Errorf("live tokens %v, want %s and %s", live, b, c)
	}
	sm, _ := e.sm.Record("x")
	if sm.Credential.TokenID != c || sm.Credential.Password != fileRec.Credential.Password || sm.PreviousTokenID != b || !sm.IssuedAt.Equal(fileRec.IssuedAt) {
		t.Errorf("secretsmanager holds %s (previous %s, issued %v), want %s (previous %s, issued %v)",
			sm.Credential.TokenID, sm.PreviousTokenID, sm.IssuedAt, c, b, fileRec.IssuedAt)
	}
	if got := []string{res.Destinations[0].Status, res.Destinations[1].Status}; !slices.Equal(got, []string{rotation.DestWritten, rotation.DestFresh}) {
		t.Errorf("destination statuses %v", got)
	}
	if res.StoredCheck == nil || res.StoredCheck.Result != core.VerifyGood || res.TokenID != c {
		t.Errorf("stored check %v, token %s", res.StoredCheck, res.TokenID)
	}
	if rotated, _, _ := (&rotation.Report{Results: []rotation.Result{res}}).Counts(); rotated != 1 {
		t.Errorf("a synced target counts as rotated: got %d", rotated)
	}
	// In line again: the next run finds both fresh.
	e.clock.Advance(time.Hour)
	if res := e.run(t, eng); res.Outcome != rotation.Fresh {
		t.Errorf("next run: %s (%s), want fresh", res.Outcome, res.Reason)
	}
}

func TestCatchUpOnlyWithAGoodSource(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		extra   string
		setup   func(e *checkEnv, c string)
		want    rotation.Outcome
		warning string
	}{
		{"source refused: mint", "", func(e *checkEnv, c string) {
			file, _ := e.file.Record("host")
			e.reg.refuse(file.Credential.Password)
		}, rotation.Minted, ""},
		{"registry unreachable: copied with a warning", "", func(e *checkEnv, _ string) { e.reg.setDown(true) }, rotation.Synced, "copied unverified"},
		{"registry unreachable, require-verified: minted, and refused unverified", "    require-verified: true\n", func(e *checkEnv, _ string) { e.reg.setDown(true) }, rotation.Failed, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newCheckEnv(t)
			eng := e.engine(t, catchUpDoc+tc.extra)
			_, _, c := splitDestinations(t, e, eng)
			issued := e.cloud.Issued("tcr-inst0001")
			tc.setup(e, c)
			e.clock.Advance(time.Hour)
			res := e.run(t, eng)
			if res.Outcome != tc.want {
				t.Fatalf("%s (%s), want %s", res.Outcome, res.Reason, tc.want)
			}
			if minted := e.cloud.Issued("tcr-inst0001") > issued; minted != (tc.want != rotation.Synced) {
				t.Errorf("minted %v, want %v", minted, tc.want != rotation.Synced)
			}
			if tc.warning != "" && (len(res.Warnings) != 1 || !strings.Contains(res.Warnings[0], tc.warning)) {
				t.Errorf("warnings %q, want %q", res.Warnings, tc.warning)
			}
		})
	}
}

// TestNoCatchUpForTemporary: temporary credentials are minted as before;
// nothing stays live.
func TestNoCatchUpForTemporary(t *testing.T) {
	t.Parallel()
	e := newCheckEnv(t)
	doc := strings.Replace(strings.Replace(catchUpDoc, "    token-type: longterm\n", "", 1), "    rotate-every: 7d\n", "", 1)
	eng := e.engine(t, doc)
	e.run(t, eng)
	e.env.sm.putErr = func(context.Context, string, core.Record) error { return errStore }
	e.clock.Advance(45 * time.Minute)
	if res := e.run(t, eng); res.Outcome != rotation.Failed {
		t.Fatalf("%s (%s)", res.Outcome, res.Reason)
	}
	e.env.sm.putErr = nil
	e.clock.Advance(time.Minute)
	if res := e.run(t, eng); res.Outcome != rotation.Minted {
		t.Errorf("%s (%s), want minted", res.Outcome, res.Reason)
	}
}
