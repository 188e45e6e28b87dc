// Command regmint-action is the regmint GitHub Action: it mints a registry
// credential for Tencent Cloud TCR or Huawei Cloud SWR, checks it against the
// registry, masks it and sets it as step outputs. Run as regmint-action-post
// (the action's post-entrypoint) it revokes the long-term token the main
// step created.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/sethvargo/go-githubactions"

	"github.com/regmint/regmint/core/providers"
)

// stepTimeout bounds one step, retries included.
const stepTimeout = 3 * time.Minute

func main() {
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
