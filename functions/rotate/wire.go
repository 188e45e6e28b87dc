package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"regexp"
	"strings"

	sm "github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/regmint/regmint/core"
	"github.com/regmint/regmint/core/issuers"
	"github.com/regmint/regmint/core/rotation"
	"github.com/regmint/regmint/core/store/file"
	"github.com/regmint/regmint/core/store/secretsmanager"
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

	issuerOpts []issuers.Option
	engineOpts []rotation.Option
	smOpts     []func(*sm.Options)
}

// rotator is the wired engine and the logger it logs to.
type rotator struct {
	engine *rotation.Engine
	log    *slog.Logger
}

// build loads the config and wires the engine as main runs it: stores for
// the kinds the config names, the Secrets Manager client when targets read
// cloud credentials from secrets, issuers.New for every provider. Every
// error it returns is a problem of configuration or environment, found
// before any target is touched.
func build(ctx context.Context, d deps) (*rotator, error) {
	log := newLogger(d.logs, d.logLevel)
	awsenv := &awsEnv{getenv: d.getenv}
	// A relative REGMINT_CONFIG_FILE is read from the package's directory
	// in Lambda, and from the working directory elsewhere.
	loader := rotation.Loader{Getenv: d.getenv, Dir: d.getenv(envTaskRoot)}
	if d.configPath == "" && d.getenv(rotation.EnvConfigSSMParameter) != "" &&
		d.getenv(rotation.EnvConfig) == "" && d.getenv(rotation.EnvConfigFile) == "" {
		client, err := awsenv.ssmClient()
		if err != nil {
			return nil, fmt.Errorf("%s is set, but no SSM client: %w", rotation.EnvConfigSSMParameter, err)
		}
		loader.SSM = client
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
	kinds := storeKinds(cfg)
	if kinds[rotation.StoreSecretsManager] {
		o, err := secretsManager(cfg, awsenv, d.smOpts...)
		if err != nil {
			return nil, err
		}
		opts = append(opts, o...)
	}
	if kinds[rotation.StoreFile] {
		o, err := fileStore(d)
		if err != nil {
			return nil, err
		}
		opts = append(opts, o)
	}
	// One transport for every issuer the engine makes, for the life of the
	// process: connections to a vendor API are reused from target to target
	// and from run to run, rather than a pool per target leaving an idle
	// connection (and costing a TLS handshake) per target.
	vendor := http.DefaultTransport.(*http.Transport).Clone()
	vendor.MaxIdleConnsPerHost = max(cfg.Concurrency, 2)
	issuerOpts := append([]issuers.Option{issuers.WithGetenv(d.getenv), issuers.WithLogger(log), issuers.WithHTTPTransport(vendor)}, d.issuerOpts...)
	factory := func(t core.Target) (core.Issuer, error) { return issuers.New(t, issuerOpts...) }
	eng, err := rotation.New(cfg, factory, append(opts, d.engineOpts...)...)
	if err != nil {
		return nil, err
	}
	return &rotator{engine: eng, log: log}, nil
}

// storeKinds says which kinds of store the config needs: the destinations'
// kinds, and Secrets Manager when a target's cloud credentials are a secret
// or a target writes to github (whose credential is a secret).
func storeKinds(cfg *rotation.Config) map[string]bool {
	kinds := map[string]bool{}
	for _, t := range cfg.Targets {
		for _, d := range t.Destinations {
			kinds[d.Store] = true
		}
		if c := t.Credentials; c != nil && (c.Secret != "" || c.Source != "" && cfg.CredentialSources[c.Source].Secret != "") {
			kinds[rotation.StoreSecretsManager] = true
		}
	}
	// The GitHub credential (app key or token) is read from Secrets
	// Manager; the engine builds the GitHub client from it each run, at
	// the config's github base-url.
	if kinds[rotation.StoreGitHub] {
		kinds[rotation.StoreSecretsManager] = true
	}
	return kinds
}

// secretsManager returns the Secrets Manager store (under the config's
// name prefix: the engine passes bare target refs) and the client that
// reads cloud credential secrets.
func secretsManager(cfg *rotation.Config, awsenv *awsEnv, optFns ...func(*sm.Options)) ([]rotation.Option, error) {
	ac, err := awsenv.config()
	if err != nil {
		return nil, fmt.Errorf("targets use Secrets Manager: %w", err)
	}
	client, err := secretsmanager.NewClient(ac, awsenv.getenv, optFns...)
	if err != nil {
		return nil, err
	}
	storeOpts := []secretsmanager.Option{secretsmanager.WithPrefix(*cfg.NamePrefix)}
	k := awsenv.getenv(envKMSKeyID)
	if k != "" {
		if strings.TrimSpace(k) != "" && !reKMSKeyID.MatchString(k) {
			return nil, fmt.Errorf("%s %q is not a KMS key id; accepted: %s", envKMSKeyID, k, acceptedKMSKeyID)
		}
		storeOpts = append(storeOpts, secretsmanager.WithKMSKeyID(k))
	}
	store, err := secretsmanager.New(client, storeOpts...)
	if err != nil {
		if k != "" {
			return nil, fmt.Errorf("%s: %w; accepted: %s", envKMSKeyID, err, acceptedKMSKeyID)
		}
		return nil, err
	}
	return []rotation.Option{rotation.WithStore(rotation.StoreSecretsManager, store), rotation.WithSecrets(client)}, nil
}

// reKMSKeyID matches the forms Secrets Manager takes as a KMS key: a key id
// (a UUID, or mrk-... for a multi-Region key), a key ARN, alias/<name>, or
// an alias ARN.
var reKMSKeyID = regexp.MustCompile(`^(arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:(key|alias)/[A-Za-z0-9/_+=,.@-]+|alias/[A-Za-z0-9/_+=,.@-]+|mrk-[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$`)

const acceptedKMSKeyID = "a KMS key id, key ARN (the template's KmsKeyArn), alias/<name> or alias ARN"

// fileStore returns the docker config.json store: -docker-config (a file,
// or a directory holding config.json), else $DOCKER_CONFIG/config.json,
// else ~/.docker/config.json.
func fileStore(d deps) (rotation.Option, error) {
	path, err := dockerConfigPath(d.dockerConfig)
	if err != nil {
		return nil, fmt.Errorf("targets write to store file: %w", err)
	}
	if path == "" {
		if d.inLambda && d.getenv(envDockerConfig) == "" {
			return nil, errors.New("targets write to store file, which in Lambda needs " + envDockerConfig +
				" set to a directory that outlives the invocation (e.g. an EFS mount); use store secretsmanager instead")
		}
		if dir := d.getenv(envDockerConfig); dir != "" {
			if fi, err := os.Stat(dir); err == nil && !fi.IsDir() {
				return nil, fmt.Errorf("targets write to store file: %s %q is not a directory; accepted: the directory of docker's config.json (created if missing)", envDockerConfig, dir)
			}
		}
		p, err := file.DefaultPath(d.getenv)
		if err != nil {
			return nil, fmt.Errorf("targets write to store file: %w; accepted: -docker-config FILE, or %s set to the directory of config.json", err, envDockerConfig)
		}
		path = p
	}
	fs, err := file.New(path)
	if err != nil {
		return nil, err
	}
	return rotation.WithStore(rotation.StoreFile, fs), nil
}

// checkDeployment compares the config with what the deployment was made
// for: a name prefix other than the one IAM allows would fail every write,
// and a namespace other than the alarms' would silence them.
func checkDeployment(cfg *rotation.Config, getenv func(string) string) error {
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
