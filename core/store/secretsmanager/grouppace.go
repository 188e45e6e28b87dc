package secretsmanager

import (
	"context"
	"fmt"
	"time"

	"golang.org/x/time/rate"

	"github.com/regmint/regmint/core"
)

// PaceWrites implements rotation.SelfPaced: the run's write calls
// (CreateSecret, PutSecretValue, UpdateSecretVersionStage) take their
// tokens from p, the engine's writes bucket of store secretsmanager, so
// that both Secrets Manager kinds keep to the region's one write quota.
// Without it they are paced by the opener's own limiter at QuotaWrites.
// Called before the run's first Store.
func (r *GroupStores) PaceWrites(p core.Pacer) { r.pacer = p }

// writePacer returns the pacer of the run's write calls.
func (r *GroupStores) writePacer() core.Pacer {
	if r.pacer != nil {
		return r.pacer
	}
	return r.o.own
}

// ownPacer is the opener's own write pacer, used when no engine hands it
// one: a fixed rate at Secrets Manager's write quota.
type ownPacer struct{ *rate.Limiter }

func (ownPacer) Throttled(time.Duration) {}
func (ownPacer) Passed()                 {}

// writeCall makes one write call, waiting for a token from p first
// (unless waited: the token was taken already), and again after every
// throttling answer, which slows p down. A call still throttled when the
// deadline leaves no token returns the throttling answer, so that the
// engine reports the write deferred.
func writeCall(ctx context.Context, p core.Pacer, id string, waited bool, op func(context.Context) error) error {
	var last error
	for {
		if !waited {
			if err := p.Wait(ctx); err != nil {
				if last != nil {
					return fmt.Errorf("%w (throttled; the deadline leaves no time to try again)", last)
				}
				return fmt.Errorf("secretsmanager put %s: rate limit wait: %w", id, err)
			}
		}
		waited = false
		err := op(ctx)
		ra, throttled := core.Throttled(err)
		if !throttled {
			if err == nil {
				p.Passed()
			}
			return err
		}
		last = err
		p.Throttled(ra)
	}
}
