// Package issuers maps a core.Target to the issuer of its provider: the
// one place that knows every provider package. The GitHub Action and the
// rotation function build issuers through New.
package issuers

import (
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/regmint/regmint/core"
	"github.com/regmint/regmint/core/swr"
	"github.com/regmint/regmint/core/tcr"
)

// options collects what every provider accepts.
type options struct {
	getenv    func(string) string
	now       func() time.Time
	transport http.RoundTripper
	backoff   *core.Backoff
	timeout   time.Duration
	logger    *slog.Logger
}

// Option configures New.
type Option func(*options)

// WithGetenv sets where the vendors' environment variables are read from
// (default os.Getenv).
func WithGetenv(getenv func(string) string) Option { return func(o *options) { o.getenv = getenv } }

// WithClock sets the clock used to decide when cached cloud tokens expire.
func WithClock(now func() time.Time) Option { return func(o *options) { o.now = now } }

// WithHTTPTransport sets the transport for every vendor API call. The
// default honours HTTPS_PROXY and NO_PROXY.
func WithHTTPTransport(rt http.RoundTripper) Option { return func(o *options) { o.transport = rt } }

// WithBackoff sets the retry policy for throttling, 5xx and transport errors.
func WithBackoff(b core.Backoff) Option { return func(o *options) { o.backoff = &b } }

// WithTimeout bounds one vendor API request.
func WithTimeout(d time.Duration) Option { return func(o *options) { o.timeout = d } }

// WithLogger receives the Tencent SDK's own log lines (never secrets).
func WithLogger(l *slog.Logger) Option { return func(o *options) { o.logger = l } }

// New validates t and returns its provider's issuer. The issuer of a
// provider that has long-term tokens to revoke also implements
// core.Revoker. New makes no network call.
func New(t core.Target, opts ...Option) (core.Issuer, error) {
	var o options
	for _, f := range opts {
		f(&o)
	}
	switch t.Provider {
	case core.ProviderTCR:
		var to []tcr.Option
		if o.getenv != nil {
			to = append(to, tcr.WithGetenv(o.getenv))
		}
		if o.now != nil {
			to = append(to, tcr.WithClock(o.now))
		}
		if o.transport != nil {
			to = append(to, tcr.WithHTTPTransport(o.transport))
		}
		if o.backoff != nil {
			to = append(to, tcr.WithBackoff(*o.backoff))
		}
		if o.timeout > 0 {
			to = append(to, tcr.WithTimeout(o.timeout))
		}
		if o.logger != nil {
			to = append(to, tcr.WithLogger(o.logger))
		}
		return tcr.New(t, to...)
	case core.ProviderSWR, core.ProviderSWREnterprise:
		var so []swr.Option
		if o.getenv != nil {
			so = append(so, swr.WithGetenv(o.getenv))
		}
		if o.now != nil {
			so = append(so, swr.WithClock(o.now))
		}
		if o.transport != nil {
			so = append(so, swr.WithHTTPTransport(o.transport))
		}
		if o.backoff != nil {
			so = append(so, swr.WithBackoff(*o.backoff))
		}
		if o.timeout > 0 {
			so = append(so, swr.WithTimeout(o.timeout))
		}
		return swr.New(t, so...)
	}
	if err := t.Validate(); err != nil {
		return nil, err
	}
	return nil, fmt.Errorf("no issuer for provider %q", t.Provider)
}

// Hint returns advice for a provider error a user can act on (wrong key,
// no permission on the instance, unknown instance, throttled), or "".
func Hint(err error) string {
	if h := tcr.Hint(err); h != "" {
		return h
	}
	return swr.Hint(err)
}
