package swr

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/services/swr/v2/model"

	"github.com/regmint/regmint/core"
)

// Enterprise mints credentials for an SWR Enterprise edition instance and
// revokes its long-term ones. It is safe for concurrent use.
type Enterprise struct {
	t core.Target
	s *session

	mu       sync.Mutex
	registry string // discovered registry host
}

var (
	_ core.Issuer  = (*Enterprise)(nil)
	_ core.Revoker = (*Enterprise)(nil)
)

// NewEnterprise returns the issuer for an SWR Enterprise target (provider
// "swr-enterprise") running with env (its unset fields take their
// defaults). It checks every input and makes no network call.
func NewEnterprise(t core.Target, env core.Env) (*Enterprise, error) {
	return newEnterprise(t, newConfig(env, nil))
}

func newEnterprise(t core.Target, c *config) (*Enterprise, error) {
	if err := checkTarget(t, EnterpriseName); err != nil {
		return nil, err
	}
	s, err := newSession(t, c)
	if err != nil {
		return nil, err
	}
	return &Enterprise{t: t, s: s, registry: t.Registry}, nil
}

// Issue mints a temporary credential (CreateInstanceTempCredential) or, for
// token type longterm, a long-term one (CreateInstanceLtCredential) whose
// TokenID Revoke takes. The registry host is the target's, or the
// instance's access address (ShowInstance), looked up once.
func (e *Enterprise) Issue(ctx context.Context) (core.Credential, error) {
	host, err := e.registryHost(ctx)
	if err != nil {
		return core.Credential{}, err
	}
	if e.t.Type() == core.TokenLongTerm {
		return e.longTerm(ctx, host)
	}
	var resp *model.CreateInstanceTempCredentialResponse
	err = e.s.call(ctx, true, func(ctx context.Context, g grant) error {
		return e.s.retry(ctx, OpCreateInstanceTempCredential, g, func(api swrAPI) (err error) {
			resp, err = api.CreateInstanceTempCredential(&model.CreateInstanceTempCredentialRequest{InstanceId: e.t.InstanceID})
			return err
		})
	})
	if err != nil {
		return core.Credential{}, opError(OpCreateInstanceTempCredential, e.t.InstanceID, err)
	}
	c, err := credential(host, resp.HttpStatusCode, resp.UserId, resp.AuthToken, resp.ExpireDate, nil, true, e.s.c.Now())
	if err != nil {
		return core.Credential{}, opError(OpCreateInstanceTempCredential, e.t.InstanceID, err)
	}
	return c, nil
}

// Revoke deletes a long-term credential (DeleteInstanceLtCredential). A
// credential that no longer exists counts as revoked, once a listing of the
// instance confirms it: a 404 for the instance or the API route is an error
// naming what was not found.
func (e *Enterprise) Revoke(ctx context.Context, tokenID string) error {
	if tokenID == "" {
		return errors.New("swr DeleteInstanceLtCredential: no token id: temporary credentials cannot be revoked, they expire")
	}
	err := e.s.call(ctx, true, func(ctx context.Context, g grant) error {
		err := e.s.retry(ctx, OpDeleteInstanceLtCredential, g, func(api swrAPI) error {
			_, err := api.DeleteInstanceLtCredential(&model.DeleteInstanceLtCredentialRequest{InstanceId: e.t.InstanceID, CredentialId: tokenID})
			return err
		})
		var ae *APIError
		if errors.As(err, &ae) && ae.StatusCode == http.StatusNotFound && ae.Op == OpDeleteInstanceLtCredential {
			return e.confirmGone(ctx, g, tokenID, err)
		}
		return err
	})
	if err != nil {
		return opError(OpDeleteInstanceLtCredential, e.t.InstanceID+" "+tokenID, err)
	}
	return nil
}

// registryHost returns the registry host: the target's, or the instance's
// access address.
func (e *Enterprise) registryHost(ctx context.Context) (string, error) {
	e.mu.Lock()
	host := e.registry
	e.mu.Unlock()
	if host != "" {
		return host, nil
	}
	var resp *model.ShowInstanceResponse
	err := e.s.call(ctx, true, func(ctx context.Context, g grant) error {
		return e.s.retry(ctx, OpShowInstance, g, func(api swrAPI) (err error) {
			resp, err = api.ShowInstance(&model.ShowInstanceRequest{InstanceId: e.t.InstanceID})
			return err
		})
	})
	if err != nil {
		return "", opError(OpShowInstance, e.t.InstanceID, err)
	}
	host, err = accessHost(resp.AccessAddress)
	if err != nil {
		return "", opError(OpShowInstance, e.t.InstanceID, fmt.Errorf("%w; set %s to the instance's registry host", err, core.FieldRegistry))
	}
	e.mu.Lock()
	e.registry = host
	e.mu.Unlock()
	return host, nil
}

// accessHost reads an instance's access address: a host, possibly with a
// scheme, a trailing slash, or several addresses separated by commas (the
// first is taken).
func accessHost(addr *string) (string, error) {
	if addr == nil || strings.TrimSpace(*addr) == "" {
		return "", errors.New("the instance has no access address")
	}
	a := strings.TrimSpace(strings.Split(*addr, ",")[0])
	if i := strings.Index(a, "://"); i >= 0 {
		a = a[i+3:]
	}
	a = strings.TrimSuffix(a, "/")
	if err := core.CheckEndpoint("https://" + a); err != nil {
		return "", fmt.Errorf("the instance's access address %q %v", clip(a, 80), err)
	}
	return a, nil
}

// credential builds a Credential from a credential answer, read at now.
// Temporary ones must say when they expire; a long-term one without an
// expire_date, or with one of the "never" forms (ltNeverExpires), does not
// expire. Any other expire_date must be a plausible time: garbage is an
// error, not "never expires".
func credential(host string, status int, user, token, expire, tokenID *string, temp bool, now time.Time) (core.Credential, error) {
	malformed := func(what string) error { return &APIError{StatusCode: status, Malformed: true, Message: what} }
	switch {
	case user == nil || *user == "":
		return core.Credential{}, malformed("no user_id")
	case token == nil || *token == "":
		return core.Credential{}, malformed("no auth_token")
	}
	c := core.Credential{Registry: host, Username: *user, Password: *token}
	switch {
	case !temp && expire != nil && ltNeverExpires(*expire, now):
		// does not expire: ExpiresAt stays zero
	case expire != nil && strings.TrimSpace(*expire) != "":
		t, err := parseExpiry(*expire, now)
		if err != nil {
			return core.Credential{}, malformed("expire_date: " + err.Error())
		}
		c.ExpiresAt = t
	case temp:
		return core.Credential{}, malformed("no expire_date")
	}
	if !temp {
		if tokenID == nil || *tokenID == "" {
			return core.Credential{}, malformed("no token_id")
		}
		c.TokenID = *tokenID
	}
	// Every value of the answer goes on into outputs, files and logs.
	if err := c.Check(); err != nil {
		return core.Credential{}, malformed("unusable value: " + err.Error())
	}
	return c, nil
}

// String renders the issuer without secrets.
func (e *Enterprise) String() string { return describe("Enterprise", e.t) }

// GoString renders the issuer without secrets.
func (e *Enterprise) GoString() string { return e.String() }

// Format renders the issuer without secrets for every verb.
func (e *Enterprise) Format(f fmt.State, verb rune) { fmt.Fprint(f, e.String()) }
