package core

// Descriptor is everything the delivery forms (the Action, the rotation
// config, the credential helper) need to know about one provider. Each
// provider package exports its descriptors; the one list of them is
// core/providers.All. Nothing outside a provider package switches on a
// provider name: it asks the descriptor.
type Descriptor struct {
	// Name is what users write as provider (lowercase).
	Name Provider
	// Title names the service for people ("Tencent Cloud TCR Enterprise").
	Title string
	// Vendor names the cloud ("Tencent Cloud", "Huawei Cloud").
	Vendor string
	// SecretEnv are the vendor's environment variables that hold secrets:
	// the Action masks them before anything runs.
	SecretEnv []string
	// RegionEnv are the vendor's environment variables that name a default
	// region, in the order they are read.
	RegionEnv []string
	// Audience is the default audience of the OIDC token for keyless login;
	// "" when the cloud sets none.
	Audience string
	// OIDCField is the field that turns keyless login on (role-arn,
	// idp-id): where an error about keyless login points.
	OIDCField string
	// STSSession: keyless login assumes a role session, which takes a
	// session name and duration (role-session-name, role-duration-seconds).
	STSSession bool
	// RateLimit is the vendor API calls per second the rotation allows by
	// default (documented quota, or a cautious figure).
	RateLimit float64
	// Auth lists the auth methods the provider supports.
	Auth []AuthMethod
	// SourceKeys are the keys a credentials secret's JSON may hold for this
	// provider (access_key_id, ...).
	SourceKeys []string
	// Validate checks what Target.Validate leaves to the provider: the
	// instance id, the endpoints and auth fields it uses. It returns
	// *FieldError values and makes no network call.
	Validate func(t Target) []error
	// New builds the issuer of a valid target. It makes no network call.
	// The issuer of a provider with long-term tokens to revoke also
	// implements Revoker (and TokenLister).
	New func(t Target, env Env) (Issuer, error)
	// RegionRegistry, when set, returns the registry host that serves a
	// region without any instance (the SWR shared edition's
	// swr.<region>.myhuaweicloud.com); nil when hosts are per instance.
	RegionRegistry func(region string) string
	// RegionOfHost, set with RegionRegistry, returns the region whose
	// registry host is host, or false for any other host. It only parses:
	// it never resolves a name.
	RegionOfHost func(host string) (region string, ok bool)
	// Hint returns advice for one of the provider's errors a user can act
	// on, or "".
	Hint func(err error) string
}

// Supports reports whether the provider supports auth method m.
func (d Descriptor) Supports(m AuthMethod) bool {
	for _, x := range d.Auth {
		if x == m {
			return true
		}
	}
	return false
}
