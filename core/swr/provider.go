package swr

import (
	"fmt"

	"github.com/regmint/regmint/core"
)

// The provider names of the two SWR editions, as users write them.
const (
	// SharedName is Huawei Cloud SWR shared edition.
	SharedName core.Provider = "swr"
	// EnterpriseName is Huawei Cloud SWR Enterprise edition.
	EnterpriseName core.Provider = "swr-enterprise"
)

// RateLimit is the vendor API calls per second the rotation allows by
// default: Huawei documents no per-API figure regmint relies on, so it is
// a cautious 20/s, raised with the config's rate-limits.
const RateLimit = 20

var reProject = core.NewLazyRegexp(`^[A-Za-z0-9][A-Za-z0-9-]{0,63}$`)

// validInstanceID matches ^[A-Za-z0-9][A-Za-z0-9-]{0,63}$ (as reProject),
// an instance id, written out: it runs for every target of a config at
// the rotation function's cold start.
func validInstanceID(s string) bool {
	if s == "" || len(s) > 64 || s[0] == '-' {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// SharedProvider returns the descriptor of Huawei Cloud SWR shared edition.
func SharedProvider() core.Descriptor {
	d := descriptor(SharedName, "Huawei Cloud SWR (shared edition)")
	d.New = func(t core.Target, env core.Env) (core.Issuer, error) { return NewShared(t, env) }
	d.RegionRegistry, d.RegionOfHost = SharedRegistry, RegionOfSharedRegistry
	return d
}

// EnterpriseProvider returns the descriptor of Huawei Cloud SWR Enterprise edition.
func EnterpriseProvider() core.Descriptor {
	d := descriptor(EnterpriseName, "Huawei Cloud SWR Enterprise")
	d.New = func(t core.Target, env core.Env) (core.Issuer, error) { return NewEnterprise(t, env) }
	return d
}

func descriptor(name core.Provider, title string) core.Descriptor {
	return core.Descriptor{
		Name:      name,
		Title:     title,
		Vendor:    "Huawei Cloud",
		SecretEnv: []string{EnvSK, EnvSecurityToken, EnvCloudSK},
		OIDCField: core.FieldIdPID,
		RegionEnv: []string{core.EnvHuaweiRegion, core.EnvHuaweiCloudRegion},
		RateLimit: RateLimit,
		Auth:      []core.AuthMethod{core.AuthOIDC, core.AuthPassword, core.AuthKeys, core.AuthEnv, core.AuthChain},
		SourceKeys: []string{"access_key_id", "access_key_secret", "security_token", "project_id",
			"iam_user", "iam_password", "iam_domain"},
		Validate: validate,
		Hint:     Hint,
	}
}

// validate checks what the SWR editions use of a target: an instance id
// (Enterprise) or none (shared edition), the IAM (not STS) endpoint, and
// keyless OIDC through an IAM identity provider.
func validate(t core.Target) []error {
	var errs []error
	add := func(field, problem, accepted string) {
		errs = append(errs, &core.FieldError{Field: field, Problem: problem, Accepted: accepted})
	}
	switch t.Provider {
	case EnterpriseName:
		switch {
		case t.InstanceID == "":
			add(core.FieldInstanceID, "is required for provider swr-enterprise", "the SWR Enterprise instance id (letters, digits and hyphens)")
		case !validInstanceID(t.InstanceID):
			add(core.FieldInstanceID, fmt.Sprintf("%q is not an SWR Enterprise instance id", t.InstanceID), "letters, digits and hyphens, at most 64")
		}
	case SharedName:
		if t.InstanceID != "" {
			add(core.FieldInstanceID, "is not used by provider swr (the shared edition has no instances)", "empty, or provider swr-enterprise")
		}
	}
	if t.STSEndpoint != "" {
		add(core.FieldSTSEndpoint, "is only used by provider tcr", "empty for the Huawei providers")
	}
	a := t.Auth
	if a.Method() == core.AuthOIDC {
		if a.RoleARN != "" {
			add(core.FieldRoleARN, "is only for provider tcr", core.FieldIdPID+" for keyless login to the Huawei providers")
		}
		if a.OIDCProviderID != "" {
			add(core.FieldOIDCProviderID, "is only for provider tcr", core.FieldIdPID+" for keyless login to the Huawei providers")
		}
		if a.IdPID == "" {
			add(core.FieldIdPID, "is required for keyless login to Huawei Cloud", "the IAM identity provider id")
		}
	}
	if t.Site == core.SiteIntl {
		add(core.FieldSite, "intl is only for provider tcr (Tencent Cloud's international site)",
			"cn or empty for the Huawei providers: their API hosts follow the region (e.g. ap-southeast-1, eu-west-101)")
	}
	if a.SessionDuration != 0 {
		add(core.FieldRoleDuration, "is only used by keyless login to Tencent Cloud (provider tcr with role-arn)", "empty")
	}
	if a.ProjectID != "" && !reProject.MatchString(a.ProjectID) {
		add(core.FieldProjectID, fmt.Sprintf("%q is not a project id", a.ProjectID), "the region's project id (letters and digits)")
	}
	return errs
}
