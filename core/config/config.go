package config

import (
	"time"

	"github.com/regmint/regmint/core"
	"github.com/regmint/regmint/core/decide"
	"github.com/regmint/regmint/core/providers"
)

// Defaults for what a config leaves out.
const (
	// DefaultNamePrefix is the Secrets Manager store's secret name prefix,
	// so that IAM policies can be scoped to it.
	DefaultNamePrefix = "regmint/"
	// DefaultRefreshMargin is how close to expiry a credential is refreshed:
	// a 1-hour token on a 10-minute schedule is always at least 20 minutes
	// from expiry when a consumer reads it.
	DefaultRefreshMargin = 30 * time.Minute
	// DefaultRotateEvery is how often a long-term token is replaced.
	DefaultRotateEvery = 30 * 24 * time.Hour
	// DefaultConcurrency is how many targets run at once.
	DefaultConcurrency = 16
	// DefaultTimeout bounds the work on one target.
	DefaultTimeout = time.Minute
	// DefaultDeadlineMargin is kept free before the invocation's deadline,
	// to report and flush logs.
	DefaultDeadlineMargin = 5 * time.Second
	// DefaultMetricsNamespace is the CloudWatch namespace of the EMF metrics.
	DefaultMetricsNamespace = "regmint"
	// DefaultStore is the store kind of a target that names no destination.
	DefaultStore = "secretsmanager"
)

// DefaultRateLimits are the vendor API calls per second allowed per
// provider: each provider descriptor's RateLimit (TCR documents 100
// requests/s for CreateInstanceToken; Huawei documents no figure regmint
// relies on, so the SWR editions get a cautious 20/s). Config key
// rate-limits overrides them.
func DefaultRateLimits() map[core.Provider]float64 {
	limits := map[core.Provider]float64{}
	for _, d := range providers.All() {
		limits[d.Name] = d.RateLimit
	}
	return limits
}

// Config is the rotation function's configuration document. Parse fills in
// every default, so after a successful Parse each target carries its
// effective settings.
type Config struct {
	// NamePrefix is the Secrets Manager secret name prefix ("regmint/" by
	// default; "" for none): the secretsmanager store puts it before every
	// ref that is not an ARN (wire it with the store's WithPrefix), so that
	// IAM policies can be scoped to it.
	NamePrefix *string `json:"name-prefix,omitempty"`
	// DefaultStore is the store kind of targets that name no destination.
	DefaultStore string `json:"default-store,omitempty"`
	// RefreshMargin and RotateEvery are the defaults for targets.
	RefreshMargin Duration `json:"refresh-margin,omitempty"`
	RotateEvery   Duration `json:"rotate-every,omitempty"`
	// Timeout bounds the work on one target (default for targets).
	Timeout Duration `json:"timeout,omitempty"`
	// Concurrency is how many targets run at once.
	Concurrency int `json:"concurrency,omitempty"`
	// DeadlineMargin is kept free before the invocation's deadline.
	DeadlineMargin Duration `json:"deadline-margin,omitempty"`
	// MetricsNamespace is the CloudWatch namespace of the EMF metrics.
	MetricsNamespace string `json:"metrics-namespace,omitempty"`
	// RateLimits are vendor API calls per second, by provider name.
	RateLimits map[string]float64 `json:"rate-limits,omitempty"`
	// StoreLimits override the request rates of store kinds (LimitsOf).
	StoreLimits map[string]StoreLimits `json:"store-limits,omitempty"`
	// CredentialSources are named cloud credential sources targets share.
	CredentialSources map[string]CredentialSource `json:"credential-sources,omitempty"`
	// GitHub says how github destinations authenticate; required when a
	// target writes to one.
	GitHub *GitHubConfig `json:"github,omitempty"`
	// Targets are the credentials to keep fresh.
	Targets []TargetConfig `json:"targets"`
	// InsecureEndpoints allows plain http endpoints (api-endpoint,
	// iam-endpoint, sts-endpoint, github base-url) to hosts that are not
	// loopback or private addresses.
	InsecureEndpoints bool `json:"insecure-endpoints,omitempty"`
	// RealmHosts are hosts, besides a registry's own, that its Bearer
	// token realm may be on when a credential is verified.
	RealmHosts []string `json:"realm-hosts,omitempty"`

	// kinds are the store kinds Parse was given.
	kinds []StoreKind
}

