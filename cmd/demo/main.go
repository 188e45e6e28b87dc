// Command demo runs regmint end to end on this machine against the
// emulated clouds (loopback emulators of Tencent TCR and Huawei SWR that
// verify signatures and serve registries): it mints credentials of every
// kind, checks each against its registry, revokes the long-term ones, runs
// the GitHub Action binary the way the runner does, and prints what a user
// would see, never a password.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
)

func main() {
	var o options
	flag.StringVar(&o.actionBinary, "action", "", "path of the compiled GitHub Action to run as the runner would (make demo builds it)")
	flag.StringVar(&o.helperDir, "helper-dir", "", "directory holding the compiled docker-credential-regmint, to show it serving crane (make demo builds it)")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Stdout, o); err != nil {
		fmt.Fprintln(os.Stderr, "demo failed:", err)
		os.Exit(1)
	}
}
