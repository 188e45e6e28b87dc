package swr

import (
	"errors"
	"net/http"
	"strings"
)

// The SDK operation names used in errors and hints.
const (
	OpShowInstance                      = "ShowInstance"
	OpCreateInstanceTempCredential      = "CreateInstanceTempCredential"
	OpCreateInstanceLtCredential        = "CreateInstanceLtCredential"
	OpListInstanceLtCredentials         = "ListInstanceLtCredentials"
	OpDeleteInstanceLtCredential        = "DeleteInstanceLtCredential"
	OpCreateSecret                      = "CreateSecret"
	OpKeystoneCreateUserTokenByPassword = "KeystoneCreateUserTokenByPassword"
	OpCreateTokenWithIdToken            = "CreateTokenWithIdToken"
	OpKeystoneListProjects              = "KeystoneListProjects"
)

// Hint returns advice for people about a common error from this package
// (wrong keys or password, missing permission, unknown instance, throttling,
// missing project, unreachable endpoint), or "" when it has none. It never
// repeats a secret: it is built from the error's kind, not its text.
func Hint(err error) string {
	if err == nil {
		return ""
	}
	switch {
	case errors.Is(err, ErrNoCredentials):
		return "give Huawei Cloud credentials: access-key-id and access-key-secret, or iam-user, iam-password and iam-domain, " +
			"or idp-id with an OIDC token for keyless login, or set HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK"
	case errors.Is(err, ErrNoProject):
		return "set project-id (or HUAWEICLOUD_SDK_PROJECT_ID) to the project id of the region, " +
			"found in the console under My Credentials > API Credentials"
	case errors.Is(err, ErrMalformedResponse):
		return "the API answered with a body regmint could not read: check that api-endpoint points at the SWR API of the region"
	}
	var ae *APIError
	if errors.As(err, &ae) {
		return apiHint(ae)
	}
	var te *transportError
	if errors.As(err, &te) {
		return "the SWR or IAM API could not be reached: check the network, HTTPS_PROXY/NO_PROXY, and api-endpoint or iam-endpoint if set"
	}
	return ""
}

func apiHint(ae *APIError) string {
	switch {
	case ae.StatusCode == http.StatusTooManyRequests || ae.Code == "APIGW.0308":
		return "Huawei Cloud throttled the calls; they were retried with backoff until the deadline: try again later or call less often"
	case ae.StatusCode >= 500:
		return "Huawei Cloud answered with a server error, also after retries: try again later"
	case ae.Op == OpKeystoneCreateUserTokenByPassword && (ae.StatusCode == http.StatusUnauthorized || ae.StatusCode == http.StatusBadRequest):
		return "IAM refused the password login: check iam-user, iam-password and iam-domain (the account name, not the user name); " +
			"an IAM user with MFA login protection cannot log in with a password alone"
	case ae.Op == OpCreateTokenWithIdToken:
		return "IAM refused the OIDC token: check idp-id, that the identity provider's client id matches the token's audience, " +
			"its mapping rules, and that the workflow has permissions: id-token: write"
	case ae.StatusCode == http.StatusUnauthorized || strings.HasPrefix(ae.Code, "APIGW.030"):
		return "the API gateway refused the credentials: check the access key id and secret key (or the IAM token), " +
			"and the machine's clock (requests more than 15 minutes off are refused)"
	case ae.StatusCode == http.StatusForbidden:
		return "permission denied: grant the IAM user, group or agency SWR permissions in this region's project " +
			"(e.g. the SWR FullAccess policy, or swr:instance:createTempCredential for Enterprise instances)"
	case ae.StatusCode == http.StatusNotFound && ae.Code == "APIGW.0101":
		return "the API gateway knows no such API: check api-endpoint (the SWR API of the instance's region) and region"
	case ae.StatusCode == http.StatusNotFound && isInstanceOp(ae.Op):
		return "no such SWR Enterprise instance in this region and project: check instance-id, region and project-id"
	}
	return ""
}

func isInstanceOp(op string) bool {
	switch op {
	case OpShowInstance, OpCreateInstanceTempCredential, OpCreateInstanceLtCredential,
		OpListInstanceLtCredentials, OpDeleteInstanceLtCredential:
		return true
	}
	return false
}
