// Package tcr mints docker login credentials for Tencent Cloud TCR
// Enterprise instances through the official SDK's generic client
// (tencentcloud-sdk-go/tencentcloud/common): CreateInstanceToken for a
// temporary (1 h) or long-term token, DescribeInstances to find the
// registry host, DeleteInstanceToken and DescribeInstanceToken to revoke and
// list long-term tokens.
//
// Cloud auth is an access key pair (explicit or from TENCENTCLOUD_* in the
// environment) or keyless: a web identity (OIDC) token exchanged at STS
// AssumeRoleWithWebIdentity for cached temporary credentials.
//
// Throttling, HTTP 5xx and transport errors are retried with exponential
// backoff and full jitter within the context's deadline; auth, permission
// and not-found errors are final. Errors name the operation and instance and
// carry the vendor's code, message and request id (Code, RequestID, Hint,
// or errors.As to *errors.TencentCloudSDKError), never a secret.
//
// The package tcrtest beside this one emulates the vendor API for tests.
package tcr

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/regmint/regmint/core"
	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common"
	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/profile"
)

// FieldDescription names the target's Description in validation errors.
const FieldDescription = "description"

// maxDescLen is TCR's limit on a long-term token's Desc.
const maxDescLen = 255

// Issuer mints credentials for one TCR Enterprise instance. It is safe for
// concurrent use.
type Issuer struct {
	target core.Target
	api    endpoint
	creds  credSource
	cfg    core.Env

	mu       sync.Mutex
	registry string // discovered registry host
}

var (
	_ core.Issuer  = (*Issuer)(nil)
	_ core.Revoker = (*Issuer)(nil)
)

// New checks t (provider tcr, every field valid, cloud auth present) and
// builds the SDK clients with env (its unset fields take their defaults).
// It makes no network call.
func New(t core.Target, env core.Env) (*Issuer, error) {
	if t.Provider != Name {
		return nil, &core.FieldError{Field: core.FieldProvider, Problem: fmt.Sprintf("%q is not handled by the tcr issuer", string(t.Provider)), Accepted: string(Name)}
	}
	if err := errors.Join(t.Validate(), errors.Join(validate(t)...)); err != nil {
		return nil, fmt.Errorf("tcr: invalid target: %w", err)
	}
	if len(t.Description) > maxDescLen {
		return nil, fmt.Errorf("tcr: invalid target: %w", &core.FieldError{Field: FieldDescription,
			Problem: fmt.Sprintf("is %d bytes long", len(t.Description)), Accepted: fmt.Sprintf("at most %d bytes (TCR's limit for a token description)", maxDescLen)})
	}
	cfg := env.WithDefaults()
	creds, err := credentials(t, &cfg)
	if err != nil {
		return nil, fmt.Errorf("tcr: %w", err)
	}
	i := &Issuer{target: t, creds: creds, cfg: cfg}
	apiHost, stsHost := siteHosts(t.Site)
	i.api = endpoint{client: newClient(creds, t.Region, t.APIEndpoint, apiHost, &cfg), service: tcrService, version: tcrVersion}
	if s, ok := creds.(*stsCreds); ok {
		s.call = call{
			ep:     endpoint{client: newClient(nil, t.Region, t.STSEndpoint, stsHost, &cfg), service: stsService, version: stsVersion, skipSign: true},
			action: actAssumeRole, subject: t.Auth.RoleARN, policy: idempotent, backoff: cfg.Backoff, log: cfg.Logger,
		}
	}
	return i, nil
}

// newClient builds the SDK's common client for one service: the SDK's
// own rate-limit and network retries are off (they sleep with time.Sleep,
// blind to the context; the package retries instead), so is the region
// breaker (it would redirect to a backup endpoint), and debug dumps (they
// print headers, including X-TC-Token). cred nil sends unsigned.
func newClient(cred common.CredentialIface, region, override, defaultHost string, cfg *core.Env) *common.Client {
	cpf := profile.NewClientProfile()
	cpf.HttpProfile.ReqMethod = "POST"
	cpf.HttpProfile.ReqTimeout = int((cfg.Timeout + time.Second - 1) / time.Second)
	cpf.HttpProfile.Scheme = "HTTPS"
	cpf.HttpProfile.Endpoint = defaultHost
	if override != "" {
		// Validated by Target.Validate: scheme://host[:port][/].
		u, _ := url.Parse(override)
		cpf.HttpProfile.Scheme = strings.ToUpper(u.Scheme)
		cpf.HttpProfile.Endpoint = u.Host
	}
	cpf.Language = "en-US"
	cpf.DisableRegionBreaker = true
	cpf.RateLimitExceededMaxRetries = 0
	cpf.NetworkFailureMaxRetries = 0
	cpf.Debug = false
	client := common.NewCommonClient(cred, region, cpf)
	client.WithHttpTransport(recordingTransport{base: core.LimitBodies(cfg.Transport, core.MaxAPIBody)})
	client.WithLogger(sdkLogger{cfg.Logger})
	return client
}

func (i *Issuer) call(action string, p retryPolicy) call {
	return call{ep: i.api, action: action, subject: i.target.InstanceID, policy: p, backoff: i.cfg.Backoff, log: i.cfg.Logger}
}

