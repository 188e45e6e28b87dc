package rotation

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/regmint/regmint/core"
	"github.com/regmint/regmint/core/config"
	"github.com/regmint/regmint/core/decide"
	"github.com/regmint/regmint/core/providers"
)

// dest is one destination of a target during a run.
type dest struct {
	config.Destination
	store core.Store
	// read: the first read succeeded, and old is what it found (nil:
	// nothing). Otherwise the destination's state is unknown.
	read bool
	old  *core.Stored
	dec  decide.Decision
	// rec is the whole record read (password included) where the store
	// reads it back and the target verifies: what checkStored checks.
	// Secret.
	rec *core.Record
	// skip: not to be written (the read before writing failed); the
	// destination still holds old.
	skip bool
	// current: it already holds the credential being written (catchUp),
	// so it is not written.
	current bool
	// written: the new credential is there (Put succeeded, or a read after
	// a failed Put found it). unsure: a Put failed and whether it landed is
	// unknown.
	written bool
	unsure  bool
	// slot: reserveWrites took and waited for this destination's write
	// tokens.
	slot bool
	// deferred: its write was throttled with no time left to try again.
	deferred bool
	status   string
	err      string
}

// job is the work on one target in one run.
type job struct {
	e      *Engine
	tc     *config.TargetConfig
	runCtx context.Context
	ctx    context.Context
	res    *Result
	policy decide.Policy
	dests  []*dest
	// secrets are every secret value seen (cloud auth, the new credential),
	// redacted from every message.
	secrets []string
	// target is the target with its cloud auth, once resolved; issuer its
	// issuer, once made.
	target core.Target
	issuer core.Issuer
	// cred is the new credential once writing began.
	cred *core.Credential
	// copied is the record catchUp writes to lagging destinations: a
	// credential a destination holds, never discarded. Nil when minting.
	copied *core.Record
	// pf holds the run's batch reads.
	pf *prefetched
}

// rotate runs the target's rotation and returns its result.
func (e *Engine) rotate(runCtx context.Context, cache *sourceCache, opened map[string]DestinationStores, pf *prefetched, tc *config.TargetConfig) Result {
	res := Result{Target: tc.Name, Provider: core.Provider(tc.Provider), TokenType: core.TokenType(tc.TokenType)}
	j := &job{e: e, tc: tc, runCtx: runCtx, res: &res, policy: tc.Policy(), pf: pf}
	for _, d := range tc.Destinations {
		j.dests = append(j.dests, &dest{Destination: d, store: e.stores[d.Store], status: DestUnchanged})
	}
	if runCtx.Err() != nil {
		j.fail("not started: " + runEnded(runCtx))
		return j.finish()
	}
	ctx, cancel := context.WithTimeoutCause(runCtx, time.Duration(tc.Timeout),
		fmt.Errorf("target timeout %s reached", time.Duration(tc.Timeout)))
	defer cancel()
	j.ctx = ctx
	j.openStores(opened)
	j.run(cache)
	return j.finish()
}

func (j *job) run(cache *sourceCache) {
	auth, err := cache.auth(j.ctx, j.e.cfg.SourceOf(j.tc))
	if err != nil {
		j.failErr("cloud credentials", err)
		return
	}
	j.secrets = append(j.secrets, auth.Secrets()...)
	target := j.tc.Target()
	target.Auth = auth
	j.target = target
	if err := providers.Validate(target); err != nil {
		j.fail("cloud credentials from " + j.e.cfg.SourceOf(j.tc).String() + ": " + j.clean(fieldProblems(err)))
		return
	}
	fp := target.Fingerprint()
	if !j.readAll(fp) {
		return
	}
	if j.e.dryRun {
		j.dryRun()
		return
	}
	defer j.sweep()
	if j.catchUp(fp) {
		return
	}
	if !j.due() && !j.checkStored() {
		var unreadable []string
		for _, d := range j.dests {
			if d.read {
				d.status = DestFresh
				if j.res.Reason == "" {
					j.res.Reason = d.dec.Detail(j.policy)
				}
			} else {
				unreadable = append(unreadable, d.String()+": "+d.err)
			}
		}
		j.res.Outcome = Fresh
		if len(unreadable) > 0 {
			j.res.Reason = ""
			j.fail("cannot read " + strings.Join(unreadable, "; "))
		}
		return
	}
	if !j.reserveWrites() {
		return
	}
	cred, ok := j.mint(target)
	if !ok {
		return
	}
	if !j.verify(cred) {
		return
	}
	if !j.recheck(cred) {
		return
	}
	j.write(cred, fp)
	j.revokeOld(cred)
}

// openStores opens, for the destinations without a fixed store, the store
// of their kind's opener for this run. A store that cannot be opened (the
// GitHub credential cannot be read) fails that destination alone, when it
// is read: the target's other destinations are written.
func (j *job) openStores(opened map[string]DestinationStores) {
	for _, d := range j.dests {
		if d.store != nil {
			continue
		}
		o := opened[d.Store]
		if o == nil {
			d.store = failingStore{err: fmt.Errorf("no %s store was given", d.Store)}
			continue
		}
		s, err := o.Store(j.ctx, d.Destination)
		if err != nil {
			s = failingStore{err: err}
		}
		d.store = s
	}
}

