// Command regmint-action is the regmint GitHub Action: it mints a registry
// credential for Tencent Cloud TCR or Huawei Cloud SWR, checks it against the
// registry, masks it and sets it as step outputs. Run as regmint-action-post
// (the action's post-entrypoint) it revokes the long-term token the main
// step created.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/sethvargo/go-githubactions"

	"github.com/regmint/regmint/core"
	"github.com/regmint/regmint/core/providers"
)

// stepTimeout bounds one step, retries included.
const stepTimeout = 3 * time.Minute

func main() {
	if len(os.Args) > 1 {
		os.Exit(commandLine(os.Args[1:], os.Stdout, os.Stderr))
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	ctx, cancel := context.WithTimeout(ctx, stepTimeout)
	a := githubactions.New()
	step := runMain
	if isPost(os.Args[0]) {
		step = runPost
	}
	err := step(ctx, a, providers.New)
	cancel()
	stop()
	if err != nil {
		a.Fatalf("%s", errorMessage(err))
	}
}

// usage is what -h prints: the binary is run by the Actions runner, with
// its inputs in INPUT_* variables and no arguments.
const usage = `regmint-action: the regmint GitHub Action's entrypoint (regmint-action-post: its post step).

The Actions runner starts it with no arguments and the step's inputs in
INPUT_<NAME> variables (see action.yml); it writes GITHUB_OUTPUT,
GITHUB_STATE and GITHUB_STEP_SUMMARY. Use it from a workflow:

  - uses: regmint/regmint@v1
    with: {provider: tcr, region: ap-guangzhou, instance-id: tcr-abcd1234}

Flags: -h (this text), -version.
`

// commandLine answers the flags a person may try (-h, -version); the
// runner never passes arguments. It returns the exit status.
func commandLine(args []string, stdout, stderr io.Writer) int {
	switch args[0] {
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stdout, usage)
		return 0
	case "-version", "--version", "version":
		fmt.Fprintln(stdout, "regmint-action", core.Version())
		return 0
	}
	fmt.Fprintf(stderr, "regmint-action: unexpected arguments %q: the runner starts it with none (-h explains)\n", args)
	return 2
}
