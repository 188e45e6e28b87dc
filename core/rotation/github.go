package rotation

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/regmint/regmint/core"
	"github.com/regmint/regmint/core/store/github"
)

// GitHubConfig is the config's github block: how github destinations
// authenticate. Give a GitHub App (AppID, InstallationID and
// PrivateKeySecret, preferred) or TokenSecret. The key and the token are
// never in the config: the config names the Secrets Manager secrets that
// hold them (the secret's string is the PEM key, or the token, alone).
type GitHubConfig struct {
	// AppID is the GitHub App's id.
	AppID int64 `json:"app-id,omitempty"`
	// InstallationID is the app's installation id on the account that owns
	// the repositories or organizations written to.
	InstallationID int64 `json:"installation-id,omitempty"`
	// PrivateKeySecret is the id (name or ARN) of the Secrets Manager
	// secret holding the app's private key (PEM).
	PrivateKeySecret string `json:"private-key-secret,omitempty"`
	// TokenSecret is the id of the Secrets Manager secret holding a
	// fine-grained personal access token.
	TokenSecret string `json:"token-secret,omitempty"`
	// BaseURL is the REST API root (GitHub Enterprise Server: its host);
	// default GitHub.com.
	BaseURL string `json:"base-url,omitempty"`
}

// secretID is the Secrets Manager secret the credential is read from.
func (g *GitHubConfig) secretID() string {
	if g.TokenSecret != "" {
		return g.TokenSecret
	}
	return g.PrivateKeySecret
}

const (
	acceptedGitHubAuth  = "github: {app-id: <id>, installation-id: <id>, private-key-secret: <Secrets Manager secret id>} or github: {token-secret: <Secrets Manager secret id>}"
	acceptedGitHubScope = "exactly one of repository: owner/name (with an optional environment) or organization: <login> (with visibility)"
	acceptedGitHubRef   = "letters, digits and _ . / -, not starting with a digit (it is upper-cased into the secrets' name prefix, e.g. TCR)"
	acceptedVisibility  = "all, private, selected"
	acceptedSecretRef   = "the id (name or ARN) of a Secrets Manager secret that holds it; the value itself does not belong in the config"
)

var (
	reLogin = regexp.MustCompile(`^[A-Za-z0-9_.-]+$`)
	// secretLooking matches values that are a key or token themselves.
	secretLooking = regexp.MustCompile(`(?i)-----BEGIN|PRIVATE KEY|^(ghp|gho|ghu|ghs|ghr)_|^github_pat_`)
)

// validateGitHub checks the top-level github block. Its errors never echo
// a value of the block but the numbers.
func (c *Config) validateGitHub(errs *errorList) {
	g := c.GitHub
	if g == nil {
		return
	}
	app := g.AppID != 0 || g.InstallationID != 0 || g.PrivateKeySecret != ""
	switch {
	case app && g.TokenSecret != "":
		errs.add(top, "github", "sets both a GitHub App and token-secret", acceptedGitHubAuth)
	case !app && g.TokenSecret == "":
		errs.add(top, "github", "sets neither a GitHub App nor token-secret", acceptedGitHubAuth)
	case app:
		if g.AppID <= 0 {
			errs.add(top, "github.app-id", "is required with a GitHub App and must be positive", "the app's numeric id (App settings, App ID)")
		}
		if g.InstallationID <= 0 {
			errs.add(top, "github.installation-id", "is required with a GitHub App and must be positive", "the numeric id of the app's installation")
		}
		checkSecretRef(errs, "github.private-key-secret", g.PrivateKeySecret)
	default:
		checkSecretRef(errs, "github.token-secret", g.TokenSecret)
	}
	if g.BaseURL != "" {
		u, err := url.Parse(g.BaseURL)
		switch {
		case err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http"):
			errs.add(top, "github.base-url", "is not an http(s) URL (the value is not shown)", "https://ghe.example.com, or the API root")
		case u.User != nil:
			errs.add(top, "github.base-url", "holds a user name or password (the value is not shown)", "a URL without credentials: they come from the token or app secret")
		}
	}
}

// checkSecretRef checks a field that names a Secrets Manager secret, without
// echoing its value (which might be the secret itself).
func checkSecretRef(errs *errorList, field, v string) {
	switch {
	case v == "":
		errs.add(top, field, "is required", acceptedSecretRef)
	case secretLooking.MatchString(v):
		errs.add(top, field, "holds what looks like a private key or token itself; secrets are refused in the config document (the value is not shown)", acceptedSecretRef)
	case !validSecretID(v):
		errs.add(top, field, "is not a Secrets Manager secret id (the value is not shown)", acceptedSecretID)
	}
}

