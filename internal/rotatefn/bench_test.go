package rotatefn

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/regmint/regmint/core"
	"github.com/regmint/regmint/core/config"
	"github.com/regmint/regmint/core/store/secretsmanager/smtest"
	"github.com/regmint/regmint/core/tcr/tcrtest"
)

// Scale of the benchmark: TCR documents at most 100 CreateInstanceToken
// requests per second, the engine's default rate limit for provider tcr.
const (
	benchTargets   = 200
	benchLatency   = 50 * time.Millisecond
	tcrRatePerSec  = 100
	benchTimeout   = 300 * time.Second // the template's function timeout
	tokenActionHdr = "CreateInstanceToken"
)

// actionClock records when each CreateInstanceToken request left, to check
// the rate limit from the wire.
type actionClock struct {
	next http.RoundTripper
	mu   sync.Mutex
	at   []time.Time
}

func (a *actionClock) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Header.Get("X-TC-Action") == tokenActionHdr {
		a.mu.Lock()
		a.at = append(a.at, time.Now())
		a.mu.Unlock()
	}
	return a.next.RoundTrip(r)
}

// maxPerSecond is the most requests seen in any one-second window.
func (a *actionClock) maxPerSecond() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	at := slices.Clone(a.at)
	slices.SortFunc(at, func(x, y time.Time) int { return x.Compare(y) })
	best, j := 0, 0
	for i := range at {
		for at[i].Sub(at[j]) >= time.Second {
			j++
		}
		best = max(best, i-j+1)
	}
	return best
}

// BenchmarkRotate200Targets runs one pass over 200 temporary TCR targets
// (one instance each, as 200 registries) against tcrtest with 50 ms of
// latency on every API call, into emulated Secrets Manager, wired as main
// wires it with the default concurrency and TCR rate limit. It reports the
// pass's wall time against the rate limit's bound (200 targets / 100 per
// second = 2 s) as x-rate-bound: 1.0 is as fast as the limit allows.
func BenchmarkRotate200Targets(b *testing.B) {
	tcr := tcrtest.New()
	defer tcr.Close()
	sm := smtest.New()
	defer sm.Close()
	key := tcr.AddKey()
	sm.Seed("src/tencent", fmt.Sprintf(`{"access_key_id":%q,"access_key_secret":%q}`, key.ID, key.Secret))
	var doc strings.Builder
	for i := range benchTargets {
		in := tcr.AddInstance(tcrRegion)
		fmt.Fprintf(&doc, "  - {name: t%03d, provider: tcr, region: %s, instance-id: %s, api-endpoint: %q, credentials: {source: tencent}}\n",
			i, tcrRegion, in.ID, tcr.URL)
	}
	tcr.SetLatency(benchLatency)
	k := sm.Key()
	env := map[string]string{
		"AWS_REGION": sm.Region, "AWS_ACCESS_KEY_ID": k.AccessKeyID, "AWS_SECRET_ACCESS_KEY": k.SecretAccessKey,
		"AWS_SESSION_TOKEN": k.SessionToken, "AWS_ENDPOINT_URL_SECRETS_MANAGER": sm.URL,
	}
	bound := time.Duration(benchTargets) * time.Second / tcrRatePerSec
	var total time.Duration
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		// A new name prefix each round: every target is missing, so every
		// one is minted.
		env[config.EnvConfig] = fmt.Sprintf("name-prefix: bench%d/\ncredential-sources:\n  tencent: {secret: src/tencent}\ntargets:\n%s", i, doc.String())
		clock := &actionClock{next: http.DefaultTransport.(*http.Transport).Clone()}
		r, err := build(context.Background(), deps{getenv: func(k string) string { return env[k] },
			env: func(e *core.Env) { e.Transport = clock }})
		if err != nil {
			b.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), benchTimeout)
		b.StartTimer()
		start := time.Now()
		rep := r.engine.Run(ctx)
		took := time.Since(start)
		b.StopTimer()
		cancel()
		if err := rep.Err(); err != nil {
			b.Fatalf("not every target within the deadline: %v", err)
		}
		if rotated, _, _ := rep.Counts(); rotated != benchTargets {
			b.Fatalf("%d minted, want %d", rotated, benchTargets)
		}
		if n := clock.maxPerSecond(); n > tcrRatePerSec+1 { // the limiter's burst is 1
			b.Fatalf("%d CreateInstanceToken requests in one second, over TCR's %d/s", n, tcrRatePerSec)
		}
		total += took
		b.StartTimer()
	}
	perRun := total / time.Duration(b.N)
	b.ReportMetric(perRun.Seconds()/bound.Seconds(), "x-rate-bound")
	b.ReportMetric(perRun.Seconds(), "s/pass")
}
