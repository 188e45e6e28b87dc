package tcr

import "strings"

// The STS error codes (tencentcloud-sdk-go, sts/v20180813/errors.go) that
// keyless login acts on by name.
const (
	codeGetRoleError     = "InternalError.GetRoleError"
	codeIllegalRole      = "InternalError.IllegalRole"
	codeGetAppIDError    = "InternalError.GetAppIdError"
	codeRoleNotFound     = "ResourceNotFound.RoleNotFound"
	codeWebIdentityToken = "InvalidParameter.WebIdentityTokenError"
	codeSTSParamError    = "InvalidParameter.ParamError"
	codeSTSOverTime      = "InvalidParameter.OverTimeError"
	codeSTSOverLimit     = "InvalidParameter.OverLimit"
)

// stsTransient decides whether an STS error code may succeed when tried
// again, from the codes the SDK's sts/v20180813/errors.go defines (the
// SDK lists InternalError.GetRoleError, InternalError.SystemError,
// InternalError.UnknownError, InvalidParameter.OverLimit,
// InvalidParameter.ParamError, InvalidParameter.WebIdentityTokenError,
// RequestLimitExceeded and UnauthorizedOperation for
// AssumeRoleWithWebIdentity). known is false for a code it does not
// classify: the common rules then apply, except that an unlisted
// InternalError.* is final, so that a wrong role-arn fails at once with
// its code rather than being retried until the deadline.
func stsTransient(code string) (retry, known bool) {
	switch code {
	case "InternalError.DbError", "InternalError.EncryptError", "InternalError.GetSeedTokenError",
		"InternalError.PbSerializeError", "InternalError.SystemError", "InternalError.UnknownError",
		codeSTSOverLimit, codeRequestLimit, codeInternalError:
		// Server-side faults and the frequency limit ("OverLimit" is STS's
		// "exceeded the frequency limit").
		return true, true
	case codeGetRoleError, codeIllegalRole, codeGetAppIDError, codeRoleNotFound, codeUnauthorized,
		codeWebIdentityToken, codeSTSParamError, codeSTSOverTime:
		return false, true
	}
	if strings.HasPrefix(code, codeInternalError+".") || strings.HasPrefix(code, "InvalidParameter") {
		return false, true
	}
	return false, false
}

// stsHint is advice for an STS AssumeRoleWithWebIdentity error code, or "".
func stsHint(code string) string {
	switch code {
	case codeGetRoleError, codeIllegalRole, codeRoleNotFound:
		return "STS could not get the role role-arn names: check role-arn (qcs::cam::uin/<account uin>:roleName/<role name>, the role's name, not its id), that the role exists in that account, and that its trust policy (role carrier) names the OIDC identity provider given as oidc-provider-id. Not retried"
	case codeGetAppIDError:
		return "STS could not find the account role-arn names: check the account uin in role-arn. Not retried"
	case codeWebIdentityToken:
		return "STS refused the OIDC token: in GitHub Actions grant `permissions: id-token: write`; the token's audience (the audience input, default sts.tencentcloudapi.com) must be a client id of the CAM OIDC identity provider oidc-provider-id, and its issuer the provider's URL; check the role's conditions too. Not retried"
	case codeSTSParamError:
		return "STS refused the request's parameters: check oidc-provider-id (the name of the CAM OIDC identity provider, not its URL), role-arn, role-session-name and role-duration-seconds. Not retried"
	case codeSTSOverTime:
		return "role-duration-seconds is longer than the role allows: lower it, or raise the role's maximum session duration in CAM. Not retried"
	case codeUnauthorized:
		return "STS refused to let this identity assume the role: check the role's trust policy and its conditions (e.g. the repository or branch in the token's sub claim). Not retried"
	case codeSTSOverLimit:
		return "STS throttled the requests: retried with backoff until the deadline; run fewer at once or later"
	}
	return ""
}
