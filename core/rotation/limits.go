package rotation

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/regmint/regmint/core"
	"github.com/regmint/regmint/core/config"
)

// bucket is an adaptive token bucket: the client-side request rate of one
// service (a provider's API, a store kind's reads or writes). It starts at
// the documented quota; a throttling answer halves its rate (down to a
// sixteenth) and pauses it for the wait the service asked for (1 s when
// it did not say), and every call that succeeds wins back a thirty-second
// of the quota. An optional hourly cap (GitHub's 500 content-creating
// requests per hour) is a second bucket whose burst plus an hour's refill
// is the cap. Safe for concurrent use.
type bucket struct {
	base rate.Limit
	lim  *rate.Limiter
	hour *rate.Limiter

	mu     sync.Mutex
	paused time.Time
	// throttles counts the throttling answers, for reports and tests.
	throttles int
}

var _ Limiter = (*bucket)(nil)

// newBucket returns a bucket of perSecond (0: no per-second limit) and
// perHour (0: no hourly cap), or nil when both are 0.
func newBucket(perSecond, perHour float64) *bucket {
	if perSecond <= 0 && perHour <= 0 {
		return nil
	}
	b := &bucket{base: rate.Inf, lim: rate.NewLimiter(rate.Inf, 1)}
	if perSecond > 0 {
		b.base = rate.Limit(perSecond)
		b.lim = rate.NewLimiter(b.base, 1)
	}
	if perHour > 0 {
		burst := max(1, int(perHour/6))
		b.hour = rate.NewLimiter(rate.Limit((perHour-float64(burst))/3600), burst)
	}
	return b
}

// Limit is the bucket's current rate per second.
func (b *bucket) Limit() rate.Limit { return b.lim.Limit() }

// Wait takes one token, waiting for it; its error wraps errDeferred when
// the token cannot be had before ctx's deadline.
func (b *bucket) Wait(ctx context.Context) error { return b.WaitN(ctx, 1) }

// WaitN takes n tokens, waiting for them.
func (b *bucket) WaitN(ctx context.Context, n int) error {
	dl, _ := ctx.Deadline()
	d, ok := b.reserve(n, dl)
	if !ok {
		return errDeferred
	}
	return sleep(ctx, d)
}

// reserve takes n tokens and returns the wait before they may be used. When
// that wait would end after dl (if not zero), it takes nothing and reports
// false.
func (b *bucket) reserve(n int, dl time.Time) (time.Duration, bool) {
	now := time.Now()
	var taken []*rate.Reservation
	var wait time.Duration
	take := func(l *rate.Limiter) bool {
		r := l.ReserveN(now, 1)
		if !r.OK() {
			return false
		}
		taken = append(taken, r)
		wait = max(wait, r.DelayFrom(now))
		return true
	}
	ok := true
	for range n {
		if !take(b.lim) || b.hour != nil && !take(b.hour) {
			ok = false
			break
		}
	}
	b.mu.Lock()
	wait = max(wait, b.paused.Sub(now))
	b.mu.Unlock()
	if ok && (dl.IsZero() || wait <= 0 || !now.Add(wait).After(dl)) {
		return wait, true
	}
	for _, r := range taken {
		r.CancelAt(now)
	}
	return 0, false
}

// throttled slows the bucket down after a throttling answer that asked
// for retryAfter (0: not said).
func (b *bucket) throttled(retryAfter time.Duration) {
	if retryAfter <= 0 {
		retryAfter = time.Second
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.throttles++
	if b.base != rate.Inf {
		b.lim.SetLimit(max(b.lim.Limit()/2, b.base/16))
	}
	if until := time.Now().Add(retryAfter); until.After(b.paused) {
		b.paused = until
	}
}

// ok records a call that was not throttled: the rate recovers towards the
// quota.
func (b *bucket) ok() {
	if b.base == rate.Inf {
		return
	}
	if l := b.lim.Limit(); l < b.base {
		b.lim.SetLimit(min(b.base, l+b.base/32))
	}
}

// Throttles returns how many throttling answers slowed the bucket.
func (b *bucket) Throttles() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.throttles
}

// errDeferred: the rate limit gives no token before the deadline.
var errDeferred = errors.New("the store's request rate allows no more calls before the run's deadline")

// sleep waits d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return context.Cause(ctx)
	case <-t.C:
		return nil
	}
}

// storeBuckets are the buckets of one store kind; nil ones do not limit.
type storeBuckets struct {
	reads, batch, writes *bucket
}

// newStoreBuckets builds the buckets of the limits l.
func newStoreBuckets(l config.StoreLimits) *storeBuckets {
	return &storeBuckets{reads: newBucket(l.Reads, 0), batch: newBucket(l.BatchReads, 0), writes: newBucket(l.Writes, l.WritesPerHour)}
}

// WriteCoster is implemented by stores whose one Put makes several
// rate-limited requests (a GitHub destination writes three or four secrets
// and a variable): the write bucket gives that many tokens per Put.
type WriteCoster interface {
	// WriteCost is the number of rate-limited requests a Put of ref makes.
	WriteCost(ref string) int
}

// throttledCall runs op, waiting for b first (n tokens), and again after
// every throttling answer, which slows b down; it returns op's error when
// it is not a throttling answer, or when the deadline leaves no time to
// try again.
func throttledCall(ctx context.Context, b *bucket, n int, waited bool, op func(context.Context) error) error {
	var last error
	for {
		if b != nil && !waited {
			if err := b.WaitN(ctx, n); err != nil {
				if last != nil {
					return fmt.Errorf("%w (throttled; the deadline leaves no time to try again)", last)
				}
				return fmt.Errorf("rate limit wait: %w", err)
			}
		}
		waited = false
		err := op(ctx)
		last = err
		ra, throttled := core.Throttled(err)
		if !throttled || b == nil {
			if err == nil && b != nil {
				b.ok()
			}
			return err
		}
		b.throttled(ra)
	}
}
