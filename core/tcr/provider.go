package tcr

import (
	"fmt"
	"strings"

	"github.com/regmint/regmint/core"
)

// Name is the provider name of Tencent Cloud TCR Enterprise, as users write
// it.
const Name core.Provider = "tcr"

// Audience is the audience Tencent Cloud STS expects in a web identity
// token: the client id of the CAM OIDC identity provider.
const Audience = "sts.tencentcloudapi.com"

// RateLimit is TCR's documented limit on CreateInstanceToken, in requests
// per second.
const RateLimit = 100

// validInstanceID matches ^tcr-[a-z0-9]{4,32}$, an instance id, written
// out: it runs for every target of a config at the rotation function's
// cold start, and the expression cost a compilation at every program start.
func validInstanceID(s string) bool {
	rest, ok := strings.CutPrefix(s, "tcr-")
	if !ok || len(rest) < 4 || len(rest) > 32 {
		return false
	}
	for i := 0; i < len(rest); i++ {
		if c := rest[i]; !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// Provider returns the descriptor of Tencent Cloud TCR Enterprise.
func Provider() core.Descriptor {
	return core.Descriptor{
		Name:       Name,
		Title:      "Tencent Cloud TCR Enterprise",
		Vendor:     "Tencent Cloud",
		SecretEnv:  []string{EnvSecretKey, EnvSessionToken, EnvSecurityToken, EnvToken},
		RegionEnv:  []string{core.EnvTencentRegion},
		Audience:   Audience,
		OIDCField:  core.FieldRoleARN,
		STSSession: true,
		RateLimit:  RateLimit,
		Auth:       []core.AuthMethod{core.AuthOIDC, core.AuthKeys, core.AuthEnv, core.AuthChain},
		SourceKeys: []string{"access_key_id", "access_key_secret", "security_token"},
		Validate:   validate,
		New: func(t core.Target, env core.Env) (core.Issuer, error) {
			return New(t, env)
		},
		Hint: Hint,
	}
}

// validate checks what TCR uses of a target: its instance id, STS (not
// IAM) endpoint, and keys or keyless OIDC with a CAM role (no IAM
// password, no project id).
func validate(t core.Target) []error {
	var errs []error
	add := func(field, problem, accepted string) {
		errs = append(errs, &core.FieldError{Field: field, Problem: problem, Accepted: accepted})
	}
	switch {
	case t.InstanceID == "":
		add(core.FieldInstanceID, "is required for provider tcr", "a TCR Enterprise instance id such as tcr-abcd1234")
	case !validInstanceID(t.InstanceID):
		add(core.FieldInstanceID, fmt.Sprintf("%q is not a TCR instance id", t.InstanceID), "a TCR Enterprise instance id such as tcr-abcd1234")
	}
	if t.IAMEndpoint != "" {
		add(core.FieldIAMEndpoint, "is only used by the Huawei providers", "empty for provider tcr")
	}
	a := t.Auth
	switch a.Method() {
	case core.AuthOIDC:
		if a.IdPID != "" {
			add(core.FieldIdPID, "is for the Huawei providers", core.FieldRoleARN+" and "+core.FieldOIDCProviderID+" for provider tcr")
		}
		if a.RoleARN == "" {
			add(core.FieldRoleARN, "is required for keyless login to Tencent Cloud (with "+core.FieldOIDCProviderID+")", "a CAM role ARN such as qcs::cam::uin/100000000001:roleName/ci-push")
		} else if !strings.HasPrefix(a.RoleARN, "qcs::cam::") {
			add(core.FieldRoleARN, fmt.Sprintf("%q is not a Tencent CAM role ARN", a.RoleARN), "qcs::cam::uin/<account uin>:roleName/<role>")
		}
		if a.OIDCProviderID == "" {
			add(core.FieldOIDCProviderID, "is required for keyless login to Tencent Cloud (with "+core.FieldRoleARN+")", "the CAM OIDC identity provider name")
		}
	case core.AuthPassword:
		add(core.FieldIAMUser, "IAM password login is only for the Huawei providers ("+core.FieldIAMUser+", "+core.FieldIAMPassword+", "+core.FieldIAMDomain+")",
			"access keys or keyless OIDC ("+core.FieldRoleARN+", "+core.FieldOIDCProviderID+") for provider tcr")
	}
	if a.ProjectID != "" {
		add(core.FieldProjectID, "is only used by the Huawei providers", "empty for provider tcr")
	}
	if a.SessionDuration != 0 && a.Method() != core.AuthOIDC {
		add(core.FieldRoleDuration, "is only used by keyless login to Tencent Cloud (provider tcr with role-arn)", "empty")
	}
	return errs
}
