package secretsmanager_test

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
	"github.com/regmint/regmint/core/store/secretsmanager"
	"github.com/regmint/regmint/internal/leaktest"
)

// calls returns the emulator's count of each operation since before.
func calls(e *env, ops ...string) map[string]int {
	m := map[string]int{}
	for _, op := range ops {
		m[op] = e.srv.Calls(op)
	}
	return m
}

func diff(after, before map[string]int) map[string]int {
	d := map[string]int{}
	for k, v := range after {
		if v != before[k] {
			d[k] = v - before[k]
		}
	}
	return d
}

var writeOps = []string{"DescribeSecret", "CreateSecret", "PutSecretValue", "UpdateSecretVersionStage", "GetSecretValue", "BatchGetSecretValue"}

func TestWriteAfterReadIsOneCall(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	r1, r2 := e.record("r.example.com", "pw-one"), e.record("r.example.com", "pw-two")

	// The engine's order: read (missing), write: one CreateSecret.
	if _, err := e.store.Get(ctx, "app"); !errors.Is(err, core.ErrNotFound) {
		t.Fatal(err)
	}
	before := calls(e, writeOps...)
	if err := e.store.Put(ctx, "app", r1); err != nil {
		t.Fatal(e.text(err))
	}
	if d := diff(calls(e, writeOps...), before); len(d) != 1 || d["CreateSecret"] != 1 {
		t.Errorf("write of a missing secret after reading it: calls %v, want one CreateSecret", d)
	}
	// Read (regmint's value), write a new one: one PutSecretValue.
	if _, err := e.store.Get(ctx, "app"); err != nil {
		t.Fatal(err)
	}
	before = calls(e, writeOps...)
	if err := e.store.Put(ctx, "app", r2); err != nil {
		t.Fatal(e.text(err))
	}
	if d := diff(calls(e, writeOps...), before); len(d) != 1 || d["PutSecretValue"] != 1 {
		t.Errorf("write after reading: calls %v, want one PutSecretValue", d)
	}
	if got, _ := e.store.ReadRecord(ctx, "app"); got.Credential.Password != "pw-two" {
		t.Error("the new value is not AWSCURRENT")
	}
	// The same value again after a read: no call.
	before = calls(e, writeOps...)
	if err := e.store.Put(ctx, "app", r2); err != nil {
		t.Fatal(e.text(err))
	}
	if d := diff(calls(e, writeOps...), before); len(d) != 0 {
		t.Errorf("unchanged write after reading: calls %v, want none", d)
	}
	// A stale hint (the secret deleted since the read) costs calls, never
	// a wrong answer: the full path creates... here, reports the deletion.
	if _, err := e.store.Get(ctx, "app"); err != nil {
		t.Fatal(err)
	}
	e.srv.ScheduleDeletion(name("app"))
	err := e.store.Put(ctx, "app", r1)
	if err == nil || !strings.Contains(e.text(err), "scheduled for deletion") {
		t.Errorf("write to a secret scheduled for deletion after the read: %v", err)
	}
	// Back to AWSCURRENT of an earlier value: the full path moves the
	// stage.
	if _, err := e.store.Get(ctx, "other"); !errors.Is(err, core.ErrNotFound) {
		t.Fatal(err)
	}
	for _, r := range []core.Record{r1, r2, r1} {
		if _, err := e.store.Get(ctx, "other"); err != nil && !errors.Is(err, core.ErrNotFound) {
			t.Fatal(err)
		}
		if err := e.store.Put(ctx, "other", r); err != nil {
			t.Fatal(e.text(err))
		}
	}
	if got, _ := e.store.ReadRecord(ctx, "other"); got.Credential.Password != "pw-one" {
		t.Errorf("after writing an earlier value again, AWSCURRENT holds %q", "another value")
	}
}