// Issue creates an instance token (CreateInstanceToken) of the target's
// type and returns it as a docker login for the registry host (the target's
// Registry, or the one Registry discovers). ExpiresAt is the vendor's
// ExpTime; TokenID is set for long-term tokens.
//
// A long-term token lives about ten years until revoked, and creating one
// is not idempotent: after a 5xx, an InternalError or a connection lost
// once the request was sent, the token may exist without its answer having
// arrived. Those failures are therefore not retried for long-term tokens
// (throttling, and transport errors before the request was sent in full,
// still are): the error returned wraps ErrMaybeCreated, and ListTokens
// shows any token created. Temporary tokens are retried on every transient
// failure: a duplicate expires within the hour and is not listed.
func (i *Issuer) Issue(ctx context.Context) (core.Credential, error) {
	host, err := i.Registry(ctx)
	if err != nil {
		return core.Credential{}, err
	}
	if err := i.creds.ensure(ctx); err != nil {
		return core.Credential{}, err
	}
	req := createTokenRequest{RegistryId: i.target.InstanceID, TokenType: string(i.target.Type())}
	policy := idempotent
	if i.target.Type() == core.TokenLongTerm {
		policy = createsOnce
		req.Desc = i.target.Description
		if req.Desc == "" {
			req.Desc = "regmint " + i.cfg.Now().UTC().Format(time.RFC3339)
		}
	}
	c := i.call(actCreateToken, policy)
	out, err := send[createTokenResponse](ctx, c, req)
	if err != nil {
		return core.Credential{}, err
	}
	var missing []string
	for _, f := range []struct{ name, value string }{{"Username", out.Username}, {"Token", out.Token}} {
		if f.value == "" {
			missing = append(missing, f.name)
		}
	}
	// Every field of the SDK's model is an optional pointer. A temporary
	// token must say when it expires; a long-term one without ExpTime (absent,
	// null or 0) does not expire, as SWR's long-term credentials without
	// expire_date: refusing it would leave a ten-year token behind unused.
	longTerm := i.target.Type() == core.TokenLongTerm
	var expTime int64
	if out.ExpTime != nil {
		expTime = *out.ExpTime
	}
	if expTime < 0 || (expTime == 0 && !longTerm) {
		missing = append(missing, "ExpTime")
	}
	if longTerm && out.TokenId == "" {
		missing = append(missing, "TokenId")
	}
	var exp time.Time
	if expTime > 0 {
		exp = expiryFromMillis(expTime)
	}
	var bad error
	switch {
	case len(missing) > 0:
		bad = malformed("lacks "+strings.Join(missing, ", "), out.RequestId)
	case !exp.IsZero() && !plausibleExpiry(exp, i.cfg.Now()):
		bad = malformed(fmt.Sprintf("has ExpTime %d, which is no time a token expires at", expTime), out.RequestId)
	}
	if bad != nil {
		if policy == createsOnce {
			bad = maybeCreated(bad)
		}
		return core.Credential{}, &opError{op: c.action, subject: c.subject, err: bad}
	}
	cred := core.Credential{Registry: host, Username: out.Username, Password: out.Token, ExpiresAt: exp}
	if i.target.Type() == core.TokenLongTerm {
		cred.TokenID = out.TokenId
	}
	// Every value of the answer goes on into outputs, files and logs.
	if err := cred.Check(); err != nil {
		bad = malformed("has an unusable value: "+err.Error(), out.RequestId)
		if policy == createsOnce {
			bad = maybeCreated(bad)
		}
		return core.Credential{}, &opError{op: c.action, subject: c.subject, err: bad}
	}
	return cred, nil
}

// Registry returns the registry host: the target's Registry if set, else
// the instance's PublicDomain from DescribeInstances, asked once and then
// remembered. An instance not listed in the target's region is an error
// wrapping ErrInstanceNotFound.
func (i *Issuer) Registry(ctx context.Context) (string, error) {
	if i.target.Registry != "" {
		return i.target.Registry, nil
	}
	i.mu.Lock()
	host := i.registry
	i.mu.Unlock()
	if host != "" {
		return host, nil
	}
	if err := i.creds.ensure(ctx); err != nil {
		return "", err
	}
	c := i.call(actDescribeInst, idempotent)
	out, err := send[describeInstancesResponse](ctx, c, describeInstancesRequest{Registryids: []string{i.target.InstanceID}, Limit: 100})
	if err != nil {
		return "", err
	}
	for _, r := range out.Registries {
		if r.RegistryId != i.target.InstanceID {
			continue
		}
		// The host goes into URLs and docker configs: a value with a
		// scheme, user information, a path or odd characters is refused.
		if r.PublicDomain == "" || core.CheckEndpoint("https://"+r.PublicDomain) != nil {
			return "", &opError{op: c.action, subject: c.subject, err: malformed("has no usable PublicDomain for the instance", out.RequestId)}
		}
		i.mu.Lock()
		i.registry = r.PublicDomain
		i.mu.Unlock()
		return r.PublicDomain, nil
	}
	return "", &opError{op: c.action, subject: c.subject, err: fmt.Errorf("%w in region %s (request id %s)", ErrInstanceNotFound, i.target.Region, out.RequestId)}
}
