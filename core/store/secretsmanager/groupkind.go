package secretsmanager

import (
	"slices"
	"strconv"
	"strings"

	"github.com/regmint/regmint/core"
	"github.com/regmint/regmint/core/config"
)

// GroupKindName is the store kind of the grouped Secrets Manager
// destination: several targets share one secret whose value is a docker
// config.json (GroupOpener).
const GroupKindName = "secretsmanager-docker-config"

// groupKeys are the destination keys of GroupKindName.
var groupKeys = []string{"secret-name", "delete-stale"}

var reGroupRef = core.NewLazyRegexp(`^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$`)

const (
	acceptedGroupRef    = "letters, digits and - _ . (at most 63), starting and ending with a letter or digit: the key of the target's part in the secret"
	acceptedGroupSecret = "a Secrets Manager secret name (letters, digits and /_+=.@-; under name-prefix) or secret ARN, shared by the targets whose logins it holds"
)

// GroupKind returns the spec of store secretsmanager-docker-config: a
// destination writes the target's login as its part (ref) of the secret
// secret-name (under the config's name-prefix, or an ARN), a docker
// config.json that other targets' destinations naming the same secret
// share. delete-stale removes, on a write, the parts of refs no
// destination writes to that secret any more.
func GroupKind() config.StoreKind {
	return config.StoreKind{
		Name:   GroupKindName,
		Keys:   slices.Clone(groupKeys),
		Check:  checkGroupDestination,
		Key:    func(d config.Destination) string { return d.SecretName + "\x00" + d.Ref },
		Scope:  func(d config.Destination) string { return "secret " + d.SecretName },
		Writes: groupWrites,
		// No writes limit: a Put is not a write call. The store paces
		// its write calls itself, coalescing the parts queued while it
		// waits, with tokens from the engine's writes bucket of store
		// secretsmanager (PaceWrites; core/stores wires it): one budget
		// for the region's write quota.
		Limits: config.StoreLimits{Reads: QuotaReads, BatchReads: QuotaBatchReads},
	}
}

func checkGroupDestination(_ *config.Config, d config.Destination) []*core.FieldError {
	var errs []*core.FieldError
	if !reGroupRef.MatchString(d.Ref) {
		errs = append(errs, &core.FieldError{Field: "ref", Problem: strconv.Quote(d.Ref) + " is not a valid ref for " + GroupKindName, Accepted: acceptedGroupRef})
	}
	switch {
	case d.SecretName == "":
		errs = append(errs, &core.FieldError{Field: "secret-name", Problem: "is required: the secret the target's login is grouped into", Accepted: acceptedGroupSecret})
	case !config.ValidSecretID(d.SecretName) || (!strings.HasPrefix(d.SecretName, "arn:") && strings.Contains(d.SecretName, ":")) ||
		(strings.HasPrefix(d.SecretName, "arn:") && !validARN.MatchString(d.SecretName)):
		errs = append(errs, &core.FieldError{Field: "secret-name", Problem: strconv.Quote(d.SecretName) + " is not a secret name", Accepted: acceptedGroupSecret})
	}
	return errs
}

// groupWrites names the secret a grouped destination writes.
func groupWrites(c *config.Config, d config.Destination) []string {
	if d.SecretName == "" {
		return nil
	}
	if strings.HasPrefix(d.SecretName, "arn:") {
		return []string{d.SecretName}
	}
	return []string{c.NamePrefixOf() + d.SecretName}
}
