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
}

// resolveAuth reads the target's auth, and the environment for method env.
// It makes no network call.
func resolveAuth(t core.Target, getenv func(string) string) (cloudAuth, error) {
	a := t.Auth
	ca := cloudAuth{method: a.Method(t.Provider), projectID: a.ProjectID}
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
		ca.idpID, ca.idTokenFile = getenv(EnvIdPID), getenv(EnvIDTokenFile)
		if ca.idpID == "" || ca.idTokenFile == "" {
			return fmt.Errorf("%w: keyless login from the environment needs both %s and %s", ErrNoCredentials, EnvIdPID, EnvIDTokenFile)
		}
		if ca.projectID == "" {
			ca.projectID = getenv(EnvProjectID)
		}
		return nil
	case ak == "" && sk == "":
		return fmt.Errorf("%w: set access keys, an IAM password or keyless OIDC in the target, or the environment variables %s and %s (or %s and %s, or %s and %s for keyless login)",
			ErrNoCredentials, EnvAK, EnvSK, EnvCloudAK, EnvCloudSK, EnvIdPID, EnvIDTokenFile)
	case ak == "":
		return fmt.Errorf("%w: %s is set but %s is not", ErrNoCredentials, secretVar(ca.keySource), ca.keySource)
	case sk == "":
		return fmt.Errorf("%w: %s is set but %s is not", ErrNoCredentials, ca.keySource, secretVar(ca.keySource))
	}
	ca.method = core.AuthEnv
	ca.ak, ca.sk = ak, sk
	if ca.keySource == EnvAK {
		ca.securityToken = getenv(EnvSecurityToken)
	}
	if ca.projectID == "" {
		ca.projectID = getenv(EnvProjectID)
	}
	return nil
}

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
	b, err := os.ReadFile(ca.idTokenFile)
	if err != nil {
		return "", fmt.Errorf("read the web identity token file: %w", err)
	}
	tok := strings.TrimSpace(string(b))
	if tok == "" {
		return "", fmt.Errorf("the web identity token file %s is empty", ca.idTokenFile)
	}
	return tok, nil
}

// String never shows a secret.
func (ca *cloudAuth) String() string { return "swr.cloudAuth{" + string(ca.method) + "}" }