// readAll reads every destination and decides for each. It reports false
// (and fails the target) when the target cannot go on.
func (j *job) readAll(fp string) bool {
	now := j.e.now()
	var unreadable []string
	for _, d := range j.dests {
		s, err := j.read(d)
		switch {
		case errors.Is(err, core.ErrNotFound):
			d.read = true
			d.dec = decide.Decide(now, j.policy, fp, nil)
		case err != nil:
			d.status, d.err = DestFailed, "read: "+j.clean(err.Error())
			unreadable = append(unreadable, d.String()+": "+d.err)
		default:
			d.read, d.old = true, &s
			d.dec = decide.Decide(now, j.policy, fp, &s)
		}
	}
	switch {
	case len(unreadable) == len(j.dests):
		j.fail("cannot read any destination: " + strings.Join(unreadable, "; "))
		return false
	case len(unreadable) > 0 && j.policy.LongTerm:
		// Rotating a long-term token without knowing what every destination
		// holds could revoke a token still in use or leave one untracked.
		j.fail("cannot read " + strings.Join(unreadable, "; ") + "; a long-term token is rotated only when every destination can be read")
		return false
	}
	return true
}

// due reports whether any readable destination needs a new credential, and
// sets the reason.
func (j *job) due() bool {
	for _, d := range j.dests {
		if d.read && d.dec.Mint() {
			j.res.Reason = d.String() + ": " + d.dec.Detail(j.policy)
			return true
		}
	}
	return false
}

// dryRun reports what a run would do for the target, from what its
// destinations hold (and, for stored logins the store can read back, a
// login with them), and changes nothing: no mint, no write, no revocation.
func (j *job) dryRun() {
	if j.due() || j.checkStored() {
		j.res.Outcome = WouldMint
		return
	}
	var unreadable []string
	for _, d := range j.dests {
		if !d.read {
			unreadable = append(unreadable, d.String()+": "+d.err)
		} else if j.res.Reason == "" {
			j.res.Reason = d.dec.Detail(j.policy)
		}
	}
	j.res.Outcome = Fresh
	if len(unreadable) > 0 {
		j.res.Reason = ""
		j.fail("cannot read " + strings.Join(unreadable, "; "))
	}
}

// mint makes the issuer and a new credential.
func (j *job) mint(target core.Target) (core.Credential, bool) {
	iss, err := j.makeIssuer()
	if err != nil {
		j.failErr("issuer", err)
		return core.Credential{}, false
	}
	var cred core.Credential
	if b, ok := j.e.limiter(core.Provider(j.tc.Provider)).(*bucket); ok {
		// Paced by the provider's bucket; a throttling answer the issuer
		// could not retry away slows the bucket and is tried again.
		err = throttledCall(j.ctx, b, 1, false, func(ctx context.Context) error {
			var err error
			cred, err = iss.Issue(ctx)
			return err
		})
	} else if err = j.wait(j.ctx); err != nil {
		j.failErr("rate limit wait", err)
		return core.Credential{}, false
	} else {
		cred, err = iss.Issue(j.ctx)
	}
	j.secrets = append(j.secrets, cred.Secrets()...)
	if err != nil {
		j.failErr("issue", err)
		return core.Credential{}, false
	}
	if err := cred.Check(); err != nil {
		j.fail("issuer returned an unusable credential: " + j.clean(err.Error()))
		j.discard(cred)
		return core.Credential{}, false
	}
	if j.policy.LongTerm && cred.TokenID == "" {
		j.warn("the long-term credential has no token id: it cannot be revoked when replaced")
	}
	return cred, true
}

// verify checks the new credential; a bad one (or an unknown one, with
// require-verified) is discarded.
func (j *job) verify(cred core.Credential) bool {
	v := core.Verification{Result: core.VerifySkipped, Detail: "verify is false"}
	if j.tc.Verifies() {
		v = j.e.verifier.Verify(j.ctx, cred)
		v.Detail = j.clean(v.Detail)
	}
	j.res.Verification = &v
	switch {
	case v.Result == core.VerifyBad:
		j.fail("verification bad: " + v.String() + "; not stored, destinations keep their value")
		j.discard(cred)
		return false
	case v.Result == core.VerifyUnknown && j.tc.RequireVerified:
		j.fail("verification unknown and require-verified is set: " + v.String() + "; not stored, destinations keep their value")
		j.discard(cred)
		return false
	case v.Result == core.VerifyUnknown:
		j.warn("stored unverified: " + v.String())
	}
	return true
}

