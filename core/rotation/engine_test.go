package rotation_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/regmint/regmint/core"
	"github.com/regmint/regmint/core/config"
	"github.com/regmint/regmint/core/rotation"
	"github.com/regmint/regmint/core/store/secretsmanager"
	"github.com/regmint/regmint/core/stores"
)

// keySecret stores a credentials secret with access keys and returns the
// secret key.
func (e *env) keySecret(t testing.TB, id string) string {
	t.Helper()
	sk := "sk-" + randomHex(t, 16)
	e.secrets.mu.Lock()
	defer e.secrets.mu.Unlock()
	e.secrets.values[id] = `{"access_key_id":"AKIDexample` + randomHex(t, 4) + `","access_key_secret":"` + sk + `"}`
	return sk
}

const tempDoc = `
credential-sources:
  tencent: {secret: src/tencent}
targets:
  - name: tcr-temp
    provider: tcr
    region: ap-guangzhou
    instance-id: tcr-temp0001
    credentials: {source: tencent}
`

const longDoc = `
targets:
  - name: tcr-long
    provider: tcr
    region: ap-guangzhou
    instance-id: tcr-long0001
    token-type: longterm
    rotate-every: 30d
    credentials: {secret: src/tencent}
`

func TestRefreshTemporary(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.keySecret(t, "src/tencent")
	eng := e.engine(t, tempDoc)
	ctx := context.Background()
	const ref = "tcr-temp"

	steps := []struct {
		name    string
		advance time.Duration
		want    rotation.Outcome
		reason  string
		issued  int
	}{
		{"missing", 0, rotation.Minted, "missing", 1},
		{"fresh right after", 10 * time.Minute, rotation.Fresh, "fresh, expires in 50m", 1},
		{"still fresh at 30m left", 20 * time.Minute, rotation.Fresh, "fresh, expires in 30m", 1},
		{"near expiry", 10 * time.Minute, rotation.Minted, "expires in 20m, under refresh-margin 30m", 2},
		{"expired", 3 * time.Hour, rotation.Minted, "expired", 3},
	}
	for _, s := range steps {
		e.clock.Advance(s.advance)
		rep := eng.Run(ctx)
		res := result(t, rep, "tcr-temp")
		if res.Outcome != s.want || !strings.Contains(res.Reason, s.reason) {
			t.Fatalf("%s: outcome %s (%s), want %s (%s)", s.name, res.Outcome, res.Reason, s.want, s.reason)
		}
		if got := e.cloud.Issued("tcr-temp0001"); got != s.issued {
			t.Errorf("%s: issued %d, want %d", s.name, got, s.issued)
		}
		if err := rep.Err(); err != nil {
			t.Errorf("%s: Err() = %v", s.name, err)
		}
		rec, ok := e.sm.Record(ref)
		if !ok {
			t.Fatalf("%s: nothing stored", s.name)
		}
		if got, want := rec.Credential.ExpiresAt, res.ExpiresAt; !got.Equal(want) {
			t.Errorf("%s: stored expiry %v, reported %v", s.name, got, want)
		}
		if got, want := res.SecondsToExpiry, int64(rec.Credential.ExpiresAt.Sub(e.clock.Now())/time.Second); got != want {
			t.Errorf("%s: SecondsToExpiry = %d, want %d", s.name, got, want)
		}
		if s.want == rotation.Minted {
			if !rec.IssuedAt.Equal(e.clock.Now()) {
				t.Errorf("%s: IssuedAt %v, want the clock's %v", s.name, rec.IssuedAt, e.clock.Now())
			}
			if res.Verification == nil || res.Verification.Result != core.VerifyGood {
				t.Errorf("%s: verification %v, want good", s.name, res.Verification)
			}
		}
	}
}

func TestRefreshWhenConfigChanges(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.keySecret(t, "src/tencent")
	ctx := context.Background()
	if res := result(t, e.engine(t, tempDoc).Run(ctx), "tcr-temp"); res.Outcome != rotation.Minted {
		t.Fatalf("first run: %s (%s)", res.Outcome, res.Reason)
	}
	// Same config again: fresh.
	if res := result(t, e.engine(t, tempDoc).Run(ctx), "tcr-temp"); res.Outcome != rotation.Fresh {
		t.Fatalf("same config: %s (%s)", res.Outcome, res.Reason)
	}
	// Another region: the fingerprint changes.
	changed := strings.Replace(tempDoc, "ap-guangzhou", "ap-shanghai", 1)
	res := result(t, e.engine(t, changed).Run(ctx), "tcr-temp")
	if res.Outcome != rotation.Minted || !strings.Contains(res.Reason, "config changed") {
		t.Fatalf("changed config: %s (%s), want minted (config changed)", res.Outcome, res.Reason)
	}
	// Another access key id (the secret's content) changes it too.
	e.keySecret(t, "src/tencent")
	res = result(t, e.engine(t, changed).Run(ctx), "tcr-temp")
	if res.Outcome != rotation.Minted || !strings.Contains(res.Reason, "config changed") {
		t.Fatalf("new access key id: %s (%s), want minted (config changed)", res.Outcome, res.Reason)
	}
}

