package secretsmanager

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"regexp"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	sm "github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/regmint/regmint/core"
)

// Environment variables read by NewClient and ConfigFromEnv, as the AWS
// SDKs and CLI name them.
const (
	EnvEndpoint          = "AWS_ENDPOINT_URL_SECRETS_MANAGER"
	EnvEndpointAll       = "AWS_ENDPOINT_URL"
	EnvIgnoreEndpoints   = "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"
	EnvRegion            = "AWS_REGION"
	EnvDefaultRegion     = "AWS_DEFAULT_REGION"
	EnvAccessKeyID       = "AWS_ACCESS_KEY_ID"
	EnvSecretAccessKey   = "AWS_SECRET_ACCESS_KEY"
	EnvSessionToken      = "AWS_SESSION_TOKEN"
	credentialsSourceEnv = "EnvConfigCredentials"
)

// safeLogModes are the SDK log modes that cannot print a secret. Request
// logs (headers carry X-Amz-Security-Token, bodies carry SecretString),
// response bodies (GetSecretValue returns the value) and signing logs (the
// canonical request holds the session token) are always off.
const safeLogModes = aws.LogRetries | aws.LogResponse | aws.LogDeprecatedUsage

// NewClient returns a Secrets Manager client for cfg, which must name a
// region and credentials. The endpoint is, as the SDK's own config loader
// resolves it: AWS_ENDPOINT_URL_SECRETS_MANAGER, else cfg.BaseEndpoint, else
// AWS_ENDPOINT_URL, else the region's AWS endpoint; the variables are read
// with getenv (os.Getenv if nil) and ignored when
// AWS_IGNORE_CONFIGURED_ENDPOINT_URLS is true. optFns adjust the client
// (e.g. its Retryer); logging that could print a secret stays off whatever
// they set.
//
// The client retries with the SDK's standard retryer: throttling, 5xx and
// transport errors, up to 3 attempts with exponential backoff and jitter,
// every wait ending early when the context ends; without its client-side
// retry quota, which a fleet-sized run would drain ("retry quota
// exceeded"): the rotation paces its calls to the service's quotas.
func NewClient(cfg aws.Config, getenv func(string) string, optFns ...func(*sm.Options)) (*sm.Client, error) {
	if getenv == nil {
		getenv = os.Getenv
	}
	if cfg.Region == "" {
		return nil, fmt.Errorf("secretsmanager client: no AWS region: set %s or aws.Config.Region", EnvRegion)
	}
	if cfg.Credentials == nil {
		return nil, fmt.Errorf("secretsmanager client: no AWS credentials in aws.Config")
	}
	endpoint, err := resolveEndpoint(cfg, getenv)
	if err != nil {
		return nil, fmt.Errorf("secretsmanager client: %w", err)
	}
	fns := make([]func(*sm.Options), 0, len(optFns)+2)
	fns = append(fns, func(o *sm.Options) {
		if endpoint != "" {
			o.BaseEndpoint = aws.String(endpoint)
		}
		// No client-side retry quota: at fleet size a throttled run
		// drained the standard retryer's token bucket and targets failed
		// with "retry quota exceeded". The rotation engine paces the calls
		// to the documented quotas and retries throttling answers itself.
		o.Retryer = retry.NewStandard(func(so *retry.StandardOptions) { so.RateLimiter = ratelimit.None })
	})
	fns = append(fns, optFns...)
	fns = append(fns, func(o *sm.Options) {
		o.ClientLogMode &= safeLogModes
		o.HTTPClient = LimitHTTPClient(o.HTTPClient)
	})
	return sm.NewFromConfig(cfg, fns...), nil
}

// resolveEndpoint returns the endpoint override, or "" for the default.
func resolveEndpoint(cfg aws.Config, getenv func(string) string) (string, error) {
	ignore, err := IgnoreConfiguredEndpoints(getenv)
	if err != nil {
		return "", err
	}
	var name, ep string
	switch {
	case !ignore && getenv(EnvEndpoint) != "":
		name, ep = EnvEndpoint, getenv(EnvEndpoint)
	case cfg.BaseEndpoint != nil:
		name, ep = "aws.Config.BaseEndpoint", *cfg.BaseEndpoint
	case !ignore && getenv(EnvEndpointAll) != "":
		name, ep = EnvEndpointAll, getenv(EnvEndpointAll)
	default:
		return "", nil
	}
	u, err := url.Parse(strings.TrimSpace(ep))
	switch {
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
		shown := ""
		if !strings.Contains(ep, "@") { // never echo something that may hold a password
			shown = fmt.Sprintf(" %q", ep)
		}
		return "", fmt.Errorf("%s%s is not an http or https URL (e.g. https://secretsmanager.us-east-1.amazonaws.com)", name, shown)
	case u.User != nil:
		return "", fmt.Errorf("%s must not hold a user name or password; accepted: an http or https URL without one (e.g. https://secretsmanager.us-east-1.amazonaws.com)", name)
	}
	return u.String(), nil
}