// recheck reads every destination again right before writing: if one
// changed since the first read, another run stored a credential meanwhile,
// and this run's credential is discarded (superseded). A destination that
// cannot be read again is not written.
func (j *job) recheck(cred core.Credential) bool {
	var changed []string
	for _, d := range j.dests {
		if !d.read {
			continue
		}
		s, err := j.get(j.ctx, d)
		var now *core.Stored
		switch {
		case errors.Is(err, core.ErrNotFound):
		case err != nil:
			d.skip = true
			d.status, d.err = DestFailed, "read before write: "+j.clean(err.Error())
			continue
		default:
			now = &s
		}
		if !sameStored(d.old, now) {
			changed = append(changed, d.String())
		}
	}
	if len(changed) > 0 {
		j.res.Outcome = Superseded
		j.res.Reason = "another run stored a credential in " + strings.Join(changed, ", ") + " while this one was minting; this run's credential was discarded"
		j.discard(cred)
		// What the destinations hold now is the other run's; read it for
		// the report.
		for _, d := range j.dests {
			if s, err := j.get(j.ctx, d); err == nil {
				d.old = &s
			}
		}
		return false
	}
	return true
}

// write stores the credential in every destination that could be read
// (and, for catchUp, does not hold it already).
func (j *job) write(cred core.Credential, fp string) {
	issued := j.e.now()
	if j.copied != nil {
		issued = j.copied.IssuedAt
	}
	j.cred = &cred
	for _, d := range j.dests {
		if d.current {
			d.status = DestFresh
		}
		if !d.read || d.skip || d.current {
			continue
		}
		rec := core.Record{Credential: cred, IssuedAt: issued, Fingerprint: fp}
		if d.old != nil {
			rec.PreviousTokenID = d.old.TokenID
		}
		err := j.put(d, rec)
		if err == nil {
			d.written, d.status = true, DestWritten
			continue
		}
		d.status, d.err = DestFailed, "write: "+j.clean(err.Error())
		if _, throttled := core.Throttled(err); throttled {
			d.deferred = true
		}
		if cred.TokenID == "" {
			continue
		}
		// Did the write land even so (e.g. a timeout after the store
		// applied it)? The answer decides what may be revoked.
		switch s, gerr := j.get(j.ctx, d); {
		case gerr == nil && s.TokenID == cred.TokenID:
			d.written, d.status = true, DestWritten
			d.err = ""
		case gerr != nil && !errors.Is(gerr, core.ErrNotFound):
			d.unsure = true
		}
	}
	var failed []string
	written, toWrite, deferred := 0, 0, 0
	for _, d := range j.dests {
		if !d.current {
			toWrite++
		}
		if d.written {
			written++
		} else if d.err != "" {
			failed = append(failed, d.String()+": "+d.err)
			if d.deferred && !d.unsure {
				deferred++
			}
		}
	}
	switch {
	case len(failed) > 0 && deferred == len(failed):
		// Only throttling, with no time left to try again: not a failure;
		// the next run writes them (the new credential is discarded where
		// nothing holds it).
		j.res.Outcome = Deferred
		j.res.Reason = "throttled, the deadline leaves no time to try again; the next run writes " + strings.Join(failed, "; ")
		if written == 0 {
			j.discard(cred)
		}
		return
	case written == 0:
		j.fail("no destination written: " + strings.Join(failed, "; "))
		if !j.anyUnsure() {
			j.discard(cred)
		} else if cred.TokenID != "" {
			j.warn("new token " + cred.TokenID + " may be stored where a write failed; it was not revoked")
		}
	case len(failed) > 0:
		j.fail("written to " + fmt.Sprint(written) + " of " + fmt.Sprint(toWrite) + " destinations; " + strings.Join(failed, "; "))
	case j.copied != nil:
		j.res.Outcome = Synced
	default:
		j.res.Outcome = Minted
	}
}

func (j *job) anyUnsure() bool {
	for _, d := range j.dests {
		if d.unsure {
			return true
		}
	}
	return false
}

// sameStored reports whether two reads of a destination found the same
// credential.
func sameStored(a, b *core.Stored) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return a.TokenID == b.TokenID && a.Fingerprint == b.Fingerprint && a.PreviousTokenID == b.PreviousTokenID &&
		a.IssuedAt.Equal(b.IssuedAt) && a.ExpiresAt.Equal(b.ExpiresAt) && a.Registry == b.Registry && a.Username == b.Username
}

// fieldProblems renders validation errors on one line.
func fieldProblems(err error) string {
	fes := core.FieldErrors(err)
	if len(fes) == 0 {
		return err.Error()
	}
	parts := make([]string, len(fes))
	for i, fe := range fes {
		parts[i] = fe.Error()
	}
	return strings.Join(parts, "; ")
}

// failingStore is a destination's store that could not be opened: every
// call returns why.
type failingStore struct{ err error }

func (f failingStore) Get(context.Context, string) (core.Stored, error) { return core.Stored{}, f.err }
func (f failingStore) Put(context.Context, string, core.Record) error   { return f.err }
