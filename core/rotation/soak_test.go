package rotation_test

import (
	"context"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/regmint/regmint/core"
	"github.com/regmint/regmint/core/rotation"
	"github.com/regmint/regmint/core/store/secretsmanager"
	"github.com/regmint/regmint/internal/leaktest"
)

// Environment variables of the soak.
const (
	// envSoakSeed replays a soak: the seed it printed.
	envSoakSeed = "REGMINT_SOAK_SEED"
	// envSoakRuns sets the number of runs (default defaultSoakRuns).
	envSoakRuns = "REGMINT_SOAK_RUNS"
	// envSoakTrace names a target to log run by run: faults, outcome,
	// reason, what each destination holds (token ids) and live tokens.
	envSoakTrace = "REGMINT_SOAK_TRACE"
	// defaultSoakRuns keeps the default soak well under 30 s with -race on
	// two cores.
	defaultSoakRuns = 150
	// maxFinalLeakScan bounds the final check of every secret against the
	// whole output (bytes times secrets): about a second.
	maxFinalLeakScan = 2e9
)

// TestSoak drives the rotation engine, wired as functions/rotate wires it,
// through many runs over simulated hours against the emulated clouds,
// injecting faults at random before each run: throttling, 5xx, malformed
// bodies, dropped connections and latency at TCR, SWR and Secrets Manager,
// a registry that cannot be reached, and a login revoked behind the
// engine's back. Before each run the simulated clock (the engine's and the
// emulators' token lifetimes) moves 5 to 40 minutes. After each run, with
// the faults cleared, it checks:
//
//  1. every destination holds a login its registry accepts, or the run
//     reported the target failed and the destination still holds what it
//     held before (nothing lost, nothing half-written); a login revoked
//     behind the engine's back may stay only while its registry could not
//     be asked;
//     for the kubernetes destination (an emulated cluster with 409s, a
//     namespace denied by RBAC for a run, and namespaces appearing in the
//     middle of a run) every pod-visible pull secret holds a login the
//     registry accepts, or the previous valid one (soakkube_test.go);
//  2. no long-term token is revoked while a destination holds it as its
//     current or previous value (checked by the emulators' revocation hooks,
//     at the moment of each revocation);
//  3. no instance has more than two live long-term tokens;
//  4. no secret (minted password, docker auth string, cloud or AWS key) is
//     in any log line, metric line or report text.
//
// The seed is logged and REGMINT_SOAK_SEED replays it; REGMINT_SOAK_RUNS
// runs longer. The soak stops early, and says so, when the test deadline
// (-timeout) draws near.
func TestSoak(t *testing.T) {
	if testing.Short() {
		t.Skip("the soak does not run with -short")
	}
	t.Parallel()
	seed, runs := soakSeed(t), soakRuns(t)
	t.Logf("soak seed %d (%s=%d replays it), %d runs (%s)", seed, envSoakSeed, seed, runs, envSoakRuns)
	w := newSoakWorld(t, seed)
	st := &soakStats{faults: map[string]int{}, failedWith: map[string]int{}, outcomes: map[rotation.Outcome]int{}, lastExcess: map[string]string{}}
	stop := soakStop(t)
	start := time.Now()
	var all strings.Builder
	for run := 1; run <= runs; run++ {
		if time.Now().After(stop) {
			t.Logf("soak stopped after %d of %d runs: the test deadline is near", run-1, runs)
			break
		}
		all.WriteString(w.step(run, st))
		if len(w.violations) >= 50 {
			t.Errorf("soak stopped after run %d: too many invariant violations", run)
			break
		}
	}
	// Every secret ever handled against everything captured, once, when
	// its cost (which grows with the square of the runs) and the time left
	// allow; each run was checked already against what it handled.
	if secrets := w.allSecrets(); time.Now().Before(stop) && float64(all.Len())*float64(len(secrets)) < maxFinalLeakScan {
		t0 := time.Now()
		for _, f := range leaktest.Find(all.String(), secrets...) {
			w.violate(4, "the soak's whole output leaks %s", f)
		}
		t.Logf("whole-output leak check: %d secrets over %d bytes in %s", len(secrets), all.Len(), time.Since(t0).Round(time.Millisecond))
	} else {
		t.Logf("whole-output leak check skipped (%d secrets over %d bytes): each run's output was checked", len(secrets), all.Len())
	}
	for _, op := range []string{"CreateSecret", "PutSecretValue", "UpdateSecretVersionStage", "DescribeSecret", "GetSecretValue", "BatchGetSecretValue"} {
		st.quotaThrottled += w.sm.Throttled(op)
	}
	st.log(t, w, time.Since(start))
	for _, v := range w.violations {
		t.Errorf("run %d (seed %d): invariant %d: %s", v.run, seed, v.invariant, v.detail)
	}
}

