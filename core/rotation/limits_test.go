package rotation_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/regmint/regmint/core"
	"github.com/regmint/regmint/core/rotation"
)

// throttle is a service's throttling answer, as the stores wrap it.
func throttle(retryAfter time.Duration) error {
	return &core.ThrottledError{Err: errors.New("ThrottlingException: Rate exceeded"), RetryAfter: retryAfter}
}

func TestThrottledWritesRetriedNotFailed(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	var refused atomic.Int32
	e.sm.putErr = func(_ context.Context, ref string, _ core.Record) error {
		if refused.Add(1) <= 3 {
			return throttle(10 * time.Millisecond)
		}
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	rep := e.engine(t, manyDoc(2, "")).Run(ctx)
	if err := rep.Err(); err != nil {
		t.Fatalf("a throttling answer failed a target: %v", err)
	}
	for _, r := range rep.Results {
		if r.Outcome != rotation.Minted || e.sm.Puts(r.Target) != 1 {
			t.Errorf("%s: %s (%s), %d puts", r.Target, r.Outcome, r.Reason, e.sm.Puts(r.Target))
		}
	}
	if got := refused.Load(); got != 5 {
		t.Errorf("%d put attempts, want 3 throttled and 2 stored", got)
	}
}

func TestThrottledIssueRetried(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	var calls atomic.Int32
	factory := func(tg core.Target) (core.Issuer, error) {
		real, err := e.cloud.Factory(tg)
		if err != nil {
			return nil, err
		}
		return issueOnly{issue: func(ctx context.Context) (core.Credential, error) {
			if calls.Add(1) == 1 {
				return core.Credential{}, throttle(5 * time.Millisecond)
			}
			return real.Issue(ctx)
		}}, nil
	}
	eng, err := rotation.New(e.engine(t, manyDoc(1, "")).Config(), factory,
		rotation.WithClock(e.clock.Now), rotation.WithStore("secretsmanager", e.sm), rotation.WithVerifier(goodVerifier))
	if err != nil {
		t.Fatal(err)
	}
	rep := eng.Run(context.Background())
	if err := rep.Err(); err != nil || calls.Load() != 2 {
		t.Errorf("err %v after %d issues, want minted after 2", err, calls.Load())
	}
}

func TestWritesBeyondHourlyCapDeferred(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	// 6 writes an hour: a burst of one, then one every 12 minutes.
	rep := e.engine(t, manyDoc(3, "store-limits: {secretsmanager: {writes-per-hour: 6}}\ntimeout: 10s\n")).Run(context.Background())
	if err := rep.Err(); err != nil {
		t.Fatalf("deferred writes failed the run: %v", err)
	}
	var minted, deferred []string
	for _, r := range rep.Results {
		switch r.Outcome {
		case rotation.Minted:
			minted = append(minted, r.Target)
		case rotation.Deferred:
			deferred = append(deferred, r.Target)
			if !strings.Contains(r.Reason, "next run") || e.sm.Puts(r.Target) != 0 {
				t.Errorf("%s deferred: %q, %d puts", r.Target, r.Reason, e.sm.Puts(r.Target))
			}
		default:
			t.Errorf("%s: %s (%s)", r.Target, r.Outcome, r.Reason)
		}
	}
	if len(minted) != 1 || len(deferred) != 2 {
		t.Errorf("minted %v, deferred %v; want 1 and 2", minted, deferred)
	}
	if n := len(e.cloud.Passwords()); n != 1 {
		t.Errorf("%d credentials minted, want 1 (a deferred target mints nothing)", n)
	}
}

func TestWritesPacedToStoreLimit(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	var mu sync.Mutex
	var at []time.Time
	e.sm.afterPut = func(string) { mu.Lock(); at = append(at, time.Now()); mu.Unlock() }
	rep := e.engine(t, manyDoc(6, "concurrency: 6\nstore-limits: {secretsmanager: {writes: 20}}\n")).Run(context.Background())
	if err := rep.Err(); err != nil {
		t.Fatal(err)
	}
	// 6 writes at 20/s with a burst of one: the last at least 5 x 50 ms
	// after the first (this bounds from below only: no timing upper bound).
	if len(at) != 6 || at[5].Sub(at[0]) < 240*time.Millisecond {
		t.Errorf("%d writes over %v, want 6 over at least 250ms", len(at), at[len(at)-1].Sub(at[0]))
	}
}

// batchStore is a memStore that reads in batches and counts its calls.
type batchStore struct {
	*memStore
	size    int
	batches atomic.Int32
	fail    bool
}

func (b *batchStore) BatchSize() int { return b.size }

func (b *batchStore) ReadRecords(_ context.Context, refs []string) ([]core.Record, []error, error) {
	b.batches.Add(1)
	if b.fail {
		return nil, nil, errors.New("AccessDeniedException: not allowed: secretsmanager:BatchGetSecretValue")
	}
	if len(refs) > b.size {
		return nil, nil, fmt.Errorf("%d refs in one batch", len(refs))
	}
	recs, errs := make([]core.Record, len(refs)), make([]error, len(refs))
	for i, ref := range refs {
		r, ok := b.Record(ref)
		if !ok {
			errs[i] = fmt.Errorf("%s: %w", ref, core.ErrNotFound)
		}
		recs[i] = r
	}
	return recs, errs, nil
}

func TestIdlePassReadsInBatches(t *testing.T) {
	t.Parallel()
	for _, fail := range []bool{false, true} {
		e := newEnv(t)
		bs := &batchStore{memStore: e.sm, size: 20, fail: fail}
		doc := manyDoc(45, "")
		eng := e.engine(t, doc, rotation.WithStore("secretsmanager", bs))
		if err := eng.Run(context.Background()).Err(); err != nil {
			t.Fatal(err)
		}
		gets := func() int {
			e.sm.mu.Lock()
			defer e.sm.mu.Unlock()
			n := 0
			for _, c := range e.sm.gets {
				n += c
			}
			return n
		}
		bs.batches.Store(0)
		before := gets()
		rep := eng.Run(context.Background())
		if err := rep.Err(); err != nil {
			t.Fatal(err)
		}
		for _, r := range rep.Results {
			if r.Outcome != rotation.Fresh {
				t.Errorf("fail=%v %s: %s (%s)", fail, r.Target, r.Outcome, r.Reason)
			}
		}
		if got := bs.batches.Load(); got != 3 {
			t.Errorf("fail=%v: %d batch calls for 45 destinations, want 3", fail, got)
		}
		// A failed batch call leaves each ref to a read of its own.
		want := 0
		if fail {
			want = 45
		}
		if got := gets() - before; got != want {
			t.Errorf("fail=%v: %d single reads in the idle pass, want %d", fail, got, want)
		}
	}
}

// TestGitHubWritesDeferredAtSecondaryLimit: the emulator enforces a
// secondary limit of 40 content-creating requests an hour and the config
// keeps to it; in a run over 15 targets (4 requests each: three secrets and
// the metadata variable) what the hour allows is written, the rest is
// deferred with nothing minted, none failed, and GitHub refuses nothing.
func TestGitHubWritesDeferredAtSecondaryLimit(t *testing.T) {
	t.Parallel()
	e := newGHEnv(t, true)
	e.emu.AddRepo("octo/app")
	e.emu.EnforceSecondaryLimits(0, 40)
	var doc strings.Builder
	doc.WriteString("store-limits: {github: {writes: 1000, writes-per-hour: 40}}\ntimeout: 10s\ncredential-sources:\n  main: {secret: src/tencent}\ntargets:\n")
	for i := range 15 {
		fmt.Fprintf(&doc, "  - {name: t%02d, provider: tcr, region: ap-guangzhou, instance-id: tcr-inst%04d, credentials: {source: main}, destinations: [{store: github, ref: T%02d, repository: octo/app}]}\n", i, i, i)
	}
	eng := e.engine(t, doc.String())
	rep := eng.Run(context.Background())
	if err := rep.Err(); err != nil {
		t.Fatalf("a target failed: %v", err)
	}
	count := func(rep *rotation.Report) (minted, deferred int) {
		for _, r := range rep.Results {
			switch r.Outcome {
			case rotation.Minted:
				minted++
			case rotation.Deferred:
				deferred++
			default:
				t.Errorf("%s: %s (%s)", r.Target, r.Outcome, r.Reason)
			}
		}
		return
	}
	// The hourly bucket holds 40/6 = 6 tokens at once (one write of 4)
	// and refills 34 an hour: within the 10 s timeout no second write.
	minted, deferred := count(rep)
	if minted < 1 || minted+deferred != 15 {
		t.Errorf("minted %d, deferred %d of 15", minted, deferred)
	}
	if n := e.emu.SecondaryLimited(); n != 0 {
		t.Errorf("GitHub refused %d writes over its secondary limit; the engine should keep to it", n)
	}
	if n := len(e.cloud.Passwords()); n != minted {
		t.Errorf("%d credentials minted for %d written targets: a deferred target must mint nothing", n, minted)
	}
}
