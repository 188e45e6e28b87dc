package rotation

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/regmint/regmint/core"
)

// revokeOld revokes the long-term tokens that are now two generations old:
// the PreviousTokenID of what each written destination held. A token still
// current or previous in any destination (or possibly so, where a write
// failed) is never revoked, and nothing is revoked while a destination's
// state is unknown.
func (j *job) revokeOld(cred core.Credential) {
	refs := map[string]bool{}
	var candidates []string
	unknown := false
	for _, d := range j.dests {
		switch {
		case !d.read:
			unknown = true
		case d.written:
			refs[cred.TokenID] = true
			if d.old != nil {
				refs[d.old.TokenID] = true
				if d.old.PreviousTokenID != "" && !slices.Contains(candidates, d.old.PreviousTokenID) {
					candidates = append(candidates, d.old.PreviousTokenID)
				}
			}
		default:
			// Not written: it still holds its old value, or (unsure) maybe
			// the new one.
			if d.unsure {
				refs[cred.TokenID] = true
			}
			if d.old != nil {
				refs[d.old.TokenID] = true
				refs[d.old.PreviousTokenID] = true
			}
		}
	}
	candidates = slices.DeleteFunc(candidates, func(id string) bool { return refs[id] })
	if len(candidates) == 0 {
		return
	}
	if unknown {
		j.warn("not revoking " + strings.Join(candidates, ", ") + ": a destination could not be read, so whether it still uses them is unknown")
		return
	}
	for _, id := range candidates {
		if err := j.revoke(id); err != nil {
			j.fail("stored, but revoking the replaced token " + id + " failed: " + j.clean(err.Error()) + "; no destination refers to it any more: revoke it by hand")
			continue
		}
		j.res.Revoked = append(j.res.Revoked, id)
	}
}

// discard revokes a new long-term credential that was not stored anywhere,
// so that it does not stay live untracked. A credential catchUp copies is
// not new (a destination holds it) and is never discarded.
func (j *job) discard(cred core.Credential) {
	if cred.TokenID == "" || j.copied != nil {
		return
	}
	if err := j.revoke(cred.TokenID); err != nil {
		j.warn("the new token " + cred.TokenID + " was not stored and revoking it failed: " + j.clean(err.Error()) + "; revoke it by hand")
		return
	}
	j.res.Revoked = append(j.res.Revoked, cred.TokenID)
	j.res.Reason += "; the new token " + cred.TokenID + " was revoked"
}

// revoke deletes one token through the issuer, under the provider's rate
// limit. It runs even when the target's time is up, for a short grace (half
// the deadline margin), since a token left unrevoked stays live untracked.
func (j *job) revoke(id string) error {
	iss, err := j.makeIssuer()
	if err != nil {
		return err
	}
	rv, ok := iss.(core.Revoker)
	if !ok {
		return errNoRevoker
	}
	ctx, cancel := j.graceContext()
	defer cancel()
	if err := j.wait(ctx); err != nil {
		return err
	}
	return rv.Revoke(ctx, id)
}

// makeIssuer returns the target's issuer, made on first use: a run that
// mints nothing (catchUp) may still revoke.
func (j *job) makeIssuer() (core.Issuer, error) {
	if j.issuer != nil {
		return j.issuer, nil
	}
	iss, err := j.e.issuers(j.target)
	if err != nil {
		return nil, err
	}
	j.issuer = iss
	return iss, nil
}

// errNoRevoker is returned when a token must be revoked but the issuer does
// not implement core.Revoker.
var errNoRevoker = errors.New("the issuer cannot revoke tokens (it does not implement core.Revoker)")

// graceContext is the target's context, or when that is (nearly) over, a
// context with a short grace beyond it.
func (j *job) graceContext() (context.Context, context.CancelFunc) {
	deadline := time.Now().Add(time.Duration(j.e.cfg.DeadlineMargin) / 2)
	if dl, ok := j.ctx.Deadline(); ok && dl.After(deadline) {
		deadline = dl
	}
	return context.WithDeadline(context.WithoutCancel(j.ctx), deadline)
}

// wait waits for the provider's rate limiter, if any.
func (j *job) wait(ctx context.Context) error {
	if l := j.e.limiter(core.Provider(j.tc.Provider)); l != nil {
		return l.Wait(ctx)
	}
	return nil
}
