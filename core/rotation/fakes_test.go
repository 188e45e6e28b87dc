package rotation_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/regmint/regmint/core/store/secretsmanager"

	"github.com/regmint/regmint/core"
	"github.com/regmint/regmint/core/config"
	"github.com/regmint/regmint/core/rotation"
	"github.com/regmint/regmint/core/store/file"
	"github.com/regmint/regmint/core/stores"
	"github.com/regmint/regmint/internal/testutil"
)

// t0 is the tests' starting time.
var t0 = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

// clock is the tests' settable clock.
type clock = testutil.Clock

func newClock() *clock { return testutil.NewClock(t0) }

func randomHex(t testing.TB, n int) string {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}

// fakeIssuer is a func-field core.Issuer and core.Revoker.
type fakeIssuer struct {
	issue  func(ctx context.Context) (core.Credential, error)
	revoke func(ctx context.Context, id string) error
}

func (f *fakeIssuer) Issue(ctx context.Context) (core.Credential, error) { return f.issue(ctx) }
func (f *fakeIssuer) Revoke(ctx context.Context, id string) error        { return f.revoke(ctx, id) }

// issueOnly is an issuer that cannot revoke.
type issueOnly struct {
	issue func(ctx context.Context) (core.Credential, error)
}

func (f issueOnly) Issue(ctx context.Context) (core.Credential, error) { return f.issue(ctx) }

// cloud is a fake vendor: it mints credentials (temporary ones live 1 hour,
// long-term ones 10 years, with token ids), tracks which long-term tokens
// are live, and lets tests inject faults and hooks per target.
type cloud struct {
	t     testing.TB
	clock *clock

	mu        sync.Mutex
	n         int
	live      map[string]bool // long-term token id -> live
	revoked   []string
	issued    map[string]int // by instance id
	passwords []string

	// fail, when set, is the error Issue returns for an instance id.
	fail map[string]error
	// beforeIssue runs before each Issue (outside the lock).
	beforeIssue func(ctx context.Context, t core.Target) error
	// targets records every target the factory saw.
	targets []core.Target
}

func newCloud(t testing.TB, c *clock) *cloud {
	return &cloud{t: t, clock: c, live: map[string]bool{}, issued: map[string]int{}, fail: map[string]error{}}
}

// Factory is the rotation.IssuerFactory of the cloud.
func (c *cloud) Factory(t core.Target) (core.Issuer, error) {
	c.mu.Lock()
	c.targets = append(c.targets, t)
	c.mu.Unlock()
	return &fakeIssuer{
		issue:  func(ctx context.Context) (core.Credential, error) { return c.issue(ctx, t) },
		revoke: func(ctx context.Context, id string) error { return c.revokeToken(id) },
	}, nil
}

func (c *cloud) issue(ctx context.Context, t core.Target) (core.Credential, error) {
	if c.beforeIssue != nil {
		if err := c.beforeIssue(ctx, t); err != nil {
			return core.Credential{}, err
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.fail[t.InstanceID]; err != nil {
		return core.Credential{}, err
	}
	c.n++
	c.issued[t.InstanceID]++
	cred := core.Credential{
		Registry: strings.TrimPrefix(t.InstanceID+".example.test", "."), // a host also for swr (no instance)
		Username: "100000000001",
		Password: "pw-" + randomHex(c.t, 16),
	}
	c.passwords = append(c.passwords, cred.Password)
	now := c.clock.Now()
	if t.Type() == core.TokenLongTerm {
		cred.TokenID = fmt.Sprintf("tok-%d", c.n)
		cred.ExpiresAt = now.Add(10 * 365 * 24 * time.Hour)
		c.live[cred.TokenID] = true
	} else {
		cred.ExpiresAt = now.Add(time.Hour)
	}
	return cred, nil
}

func (c *cloud) revokeToken(id string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.live, id)
	c.revoked = append(c.revoked, id)
	return nil
}

// Live returns the live long-term tokens.
func (c *cloud) Live() map[string]bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := map[string]bool{}
	for k := range c.live {
		out[k] = true
	}
	return out
}

// Revoked returns the revoked token ids in order.
func (c *cloud) Revoked() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.revoked...)
}

// Issued returns how many credentials were minted for an instance.
func (c *cloud) Issued(instance string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.issued[instance]
}

// Passwords returns every password minted.
func (c *cloud) Passwords() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.passwords...)
}

