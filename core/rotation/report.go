package rotation

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/regmint/regmint/core"
)

// Outcome is what a run did for one target.
type Outcome string

// The outcomes.
const (
	// Minted: a new credential was verified and written to every
	// destination (and the token two generations back revoked).
	Minted Outcome = "minted"
	// Fresh: every destination holds a credential good for longer than the
	// policy asks; nothing was done.
	Fresh Outcome = "fresh"
	// Failed: something went wrong; Reason says what. Destinations whose
	// write failed still hold their previous value.
	Failed Outcome = "failed"
	// Superseded: another run stored a credential for the target while this
	// one was minting; this run's credential was discarded (and revoked).
	Superseded Outcome = "superseded"
	// Synced: a destination of a long-term target lagged behind the others
	// (a write that failed in an earlier run) and was given the credential
	// they hold, fresh and accepted by the registry, instead of a new
	// token; nothing was minted. Counted with the rotated targets.
	Synced Outcome = "synced"
	// WouldMint: a dry run found the target due (Reason says why) and
	// minted nothing.
	WouldMint Outcome = "would-mint"
	// Deferred: the target was due, but a destination's store allows no
	// more writes before the deadline (store-limits: GitHub's 500
	// content-creating requests per hour): nothing was minted, and the next
	// run continues. Not a failure; counted with the skipped targets.
	Deferred Outcome = "deferred"
)

// Destination statuses in a DestinationResult.
const (
	// DestFresh: nothing was written; the destination holds a fresh
	// credential.
	DestFresh = "fresh"
	// DestWritten: the new credential was written.
	DestWritten = "written"
	// DestFailed: reading or writing failed; Error says why.
	DestFailed = "failed"
	// DestUnchanged: nothing was written because the target failed or was
	// superseded before writing.
	DestUnchanged = "unchanged"
)

// Result is what a run did for one target. It holds no secret.
type Result struct {
	// Target is the target's name.
	Target    string
	Provider  core.Provider
	TokenType core.TokenType
	// Outcome is what happened; Reason says why: why a credential was
	// minted, or what failed (the vendor's error code, message and request
	// id, a bad verification, a store error per destination, a deadline).
	Outcome Outcome
	Reason  string
	// Registry, ExpiresAt and TokenID describe the credential the
	// destinations hold after the run (the new one when minted); when they
	// differ, ExpiresAt is the earliest. ExpiresAt is zero when nothing is
	// known or the credential does not expire.
	Registry  string
	ExpiresAt time.Time
	TokenID   string
	// SecondsToExpiry is the time left of ExpiresAt when the run ended, 0
	// when a destination holds nothing; HasExpiry says whether it is known.
	SecondsToExpiry int64
	HasExpiry       bool
	// Verification is the check of the new credential; nil when none was
	// minted.
	Verification *core.Verification
	// StoredCheck is the check of the credential the destinations held,
	// made when every destination was fresh by its metadata, verify is on
	// and a store can read the credential back (core.RecordReader): bad
	// means the registry refused it, so a new one was minted; unknown means
	// the registry could not be asked, so it was kept (with a warning).
	// Nil when no check was made. Where destinations hold different
	// credentials, it is the worst result.
	StoredCheck *core.Verification
	// Revoked lists the long-term token ids revoked by this run.
	Revoked []string
	// Destinations says per destination what was decided and done.
	Destinations []DestinationResult
	// Warnings are problems that did not fail the target (e.g. the
	// registry could not be reached to verify).
	Warnings []string
	// Duration is how long the target took.
	Duration time.Duration
}

// DestinationResult is what a run did with one destination.
type DestinationResult struct {
	Store string `json:"store"`
	Ref   string `json:"ref"`
	// Scope is where a github destination writes ("repository octo/app");
	// empty for other stores.
	Scope string `json:"scope,omitempty"`
	// Decision says why the destination needed a new credential, or that
	// it was fresh.
	Decision string `json:"decision"`
	// Status is DestFresh, DestWritten, DestFailed or DestUnchanged.
	Status string `json:"status"`
	// Error says what failed, without secrets.
	Error string `json:"error,omitempty"`
}

// Report is the result of one run.
type Report struct {
	Started, Finished time.Time
	// Results holds one entry per target, in config order.
	Results []Result
}

