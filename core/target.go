package core

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
)

// Provider names a registry service regmint can mint credentials for.
type Provider string

// TokenType says how long a credential lives.
type TokenType string

// The token types.
const (
	// TokenTemp is a temporary credential (TCR: 1 h; SWR: hours).
	TokenTemp TokenType = "temp"
	// TokenLongTerm is a long-term credential that must be revoked when
	// replaced (TCR longterm token, SWR Enterprise long-term credential, SWR
	// shared-edition AK/SK-derived login).
	TokenLongTerm TokenType = "longterm"
)

// Field names used in validation errors. They match the GitHub Action's
// input names and the rotation config's keys, so an error points at what the
// user wrote.
const (
	FieldProvider       = "provider"
	FieldRegion         = "region"
	FieldInstanceID     = "instance-id"
	FieldRegistry       = "registry"
	FieldTokenType      = "token-type"
	FieldAPIEndpoint    = "api-endpoint"
	FieldIAMEndpoint    = "iam-endpoint"
	FieldSTSEndpoint    = "sts-endpoint"
	FieldAccessKeyID    = "access-key-id"
	FieldAccessSecret   = "access-key-secret"
	FieldSecurityToken  = "security-token"
	FieldProjectID      = "project-id"
	FieldIAMUser        = "iam-user"
	FieldIAMPassword    = "iam-password"
	FieldIAMDomain      = "iam-domain"
	FieldRoleARN        = "role-arn"
	FieldOIDCProviderID = "oidc-provider-id"
	FieldIdPID          = "idp-id"
	FieldAuth           = "auth"
)

// Target says what to mint: which registry, where, which kind of token and
// how to authenticate to the cloud.
type Target struct {
	Provider Provider
	// Region is the cloud region id, e.g. "ap-guangzhou" or "cn-north-4".
	Region string
	// InstanceID is the TCR or SWR Enterprise instance; unused by the SWR
	// shared edition.
	InstanceID string
	// Registry is the registry host; empty means discover it from the
	// instance (or derive it from the region for the SWR shared edition).
	Registry string
	// TokenType is TokenTemp (the default when empty) or TokenLongTerm.
	TokenType TokenType
	// Description labels a long-term token at the vendor.
	Description string
	// APIEndpoint overrides the registry service API (TCR or SWR) endpoint:
	// scheme://host[:port].
	APIEndpoint string
	// IAMEndpoint overrides the Huawei IAM endpoint.
	IAMEndpoint string
	// STSEndpoint overrides the Tencent STS endpoint used by keyless login.
	STSEndpoint string
	// Site is the Tencent Cloud site of the account: SiteCN (the default,
	// also "") or SiteIntl, whose API hosts are <service>.intl.
	// tencentcloudapi.com. APIEndpoint and STSEndpoint override it.
	Site string
	// Auth says how to authenticate to the cloud.
	Auth Auth
	// InsecureEndpoints allows plain http endpoints to hosts that are not
	// loopback or private addresses (see CheckTransport).
	InsecureEndpoints bool
}

// Type returns the token type, TokenTemp when unset.
func (t Target) Type() TokenType {
	if t.TokenType == "" {
		return TokenTemp
	}
	return t.TokenType
}

// FieldError is a validation error for one field: what was wrong and what
// is accepted. It never holds the value of a secret field.
type FieldError struct {
	Field    string
	Problem  string
	Accepted string
}

func (e *FieldError) Error() string {
	if e.Accepted == "" {
		return e.Field + ": " + e.Problem
	}
	return e.Field + ": " + e.Problem + "; accepted: " + e.Accepted
}

// FieldErrors returns every FieldError in err (which may be joined).
func FieldErrors(err error) []*FieldError {
	var out []*FieldError
	var walk func(error)
	walk = func(e error) {
		if e == nil {
			return
		}
		if fe, ok := e.(*FieldError); ok {
			out = append(out, fe)
			return
		}
		if j, ok := e.(interface{ Unwrap() []error }); ok {
			for _, x := range j.Unwrap() {
				walk(x)
			}
			return
		}
		walk(errors.Unwrap(e))
	}
	walk(err)
	return out
}

