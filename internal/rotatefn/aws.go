package rotatefn

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/regmint/regmint/core/config/ssmget"

	"github.com/regmint/regmint/core/store/secretsmanager"
)

// Endpoint overrides for SSM, as the AWS SDKs and CLI name them.
const (
	envSSMEndpoint     = "AWS_ENDPOINT_URL_SSM"
	envEndpointAll     = "AWS_ENDPOINT_URL"
	envIgnoreEndpoints = "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"
)

// awsEnv builds the AWS config from the environment once, when a part of
// the function first needs it: a local run that writes only a docker config
// needs no AWS settings at all.
type awsEnv struct {
	getenv func(string) string
	once   sync.Once
	cfg    aws.Config
	err    error
}

// config returns the region and credentials Lambda puts in the
// environment (secretsmanager.ConfigFromEnv); and so for a local run with
// access keys in its environment. A local run without them loads the AWS
// config the standard way (localAWSConfig): profiles, SSO, instance roles.
func (a *awsEnv) config() (aws.Config, error) {
	a.once.Do(func() {
		if a.getenv(envRuntimeAPI) != "" || a.getenv(secretsmanager.EnvAccessKeyID) != "" ||
			a.getenv(secretsmanager.EnvSecretAccessKey) != "" || a.getenv(secretsmanager.EnvSessionToken) != "" {
			a.cfg, a.err = secretsmanager.ConfigFromEnv(a.getenv)
			return
		}
		a.cfg, a.err = localAWSConfig(context.Background(), a.getenv)
	})
	return a.cfg, a.err
}

// ssmClient returns an SSM client built as the Secrets Manager one is: the
// environment's region and credentials, the endpoint from
// AWS_ENDPOINT_URL_SSM (else AWS_ENDPOINT_URL), and no SDK logging, which
// could print the parameter's value.
//
// The client is ssmget's one signed GetParameter, not the SDK's SSM
// package, whose schemas of every SSM operation cost 0.66 MB of the
// bootstrap and their construction at each cold start.
func (a *awsEnv) ssmClient() (*ssmget.Client, error) {
	cfg, err := a.config()
	if err != nil {
		return nil, err
	}
	ep, err := endpointFromEnv(a.getenv, envSSMEndpoint)
	if err != nil {
		return nil, fmt.Errorf("ssm client: %w", err)
	}
	return &ssmget.Client{Config: cfg, Endpoint: ep}, nil
}

// endpointFromEnv returns the endpoint override for one service: its own
// variable, else AWS_ENDPOINT_URL; neither when
// AWS_IGNORE_CONFIGURED_ENDPOINT_URLS is true. "" means the default.
func endpointFromEnv(getenv func(string) string, serviceVar string) (string, error) {
	if ignore, err := secretsmanager.IgnoreConfiguredEndpoints(getenv); err != nil || ignore {
		return "", err
	}
	name, ep := serviceVar, getenv(serviceVar)
	if ep == "" {
		name, ep = envEndpointAll, getenv(envEndpointAll)
	}
	if ep == "" {
		return "", nil
	}
	u, err := url.Parse(strings.TrimSpace(ep))
	switch {
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
		shown := ""
		if !strings.Contains(ep, "@") { // never echo what may hold a password
			shown = fmt.Sprintf(" %q", ep)
		}
		return "", fmt.Errorf("%s%s is not an http or https URL (e.g. https://ssm.us-east-1.amazonaws.com)", name, shown)
	case u.User != nil:
		return "", fmt.Errorf("%s must not hold a user name or password; accepted: an http or https URL without one (e.g. https://ssm.us-east-1.amazonaws.com)", name)
	}
	return u.String(), nil
}
