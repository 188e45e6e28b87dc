// Command docker-credential-regmint is a docker credential helper that
// mints Tencent Cloud TCR and Huawei Cloud SWR logins on demand: name it in
// a docker config's credHelpers ("myreg.tencentcloudcr.com": "regmint") and
// docker, crane, skopeo and buildkit ask it for the registry's login. See
// docs/credential-helper.md.
package main

import (
	"context"
	"os"
	"os/signal"

	"github.com/regmint/regmint/core/credhelper"
	"github.com/regmint/regmint/internal/buildinfo"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := credhelper.ServeDocker(ctx, credhelper.Process{
		Args: os.Args[1:], Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr,
		Getenv: os.Getenv, Version: buildinfo.Version(),
	})
	stop()
	os.Exit(code)
}
