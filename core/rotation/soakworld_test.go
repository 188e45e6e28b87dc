package rotation_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	sm "github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/regmint/regmint/core"
	"github.com/regmint/regmint/core/config"
	"github.com/regmint/regmint/core/providers"
	"github.com/regmint/regmint/core/registrytest"
	"github.com/regmint/regmint/core/rotation"
	"github.com/regmint/regmint/core/store/file"
	"github.com/regmint/regmint/core/store/secretsmanager"
	"github.com/regmint/regmint/core/store/secretsmanager/smtest"
	"github.com/regmint/regmint/core/stores"
	"github.com/regmint/regmint/core/swr/swrtest"
	"github.com/regmint/regmint/core/tcr/tcrtest"
	"github.com/regmint/regmint/internal/testutil"
)

// The soak's world: the rotation engine wired as functions/rotate wires it
// (the Secrets Manager store and client, the docker config file store,
// providers.New, core.Verifier) against the emulated clouds, on a simulated
// clock.

const (
	soakTCRRegion = "ap-guangzhou"
	soakSWRRegion = "cn-north-4"
	soakPrefix    = "regmint/"
)

type syncBuffer = testutil.SyncBuffer

// soakTarget is one target of the soak's config and what the world knows
// of it.
type soakTarget struct {
	name     string
	longTerm bool
	// dests are the store kinds it writes to, each under ref name.
	dests []string
	// instance is the vendor instance id (long-term tokens are counted per
	// instance); registry its login endpoint.
	instance string
	registry *registrytest.Server
	// invalidate removes a login at the vendor behind the engine's back.
	invalidate func(password string) bool
	// liveTokens lists the instance's live long-term token ids.
	liveTokens func() []string
	// kube: the target also writes its registry to the grouped pull
	// secret of the soak's cluster (soakkube_test.go).
	kube bool
}

// held is what one destination holds, read directly (no fault applies).
type held struct {
	present bool
	cred    core.Credential
	// prevToken is the record's PreviousTokenID; smPrevious the token id
	// of Secrets Manager's AWSPREVIOUS version.
	prevToken, smPrevious string
	// version identifies the value: the Secrets Manager version id, or
	// for the file the password and issue time.
	version string
}

// violation is a broken invariant.
type violation struct {
	run       int
	invariant int
	detail    string
}

// soakWorld holds the emulators, the engine and the soak's bookkeeping.
type soakWorld struct {
	t     *testing.T
	seed  uint64
	rng   *rand.Rand
	clock *clock

	sm   *smtest.Server
	tcr  *tcrtest.Server
	hw   *swrtest.Server
	acct *swrtest.Account

	fileStore *file.Store
	kube      *soakKube
	// kubeDenied and kubeAppeared are the namespaces denied (403) and
	// added during the last run.
	kubeDenied, kubeAppeared map[string]bool
	eng                      *rotation.Engine
	targets                  []*soakTarget
	verifier                 core.Verifier

	// out captures everything the engine, the issuers and the SDKs print;
	// report text and metrics are added per run.
	out     syncBuffer
	metrics syncBuffer

	static []string        // secrets that never change (cloud keys, AWS key)
	seen   map[string]bool // every emulator secret seen so far
	recent [][]string      // emulator secrets new in each of the last runs

	mu         sync.Mutex
	run        int
	violations []violation
	revokes    int
	// pending marks targets whose stored login was invalidated behind the
	// engine's back and not yet replaced.
	pending map[string]bool
}