func soakSeed(t *testing.T) uint64 {
	t.Helper()
	if s := os.Getenv(envSoakSeed); s != "" {
		seed, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("%s=%q: not a seed (an unsigned integer)", envSoakSeed, s)
		}
		return seed
	}
	return uint64(time.Now().UnixNano())
}

func soakRuns(t *testing.T) int {
	t.Helper()
	if s := os.Getenv(envSoakRuns); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			t.Fatalf("%s=%q: not a number of runs (1 or more)", envSoakRuns, s)
		}
		return n
	}
	return defaultSoakRuns
}

// soakStop is when the soak stops starting runs: a fifth of the time left
// before the test deadline, at least 15 s, is kept for the checks, the
// summary and the other tests.
func soakStop(t *testing.T) time.Time {
	dl, ok := t.Deadline()
	if !ok {
		return time.Now().Add(24 * time.Hour)
	}
	return dl.Add(-max(time.Until(dl)/5, 15*time.Second))
}

// soakStats are the soak's figures for the summary.
type soakStats struct {
	runs      int
	simulated time.Duration
	faults    map[string]int
	// quotaThrottled counts the calls Secrets Manager's quotas refused.
	quotaThrottled int
	failedWith     map[string]int // failed targets by the fault kinds of their run
	outcomes       map[rotation.Outcome]int
	refused        int // stored logins refused by the registry, replaced
	unchecked      int // stored logins the registry could not be asked about
	undetected     int // runs where a revoked login stayed, its registry unreachable
	// failedExcess counts failed runs that left more than two live tokens,
	// or one no destination refers to; sweepWarned runs that warned they
	// could not clean up.
	failedExcess, sweepWarned int
	// engine and checks are the wall time in Engine.Run and in the checks;
	// slowest is the longest run and its faults.
	engine, checks time.Duration
	slowest        time.Duration
	slowestRun     int
	slowestFaults  []string
	// lastExcess is the last excess of live long-term tokens reported per
	// target, so that one leak is reported once.
	lastExcess map[string]string
}

// step makes one run: clock, faults, run, checks. It returns the run's
// captured output.
func (w *soakWorld) step(run int, st *soakStats) string {
	w.mu.Lock()
	w.run = run
	w.mu.Unlock()
	st.runs++
	advance := time.Duration(5+w.rng.IntN(36)) * time.Minute
	w.clock.Advance(advance)
	st.simulated += advance

	before := w.heldAll()
	var kinds, descs []string
	for range []int{0, 0, 1, 1, 1, 2, 2, 3}[w.rng.IntN(8)] {
		kind := faultKinds[w.rng.IntN(len(faultKinds))]
		if desc := w.inject(kind); desc != "" {
			kinds, descs = append(kinds, kind), append(descs, desc)
			st.faults[kind]++
		}
	}

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t0 := time.Now()
	rep := w.eng.Run(ctx)
	took := time.Since(t0)
	st.engine += took
	defer func() { st.checks += time.Since(t0) - took }()
	if took > st.slowest {
		st.slowest, st.slowestRun, st.slowestFaults = took, run, descs
	}
	cancel()
	w.clearFaults()
	out := w.out.Take() + w.metrics.Take() + reportText(rep)
	after := w.heldAll()
	verdicts := w.verifyAll(after)

	for _, tg := range w.targets {
		res := soakResult(rep, tg.name)
		if tg.name == os.Getenv(envSoakTrace) {
			w.trace(run, advance, descs, tg, res)
		}
		st.outcomes[res.Outcome]++
		if res.Outcome == rotation.Failed {
			if len(kinds) == 0 {
				st.failedWith["no fault"]++
				w.violate(1, "%s failed in a run without faults: %s", tg.name, res.Reason)
			}
			for _, k := range dedupe(kinds) {
				st.failedWith[k]++
			}
		}
		if res.StoredCheck != nil {
			switch res.StoredCheck.Result {
			case core.VerifyBad:
				st.refused++
			case core.VerifyUnknown:
				st.unchecked++
			}
		}
		w.checkHeld(tg, res, before, after, verdicts, st)
		w.checkKube(tg, res, before, after, verdicts, w.kubeDenied, w.kubeAppeared)
		w.checkLive(tg, res, after, st)
	}
	for _, f := range leaktest.Find(out, w.secretsForRun(after)...) {
		w.violate(4, "the run's log, metrics or report leak %s", f)
	}
	return out
}

