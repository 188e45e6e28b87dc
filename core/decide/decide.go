// Package decide is the freshness decision: given what a store holds about
// a credential, the target's refresh policy and the clock, whether to mint a
// new one and why. It imports nothing but core, so that every delivery form
// (the rotation engine, the credential helper, the kubelet provider)
// decides the same way.
package decide

import (
	"time"

	"github.com/regmint/regmint/core"
)

// Policy says when a target's stored credential is replaced.
type Policy struct {
	// LongTerm is set for long-term tokens, which are also replaced every
	// RotateEvery.
	LongTerm bool
	// RefreshMargin: a credential whose time left is under it is replaced.
	RefreshMargin time.Duration
	// RotateEvery: a long-term token at least this old is replaced; zero
	// turns rotation by age off.
	RotateEvery time.Duration
}

// Why says why a credential is (or is not) minted.
type Why uint8

// The reasons, in the order Decide checks them; WhyRefused comes last, as
// Decide never returns it.
const (
	// WhyFresh: nothing to do.
	WhyFresh Why = iota
	// WhyMissing: the destination holds nothing.
	WhyMissing
	// WhyChanged: the stored credential was minted for another target
	// configuration (its fingerprint differs).
	WhyChanged
	// WhyExpired: the stored credential is past its expiry.
	WhyExpired
	// WhyExpiring: its time left is under the refresh margin.
	WhyExpiring
	// WhyRotationDue: a long-term token reached rotate-every (or its issue time
	// is unknown).
	WhyRotationDue
	// WhyRefused: the credential is fresh by its metadata, but the registry
	// refused it when the engine checked it (e.g. a token revoked or a
	// password reset behind regmint's back). Decide never returns it: it
	// decides from metadata alone; the engine sets it after the check.
	WhyRefused
)

// String names the reason.
func (w Why) String() string {
	switch w {
	case WhyMissing:
		return "missing"
	case WhyChanged:
		return "config changed"
	case WhyExpired:
		return "expired"
	case WhyExpiring:
		return "expiring"
	case WhyRotationDue:
		return "rotation due"
	case WhyRefused:
		return "refused"
	}
	return "fresh"
}

// Decision is the refresh decision for one stored credential.
type Decision struct {
	// Why is the reason; Mint reports whether it calls for a new credential.
	Why Why
	// TimeLeft is the stored credential's time left (zero when missing, the
	// largest duration when it never expires).
	TimeLeft time.Duration
	// Age is the time since it was issued (zero when unknown).
	Age time.Duration
}

// Mint reports whether the decision calls for a new credential.
func (d Decision) Mint() bool { return d.Why != WhyFresh }

// Detail renders the decision for people, with the policy's figures.
func (d Decision) Detail(p Policy) string {
	switch d.Why {
	case WhyMissing, WhyChanged:
		return d.Why.String()
	case WhyRefused:
		return "stored credential refused by the registry"
	case WhyExpired:
		return "expired " + core.HumanDuration(-d.TimeLeft) + " ago"
	case WhyExpiring:
		return "expires in " + core.HumanDuration(d.TimeLeft) + ", under refresh-margin " + core.HumanDuration(p.RefreshMargin)
	case WhyRotationDue:
		if d.Age == 0 {
			return "long-term token of unknown age"
		}
		return "long-term token is " + core.HumanDuration(d.Age) + " old, rotate-every " + core.HumanDuration(p.RotateEvery)
	}
	if d.TimeLeft == time.Duration(1<<63-1) {
		return "fresh (does not expire)"
	}
	return "fresh, expires in " + core.HumanDuration(d.TimeLeft)
}

// Decide says whether the credential described by s (nil: nothing stored)
// must be replaced at now, for a target whose fingerprint is fp. It is
// pure: the same inputs give the same decision.
func Decide(now time.Time, p Policy, fp string, s *core.Stored) Decision {
	if s == nil {
		return Decision{Why: WhyMissing}
	}
	d := Decision{TimeLeft: time.Duration(1<<63 - 1)}
	if !s.ExpiresAt.IsZero() {
		d.TimeLeft = s.ExpiresAt.Sub(now)
	}
	if !s.IssuedAt.IsZero() {
		d.Age = now.Sub(s.IssuedAt)
	}
	switch {
	case s.Fingerprint != fp:
		d.Why = WhyChanged
	case !s.ExpiresAt.IsZero() && d.TimeLeft <= 0:
		d.Why = WhyExpired
	case !s.ExpiresAt.IsZero() && d.TimeLeft < p.RefreshMargin:
		d.Why = WhyExpiring
	case p.LongTerm && (s.IssuedAt.IsZero() || p.RotateEvery > 0 && d.Age >= p.RotateEvery):
		d.Why = WhyRotationDue
	}
	return d
}
