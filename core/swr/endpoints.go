package swr

import (
	"fmt"
	"strings"

	"github.com/regmint/regmint/core"
)

// Environment variables read through the injected getenv.
const (
	EnvAK            = "HUAWEICLOUD_SDK_AK"
	EnvSK            = "HUAWEICLOUD_SDK_SK"
	EnvSecurityToken = "HUAWEICLOUD_SDK_SECURITY_TOKEN"
	EnvProjectID     = "HUAWEICLOUD_SDK_PROJECT_ID"
	EnvCloudAK       = "CLOUD_SDK_AK"
	EnvCloudSK       = "CLOUD_SDK_SK"
	// EnvIdPID and EnvIDTokenFile select keyless login from the
	// environment, as the SDK's own environment provider reads them.
	EnvIdPID       = "HUAWEICLOUD_SDK_IDP_ID"
	EnvIDTokenFile = "HUAWEICLOUD_SDK_ID_TOKEN_FILE"
	// EnvIAMEndpoint is the SDK's own IAM endpoint override.
	EnvIAMEndpoint = "HUAWEICLOUD_SDK_IAM_ENDPOINT"
)

// RegionEndpointEnv returns the SDK-native variable that overrides a
// service's endpoint in a region: HUAWEICLOUD_SDK_REGION_<SERVICE>_<REGION>,
// upper case, hyphens as underscores (e.g.
// HUAWEICLOUD_SDK_REGION_SWR_CN_NORTH_4). Its value is one endpoint URL or
// several separated by commas.
func RegionEndpointEnv(service, region string) string {
	return "HUAWEICLOUD_SDK_REGION_" + strings.ToUpper(service) + "_" +
		strings.ToUpper(strings.ReplaceAll(region, "-", "_"))
}

// cloudDomain returns the domain of a region's public endpoints, as the
// SDK's region tables list them: myhuaweicloud.eu for eu-west-101,
// myhuaweicloud.com everywhere else. (The SDK's region lookup itself is not
// used: it reads process-wide environment and a profile file into global
// caches.)
func cloudDomain(region string) string {
	if region == "eu-west-101" {
		return "myhuaweicloud.eu"
	}
	return "myhuaweicloud.com"
}

// swrEndpoints returns the SWR API endpoints for t: t.APIEndpoint, else the
// SDK-native env override, else https://swr-api.<region>.<domain>.
func swrEndpoints(t core.Target, getenv func(string) string) ([]string, error) {
	if t.APIEndpoint != "" {
		return []string{strings.TrimSuffix(t.APIEndpoint, "/")}, nil
	}
	name := RegionEndpointEnv("swr", t.Region)
	if v := getenv(name); v != "" {
		return envEndpoints(name, v)
	}
	return []string{"https://swr-api." + t.Region + "." + cloudDomain(t.Region)}, nil
}

// iamEndpoint returns the IAM endpoint for t: t.IAMEndpoint, else
// HUAWEICLOUD_SDK_REGION_IAM_<REGION>, else HUAWEICLOUD_SDK_IAM_ENDPOINT,
// else https://iam.<region>.<domain> as in the SDK's region table.
func iamEndpoint(t core.Target, getenv func(string) string) (string, error) {
	if t.IAMEndpoint != "" {
		return strings.TrimSuffix(t.IAMEndpoint, "/"), nil
	}
	name := RegionEndpointEnv("iam", t.Region)
	if v := getenv(name); v != "" {
		eps, err := envEndpoints(name, v)
		if err != nil {
			return "", err
		}
		return eps[0], nil
	}
	if v := getenv(EnvIAMEndpoint); v != "" {
		if !strings.Contains(v, "://") {
			v = "https://" + v // as the SDK reads it
		}
		eps, err := envEndpoints(EnvIAMEndpoint, v)
		if err != nil {
			return "", err
		}
		return eps[0], nil
	}
	return "https://iam." + t.Region + "." + cloudDomain(t.Region), nil
}

func envEndpoints(name, value string) ([]string, error) {
	var out []string
	for _, ep := range strings.Split(value, ",") {
		ep = strings.TrimSuffix(strings.TrimSpace(ep), "/")
		if err := core.CheckEndpoint(ep); err != nil {
			return nil, fmt.Errorf("environment variable %s: %q %v; accepted: absolute URLs scheme://host[:port], comma-separated", name, ep, err)
		}
		out = append(out, ep)
	}
	return out, nil
}

// SharedRegistry returns the shared-edition registry host of a region:
// swr.<region>.myhuaweicloud.com (.eu for eu-west-101).
func SharedRegistry(region string) string { return "swr." + region + "." + cloudDomain(region) }
