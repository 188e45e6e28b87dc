package tcr

import (
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"time"

	"github.com/regmint/regmint/core"
)

// Option configures an Issuer.
type Option func(*config)

type config struct {
	clock     func() time.Time
	backoff   core.Backoff
	getenv    func(string) string
	readFile  func(string) ([]byte, error)
	transport http.RoundTripper
	timeout   time.Duration
	log       *slog.Logger
}

func defaultConfig() config {
	return config{
		clock:    time.Now,
		getenv:   os.Getenv,
		readFile: os.ReadFile,
		timeout:  30 * time.Second,
		log:      slog.New(slog.DiscardHandler),
	}
}

// WithClock sets the clock that decides when cached STS credentials are
// refreshed and what the default long-term token description says
// (default time.Now).
func WithClock(now func() time.Time) Option {
	return func(c *config) {
		if now != nil {
			c.clock = now
		}
	}
}

// WithBackoff sets the retry backoff for throttling, 5xx and transport
// errors (default core.Backoff's defaults). The context's deadline bounds
// retries too.
func WithBackoff(b core.Backoff) Option { return func(c *config) { c.backoff = b } }

// WithGetenv sets how environment variables are read for env auth
// (default os.Getenv).
func WithGetenv(getenv func(string) string) Option {
	return func(c *config) {
		if getenv != nil {
			c.getenv = getenv
		}
	}
}

// WithHTTPTransport sets the transport for the TCR API and STS (default: a
// clone of http.DefaultTransport, which honours HTTPS_PROXY and NO_PROXY).
// Tests pass tcrtest.Server.Transport to trust the emulator's STS
// certificate.
func WithHTTPTransport(rt http.RoundTripper) Option {
	return func(c *config) {
		if rt != nil {
			c.transport = rt
		}
	}
}

// WithTimeout bounds each HTTP exchange (default 30 s, rounded up to whole
// seconds as the SDK counts them). The context bounds the whole call.
func WithTimeout(d time.Duration) Option {
	return func(c *config) {
		if d > 0 {
			c.timeout = d
		}
	}
}

// WithLogger sets where retries and the SDK's own log lines go (default:
// nowhere). Nothing logged holds a secret.
func WithLogger(l *slog.Logger) Option {
	return func(c *config) {
		if l != nil {
			c.log = l
		}
	}
}

// sdkLogger sends the SDK's Printf lines to slog at debug level. The SDK
// logs request and response dumps only with ClientProfile.Debug, which is
// never set.
type sdkLogger struct{ log *slog.Logger }

func (l sdkLogger) Printf(format string, args ...any) {
	l.log.Debug("tencentcloud sdk", slog.String("line", fmt.Sprintf(format, args...)))
}
