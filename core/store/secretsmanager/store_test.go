package secretsmanager_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	sm "github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/regmint/regmint/core"
	"github.com/regmint/regmint/core/store/secretsmanager"
	"github.com/regmint/regmint/core/store/secretsmanager/smtest"
	"github.com/regmint/regmint/core/store/storetest"
	"github.com/regmint/regmint/internal/leaktest"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) core.Store { return newEnv(t).store })
}

func TestPutCreatesUnderPrefix(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tests := []struct {
		name     string
		opts     []secretsmanager.Option
		ref      string
		wantName string
		wantKMS  string
	}{
		{"default prefix", nil, "prod/tcr", "regmint/prod/tcr", ""},
		{"own prefix", []secretsmanager.Option{secretsmanager.WithPrefix("team-a/registry/")}, "tcr", "team-a/registry/tcr", ""},
		{"no prefix", []secretsmanager.Option{secretsmanager.WithPrefix("")}, "plain", "plain", ""},
		{"kms key", []secretsmanager.Option{secretsmanager.WithKMSKeyID("alias/regmint")}, "kms", "regmint/kms", "alias/regmint"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, tt.opts...)
			r := e.record("reg.example.com", "pw-create-prefix-0001")
			if id, err := e.store.SecretID(tt.ref); err != nil || id != tt.wantName {
				t.Errorf("SecretID(%q) = %q, %v; want %q", tt.ref, id, err, tt.wantName)
			}
			if err := e.store.Put(ctx, tt.ref, r); err != nil {
				t.Fatal(e.text(err))
			}
			if got := e.srv.SecretNames(); len(got) != 1 || got[0] != tt.wantName {
				t.Fatalf("secrets = %v, want [%s]", got, tt.wantName)
			}
			sec, _ := e.srv.Secret(tt.wantName)
			if sec.KMSKeyID != tt.wantKMS || !strings.Contains(sec.Description, "reg.example.com") || len(sec.Versions) != 1 {
				t.Errorf("secret = kms %q, description %q, %d versions", sec.KMSKeyID, sec.Description, len(sec.Versions))
			}
			if got := e.srv.Calls("CreateSecret"); got != 1 {
				t.Errorf("CreateSecret calls = %d, want 1", got)
			}
			if got := e.srv.Calls("PutSecretValue"); got != 0 {
				t.Errorf("PutSecretValue calls = %d, want 0 (the value goes in with CreateSecret)", got)
			}
		})
	}
}

// TestValueShape checks the stored document field by field: a docker
// config.json plus flat fields for scripts.
func TestValueShape(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	r := e.record("shape.example.com:5000", "pw-value-shape-00001")
	if err := e.store.Put(context.Background(), "shape", r); err != nil {
		t.Fatal(e.text(err))
	}
	var got map[string]any
	if err := json.Unmarshal([]byte(e.current(t, name("shape")).Value), &got); err != nil {
		t.Fatalf("value is not JSON: %v", err)
	}
	want := map[string]any{
		"auths": map[string]any{"shape.example.com:5000": map[string]any{
			"username": r.Credential.Username,
			"password": r.Credential.Password,
			"auth":     core.DockerAuth(r.Credential.Username, r.Credential.Password),
		}},
		"registry":          "shape.example.com:5000",
		"username":          r.Credential.Username,
		"password":          r.Credential.Password,
		"expires_at":        "2031-02-03T04:05:06.7Z",
		"expires_at_unix":   strconv.FormatInt(time.Date(2031, 2, 3, 4, 5, 6, 0, time.UTC).Unix(), 10),
		"token_id":          r.Credential.TokenID,
		"issued_at":         "2031-02-03T03:05:06Z",
		"fingerprint":       r.Fingerprint,
		"previous_token_id": r.PreviousTokenID,
	}
	gb, _ := json.Marshal(got)
	wb, _ := json.Marshal(want)
	if string(gb) != string(wb) {
		t.Errorf("value differs from the documented shape (fields compared; values are secrets, not shown)")
		for k := range want {
			if _, ok := got[k]; !ok {
				t.Errorf("missing key %q", k)
			}
		}
		for k := range got {
			if _, ok := want[k]; !ok {
				t.Errorf("unexpected key %q", k)
			}
		}
	}
}

