// Command regmint-rotate keeps the registry credentials a config document
// lists fresh in their stores: one rotation pass per run, for a build
// host's cron or a Kubernetes CronJob (`go install
// github.com/regmint/regmint/cmd/regmint-rotate@latest`). It is the same
// program as the Lambda function (functions/rotate), see internal/rotatefn.
package main

import (
	"os"

	"github.com/regmint/regmint/internal/rotatefn"
)

func main() { os.Exit(rotatefn.Main()) }