// trace logs one run of one target.
func (w *soakWorld) trace(run int, advance time.Duration, faults []string, tg *soakTarget, res rotation.Result) {
	var b strings.Builder
	fmt.Fprintf(&b, "run %d +%s faults %q: %s (%s) revoked %v warnings %q", run, advance, faults, res.Outcome, res.Reason, res.Revoked, res.Warnings)
	for _, store := range tg.dests {
		h := w.holds(tg, store)
		fmt.Fprintf(&b, "\n    %s: current %s previous %s", store, h.cred.TokenID, h.prevToken)
		if store == secretsmanager.KindName {
			fmt.Fprintf(&b, " AWSPREVIOUS %s", h.smPrevious)
		}
	}
	if tg.liveTokens != nil {
		fmt.Fprintf(&b, "\n    live %v", tg.liveTokens())
	}
	w.t.Log(b.String())
}

// checkHeld is invariant 1 for one target.
func (w *soakWorld) checkHeld(tg *soakTarget, res rotation.Result, before, after map[string]held, verdicts map[string]core.Verification, st *soakStats) {
	accepted := true
	for _, store := range tg.dests {
		h, b := after[tg.name+" "+store], before[tg.name+" "+store]
		kept := h.present == b.present && h.version == b.version
		if !h.present {
			accepted = false
			if res.Outcome != rotation.Failed || b.present {
				w.violate(1, "%s: %s holds nothing after a run reported %s (%s)", tg.name, store, res.Outcome, res.Reason)
			}
			continue
		}
		v := verdicts[tg.name+" "+store]
		if v.Result == core.VerifyGood {
			continue
		}
		accepted = false
		w.mu.Lock()
		pending := w.pending[tg.name]
		w.mu.Unlock()
		switch {
		case res.Outcome == rotation.Failed && kept:
			// Reported, and the previous value kept.
		case pending && kept && res.StoredCheck != nil && res.StoredCheck.Result == core.VerifyUnknown:
			st.undetected++ // revoked behind its back while the registry could not be asked
		default:
			w.violate(1, "%s: %s holds a login its registry refuses (%s); the run reported %s (%s), stored check %v, value kept %v",
				tg.name, store, v, res.Outcome, res.Reason, res.StoredCheck, kept)
		}
	}
	if accepted {
		w.mu.Lock()
		delete(w.pending, tg.name)
		w.mu.Unlock()
	}
}

// checkLive is invariant 3 for one long-term target: after a run that did
// not fail for it, at most two live tokens (current and previous), each
// referred to by a destination. A failed run may leave more: a write that
// failed for one destination leaves each destination's current and
// previous token live (none may be revoked: consumers of each may use
// them); an answer lost after a token was made, or a revocation that
// failed, leaves a token no destination refers to. The next run that does
// not fail must clean up (catch the lagging destination up, revoke what
// nothing refers to), or say in a warning why it could not.
func (w *soakWorld) checkLive(tg *soakTarget, res rotation.Result, held map[string]held, st *soakStats) {
	if tg.liveTokens == nil {
		return
	}
	live := tg.liveTokens()
	refs := w.referenced(tg, held)
	var unreferenced []string
	for _, id := range live {
		if _, ok := refs[id]; !ok {
			unreferenced = append(unreferenced, id)
		}
	}
	switch {
	case len(live) <= 2 && len(unreferenced) == 0:
		delete(st.lastExcess, tg.name)
		return
	case res.Outcome == rotation.Failed:
		st.failedExcess++
		return
	case sweepWarned(res):
		st.sweepWarned++
		return
	}
	key := strings.Join(live, ",")
	if st.lastExcess[tg.name] == key {
		return // reported already
	}
	st.lastExcess[tg.name] = key
	w.violate(3, "%s: %d live long-term tokens on %s after a run reported %s (%s), want at most 2, each referred to by a destination; unreferenced: %v",
		tg.name, len(live), tg.instance, res.Outcome, res.Reason, unreferenced)
}

