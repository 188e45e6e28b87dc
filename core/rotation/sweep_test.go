package rotation_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/regmint/regmint/core"
	"github.com/regmint/regmint/core/config"
	"github.com/regmint/regmint/core/rotation"
	"github.com/regmint/regmint/core/store/secretsmanager"
	"github.com/regmint/regmint/core/stores"
	"github.com/regmint/regmint/core/tcr"
	"github.com/regmint/regmint/core/tcr/tcrtest"
)

// tcrEnv runs the engine with the real TCR issuer against tcrtest, on the
// test clock (the emulator checks signatures against the wall clock), into
// stores that read records back.
type tcrEnv struct {
	*checkEnv
	srv  *tcrtest.Server
	inst tcrtest.Instance
	key  tcrtest.Key
}

func newTCREnv(t *testing.T) *tcrEnv {
	t.Helper()
	e := &tcrEnv{checkEnv: newCheckEnv(t)}
	e.srv = tcrtest.New(tcrtest.WithClock(e.clock.Now), tcrtest.WithSignatureClock(time.Now))
	t.Cleanup(e.srv.Close)
	e.inst, e.key = e.srv.AddInstance("ap-guangzhou"), e.srv.AddKey()
	return e
}

func (e *tcrEnv) engine(t *testing.T, doc string) *rotation.Engine {
	t.Helper()
	getenv := func(name string) string {
		return map[string]string{tcr.EnvSecretID: e.key.ID, tcr.EnvSecretKey: e.key.Secret}[name]
	}
	factory := func(tg core.Target) (core.Issuer, error) {
		return tcr.New(tg, core.Env{Getenv: getenv, Now: e.clock.Now,
			Backoff: core.Backoff{Base: time.Millisecond, Max: 2 * time.Millisecond, Attempts: 3}})
	}
	cfg, err := config.Parse([]byte(doc), stores.Kinds())
	if err != nil {
		t.Fatal(err)
	}
	eng, err := rotation.New(cfg, factory,
		rotation.WithClock(e.clock.Now),
		rotation.WithStore(secretsmanager.KindName, e.sm),
		rotation.WithVerifier(core.Verifier{Timeout: 5 * time.Second}),
		rotation.WithLogger(newJSONLogger(&e.log)))
	if err != nil {
		t.Fatal(err)
	}
	return eng
}

func (e *tcrEnv) doc(extra string) string {
	return fmt.Sprintf(`
targets:
  - {name: x, provider: tcr, region: ap-guangzhou, instance-id: %s, api-endpoint: %q, token-type: longterm,
     rotate-every: 7d, timeout: 10s, credentials: {env: true}%s}
`, e.inst.ID, e.srv.URL, extra)
}

func (e *tcrEnv) live() []string {
	var ids []string
	for _, tok := range e.srv.LongTermTokens(e.inst.ID) {
		ids = append(ids, tok.ID)
	}
	slices.Sort(ids)
	return ids
}

func (e *tcrEnv) stored(t *testing.T) (current, previous string) {
	t.Helper()
	r, ok := e.sm.Record("x")
	if !ok {
		t.Fatal("nothing stored")
	}
	return r.Credential.TokenID, r.PreviousTokenID
}

func sorted(ids ...string) []string {
	ids = slices.Clone(ids)
	slices.Sort(ids)
	return ids
}

// TestSweepFailedRevocation: the token two generations back could not be
// revoked after a rotation (no destination refers to it any more); the
// next run revokes it. A regression: it stayed live for good, "revoke it
// by hand".
func TestSweepFailedRevocation(t *testing.T) {
	t.Parallel()
	e := newTCREnv(t)
	eng := e.engine(t, e.doc(""))
	for range 2 {
		if res := e.run(t, eng); res.Outcome != rotation.Minted {
			t.Fatalf("rotation: %s (%s)", res.Outcome, res.Reason)
		}
		e.clock.Advance(8 * 24 * time.Hour)
	}
	_, first := e.stored(t)
	e.srv.Inject(100, tcrtest.Fault{Action: "DeleteInstanceToken", Code: "RequestLimitExceeded", Message: "Request limit exceeded."})
	res := e.run(t, eng)
	if res.Outcome != rotation.Failed || !strings.Contains(res.Reason, "revoking the replaced token "+first+" failed") {
		t.Fatalf("%s (%s), want failed: the revocation of %s", res.Outcome, res.Reason, first)
	}
	cur, prev := e.stored(t)
	if got := e.live(); !slices.Equal(got, sorted(first, prev, cur)) {
		t.Fatalf("live %v, want the unrevoked %s besides %s and %s", got, first, prev, cur)
	}
	e.srv.ClearFaults()
	e.clock.Advance(10 * time.Minute)
	res = e.run(t, eng)
	if res.Outcome != rotation.Fresh || !slices.Equal(res.Revoked, []string{first}) {
		t.Fatalf("next run: %s (%s), revoked %v; want fresh, %s revoked", res.Outcome, res.Reason, res.Revoked, first)
	}
	if len(res.Warnings) != 1 || !strings.Contains(res.Warnings[0], "revoked token "+first+": made for the target, but no destination refers to it") {
		t.Errorf("warnings %q", res.Warnings)
	}
	if got := e.live(); !slices.Equal(got, sorted(prev, cur)) {
		t.Errorf("live %v, want %s and %s", got, prev, cur)
	}
}