func TestPutSkipsUnchanged(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newEnv(t)
	a := e.record("skip.example.com", "pw-skip-aaaa-00001")
	b := e.record("skip.example.com", "pw-skip-bbbb-00002")
	steps := []struct {
		rec       core.Record
		wantPuts  int
		wantTotal int // versions
	}{
		{a, 0, 1}, // created
		{a, 0, 1}, // unchanged: no write
		{b, 1, 2},
		{b, 1, 2}, // unchanged again
		{b, 1, 2},
	}
	for i, st := range steps {
		if err := e.store.Put(ctx, "skip", st.rec); err != nil {
			t.Fatalf("step %d: %s", i, e.text(err))
		}
		if got := e.srv.Calls("PutSecretValue"); got != st.wantPuts {
			t.Errorf("step %d: PutSecretValue calls = %d, want %d", i, got, st.wantPuts)
		}
		sec, _ := e.srv.Secret(name("skip"))
		if got := len(sec.Versions); got != st.wantTotal {
			t.Errorf("step %d: versions = %d, want %d", i, got, st.wantTotal)
		}
	}
	// Skipping is decided from DescribeSecret alone; the value is read
	// only before it is replaced (the one change, a to b), to refuse a
	// value regmint did not write.
	if got := e.srv.Calls("GetSecretValue"); got != 1 {
		t.Errorf("Put read the secret value %d times, want once: before replacing it", got)
	}
}

var uuidShape = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

// TestRequestToken checks that the version id is the request token derived
// from name and value: the same in two separate accounts, different for
// another value or another secret.
func TestRequestToken(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e1, e2 := newEnv(t), newEnv(t)
	r := e1.record("tok.example.com", "pw-token-derive-0001")
	other := e1.record("tok.example.com", "pw-token-derive-0002")
	for _, e := range []*env{e1, e2} {
		for ref, rec := range map[string]core.Record{"tok": r, "tok-other-value": other, "tok-other-name": r} {
			if err := e.store.Put(ctx, ref, rec); err != nil {
				t.Fatal(e.text(err))
			}
		}
	}
	id1, id2 := e1.current(t, name("tok")).ID, e2.current(t, name("tok")).ID
	if id1 != id2 {
		t.Errorf("same name and value got version ids %s and %s", id1, id2)
	}
	if !uuidShape.MatchString(id1) {
		t.Errorf("version id %q is not a version 8 UUID", id1)
	}
	if id := e1.current(t, name("tok-other-value")).ID; id == id1 {
		t.Error("another value got the same version id")
	}
	if id := e1.current(t, name("tok-other-name")).ID; id == id1 {
		t.Error("another secret got the same version id")
	}
}

// TestLostResponse loses the answer to a write after it was stored; the
// SDK retries with the same request token and nothing is stored twice.
func TestLostResponse(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, op := range []string{"CreateSecret", "PutSecretValue"} {
		t.Run(op, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			first := e.record("lost.example.com", "pw-lost-first-00001")
			second := e.record("lost.example.com", "pw-lost-second-0002")
			if op == "PutSecretValue" {
				if err := e.store.Put(ctx, "lost", first); err != nil {
					t.Fatal(e.text(err))
				}
			}
			f := smtest.Internal(op)
			f.AfterApply = true
			e.srv.Inject(1, f)
			if err := e.store.Put(ctx, "lost", second); err != nil {
				t.Fatal(e.text(err))
			}
			if got := e.srv.Calls(op); got != 2 {
				t.Errorf("%s calls = %d, want 2 (stored, answer lost, retried)", op, got)
			}
			sec, _ := e.srv.Secret(name("lost"))
			wantVersions := map[string]int{"CreateSecret": 1, "PutSecretValue": 2}[op]
			if len(sec.Versions) != wantVersions {
				t.Errorf("versions = %d, want %d: the retry stored the value again", len(sec.Versions), wantVersions)
			}
			got, err := e.store.Get(ctx, "lost")
			if err != nil {
				t.Fatal(e.text(err))
			}
			if err := storetest.SameStored(got, second.Stored()); err != nil {
				t.Error(err)
			}
		})
	}
}

