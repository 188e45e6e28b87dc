package rotation

import (
	"context"
	"errors"
	"time"

	"github.com/regmint/regmint/core"
	"github.com/regmint/regmint/core/decide"
)

// fail marks the target failed; a second failure adds to the reason. When
// the target's time ran out, the reason says which deadline.
func (j *job) fail(msg string) {
	if j.ctx != nil {
		if why := j.ended(); why != "" {
			msg += " (" + why + ")"
		}
	}
	if j.res.Outcome == Failed && j.res.Reason != "" {
		j.res.Reason += "; " + msg
	} else {
		j.res.Outcome, j.res.Reason = Failed, msg
	}
}

// ended says why the target's context ended, or "" while it runs.
func (j *job) ended() string {
	if j.runCtx.Err() != nil {
		return runEnded(j.runCtx)
	}
	if j.ctx.Err() != nil {
		return context.Cause(j.ctx).Error()
	}
	return ""
}

// runEnded says why the run's context ended: its deadline (the invocation's
// less the margin, whichever timer fired first) or a cancellation.
func runEnded(runCtx context.Context) string {
	if errors.Is(runCtx.Err(), context.DeadlineExceeded) {
		return errRunDeadline.Error()
	}
	return "run canceled: " + context.Cause(runCtx).Error()
}

// failErr fails the target with op and err, secrets redacted.
func (j *job) failErr(op string, err error) { j.fail(op + ": " + j.clean(err.Error())) }

// warn records a problem that does not fail the target.
func (j *job) warn(msg string) { j.res.Warnings = append(j.res.Warnings, j.clean(msg)) }

// clean redacts every secret the job has seen from s.
func (j *job) clean(s string) string { return core.Redact(s, j.secrets...) }

// finish completes the result: per-destination outcomes and what the
// destinations hold after the run.
func (j *job) finish() Result {
	res := j.res
	if res.Outcome == "" {
		res.Outcome, res.Reason = Failed, "internal error: no outcome"
	}
	now := j.e.now()
	for _, d := range j.dests {
		res.Destinations = append(res.Destinations, DestinationResult{
			Store: d.Store, Ref: d.Ref, Scope: d.Scope(), Decision: decisionText(d, j.policy), Status: d.status, Error: d.err,
		})
		var holds *core.Stored
		switch {
		case d.written:
			s := core.Record{Credential: *j.cred}.Stored()
			holds = &s
		case !d.read:
			continue // state unknown
		default:
			holds = d.old
		}
		if holds == nil { // nothing stored: no time left
			res.HasExpiry, res.SecondsToExpiry, res.ExpiresAt = true, 0, time.Time{}
			continue
		}
		if res.Registry == "" || d.written {
			res.Registry, res.TokenID = holds.Registry, holds.TokenID
		}
		if holds.ExpiresAt.IsZero() {
			continue
		}
		left := int64(max(holds.ExpiresAt.Sub(now), 0) / time.Second)
		if !res.HasExpiry || left < res.SecondsToExpiry {
			res.HasExpiry, res.SecondsToExpiry, res.ExpiresAt = true, left, holds.ExpiresAt
		}
	}
	return *res
}

func decisionText(d *dest, p decide.Policy) string {
	if !d.read {
		return "unknown"
	}
	return d.dec.Detail(p)
}
