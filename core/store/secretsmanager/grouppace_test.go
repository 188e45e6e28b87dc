package secretsmanager_test

import (
	"context"
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
