package rotation

import (
	"context"
	"strings"

	"github.com/regmint/regmint/core"
	"github.com/regmint/regmint/core/decide"
)

// read reads what a destination holds. Where the target verifies and the
// store can read the credential back (core.RecordReader), it reads the
// whole record, in the same one call, and keeps it in d.rec for
// checkStored; otherwise the metadata alone.
func (j *job) read(d *dest) (core.Stored, error) {
	r, err, batched := j.pf.take(j.ctx, d.Store, d.Ref)
	rr, ok := d.store.(core.RecordReader)
	switch {
	case batched && err != nil:
		return core.Stored{}, err
	case batched && !j.tc.Verifies():
		return r.Stored(), nil
	case batched:
	case !ok || !j.tc.Verifies():
		return j.get(j.ctx, d)
	default:
		err = throttledCall(j.ctx, j.e.bucketsOf(d.Store).reads, 1, false, func(ctx context.Context) error {
			var err error
			r, err = rr.ReadRecord(ctx, d.Ref)
			return err
		})
	}
	if err != nil {
		return core.Stored{}, err
	}
	j.secrets = append(j.secrets, r.Credential.Secrets()...)
	d.rec = &r
	return r.Stored(), nil
}

// checkStored checks the credentials the destinations hold against the
// registry, once each, when every destination is fresh by its metadata: a
// definite "bad" (the registry refused the login: a token revoked or a
// password reset behind regmint's back) makes that destination due, with
// WhyRefused, so that a new credential is minted; an inconclusive check
// (registry unreachable, 5xx) keeps what is stored, with a warning. It
// reports whether a destination was refused. Decide stays pure: this is
// the one step of the decision that asks the network.
func (j *job) checkStored() bool {
	type key struct{ registry, username, password string }
	checked := map[key]*core.Verification{}
	refused := false
	for _, d := range j.dests {
		if !d.read || d.rec == nil {
			continue
		}
		c := d.rec.Credential
		k := key{c.Registry, c.Username, c.Password}
		v, seen := checked[k]
		if !seen {
			vv := j.e.verifier.Verify(j.ctx, c)
			vv.Detail = j.clean(vv.Detail)
			v = &vv
			checked[k] = v
		}
		j.res.StoredCheck = worse(j.res.StoredCheck, v)
		switch v.Result {
		case core.VerifyBad:
			d.dec.Why = decide.WhyRefused
			if !refused {
				j.res.Reason = d.String() + ": " + d.dec.Detail(j.policy) + ": " + v.String()
			}
			refused = true
		case core.VerifyUnknown:
			if !seen {
				j.warn(d.String() + ": the stored credential could not be checked against the registry, so it is kept: " + v.String())
			}
		}
	}
	return refused
}

// worse returns the worse of two checks (bad, then unknown, then good), as
// a copy; a nil one counts as no check.
func worse(a, b *core.Verification) *core.Verification {
	rank := func(v *core.Verification) int {
		switch {
		case v == nil:
			return 0
		case v.Result == core.VerifyBad:
			return 3
		case v.Result == core.VerifyUnknown:
			return 2
		}
		return 1
	}
	w := a
	if rank(b) > rank(a) {
		w = b
	}
	if w == nil {
		return nil
	}
	c := *w
	return &c
}

// catchUp brings the destinations of a long-term target into line when they
// hold different credentials: an earlier run's write to one of them failed,
// so it lags a generation behind. Minting again would then keep three
// tokens live until the next rotation (the lagging destination's current
// and previous, which its consumers may still use, and the new one). So
// when a destination holds a credential that is fresh by its metadata (so
// minted for this config), read back in full, and not refused by the
// registry, that credential is written to the others instead, with its
// issue time, and the token two generations back of each is revoked as
// after a rotation. An inconclusive check (registry unreachable) is taken as
// a new credential's would be: written with a warning, unless the target
// sets require-verified. It reports whether it handled the target;
// otherwise the run goes on as usual (mint if due).
func (j *job) catchUp(fp string) bool {
	if !j.policy.LongTerm || !j.tc.Verifies() {
		return false
	}
	var src *dest
	for _, d := range j.dests {
		if d.rec != nil && !d.dec.Mint() && d.rec.Credential.TokenID != "" && (src == nil || d.rec.IssuedAt.After(src.rec.IssuedAt)) {
			src = d
		}
	}
	if src == nil {
		return false
	}
	cred := src.rec.Credential
	var lagging []string
	for _, d := range j.dests {
		d.current = d.old != nil && d.old.TokenID == cred.TokenID && (d.rec == nil || d.rec.Credential.Password == cred.Password)
		if !d.current {
			lagging = append(lagging, d.String())
		}
	}
	giveUp := func() bool {
		for _, d := range j.dests {
			d.current = false
		}
		return false
	}
	if len(lagging) == 0 {
		return giveUp()
	}
	v := j.e.verifier.Verify(j.ctx, cred)
	v.Detail = j.clean(v.Detail)
	if v.Result == core.VerifyBad || v.Result == core.VerifyUnknown && j.tc.RequireVerified {
		return giveUp() // the usual path checks it again, or replaces it
	}
	j.res.StoredCheck = &v
	if v.Result == core.VerifyUnknown {
		j.warn("copied unverified: " + v.String())
	}
	j.copied = src.rec
	j.res.Reason = strings.Join(lagging, ", ") + " lagged behind " + src.String() +
		" (a write failed in an earlier run): given its token " + cred.TokenID + " instead of minting another"
	if !j.recheck(cred) {
		return true
	}
	j.write(cred, fp)
	j.revokeOld(cred)
	return true
}
