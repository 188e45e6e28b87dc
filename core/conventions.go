package core

import (
	"fmt"
	"strings"
	"time"
)

// Field names of the conventions below, as the Action's inputs and the
// rotation config's keys spell them.
const (
	FieldSite            = "site"
	FieldRoleSessionName = "role-session-name"
	FieldRoleDuration    = "role-duration-seconds"
)

// The sites a Tencent Cloud account belongs to: the China site
// (cloud.tencent.com, API hosts <service>.tencentcloudapi.com) and the
// international site (tencentcloud.com, API hosts
// <service>.intl.tencentcloudapi.com, as Tencent's international SDKs set
// them).
const (
	SiteCN   = "cn"
	SiteIntl = "intl"
)

// Bounds of Tencent STS AssumeRoleWithWebIdentity's DurationSeconds and
// RoleSessionName.
const (
	MinSessionDuration = 15 * time.Minute
	MaxSessionDuration = 12 * time.Hour // 43200 s, STS's maximum
)

// reSessionName is STS's rule for RoleSessionName: 2 to 128 letters,
// digits and =,.@_-.
var reSessionName = NewLazyRegexp(`^[A-Za-z0-9=,.@_-]{2,128}$`)

// The region environment variables the vendors' tools set.
const (
	EnvTencentRegion     = "TENCENTCLOUD_REGION"
	EnvHuaweiRegion      = "HUAWEICLOUD_SDK_REGION"
	EnvHuaweiCloudRegion = "CLOUD_SDK_REGION"
)

// RegionFromEnv returns the region the vendor's own environment variables
// name for provider d (its RegionEnv, in order), normalised, or "". It is
// the default for an empty region input or key.
func RegionFromEnv(d Descriptor, getenv func(string) string) string {
	for _, n := range d.RegionEnv {
		if v := NormalizeName(getenv(n)); v != "" {
			return v
		}
	}
	return ""
}

// CheckRegionFromEnv is RegionFromEnv with the name of the variable read
// and, when its value is not a region id, a FieldError for field saying so
// (and the region returned empty).
func CheckRegionFromEnv(d Descriptor, getenv func(string) string, field string) (string, *FieldError) {
	for _, n := range d.RegionEnv {
		v := NormalizeName(getenv(n))
		if v == "" {
			continue
		}
		if !validRegionID(v) {
			return "", &FieldError{Field: field, Problem: fmt.Sprintf("is not set, and %s holds %q, which is not a region id", n, v),
				Accepted: "a region id such as ap-guangzhou (Tencent) or cn-north-4 (Huawei), in " + field + " or " + n}
		}
		return v, nil
	}
	return "", nil
}

// NormalizeName is how the Action and the rotation config read a value
// that names something from a fixed, lowercase vocabulary (provider,
// region, token type, site): surrounding white space is dropped and letters
// are lowercased, so "TCR" and "ap-guangzhou " are accepted as "tcr" and
// "ap-guangzhou". Anything else wrong with the value is refused by Validate.
func NormalizeName(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// Normalize returns t with its vocabulary fields (NormalizeName) and its
// other non-secret text fields (surrounding white space dropped)
// normalised. Secrets are left exactly as given.
func (t Target) Normalize() Target {
	t.Provider = Provider(NormalizeName(string(t.Provider)))
	t.Region = NormalizeName(t.Region)
	t.TokenType = TokenType(NormalizeName(string(t.TokenType)))
	t.Site = NormalizeName(t.Site)
	for _, p := range []*string{
		&t.InstanceID, &t.Registry, &t.APIEndpoint, &t.IAMEndpoint, &t.STSEndpoint,
		&t.Auth.AccessKeyID, &t.Auth.ProjectID, &t.Auth.IAMUser, &t.Auth.IAMDomain,
		&t.Auth.RoleARN, &t.Auth.OIDCProviderID, &t.Auth.IdPID, &t.Auth.SessionName,
	} {
		*p = strings.TrimSpace(*p)
	}
	return t
}

// validateConventions checks the site and the STS session settings'
// form; which providers use them their descriptors check.
func (t Target) validateConventions() []error {
	var errs []error
	add := func(field, problem, accepted string) {
		errs = append(errs, &FieldError{Field: field, Problem: problem, Accepted: accepted})
	}
	switch t.Site {
	case "", SiteCN, SiteIntl:
	default:
		add(FieldSite, fmt.Sprintf("%q is not a site", t.Site), "cn (Tencent Cloud China, the default) or intl (Tencent Cloud International)")
	}
	if s := t.Auth.SessionName; s != "" && !reSessionName.MatchString(s) {
		add(FieldRoleSessionName, fmt.Sprintf("%q is not a session name", s), "2 to 128 letters, digits and =,.@_-")
	}
	if d := t.Auth.SessionDuration; d != 0 && (d < MinSessionDuration || d > MaxSessionDuration || d%time.Second != 0) {
		add(FieldRoleDuration, fmt.Sprintf("%d seconds is out of range", int64(d/time.Second)), "whole seconds from 900 to 43200 (STS's maximum)")
	}
	return errs
}
