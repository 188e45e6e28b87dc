//go:build !lambda.norpc

package rotatefn

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"

	"github.com/regmint/regmint/core/store/secretsmanager"
)

// envAWSProfile names the profile of the shared config files to use.
const envAWSProfile = "AWS_PROFILE"

// localAWSConfig is the AWS config of a local run without access keys in
// its environment: loaded the standard way (config.LoadDefaultConfig), so
// that a build host's profile (AWS_PROFILE, ~/.aws/config and
// credentials), SSO session, web identity, container or EC2 instance role
// work as they do for the AWS CLI. The region is AWS_REGION (or
// AWS_DEFAULT_REGION), else the profile's. Credentials are fetched when
// Secrets Manager or SSM is first called; nothing is asked here but the
// shared files.
func localAWSConfig(ctx context.Context, getenv func(string) string) (aws.Config, error) {
	var opts []func(*awsconfig.LoadOptions) error
	region := getenv(secretsmanager.EnvRegion)
	if region == "" {
		region = getenv(secretsmanager.EnvDefaultRegion)
	}
	if region != "" {
		opts = append(opts, awsconfig.WithRegion(region))
	}
	cfg, err := awsconfig.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		const accepted = "accepted: a profile of the shared config files (~/.aws/config and ~/.aws/credentials, or the files AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE name), or the keys in " +
			secretsmanager.EnvAccessKeyID + " and " + secretsmanager.EnvSecretAccessKey
		if p := getenv(envAWSProfile); p != "" {
			return aws.Config{}, fmt.Errorf("aws config: %s %q: %w; %s", envAWSProfile, p, err, accepted)
		}
		return aws.Config{}, fmt.Errorf("aws config from the shared config files: %w; %s", err, accepted)
	}
	if cfg.Region == "" {
		return aws.Config{}, fmt.Errorf("aws config: %s is not set (the region of the Secrets Manager secrets, e.g. us-east-1), and no AWS profile names a region; accepted: %s, or region in the profile (AWS_PROFILE, ~/.aws/config); the credentials come from %s and %s, or the profile, an SSO session or the instance role",
			secretsmanager.EnvRegion, secretsmanager.EnvRegion, secretsmanager.EnvAccessKeyID, secretsmanager.EnvSecretAccessKey)
	}
	// Checked as the environment's region is: it goes into the endpoint.
	if _, err := secretsmanager.ConfigFromEnv(func(k string) string {
		switch k {
		case secretsmanager.EnvRegion:
			return cfg.Region
		case secretsmanager.EnvAccessKeyID, secretsmanager.EnvSecretAccessKey:
			return "checked"
		}
		return ""
	}); err != nil {
		return aws.Config{}, fmt.Errorf("aws config: the profile's region: %w", err)
	}
	return cfg, nil
}
