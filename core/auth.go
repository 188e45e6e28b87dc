package core

import (
	"fmt"
	"log/slog"
	"strings"
	"time"
)

// AuthMethod says how an issuer authenticates to the cloud.
type AuthMethod string

// The auth methods, in the order they are tried when more than one could
// apply (the first whose fields are set wins; fields of two methods at once
// are an error).
const (
	// AuthOIDC is keyless: a web identity token (GitHub's OIDC token)
	// exchanged for temporary cloud credentials (Tencent STS
	// AssumeRoleWithWebIdentity; Huawei IAM id-token exchange).
	AuthOIDC AuthMethod = "oidc"
	// AuthPassword is a Huawei IAM user name, password and account (domain)
	// name exchanged for an IAM user token.
	AuthPassword AuthMethod = "password"
	// AuthKeys is an access key pair (and optional security token).
	AuthKeys AuthMethod = "keys"
	// AuthEnv reads the vendor's own environment variables
	// (TENCENTCLOUD_SECRET_ID/KEY, HUAWEICLOUD_SDK_AK/SK, CLOUD_SDK_AK/SK).
	AuthEnv AuthMethod = "env"
	// AuthChain walks the vendor SDK's default credential chain: the
	// environment, the profile file, the instance's role from the metadata
	// service, the cluster's pod identity (see each provider).
	AuthChain AuthMethod = "chain"
)

// Auth holds the cloud authentication for a target. Secret fields are
// AccessKeySecret, SecurityToken, IAMPassword and WebIdentityToken; String,
// Format and LogValue never show them.
type Auth struct {
	// AccessKeyID and AccessKeySecret are a Tencent SecretId/SecretKey or a
	// Huawei AK/SK; SecurityToken goes with temporary keys.
	AccessKeyID     string
	AccessKeySecret string
	SecurityToken   string
	// ProjectID is the Huawei project id of the region; looked up when empty.
	ProjectID string
	// IAMUser, IAMPassword and IAMDomain are a Huawei IAM user's name,
	// password and account (domain) name.
	IAMUser     string
	IAMPassword string
	IAMDomain   string
	// RoleARN and OIDCProviderID are the Tencent CAM role and OIDC identity
	// provider for keyless login.
	RoleARN        string
	OIDCProviderID string
	// IdPID is the Huawei IAM identity provider id for keyless login.
	IdPID string
	// WebIdentityToken is the OIDC id token for keyless login; or set
	// WebIdentityTokenFile to a file holding it.
	WebIdentityToken     string
	WebIdentityTokenFile string
	// SessionName names the assumed-role session (Tencent); default "regmint".
	SessionName string
	// SessionDuration is how long the Tencent STS credentials of keyless
	// login are asked for (whole seconds, 900 s to 12 h); default 1 h.
	SessionDuration time.Duration
	// Chain selects AuthChain: the vendor SDK's default credential chain.
	Chain bool
}

// Method returns the auth method the fields select.
func (a Auth) Method() AuthMethod {
	switch {
	case a.RoleARN != "" || a.OIDCProviderID != "" || a.IdPID != "":
		return AuthOIDC
	case a.IAMUser != "" || a.IAMPassword != "" || a.IAMDomain != "":
		return AuthPassword
	case a.AccessKeyID != "" || a.AccessKeySecret != "" || a.SecurityToken != "":
		return AuthKeys
	case a.Chain:
		return AuthChain
	}
	return AuthEnv
}