func TestLongTermRevokesTwoGenerationsBack(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.keySecret(t, "src/tencent")
	eng := e.engine(t, longDoc)
	ctx := context.Background()
	const ref = "tcr-long"

	var tokens []string
	for i := range 4 {
		if i > 0 {
			// Not due yet a day before rotate-every.
			e.clock.Advance(29 * 24 * time.Hour)
			if res := result(t, eng.Run(ctx), "tcr-long"); res.Outcome != rotation.Fresh {
				t.Fatalf("rotation %d, day 29: %s (%s), want fresh", i+1, res.Outcome, res.Reason)
			}
			e.clock.Advance(24 * time.Hour)
		}
		res := result(t, eng.Run(ctx), "tcr-long")
		if res.Outcome != rotation.Minted {
			t.Fatalf("rotation %d: %s (%s)", i+1, res.Outcome, res.Reason)
		}
		tokens = append(tokens, res.TokenID)
		rec, _ := e.sm.Record(ref)
		if rec.Credential.TokenID != res.TokenID {
			t.Fatalf("rotation %d: stored %s, reported %s", i+1, rec.Credential.TokenID, res.TokenID)
		}
		var wantPrev string
		if i > 0 {
			wantPrev = tokens[i-1]
		}
		if rec.PreviousTokenID != wantPrev {
			t.Errorf("rotation %d: PreviousTokenID %q, want %q", i+1, rec.PreviousTokenID, wantPrev)
		}
		var wantRevoked []string
		if i >= 2 {
			wantRevoked = []string{tokens[i-2]}
		}
		if !slices.Equal(res.Revoked, wantRevoked) {
			t.Errorf("rotation %d: revoked %v, want %v", i+1, res.Revoked, wantRevoked)
		}
		// Only the current and the previous token are live.
		live := e.cloud.Live()
		want := map[string]bool{rec.Credential.TokenID: true}
		if wantPrev != "" {
			want[wantPrev] = true
		}
		if len(live) != len(want) || !live[rec.Credential.TokenID] || (wantPrev != "" && !live[wantPrev]) {
			t.Errorf("rotation %d: live tokens %v, want %v", i+1, live, want)
		}
		if i == 2 {
			// After three rotations: the first token revoked, the second
			// and third alive.
			if live[tokens[0]] || !live[tokens[1]] || !live[tokens[2]] {
				t.Errorf("after three rotations live = %v, tokens %v", live, tokens)
			}
		}
	}
}

func TestNeverRevokesCurrentOrPrevious(t *testing.T) {
	t.Parallel()
	const doc = `
targets:
  - name: lt
    provider: tcr
    region: ap-guangzhou
    instance-id: tcr-long0001
    token-type: longterm
    credentials: {env: true}
    destinations:
      - {store: secretsmanager, ref: a}
      - {store: file, ref: b}
`
	for _, tc := range []struct {
		name string
		// what the two destinations hold: current and previous token ids
		a, b        [2]string
		failB       bool
		wantRevoked []string
	}{
		{"consistent", [2]string{"cur", "prev"}, [2]string{"cur", "prev"}, false, []string{"prev"}},
		{"previous of one is current of the other", [2]string{"cur", "prev"}, [2]string{"prev", "older"}, false, []string{"older"}},
		{"previous of one is previous of the other, write failed there", [2]string{"cur", "prev"}, [2]string{"cur", "prev"}, true, nil},
		{"previous equals current", [2]string{"cur", "cur"}, [2]string{"cur", "cur"}, false, nil},
		{"no previous", [2]string{"cur", ""}, [2]string{"cur", ""}, false, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			old := t0.Add(-60 * 24 * time.Hour)
			eng := e.engine(t, doc)
			fp := eng.Config().Targets[0].Target().Fingerprint()
			set := func(s *memStore, ref string, ids [2]string) {
				s.Set(ref, core.Record{
					Credential:  core.Credential{Registry: "r.example.test", Username: "u", Password: "p", TokenID: ids[0], ExpiresAt: t0.Add(time.Hour * 24 * 365)},
					IssuedAt:    old,
					Fingerprint: fp, PreviousTokenID: ids[1],
				})
				for _, id := range ids {
					if id != "" {
						e.cloud.live[id] = true
					}
				}
			}
			set(e.sm, "a", tc.a)
			set(e.file, "b", tc.b)
			if tc.failB {
				e.file.putErr = func(context.Context, string, core.Record) error { return errStore }
			}
			res := result(t, eng.Run(context.Background()), "lt")
			if !slices.Equal(res.Revoked, tc.wantRevoked) {
				t.Errorf("revoked %v, want %v (outcome %s: %s)", res.Revoked, tc.wantRevoked, res.Outcome, res.Reason)
			}
			// Nothing current or previous in any destination is revoked.
			live := e.cloud.Live()
			for _, s := range []struct {
				st  *memStore
				ref string
			}{{e.sm, "a"}, {e.file, "b"}} {
				rec, _ := s.st.Record(s.ref)
				for _, id := range []string{rec.Credential.TokenID, rec.PreviousTokenID} {
					if id != "" && !live[id] {
						t.Errorf("%s holds %s, which was revoked", s.ref, id)
					}
				}
			}
		})
	}
}