func TestStaging(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newEnv(t)
	a := e.record("stage.example.com", "pw-stage-aaaa-00001")
	b := e.record("stage.example.com", "pw-stage-bbbb-00002")
	c := e.record("stage.example.com", "pw-stage-cccc-00003")
	ids := map[string]string{}
	put := func(label string, r core.Record) {
		t.Helper()
		if err := e.store.Put(ctx, "stage", r); err != nil {
			t.Fatal(e.text(err))
		}
		if _, ok := ids[label]; !ok {
			ids[label] = e.current(t, name("stage")).ID
		}
	}
	check := func(step, cur, prev string) {
		t.Helper()
		sec, _ := e.srv.Secret(name("stage"))
		c, _ := sec.Current()
		p, _ := sec.Previous()
		if c.ID != ids[cur] || p.ID != ids[prev] {
			t.Errorf("%s: AWSCURRENT=%s AWSPREVIOUS=%s, want %s (%s) and %s (%s)", step, c.ID, p.ID, cur, ids[cur], prev, ids[prev])
		}
	}
	put("a", a)
	check("first", "a", "")
	put("b", b)
	check("second", "b", "a")
	put("c", c)
	check("third", "c", "b")
	// Storing an earlier value again makes its version current again
	// (PutSecretValue alone would be a no-op for an existing version).
	put("a", a)
	check("a again", "a", "c")
	if got := e.srv.Calls("UpdateSecretVersionStage"); got != 1 {
		t.Errorf("UpdateSecretVersionStage calls = %d, want 1", got)
	}
	got, err := e.store.Get(ctx, "stage")
	if err != nil {
		t.Fatal(e.text(err))
	}
	if err := storetest.SameStored(got, a.Stored()); err != nil {
		t.Error(err)
	}
}

// TestRetriedFaults: throttling and 5xx on each call Put and Get make are
// retried by the SDK, and the value ends up stored exactly once.
func TestRetriedFaults(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tests := []struct {
		name  string
		n     int
		fault smtest.Fault
		seed  bool // store a first value before the fault
	}{
		{"DescribeSecret throttled", 4, smtest.Throttled("DescribeSecret"), true},
		{"CreateSecret throttled", 2, smtest.Throttled("CreateSecret"), false},
		{"CreateSecret 500", 2, smtest.Internal("CreateSecret"), false},
		{"PutSecretValue throttled", 4, smtest.Throttled("PutSecretValue"), true},
		{"PutSecretValue 500", 3, smtest.Internal("PutSecretValue"), true},
		{"PutSecretValue 503 from the front end", 2, smtest.Unavailable("PutSecretValue"), true},
		{"GetSecretValue throttled", 4, smtest.Throttled("GetSecretValue"), true},
		{"every call 500 twice", 2, smtest.Internal(""), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			first := e.record("retry.example.com", "pw-retry-first-00001")
			second := e.record("retry.example.com", "pw-retry-second-0002")
			want := first
			if tt.seed {
				if err := e.store.Put(ctx, "retry", first); err != nil {
					t.Fatal(e.text(err))
				}
				want = second
			}
			e.srv.Inject(tt.n, tt.fault)
			if err := e.store.Put(ctx, "retry", want); err != nil {
				t.Fatalf("Put: %s", e.text(err))
			}
			got, err := e.store.Get(ctx, "retry")
			if err != nil {
				t.Fatalf("Get: %s", e.text(err))
			}
			if err := storetest.SameStored(got, want.Stored()); err != nil {
				t.Error(err)
			}
			sec, _ := e.srv.Secret(name("retry"))
			if wantN := map[bool]int{false: 1, true: 2}[tt.seed]; len(sec.Versions) != wantN {
				t.Errorf("versions = %d, want %d", len(sec.Versions), wantN)
			}
			if tt.fault.Op != "" && e.srv.Calls(tt.fault.Op) <= tt.n {
				t.Errorf("%s calls = %d, want more than the %d faulted", tt.fault.Op, e.srv.Calls(tt.fault.Op), tt.n)
			}
		})
	}
}

