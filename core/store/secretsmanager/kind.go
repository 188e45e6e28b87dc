package secretsmanager

import (
	"strconv"
	"strings"

	"github.com/regmint/regmint/core"
	"github.com/regmint/regmint/core/config"
)

// KindName is the store kind name destinations write for AWS Secrets
// Manager.
const KindName = "secretsmanager"

// Kind returns the Secrets Manager store kind: the ref is a secret name
// (under the config's name-prefix) or a secret ARN.
func Kind() config.StoreKind {
	return config.StoreKind{Name: KindName, Check: checkDestination, Writes: writes}
}

func checkDestination(_ *config.Config, d config.Destination) []*core.FieldError {
	if !config.ValidSecretID(d.Ref) {
		return []*core.FieldError{{Field: "ref", Problem: strconv.Quote(d.Ref) + " is not a secret name",
			Accepted: "a Secrets Manager secret name or ARN (letters, digits and /_+=.@-)"}}
	}
	return nil
}

// writes names the secret a destination writes: the ref under the name
// prefix, or the ARN it is.
func writes(c *config.Config, d config.Destination) []string {
	if strings.HasPrefix(d.Ref, "arn:") {
		return []string{d.Ref}
	}
	return []string{c.NamePrefixOf() + d.Ref}
}
