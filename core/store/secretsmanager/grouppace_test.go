package secretsmanager_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/regmint/regmint/core"
	"github.com/regmint/regmint/core/store/secretsmanager/smtest"
	"github.com/regmint/regmint/internal/leaktest"
)

// countingPacer is a core.Pacer that counts what it is told.
type countingPacer struct {
	mu                       sync.Mutex
	waits, throttles, passed int
}

func (p *countingPacer) Wait(ctx context.Context) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.waits++
	return ctx.Err()
}

func (p *countingPacer) Throttled(time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.throttles++
}

func (p *countingPacer) Passed() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.passed++
}

var _ core.Pacer = (*countingPacer)(nil)

// TestGroupPaceWrites: the grouped store's write calls take their tokens
// from the pacer the engine hands it (one per call), and a write call
// Secrets Manager throttles slows that pacer down and is made again, so
// the part is written.
func TestGroupPaceWrites(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	o := e.groupOpener(t, nil, 2)
	p := &countingPacer{}
	run := o.Run()
	run.PaceWrites(p)
	r0 := e.record("r0.example.com", "pw-"+leaktest.Random(t))
	if err := groupStore(t, run, "t0").Put(ctx, "t0", r0); err != nil { // CreateSecret
		t.Fatal(e.text(err))
	}
	// Every attempt the client makes is throttled, so the store sees the
	// throttling answer; then Secrets Manager takes the call.
	e.srv.Inject(5, smtest.Throttled("PutSecretValue"))
	r1 := e.record("r1.example.com", "pw-"+leaktest.Random(t))
	if err := groupStore(t, run, "t1").Put(ctx, "t1", r1); err != nil {
		t.Fatalf("a throttled write: %v", e.text(err))
	}
	if _, parts := groupValue(t, e); len(parts) != 2 {
		t.Errorf("%d parts, want 2", len(parts))
	}
	calls := e.srv.Calls("CreateSecret") + e.srv.Calls("PutSecretValue")
	if p.throttles != 1 || p.waits != 3 || p.passed != 2 {
		t.Errorf("pacer: %d waits, %d throttles, %d passed; want 3 (CreateSecret, PutSecretValue twice), 1, 2 (%d write calls)", p.waits, p.throttles, p.passed, calls)
	}
}

// TestGroupKnownValue: a write starts from the value the process last
// wrote and confirmed, with no read; another process's write in between
// is found by the check and its part kept.
func TestGroupKnownValue(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	o := e.groupOpener(t, nil, 3)
	run := o.Run()
	for i, ref := range []string{"t0", "t1"} {
		r := e.record(fmt.Sprintf("r%d.example.com", i), "pw-"+leaktest.Random(t))
		if err := groupStore(t, run, ref).Put(ctx, ref, r); err != nil {
			t.Fatal(e.text(err))
		}
	}
	// t0: one read (no secret), CreateSecret; t1: PutSecretValue and the
	// check, no read.
	if n := e.srv.Calls("GetSecretValue"); n != 1 {
		t.Errorf("two parts written one after the other: %d reads, want 1", n)
	}
	// Another process writes its part; this one's next write, from the
	// value it knows, crosses it and is repaired.
	other := e.groupOpener(t, nil, 3)
	if err := groupStore(t, other.Run(), "t2").Put(ctx, "t2", e.record("r2.example.com", "pw-"+leaktest.Random(t))); err != nil {
		t.Fatal(e.text(err))
	}
	if err := groupStore(t, run, "t0").Put(ctx, "t0", e.record("r0.example.com", "pw-"+leaktest.Random(t))); err != nil {
		t.Fatal(e.text(err))
	}
	if _, parts := groupValue(t, e); len(parts) != 3 {
		t.Errorf("%d parts after a write crossing another process's, want 3", len(parts))
	}
}