// TestRetriesEndWithContext: a store whose client would wait an hour
// between retries returns as soon as the context ends.
func TestRetriesEndWithContext(t *testing.T) {
	t.Parallel()
	srv := smtest.New()
	t.Cleanup(srv.Close)
	slow := func(o *sm.Options) {
		o.Retryer = retryWaiting(time.Hour)
	}
	client, err := secretsmanager.NewClient(srv.Config(), noEnv, slow)
	if err != nil {
		t.Fatal(err)
	}
	store, _ := secretsmanager.New(client)
	srv.Inject(-1, smtest.Throttled(""))

	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		for srv.TotalCalls() == 0 {
			time.Sleep(time.Millisecond)
		}
		cancel()
	}()
	err = store.Put(ctx, "ctx", storetest.Record("ctx.example.com", "pw-context-ends-0001"))
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Put error = %v, want one wrapping context.Canceled", err)
	}
	if !strings.Contains(err.Error(), "secretsmanager DescribeSecret regmint/ctx") {
		t.Errorf("error %q does not name the operation and secret", err)
	}
}

// TestRetriesGiveUp: a call that keeps failing fails after the retryer's
// attempts, with the service's code in the error.
func TestRetriesGiveUp(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.srv.Inject(-1, smtest.Throttled("DescribeSecret"))
	err := e.store.Put(context.Background(), "give-up", e.record("up.example.com", "pw-give-up-000001"))
	if err == nil || !strings.Contains(e.text(err), "ThrottlingException") {
		t.Fatalf("Put error = %v, want ThrottlingException", err)
	}
	if got := e.srv.Calls("DescribeSecret"); got != 5 {
		t.Errorf("DescribeSecret calls = %d, want 5 (the retryer's attempts)", got)
	}
}

func TestConcurrentPutsCreateOnce(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newEnv(t)
	const n = 8
	recs := make([]core.Record, n)
	for i := range recs {
		recs[i] = e.record("conc.example.com", "pw-concurrent-"+strings.Repeat(string(rune('a'+i)), 6))
	}
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() { errs[i] = e.store.Put(ctx, "conc", recs[i]) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("Put %d: %s", i, e.text(err))
		}
	}
	sec, _ := e.srv.Secret(name("conc"))
	if len(sec.Versions) != n {
		t.Errorf("versions = %d, want %d (one per Put, none lost)", len(sec.Versions), n)
	}
	got, err := e.store.Get(ctx, "conc")
	if err != nil {
		t.Fatal(e.text(err))
	}
	found := false
	for _, r := range recs {
		found = found || storetest.SameStored(got, r.Stored()) == nil
	}
	if !found {
		t.Error("AWSCURRENT is none of the records put")
	}
}

