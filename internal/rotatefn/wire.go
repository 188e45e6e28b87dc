package rotatefn

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"

	sm "github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/regmint/regmint/core"
	"github.com/regmint/regmint/core/config"
	"github.com/regmint/regmint/core/providers"
	"github.com/regmint/regmint/core/rotation"
	"github.com/regmint/regmint/core/store/file"
	"github.com/regmint/regmint/core/store/secretsmanager"
	"github.com/regmint/regmint/core/stores"
)

// deps is what building the engine takes: the process, where its output
// goes, and the local run's flags. Tests add options to speed up retries or
// fix the clock.
type deps struct {
	getenv func(string) string
	// logs receives the JSON log lines; nil: none.
	logs     io.Writer
	logLevel slog.Leveler
	// metrics receives the EMF lines; nil: none.
	metrics io.Writer
	// inLambda: file destinations need DOCKER_CONFIG (the home directory is
	// not writable, and /tmp does not outlive the execution environment).
	inLambda bool
	// configPath is -config; dockerConfig is -docker-config.
	configPath   string
	dockerConfig string

	// env adjusts the issuers' environment (tests: fast backoff, a
	// clock-skewing transport).
	env        func(*core.Env)
	engineOpts []rotation.Option
	smOpts     []func(*sm.Options)
}

// rotator is the wired engine and the logger it logs to.
type rotator struct {
	engine *rotation.Engine
	log    *slog.Logger
}

// build loads the config and wires the engine as main runs it: the stores
// of the kinds the config names (core/stores), the Secrets Manager client
// when targets read cloud credentials or the GitHub credential from
// secrets, providers.New for every provider. Every error it returns is a
// problem of configuration or environment, found before any target is
// touched.
func build(ctx context.Context, d deps) (*rotator, error) {
	log := newLogger(d.logs, d.logLevel)
	awsenv := &awsEnv{getenv: d.getenv}
	// A relative REGMINT_CONFIG_FILE is read from the package's directory
	// in Lambda, and from the working directory elsewhere.
	loader := config.Loader{Getenv: d.getenv, Dir: d.getenv(envTaskRoot), Kinds: stores.Kinds()}
	if d.configPath == "" && d.getenv(config.EnvConfigSSMParameter) != "" &&
		d.getenv(config.EnvConfig) == "" && d.getenv(config.EnvConfigFile) == "" {
		client, err := awsenv.ssmClient()
		if err != nil {
			return nil, fmt.Errorf("%s is set, but no SSM client: %w", config.EnvConfigSSMParameter, err)
		}
		loader.Parameters = client
	}
	cfg, err := loader.Load(ctx, d.configPath)
	if err != nil {
		return nil, err
	}
	if err := checkDeployment(cfg, d.getenv); err != nil {
		return nil, err
	}
	opts := []rotation.Option{rotation.WithLogger(log)}
	if d.metrics != nil {
		opts = append(opts, rotation.WithMetrics(d.metrics))
	}
	proc := &stores.Process{Config: cfg, Getenv: d.getenv, Logger: log, InLambda: d.inLambda}
	for _, k := range stores.Used(cfg) {
		if k.Name != file.KindName {
			continue
		}
		// -docker-config is resolved before any target is minted, so that
		// a path the store cannot write fails the run up front.
		if proc.DockerConfig, err = dockerConfigPath(d.dockerConfig); err != nil {
			return nil, fmt.Errorf("targets write to store file: %w", err)
		}
	}
	if needsSecretsManager(cfg) {
		client, err := secretsManagerClient(awsenv, d.smOpts...)
		if err != nil {
			return nil, err
		}
		proc.SecretsManager = func() (secretsmanager.API, error) { return client, nil }
		proc.Secrets = secretsmanager.Reader{API: client}
		opts = append(opts, rotation.WithSecrets(proc.Secrets))
	}
	storeOpts, err := stores.Open(ctx, proc)
	if err != nil {
		return nil, err
	}
	opts = append(opts, storeOpts...)
	// One transport for every issuer the engine makes, for the life of the
	// process: connections to a vendor API are reused from target to target
	// and from run to run, rather than a pool per target leaving an idle
	// connection (and costing a TLS handshake) per target.
	vendor := core.DefaultTransport()
	vendor.MaxIdleConnsPerHost = max(cfg.Concurrency, 2)
	env := core.Env{Getenv: d.getenv, Logger: log, Transport: vendor}
	if d.env != nil {
		d.env(&env)
	}
	factory := func(t core.Target) (core.Issuer, error) { return providers.New(t, env) }
	eng, err := rotation.New(cfg, factory, append(opts, d.engineOpts...)...)
	if err != nil {
		return nil, err
	}
	return &rotator{engine: eng, log: log}, nil
}

// needsSecretsManager says whether the config needs the Secrets Manager
// client: for a secretsmanager destination, for cloud credentials kept in
// secrets, or for a secret a store kind reads (the GitHub credential).
func needsSecretsManager(cfg *config.Config) bool {
	for _, k := range stores.Used(cfg) {
		if k.Name == secretsmanager.KindName {
			return true
		}
	}
	for _, t := range cfg.Targets {
		if cfg.SourceOf(&t).Secret != "" {
			return true
		}
	}
	return len(stores.Reads(cfg)) > 0
}

// secretsManagerClient returns the Secrets Manager client, for the
// environment's region and credentials.
func secretsManagerClient(awsenv *awsEnv, optFns ...func(*sm.Options)) (*sm.Client, error) {
	ac, err := awsenv.config()
	if err != nil {
		return nil, fmt.Errorf("targets use Secrets Manager: %w", err)
	}
	return secretsmanager.NewClient(ac, awsenv.getenv, optFns...)
}

// checkDeployment compares the config with what the deployment was made
// for: a name prefix other than the one IAM allows would fail every write,
// and a namespace other than the alarms' would silence them.
func checkDeployment(cfg *config.Config, getenv func(string) string) error {
	var errs []error
	if want := getenv(envNamePrefix); want != "" && *cfg.NamePrefix != want {
		errs = append(errs, fmt.Errorf("config name-prefix %q differs from %s %q, the prefix the function's IAM policy allows (template parameter NamePrefix): make them equal",
			*cfg.NamePrefix, envNamePrefix, want))
	}
	if want := getenv(envMetricsNamespace); want != "" && cfg.MetricsNamespace != want {
		errs = append(errs, fmt.Errorf("config metrics-namespace %q differs from %s %q, the namespace the alarms watch (template parameter MetricsNamespace): make them equal",
			cfg.MetricsNamespace, envMetricsNamespace, want))
	}
	return errors.Join(errs...)
}