// IgnoreConfiguredEndpoints reads AWS_IGNORE_CONFIGURED_ENDPOINT_URLS as
// the AWS SDKs do: true or false in any case, unset meaning false; any other
// value is an error, not a silent false.
func IgnoreConfiguredEndpoints(getenv func(string) string) (bool, error) {
	switch v := strings.TrimSpace(getenv(EnvIgnoreEndpoints)); {
	case v == "" || strings.EqualFold(v, "false"):
		return false, nil
	case strings.EqualFold(v, "true"):
		return true, nil
	default:
		return false, fmt.Errorf("%s %q is not a boolean; accepted: true, false", EnvIgnoreEndpoints, v)
	}
}

// reRegion matches AWS region ids: us-east-1, us-gov-west-1, cn-northwest-1.
var reRegion = regexp.MustCompile(`^[a-z]{2,4}(-[a-z]+)+-[0-9]+$`)

// ConfigFromEnv returns an aws.Config with the region and static credentials
// that AWS Lambda (and the AWS CLI convention) put in the environment:
// AWS_REGION (or AWS_DEFAULT_REGION), AWS_ACCESS_KEY_ID,
// AWS_SECRET_ACCESS_KEY and, for temporary credentials, AWS_SESSION_TOKEN,
// read with getenv (os.Getenv if nil). The SDK's default HTTP client honours
// HTTPS_PROXY and NO_PROXY. It needs no config or credentials module; use
// the SDK's config.LoadDefaultConfig instead for profiles, SSO or instance
// roles.
func ConfigFromEnv(getenv func(string) string) (aws.Config, error) {
	if getenv == nil {
		getenv = os.Getenv
	}
	region := getenv(EnvRegion)
	if region == "" {
		region = getenv(EnvDefaultRegion)
	}
	id, key, token := getenv(EnvAccessKeyID), getenv(EnvSecretAccessKey), getenv(EnvSessionToken)
	var errs []error
	switch {
	case region == "":
		errs = append(errs, fmt.Errorf("%s is not set (the region of the Secrets Manager secrets, e.g. us-east-1)", EnvRegion))
	case !reRegion.MatchString(region):
		name := EnvRegion
		if getenv(EnvRegion) == "" {
			name = EnvDefaultRegion
		}
		errs = append(errs, fmt.Errorf("%s %q is not an AWS region id; accepted: a region id such as us-east-1 or eu-central-1", name, region))
	}
	const keysHint = "; accepted: the access key pair of a role or user that may use Secrets Manager in " + EnvAccessKeyID + " and " + EnvSecretAccessKey +
		" (with " + EnvSessionToken + " for temporary credentials), which Lambda sets from the function's role"
	if id == "" {
		errs = append(errs, fmt.Errorf("%s is not set%s", EnvAccessKeyID, keysHint))
	}
	if key == "" {
		errs = append(errs, fmt.Errorf("%s is not set%s", EnvSecretAccessKey, keysHint))
	}
	if len(errs) > 0 {
		return aws.Config{}, fmt.Errorf("aws config from environment: %w", errors.Join(errs...))
	}
	creds := aws.Credentials{AccessKeyID: id, SecretAccessKey: key, SessionToken: token, Source: credentialsSourceEnv}
	return aws.Config{
		Region: region,
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return creds, nil
		}),
	}, nil
}

// LimitHTTPClient wraps an AWS SDK HTTP client (the SDK's default if nil)
// so that a response body over core.MaxAPIBody fails the call: the SSM and
// Secrets Manager clients read no more than that.
func LimitHTTPClient(c aws.HTTPClient) aws.HTTPClient {
	if c == nil {
		c = awshttp.NewBuildableClient()
	}
	return core.LimitDoer(c, core.MaxAPIBody)
}
