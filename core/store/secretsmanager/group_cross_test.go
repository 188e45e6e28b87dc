package secretsmanager_test

import (
	"context"
	"encoding/base64"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/regmint/regmint/core/store/secretsmanager"
	"github.com/regmint/regmint/internal/leaktest"
)

// TestGroupThreeWriters: a part another writer had confirmed is not lost
// when a third writer's stale value lands right before ours. X writes t1
// over A and confirms it (B); W, which read A, writes A+t2; ours read B and
// writes t3: W's value lands just before our put. Every part must be in
// the final value.
func TestGroupThreeWriters(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	h := &hooked{Client: e.client}
	ours := e.groupOpener(t, h, 4)
	x := e.groupOpener(t, nil, 4)
	w := e.groupOpener(t, nil, 4)
	put := func(o *secretsmanager.GroupOpener, ref, host string) {
		t.Helper()
		if err := groupStore(t, o.Run(), ref).Put(ctx, ref, e.record(host, "pw-"+leaktest.Random(t))); err != nil {
			t.Fatal(e.text(err))
		}
	}
	put(x, "t0", "r0.example.com")
	a := e.current(t, name("pull")).Value
	put(w, "t2", "r2.example.com") // W's write, A+t2...
	stale := e.current(t, name("pull")).Value
	e.srv.Seed(name("pull"), a) // ...which has not landed yet
	put(x, "t1", "r1.example.com")
	run := ours.Run()
	if _, err := groupStore(t, run, "t3").Get(ctx, "t3"); err == nil {
		t.Fatal("t3 found before it was written")
	}
	h.on("PutSecretValue", func() { e.srv.Seed(name("pull"), stale) })
	if err := groupStore(t, run, "t3").Put(ctx, "t3", e.record("r3.example.com", "pw-"+leaktest.Random(t))); err != nil {
		t.Fatal(e.text(err))
	}
	_, parts := groupValue(t, e)
	if got := slices.Sorted(slices.Values(keys(parts))); !slices.Equal(got, []string{"t0", "t1", "t2", "t3"}) {
		t.Errorf("parts %v, want t0 t1 t2 t3", got)
	}
}

// gatePacer holds every write until gate is closed.
type gatePacer struct {
	countingPacer
	gate chan struct{}
}

func (p *gatePacer) Wait(ctx context.Context) error {
	select {
	case <-p.gate:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// TestGroupLeadTimeoutFailsOnlyItself: the part that leads a write runs
// out of time while waiting for the rate limit; the part queued behind it,
// whose own context is fine, is still written.
func TestGroupLeadTimeoutFailsOnlyItself(t *testing.T) {
	e := newEnv(t)
	o := e.groupOpener(t, nil, 2)
	run := o.Run()
	p := &gatePacer{gate: make(chan struct{})}
	run.PaceWrites(p)
	ctxA, cancelA := context.WithCancel(context.Background())
	errA, errB := make(chan error, 1), make(chan error, 1)
	go func() {
		errA <- groupStore(t, run, "t0").Put(ctxA, "t0", e.record("r0.example.com", "pw-"+leaktest.Random(t)))
	}()
	for secretsmanager.QueuedParts(o, name("pull")) < 1 {
		time.Sleep(time.Millisecond)
	}
	go func() {
		errB <- groupStore(t, run, "t1").Put(context.Background(), "t1", e.record("r1.example.com", "pw-"+leaktest.Random(t)))
	}()
	for secretsmanager.QueuedParts(o, name("pull")) < 2 {
		time.Sleep(time.Millisecond)
	}
	cancelA() // t0's own timeout
	if err := <-errA; !errors.Is(err, context.Canceled) {
		t.Errorf("t0: %v, want its own context's end", err)
	}
	close(p.gate)
	if err := <-errB; err != nil {
		t.Fatalf("t1, whose context was fine: %v", e.text(err))
	}
	if _, parts := groupValue(t, e); !slices.Equal(keys(parts), []string{"t1"}) {
		t.Errorf("parts %v, want t1", keys(parts))
	}
}

// TestGroupForeignValueCrossingRestored: another program writes its own
// value right before our put (which starts from the value this process
// knows): the check finds it under AWSPREVIOUS, makes it current again and
// reports it; it is never left overwritten.
func TestGroupForeignValueCrossingRestored(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	h := &hooked{Client: e.client}
	o := e.groupOpener(t, h, 2)
	if err := groupStore(t, o.Run(), "t0").Put(ctx, "t0", e.record("r0.example.com", "pw-"+leaktest.Random(t))); err != nil {
		t.Fatal(e.text(err))
	}
	auth := base64.StdEncoding.EncodeToString([]byte("someone:" + leaktest.Random(t)))
	foreign := `{"auths":{"other.example.com":{"auth":"` + auth + `"}}}`
	h.on("PutSecretValue", func() { e.srv.Seed(name("pull"), foreign) })
	err := groupStore(t, o.Run(), "t1").Put(ctx, "t1", e.record("r1.example.com", "pw-"+leaktest.Random(t)))
	if !errors.Is(err, secretsmanager.ErrForeignSecret) {
		t.Fatalf("put over a foreign value that crossed it: %v, want ErrForeignSecret", e.text(err))
	}
	if strings.Contains(err.Error(), auth) {
		t.Error("the error quotes the foreign value")
	}
	if got := e.current(t, name("pull")).Value; got != foreign {
		t.Errorf("AWSCURRENT after the refusal: %.60s..., want the foreign value back", got)
	}
}