func TestGetErrors(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tests := []struct {
		name         string
		setup        func(t *testing.T, e *env)
		wantNotFound bool
		wantMsg      string
	}{
		{"missing secret", func(*testing.T, *env) {}, true, "secretsmanager GetSecretValue regmint/get"},
		{"secret without a value", func(t *testing.T, e *env) {
			if _, err := e.client.CreateSecret(ctx, &sm.CreateSecretInput{Name: aws.String(name("get"))}); err != nil {
				t.Fatal(err)
			}
		}, true, "AWSCURRENT"},
		{"not JSON", func(t *testing.T, e *env) { e.srv.Seed(name("get"), "plain-text-secret-value-1") }, true, "not JSON"},
		{"JSON of another shape", func(t *testing.T, e *env) { e.srv.Seed(name("get"), `{"user":"x","pass":"secret-value-2"}`) }, true, `has no "registry"`},
		{"wrong field type", func(t *testing.T, e *env) { e.srv.Seed(name("get"), `{"registry":1,"pass":"secret-value-3"}`) }, true, "regmint shape"},
		{"registry without user", func(t *testing.T, e *env) {
			e.srv.Seed(name("get"), `{"registry":"r","password":"secret-value-4"}`)
		}, false, `no "username"`},
		{"bad time", func(t *testing.T, e *env) {
			e.srv.Seed(name("get"), `{"registry":"r","username":"u","password":"secret-value-4","expires_at":"tomorrow"}`)
		}, false, `"expires_at" is not an RFC 3339 time`},
		{"binary value", func(t *testing.T, e *env) {
			if _, err := e.client.CreateSecret(ctx, &sm.CreateSecretInput{Name: aws.String(name("get")), SecretBinary: []byte("binary-secret-value-5")}); err != nil {
				t.Fatal(err)
			}
		}, true, "binary"},
		{"scheduled for deletion", func(t *testing.T, e *env) {
			e.srv.Seed(name("get"), `{"registry":"r","username":"u"}`)
			e.srv.ScheduleDeletion(name("get"))
		}, false, "InvalidRequestException"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			e.secrets.Add("plain-text-secret-value-1", "secret-value-2", "secret-value-3", "secret-value-4", "binary-secret-value-5")
			tt.setup(t, e)
			_, err := e.store.Get(ctx, "get")
			_, rerr := e.store.ReadRecord(ctx, "get")
			for op, err := range map[string]error{"Get": err, "ReadRecord": rerr} {
				if err == nil {
					t.Fatalf("%s succeeded", op)
				}
				if got := errors.Is(err, core.ErrNotFound); got != tt.wantNotFound {
					t.Errorf("%s: errors.Is(err, ErrNotFound) = %v, want %v (%v)", op, got, tt.wantNotFound, err)
				}
				if msg := e.text(err); !strings.Contains(msg, tt.wantMsg) {
					t.Errorf("%s: error %q does not say %q", op, msg, tt.wantMsg)
				}
			}
			e.checkLeaks(t)
		})
	}
}

func TestPutScheduledForDeletion(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.srv.Seed(name("del"), `{"registry":"r","username":"u"}`)
	e.srv.ScheduleDeletion(name("del"))
	err := e.store.Put(context.Background(), "del", e.record("del.example.com", "pw-deleted-000001"))
	if err == nil || !strings.Contains(e.text(err), "scheduled for deletion") {
		t.Fatalf("Put error = %v, want one saying the secret is scheduled for deletion", err)
	}
	if got := e.srv.Calls("PutSecretValue") + e.srv.Calls("CreateSecret"); got != 0 {
		t.Errorf("%d writes to a secret scheduled for deletion", got)
	}
}

func TestARNRef(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newEnv(t)
	e.srv.Seed("shared/elsewhere", `{"registry":"r","username":"u"}`)
	sec, _ := e.srv.Secret("shared/elsewhere")
	r := e.record("arn.example.com", "pw-arn-ref-000001")
	if err := e.store.Put(ctx, sec.ARN, r); err != nil {
		t.Fatal(e.text(err))
	}
	got, err := e.store.Get(ctx, sec.ARN)
	if err != nil {
		t.Fatal(e.text(err))
	}
	if err := storetest.SameStored(got, r.Stored()); err != nil {
		t.Error(err)
	}
	missing := strings.Replace(sec.ARN, "shared/elsewhere", "shared/missing", 1)
	err = e.store.Put(ctx, missing, r)
	if !errors.Is(err, core.ErrNotFound) || !strings.Contains(e.text(err), "not created") {
		t.Errorf("Put to a missing ARN: %v, want not found, not created", err)
	}
	if got := e.srv.Calls("CreateSecret"); got != 0 {
		t.Errorf("CreateSecret calls = %d for an ARN ref, want 0", got)
	}
}

