package core

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
)

// VerifyResult is the outcome of checking a credential against its registry.
type VerifyResult int

// The results. Unknown is never taken to mean Bad.
const (
	// VerifyUnknown: the registry could not be asked (unreachable, 5xx,
	// timeout, or it asks for no login at all).
	VerifyUnknown VerifyResult = iota
	// VerifyGood: the registry accepted the login.
	VerifyGood
	// VerifyBad: the registry refused the login (401/403).
	VerifyBad
	// VerifySkipped: verification was turned off.
	VerifySkipped
)

func (r VerifyResult) String() string {
	switch r {
	case VerifyGood:
		return "good"
	case VerifyBad:
		return "bad"
	case VerifySkipped:
		return "skipped"
	}
	return "unknown"
}

// Verification is the result of Verify with what led to it. Detail never
// holds a secret.
type Verification struct {
	Result VerifyResult
	// Scheme is the registry's challenge: "bearer", "basic" or "" if none.
	Scheme string
	// Detail says why, for people: the status or error seen.
	Detail string
}

func (v Verification) String() string {
	if v.Detail == "" {
		return v.Result.String()
	}
	return v.Result.String() + " (" + v.Detail + ")"
}

// Verifier checks credentials with the Docker Registry v2 login handshake,
// as `docker login` does: GET /v2/, then for a Bearer challenge a token
// request to the realm with Basic auth, or for a Basic challenge GET /v2/
// with Basic auth.
type Verifier struct {
	// Transport carries the requests; default: http.DefaultTransport
	// (which honours HTTPS_PROXY and NO_PROXY), shared so that its idle
	// connections are reused and bounded rather than left open by every
	// verification.
	Transport http.RoundTripper
	// Timeout bounds one verification; default 15 s. The context bounds it too.
	Timeout time.Duration
	// Scopes are token scopes to ask for (e.g. "repository:ns/app:pull");
	// default none, as docker login asks.
	Scopes []string
	// Insecure allows plain http to registries that are not loopback or
	// private addresses (those are always allowed, as docker does).
	Insecure bool
	// RealmHosts are hosts other than the registry's own that a Bearer
	// challenge may send the credential to (its token realm); see
	// RealmAllowed.
	RealmHosts []string
}

