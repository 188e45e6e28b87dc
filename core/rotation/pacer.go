package rotation

import (
	"time"

	"github.com/regmint/regmint/core"
)

// SelfPaced is implemented by the DestinationStores of a kind whose stores
// pace their own write calls against a quota that another kind's writes
// bucket keeps (WithSharedWrites): the grouped Secrets Manager store
// coalesces the Puts that queue while it waits for a token, which the
// engine's pacing of each Put would defeat. At the start of every run the
// engine hands it that bucket, so that both kinds draw from one budget.
type SelfPaced interface {
	// PaceWrites sets the pacer of the run's write calls.
	PaceWrites(p core.Pacer)
}

// WithSharedWrites makes the write calls of kind's stores, which pace
// themselves (SelfPaced), draw from the writes bucket of kind from (its
// store-limits writes): the two kinds call one service whose write quota
// is one budget (Secrets Manager's, per region). The bucket exists
// whether or not a destination names from.
func WithSharedWrites(kind, from string) Option {
	return func(e *Engine) { e.shareWrites[kind] = from }
}

var _ core.Pacer = (*bucket)(nil)

// Throttled implements core.Pacer: a throttling answer slows the bucket.
func (b *bucket) Throttled(retryAfter time.Duration) { b.throttled(retryAfter) }

// Passed implements core.Pacer: a call that passed wins back some rate.
func (b *bucket) Passed() { b.ok() }

// sharedWrites builds the buckets of the kinds whose writes bucket a used
// kind shares, when no destination of theirs built them already.
func (e *Engine) sharedWrites() {
	for kind, from := range e.shareWrites {
		if e.buckets[kind] != nil && e.buckets[from] == nil {
			e.buckets[from] = newStoreBuckets(e.cfg.LimitsOf(from))
		}
	}
}

// paceOpened hands a self-paced kind's stores the writes bucket they
// share.
func (e *Engine) paceOpened(kind string, ds DestinationStores) {
	sp, ok := ds.(SelfPaced)
	from := e.shareWrites[kind]
	if !ok || from == "" {
		return
	}
	if b := e.bucketsOf(from).writes; b != nil {
		sp.PaceWrites(b)
	}
}