// TestBadInput: refs, options and records that cannot work are refused
// before any request.
func TestBadInput(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newEnv(t)
	good := e.record("bad.example.com", "pw-bad-input-00001")
	tests := []struct {
		name    string
		call    func() error
		wantMsg string
	}{
		{"empty ref", func() error { return e.store.Put(ctx, "", good) }, "ref is empty"},
		{"ref with a space", func() error { return e.store.Put(ctx, "my ref", good) }, "only letters, digits"},
		{"ref too long", func() error { return e.store.Put(ctx, strings.Repeat("x", 510), good) }, "longer than 512"},
		{"not a secret ARN", func() error { _, err := e.store.Get(ctx, "arn:aws:s3:::bucket"); return err }, "not a secret ARN"},
		{"no password", func() error {
			r := good
			r.Credential.Password = ""
			return e.store.Put(ctx, "ok", r)
		}, "has no password"},
		{"bad prefix", func() error {
			_, err := secretsmanager.New(e.client, secretsmanager.WithPrefix("bad prefix/"))
			return err
		}, "prefix"},
		{"empty kms key", func() error { _, err := secretsmanager.New(e.client, secretsmanager.WithKMSKeyID(" ")); return err }, "kms key id is empty"},
		{"no client", func() error { _, err := secretsmanager.New(nil); return err }, "no client"},
	}
	for _, tt := range tests {
		err := tt.call()
		if err == nil || !strings.Contains(e.text(err), tt.wantMsg) {
			t.Errorf("%s: error %v, want one saying %q", tt.name, err, tt.wantMsg)
		}
	}
	if got := e.srv.TotalCalls(); got != 0 {
		t.Errorf("%d requests were made for bad input", got)
	}
}

// TestPrecreatedSecret: a secret made beforehand (by a template, empty or
// with a placeholder) reads as not found and is filled by Put, not
// re-created.
func TestPrecreatedSecret(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tests := []struct {
		name  string
		setup func(t *testing.T, e *env)
	}{
		{"no value", func(t *testing.T, e *env) {
			if _, err := e.client.CreateSecret(ctx, &sm.CreateSecretInput{Name: aws.String(name("pre"))}); err != nil {
				t.Fatal(err)
			}
		}},
		{"placeholder value", func(t *testing.T, e *env) { e.srv.Seed(name("pre"), `{"placeholder":"filled by regmint"}`) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			tt.setup(t, e)
			if _, err := e.store.Get(ctx, "pre"); !errors.Is(err, core.ErrNotFound) {
				t.Fatalf("Get before Put: %v, want not found", err)
			}
			r := e.record("pre.example.com", "pw-precreated-00001")
			if err := e.store.Put(ctx, "pre", r); err != nil {
				t.Fatal(e.text(err))
			}
			got, err := e.store.Get(ctx, "pre")
			if err != nil {
				t.Fatal(e.text(err))
			}
			if err := storetest.SameStored(got, r.Stored()); err != nil {
				t.Error(err)
			}
			if n := e.srv.Calls("CreateSecret") - map[string]int{"no value": 1}[tt.name]; n != 0 {
				t.Errorf("Put called CreateSecret %d times for an existing secret", n)
			}
		})
	}
}

// TestPutNeverOverwritesForeignSecret (issue 12, item 3): a secret holding
// a value regmint did not write (here cloud keys) is not replaced; the
// error says what to do and never quotes the value.
func TestPutNeverOverwritesForeignSecret(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, foreign := range []string{
		`{"SecretId":"AKID-%s","SecretKey":"%s"}`,
		"-----BEGIN KEY-----\n%s\n%s\n-----END KEY-----\n",
		`github_pat_%s%s`,
	} {
		e := newEnv(t)
		v := fmt.Sprintf(foreign, "k-"+leaktest.Random(t), leaktest.Random(t))
		e.secrets.Add(v)
		e.srv.Seed(name("keys"), v)
		err := e.store.Put(ctx, "keys", e.record("keys.example.com", "pw-foreign-00001"))
		if !errors.Is(err, secretsmanager.ErrForeignSecret) || !strings.Contains(err.Error(), "delete or rename") {
			t.Fatalf("Put over a foreign value: %v, want ErrForeignSecret telling to delete or rename it", e.text(err))
		}
		e.text(err)
		sec, _ := e.srv.Secret(name("keys"))
		if got := sec.Versions; len(got) != 1 || e.srv.Calls("PutSecretValue") != 0 {
			t.Errorf("the foreign secret was written: %d versions, %d PutSecretValue calls", len(got), e.srv.Calls("PutSecretValue"))
		}
	}
}
