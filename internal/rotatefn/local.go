package rotatefn

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strings"
	"time"

	"github.com/regmint/regmint/core"
	"github.com/regmint/regmint/core/config"
	"github.com/regmint/regmint/core/rotation"
	"github.com/regmint/regmint/core/stores"
)

// Exit statuses of a local run.
const (
	exitOK       = 0
	exitFailed   = 1 // a target failed
	exitBadSetup = 2 // bad config, flags or environment
)

// name is the program's name in messages: regmint-rotate, whichever main
// runs it.
const name = "regmint-rotate"

const usage = `usage: regmint-rotate [-config FILE] [-docker-config FILE] [-timeout D] [-log-level L]
                      [-report text|json] [-validate | -dry-run] [-version]

Makes one rotation pass over the targets of the config and prints a report
per target (minted, fresh or failed, with expiry; never a secret). The config
is FILE, else the one source the environment names: the document in
$REGMINT_CONFIG, the file named by $REGMINT_CONFIG_FILE (a relative name is
read from $LAMBDA_TASK_ROOT when set, else the working directory), or the
SSM parameter named by $REGMINT_CONFIG_SSM_PARAMETER. Destinations of store
"file" go to the docker config: -docker-config (the file, or a directory
such as /root/.docker for its config.json), else
$DOCKER_CONFIG/config.json, else ~/.docker/config.json. Secrets Manager is
reached with AWS_REGION and
AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY(/AWS_SESSION_TOKEN).

Destinations of store kubernetes reach the cluster of $KUBECONFIG, else the
pod's own (in-cluster); the Lambda build does not link them.

-validate reads and checks the config and the environment, and touches
nothing: no cloud, no store. -dry-run also reads every destination and
prints, per target, "would-mint" with the reason or "fresh": it mints,
writes and revokes nothing.

Exit status: 0 all targets fine, 1 a target failed, 2 bad config or usage.

`

// runLocal makes one pass outside Lambda: for a build host's cron, or to
// try a config.
func runLocal(ctx context.Context, args []string, p process) int {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(p.stderr)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), usage)
		fs.PrintDefaults()
	}
	configPath := fs.String("config", "", "the config document (YAML or JSON)")
	dockerConfig := fs.String("docker-config", "", "the docker config.json that store \"file\" writes, or the directory holding it (as docker --config)")
	timeout := fs.Duration("timeout", 10*time.Minute, "the pass's deadline; targets not done by then are reported failed")
	logLevel := fs.String("log-level", "off", "JSON log lines on stderr: debug, info, warn, error or off")
	reportFormat := fs.String("report", "text", "the report: text (on stdout) or json (one JSON line, the last on stderr after the log lines: for a CronJob's log)")
	validate := fs.Bool("validate", false, "check the config and the environment, touch nothing, and exit")
	dryRun := fs.Bool("dry-run", false, "read the destinations and print what would be minted; mint, write and revoke nothing")
	version := fs.Bool("version", false, "print the version and exit")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitBadSetup
	}
	if *version {
		fmt.Fprintln(p.stdout, name, core.Version())
		return exitOK
	}
	level, err := parseLevel(*logLevel)
	switch {
	case err != nil:
		fmt.Fprintf(p.stderr, name+": -log-level: %v\n", err)
		return exitBadSetup
	case fs.NArg() > 0:
		fmt.Fprintf(p.stderr, name+": unexpected arguments %q\n", fs.Args())
		fs.Usage()
		return exitBadSetup
	case *timeout <= 0:
		fmt.Fprintf(p.stderr, name+": -timeout must be positive\n")
		return exitBadSetup
	case *reportFormat != "text" && *reportFormat != "json":
		fmt.Fprintf(p.stderr, name+": -report %q: accepted: text, json\n", *reportFormat)
		return exitBadSetup
	case *validate && *dryRun:
		fmt.Fprintf(p.stderr, name+": -validate and -dry-run exclude each other\n")
		return exitBadSetup
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	d := deps{getenv: p.getenv, logs: p.stderr, logLevel: level, configPath: *configPath, dockerConfig: *dockerConfig}
	if *dryRun {
		d.engineOpts = append(d.engineOpts, rotation.WithDryRun())
	}
	r, err := build(ctx, d)
	if err != nil {
		fmt.Fprintf(p.stderr, name+": %v\n", err)
		return exitBadSetup
	}
	if *validate {
		cfg := r.engine.Config()
		fmt.Fprintf(p.stdout, "config is valid: %d targets, %d destinations, stores %s\n",
			len(cfg.Targets), countDestinations(cfg), strings.Join(storeNames(cfg), ", "))
		return exitOK
	}
	rep := r.engine.Run(ctx)
	var fe *rotation.FailedError
	failed := errors.As(rep.Err(), &fe)
	if *reportFormat == "json" {
		// The last line of the log: nothing is written after it.
		if err := writeJSONReport(p.stderr, rep); err != nil {
			fmt.Fprintf(p.stderr, name+": write report: %v\n", err)
		}
	} else {
		if err := rep.WriteText(p.stdout); err != nil {
			fmt.Fprintf(p.stderr, name+": write report: %v\n", err)
		}
		if failed {
			fmt.Fprintf(p.stderr, name+": %d of %d targets failed: %s\n", len(fe.Targets), fe.Total, strings.Join(fe.Targets, ", "))
		}
	}
	if failed {
		return exitFailed
	}
	return exitOK
}

// countDestinations counts every target's destinations.
func countDestinations(cfg *config.Config) int {
	n := 0
	for _, t := range cfg.Targets {
		n += len(t.Destinations)
	}
	return n
}

// storeNames lists the store kinds the config writes to.
func storeNames(cfg *config.Config) []string {
	var names []string
	for _, k := range stores.Used(cfg) {
		names = append(names, k.Name)
	}
	return names
}
