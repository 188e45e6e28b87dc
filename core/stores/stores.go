// Package stores is the one list of the secrets stores the rotation writes
// to: each kind's spec (name, destination checks) and how a process opens
// it. The rotation function and the demo parse their config with Kinds and
// give the engine what Open returns. A new store is its package (with a
// Kind function), its emulator and one line in All.
package stores

import (
	"context"
	"log/slog"

	"github.com/regmint/regmint/core/config"
	"github.com/regmint/regmint/core/rotation"
	"github.com/regmint/regmint/core/store/file"
	"github.com/regmint/regmint/core/store/github"
	"github.com/regmint/regmint/core/store/secretsmanager"
)

// Kind is a store kind and how to open it.
type Kind struct {
	config.StoreKind
	// Open opens the kind's stores for p.Config and returns the engine
	// options that hand them over (rotation.WithStore or WithStores).
	Open func(ctx context.Context, p *Process) (rotation.Option, error)
}

// All returns every store kind, the default (secretsmanager) first.
func All() []Kind {
	return append([]Kind{
		{secretsmanager.Kind(), openSecretsManager},
		{file.Kind(), openFile},
		{github.Kind(), openGitHub},
		{secretsmanager.GroupKind(), openSecretsManagerGroup},
	}, kubernetesKinds()...) // kubernetes.go; the Lambda build: kubernetes_lambda.go
}

// Kinds returns the kinds' specs, for config.Parse and config.Loader.
func Kinds() []config.StoreKind {
	all := All()
	out := make([]config.StoreKind, len(all))
	for i, k := range all {
		out[i] = k.StoreKind
	}
	return out
}

// Process is what opening stores takes from the process.
type Process struct {
	// Config is the parsed config whose destinations are opened.
	Config *config.Config
	// Getenv reads the environment (DOCKER_CONFIG, REGMINT_KMS_KEY_ID).
	Getenv func(string) string
	// Logger receives the stores' own log lines.
	Logger *slog.Logger
	// SecretsManager returns the Secrets Manager client, built on first use.
	SecretsManager func() (secretsmanager.API, error)
	// Secrets reads secrets the config names (the GitHub credential).
	Secrets rotation.SecretReader
	// DockerConfig is the docker config.json path given on the command line
	// (resolved to the file); "" means $DOCKER_CONFIG/config.json, else
	// ~/.docker/config.json.
	DockerConfig string
	// InLambda: the home directory is not writable, and /tmp does not
	// outlive the execution environment, so file needs DOCKER_CONFIG.
	InLambda bool
	// GitHub is the base of every GitHub client (no credentials); tests
	// set its BaseURL and HTTP client.
	GitHub github.ClientConfig
	// Kubeconfig is the kubeconfig file of the kubernetes stores; "" means
	// $KUBECONFIG, else the pod's in-cluster configuration.
	Kubeconfig string
}

// Used returns the kinds the config's destinations name, in All's order.
func Used(cfg *config.Config) []Kind {
	names := map[string]bool{}
	for _, t := range cfg.Targets {
		for _, d := range t.Destinations {
			names[d.Store] = true
		}
	}
	var out []Kind
	for _, k := range All() {
		if names[k.Name] {
			out = append(out, k)
		}
	}
	return out
}

// Reads returns every secret id the used kinds read for the config (the
// GitHub credential): what needs a secret reader.
func Reads(cfg *config.Config) []string {
	var out []string
	for _, k := range Used(cfg) {
		if k.Reads != nil {
			out = append(out, k.Reads(cfg)...)
		}
	}
	return out
}

// Open opens the stores of every kind the config's destinations name and
// returns the engine options that hand them over. Its errors are problems
// of configuration or environment, found before any target is touched.
func Open(ctx context.Context, p *Process) ([]rotation.Option, error) {
	var opts []rotation.Option
	for _, k := range Used(p.Config) {
		o, err := k.Open(ctx, p)
		if err != nil {
			return nil, err
		}
		opts = append(opts, o)
	}
	return opts, nil
}