// TestSweepLostAnswer: the answer to creating a long-term token was lost
// after TCR made it; the token is left alone in that run (it is new: it
// could be another run's) and revoked in the next one.
func TestSweepLostAnswer(t *testing.T) {
	t.Parallel()
	e := newTCREnv(t)
	eng := e.engine(t, e.doc(""))
	e.run(t, eng)
	e.clock.Advance(8 * 24 * time.Hour)
	before := e.live()
	e.srv.Inject(1, tcrtest.Fault{Action: "CreateInstanceToken", Drop: true, AfterHandling: true})
	res := e.run(t, eng)
	if res.Outcome != rotation.Failed || !strings.Contains(res.Reason, "a long-term token may have been created") {
		t.Fatalf("%s (%s), want failed: maybe created", res.Outcome, res.Reason)
	}
	var stray string
	for _, id := range e.live() {
		if !slices.Contains(before, id) {
			stray = id
		}
	}
	if stray == "" || len(res.Revoked) != 0 {
		t.Fatalf("live %v (before %v), revoked %v: want a stray token, left alone", e.live(), before, res.Revoked)
	}
	e.clock.Advance(10 * time.Minute)
	res = e.run(t, eng)
	if res.Outcome != rotation.Minted || !slices.Contains(res.Revoked, stray) {
		t.Fatalf("next run: %s (%s), revoked %v; want minted, the stray %s revoked", res.Outcome, res.Reason, res.Revoked, stray)
	}
	cur, prev := e.stored(t)
	if got := e.live(); !slices.Equal(got, sorted(prev, cur)) {
		t.Errorf("live %v, want %s and %s", got, prev, cur)
	}
}

// TestSweepLeavesOthersAlone: tokens of the instance made with another
// label (by hand, or another target), and this target's own tokens too
// young to tell from another run's, stay.
func TestSweepLeavesOthersAlone(t *testing.T) {
	t.Parallel()
	e := newTCREnv(t)
	eng := e.engine(t, e.doc(""))
	e.run(t, eng)
	other, err := tcr.New(core.Target{Provider: tcr.Name, Region: "ap-guangzhou", InstanceID: e.inst.ID, APIEndpoint: e.srv.URL,
		TokenType: core.TokenLongTerm, Description: "made by hand", Auth: core.Auth{AccessKeyID: e.key.ID, AccessKeySecret: e.key.Secret}}, core.Env{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := other.Issue(context.Background()); err != nil {
		t.Fatal(err)
	}
	young, err := tcr.New(core.Target{Provider: tcr.Name, Region: "ap-guangzhou", InstanceID: e.inst.ID, APIEndpoint: e.srv.URL,
		TokenType: core.TokenLongTerm, Description: "regmint rotation x", Auth: core.Auth{AccessKeyID: e.key.ID, AccessKeySecret: e.key.Secret}}, core.Env{})
	if err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(time.Hour)
	if _, err := young.Issue(context.Background()); err != nil {
		t.Fatal(err)
	}
	before := e.live()
	e.clock.Advance(time.Minute) // younger than 2 x 10s + 1m
	if res := e.run(t, eng); res.Outcome != rotation.Fresh || len(res.Revoked) != 0 {
		t.Fatalf("%s (%s), revoked %v; want fresh, nothing revoked", res.Outcome, res.Reason, res.Revoked)
	}
	if got := e.live(); !slices.Equal(got, before) {
		t.Errorf("live %v, want %v", got, before)
	}
}

func TestLongTermLabelsApart(t *testing.T) {
	t.Parallel()
	const target = "  - {name: %s, provider: tcr, region: ap-guangzhou, instance-id: %s, token-type: %s, credentials: {env: true}%s}\n"
	for _, tc := range []struct {
		name, a, b string
		want       string
	}{
		{"same instance, same description", fmt.Sprintf(target, "a", "tcr-inst0001", "longterm", ", description: ci"),
			fmt.Sprintf(target, "b", "tcr-inst0001", "longterm", ", description: ci"),
			`target "b" (targets[1]): description: labels the long-term tokens of instance tcr-inst0001 as targets[0] (a) does`},
		{"default descriptions", fmt.Sprintf(target, "a", "tcr-inst0001", "longterm", ""), fmt.Sprintf(target, "b", "tcr-inst0001", "longterm", ""), ""},
		{"other instance", fmt.Sprintf(target, "a", "tcr-inst0001", "longterm", ", description: ci"),
			fmt.Sprintf(target, "b", "tcr-inst0002", "longterm", ", description: ci"), ""},
		{"temporary", fmt.Sprintf(target, "a", "tcr-inst0001", "temp", ", description: ci"),
			fmt.Sprintf(target, "b", "tcr-inst0001", "longterm", ", description: ci"), ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := config.Parse([]byte("targets:\n"+tc.a+tc.b), stores.Kinds())
			if tc.want == "" {
				if err != nil {
					t.Errorf("Parse: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Parse error %v, want %q", err, tc.want)
			}
		})
	}
}
