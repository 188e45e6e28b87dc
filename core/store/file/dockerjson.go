package file

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
)

// dockerConfig is the part of a docker config.json the store inspects.
type dockerConfig struct {
	Auths             map[string]authEntry `json:"auths"`
	CredentialsStore  string               `json:"credsStore"`
	CredentialHelpers map[string]string    `json:"credHelpers"`
}

type authEntry struct {
	Username string `json:"username"`
	Password string `json:"password"`
	Auth     string `json:"auth"`
}

// parseDockerConfig reads a config's auths and credential helpers. Its
// errors never quote the document.
func parseDockerConfig(b []byte) (dockerConfig, error) {
	var c dockerConfig
	if len(strings.TrimSpace(string(b))) == 0 {
		return c, nil
	}
	if err := json.Unmarshal(b, &c); err != nil {
		return c, fmt.Errorf("not a valid docker config (%s)", jsonProblem(err))
	}
	return c, nil
}

// user returns the login user of an auths entry as docker reads it: from
// the base64 "auth" if set, else "username".
func (e authEntry) user() string {
	if e.Auth == "" {
		return e.Username
	}
	b, err := base64.StdEncoding.DecodeString(e.Auth)
	if err != nil {
		return ""
	}
	u, _, _ := strings.Cut(string(b), ":")
	return u
}

// password returns the login password of an auths entry as docker reads
// it: from the base64 "auth" if set, else "password". It is a secret.
func (e authEntry) password() string {
	if e.Auth == "" {
		return e.Password
	}
	b, err := base64.StdEncoding.DecodeString(e.Auth)
	if err != nil {
		return ""
	}
	_, p, _ := strings.Cut(string(b), ":")
	return p
}

// shadowed explains why docker would not use an "auths" login for
// registry in this config (a credential helper or store takes precedence),
// or returns "".
func (c dockerConfig) shadowed(registry string) string {
	if h := c.CredentialHelpers[registry]; h != "" {
		return fmt.Sprintf("its credHelpers entry sends %s to docker-credential-%s", registry, h)
	}
	if c.CredentialsStore != "" {
		return fmt.Sprintf("its credsStore sends every login to docker-credential-%s", c.CredentialsStore)
	}
	return ""
}
