package main

import (
	"context"
	"encoding/json"
	"fmt"
	"runtime"
	"strings"
	"time"

	"github.com/regmint/regmint/core/config"
	"github.com/regmint/regmint/core/config/ssmtest"
	"github.com/regmint/regmint/core/store/secretsmanager/smtest"
	"github.com/regmint/regmint/core/tcr/tcrtest"
	"github.com/regmint/regmint/internal/lambdatest"
)

// Fixed by the function and the template.
const (
	// functionTimeout is the template's function timeout: the deadline of
	// each invocation.
	functionTimeout = 300 * time.Second
	// lambdaMemoryMB is the template's MemorySize.
	lambdaMemoryMB = 128
	tcrRegion      = "ap-guangzhou"
)

// rotateWorld is the emulated clouds of the rotation runs: TCR with one
// instance (and registry) per target, latency on every API call and TCR's
// CreateInstanceToken limit; Secrets Manager holding the TCR keys; SSM
// holding the config documents (a config of hundreds of targets does not
// fit in an environment variable).
type rotateWorld struct {
	tcr       *tcrtest.Server
	sm        *smtest.Server
	ssm       *ssmtest.Server
	instances []tcrtest.Instance
}

func newRotateWorld(o options, targets int) *rotateWorld {
	w := &rotateWorld{tcr: tcrtest.New(), sm: smtest.New()}
	w.ssm = ssmtest.New(w.sm.Region, w.sm.Key())
	key := w.tcr.AddKey()
	w.sm.Seed("src/tencent", fmt.Sprintf(`{"access_key_id":%q,"access_key_secret":%q}`, key.ID, key.Secret))
	for range targets {
		w.instances = append(w.instances, w.tcr.AddInstance(tcrRegion))
	}
	w.tcr.SetLatency(o.latency)
	w.tcr.SetRateLimit("CreateInstanceToken", o.ratePerSecond)
	return w
}

func (w *rotateWorld) close() { w.tcr.Close(); w.sm.Close(); w.ssm.Close() }

// config stores the rotation config for the first n instances in SSM and
// returns the parameter's name: temporary tokens, registry given (one
// CreateInstanceToken per target), keys from the Secrets Manager source,
// secrets written under prefix.
func (w *rotateWorld) config(n int, prefix string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "name-prefix: %s\ncredential-sources:\n  tencent: {secret: src/tencent}\ntargets:\n", prefix)
	for i, in := range w.instances[:n] {
		fmt.Fprintf(&b, "  - {name: t%04d, provider: tcr, region: %s, instance-id: %s, registry: %q, api-endpoint: %q, credentials: {source: tencent}}\n",
			i, tcrRegion, in.ID, in.Registry, w.tcr.URL)
	}
	name := "/regmint/bench/" + strings.TrimSuffix(prefix, "/")
	w.ssm.Put(name, b.String())
	return name
}

// env is the function's environment in Lambda, the config read from the
// SSM parameter.
func (w *rotateWorld) env(api *lambdatest.Server, parameter string) []string {
	k := w.sm.Key()
	env := []string{"PATH=/usr/bin:/bin"}
	for k, v := range api.Env() {
		env = append(env, k+"="+v)
	}
	return append(env, "AWS_REGION="+w.sm.Region, "AWS_ACCESS_KEY_ID="+k.AccessKeyID, "AWS_SECRET_ACCESS_KEY="+k.SecretAccessKey,
		"AWS_SESSION_TOKEN="+k.SessionToken, "AWS_ENDPOINT_URL_SECRETS_MANAGER="+w.sm.URL, "AWS_ENDPOINT_URL_SSM="+w.ssm.URL,
		config.EnvConfigSSMParameter+"="+parameter)
}

// function is one bootstrap process behind its own Runtime API.
type function struct {
	api    *lambdatest.Server
	proc   *child
	stderr *limitedBuffer
}

// startFunction starts the bootstrap as Lambda starts it. Its log lines
// go to /dev/null, as fast a sink as Lambda's pipe.
func startFunction(o options, env func(*lambdatest.Server) []string) (*function, error) {
	f := &function{api: lambdatest.New(), stderr: &limitedBuffer{max: 4096}}
	p, err := startChild(o.spawn, o.bootstrap, nil, env(f.api), nil, nil, f.stderr)
	if err != nil {
		f.api.Close()
		return nil, err
	}
	f.proc = p
	return f, nil
}