// TargetConfig is one target in the config document.
type TargetConfig struct {
	// Name identifies the target in logs and reports and forms its default
	// destination ref; unique.
	Name string `json:"name"`
	// Provider, Region, InstanceID, Registry, TokenType, Description and the
	// endpoints are core.Target's fields, with the same meaning and checks.
	Provider    string `json:"provider"`
	Region      string `json:"region"`
	InstanceID  string `json:"instance-id,omitempty"`
	Registry    string `json:"registry,omitempty"`
	TokenType   string `json:"token-type,omitempty"`
	Description string `json:"description,omitempty"`
	APIEndpoint string `json:"api-endpoint,omitempty"`
	IAMEndpoint string `json:"iam-endpoint,omitempty"`
	STSEndpoint string `json:"sts-endpoint,omitempty"`
	// Site is the Tencent Cloud site: cn (default) or intl (core.Target.Site).
	Site string `json:"site,omitempty"`
	// RefreshMargin: a credential closer than this to its expiry is
	// replaced.
	RefreshMargin Duration `json:"refresh-margin,omitempty"`
	// RotateEvery: a long-term token older than this is replaced.
	RotateEvery Duration `json:"rotate-every,omitempty"`
	// Timeout bounds the work on this target.
	Timeout Duration `json:"timeout,omitempty"`
	// Verify checks a new credential against the registry before storing
	// it (default true).
	Verify *bool `json:"verify,omitempty"`
	// RequireVerified refuses to store a credential whose check was
	// inconclusive (registry unreachable); by default such a credential is
	// stored with a warning.
	RequireVerified bool `json:"require-verified,omitempty"`
	// Credentials says where the cloud credentials come from.
	Credentials *Credentials `json:"credentials,omitempty"`
	// Destination and Destinations say where the credential goes (give
	// one of them). Parse moves Destination into Destinations and fills in
	// defaults.
	Destination  *Destination  `json:"destination,omitempty"`
	Destinations []Destination `json:"destinations,omitempty"`

	// insecureEndpoints is the config's insecure-endpoints.
	insecureEndpoints bool `json:"-"`
}

// Credentials says where a target's cloud credentials come from: exactly one
// of Secret, Source or Env.
type Credentials struct {
	// Secret is a Secrets Manager secret id (name or ARN) whose JSON value
	// holds the keys (see SourceKeys).
	Secret string `json:"secret,omitempty"`
	// Source names an entry of the config's credential-sources.
	Source string `json:"source,omitempty"`
	// Env reads the vendor's environment variables (local runs).
	Env bool `json:"env,omitempty"`
	// Chain walks the vendor SDK's default credential chain: the
	// environment, the SDK's profile file, the cluster's pod identity, the
	// instance's role from the metadata service (build hosts and nodes).
	Chain bool `json:"chain,omitempty"`
	// ServiceAccount is keyless login with the pod's Kubernetes service
	// account token, which the kubelet passes to its credential provider
	// (targets documents of the kubelet credential provider only).
	ServiceAccount *ServiceAccount `json:"service-account,omitempty"`
}

// ServiceAccount names what a pod's service account token is exchanged
// at: a Tencent CAM role and OIDC identity provider (STS
// AssumeRoleWithWebIdentity), or a Huawei IAM identity provider (IAM
// id-token exchange).
type ServiceAccount struct {
	RoleARN        string `json:"role-arn,omitempty"`
	OIDCProviderID string `json:"oidc-provider-id,omitempty"`
	IdPID          string `json:"idp-id,omitempty"`
}

