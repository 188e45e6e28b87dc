package rotation_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/regmint/regmint/core"
	"github.com/regmint/regmint/core/decide"
	"github.com/regmint/regmint/core/rotation"
	"github.com/regmint/regmint/core/store/file"
	"github.com/regmint/regmint/core/store/secretsmanager"
	"github.com/regmint/regmint/internal/leaktest"
)

// readable is a memStore that also reads whole records back
// (core.RecordReader), as the Secrets Manager and file stores do.
type readable struct {
	*memStore
	mu    sync.Mutex
	reads int
}

var _ core.RecordReader = (*readable)(nil)

func (s *readable) ReadRecord(ctx context.Context, ref string) (core.Record, error) {
	if s.getErr != nil {
		if err := s.getErr(ctx, ref); err != nil {
			return core.Record{}, err
		}
	}
	s.mu.Lock()
	s.reads++
	s.mu.Unlock()
	r, ok := s.Record(ref)
	if !ok {
		return core.Record{}, fmt.Errorf("memstore %s: %w", ref, core.ErrNotFound)
	}
	return r, nil
}

// Reads returns how many records were read back.
func (s *readable) Reads() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.reads
}

// registry is a fake registry check: it accepts every credential but the
// refused ones, and answers unknown while down. It counts checks by
// password.
type registry struct {
	mu      sync.Mutex
	refused map[string]bool
	down    bool
	all     bool // refuse every credential
	echo    bool // put the password in the detail, as a careless check might
	checks  map[string]int
}

func newRegistry() *registry { return &registry{refused: map[string]bool{}, checks: map[string]int{}} }

func (r *registry) Verify(_ context.Context, c core.Credential) core.Verification {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.checks[c.Password]++
	detail := ""
	if r.echo {
		detail = " for " + c.Password
	}
	switch {
	case r.down:
		return core.Verification{Result: core.VerifyUnknown, Detail: "registry answered GET /v2/ with HTTP 503" + detail}
	case r.all || r.refused[c.Password]:
		return core.Verification{Result: core.VerifyBad, Scheme: "bearer", Detail: "token realm answered HTTP 401: login refused" + detail}
	}
	return core.Verification{Result: core.VerifyGood, Scheme: "bearer", Detail: "token realm issued a token" + detail}
}

// refuse makes the registry refuse passwords (a token revoked behind
// regmint's back).
func (r *registry) refuse(passwords ...string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, p := range passwords {
		r.refused[p] = true
	}
}

func (r *registry) setDown(down bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.down = down
}

func (r *registry) Checks(password string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.checks[password]
}

// checkEnv is an env whose stores read records back, with the fake
// registry as the engine's verifier and a captured log.
type checkEnv struct {
	*env
	sm, file *readable
	reg      *registry
	log      bytes.Buffer
}

func newCheckEnv(t *testing.T) *checkEnv {
	e := &checkEnv{env: newEnv(t), reg: newRegistry()}
	e.sm = &readable{memStore: e.env.sm}
	e.file = &readable{memStore: e.env.file}
	return e
}

func (e *checkEnv) engine(t *testing.T, doc string) *rotation.Engine {
	t.Helper()
	return e.env.engine(t, doc,
		rotation.WithStore(secretsmanager.KindName, e.sm),
		rotation.WithStore(file.KindName, e.file),
		rotation.WithVerifier(e.reg),
		rotation.WithLogger(newJSONLogger(&e.log)))
}

func (e *checkEnv) run(t *testing.T, eng *rotation.Engine) rotation.Result {
	t.Helper()
	return result(t, eng.Run(context.Background()), "x")
}

const checkDoc = `
targets:
  - name: x
    provider: tcr
    region: ap-guangzhou
    instance-id: tcr-inst0001
    credentials: {env: true}
`