// firstNext waits for the runtime's first GET .../invocation/next, the end
// of its cold start.
func (f *function) firstNext(ctx context.Context) (time.Time, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	go func() {
		select {
		case <-f.proc.done: // a process that exits never asks
			cancel()
		case <-ctx.Done():
		}
	}()
	at, err := f.api.FirstNext(ctx)
	if err != nil && f.proc.exited() {
		return time.Time{}, fmt.Errorf("the function exited before asking for an event: %s", tail(f.stderr.b, 400))
	}
	return at, err
}

// stop kills the process (the runtime loop never returns) and returns
// what the spawn helper measured of it.
func (f *function) stop() (procRun, error) {
	defer f.api.Close()
	f.proc.kill()
	return f.proc.wait(context.Background())
}

// coldStart runs the function until its first /next and returns the time
// from its start to that request, and its peak RSS by then.
func coldStart(ctx context.Context, o options, env func(*lambdatest.Server) []string) (time.Duration, int64, error) {
	f, err := startFunction(o, env)
	if err != nil {
		return 0, 0, err
	}
	at, nextErr := f.firstNext(ctx)
	run, err := f.stop()
	if nextErr != nil {
		return 0, 0, nextErr
	}
	if err != nil {
		return 0, 0, err
	}
	return at.Sub(run.started), run.maxRSS, nil
}

// summary is what an invocation answers.
type summary struct {
	Targets, Rotated, Skipped, Failed int
}

// scaleRun is one invocation over n targets in a fresh process.
type scaleRun struct {
	targets   int
	took      time.Duration // from queueing the event to the response
	cpu       time.Duration // the process's CPU time, cold start included
	maxRSS    int64
	throttled int
	smCalls   int // Secrets Manager requests during the run
}

// bound is the rate limit's lower bound on the invocation: targets / rate.
func (r scaleRun) bound(rate int) time.Duration {
	return time.Duration(r.targets) * time.Second / time.Duration(rate)
}

func invokeScale(ctx context.Context, o options, w *rotateWorld, n int, round int) (scaleRun, error) {
	param := w.config(n, fmt.Sprintf("bench%d-%d/", round, n))
	throttledBefore, smBefore := w.tcr.RateLimited("CreateInstanceToken"), w.sm.TotalCalls()
	f, err := startFunction(o, func(api *lambdatest.Server) []string { return w.env(api, param) })
	if err != nil {
		return scaleRun{}, err
	}
	run := scaleRun{targets: n}
	took, invokeErr := invokeOnce(ctx, f, n)
	proc, err := f.stop()
	if invokeErr != nil {
		return run, invokeErr
	}
	if err != nil {
		return run, err
	}
	run.took, run.cpu, run.maxRSS = took, proc.cpu, proc.maxRSS
	run.throttled = w.tcr.RateLimited("CreateInstanceToken") - throttledBefore
	run.smCalls = w.sm.TotalCalls() - smBefore
	return run, nil
}

// invokeOnce waits for the function's first /next, sends one scheduled
// event and returns the time from queueing it to the response, which must
// say that all n targets were rotated.
func invokeOnce(ctx context.Context, f *function, n int) (time.Duration, error) {
	if _, err := f.firstNext(ctx); err != nil {
		return 0, err
	}
	ictx, cancel := context.WithTimeout(ctx, functionTimeout+30*time.Second)
	defer cancel()
	start := time.Now()
	out, err := f.api.Invoke(ictx, lambdatest.ScheduledEvent(), functionTimeout)
	took := time.Since(start)
	if err != nil {
		return took, err
	}
	var s summary
	if out.Kind != lambdatest.KindResponse || json.Unmarshal(out.Body, &s) != nil {
		return took, fmt.Errorf("invocation over %d targets: the function posted %s: %s", n, out.Kind, tail(out.Body, 400))
	}
	if s.Rotated != n || s.Failed != 0 {
		return took, fmt.Errorf("invocation over %d targets: %+v, want every target rotated", n, s)
	}
	return took, nil
}

