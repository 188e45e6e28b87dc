package rotation

import (
	"time"

	"github.com/regmint/regmint/core"
)

// sweepGrace is added to twice the target timeout to make the age under
// which a token nothing refers to is left alone: it may be another run's,
// minted and not stored yet. The minute covers clock skew between the
// engine and the vendor.
const sweepGrace = time.Minute

// sweep revokes the long-term tokens the issuer made for the target
// (core.TokenLister) that no destination refers to, as current or
// previous: tokens left behind by a failure in this run or an earlier one
// (an answer lost after the vendor made the token, a revocation that
// failed, a run cut short between minting and storing). It runs once every
// destination's state is known, and leaves alone tokens younger than
// twice the target timeout plus sweepGrace. Failures are warnings: the
// next run tries again. It costs one list call per run of a long-term
// target.
func (j *job) sweep() {
	if !j.policy.LongTerm || j.res.Outcome == Superseded || j.ctx.Err() != nil {
		return
	}
	refs := map[string]bool{}
	for _, d := range j.dests {
		switch {
		case !d.read || d.skip || d.unsure:
			return // what it holds is not known for sure
		case d.written:
			refs[j.cred.TokenID] = true
		}
		if d.old != nil {
			refs[d.old.TokenID] = true
			if !d.written {
				refs[d.old.PreviousTokenID] = true
			}
		}
	}
	for _, id := range j.res.Revoked {
		refs[id] = true
	}
	iss, err := j.makeIssuer()
	if err != nil {
		return // reported by mint, or nothing to sweep with
	}
	tl, ok := iss.(core.TokenLister)
	if !ok {
		return
	}
	if err := j.wait(j.ctx); err != nil {
		return
	}
	tokens, err := tl.IssuedTokens(j.ctx)
	if err != nil {
		j.warn("could not list the tokens made for the target, to revoke any left behind: " + j.clean(err.Error()))
		return
	}
	cutoff := j.e.now().Add(-2*time.Duration(j.tc.Timeout) - sweepGrace)
	for _, t := range tokens {
		if refs[t.ID] || t.CreatedAt.IsZero() || t.CreatedAt.After(cutoff) {
			continue
		}
		if err := j.revoke(t.ID); err != nil {
			j.warn("token " + t.ID + " was left behind (made for the target, no destination refers to it) and revoking it failed: " + j.clean(err.Error()) + "; the next run tries again")
			continue
		}
		j.res.Revoked = append(j.res.Revoked, t.ID)
		j.warn("revoked token " + t.ID + ": made for the target, but no destination refers to it (left behind by an earlier failure)")
	}
}