// memStore is an in-memory core.Store with func-field hooks for faults.
type memStore struct {
	mu   sync.Mutex
	recs map[string]core.Record
	gets map[string]int
	puts map[string]int

	// getErr and putErr, when set, run before the operation; a non-nil
	// error is returned instead of doing it.
	getErr func(ctx context.Context, ref string) error
	putErr func(ctx context.Context, ref string, r core.Record) error
	// afterGet and afterPut run after a successful operation.
	afterGet func(ref string)
	afterPut func(ref string)
}

var _ core.Store = (*memStore)(nil)

func newMemStore() *memStore {
	return &memStore{recs: map[string]core.Record{}, gets: map[string]int{}, puts: map[string]int{}}
}

func (s *memStore) Get(ctx context.Context, ref string) (core.Stored, error) {
	if s.getErr != nil {
		if err := s.getErr(ctx, ref); err != nil {
			return core.Stored{}, err
		}
	}
	s.mu.Lock()
	s.gets[ref]++
	r, ok := s.recs[ref]
	s.mu.Unlock()
	if s.afterGet != nil {
		defer s.afterGet(ref)
	}
	if !ok {
		return core.Stored{}, fmt.Errorf("memstore %s: %w", ref, core.ErrNotFound)
	}
	return r.Stored(), nil
}

func (s *memStore) Put(ctx context.Context, ref string, r core.Record) error {
	if s.putErr != nil {
		if err := s.putErr(ctx, ref, r); err != nil {
			return err
		}
	}
	s.mu.Lock()
	s.puts[ref]++
	s.recs[ref] = r
	s.mu.Unlock()
	if s.afterPut != nil {
		s.afterPut(ref)
	}
	return nil
}

// Record returns what is stored under ref.
func (s *memStore) Record(ref string) (core.Record, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.recs[ref]
	return r, ok
}

// Set stores a record directly.
func (s *memStore) Set(ref string, r core.Record) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.recs[ref] = r
}

// Puts returns how many writes ref got.
func (s *memStore) Puts(ref string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.puts[ref]
}

// fakeVerifier is a func-field rotation.Verifier.
type fakeVerifier struct {
	verify func(ctx context.Context, c core.Credential) core.Verification
}

func (f fakeVerifier) Verify(ctx context.Context, c core.Credential) core.Verification {
	return f.verify(ctx, c)
}

// goodVerifier accepts every credential.
var goodVerifier = fakeVerifier{verify: func(context.Context, core.Credential) core.Verification {
	return core.Verification{Result: core.VerifyGood, Scheme: "bearer", Detail: "token realm issued a token"}
}}

// fakeSecrets is a rotation.SecretReader built on a map, answering as
// secretsmanager.Reader does.
type fakeSecrets struct {
	mu     sync.Mutex
	values map[string]string
	reads  map[string]int
	err    error
}

func (f *fakeSecrets) ReadSecret(ctx context.Context, id string) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.reads == nil {
		f.reads = map[string]int{}
	}
	f.reads[id]++
	if f.err != nil {
		return "", fmt.Errorf("secretsmanager GetSecretValue %s: %w", id, f.err)
	}
	v, ok := f.values[id]
	if !ok {
		return "", fmt.Errorf("secretsmanager GetSecretValue %s: ResourceNotFoundException: Secrets Manager can't find the specified secret", id)
	}
	return v, nil
}

// env is a test setup: a clock, a cloud, two stores and the options that
// wire them.
type env struct {
	clock   *clock
	cloud   *cloud
	sm      *memStore
	file    *memStore
	secrets *fakeSecrets
}

func newEnv(t testing.TB) *env {
	c := newClock()
	return &env{clock: c, cloud: newCloud(t, c), sm: newMemStore(), file: newMemStore(), secrets: &fakeSecrets{values: map[string]string{}}}
}

// engine parses doc and makes an engine wired to the env.
func (e *env) engine(t testing.TB, doc string, opts ...rotation.Option) *rotation.Engine {
	t.Helper()
	cfg, err := config.Parse([]byte(doc), stores.Kinds())
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	all := append([]rotation.Option{
		rotation.WithClock(e.clock.Now),
		rotation.WithStore(secretsmanager.KindName, e.sm),
		rotation.WithStore(file.KindName, e.file),
		rotation.WithVerifier(goodVerifier),
		rotation.WithSecrets(e.secrets),
	}, opts...)
	eng, err := rotation.New(cfg, e.cloud.Factory, all...)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return eng
}

// result returns the named target's result.
func result(t testing.TB, rep *rotation.Report, name string) rotation.Result {
	t.Helper()
	for _, r := range rep.Results {
		if r.Target == name {
			return r
		}
	}
	t.Fatalf("no result for %s", name)
	return rotation.Result{}
}