// Validate makes the checks every provider shares: a provider is named, the
// region, registry host, token type and endpoint URLs are well-formed, and
// the cloud auth fields are those of one method, complete. It returns all
// problems joined, each a *FieldError naming the field, what was wrong and
// what is accepted, and makes no network call. What a provider uses (its
// instance ids, endpoints and auth methods) its Descriptor.Validate checks;
// core/providers.Validate runs both.
func (t Target) Validate() error {
	var errs []error
	add := func(field, problem, accepted string) {
		errs = append(errs, &FieldError{Field: field, Problem: problem, Accepted: accepted})
	}
	switch {
	case t.Region == "":
		add(FieldRegion, "is required", "a region id such as ap-guangzhou (Tencent) or cn-north-4 (Huawei)")
	case !validRegionID(t.Region):
		add(FieldRegion, fmt.Sprintf("%q is not a region id", t.Region), "a lowercase region id such as ap-guangzhou (Tencent) or cn-north-4 (Huawei)")
	}
	if t.Registry != "" {
		if err := checkHost(t.Registry); err != nil {
			add(FieldRegistry, showValue(t.Registry, err), "a registry host name with an optional port, without scheme or path, e.g. myreg.tencentcloudcr.com")
		}
	}
	switch t.TokenType {
	case "", TokenTemp, TokenLongTerm:
	default:
		add(FieldTokenType, fmt.Sprintf("%q is not a token type", string(t.TokenType)), "temp, longterm")
	}
	for _, ep := range []struct{ field, value string }{
		{FieldAPIEndpoint, t.APIEndpoint}, {FieldIAMEndpoint, t.IAMEndpoint}, {FieldSTSEndpoint, t.STSEndpoint},
	} {
		if ep.value == "" {
			continue
		}
		if err := CheckEndpoint(ep.value); err != nil {
			add(ep.field, showValue(ep.value, err), "an absolute URL scheme://host[:port] with scheme http or https")
		} else if err := CheckTransport(ep.value, t.InsecureEndpoints); err != nil {
			add(ep.field, showValue(ep.value, err), "https://, or http:// to a loopback or private IP address or localhost, or "+FieldInsecureEndpoints+": true")
		}
	}
	errs = append(errs, t.Auth.validate()...)
	errs = append(errs, t.validateConventions()...)
	return errors.Join(errs...)
}

// showValue renders a problem with a host or URL value: the quoted value and
// what is wrong with it, or, when the value may hold a user name and
// password (it has an "@"), the problem alone.
func showValue(v string, err error) string {
	if strings.Contains(v, "@") {
		return err.Error() + " (the value is not shown: it may hold a password)"
	}
	return fmt.Sprintf("%q %v", v, err)
}

func checkHost(h string) error {
	if h != "" && strings.Trim(h, hostNameChars) == "" {
		// A plain host name: url.Parse("//"+h) would give it back whole as
		// the host, without port or path, so only its labels are checked
		// (without the URL parser: this runs for every target of a config
		// at the rotation function's cold start).
		return checkLabels(h)
	}
	if strings.Contains(h, "://") {
		return errors.New("has a scheme")
	}
	u, err := url.Parse("//" + h)
	if err != nil || u.Host != h || u.Path != "" {
		return errors.New("is not a host[:port]")
	}
	host := u.Hostname()
	if host == "" {
		return errors.New("has no host name")
	}
	if port := u.Port(); port != "" {
		if len(port) > 5 || strings.TrimLeft(port, "0123456789") != "" {
			return errors.New("has a bad port")
		}
	}
	if strings.HasPrefix(host, "[") || strings.Contains(host, ":") {
		return nil // IPv6 literal
	}
	return checkLabels(host)
}

// hostNameChars are the characters of a plain host name.
const hostNameChars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-"

// checkLabels checks each dot-separated label of host name host.
func checkLabels(host string) error {
	for label, rest, more := "", host, true; more; {
		label, rest, more = strings.Cut(rest, ".")
		if !validHostLabel(label) {
			return errors.New("is not a valid host name")
		}
	}
	return nil
}

// CheckEndpoint checks an API endpoint override: an absolute http or https
// URL with a host and nothing after it but an optional "/".
func CheckEndpoint(s string) error {
	u, err := url.Parse(s)
	switch {
	case err != nil:
		return errors.New("is not a URL")
	case u.Scheme != "http" && u.Scheme != "https":
		return errors.New("does not start with http:// or https://")
	case u.Host == "" || u.Hostname() == "":
		return errors.New("has no host")
	case u.User != nil:
		return errors.New("must not hold user information")
	case u.Path != "" && u.Path != "/", u.RawQuery != "", u.Fragment != "":
		return errors.New("must not have a path, query or fragment")
	}
	return checkHost(u.Host)
}

// Fingerprint identifies everything about the target that decides which
// credential it mints, without any secret: a stored credential minted for
// another fingerprint must be minted again. Rotating the cloud secret key
// alone does not change it; changing the access key id does.
func (t Target) Fingerprint() string {
	h := sha256.New()
	for _, s := range []string{
		"v1", string(t.Provider), t.Region, t.InstanceID, t.Registry, string(t.Type()),
		t.APIEndpoint, t.IAMEndpoint, t.STSEndpoint,
		string(t.Auth.Method()), t.Auth.AccessKeyID, t.Auth.ProjectID,
		t.Auth.IAMUser, t.Auth.IAMDomain, t.Auth.RoleARN, t.Auth.OIDCProviderID, t.Auth.IdPID,
	} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	if t.Site == SiteIntl {
		// Only when set, so that every other target keeps its fingerprint.
		h.Write([]byte("site=intl\x00"))
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// String renders the target without secrets.
func (t Target) String() string {
	s := fmt.Sprintf("%s/%s", t.Provider, t.Region)
	if t.InstanceID != "" {
		s += "/" + t.InstanceID
	}
	if t.Registry != "" {
		s += " registry=" + t.Registry
	}
	return s + " token=" + string(t.Type()) + " auth=" + string(t.Auth.Method())
}

// LogValue implements slog.LogValuer without secrets.
func (t Target) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("provider", string(t.Provider)),
		slog.String("region", t.Region),
		slog.String("instance_id", t.InstanceID),
		slog.String("registry", t.Registry),
		slog.String("token_type", string(t.Type())),
		slog.String("auth", string(t.Auth.Method())),
	)
}
