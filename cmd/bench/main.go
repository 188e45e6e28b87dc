// Command bench measures regmint against the physical floor of what it
// does, on this machine, with the loopback emulators (it talks to
// 127.0.0.1 only):
//
//   - the GitHub Action binary, run as the runner runs it (one TCR
//     CreateInstanceToken, then the registry's Bearer login), against one
//     bare curl process making the same HTTP calls, interleaved: wall time,
//     the ratio, and the action's peak RSS;
//   - the rotation function's bootstrap behind a loopback Lambda Runtime
//     API: its cold start, and one invocation over many TCR targets with
//     injected API latency and TCR's rate limit, against the rate limit's
//     bound, with peak RSS;
//   - docker-credential-regmint's get: cold against the same curl floor,
//     and from its cache;
//   - the sizes of the stripped binaries.
//
// `make bench` builds the binaries and runs it. Figures are wall-clock
// times on a shared machine: compare ratios measured within one run.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"time"
)

// options are the command line.
type options struct {
	action         string // the Action binary for this machine, run
	actionAmd64    string // the Action binary for linux/amd64, sized
	bootstrap      string // the rotation function built for the host, run
	helper         string // docker-credential-regmint for this machine, run
	spawn          string // the spawn helper (cmd/bench/spawn)
	bootstrapArm64 string // the function as deployed (linux/arm64), sized
	// baselineBootstrap is another build of the function whose cold starts
	// section cold alternates with the bootstrap's; "" for none.
	baselineBootstrap string
	curl              string // curl, for the floor; "" finds it in PATH
	runs              int
	coldStarts        int
	targets           []int
	latency           time.Duration
	ratePerSecond     int
	only              map[string]bool
	// figures collects the headline figures (BENCH_JSON).
	figures *figures
}

func main() {
	var o options
	var targets, only string
	flag.StringVar(&o.action, "action", "bin/regmint-action", "the Action binary, stripped, for this machine")
	flag.StringVar(&o.actionAmd64, "action-amd64", "bin/regmint-action", "the Action binary, stripped, for linux/amd64 as the image holds it, for its size")
	flag.StringVar(&o.bootstrap, "bootstrap", "bin/bootstrap-host", "the rotation function's bootstrap built for this machine (-tags lambda.norpc)")
	flag.StringVar(&o.baselineBootstrap, "baseline-bootstrap", "", "with -only cold: another build of the function (e.g. before a change) whose cold starts alternate with -bootstrap's")
	flag.StringVar(&o.bootstrapArm64, "bootstrap-arm64", "bin/bootstrap", "the bootstrap as deployed (make bootstrap: linux/arm64), for its size")
	flag.StringVar(&o.helper, "helper", "bin/docker-credential-regmint", "docker-credential-regmint, stripped, for this machine")
	flag.StringVar(&o.spawn, "spawn", "bin/bench-spawn", "the spawn helper (cmd/bench/spawn) that every measured command runs under")
	flag.StringVar(&o.curl, "curl", "", "curl for the floor (default: curl in PATH)")
	flag.IntVar(&o.runs, "runs", 30, "runs of the Action and of the floor, interleaved")
	flag.IntVar(&o.coldStarts, "cold-starts", 30, "cold starts of the rotation function")
	flag.StringVar(&targets, "targets", "1000,10000", "TCR target counts of the rotation invocations (each: a first pass, then an idle pass, in one process)")
	flag.DurationVar(&o.latency, "latency", 50*time.Millisecond, "latency injected into every TCR API call")
	flag.IntVar(&o.ratePerSecond, "rate", 100, "TCR's CreateInstanceToken limit per second, enforced by the emulator and the function's default")
	flag.StringVar(&only, "only", "action,helper,rotate,sizes", "sections to run; cold: only the rotation function's cold starts, for each -targets count")
	flag.Parse()
	for _, f := range strings.Split(targets, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n <= 0 {
			fmt.Fprintf(os.Stderr, "bench: -targets: %q is not a positive number\n", f)
			os.Exit(2)
		}
		o.targets = append(o.targets, n)
	}
	o.only = map[string]bool{}
	for _, s := range strings.Split(only, ",") {
		o.only[strings.TrimSpace(s)] = true
	}
	if o.runs < 1 || o.coldStarts < 1 {
		fmt.Fprintln(os.Stderr, "bench: -runs and -cold-starts must be at least 1")
		os.Exit(2)
	}
	o.figures = newFigures()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Stdout, o); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
	if path := os.Getenv("BENCH_JSON"); path != "" {
		if err := o.figures.write(path); err != nil {
			fmt.Fprintln(os.Stderr, "bench: BENCH_JSON:", err)
			os.Exit(1)
		}
	}
}
