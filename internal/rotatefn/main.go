// Package rotatefn is regmint's rotation function, behind two thin mains:
// functions/rotate (the AWS Lambda bootstrap) and cmd/regmint-rotate (the
// command for build hosts, cron and Kubernetes CronJobs). It keeps the
// registry credentials a config document lists fresh in their stores (AWS
// Secrets Manager, or a docker config.json), through the engine in
// core/rotation; this package only wires it to its process.
//
// In AWS Lambda (AWS_LAMBDA_RUNTIME_API is set), built as "bootstrap" for
// provided.al2023 with -tags lambda.norpc, it loads the config, builds the
// stores and the engine once per cold start, then makes one rotation pass
// per scheduled EventBridge event. Each pass logs one JSON line per target
// and CloudWatch EMF metrics to stdout, answers a summary, and returns an
// error naming the failed targets so that Lambda's retries, the on-failure
// destination and the alarms fire. A bad config is reported as an init error
// (/runtime/init/error) and the process exits: the next invocation starts
// it again and reads the config anew. A config changed in SSM takes effect
// at the next cold start (publish or update the function to force one); a
// config file bundled into the package (REGMINT_CONFIG_FILE, read from
// LAMBDA_TASK_ROOT) changes with a new deployment.
//
// Outside Lambda it makes one pass and prints a per-target report (minted,
// fresh or failed, with expiry, never a secret); see usage in local.go. Exit
// status: 0 when every target is fine, 1 when any failed, 2 for a bad config
// or usage.
package rotatefn

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

// Main runs the function in the process it finds itself in, Lambda or
// local, and returns the exit status.
func Main() int {
	p := systemProcess()
	if p.getenv(envRuntimeAPI) != "" {
		return serveLambda(context.Background(), p)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return runLocal(ctx, os.Args[1:], p)
}
