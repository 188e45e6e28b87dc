// Package swr mints docker logins for Huawei Cloud SWR (SoftWare Repository
// for Container) through the official huaweicloud-sdk-go-v3.
//
// Two issuers cover the two editions:
//
//   - Enterprise (provider "swr-enterprise"): a temporary credential from
//     CreateInstanceTempCredential, or a long-term one from
//     CreateInstanceLtCredential that Revoke deletes with
//     DeleteInstanceLtCredential. The registry host is the instance's access
//     address (ShowInstance) unless the target names it.
//   - Shared (provider "swr", the shared/basic edition at
//     swr.<region>.myhuaweicloud.com): a temporary login from CreateSecret, or
//     the long-term login derived from a permanent access key pair without any
//     API call (user "<region>@<AK>", password hex HMAC-SHA256(SK, AK)).
//
// Cloud authentication, chosen by the target's core.Auth:
//
//   - access keys: explicit, or from HUAWEICLOUD_SDK_AK, HUAWEICLOUD_SDK_SK,
//     HUAWEICLOUD_SDK_SECURITY_TOKEN and HUAWEICLOUD_SDK_PROJECT_ID, or from
//     CLOUD_SDK_AK and CLOUD_SDK_SK; requests are signed SDK-HMAC-SHA256 by
//     the SDK. A missing project id is looked up with IAM
//     (GET /v3/projects?name=<region>).
//   - IAM password: KeystoneCreateUserTokenByPassword with the user, password
//     and account (domain) name, scoped to the region's project; SWR is then
//     called with the token in X-Auth-Token. The token is cached and reused
//     until shortly before it expires.
//   - keyless OIDC: the web identity token (GitHub's OIDC token), given or
//     read from a file (also from HUAWEICLOUD_SDK_IDP_ID and
//     HUAWEICLOUD_SDK_ID_TOKEN_FILE), is exchanged with IAM
//     CreateTokenWithIdToken (header X-Idp-Id) for a project-scoped IAM
//     token, used as with a password.
//
// Endpoints default to the region's public ones; the target's APIEndpoint
// and IAMEndpoint, or the SDK-native HUAWEICLOUD_SDK_REGION_SWR_<REGION>
// (and _IAM_<REGION>, HUAWEICLOUD_SDK_IAM_ENDPOINT) variables override them.
// Requests go through core.DefaultTransport (unless core.Env sets one), which honours HTTPS_PROXY and
// NO_PROXY (the SDK's own transport does not).
//
// Every call is retried on throttling (HTTP 429), 5xx and transport errors
// with exponential backoff and full jitter inside the context's deadline;
// other 4xx answers are final. Errors name the operation and carry the
// vendor's error code, message and request id, never a secret; Hint turns
// common ones into advice for people.
//
// The package swrtest beside this one is a loopback emulator of SWR and IAM
// that the tests, and the demo, run against.
package swr