// CredentialSource is a shared, named cloud credential source: exactly one
// of Secret or Env.
type CredentialSource struct {
	// Secret is a Secrets Manager secret id (name or ARN).
	Secret string `json:"secret,omitempty"`
	// Env reads the vendor's environment variables.
	Env bool `json:"env,omitempty"`
}

// Destination is where a credential is written.
type Destination struct {
	// Store is the store kind (StoreKinds).
	Store string `json:"store,omitempty"`
	// Ref names the credential in the store; default: the target's name.
	// For secretsmanager it is a secret name under name-prefix, or a secret
	// ARN; for file, the entry's key in the metadata beside the docker
	// config; for github, the prefix of the secrets' names.
	Ref string `json:"ref,omitempty"`

	// The fields below are for store github only. Give Repository ("owner/
	// name", with an optional Environment) or Organization (with
	// Visibility, and SelectedRepositoryIDs for visibility selected).
	Repository            string  `json:"repository,omitempty"`
	Environment           string  `json:"environment,omitempty"`
	Organization          string  `json:"organization,omitempty"`
	Visibility            string  `json:"visibility,omitempty"`
	SelectedRepositoryIDs []int64 `json:"selected-repository-ids,omitempty"`
	// DockerConfig also writes a docker config.json secret
	// (<PREFIX>_DOCKER_CONFIG).
	DockerConfig bool `json:"docker-config,omitempty"`

	// The fields below are for stores kubernetes and tke-image-pull-secret
	// only (core/store/kubernetes/kubespec). Namespaces lists the
	// namespaces a kubernetes destination writes its pull secret to;
	// NamespaceSelector (a label selector) picks them each run instead.
	Namespaces        []string `json:"namespaces,omitempty"`
	NamespaceSelector string   `json:"namespace-selector,omitempty"`
	// SecretName is the Secret (kubernetes) or ImagePullSecret resource
	// (tke-image-pull-secret) written; default: the ref. Targets naming the
	// same Secret share it, one registry each.
	SecretName string `json:"secret-name,omitempty"`
	// ServiceAccounts gain the pull secret in their imagePullSecrets, in
	// every namespace written.
	ServiceAccounts []string `json:"service-accounts,omitempty"`
	// DeleteStale deletes the pull secrets regmint wrote where the config
	// no longer targets them (namespaces left, registries dropped).
	DeleteStale bool `json:"delete-stale,omitempty"`

	// scope is what the store kind's Scope says of it (Parse sets it).
	scope string
}

// String renders the destination as "store:ref", or for github
// "github(scope):ref".
func (d Destination) String() string {
	if sc := d.Scope(); sc != "" {
		return d.Store + "(" + sc + "):" + d.Ref
	}
	return d.Store + ":" + d.Ref
}

// Scope names where d writes beyond its ref ("repository octo/app"), as
// its store kind says; "" for kinds that write nowhere more.
func (d Destination) Scope() string { return d.scope }

// Target returns the core.Target the config describes, without cloud auth
// (that is resolved at run time from the credential source).
func (t TargetConfig) Target() core.Target {
	desc := t.Description
	if desc == "" {
		desc = "regmint rotation " + t.Name
	}
	return core.Target{
		Provider:    core.Provider(t.Provider),
		Region:      t.Region,
		InstanceID:  t.InstanceID,
		Registry:    t.Registry,
		TokenType:   core.TokenType(t.TokenType),
		Description: desc,
		APIEndpoint: t.APIEndpoint,
		IAMEndpoint: t.IAMEndpoint,
		STSEndpoint: t.STSEndpoint,
		Site:        t.Site,

		InsecureEndpoints: t.insecureEndpoints,
	}
}

// Policy returns the refresh policy of the target.
func (t TargetConfig) Policy() decide.Policy {
	return decide.Policy{
		LongTerm:      core.TokenType(t.TokenType) == core.TokenLongTerm,
		RefreshMargin: time.Duration(t.RefreshMargin),
		RotateEvery:   time.Duration(t.RotateEvery),
	}
}

// Verifies reports whether new credentials are checked against the registry.
func (t TargetConfig) Verifies() bool { return t.Verify == nil || *t.Verify }
