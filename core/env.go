package core

import (
	"log/slog"
	"net/http"
	"os"
	"time"
)

// DefaultIssueTimeout bounds one vendor API request unless Env.Timeout says
// otherwise. The context bounds the whole operation, retries included.
const DefaultIssueTimeout = 30 * time.Second

// Env is what every issuer takes from the process it runs in: one struct
// for every provider, so that a delivery form sets it once. The zero value
// is usable: WithDefaults fills each unset field.
type Env struct {
	// Getenv reads the vendors' environment variables (access keys, region
	// endpoint overrides); default os.Getenv.
	Getenv func(string) string
	// ReadFile reads files the target names (a web identity token file);
	// default os.ReadFile.
	ReadFile func(string) ([]byte, error)
	// Now is the clock that decides when cached cloud tokens expire and
	// stamps long-term token names; default time.Now.
	Now func() time.Time
	// Transport carries every vendor API call (API, STS, IAM). Default: a
	// clone of http.DefaultTransport, which honours HTTPS_PROXY and
	// NO_PROXY. Share one between issuers to share connections.
	Transport http.RoundTripper
	// Backoff is the retry policy for throttling, 5xx and transport errors.
	Backoff Backoff
	// Timeout bounds one HTTP exchange; default DefaultIssueTimeout.
	Timeout time.Duration
	// Logger receives retries and the vendor SDK's own log lines (never a
	// secret); default: discard.
	Logger *slog.Logger
}

// WithDefaults returns e with every unset field filled in.
func (e Env) WithDefaults() Env {
	if e.Getenv == nil {
		e.Getenv = os.Getenv
	}
	if e.ReadFile == nil {
		e.ReadFile = os.ReadFile
	}
	if e.Now == nil {
		e.Now = time.Now
	}
	if e.Transport == nil {
		e.Transport = DefaultTransport()
	}
	if e.Timeout <= 0 {
		e.Timeout = DefaultIssueTimeout
	}
	if e.Logger == nil {
		e.Logger = slog.New(slog.DiscardHandler)
	}
	return e
}

// DefaultTransport returns the transport issuers use unless told otherwise:
// a clone of http.DefaultTransport, whose Proxy is http.ProxyFromEnvironment
// (HTTPS_PROXY, HTTP_PROXY, NO_PROXY). The Huawei SDK's own default
// transport sets no proxy at all.
func DefaultTransport() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.Proxy = http.ProxyFromEnvironment
	return t
}