func TestStoredCredentialRefusedIsReplaced(t *testing.T) {
	t.Parallel()
	for _, longTerm := range []bool{false, true} {
		t.Run(fmt.Sprintf("longterm=%v", longTerm), func(t *testing.T) {
			t.Parallel()
			e := newCheckEnv(t)
			doc := checkDoc
			if longTerm {
				doc += "    token-type: longterm\n"
			}
			eng := e.engine(t, doc)
			if res := e.run(t, eng); res.Outcome != rotation.Minted || res.StoredCheck != nil {
				t.Fatalf("first run: %s (%s), stored check %v; want minted, no check", res.Outcome, res.Reason, res.StoredCheck)
			}
			old, _ := e.sm.Record("x")

			e.clock.Advance(5 * time.Minute)
			res := e.run(t, eng)
			if res.Outcome != rotation.Fresh || res.StoredCheck == nil || res.StoredCheck.Result != core.VerifyGood || len(res.Warnings) != 0 {
				t.Fatalf("fresh run: %s (%s), stored check %v, warnings %v; want fresh, checked good", res.Outcome, res.Reason, res.StoredCheck, res.Warnings)
			}
			if e.sm.Reads() == 0 || e.reg.Checks(old.Credential.Password) != 2 { // once new, once stored
				t.Errorf("record reads %d, checks %d: the stored credential was not read back and checked", e.sm.Reads(), e.reg.Checks(old.Credential.Password))
			}

			// Revoked behind the engine's back: its metadata says fresh,
			// the registry refuses it.
			e.reg.refuse(old.Credential.Password)
			e.clock.Advance(5 * time.Minute)
			res = e.run(t, eng)
			if res.Outcome != rotation.Minted {
				t.Fatalf("after the revocation: %s (%s), want minted", res.Outcome, res.Reason)
			}
			want := "secretsmanager:x: stored credential refused by the registry: bad (token realm answered HTTP 401: login refused)"
			if res.Reason != want {
				t.Errorf("reason %q, want %q", res.Reason, want)
			}
			if res.StoredCheck == nil || res.StoredCheck.Result != core.VerifyBad {
				t.Errorf("stored check %v, want bad", res.StoredCheck)
			}
			if d := res.Destinations[0]; d.Decision != "stored credential refused by the registry" || d.Status != rotation.DestWritten {
				t.Errorf("destination %+v", d)
			}
			now, _ := e.sm.Record("x")
			if now.Credential.Password == old.Credential.Password || res.Verification == nil || res.Verification.Result != core.VerifyGood {
				t.Errorf("the destination was not given a new, verified credential (verification %v)", res.Verification)
			}
			if longTerm && (now.PreviousTokenID != old.Credential.TokenID || len(res.Revoked) != 0) {
				t.Errorf("previous token %q, revoked %v; want the refused token as previous, nothing revoked", now.PreviousTokenID, res.Revoked)
			}
			if got := e.cloud.Issued("tcr-inst0001"); got != 2 {
				t.Errorf("issued %d, want 2", got)
			}
			if log := e.log.String(); !strings.Contains(log, `"stored_check":"bad"`) || !strings.Contains(log, "stored credential refused by the registry") {
				t.Errorf("the log does not say why: %s", log)
			}
			// The replacement is accepted: fresh again.
			e.clock.Advance(5 * time.Minute)
			if res := e.run(t, eng); res.Outcome != rotation.Fresh {
				t.Errorf("next run: %s (%s), want fresh", res.Outcome, res.Reason)
			}
		})
	}
}

func TestStoredCheckUnknownKeepsTheCredential(t *testing.T) {
	t.Parallel()
	e := newCheckEnv(t)
	eng := e.engine(t, checkDoc)
	e.run(t, eng)
	old, _ := e.sm.Record("x")
	// Revoked, but the registry cannot be asked: nothing says so for sure.
	e.reg.refuse(old.Credential.Password)
	e.reg.setDown(true)
	e.clock.Advance(5 * time.Minute)
	res := e.run(t, eng)
	if res.Outcome != rotation.Fresh || res.StoredCheck == nil || res.StoredCheck.Result != core.VerifyUnknown {
		t.Fatalf("%s (%s), stored check %v; want fresh, unknown", res.Outcome, res.Reason, res.StoredCheck)
	}
	if len(res.Warnings) != 1 || !strings.Contains(res.Warnings[0], "could not be checked against the registry, so it is kept: unknown (registry answered GET /v2/ with HTTP 503)") {
		t.Errorf("warnings %q", res.Warnings)
	}
	if got := e.cloud.Issued("tcr-inst0001"); got != 1 {
		t.Errorf("issued %d, want 1: an inconclusive check mints nothing", got)
	}
	if now, _ := e.sm.Record("x"); now.Credential.Password != old.Credential.Password {
		t.Error("the stored credential was replaced")
	}
	// Once the registry answers, the refusal is seen.
	e.reg.setDown(false)
	e.clock.Advance(5 * time.Minute)
	if res := e.run(t, eng); res.Outcome != rotation.Minted || !strings.Contains(res.Reason, "refused by the registry") {
		t.Errorf("registry back: %s (%s), want minted", res.Outcome, res.Reason)
	}
}