// Verify checks cred against its registry. It never returns Bad for a
// registry it could not reach.
func (v Verifier) Verify(ctx context.Context, cred Credential) Verification {
	if err := cred.Check(); err != nil {
		return Verification{Result: VerifyBad, Detail: err.Error()}
	}
	timeout := v.Timeout
	if timeout <= 0 {
		timeout = 15 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	rt := v.Transport
	if rt == nil {
		rt = http.DefaultTransport
	}
	rt = LimitBodies(rt, MaxAPIBody)
	var opts []name.Option
	if v.Insecure {
		opts = append(opts, name.Insecure)
	}
	reg, err := name.NewRegistry(cred.Registry, append(opts, name.StrictValidation)...)
	if err != nil {
		return Verification{Result: VerifyBad, Detail: fmt.Sprintf("registry host %q: %v", cred.Registry, err)}
	}
	secrets := cred.Secrets()
	ch, err := transport.Ping(ctx, reg, rt)
	if err != nil {
		var te *transport.Error
		if errors.As(err, &te) {
			return Verification{Result: VerifyUnknown, Detail: fmt.Sprintf("registry answered GET /v2/ with HTTP %d", te.StatusCode)}
		}
		return Verification{Result: VerifyUnknown, Detail: "registry unreachable: " + clean(err, secrets)}
	}
	scheme := strings.ToLower(ch.Scheme)
	basic := &authn.Basic{Username: cred.Username, Password: cred.Password}
	switch scheme {
	case "":
		return Verification{Result: VerifyUnknown, Detail: "registry asks for no login: the credential cannot be checked"}
	case "bearer":
		// go-containerregistry sends the credentials to every request whose
		// Host field matches the realm's host; for a realm without one
		// ("https:") that is any redirect, wherever it points (a redirect's
		// Host field is empty).
		u, err := url.Parse(ch.Parameters["realm"])
		if err != nil || u.Hostname() == "" {
			return Verification{Result: VerifyUnknown, Scheme: scheme, Detail: "the registry's challenge names no token realm host"}
		}
		if err := v.checkRealm(reg.RegistryStr(), u); err != nil {
			return Verification{Result: VerifyUnknown, Scheme: scheme, Detail: err.Error()}
		}
		// The realm's answer says something about the credentials only if
		// they were sent: go-containerregistry leaves them out when the
		// request's host does not match the realm's exactly ("host:" with an
		// empty port). And only 200 with a token is an answer: another 2xx
		// is no token.
		sent := &authWatch{next: rt}
		_, err = transport.Exchange(ctx, reg, basic, sent, v.Scopes, ch)
		var te *transport.Error
		switch {
		case !sent.seen.Load():
			return Verification{Result: VerifyUnknown, Scheme: scheme, Detail: "the credentials were not sent to the token realm"}
		case err == nil:
			return Verification{Result: VerifyGood, Scheme: scheme, Detail: "token realm issued a token"}
		case errors.As(err, &te) && te.StatusCode >= 200 && te.StatusCode < 300:
			return Verification{Result: VerifyUnknown, Scheme: scheme, Detail: fmt.Sprintf("token realm answered HTTP %d, without a token", te.StatusCode)}
		}
		return classify(scheme, "token realm", err, secrets)
	case "basic":
		// What transport.NewWithContext builds for a Basic challenge, from
		// the challenge at hand rather than a second ping.
		t := basicAuthTransport{next: transport.NewUserAgent(rt, ""), host: reg.RegistryStr(), username: cred.Username, password: cred.Password}
		scheme := "https"
		if ch.Insecure {
			scheme = "http"
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, scheme+"://"+reg.RegistryStr()+"/v2/", nil)
		if err != nil {
			return Verification{Result: VerifyUnknown, Detail: clean(err, secrets)}
		}
		resp, err := (&http.Client{Transport: t}).Do(req)
		if err != nil {
			return Verification{Result: VerifyUnknown, Scheme: "basic", Detail: "registry unreachable: " + clean(err, secrets)}
		}
		resp.Body.Close()
		return byStatus("basic", "registry", resp.StatusCode)
	default:
		return Verification{Result: VerifyUnknown, Scheme: scheme, Detail: fmt.Sprintf("unsupported challenge %q", ch.Scheme)}
	}
}

// basicAuthTransport sends Basic auth to the registry host only (not to
// hosts it redirects to), as go-containerregistry's basic transport does.
type basicAuthTransport struct {
	next                     http.RoundTripper
	host, username, password string
}

func (t basicAuthTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Host == t.host || r.URL.Host == t.host {
		r = r.Clone(r.Context())
		r.SetBasicAuth(t.username, t.password)
	}
	return t.next.RoundTrip(r)
}

// authWatch records whether any request carried an Authorization header.
type authWatch struct {
	next http.RoundTripper
	seen atomic.Bool
}

func (a *authWatch) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Header.Get("Authorization") != "" {
		a.seen.Store(true)
	}
	return a.next.RoundTrip(r)
}

func classify(scheme, who string, err error, secrets []string) Verification {
	var te *transport.Error
	if errors.As(err, &te) {
		return byStatus(scheme, who, te.StatusCode)
	}
	var ne net.Error
	if errors.As(err, &ne) || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return Verification{Result: VerifyUnknown, Scheme: scheme, Detail: who + " unreachable: " + clean(err, secrets)}
	}
	return Verification{Result: VerifyUnknown, Scheme: scheme, Detail: clean(err, secrets)}
}

func byStatus(scheme, who string, status int) Verification {
	d := fmt.Sprintf("%s answered HTTP %d", who, status)
	switch {
	case status >= 200 && status < 300:
		return Verification{Result: VerifyGood, Scheme: scheme, Detail: d}
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		return Verification{Result: VerifyBad, Scheme: scheme, Detail: d + ": login refused"}
	}
	return Verification{Result: VerifyUnknown, Scheme: scheme, Detail: d}
}

// clean renders err with every secret replaced.
func clean(err error, secrets []string) string { return Redact(err.Error(), secrets...) }

// Redact replaces every occurrence of each non-empty secret in s.
func Redact(s string, secrets ...string) string {
	for _, sec := range secrets {
		if sec != "" {
			s = strings.ReplaceAll(s, sec, redacted)
		}
	}
	return s
}
