package swr

import (
	"net/http"
	"os"
	"time"

	"github.com/regmint/regmint/core"
)

// DefaultTimeout bounds one HTTP request to SWR or IAM unless WithTimeout
// says otherwise. The context bounds the whole operation, retries included.
const DefaultTimeout = 30 * time.Second

// Option configures an issuer.
type Option func(*config)

// config is what the options set.
type config struct {
	now       func() time.Time
	backoff   core.Backoff
	getenv    func(string) string
	transport http.RoundTripper
	timeout   time.Duration
	// factories of the SDK clients; tests may replace them.
	clients clientFactory
}

func newConfig(opts []Option) *config {
	c := &config{
		now:     time.Now,
		getenv:  os.Getenv,
		timeout: DefaultTimeout,
	}
	for _, o := range opts {
		o(c)
	}
	if c.transport == nil {
		c.transport = DefaultTransport()
	}
	if c.clients == nil {
		c.clients = sdkClients{}
	}
	return c
}

// WithClock sets the clock that decides when a cached IAM token is too old
// and stamps long-term credential names; default time.Now.
func WithClock(now func() time.Time) Option {
	return func(c *config) {
		if now != nil {
			c.now = now
		}
	}
}

// WithBackoff sets the retry policy for throttling, 5xx and transport errors.
func WithBackoff(b core.Backoff) Option { return func(c *config) { c.backoff = b } }

// WithGetenv sets how environment variables are read (HUAWEICLOUD_SDK_*,
// CLOUD_SDK_*, HUAWEICLOUD_SDK_REGION_SWR_<REGION>, ...); default os.Getenv.
func WithGetenv(getenv func(string) string) Option {
	return func(c *config) {
		if getenv != nil {
			c.getenv = getenv
		}
	}
}

// WithHTTPTransport sets the transport of every SWR and IAM request; default
// DefaultTransport(), which honours HTTPS_PROXY and NO_PROXY.
func WithHTTPTransport(rt http.RoundTripper) Option {
	return func(c *config) {
		if rt != nil {
			c.transport = rt
		}
	}
}

// WithTimeout bounds each HTTP request; default DefaultTimeout.
func WithTimeout(d time.Duration) Option {
	return func(c *config) {
		if d > 0 {
			c.timeout = d
		}
	}
}

// withClients replaces the SDK client factories (tests).
func withClients(f clientFactory) Option { return func(c *config) { c.clients = f } }

// DefaultTransport returns the transport issuers use unless told otherwise:
// a clone of http.DefaultTransport, whose Proxy is http.ProxyFromEnvironment
// (HTTPS_PROXY, HTTP_PROXY, NO_PROXY). The SDK's own default transport sets
// no proxy at all.
func DefaultTransport() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.Proxy = http.ProxyFromEnvironment
	return t
}