// Secrets returns the non-empty secret values, for masking and leak checks.
func (a Auth) Secrets() []string {
	var out []string
	for _, s := range []string{a.AccessKeySecret, a.SecurityToken, a.IAMPassword, a.WebIdentityToken} {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

// validate checks what every provider shares: the fields of one method
// only, and that method's fields complete.
func (a Auth) validate() []error {
	var errs []error
	add := func(field, problem, accepted string) {
		errs = append(errs, &FieldError{Field: field, Problem: problem, Accepted: accepted})
	}
	var used []string
	if a.RoleARN != "" || a.OIDCProviderID != "" || a.IdPID != "" {
		used = append(used, "keyless OIDC ("+FieldRoleARN+", "+FieldOIDCProviderID+", "+FieldIdPID+")")
	}
	if a.IAMUser != "" || a.IAMPassword != "" || a.IAMDomain != "" {
		used = append(used, "IAM password ("+FieldIAMUser+", "+FieldIAMPassword+", "+FieldIAMDomain+")")
	}
	if a.AccessKeyID != "" || a.AccessKeySecret != "" || a.SecurityToken != "" {
		used = append(used, "access keys ("+FieldAccessKeyID+", "+FieldAccessSecret+", "+FieldSecurityToken+")")
	}
	if a.Chain {
		used = append(used, "the vendor's credential chain")
	}
	if len(used) > 1 {
		add(FieldAuth, "conflicting cloud auth: "+strings.Join(used, " and ")+" are both set", "the fields of one auth method only")
		return errs
	}
	switch a.Method() {
	case AuthPassword:
		password := map[string]string{FieldIAMUser: a.IAMUser, FieldIAMPassword: a.IAMPassword, FieldIAMDomain: a.IAMDomain}
		passwordFields := []string{FieldIAMUser, FieldIAMPassword, FieldIAMDomain}
		if a.IAMUser == "" {
			add(FieldIAMUser, "is required with "+setFields(password, passwordFields), "the IAM user name")
		}
		if a.IAMPassword == "" {
			add(FieldIAMPassword, "is required with "+setFields(password, passwordFields), "the IAM user's password")
		}
		if a.IAMDomain == "" {
			add(FieldIAMDomain, "is required with "+setFields(password, passwordFields), "the account (domain) name the IAM user belongs to")
		}
	case AuthKeys:
		keys := map[string]string{FieldAccessKeyID: a.AccessKeyID, FieldAccessSecret: a.AccessKeySecret, FieldSecurityToken: a.SecurityToken}
		keyFields := []string{FieldAccessKeyID, FieldAccessSecret, FieldSecurityToken}
		if a.AccessKeyID == "" {
			add(FieldAccessKeyID, "is required with "+setFields(keys, keyFields), "the access key id (Tencent SecretId, Huawei AK)")
		}
		if a.AccessKeySecret == "" {
			add(FieldAccessSecret, "is required with "+setFields(keys, keyFields), "the secret key (Tencent SecretKey, Huawei SK)")
		}
	}
	return errs
}

// setFields names the fields among order whose values are set, joined with
// "and": what a missing companion field is required with. It never shows a
// value.
func setFields(values map[string]string, order []string) string {
	var set []string
	for _, f := range order {
		if values[f] != "" {
			set = append(set, f)
		}
	}
	return strings.Join(set, " and ")
}

// String renders the auth settings without secrets.
func (a Auth) String() string {
	var b strings.Builder
	b.WriteString("auth{")
	sep := ""
	for _, kv := range [][2]string{
		{"access_key_id", a.AccessKeyID}, {"access_key_secret", mask(a.AccessKeySecret)},
		{"security_token", mask(a.SecurityToken)}, {"project_id", a.ProjectID},
		{"iam_user", a.IAMUser}, {"iam_password", mask(a.IAMPassword)}, {"iam_domain", a.IAMDomain},
		{"role_arn", a.RoleARN}, {"oidc_provider_id", a.OIDCProviderID}, {"idp_id", a.IdPID},
		{"web_identity_token", mask(a.WebIdentityToken)}, {"web_identity_token_file", a.WebIdentityTokenFile},
		{"chain", map[bool]string{true: "true"}[a.Chain]},
	} {
		if kv[1] == "" {
			continue
		}
		b.WriteString(sep + kv[0] + "=" + kv[1])
		sep = " "
	}
	b.WriteString("}")
	return b.String()
}

// GoString renders the auth settings for %#v without secrets.
func (a Auth) GoString() string { return "core." + a.String() }

// Format implements fmt.Formatter: every verb renders the redacted form.
func (a Auth) Format(f fmt.State, verb rune) {
	if verb == 'q' {
		fmt.Fprintf(f, "%q", a.String())
		return
	}
	fmt.Fprint(f, a.String())
}

// LogValue implements slog.LogValuer without secrets.
func (a Auth) LogValue() slog.Value { return slog.StringValue(a.String()) }

func mask(s string) string {
	if s == "" {
		return ""
	}
	return redacted
}
