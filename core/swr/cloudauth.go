package swr

import (
	"fmt"
	"os"
	"strings"

	"github.com/regmint/regmint/core"
)

// cloudAuth is the resolved cloud authentication of an issuer. It holds
// secrets: it is never formatted (its String shows none).
type cloudAuth struct {
	method core.AuthMethod
	// keys (method keys or env)
	ak, sk, securityToken string
	keySource             string // "access-key-id", EnvAK or EnvCloudAK
	// projectID is the region's project id if given.
	projectID string
	// password
	user, password, domain string
	// keyless OIDC
	idpID, idToken, idTokenFile string
	// idTokenFileVar names the environment variable idTokenFile came from,
	// for errors; "" when the target gave it.
	idTokenFileVar string
	// chain is set for auth method chain (see walkChain).
	chain *chainState
}

// resolveAuth reads the target's auth, and the environment for method env.
// It makes no network call.
func resolveAuth(t core.Target, getenv func(string) string) (cloudAuth, error) {
	a := t.Auth
	ca := cloudAuth{method: a.Method(), projectID: a.ProjectID}
	switch ca.method {
	case core.AuthKeys:
		ca.ak, ca.sk, ca.securityToken, ca.keySource = a.AccessKeyID, a.AccessKeySecret, a.SecurityToken, core.FieldAccessKeyID
	case core.AuthPassword:
		ca.user, ca.password, ca.domain = a.IAMUser, a.IAMPassword, a.IAMDomain
	case core.AuthOIDC:
		ca.idpID, ca.idToken, ca.idTokenFile = a.IdPID, a.WebIdentityToken, a.WebIdentityTokenFile
		if ca.idToken == "" && ca.idTokenFile == "" {
			return ca, &core.FieldError{Field: core.FieldIdPID, Problem: "keyless login needs the OIDC web identity token",
				Accepted: "the token itself, or the path of a file holding it (e.g. GitHub's OIDC token)"}
		}
	case core.AuthEnv:
		if err := ca.fromEnv(getenv); err != nil {
			return ca, err
		}
	case core.AuthChain:
		ca.chain = &chainState{}
	}
	return ca, nil
}

func (ca *cloudAuth) fromEnv(getenv func(string) string) error {
	ak, sk := getenv(EnvAK), getenv(EnvSK)
	ca.keySource = EnvAK
	if ak == "" && sk == "" {
		ak, sk = getenv(EnvCloudAK), getenv(EnvCloudSK)
		ca.keySource = EnvCloudAK
	}
	switch {
	case ak == "" && sk == "" && (getenv(EnvIdPID) != "" || getenv(EnvIDTokenFile) != ""):
		ca.method, ca.keySource = core.AuthOIDC, ""
		ca.idpID, ca.idTokenFile, ca.idTokenFileVar = getenv(EnvIdPID), getenv(EnvIDTokenFile), EnvIDTokenFile
		if ca.idpID == "" || ca.idTokenFile == "" {
			return fmt.Errorf("%w: keyless login from the environment needs both %s and %s; accepted: %s set to the IAM identity provider id and %s to the path of a file holding the OIDC id token",
				ErrNoCredentials, EnvIdPID, EnvIDTokenFile, EnvIdPID, EnvIDTokenFile)
		}
		return ca.projectFromEnv(getenv)
	case ak == "" && sk == "":
		return fmt.Errorf("%w: none in the target, and none in the environment; accepted: access keys, an IAM password or keyless OIDC in the target, or the environment variables %s and %s (with %s for temporary keys), or %s and %s, or %s and %s for keyless login",
			ErrNoCredentials, EnvAK, EnvSK, EnvSecurityToken, EnvCloudAK, EnvCloudSK, EnvIdPID, EnvIDTokenFile)
	case ak == "":
		return fmt.Errorf("%w: %s is set but %s is not; accepted: both %s and %s", ErrNoCredentials, secretVar(ca.keySource), ca.keySource, ca.keySource, secretVar(ca.keySource))
	case sk == "":
		return fmt.Errorf("%w: %s is set but %s is not; accepted: both %s and %s", ErrNoCredentials, ca.keySource, secretVar(ca.keySource), ca.keySource, secretVar(ca.keySource))
	}
	ca.method = core.AuthEnv
	ca.ak, ca.sk = ak, sk
	if ca.keySource == EnvAK {
		ca.securityToken = getenv(EnvSecurityToken)
	}
	return ca.projectFromEnv(getenv)
}

// projectFromEnv reads the project id from the environment when the target
// gives none, and checks it as the target's project-id is checked: it goes
// into request paths.
func (ca *cloudAuth) projectFromEnv(getenv func(string) string) error {
	if ca.projectID != "" {
		return nil
	}
	id := getenv(EnvProjectID)
	if id != "" && !reProjectID.MatchString(id) {
		return fmt.Errorf("environment variable %s: %q is not a project id; accepted: the region's project id (letters and digits)", EnvProjectID, id)
	}
	ca.projectID = id
	return nil
}

// reProjectID is what core.Target.Validate accepts as a project id.
var reProjectID = core.NewLazyRegexp(`^[A-Za-z0-9][A-Za-z0-9-]{0,63}$`)

// secretVar names the secret key variable that goes with an access key
// variable.
func secretVar(akVar string) string {
	if akVar == EnvAK {
		return EnvSK
	}
	return EnvCloudSK
}

// keys reports whether requests are signed with an access key pair.
func (ca *cloudAuth) keys() bool { return ca.method == core.AuthKeys || ca.method == core.AuthEnv }

// permanentKeys reports whether the access key pair is a permanent one (no
// security token): only those derive a shared-edition long-term login.
func (ca *cloudAuth) permanentKeys() bool { return ca.keys() && ca.securityToken == "" }

// secrets returns the secret values, for redaction.
func (ca *cloudAuth) secrets() []string {
	var out []string
	for _, s := range []string{ca.sk, ca.securityToken, ca.password, ca.idToken} {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

// webIdentityToken returns the OIDC token, read from its file each time (a
// token file may be refreshed while the process runs).
func (ca *cloudAuth) webIdentityToken() (string, error) {
	if ca.idToken != "" {
		return ca.idToken, nil
	}
	what := "the web identity token file"
	if ca.idTokenFileVar != "" {
		what += " (" + ca.idTokenFileVar + ")"
	}
	const accepted = "; accepted: the path of a readable file holding the OIDC id token"
	b, err := os.ReadFile(ca.idTokenFile)
	if err != nil {
		return "", fmt.Errorf("read %s: %w%s", what, err, accepted)
	}
	tok := strings.TrimSpace(string(b))
	if tok == "" {
		return "", fmt.Errorf("%s %s is empty%s", what, ca.idTokenFile, accepted)
	}
	return tok, nil
}

// String never shows a secret.
func (ca *cloudAuth) String() string { return "swr.cloudAuth{" + string(ca.method) + "}" }
