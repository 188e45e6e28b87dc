package main

import (
	"context"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"os"
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
	// certFile is the PEM of the registries' certificate, which the
	// function trusts through SSL_CERT_FILE.
	certFile  string
	tcr       *tcrtest.Server
	sm        *smtest.Server
	ssm       *ssmtest.Server
	instances []tcrtest.Instance
}

func newRotateWorld(o options, targets int) (*rotateWorld, error) {
	// The registries are served over TLS, as TCR serves them: every login
	// costs the function a TLS handshake, as in production, rather than
	// go-containerregistry's https attempt and a fallback to http.
	w := &rotateWorld{tcr: tcrtest.New(tcrtest.WithTLSRegistries()), sm: smtest.New()}
	w.ssm = ssmtest.New(w.sm.Region, w.sm.Key())
	f, err := os.CreateTemp("", "regmint-bench-ca-*.pem")
	if err != nil {
		w.close()
		return nil, err
	}
	w.certFile = f.Name()
	err = pem.Encode(f, &pem.Block{Type: "CERTIFICATE", Bytes: w.tcr.STSCertificate().Raw})
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		w.close()
		return nil, err
	}
	key := w.tcr.AddKey()
	w.sm.Seed("src/tencent", fmt.Sprintf(`{"access_key_id":%q,"access_key_secret":%q}`, key.ID, key.Secret))
	for range targets {
		w.instances = append(w.instances, w.tcr.AddInstance(tcrRegion))
	}
	w.tcr.SetLatency(o.latency)
	w.tcr.SetRateLimit("CreateInstanceToken", o.ratePerSecond)
	// Every documented Secrets Manager quota: writes 50/s, CreateSecret
	// 50/s, reads 10,000/s, BatchGetSecretValue 100/s.
	w.sm.EnforceQuotas()
	return w, nil
}

func (w *rotateWorld) close() {
	w.tcr.Close()
	w.sm.Close()
	w.ssm.Close()
	if w.certFile != "" {
		os.Remove(w.certFile)
	}
}

