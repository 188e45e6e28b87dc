package core

import (
	"context"
	"time"
)

// Pacer paces calls against a request-rate quota that several callers
// share (Secrets Manager's writes per region): the rotation engine's
// adaptive token buckets implement it, and a store that paces its own
// calls (rotation.SelfPaced) draws from the engine's through it. Safe for
// concurrent use.
type Pacer interface {
	// Wait blocks until one call may be made, or fails when ctx ends (or
	// its deadline comes before the call could be made).
	Wait(ctx context.Context) error
	// Throttled slows the pacer down after a throttling answer that asked
	// for retryAfter (0: not said).
	Throttled(retryAfter time.Duration)
	// Passed records a call the service did not throttle: the rate
	// recovers towards the quota.
	Passed()
}
