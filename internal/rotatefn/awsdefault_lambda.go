//go:build lambda.norpc

package rotatefn

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/regmint/regmint/core/store/secretsmanager"
)

// envAWSProfile names the profile of the shared config files, which this
// build does not read.
const envAWSProfile = "AWS_PROFILE"

// localAWSConfig of the Lambda build (-tags lambda.norpc): Lambda gives the
// function its role's keys in the environment, so this build does not link
// the AWS SDK's shared-config loading (profiles, SSO, web identity,
// container and instance roles: 1.7 MB of the bootstrap and its package
// initialisation at every cold start). A run outside Lambda without keys
// in its environment is told to use regmint-rotate, which loads them.
func localAWSConfig(_ context.Context, getenv func(string) string) (aws.Config, error) {
	const accepted = "accepted: the keys in " + secretsmanager.EnvAccessKeyID + " and " + secretsmanager.EnvSecretAccessKey +
		" (and " + secretsmanager.EnvSessionToken + "), as Lambda sets them; for profiles, SSO sessions and instance roles run regmint-rotate (go install ./cmd/regmint-rotate), the same function built with the AWS SDK's config loading"
	if p := getenv(envAWSProfile); p != "" {
		return aws.Config{}, fmt.Errorf("aws config: %s %q: this build (the Lambda bootstrap, -tags lambda.norpc) does not read the shared config files; %s", envAWSProfile, p, accepted)
	}
	return aws.Config{}, fmt.Errorf("aws config: no AWS keys in the environment, and this build (the Lambda bootstrap, -tags lambda.norpc) does not read the shared config files; %s", accepted)
}
