package rotation_test

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/regmint/regmint/core"
	"github.com/regmint/regmint/core/config"
	"github.com/regmint/regmint/core/providers"
	"github.com/regmint/regmint/core/rotation"
	"github.com/regmint/regmint/core/stores"
	"github.com/regmint/regmint/core/swr"
	"github.com/regmint/regmint/core/tcr"
)

func TestConcurrencyBound(t *testing.T) {
	t.Parallel()
	const limit, n = 3, 24
	e := newEnv(t)
	var inFlight, peak atomic.Int32
	e.cloud.beforeIssue = func(context.Context, core.Target) error {
		cur := inFlight.Add(1)
		defer inFlight.Add(-1)
		for {
			p := peak.Load()
			if cur <= p || peak.CompareAndSwap(p, cur) {
				break
			}
		}
		time.Sleep(2 * time.Millisecond)
		return nil
	}
	rep := e.engine(t, manyDoc(n, fmt.Sprintf("concurrency: %d\n", limit))).Run(context.Background())
	if err := rep.Err(); err != nil {
		t.Fatal(err)
	}
	if got := peak.Load(); got > limit || got < 1 {
		t.Errorf("peak concurrent issues %d, want 1..%d", got, limit)
	}
	if r, _, _ := rep.Counts(); r != n {
		t.Errorf("rotated %d, want %d", r, n)
	}
}

// countingLimiter counts waits.
type countingLimiter struct{ n atomic.Int32 }

func (l *countingLimiter) Wait(ctx context.Context) error { l.n.Add(1); return ctx.Err() }

func TestRateLimiterPerProvider(t *testing.T) {
	t.Parallel()
	const doc = `
targets:
  - {name: t1, provider: tcr, region: ap-guangzhou, instance-id: tcr-inst0001, credentials: {env: true}}
  - {name: t2, provider: tcr, region: ap-guangzhou, instance-id: tcr-inst0002, credentials: {env: true}}
  - {name: t3, provider: tcr, region: ap-guangzhou, instance-id: tcr-inst0003, credentials: {env: true}, token-type: longterm}
  - {name: s1, provider: swr, region: cn-north-4, credentials: {env: true}}
  - {name: e1, provider: swr-enterprise, region: cn-north-4, instance-id: inst-1, credentials: {env: true}}
  - {name: e2, provider: swr-enterprise, region: cn-north-4, instance-id: inst-2, credentials: {env: true}}
`
	e := newEnv(t)
	lims := map[core.Provider]*countingLimiter{}
	var opts []rotation.Option
	for _, d := range providers.All() {
		p := d.Name
		lims[p] = &countingLimiter{}
		opts = append(opts, rotation.WithLimiter(p, lims[p]))
	}
	eng := e.engine(t, doc, opts...)
	if err := eng.Run(context.Background()).Err(); err != nil {
		t.Fatal(err)
	}
	want := map[core.Provider]int32{tcr.Name: 3, swr.SharedName: 1, swr.EnterpriseName: 2}
	for p, n := range want {
		if got := lims[p].n.Load(); got != n {
			t.Errorf("%s limiter: %d waits, want %d", p, got, n)
		}
	}
	// A long-term rotation waits for its revocation too: t3 is due after
	// rotate-every, and the third rotation revokes.
	for range 2 {
		e.clock.Advance(31 * 24 * time.Hour)
		eng.Run(context.Background())
	}
	// Runs 2 and 3 mint again: the temporary ones have expired, t3 reached
	// rotate-every; run 3 also revokes t3's first token.
	if got, want := lims[tcr.Name].n.Load(), int32(3+3+3+1); got != want {
		t.Errorf("tcr limiter after three runs: %d waits, want %d", got, want)
	}
}

func TestRateLimitConfig(t *testing.T) {
	t.Parallel()
	cfg, err := config.Parse([]byte(manyDoc(1, "rate-limits: {tcr: 5}\n")), stores.Kinds())
	if err != nil {
		t.Fatal(err)
	}
	if got := cfg.RateLimits; got["tcr"] != 5 || got["swr"] != 20 || got["swr-enterprise"] != 20 {
		t.Errorf("rate limits %v", got)
	}
	// A limiter that refuses (its context is over) fails the target
	// before any vendor call.
	e := newEnv(t)
	eng := e.engine(t, manyDoc(1, ""), rotation.WithLimiter(tcr.Name, refusing{}))
	res := eng.Run(context.Background()).Results[0]
	if res.Outcome != rotation.Failed || !strings.Contains(res.Reason, "rate limit wait") || e.cloud.Issued("tcr-inst0000") != 0 {
		t.Errorf("%s (%s)", res.Outcome, res.Reason)
	}
}

type refusing struct{}

func (refusing) Wait(context.Context) error { return context.DeadlineExceeded }