func TestReadRecords(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	for i, pw := range []string{"pw-a", "pw-b"} {
		if err := e.store.Put(ctx, fmt.Sprintf("t%d", i), e.record("r.example.com", pw)); err != nil {
			t.Fatal(e.text(err))
		}
	}
	e.srv.Seed(name("foreign"), `{"username":"someone","password":"placeholder"}`)
	if e.store.BatchSize() != 20 {
		t.Fatalf("BatchSize %d", e.store.BatchSize())
	}
	before := e.srv.TotalCalls()
	refs := []string{"t0", "missing", "t1", "foreign", "bad name", "t0"}
	recs, errs, err := e.store.ReadRecords(ctx, refs)
	if err != nil {
		t.Fatal(e.text(err))
	}
	if n := e.srv.TotalCalls() - before; n != 1 || e.srv.Calls("BatchGetSecretValue") != 1 {
		t.Errorf("%d calls, want one BatchGetSecretValue", n)
	}
	for i, want := range []string{"pw-a", "", "pw-b", "", "", "pw-a"} {
		if want != "" && (errs[i] != nil || recs[i].Credential.Password != want) {
			t.Errorf("%s: %v, password %t", refs[i], errs[i], recs[i].Credential.Password == want)
		}
	}
	for _, i := range []int{1, 3} {
		if !errors.Is(errs[i], core.ErrNotFound) {
			t.Errorf("%s: %v, want not found", refs[i], errs[i])
		}
	}
	if errs[4] == nil || errors.Is(errs[4], core.ErrNotFound) {
		t.Errorf("bad name: %v, want its own error", errs[4])
	}
	for _, e2 := range errs {
		if e2 != nil {
			e.text(e2)
		}
	}
	many := make([]string, 21)
	for i := range many {
		many[i] = fmt.Sprintf("x%d", i)
	}
	if _, _, err := e.store.ReadRecords(ctx, many); err == nil {
		t.Error("21 refs in one call accepted")
	}
	// A batch read leaves the hint the write needs: one call.
	b0 := e.srv.TotalCalls()
	if err := e.store.Put(ctx, "missing", e.record("r.example.com", "pw-c")); err != nil {
		t.Fatal(e.text(err))
	}
	if n := e.srv.TotalCalls() - b0; n != 1 {
		t.Errorf("write after a batch read: %d calls, want 1", n)
	}
}

// TestOneCallWriteNeverOverwritesForeignValue: the one-call write rests on
// what the last read found. A secret regmint wrote, then replaced by
// another program's value, must not be overwritten by the short path
// after a batch read or a single read finds the foreign value.
func TestOneCallWriteNeverOverwritesForeignValue(t *testing.T) {
	ctx := context.Background()
	for _, read := range []string{"batch", "single"} {
		t.Run(read, func(t *testing.T) {
			e := newEnv(t)
			if err := e.store.Put(ctx, "app", e.record("r.example.com", "pw-ours")); err != nil {
				t.Fatal(e.text(err))
			}
			if _, err := e.store.ReadRecord(ctx, "app"); err != nil { // a hint: ours
				t.Fatal(e.text(err))
			}
			foreign := fmt.Sprintf(`{"aws_access_key_id":"k-%s","aws_secret_access_key":"%s"}`, leaktest.Random(t), leaktest.Random(t))
			e.srv.Seed(name("app"), foreign)
			var err error
			if read == "batch" {
				_, errs, berr := e.store.ReadRecords(ctx, []string{"app"})
				if berr != nil {
					t.Fatal(e.text(berr))
				}
				err = errs[0]
			} else {
				_, err = e.store.ReadRecord(ctx, "app")
			}
			if !errors.Is(err, core.ErrNotFound) {
				t.Fatalf("reading the foreign value: %v, want not found", e.text(err))
			}
			err = e.store.Put(ctx, "app", e.record("r.example.com", "pw-next"))
			if !errors.Is(err, secretsmanager.ErrForeignSecret) {
				t.Fatalf("Put over the foreign value: %v, want ErrForeignSecret", e.text(err))
			}
			if sec, _ := e.srv.Secret(name("app")); func() bool { v, _ := sec.Current(); return v.Value != foreign }() {
				t.Error("the foreign value was overwritten")
			}
		})
	}
}

func TestThrottlingIsThrottledError(t *testing.T) {
	e := newEnv(t)
	e.srv.Throttle(10, "GetSecretValue")
	_, err := e.store.Get(context.Background(), "app")
	if _, ok := core.Throttled(err); !ok {
		t.Errorf("a throttled read: %v, want a core.ThrottledError for the engine to slow down and retry", e.text(err))
	}
	if errors.Is(err, core.ErrNotFound) {
		t.Error("a throttled read said not found")
	}
	_ = secretsmanager.BatchSize
}

func TestNoRetryQuota(t *testing.T) {
	srv := newEnv(t).srv
	c, err := secretsmanager.NewClient(srv.Config(), noEnv, func(o *sm.Options) {
		o.Retryer = retry.AddWithMaxBackoffDelay(o.Retryer, time.Millisecond)
	})
	if err != nil {
		t.Fatal(err)
	}
	s, _ := secretsmanager.New(c)
	// The standard retryer's quota (500 tokens, 5 a retry) is gone after
	// 100 retries; 150 throttled calls each retried once must all retry.
	for i := range 150 {
		srv.Throttle(1, "GetSecretValue")
		if _, err := s.Get(context.Background(), "app"); !errors.Is(err, core.ErrNotFound) {
			t.Fatalf("read %d: %v (want the retried read to find nothing)", i, err)
		}
	}
}
