package tcr

import (
	"context"
	"strings"

	"github.com/regmint/regmint/core"
	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common"
)

// The environment variables env auth reads. The SDK's own
// DefaultEnvProvider reads only the first two, through os.LookupEnv.
const (
	EnvSecretID     = "TENCENTCLOUD_SECRET_ID"
	EnvSecretKey    = "TENCENTCLOUD_SECRET_KEY"
	EnvSessionToken = "TENCENTCLOUD_SESSION_TOKEN"
	// EnvSecurityToken is the name the Terraform provider and the common
	// Tencent OIDC login actions export the session token under, read when
	// EnvSessionToken is unset.
	EnvSecurityToken = "TENCENTCLOUD_SECURITY_TOKEN"
	// EnvToken is the older name of the session token variable, read when
	// EnvSessionToken and EnvSecurityToken are unset.
	EnvToken = "TENCENTCLOUD_TOKEN"
)

// credSource is the cloud credential the TCR client signs with: the SDK
// reads it through common.CredentialIface on every request.
type credSource interface {
	common.CredentialIface
	// ensure makes the credential usable now, fetching it first if needed.
	ensure(ctx context.Context) error
}

// staticCred is a fixed key pair (and optional session token).
type staticCred struct{ *common.Credential }

func (staticCred) ensure(context.Context) error { return nil }

// credentials builds the credential source t.Auth selects. It reads the
// environment for env auth but makes no network call; STS is asked on
// first use.
func credentials(t core.Target, c *core.Env) (credSource, error) {
	a := t.Auth
	switch a.Method() {
	case core.AuthKeys:
		return staticCred{common.NewTokenCredential(a.AccessKeyID, a.AccessKeySecret, a.SecurityToken)}, nil
	case core.AuthOIDC:
		if a.WebIdentityToken == "" && a.WebIdentityTokenFile == "" {
			return nil, &core.FieldError{
				Field:    core.FieldAuth,
				Problem:  "keyless login to Tencent Cloud needs a web identity token (the OIDC id token) or a file holding it",
				Accepted: "the token itself, or the path of a file holding it (in GitHub Actions, with permissions id-token: write)",
			}
		}
		return newSTSCreds(t, c), nil
	case core.AuthEnv:
		return envCredentials(c.Getenv)
	case core.AuthChain:
		return newChainCreds(t, c), nil
	}
	return nil, &core.FieldError{Field: core.FieldAuth, Problem: "this auth method is not available for provider tcr", Accepted: "access keys, keyless OIDC, or the environment"}
}

// envCredentials reads TENCENTCLOUD_SECRET_ID, TENCENTCLOUD_SECRET_KEY and
// the session token from getenv.
func envCredentials(getenv func(string) string) (credSource, error) {
	id, key := getenv(EnvSecretID), getenv(EnvSecretKey)
	var missing []string
	if id == "" {
		missing = append(missing, EnvSecretID)
	}
	if key == "" {
		missing = append(missing, EnvSecretKey)
	}
	if len(missing) > 0 {
		verb := " is"
		if len(missing) > 1 {
			verb = " are"
		}
		return nil, &core.FieldError{
			Field:   core.FieldAuth,
			Problem: "no cloud auth given, and " + strings.Join(missing, " and ") + verb + " not set in the environment",
			Accepted: core.FieldAccessKeyID + " and " + core.FieldAccessSecret + "; keyless " + core.FieldRoleARN + " and " +
				core.FieldOIDCProviderID + "; or " + EnvSecretID + " and " + EnvSecretKey + " (with " + EnvSessionToken +
				" for a temporary key) in the environment",
		}
	}
	var token string
	for _, name := range []string{EnvSessionToken, EnvSecurityToken, EnvToken} {
		if token = getenv(name); token != "" {
			break
		}
	}
	return staticCred{common.NewTokenCredential(id, key, token)}, nil
}