func TestStoredCheckPerDestination(t *testing.T) {
	t.Parallel()
	e := newCheckEnv(t)
	doc := checkDoc + "    destinations: [{store: secretsmanager}, {store: file, ref: host}]\n"
	eng := e.engine(t, doc)
	e.run(t, eng)
	stored, _ := e.sm.Record("x")
	e.clock.Advance(5 * time.Minute)
	if res := e.run(t, eng); res.Outcome != rotation.Fresh {
		t.Fatalf("fresh run: %s (%s)", res.Outcome, res.Reason)
	}
	if got := e.reg.Checks(stored.Credential.Password); got != 2 {
		t.Errorf("%d checks, want 2: the new credential once, the stored one once for both destinations", got)
	}
	// The file's login was changed by hand to one the registry refuses;
	// its metadata still says fresh.
	other := stored
	other.Credential.Password = "pw-" + randomHex(t, 16)
	e.file.Set("host", other)
	e.reg.refuse(other.Credential.Password)
	e.clock.Advance(5 * time.Minute)
	res := e.run(t, eng)
	if res.Outcome != rotation.Minted || !strings.HasPrefix(res.Reason, "file:host: stored credential refused by the registry") {
		t.Fatalf("%s (%s), want minted for file:host", res.Outcome, res.Reason)
	}
	if got := []string{res.Destinations[0].Decision, res.Destinations[1].Decision}; !strings.HasPrefix(got[0], "fresh") || got[1] != "stored credential refused by the registry" {
		t.Errorf("decisions %q", got)
	}
	a, _ := e.sm.Record("x")
	b, _ := e.file.Record("host")
	if a.Credential.Password != b.Credential.Password || a.Credential.Password == stored.Credential.Password {
		t.Error("both destinations should hold the one new credential")
	}
	leaktest.Check(t, "log", e.log.String(), other.Credential.Password, stored.Credential.Password, a.Credential.Password)
}

func TestStoredCheckOnlyWhereItCan(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		doc      string
		readable bool
	}{
		{"verify off", checkDoc + "    verify: false\n", true},
		{"store cannot read records back", checkDoc, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newCheckEnv(t)
			var eng *rotation.Engine
			if tc.readable {
				eng = e.engine(t, tc.doc)
			} else {
				eng = e.env.engine(t, tc.doc, rotation.WithVerifier(e.reg))
			}
			e.run(t, eng)
			old, _ := e.env.sm.Record("x")
			e.reg.refuse(old.Credential.Password)
			e.clock.Advance(5 * time.Minute)
			res := e.run(t, eng)
			if res.Outcome != rotation.Fresh || res.StoredCheck != nil || e.sm.Reads() != 0 {
				t.Errorf("%s (%s), stored check %v, %d records read; want fresh, no check", res.Outcome, res.Reason, res.StoredCheck, e.sm.Reads())
			}
		})
	}
}

func TestStoredRefusedAndNewRefused(t *testing.T) {
	t.Parallel()
	e := newCheckEnv(t)
	eng := e.engine(t, checkDoc+"    token-type: longterm\n")
	e.run(t, eng)
	old, _ := e.sm.Record("x")
	// The registry refuses every login now (its auth backend is broken):
	// the new token is refused too, so it is not stored, and revoked.
	e.reg.mu.Lock()
	e.reg.all, e.reg.echo = true, true
	e.reg.mu.Unlock()
	e.clock.Advance(5 * time.Minute)
	res := e.run(t, eng)
	if res.Outcome != rotation.Failed || !strings.Contains(res.Reason, "verification bad") || !strings.Contains(res.Reason, "destinations keep their value") {
		t.Fatalf("%s (%s), want failed: the new credential was refused too", res.Outcome, res.Reason)
	}
	if now, _ := e.sm.Record("x"); now.Credential.Password != old.Credential.Password {
		t.Error("a refused credential replaced the stored one")
	}
	if live := e.cloud.Live(); len(live) != 1 || !live[old.Credential.TokenID] {
		t.Errorf("live tokens %v, want only the stored one (the new one revoked)", live)
	}
	leaktest.Check(t, "log", e.log.String(), e.cloud.Passwords()...)
	if !strings.Contains(e.log.String(), "[redacted]") {
		t.Error("the checks echoed passwords, but nothing was redacted")
	}
}

func TestWhyRefused(t *testing.T) {
	t.Parallel()
	d := decide.Decision{Why: decide.WhyRefused}
	if !d.Mint() || d.Why.String() != "refused" || d.Detail(decide.Policy{}) != "stored credential refused by the registry" {
		t.Errorf("WhyRefused: mint %v, %q, %q", d.Mint(), d.Why, d.Detail(decide.Policy{}))
	}
}
