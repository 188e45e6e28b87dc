// Command regmint-kubelet-credential-provider is a kubelet credential
// provider plugin (credentialprovider.kubelet.k8s.io/v1) that mints
// Tencent Cloud TCR and Huawei Cloud SWR pull credentials for the node,
// or, with the pod's service account token, for the pod's own cloud role.
// See docs/kubelet.md.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/regmint/regmint/core/credhelper"
	"github.com/regmint/regmint/core/credhelper/kubelet"
	"github.com/regmint/regmint/internal/buildinfo"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := kubelet.Serve(ctx, credhelper.Process{
		Args: os.Args[1:], Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr,
		Getenv: os.Getenv, Version: buildinfo.Version(),
	})
	stop()
	os.Exit(code)
}