// benchRotate measures cold starts (the smallest target count's config)
// and one invocation per target count, each in a fresh process.
func benchRotate(ctx context.Context, o options) (*section, error) {
	most := 0
	for _, n := range o.targets {
		most = max(most, n)
	}
	s := &section{title: fmt.Sprintf("Rotation function (bootstrap for this machine, loopback Runtime API): TCR temporary tokens into emulated Secrets Manager, %v on every TCR API call, CreateInstanceToken limited to %d/s by the emulator",
		o.latency, o.ratePerSecond)}
	w := newRotateWorld(o, most)
	defer w.close()

	cfg := w.config(o.targets[0], "cold/")
	var cold []time.Duration
	var coldRSS []int64
	for range o.coldStarts {
		d, rss, err := coldStart(ctx, o, func(api *lambdatest.Server) []string { return w.env(api, cfg) })
		if err != nil {
			return nil, err
		}
		cold, coldRSS = append(cold, d), append(coldRSS, rss)
	}
	s.add(row{fmt.Sprintf("cold start to first /next (%d-target config, %d starts)", o.targets[0], o.coldStarts), ms(median(cold)), ms(p90(cold)), "", ""})
	s.add(row{"peak RSS at first /next", mb(median(coldRSS)), mb(p90(coldRSS)), "", ""})

	var runs []scaleRun
	for i, n := range o.targets {
		r, err := invokeScale(ctx, o, w, n, i)
		if err != nil {
			return nil, err
		}
		runs = append(runs, r)
		x := r.took.Seconds() / r.bound(o.ratePerSecond).Seconds()
		s.add(row{fmt.Sprintf("invocation over %d targets (bound %v)", n, r.bound(o.ratePerSecond)), ms(r.took), "", "", ""})
		s.add(row{fmt.Sprintf("  / rate-limit bound (%d targets)", n), fmt.Sprintf("%.3fx", x), "", "<= 1.15x", met(x <= 1.15)})
		s.add(row{fmt.Sprintf("  peak RSS (%d targets)", n), mb(r.maxRSS), "", "< 64 MB", met(r.maxRSS < 64e6)})
		s.note("%d targets: %.1f Secrets Manager requests per target", n, float64(r.smCalls)/float64(n))
		if r.throttled > 0 {
			s.note("%d targets: the emulator refused %d CreateInstanceToken calls over the limit (retried)", n, r.throttled)
		}
	}
	if len(runs) >= 2 {
		a, b := runs[0], runs[len(runs)-1]
		perA, perB := a.took/time.Duration(a.targets), b.took/time.Duration(b.targets)
		growth := float64(perB) / float64(perA)
		s.add(row{fmt.Sprintf("wall time per target, %d -> %d targets", a.targets, b.targets),
			fmt.Sprintf("%v -> %v (%.2fx)", perA.Round(10*time.Microsecond), perB.Round(10*time.Microsecond), growth), "", "linear: <= 1.10x", met(growth <= 1.10)})
		added := float64(b.targets - a.targets)
		rssPer := float64(b.maxRSS-a.maxRSS) / added
		s.add(row{fmt.Sprintf("RSS growth per added target %d -> %d", a.targets, b.targets), fmt.Sprintf("%.1f KB", rssPer/1e3), "", "", ""})
		cpuPer := time.Duration(float64(b.cpu-a.cpu) / added)
		s.add(row{fmt.Sprintf("CPU time (user+sys) per added target %d -> %d", a.targets, b.targets), fmt.Sprintf("%.2f ms", float64(cpuPer)/1e6), "", "", ""})
		// Lambda gives a function CPU in proportion to its memory: one vCPU
		// at 1,769 MB, so the template's 128 MB get about 0.072 of one.
		share := float64(lambdaMemoryMB) / 1769
		cpuBound := time.Duration(float64(cpuPer) * float64(b.targets) / share)
		s.add(row{fmt.Sprintf("  at %d MB (%.3f vCPU): CPU alone for %d targets", lambdaMemoryMB, share, b.targets),
			fmt.Sprintf("%.1f s (%.2fx the rate bound)", cpuBound.Seconds(), cpuBound.Seconds()/b.bound(o.ratePerSecond).Seconds()), "", "", ""})
		s.note("CPU per target is measured on this machine's %s cores; the deployed function runs on arm64 (Graviton) with the CPU share above, so that row is an estimate", runtime.GOARCH)
	}
	return s, nil
}
