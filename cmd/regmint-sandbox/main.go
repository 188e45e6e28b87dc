// Command regmint-sandbox starts every emulated cloud regmint speaks to on
// loopback (Tencent TCR and STS, Huawei SWR and IAM, AWS Secrets Manager,
// each with registries that accept exactly the credentials they mint), writes
// an environment file and a ready rotation config, prints the commands that
// run the rotation function and the GitHub Action against them, and serves
// until interrupted. Nothing leaves the machine; every key is made up at
// start.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/regmint/regmint/core"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("regmint-sandbox", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dir := fs.String("dir", "", "where to write sandbox.env, regmint.yaml and the runner files (default: a new temporary directory)")
	lifetime := fs.Duration("for", 0, "stop after this long (default: until interrupted)")
	version := fs.Bool("version", false, "print the version and exit")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *version {
		fmt.Fprintln(stdout, "regmint-sandbox", core.Version())
		return 0
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "regmint-sandbox: unexpected arguments %q\n", fs.Args())
		return 2
	}
	if *dir == "" {
		d, err := os.MkdirTemp("", "regmint-sandbox-")
		if err != nil {
			fmt.Fprintf(stderr, "regmint-sandbox: %v\n", err)
			return 1
		}
		*dir = d
	}
	sb, err := start(*dir)
	if err != nil {
		fmt.Fprintf(stderr, "regmint-sandbox: %v\n", err)
		return 1
	}
	defer sb.close()
	sb.describe(stdout)
	if *lifetime > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, *lifetime)
		defer cancel()
	}
	<-ctx.Done()
	fmt.Fprintln(stdout, "regmint-sandbox: stopped")
	return 0
}

// waitFor is how long the demo and tests wait for the sandbox to come up.
const waitFor = 30 * time.Second