// Counts returns how many targets were minted or synced (rotated), skipped
// (fresh or superseded) and failed.
func (r *Report) Counts() (rotated, skipped, failed int) {
	for _, res := range r.Results {
		switch res.Outcome {
		case Minted, Synced:
			rotated++
		case Failed:
			failed++
		default:
			skipped++
		}
	}
	return rotated, skipped, failed
}

// MinSecondsToExpiry returns the smallest SecondsToExpiry across targets, and
// false when no target's is known.
func (r *Report) MinSecondsToExpiry() (int64, bool) {
	var (
		min int64
		ok  bool
	)
	for _, res := range r.Results {
		if res.HasExpiry && (!ok || res.SecondsToExpiry < min) {
			min, ok = res.SecondsToExpiry, true
		}
	}
	return min, ok
}

// FailedError is the error of a run in which targets failed: it names each,
// with its reason.
type FailedError struct {
	// Targets are the failed targets' names, in config order; Reasons
	// their reasons.
	Targets []string
	Reasons []string
	// Total is the number of targets in the run.
	Total int
}

// Error names every failed target with its reason, on one line.
func (e *FailedError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "rotation failed for %d of %d targets: ", len(e.Targets), e.Total)
	for i, name := range e.Targets {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(name + ": " + e.Reasons[i])
	}
	return b.String()
}

// Err returns nil when no target failed, else a *FailedError naming every
// failed target: what the Lambda handler returns, so that retries and alarms
// fire.
func (r *Report) Err() error {
	e := &FailedError{Total: len(r.Results)}
	for _, res := range r.Results {
		if res.Outcome == Failed {
			e.Targets = append(e.Targets, res.Target)
			e.Reasons = append(e.Reasons, res.Reason)
		}
	}
	if len(e.Targets) == 0 {
		return nil
	}
	return e
}

// WriteText writes the report for people: one line per target and a
// summary, never a secret.
func (r *Report) WriteText(w io.Writer) error {
	var b strings.Builder
	width := 0
	for _, res := range r.Results {
		width = max(width, len(res.Target))
	}
	for _, res := range r.Results {
		fmt.Fprintf(&b, "%-10s %-*s", res.Outcome, width, res.Target)
		if res.Registry != "" {
			b.WriteString("  registry=" + core.Escape(res.Registry))
		}
		switch {
		case res.HasExpiry && res.ExpiresAt.IsZero():
			b.WriteString("  expires=none-stored")
		case res.HasExpiry:
			b.WriteString("  expires=" + res.ExpiresAt.UTC().Format(time.RFC3339) + " (in " + core.HumanDuration(time.Duration(res.SecondsToExpiry)*time.Second) + ")")
		}
		if res.TokenID != "" {
			b.WriteString("  token=" + core.Escape(res.TokenID))
		}
		if res.StoredCheck != nil {
			b.WriteString("  stored-check=" + res.StoredCheck.Result.String())
		}
		if res.Verification != nil {
			b.WriteString("  verify=" + res.Verification.Result.String())
		}
		if len(res.Revoked) > 0 {
			// Values from APIs and stores: escaped, so none can start a
			// line of its own.
			revoked := make([]string, len(res.Revoked))
			for i, id := range res.Revoked {
				revoked[i] = core.Escape(id)
			}
			b.WriteString("  revoked=" + strings.Join(revoked, ","))
		}
		if len(res.Destinations) > 0 {
			b.WriteString("  to=")
			for i, d := range res.Destinations {
				if i > 0 {
					b.WriteString(",")
				}
				b.WriteString(d.Store + ":" + d.Ref)
				if d.Scope != "" {
					b.WriteString("[" + d.Scope + "]")
				}
				b.WriteString("(" + d.Status + ")")
			}
		}
		if res.Reason != "" {
			b.WriteString("  reason=" + strconv.Quote(res.Reason))
		}
		for _, w := range res.Warnings {
			b.WriteString("  warning=" + strconv.Quote(w))
		}
		b.WriteString("\n")
	}
	rotated, skipped, failed := r.Counts()
	fmt.Fprintf(&b, "%d targets: %d minted, %d skipped, %d failed in %s\n",
		len(r.Results), rotated, skipped, failed, r.Finished.Sub(r.Started).Round(time.Millisecond))
	_, err := io.WriteString(w, b.String())
	return err
}
