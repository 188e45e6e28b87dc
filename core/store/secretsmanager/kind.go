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

// Secrets Manager's documented request quotas per region, none adjustable
// (AWS Secrets Manager User Guide, "AWS Secrets Manager quotas"), the
// store kind's default limits.
const (
	// QuotaWrites is the combined rate of PutSecretValue, UpdateSecret and
	// UpdateSecretVersionStage per second (CreateSecret has a quota of its
	// own of the same size).
	QuotaWrites = 50
	// QuotaReads is the combined rate of GetSecretValue and DescribeSecret.
	QuotaReads = 10000
	// QuotaBatchReads is the rate of BatchGetSecretValue calls.
	QuotaBatchReads = 100
	// BatchSize is the most secrets one BatchGetSecretValue reads.
	BatchSize = 20
)

// Kind returns the Secrets Manager store kind: the ref is a secret name
// (under the config's name-prefix) or a secret ARN.
func Kind() config.StoreKind {
	return config.StoreKind{Name: KindName, Check: checkDestination, Writes: writes, Limits: config.StoreLimits{
		Reads: QuotaReads, BatchReads: QuotaBatchReads, Writes: QuotaWrites,
	}}
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
