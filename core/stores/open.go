package stores

import (
	"context"
	"errors"
	"fmt"
	"os"
	"regexp"
	"strings"

	"github.com/regmint/regmint/core/rotation"
	"github.com/regmint/regmint/core/store/file"
	"github.com/regmint/regmint/core/store/github"
	"github.com/regmint/regmint/core/store/secretsmanager"
)

// Environment variables the openers read.
const (
	// EnvKMSKeyID is the KMS key the Secrets Manager store encrypts new
	// secrets with (default: the account's aws/secretsmanager key).
	EnvKMSKeyID = "REGMINT_KMS_KEY_ID"
	// EnvDockerConfig is docker's own: the directory of config.json.
	EnvDockerConfig = "DOCKER_CONFIG"
)

// reKMSKeyID matches the forms Secrets Manager takes as a KMS key: a key id
// (a UUID, or mrk-... for a multi-Region key), a key ARN, alias/<name>, or
// an alias ARN.
var reKMSKeyID = regexp.MustCompile(`^(arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:(key|alias)/[A-Za-z0-9/_+=,.@-]+|alias/[A-Za-z0-9/_+=,.@-]+|mrk-[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$`)

const acceptedKMSKeyID = "a KMS key id, key ARN (the template's KmsKeyArn), alias/<name> or alias ARN"

// openSecretsManager opens the Secrets Manager store, under the config's
// name prefix (the engine passes bare target refs).
func openSecretsManager(_ context.Context, p *Process) (rotation.Option, error) {
	client, storeOpts, err := secretsManagerOptions(p)
	if err != nil {
		return nil, err
	}
	store, err := secretsmanager.New(client, storeOpts...)
	if err != nil {
		return nil, kmsError(p, err)
	}
	return rotation.WithStore(secretsmanager.KindName, store), nil
}

// openSecretsManagerGroup opens the grouped Secrets Manager destinations
// (secretsmanager-docker-config): one opener for the process, so that
// writes to a secret are serialised and coalesced across runs, its write
// calls paced by the engine's writes bucket of store secretsmanager.
func openSecretsManagerGroup(_ context.Context, p *Process) (rotation.Option, error) {
	client, storeOpts, err := secretsManagerOptions(p)
	if err != nil {
		return nil, err
	}
	o, err := secretsmanager.NewGroupOpener(client, p.Config, storeOpts...)
	if err != nil {
		return nil, kmsError(p, err)
	}
	stores := rotation.WithStores(secretsmanager.GroupKindName, func() rotation.DestinationStores { return o.Run() })
	// Its write calls count against the region's one write quota, which
	// the engine's writes bucket of store secretsmanager keeps.
	shared := rotation.WithSharedWrites(secretsmanager.GroupKindName, secretsmanager.KindName)
	return func(e *rotation.Engine) { stores(e); shared(e) }, nil
}

// secretsManagerOptions returns the client and the store options (name
// prefix, KMS key) of the Secrets Manager kinds.
func secretsManagerOptions(p *Process) (secretsmanager.API, []secretsmanager.Option, error) {
	if p.SecretsManager == nil {
		return nil, nil, errors.New("targets use Secrets Manager, but no client was given")
	}
	client, err := p.SecretsManager()
	if err != nil {
		return nil, nil, err
	}
	storeOpts := []secretsmanager.Option{secretsmanager.WithPrefix(*p.Config.NamePrefix)}
	k := p.Getenv(EnvKMSKeyID)
	if k != "" {
		if strings.TrimSpace(k) != "" && !reKMSKeyID.MatchString(k) {
			return nil, nil, fmt.Errorf("%s %q is not a KMS key id; accepted: %s", EnvKMSKeyID, k, acceptedKMSKeyID)
		}
		storeOpts = append(storeOpts, secretsmanager.WithKMSKeyID(k))
	}
	return client, storeOpts, nil
}

// kmsError says which setting a store option error came from.
func kmsError(p *Process, err error) error {
	if k := p.Getenv(EnvKMSKeyID); k != "" {
		return fmt.Errorf("%s: %w; accepted: %s", EnvKMSKeyID, err, acceptedKMSKeyID)
	}
	return err
}

// openFile opens the docker config.json store: the path given, else $DOCKER_CONFIG/config.json, else
// ~/.docker/config.json.
func openFile(_ context.Context, p *Process) (rotation.Option, error) {
	path := p.DockerConfig
	if path == "" {
		if p.InLambda && p.Getenv(EnvDockerConfig) == "" {
			return nil, errors.New("targets write to store file, which in Lambda needs " + EnvDockerConfig +
				" set to a directory that outlives the invocation (e.g. an EFS mount); use store secretsmanager instead")
		}
		if dir := p.Getenv(EnvDockerConfig); dir != "" {
			if fi, err := os.Stat(dir); err == nil && !fi.IsDir() {
				return nil, fmt.Errorf("targets write to store file: %s %q is not a directory; accepted: the directory of docker's config.json (created if missing)", EnvDockerConfig, dir)
			}
		}
		dp, err := file.DefaultPath(p.Getenv)
		if err != nil {
			return nil, fmt.Errorf("targets write to store file: %w; accepted: -docker-config FILE, or %s set to the directory of config.json", err, EnvDockerConfig)
		}
		path = dp
	}
	fs, err := file.New(path)
	if err != nil {
		return nil, err
	}
	return rotation.WithStore(file.KindName, fs), nil
}

// openGitHub opens github destinations: one store per repository,
// environment or organization, through a client built each run from the
// credential secret the config's github block names.
func openGitHub(_ context.Context, p *Process) (rotation.Option, error) {
	if p.Config.GitHub == nil {
		return nil, errors.New("targets write to github destinations, but the config has no github block")
	}
	if p.Secrets == nil {
		return nil, errors.New("github destinations read the GitHub credential from Secrets Manager, but no client was given")
	}
	if p.GitHub.App != nil || p.GitHub.Token != "" {
		return nil, errors.New("the GitHub client base takes no credentials: they are read from the secret the config's github block names")
	}
	base := p.GitHub
	if base.Logger == nil {
		base.Logger = p.Logger
	}
	o := &github.Opener{Auth: p.Config.GitHub, Secrets: p.Secrets, Base: base, Destinations: github.Destinations(p.Config)}
	return rotation.WithStores(github.KindName, func() rotation.DestinationStores { return o.Run() }), nil
}