// gitHubOnlyField returns the key of the first github-only field d sets.
func gitHubOnlyField(d Destination) string {
	switch {
	case d.Repository != "":
		return "repository"
	case d.Environment != "":
		return "environment"
	case d.Organization != "":
		return "organization"
	case d.Visibility != "":
		return "visibility"
	case len(d.SelectedRepositoryIDs) > 0:
		return "selected-repository-ids"
	case d.DockerConfig:
		return "docker-config"
	}
	return ""
}

// validateGitHubDestination checks a github destination (store resolved)
// and reports whether it is sound.
func (c *Config) validateGitHubDestination(errs *errorList, at loc, field string, d Destination) bool {
	n := len(*errs)
	if c.GitHub == nil {
		errs.add(at, field+".store", "github destinations need the top-level github block", acceptedGitHubAuth)
	}
	switch {
	case d.Repository != "" && d.Organization != "":
		errs.add(at, field, "sets both repository and organization", acceptedGitHubScope)
	case d.Repository == "" && d.Organization == "":
		errs.add(at, field, "sets neither repository nor organization", acceptedGitHubScope)
	case d.Organization != "":
		if !reLogin.MatchString(d.Organization) {
			errs.add(at, field+".organization", fmt.Sprintf("%q is not an organization login", d.Organization), "letters, digits and - _ .")
		}
		if d.Environment != "" {
			errs.add(at, field+".environment", "is only used with repository", "repository: owner/name with environment, or organization without")
		}
		switch github.Visibility(d.Visibility) {
		case "":
			errs.add(at, field+".visibility", "is required with organization", acceptedVisibility)
		case github.VisibilityAll, github.VisibilityPrivate, github.VisibilitySelected:
		default:
			errs.add(at, field+".visibility", fmt.Sprintf("%q is not a visibility", d.Visibility), acceptedVisibility)
		}
		selected := github.Visibility(d.Visibility) == github.VisibilitySelected
		switch {
		case selected && len(d.SelectedRepositoryIDs) == 0:
			errs.add(at, field+".selected-repository-ids", "is required with visibility selected", "a list of repository ids (numbers)")
		case !selected && len(d.SelectedRepositoryIDs) > 0 && d.Visibility != "":
			errs.add(at, field+".selected-repository-ids", "is only used with visibility selected", "visibility: selected with the ids, or no ids")
		}
		for k, id := range d.SelectedRepositoryIDs {
			if id <= 0 {
				errs.add(at, field+".selected-repository-ids["+strconv.Itoa(k)+"]", fmt.Sprintf("%d is not a repository id", id), "a positive number")
			}
		}
	default:
		owner, name, ok := strings.Cut(d.Repository, "/")
		if !ok || !reLogin.MatchString(owner) || !reLogin.MatchString(name) {
			errs.add(at, field+".repository", fmt.Sprintf("%q is not owner/name", d.Repository), "owner/name, e.g. octo-org/app")
		}
		if env := d.Environment; env != "" && (strings.TrimSpace(env) != env || strings.ContainsAny(env, "/?#%")) {
			errs.add(at, field+".environment", fmt.Sprintf("%q is not an environment name", env),
				"the name of a deployment environment of the repository, without surrounding spaces and none of / ? # %")
		}
		if d.Visibility != "" {
			errs.add(at, field+".visibility", "is only used with organization", "no visibility for repository secrets")
		}
		if len(d.SelectedRepositoryIDs) > 0 {
			errs.add(at, field+".selected-repository-ids", "is only used with organization and visibility selected", "no ids for repository secrets")
		}
	}
	if len(*errs) > n {
		return false
	}
	// Whatever the checks above let through, the store's own checks decide.
	if _, err := github.New(validationClient(), d.gitHubConfig()); err != nil {
		errs.add(at, field, err.Error(), acceptedGitHubScope)
		return false
	}
	return true
}

// validationClient is a client that makes no request, for github.New's
// checks of a destination.
var validationClient = sync.OnceValue(func() *github.Client {
	c, err := github.NewClient(github.ClientConfig{Token: "config-validation-only"})
	if err != nil {
		panic("rotation: validation client: " + err.Error()) // a constant token: cannot fail
	}
	return c
})

// gitHubConfig returns the github store's configuration of d.
func (d Destination) gitHubConfig() github.Config {
	return github.Config{
		Repository:            d.Repository,
		Environment:           d.Environment,
		Organization:          d.Organization,
		Visibility:            github.Visibility(d.Visibility),
		SelectedRepositoryIDs: d.SelectedRepositoryIDs,
		DockerConfig:          d.DockerConfig,
	}
}

