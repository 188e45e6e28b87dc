package core

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"
)

// Backoff is exponential backoff with full jitter: before retry n the caller
// waits a random time in [0, min(Max, Base*2^n)). The zero value is usable.
type Backoff struct {
	// Base is the first wait's upper bound; default 200 ms.
	Base time.Duration
	// Max caps every wait; default 5 s.
	Max time.Duration
	// Attempts bounds the number of calls; 0 means 6. The context's
	// deadline bounds them too: a wait that would end after it is not begun.
	Attempts int
	// Rand returns a number in [0, 1); default math/rand/v2.Float64. Tests
	// set it to make waits exact.
	Rand func() float64
}

func (b Backoff) withDefaults() Backoff {
	if b.Base <= 0 {
		b.Base = 200 * time.Millisecond
	}
	if b.Max <= 0 {
		b.Max = 5 * time.Second
	}
	if b.Attempts <= 0 {
		b.Attempts = 6
	}
	if b.Rand == nil {
		b.Rand = rand.Float64
	}
	return b
}

// Wait returns the wait before retry n (n = 1 for the first retry).
func (b Backoff) Wait(n int) time.Duration {
	b = b.withDefaults()
	limit := b.Max
	if n < 32 {
		if d := b.Base << (n - 1); d > 0 && d < limit {
			limit = d
		}
	}
	return time.Duration(b.Rand() * float64(limit))
}

// Retry calls op until it returns nil, returns an error retryable rejects,
// the attempts run out, or the context ends (or its deadline would pass
// during the next wait). The error returned wraps op's last error, so
// errors.As still finds a vendor error in it.
func Retry(ctx context.Context, b Backoff, retryable func(error) bool, op func(context.Context) error) error {
	b = b.withDefaults()
	var err error
	for n := 1; ; n++ {
		if err = op(ctx); err == nil {
			return nil
		}
		if !retryable(err) {
			return err
		}
		if n >= b.Attempts {
			return fmt.Errorf("gave up after %d attempts: %w", n, err)
		}
		wait := b.Wait(n)
		if dl, ok := ctx.Deadline(); ok && time.Until(dl) < wait {
			return fmt.Errorf("gave up after %d attempts, deadline too near to retry: %w", n, err)
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("gave up after %d attempts, %w: %w", n, ctx.Err(), err)
		case <-t.C:
		}
	}
}
