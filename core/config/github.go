package config

import (
	"net/url"

	"github.com/regmint/regmint/core"
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

// SecretID is the Secrets Manager secret the credential is read from.
func (g *GitHubConfig) SecretID() string {
	if g.TokenSecret != "" {
		return g.TokenSecret
	}
	return g.PrivateKeySecret
}

const (
	// AcceptedGitHubAuth says what the github block takes.
	AcceptedGitHubAuth = "github: {app-id: <id>, installation-id: <id>, private-key-secret: <Secrets Manager secret id>} or github: {token-secret: <Secrets Manager secret id>}"
	acceptedSecretRef  = "the id (name or ARN) of a Secrets Manager secret that holds it; the value itself does not belong in the config"
)

// secretLooking matches values that are a key or token themselves.
var secretLooking = core.NewLazyRegexp(`(?i)-----BEGIN|PRIVATE KEY|^(ghp|gho|ghu|ghs|ghr)_|^github_pat_`)

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
		errs.add(top, "github", "sets both a GitHub App and token-secret", AcceptedGitHubAuth)
	case !app && g.TokenSecret == "":
		errs.add(top, "github", "sets neither a GitHub App nor token-secret", AcceptedGitHubAuth)
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
	case !ValidSecretID(v):
		errs.add(top, field, "is not a Secrets Manager secret id (the value is not shown)", acceptedSecretID)
	}
}