// key identifies what a destination writes, to find two destinations that
// write the same thing. GitHub names (of secrets, repositories and
// organizations) are case-insensitive.
func (d Destination) key() string {
	if d.Store != StoreGitHub {
		return d.Store + "\x00" + d.Ref
	}
	ref := d.Ref
	if p, err := github.Prefix(d.Ref); err == nil {
		ref = p
	}
	return d.Store + "\x00" + strings.ToLower(d.Scope()) + "\x00" + ref
}

// WithGitHub sets the base of the GitHub client the engine builds for each
// run: HTTP client, logger (default: the engine's), clock, sleep, backoff and
// rate-limit wait. A non-empty BaseURL overrides the config's github
// base-url (tests point it at an emulator). Credentials are not given here:
// the engine reads them from the Secrets Manager secret the config names;
// App and Token must be empty.
func WithGitHub(base github.ClientConfig) Option {
	return func(e *Engine) { e.ghBase = base }
}

// needsGitHub reports whether a target writes to a github destination.
func (t *TargetConfig) needsGitHub() bool {
	for _, d := range t.Destinations {
		if d.Store == StoreGitHub {
			return true
		}
	}
	return false
}

// githubRun builds, once per run, the GitHub client from the secret the
// config names, and one github store per destination.
type githubRun struct {
	e    *Engine
	once sync.Once
	cl   *github.Client
	// secrets are the key or token read, redacted from every message.
	secrets []string
	err     error

	mu     sync.Mutex
	stores map[string]*github.Store // by Destination.key
}

func (e *Engine) newGitHubRun() *githubRun {
	return &githubRun{e: e, stores: map[string]*github.Store{}}
}

// client returns the run's client, reading its credential on first use.
func (g *githubRun) client(ctx context.Context) (*github.Client, []string, error) {
	g.once.Do(func() { g.cl, g.secrets, g.err = g.build(ctx) })
	return g.cl, g.secrets, g.err
}

func (g *githubRun) build(ctx context.Context) (*github.Client, []string, error) {
	gc := g.e.cfg.GitHub
	if gc == nil {
		return nil, nil, errors.New("github: the config has no github block")
	}
	id := gc.secretID()
	if g.e.secrets == nil {
		return nil, nil, fmt.Errorf("github credentials secret %s: no Secrets Manager client was given (WithSecrets)", id)
	}
	out, err := g.e.secrets.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(id)})
	if err != nil {
		return nil, nil, fmt.Errorf("github credentials: secretsmanager GetSecretValue %s: %w", id, err)
	}
	if out == nil || out.SecretString == nil || strings.TrimSpace(*out.SecretString) == "" {
		return nil, nil, fmt.Errorf("github credentials secret %s has no string value", id)
	}
	value := *out.SecretString
	secrets := []string{value, strings.TrimSpace(value)}
	cfg := g.e.ghBase
	if cfg.BaseURL == "" {
		cfg.BaseURL = gc.BaseURL
	}
	if cfg.Logger == nil {
		cfg.Logger = g.e.log
	}
	if gc.TokenSecret != "" {
		cfg.Token = github.Secret(strings.TrimSpace(value))
	} else {
		if !strings.Contains(value, "-----BEGIN") {
			return nil, secrets, fmt.Errorf("github credentials secret %s does not hold a PEM private key (the value is not shown)", id)
		}
		cfg.App = &github.App{ID: gc.AppID, InstallationID: gc.InstallationID, PrivateKey: github.Secret(value)}
	}
	c, err := github.NewClient(cfg)
	if err != nil {
		return nil, secrets, fmt.Errorf("github credentials secret %s: %s", id, core.Redact(err.Error(), secrets...))
	}
	return c, secrets, nil
}

// store returns the store d is written to, and the secrets to redact. A
// store given with WithStore(StoreGitHub, ...) serves every github
// destination.
func (g *githubRun) store(ctx context.Context, d Destination) (core.Store, []string, error) {
	if s := g.e.stores[StoreGitHub]; s != nil {
		return s, nil, nil
	}
	c, secrets, err := g.client(ctx)
	if err != nil {
		return nil, secrets, err
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	k := d.key()
	if s := g.stores[k]; s != nil {
		return s, secrets, nil
	}
	s, err := github.New(c, d.gitHubConfig())
	if err != nil {
		return nil, secrets, err
	}
	g.stores[k] = s
	return s, secrets, nil
}

// failingStore is a destination's store that could not be made: every call
// returns why.
type failingStore struct{ err error }

func (f failingStore) Get(context.Context, string) (core.Stored, error) { return core.Stored{}, f.err }
func (f failingStore) Put(context.Context, string, core.Record) error   { return f.err }