// sweepWarned reports whether the run warned that it could not look for,
// or revoke, tokens left behind.
func sweepWarned(res rotation.Result) bool {
	for _, w := range res.Warnings {
		if strings.Contains(w, "to revoke any left behind") || strings.Contains(w, "was left behind") {
			return true
		}
	}
	return false
}

func soakResult(rep *rotation.Report, name string) rotation.Result {
	for _, r := range rep.Results {
		if r.Target == name {
			return r
		}
	}
	return rotation.Result{Target: name, Outcome: "missing from the report"}
}

func dedupe(list []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range list {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// log writes the summary.
func (st *soakStats) log(t *testing.T, w *soakWorld, took time.Duration) {
	t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, "soak summary (seed %d): %d runs over %.1f simulated hours in %s\n", w.seed, st.runs, st.simulated.Hours(), took.Round(time.Millisecond))
	total := 0
	for _, n := range st.faults {
		total += n
	}
	fmt.Fprintf(&b, "  faults injected: %d\n", total)
	for _, k := range sortedByCount(st.faults) {
		fmt.Fprintf(&b, "    %-36s %5d  (targets failed in those runs: %d)\n", k, st.faults[k], st.failedWith[k])
	}
	if n := st.failedWith["no fault"]; n > 0 {
		fmt.Fprintf(&b, "    %-36s %5s  (targets failed: %d)\n", "no fault", "", n)
	}
	fmt.Fprintf(&b, "  target outcomes: %d minted, %d fresh, %d synced, %d failed (reported), %d superseded\n",
		st.outcomes[rotation.Minted], st.outcomes[rotation.Fresh], st.outcomes[rotation.Synced], st.outcomes[rotation.Failed], st.outcomes[rotation.Superseded])
	fmt.Fprintf(&b, "  failed runs that left extra live long-term tokens (cleaned up by the next run that did not fail): %d; runs that warned they could not clean up yet: %d\n", st.failedExcess, st.sweepWarned)
	fmt.Fprintf(&b, "  stored logins checked: %d refused by the registry and replaced, %d not checkable (registry unreachable), %d runs a revoked login stayed while its registry was down\n",
		st.refused, st.unchecked, st.undetected)
	w.mu.Lock()
	fmt.Fprintf(&b, "  long-term tokens revoked through the vendor APIs: %d\n", w.revokes)
	fmt.Fprintf(&b, "  time in Engine.Run %s, in the checks %s\n", st.engine.Round(time.Millisecond), st.checks.Round(time.Millisecond))
	fmt.Fprintf(&b, "  Secrets Manager calls refused by its quotas (ThrottlingException, retried): %d\n", st.quotaThrottled)
	fmt.Fprintf(&b, "  slowest run: %d, %s, faults %q\n", st.slowestRun, st.slowest.Round(time.Millisecond), st.slowestFaults)
	byInvariant := map[int]int{}
	for _, v := range w.violations {
		byInvariant[v.invariant]++
	}
	w.mu.Unlock()
	fmt.Fprintf(&b, "  invariant violations: %d (1 held: %d, 2 revocations: %d, 3 live tokens: %d, 4 leaks: %d)",
		len(w.violations), byInvariant[1], byInvariant[2], byInvariant[3], byInvariant[4])
	t.Log(b.String())
}

func sortedByCount(m map[string]int) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if m[keys[i]] != m[keys[j]] {
			return m[keys[i]] > m[keys[j]]
		}
		return keys[i] < keys[j]
	})
	return keys
}