func TestMultipleDestinationsMintOnce(t *testing.T) {
	t.Parallel()
	const doc = `
targets:
  - name: both
    provider: swr-enterprise
    region: cn-north-4
    instance-id: inst-1
    credentials: {env: true}
    destinations:
      - {store: secretsmanager}
      - {store: file, ref: build-host}
`
	e := newEnv(t)
	eng := e.engine(t, doc)
	res := result(t, eng.Run(context.Background()), "both")
	if res.Outcome != rotation.Minted {
		t.Fatalf("outcome %s (%s)", res.Outcome, res.Reason)
	}
	if got := e.cloud.Issued("inst-1"); got != 1 {
		t.Errorf("issued %d, want 1", got)
	}
	a, _ := e.sm.Record("both")
	b, _ := e.file.Record("build-host")
	if a.Credential.Password == "" || a.Credential.Password != b.Credential.Password {
		t.Error("the destinations do not hold the same new credential")
	}
	if len(res.Destinations) != 2 || res.Destinations[0].Status != rotation.DestWritten || res.Destinations[1].Status != rotation.DestWritten {
		t.Errorf("destinations %+v", res.Destinations)
	}
	// A new destination added later is filled, and the other one gets the
	// same new credential.
	e.clock.Advance(time.Minute)
	doc2 := doc + "      - {store: file, ref: another}\n"
	res = result(t, e.engine(t, doc2).Run(context.Background()), "both")
	if res.Outcome != rotation.Minted || !strings.Contains(res.Reason, "file:another: missing") {
		t.Fatalf("after adding a destination: %s (%s)", res.Outcome, res.Reason)
	}
	a, _ = e.sm.Record("both")
	c, _ := e.file.Record("another")
	if a.Credential.Password != c.Credential.Password {
		t.Error("destinations diverged")
	}
}

func TestVerifyOff(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.keySecret(t, "src/tencent")
	doc := tempDoc + "    verify: false\n"
	calls := 0
	eng := e.engine(t, doc, rotation.WithVerifier(fakeVerifier{verify: func(context.Context, core.Credential) core.Verification {
		calls++
		return core.Verification{Result: core.VerifyBad}
	}}))
	res := result(t, eng.Run(context.Background()), "tcr-temp")
	if res.Outcome != rotation.Minted || res.Verification.Result != core.VerifySkipped || calls != 0 {
		t.Errorf("outcome %s, verification %v, verifier calls %d", res.Outcome, res.Verification, calls)
	}
}

func TestIssuerWithoutRevoker(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	doc := strings.Replace(longDoc, "credentials: {secret: src/tencent}", "credentials: {env: true}", 1)
	cfg, err := config.Parse([]byte(doc), stores.Kinds())
	if err != nil {
		t.Fatal(err)
	}
	factory := func(tg core.Target) (core.Issuer, error) {
		return issueOnly{issue: func(ctx context.Context) (core.Credential, error) { return e.cloud.issue(ctx, tg) }}, nil
	}
	eng, err := rotation.New(cfg, factory, rotation.WithClock(e.clock.Now), rotation.WithStore(secretsmanager.KindName, e.sm), rotation.WithVerifier(goodVerifier))
	if err != nil {
		t.Fatal(err)
	}
	var res rotation.Result
	for range 3 {
		res = result(t, eng.Run(context.Background()), "tcr-long")
		e.clock.Advance(31 * 24 * time.Hour)
	}
	// The third rotation stores its token but cannot revoke the first one:
	// that is a failure someone must see, naming the token.
	if res.Outcome != rotation.Failed || !strings.Contains(res.Reason, "revoking the replaced token tok-1 failed: the issuer cannot revoke tokens") ||
		!strings.Contains(res.Reason, "revoke it by hand") {
		t.Errorf("%s (%s)", res.Outcome, res.Reason)
	}
	if rec, _ := e.sm.Record("tcr-long"); rec.Credential.TokenID != "tok-3" {
		t.Errorf("stored %s, want tok-3", rec.Credential.TokenID)
	}
}