func newSoakWorld(t *testing.T, seed uint64) *soakWorld {
	t.Helper()
	w := &soakWorld{
		t: t, seed: seed,
		rng:     rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)),
		clock:   testutil.NewClock(time.Now().UTC().Truncate(time.Second)),
		seen:    map[string]bool{},
		pending: map[string]bool{},
	}
	// Lifetimes follow the simulated clock; signatures are checked against
	// the wall clock the SDKs sign with. Secrets Manager keeps real time:
	// nothing there expires.
	w.sm = smtest.New()
	// Quotas below the documented ones, which the engine's store-limits
	// (below) exceed by half for writes, so that writes are throttled now
	// and then (counted per second of real time) besides the injected
	// throttling faults: the invariants must hold while throttled.
	w.sm.EnforceQuotas(
		smtest.Quota{Ops: smtest.QuotaWrites.Ops, PerSecond: 20}, smtest.Quota{Ops: smtest.QuotaCreate.Ops, PerSecond: 20},
		smtest.Quota{Ops: smtest.QuotaReads.Ops, PerSecond: 200}, smtest.Quota{Ops: smtest.QuotaBatchReads.Ops, PerSecond: 20})
	w.tcr = tcrtest.New(tcrtest.WithClock(w.clock.Now), tcrtest.WithSignatureClock(time.Now),
		tcrtest.WithOnRevoke(func(r tcrtest.Revocation) { w.onRevoke(r.InstanceID, r.TokenID) }))
	w.hw = swrtest.New(swrtest.WithRegions(soakSWRRegion), swrtest.WithClock(w.clock.Now), swrtest.WithSignatureClock(time.Now),
		swrtest.WithOnRevoke(func(r swrtest.Revocation) { w.onRevoke(r.InstanceID, r.TokenID) }))
	t.Cleanup(func() { w.sm.Close(); w.tcr.Close(); w.hw.Close() })

	key := w.tcr.AddKey()
	tcrTemp, tcrLong := w.tcr.AddInstance(soakTCRRegion), w.tcr.AddInstance(soakTCRRegion)
	w.acct = w.hw.NewAccount()
	swrTemp, swrLong := w.hw.NewInstance(w.acct, soakSWRRegion), w.hw.NewInstance(w.acct, soakSWRRegion)
	shared := w.hw.SharedRegistry(soakSWRRegion)
	w.sm.Seed("src/tencent", fmt.Sprintf(`{"access_key_id":%q,"access_key_secret":%q}`, key.ID, key.Secret))
	w.sm.Seed("src/huawei", fmt.Sprintf(`{"access_key_id":%q,"access_key_secret":%q}`, w.acct.AK, w.acct.SK))
	w.static = append(append([]string{key.Secret}, w.acct.Secrets()...), w.sm.Key().Secrets()...)

	tcrLive := func(id string) func() []string {
		return func() []string {
			var ids []string
			for _, tok := range w.tcr.LongTermTokens(id) {
				ids = append(ids, tok.ID)
			}
			return ids
		}
	}
	w.targets = []*soakTarget{
		{name: "tcr-temp", dests: []string{secretsmanager.KindName, file.KindName}, instance: tcrTemp.ID,
			registry: w.tcr.RegistryServer(tcrTemp.ID), invalidate: w.tcr.Invalidate, kube: true},
		{name: "tcr-long", longTerm: true, dests: []string{secretsmanager.KindName, file.KindName}, instance: tcrLong.ID,
			registry: w.tcr.RegistryServer(tcrLong.ID), invalidate: w.tcr.Invalidate, liveTokens: tcrLive(tcrLong.ID)},
		{name: "swr-temp", dests: []string{secretsmanager.KindName}, instance: swrTemp.ID,
			registry: swrTemp.Registry, invalidate: w.hw.Invalidate, kube: true},
		{name: "swr-long", longTerm: true, dests: []string{secretsmanager.KindName}, instance: swrLong.ID,
			registry: swrLong.Registry, invalidate: w.hw.Invalidate, liveTokens: func() []string { return w.swrLive(swrLong) }},
		{name: "swr-shared", dests: []string{secretsmanager.KindName}, instance: "shared " + soakSWRRegion,
			registry: shared, invalidate: w.hw.Invalidate},
	}

	// Policies: temporary TCR and SWR Enterprise logins live 1 h and are
	// refreshed under 30 min left; shared-edition logins live 6 h and are
	// refreshed under 5h30m; long-term tokens rotate every 2 h (TCR) and
	// 3 h (SWR). With 5 to 40 minute steps each kind refreshes often.
	// Writes at 30/s against a quota of 20/s: the engine's adaptive
	// bucket meets the quota's ThrottlingException.
	doc := fmt.Sprintf(`refresh-margin: 30m
store-limits: {secretsmanager: {writes: 30, reads: 200, batch-reads: 20}}
concurrency: 5
timeout: 10s
deadline-margin: 1s
credential-sources:
  tencent: {secret: src/tencent}
  huawei: {secret: src/huawei}
targets:
  - {name: tcr-temp, provider: tcr, region: %[1]s, instance-id: %[2]s, api-endpoint: %[3]q, credentials: {source: tencent},
     destinations: [{store: secretsmanager}, {store: file}, %[11]s]}
  - {name: tcr-long, provider: tcr, region: %[1]s, instance-id: %[4]s, api-endpoint: %[3]q, credentials: {source: tencent},
     token-type: longterm, rotate-every: 2h, destinations: [{store: secretsmanager}, {store: file}]}
  - {name: swr-temp, provider: swr-enterprise, region: %[5]s, instance-id: %[6]s, api-endpoint: %[7]q, iam-endpoint: %[8]q, credentials: {source: huawei},
     destinations: [{store: secretsmanager}, %[11]s]}
  - {name: swr-long, provider: swr-enterprise, region: %[5]s, instance-id: %[9]s, api-endpoint: %[7]q, iam-endpoint: %[8]q, credentials: {source: huawei},
     token-type: longterm, rotate-every: 3h}
  - {name: swr-shared, provider: swr, region: %[5]s, registry: %[10]q, api-endpoint: %[7]q, iam-endpoint: %[8]q, credentials: {source: huawei},
     refresh-margin: 5h30m}
`, soakTCRRegion, tcrTemp.ID, w.tcr.URL, tcrLong.ID, soakSWRRegion, swrTemp.ID, w.hw.SWRURL, w.hw.IAMURL, swrLong.ID, shared.Host, soakKubeDest)
	cfg, err := config.Parse([]byte(doc), stores.Kinds())
	if err != nil {
		t.Fatalf("soak config: %v", err)
	}

	k := w.sm.Key()
	env := map[string]string{
		secretsmanager.EnvRegion: w.sm.Region, secretsmanager.EnvAccessKeyID: k.AccessKeyID,
		secretsmanager.EnvSecretAccessKey: k.SecretAccessKey, secretsmanager.EnvSessionToken: k.SessionToken,
		secretsmanager.EnvEndpoint: w.sm.URL,
	}
	getenv := func(name string) string { return env[name] }
	ac, err := secretsmanager.ConfigFromEnv(getenv)
	if err != nil {
		t.Fatal(err)
	}
	// The SDK's standard retryer, with short waits and no retry quota, so
	// that injected faults cost milliseconds.
	client, err := secretsmanager.NewClient(ac, getenv, func(o *sm.Options) {
		o.Retryer = retry.NewStandard(func(so *retry.StandardOptions) {
			so.MaxBackoff = 5 * time.Millisecond
			so.RateLimiter = ratelimit.None
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	smStore, err := secretsmanager.New(client, secretsmanager.WithPrefix(*cfg.NamePrefix))
	if err != nil {
		t.Fatal(err)
	}
	if w.fileStore, err = file.New(filepath.Join(t.TempDir(), "docker", "config.json")); err != nil {
		t.Fatal(err)
	}
	sdkLog := slog.New(slog.NewJSONHandler(&w.out, &slog.HandlerOptions{Level: slog.LevelDebug}))
	w.kube = newSoakKube(t)
	factory := func(tg core.Target) (core.Issuer, error) {
		return providers.New(tg, core.Env{Getenv: func(string) string { return "" }, Now: w.clock.Now,
			Backoff: core.Backoff{Base: time.Millisecond, Max: 10 * time.Millisecond, Attempts: 4},
			Timeout: 5 * time.Second, Logger: sdkLog})
	}
	// One transport for every registry check, the engine's and the soak's,
	// so that logins reuse connections.
	w.verifier = core.Verifier{Timeout: 5 * time.Second}
	w.eng, err = rotation.New(cfg, factory,
		rotation.WithStore(secretsmanager.KindName, smStore),
		rotation.WithStore(file.KindName, w.fileStore),
		w.kube.option(t, cfg, sdkLog),
		rotation.WithSecrets(secretsmanager.Reader{API: client}),
		rotation.WithClock(w.clock.Now),
		rotation.WithVerifier(w.verifier),
		rotation.WithLogger(slog.New(slog.NewJSONHandler(&w.out, &slog.HandlerOptions{Level: slog.LevelDebug}))),
		rotation.WithMetrics(&w.metrics),
	)
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// swrLive lists an SWR instance's long-term credentials by token id.
func (w *soakWorld) swrLive(in *swrtest.Instance) []string { return w.hw.LongTermCredentialIDs(in) }

// holds reads what a destination holds, straight from the emulator or the
// file: no fault applies.
func (w *soakWorld) holds(tg *soakTarget, store string) held {
	switch store {
	case secretsmanager.KindName:
		sec, ok := w.sm.Secret(soakPrefix + tg.name)
		if !ok {
			return held{}
		}
		cur, ok := sec.Current()
		if !ok {
			return held{}
		}
		h := held{present: true, version: cur.ID}
		h.cred, h.prevToken = decodeSoakValue(cur.Value)
		if prev, ok := sec.Previous(); ok {
			c, _ := decodeSoakValue(prev.Value)
			h.smPrevious = c.TokenID
		}
		return h
	case file.KindName:
		r, err := w.fileStore.ReadRecord(context.Background(), tg.name)
		if err != nil {
			return held{}
		}
		return held{present: true, cred: r.Credential, prevToken: r.PreviousTokenID,
			version: r.Credential.Password + "@" + r.IssuedAt.Format(time.RFC3339Nano)}
	}
	w.t.Fatalf("unknown store %s", store)
	return held{}
}

// decodeSoakValue reads a Secrets Manager value the store wrote.
func decodeSoakValue(v string) (core.Credential, string) {
	var val struct {
		Registry        string `json:"registry"`
		Username        string `json:"username"`
		Password        string `json:"password"`
		TokenID         string `json:"token_id"`
		PreviousTokenID string `json:"previous_token_id"`
	}
	_ = json.Unmarshal([]byte(v), &val)
	return core.Credential{Registry: val.Registry, Username: val.Username, Password: val.Password, TokenID: val.TokenID}, val.PreviousTokenID
}

// heldAll reads what every destination holds, keyed "target store".
func (w *soakWorld) heldAll() map[string]held {
	out := map[string]held{}
	for _, tg := range w.targets {
		for _, store := range tg.dests {
			out[tg.name+" "+store] = w.holds(tg, store)
		}
	}
	w.heldKube(out)
	return out
}

// verifyAll checks every destination's login against its registry, at
// once.
func (w *soakWorld) verifyAll(held map[string]held) map[string]core.Verification {
	var (
		mu  sync.Mutex
		wg  sync.WaitGroup
		out = map[string]core.Verification{}
	)
	for k, h := range held {
		if !h.present {
			continue
		}
		wg.Go(func() {
			// Faults are cleared: an inconclusive answer is a slow machine
			// (a login timing out), so ask again, allowing more time.
			v := w.verifier.Verify(context.Background(), h.cred)
			for try := 1; v.Result == core.VerifyUnknown && try < 3; try++ {
				v = core.Verifier{Timeout: 20 * time.Second}.Verify(context.Background(), h.cred)
			}
			mu.Lock()
			defer mu.Unlock()
			out[k] = v
		})
	}
	wg.Wait()
	return out
}

// referenced returns the token ids a target's destinations refer to
// (current, previous, and Secrets Manager's AWSPREVIOUS): in held, or read
// now when held is nil.
func (w *soakWorld) referenced(tg *soakTarget, held map[string]held) map[string]string {
	refs := map[string]string{}
	for _, store := range tg.dests {
		h, ok := held[tg.name+" "+store]
		if !ok {
			h = w.holds(tg, store)
		}
		if !h.present {
			continue
		}
		for what, id := range map[string]string{"current": h.cred.TokenID, "previous": h.prevToken, "AWSPREVIOUS": h.smPrevious} {
			if id != "" {
				refs[id] = store + " " + what
			}
		}
	}
	return refs
}

func (w *soakWorld) violate(invariant int, format string, args ...any) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.violations = append(w.violations, violation{run: w.run, invariant: invariant, detail: fmt.Sprintf(format, args...)})
}

// onRevoke is called by the emulators, before they answer, for each
// long-term token deleted through their API (invariant 2: never one that
// a destination holds as current or previous).
func (w *soakWorld) onRevoke(instance, tokenID string) {
	w.mu.Lock()
	w.revokes++
	w.mu.Unlock()
	for _, tg := range w.targets {
		if tg.instance != instance {
			continue
		}
		if where, ok := w.referenced(tg, nil)[tokenID]; ok {
			w.violate(2, "%s: token %s revoked while it is the %s", tg.name, tokenID, where)
		}
	}
}

// fault kinds, for the summary.
const (
	faultTCRThrottle  = "tcr throttle"
	faultTCR5xx       = "tcr 5xx"
	faultTCRMalformed = "tcr malformed body"
	faultTCRDrop      = "tcr dropped connection"
	faultTCRLatency   = "tcr latency"
	faultSWRThrottle  = "swr throttle"
	faultSWR5xx       = "swr 5xx"
	faultSWRMalformed = "swr malformed body"
	faultSWRDrop      = "swr dropped connection"
	faultSWRLatency   = "swr latency"
	faultSMThrottle   = "secretsmanager throttle"
	faultSM5xx        = "secretsmanager 5xx"
	faultSMLost       = "secretsmanager lost response"
	faultSMDrop       = "secretsmanager dropped connection"
	faultSMLatency    = "secretsmanager latency"
	faultRegistryDown = "registry unreachable"
	faultRevoked      = "login revoked behind our back"
	// The kubernetes faults are in soakkube_test.go.
)

var faultKinds = []string{
	faultTCRThrottle, faultTCR5xx, faultTCRMalformed, faultTCRDrop, faultTCRLatency,
	faultSWRThrottle, faultSWR5xx, faultSWRMalformed, faultSWRDrop, faultSWRLatency,
	faultSMThrottle, faultSM5xx, faultSMLost, faultSMDrop, faultSMLatency,
	faultRegistryDown, faultRevoked,
	faultKubeConflict, faultKubeDenied, faultKubeAppears,
}

// latency is a small random delay (it holds every matching call for the
// rest of the run): spikes that reorder the concurrent targets' calls, not
// timeouts, and cheap enough to keep the soak fast.
func (w *soakWorld) latency() time.Duration {
	return time.Duration(1+w.rng.IntN(8)) * time.Millisecond
}

// The operations a fault may be aimed at ("" is any call), so that the
// interesting calls (a token created or deleted) get their share.
var (
	smOps  = []string{"", "GetSecretValue", "DescribeSecret", "PutSecretValue", "CreateSecret"}
	tcrOps = []string{"", "", "CreateInstanceToken", "DeleteInstanceToken", "DescribeInstances", "DescribeInstanceToken"}
	swrOps = []string{"", "", swrtest.OpCreateInstanceTempCredential, swrtest.OpCreateInstanceLtCredential,
		swrtest.OpDeleteInstanceLtCredential, swrtest.OpListInstanceLtCredentials, swrtest.OpCreateSecret, swrtest.OpShowInstance}
)

// inject applies one fault of kind and describes it; "" means there was
// nothing to apply it to.
func (w *soakWorld) inject(kind string) string {
	r := w.rng
	n := 1 + r.IntN(6)
	tcrOp, swrOp, smOp := tcrOps[r.IntN(len(tcrOps))], swrOps[r.IntN(len(swrOps))], smOps[r.IntN(len(smOps))]
	op := ""
	switch kind {
	case faultTCRThrottle:
		op = tcrOp
		w.tcr.Inject(n, tcrtest.Fault{Action: op, Code: "RequestLimitExceeded", Message: "Your current request times exceeds the frequency limit."})
	case faultTCR5xx:
		op = tcrOp
		w.tcr.Inject(n, tcrtest.Fault{Action: op, Status: []int{500, 502, 503}[r.IntN(3)]})
	case faultTCRMalformed:
		n, op = 1+r.IntN(2), tcrOp
		w.tcr.Inject(n, tcrtest.Fault{Action: op, Malformed: true})
	case faultTCRDrop:
		n, op = 1+r.IntN(2), tcrOp
		w.tcr.Inject(n, tcrtest.Fault{Action: op, Drop: true, AfterHandling: r.IntN(2) == 0})
	case faultTCRLatency:
		w.tcr.SetLatency(w.latency())
	case faultSWRThrottle:
		op = swrOp
		w.hw.Inject(swrtest.Fault{Op: op, Status: http.StatusTooManyRequests, Times: n})
	case faultSWR5xx:
		op = swrOp
		w.hw.Inject(swrtest.Fault{Op: op, Status: []int{500, 502, 503}[r.IntN(3)], Times: n, AfterProcessing: r.IntN(2) == 0})
	case faultSWRMalformed:
		n, op = 1+r.IntN(2), swrOp
		w.hw.Inject(swrtest.Fault{Op: op, Malformed: true, Times: n})
	case faultSWRDrop:
		n, op = 1+r.IntN(2), swrOp
		w.hw.Inject(swrtest.Fault{Op: op, Drop: true, AfterProcessing: r.IntN(2) == 0, Times: n})
	case faultSWRLatency:
		op = swrOp
		w.hw.Inject(swrtest.Fault{Op: op, Delay: w.latency(), Times: 1 + r.IntN(10)})
	case faultSMThrottle:
		op = smOp
		w.sm.Inject(n, smtest.Throttled(op))
	case faultSM5xx:
		op = smOp
		if r.IntN(2) == 0 {
			w.sm.Inject(n, smtest.Internal(op))
		} else {
			w.sm.Inject(n, smtest.Unavailable(op))
		}
	case faultSMLost:
		op = []string{"PutSecretValue", "CreateSecret", ""}[r.IntN(3)]
		f := smtest.Internal(op)
		f.AfterApply = true
		w.sm.Inject(n, f)
	case faultSMDrop:
		op = smOp
		w.sm.Inject(n, smtest.Dropped(op, r.IntN(2) == 0))
	case faultSMLatency:
		op = smOp
		w.sm.SetLatency(op, w.latency())
	case faultRegistryDown:
		tg := w.targets[r.IntN(len(w.targets))]
		tg.registry.FailWith([]int{502, 503}[r.IntN(2)])
		return fmt.Sprintf("%s (%s)", kind, tg.name)
	case faultKubeConflict, faultKubeDenied, faultKubeAppears:
		return w.kube.inject(kind, 1+r.IntN(10), r.IntN)
	case faultRevoked:
		tg := w.targets[r.IntN(len(w.targets))]
		h := w.holds(tg, tg.dests[0])
		if !h.present || !tg.invalidate(h.cred.Password) {
			return "" // nothing live to revoke
		}
		w.mu.Lock()
		w.pending[tg.name] = true
		w.mu.Unlock()
		return fmt.Sprintf("%s (%s)", kind, tg.name)
	default:
		w.t.Fatalf("unknown fault kind %q", kind)
	}
	if op == "" {
		op = "any call"
	}
	return fmt.Sprintf("%s x%d (%s)", kind, n, op)
}

// clearFaults ends every injected fault, for the checks.
func (w *soakWorld) clearFaults() {
	w.tcr.ClearFaults()
	w.hw.ClearFaults()
	w.sm.ClearFaults()
	w.kubeDenied, w.kubeAppeared = w.kube.clear()
	for _, tg := range w.targets {
		tg.registry.FailWith(0)
	}
}

// secretsForRun returns the secrets a run's output is checked against: the
// static keys, what every destination holds, and every emulator secret new
// in this run or the few before it. (Checking every secret ever minted
// against every run's output grows with the square of the runs; a secret
// leaks in the run that handles it, and older ones are not handled any
// more unless a destination still holds them.)
func (w *soakWorld) secretsForRun(held map[string]held) []string {
	var fresh []string
	add := func(s string) bool {
		if s == "" || w.seen[s] {
			return false
		}
		w.seen[s] = true
		fresh = append(fresh, s)
		return true
	}
	for _, s := range w.tcr.Secrets() {
		if add(s) {
			add(core.DockerAuth(w.tcr.UIN, s))
		}
	}
	for _, s := range w.hw.Secrets() {
		add(s)
	}
	w.recent = append(w.recent, fresh)
	if len(w.recent) > 4 {
		w.recent = w.recent[1:]
	}
	out := slices.Clone(w.static)
	for _, r := range w.recent {
		out = append(out, r...)
	}
	for _, h := range held {
		if h.present {
			out = append(out, h.cred.Secrets()...)
		}
	}
	return out
}

// allSecrets returns every secret of the soak, for the final check.
func (w *soakWorld) allSecrets() []string {
	out := slices.Clone(w.static)
	for s := range w.seen {
		out = append(out, s)
	}
	return out
}

// reportText renders everything a run returns for people: the text
// report, the error, and the results in every fmt form.
func reportText(rep *rotation.Report) string {
	var b strings.Builder
	_ = rep.WriteText(&b)
	if err := rep.Err(); err != nil {
		fmt.Fprintf(&b, "%v\n%+v\n%#v\n", err, err, err)
	}
	fmt.Fprintf(&b, "%v\n%+v\n", rep.Results, rep.Results)
	return b.String()
}