// config stores the rotation config for the first n instances in SSM and
// returns the parameter's name: temporary tokens, registry given (one
// CreateInstanceToken per target), keys from the Secrets Manager source,
// secrets written under prefix.
func (w *rotateWorld) config(n int, prefix string) string {
	// The targets share their settings through a YAML merge key (anchored
	// in the first), so that 10,000 of them fit in the loader's 1 MiB.
	var b strings.Builder
	fmt.Fprintf(&b, "name-prefix: %s\ncredential-sources:\n  tencent: {secret: src/tencent}\ntargets:\n", prefix)
	for i, in := range w.instances[:n] {
		merge := "*t"
		if i == 0 {
			merge = fmt.Sprintf("&t {provider: tcr, region: %s, api-endpoint: %q, credentials: {source: tencent}}", tcrRegion, w.tcr.URL)
		}
		fmt.Fprintf(&b, "  - {<<: %s, name: t%05d, instance-id: %s, registry: %q}\n", merge, i, in.ID, in.Registry)
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
	// A bootstrap built with -tags regmintprof writes a CPU profile per
	// pass there (internal/rotatefn/profile_on.go); others ignore it.
	if p := os.Getenv("REGMINT_CPUPROFILE"); p != "" {
		env = append(env, "REGMINT_CPUPROFILE="+p)
	}
	return append(env, "SSL_CERT_FILE="+w.certFile, "AWS_REGION="+w.sm.Region, "AWS_ACCESS_KEY_ID="+k.AccessKeyID, "AWS_SECRET_ACCESS_KEY="+k.SecretAccessKey,
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

// pass is one invocation of a warm process.
type pass struct {
	took      time.Duration // from queueing the event to the response
	cpu       time.Duration // the process's CPU time during the pass
	smCalls   int           // Secrets Manager requests during the pass
	smWrites  int           // of them, the calls of the writes
	throttled int           // calls the Secrets Manager quotas refused
	tcrLimit  int           // CreateInstanceToken calls over TCR's limit
	logins    int64         // logins the registries accepted
	sum       summary
}

// scaleRun is a first pass and an idle pass over n targets in one fresh
// process.
type scaleRun struct {
	targets     int
	first, idle pass
	maxRSS      int64
}

// bound is the rate limits' lower bound on a first pass: every target
// mints once (TCR: rate per second) and writes one new secret (Secrets
// Manager: 50 writes per second), so the slower of the two.
func (r scaleRun) bound(o options) time.Duration {
	slowest := min(o.ratePerSecond, smWriteQuota)
	return time.Duration(r.targets) * time.Second / time.Duration(slowest)
}

// smWriteQuota is Secrets Manager's documented write quota (per second),
// which the emulator enforces.
const smWriteQuota = 50

var smWriteOps = []string{"CreateSecret", "PutSecretValue", "UpdateSecretVersionStage", "DescribeSecret"}

func (w *rotateWorld) counts() (total, writes, throttled, tcrLimited int) {
	for _, op := range smWriteOps {
		writes += w.sm.Calls(op)
	}
	for _, op := range []string{"CreateSecret", "PutSecretValue", "UpdateSecretVersionStage", "DescribeSecret", "GetSecretValue", "BatchGetSecretValue"} {
		throttled += w.sm.Throttled(op)
	}
	return w.sm.TotalCalls(), writes, throttled, w.tcr.RateLimited("CreateInstanceToken")
}

// logins is how many logins the registries accepted so far: a pass that
// verifies every credential (and, idle, every stored login) adds one per
// target.
func (w *rotateWorld) logins() int64 {
	var n int64
	for _, in := range w.instances {
		ok, _ := w.tcr.RegistryServer(in.ID).Logins()
		n += ok
	}
	return n
}

func invokeScale(ctx context.Context, o options, w *rotateWorld, n int, round int) (scaleRun, error) {
	param := w.config(n, fmt.Sprintf("bench%d-%d/", round, n))
	f, err := startFunction(o, func(api *lambdatest.Server) []string { return w.env(api, param) })
	if err != nil {
		return scaleRun{}, err
	}
	run := scaleRun{targets: n}
	var passErr error
	for i, p := range []*pass{&run.first, &run.idle} {
		if passErr = f.invokePass(ctx, w, n, p); passErr != nil {
			passErr = fmt.Errorf("pass %d over %d targets: %w", i+1, n, passErr)
			break
		}
	}
	proc, err := f.stop()
	if passErr != nil {
		return run, passErr
	}
	if err != nil {
		return run, err
	}
	run.maxRSS = proc.maxRSS
	return run, nil
}

// invokePass waits for the function's /next, sends one scheduled event and
// measures the pass.
func (f *function) invokePass(ctx context.Context, w *rotateWorld, n int, p *pass) error {
	if _, err := f.firstNext(ctx); err != nil {
		return err
	}
	cpu0, err := f.proc.commandCPU()
	if err != nil {
		return err
	}
	t0, w0, th0, l0 := w.counts()
	g0 := w.logins()
	ictx, cancel := context.WithTimeout(ctx, functionTimeout+30*time.Second)
	defer cancel()
	start := time.Now()
	out, err := f.api.Invoke(ictx, lambdatest.ScheduledEvent(), functionTimeout)
	p.took = time.Since(start)
	if err != nil {
		return err
	}
	if out.Kind != lambdatest.KindResponse || json.Unmarshal(out.Body, &p.sum) != nil {
		return fmt.Errorf("the function posted %s: %s", out.Kind, tail(out.Body, 400))
	}
	// The process posted its response: its CPU since cpu0 is the pass's.
	cpu1, err := f.proc.commandCPU()
	if err != nil {
		return err
	}
	p.cpu = cpu1 - cpu0
	t1, w1, th1, l1 := w.counts()
	p.smCalls, p.smWrites, p.throttled, p.tcrLimit = t1-t0, w1-w0, th1-th0, l1-l0
	p.logins = w.logins() - g0
	return nil
}

// benchRotate measures cold starts (the smallest target count's config)
// and, per target count, a first pass and an idle pass in a fresh process.
func benchRotate(ctx context.Context, o options) (*section, error) {
	most := 0
	for _, n := range o.targets {
		most = max(most, n)
	}
	s := &section{title: fmt.Sprintf("Rotation function (bootstrap for this machine, loopback Runtime API): TCR temporary tokens into emulated Secrets Manager, %v on every TCR API call, CreateInstanceToken limited to %d/s and every documented Secrets Manager quota enforced by the emulators (writes %d/s, CreateSecret 50/s, reads 10,000/s, BatchGetSecretValue 100/s)",
		o.latency, o.ratePerSecond, smWriteQuota)}
	w, err := newRotateWorld(o, most)
	if err != nil {
		return nil, err
	}
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
	s.add(row{fmt.Sprintf("cold start to first /next (%d-target config, %d starts)", o.targets[0], o.coldStarts), ms(median(cold)), ms(p90(cold)), "<= 30 ms", met(median(cold) <= 30*time.Millisecond)})
	s.add(row{"peak RSS at first /next", mb(median(coldRSS)), mb(p90(coldRSS)), "", ""})
	o.figures.set("cold_start_ms", float64(median(cold))/1e6)

	var runs []scaleRun
	failed := 0
	var minted, idle pass
	mintedN := 0
	for i, n := range o.targets {
		r, err := invokeScale(ctx, o, w, n, i)
		if err != nil {
			return nil, err
		}
		runs = append(runs, r)
		failed += r.first.sum.Failed + r.idle.sum.Failed
		bound := r.bound(o)
		x := r.first.took.Seconds() / bound.Seconds()
		s.add(row{fmt.Sprintf("first pass over %d targets (bound %v)", n, bound), ms(r.first.took), "", "", ""})
		s.add(row{fmt.Sprintf("  / bound (%d targets)", n), fmt.Sprintf("%.3fx", x), "", "<= 1.15x", met(x <= 1.15)})
		s.add(row{fmt.Sprintf("  rotated / failed (%d targets)", n), fmt.Sprintf("%d / %d", r.first.sum.Rotated, r.first.sum.Failed), "", "0 failed", met(r.first.sum.Failed == 0 && r.first.sum.Rotated == n)})
		s.add(row{fmt.Sprintf("  Secrets Manager calls per target, first pass (%d)", n), fmt.Sprintf("%.2f (writes %.2f per written secret)", per(r.first.smCalls, n), per(r.first.smWrites, r.first.sum.Rotated)), "", "writes <= 2", met(per(r.first.smWrites, r.first.sum.Rotated) <= 2)})
		s.add(row{fmt.Sprintf("  idle pass over %d targets", n), ms(r.idle.took), "", "", ""})
		s.add(row{fmt.Sprintf("  Secrets Manager calls per idle target (%d)", n), fmt.Sprintf("%.3f", per(r.idle.smCalls, n)), "", "<= 0.06", met(per(r.idle.smCalls, n) <= 0.06)})
		s.add(row{fmt.Sprintf("  CPU per minted / idle target (%d)", n), fmt.Sprintf("%.2f / %.2f ms", perMS(r.first.cpu, n), perMS(r.idle.cpu, n)), "", "<= 1.0 / 0.3 ms", met(perMS(r.first.cpu, n) <= 1.0 && perMS(r.idle.cpu, n) <= 0.3)})
		s.add(row{fmt.Sprintf("  peak RSS (%d targets)", n), mb(r.maxRSS), "", "<= 100 MB", met(r.maxRSS <= 100e6)})
		s.note("%d targets: the emulators refused %d Secrets Manager calls and %d CreateInstanceToken calls over their quotas (retried); idle pass: %d rotated, %d fresh, %d failed; logins the registries (TLS) accepted: %d in the first pass, %d in the idle pass",
			n, r.first.throttled+r.idle.throttled, r.first.tcrLimit+r.idle.tcrLimit, r.idle.sum.Rotated, r.idle.sum.Skipped, r.idle.sum.Failed, r.first.logins, r.idle.logins)
		o.figures.set(fmt.Sprintf("fresh_%d_over_bound", n), x)
		if n == 10000 {
			o.figures.set("rss_mb_10000", float64(r.maxRSS)/1e6)
		}
		minted.cpu += r.first.cpu
		minted.smWrites += r.first.smWrites
		mintedN += r.first.sum.Rotated
		idle.cpu += r.idle.cpu
		idle.smCalls += r.idle.smCalls
	}
	total := 0
	for _, n := range o.targets {
		total += n
	}
	o.figures.set("failed_targets", float64(failed))
	o.figures.set("cpu_ms_per_minted_target", perMS(minted.cpu, mintedN))
	o.figures.set("cpu_ms_per_idle_target", perMS(idle.cpu, total))
	o.figures.set("sm_calls_per_idle_target", per(idle.smCalls, total))
	o.figures.set("sm_calls_per_written_secret", per(minted.smWrites, mintedN))
	if len(runs) >= 2 {
		a, b := runs[0], runs[len(runs)-1]
		perA, perB := a.first.took/time.Duration(a.targets), b.first.took/time.Duration(b.targets)
		growth := float64(perB) / float64(perA)
		s.add(row{fmt.Sprintf("wall time per target, %d -> %d targets", a.targets, b.targets),
			fmt.Sprintf("%v -> %v (%.2fx)", perA.Round(10*time.Microsecond), perB.Round(10*time.Microsecond), growth), "", "linear: <= 1.10x", met(growth <= 1.10)})
		added := float64(b.targets - a.targets)
		s.add(row{fmt.Sprintf("RSS growth per added target %d -> %d", a.targets, b.targets), fmt.Sprintf("%.1f KB", float64(b.maxRSS-a.maxRSS)/added/1e3), "", "", ""})
	}
	// Lambda gives a function CPU in proportion to its memory: one vCPU
	// at 1,769 MB, so the template's 128 MB get about 0.072 of one.
	share := float64(lambdaMemoryMB) / 1769
	if mintedN > 0 {
		cpuPer := minted.cpu / time.Duration(mintedN)
		s.add(row{fmt.Sprintf("  at %d MB (%.3f vCPU): CPU alone for 1000 first-pass targets", lambdaMemoryMB, share),
			fmt.Sprintf("%.1f s (bound 20 s)", (cpuPer*1000).Seconds()/share), "", "", ""})
	}
	s.note("CPU is the bootstrap's user+system time per pass from /proc (10 ms ticks), on this machine's %s cores; the deployed function runs on arm64 (Graviton) with the CPU share above, so that row is an estimate", runtime.GOARCH)
	s.note("Secrets Manager calls per written secret count DescribeSecret, CreateSecret, PutSecretValue and UpdateSecretVersionStage; the reads (one batch read per 20 targets and the read right before each write) are in the calls per target")
	return s, nil
}

func per(n, d int) float64 {
	if d == 0 {
		return 0
	}
	return float64(n) / float64(d)
}

func perMS(t time.Duration, n int) float64 {
	if n == 0 {
		return 0
	}
	return float64(t) / 1e6 / float64(n)
}
