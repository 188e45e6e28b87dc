package rotatefn

import (
	"io"
	"os"

	"github.com/regmint/regmint/core/stores"
)

// Environment variables the function reads, besides the AWS SDK's and the
// rotation config's (config.EnvConfig, config.EnvConfigFile,
// config.EnvConfigSSMParameter).
const (
	// envRuntimeAPI is set by Lambda: the Runtime API's host:port.
	envRuntimeAPI = "AWS_LAMBDA_RUNTIME_API"
	// envLambdaLogLevel is Lambda's log level setting (advanced logging
	// controls): TRACE, DEBUG, INFO, WARN, ERROR or FATAL.
	envLambdaLogLevel = "AWS_LAMBDA_LOG_LEVEL"
	// envKMSKeyID is the KMS key that Secrets Manager secrets the function
	// creates are encrypted with; unset: the account's aws/secretsmanager
	// key.
	envKMSKeyID = stores.EnvKMSKeyID
	// envNamePrefix is the secret name prefix the function's IAM policy
	// allows (the template's NamePrefix); when set, the config's
	// name-prefix must equal it.
	envNamePrefix = "REGMINT_NAME_PREFIX"
	// envMetricsNamespace is the namespace the template's alarms watch;
	// when set, the config's metrics-namespace must equal it.
	envMetricsNamespace = "REGMINT_METRICS_NAMESPACE"
	// envTaskRoot is set by Lambda: the directory of the function's
	// package (/var/task), where a relative REGMINT_CONFIG_FILE is read.
	envTaskRoot = "LAMBDA_TASK_ROOT"
)

// process is what the function takes from the process it runs in; tests
// give their own.
type process struct {
	getenv         func(string) string
	stdout, stderr io.Writer
}

func systemProcess() process {
	return process{getenv: os.Getenv, stdout: os.Stdout, stderr: os.Stderr}
}
