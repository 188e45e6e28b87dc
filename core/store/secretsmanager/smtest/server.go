// Package smtest runs a loopback emulator of AWS Secrets Manager for tests
// and the demo. It speaks the service's wire protocol (JSON 1.1: POST / with
// X-Amz-Target "secretsmanager.<Operation>" and Content-Type
// application/x-amz-json-1.1), verifies every request's SigV4 signature the
// way AWS does (recomputed with the SDK's own signer from what was received,
// timestamps more than 5 minutes off refused), and answers with the
// service's response and error shapes and status codes.
//
// It implements the operations regmint uses: BatchGetSecretValue (by
// SecretIdList), CreateSecret, DescribeSecret, GetSecretValue,
// PutSecretValue and UpdateSecretVersionStage, with
// AWSCURRENT/AWSPREVIOUS staging and ClientRequestToken idempotency (the
// same token and value is a no-op; the same token with another value fails
// with ResourceExistsException). Faults (throttling, 5xx, latency, lost or
// malformed responses, dropped connections) can be injected for the next
// calls, the documented request-rate quotas enforced (EnforceQuotas), and
// tests can read every secret's versions directly.
//
// Access keys are generated when the server starts; none is hard-coded, and
// none has the shape of a real AWS key.
package smtest

import (
	"net/http"
	"net/http/httptest"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/regmint/regmint/core/internal/faultq"
)

// Defaults of a new Server.
const (
	// DefaultRegion is the region a Server answers for unless WithRegion
	// says otherwise.
	DefaultRegion = "us-east-1"
	// Account is the emulated account id that appears in ARNs.
	Account = "123456789012"
	// MaxSkew is how far a request's X-Amz-Date may be from the server's
	// clock, as AWS allows.
	MaxSkew = 5 * time.Minute
)

// Server is a running emulator. Close it when done. All methods are safe for
// concurrent use.
type Server struct {
	// URL is the endpoint, "http://127.0.0.1:port": what aws.Config's
	// BaseEndpoint or AWS_ENDPOINT_URL_SECRETS_MANAGER holds.
	URL string
	// Region is the region requests must be signed for.
	Region string

	srv  *httptest.Server
	done chan struct{}

	mu      sync.Mutex
	clock   func() time.Time
	offset  time.Duration
	keys    map[string]*Key
	main    *Key
	secrets map[string]*secret // by name
	faults  faultq.Queue[Fault]
	calls   map[string]int
	closed  bool
	// quotas are the enforced request-rate quotas by operation
	// (EnforceQuotas); throttled counts the calls they refused.
	quotas    map[string]*quota
	throttled map[string]int
}

// Option configures a Server.
type Option func(*Server)

// WithRegion sets the region requests must be signed for (default
// DefaultRegion).
func WithRegion(region string) Option { return func(s *Server) { s.Region = region } }

// WithClock sets the server's clock (default time.Now). The signature
// timestamp check, the Date header and version creation dates follow it;
// Skew shifts it.
func WithClock(now func() time.Time) Option {
	return func(s *Server) {
		if now != nil {
			s.clock = now
		}
	}
}

// New starts a Server on a loopback port with one temporary access key
// (Key returns it).
func New(opts ...Option) *Server {
	s := &Server{
		Region:  DefaultRegion,
		done:    make(chan struct{}),
		clock:   time.Now,
		keys:    map[string]*Key{},
		secrets: map[string]*secret{},
		calls:   map[string]int{},
		quotas:  map[string]*quota{},

		throttled: map[string]int{},
	}
	for _, o := range opts {
		o(s)
	}
	s.main = s.addKey(true)
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	s.URL = s.srv.URL
	return s
}

// Close shuts the server down. Requests held by injected latency are
// released first.
func (s *Server) Close() {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.closed = true
	close(s.done)
	s.mu.Unlock()
	s.srv.Close()
}

// Key returns the access key the server was started with (a temporary key:
// it has a session token).
func (s *Server) Key() Key { return *s.main }

// Config returns an aws.Config for the server: its region, the Key's static
// credentials and BaseEndpoint set to URL.
func (s *Server) Config() aws.Config {
	return aws.Config{
		Region:       s.Region,
		Credentials:  s.main.Provider(),
		BaseEndpoint: aws.String(s.URL),
	}
}

// Now returns the server's current time.
func (s *Server) Now() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.nowLocked()
}

// Skew shifts the server's clock by d (cumulative) relative to its clock
// function, as a server whose clock differs from the client's.
func (s *Server) Skew(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.offset += d
}

func (s *Server) nowLocked() time.Time { return s.clock().Add(s.offset) }

// Calls returns how many requests for operation op (e.g. "PutSecretValue")
// reached the server, faulted and refused ones included.
func (s *Server) Calls(op string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[op]
}

// TotalCalls returns how many requests reached the server.
func (s *Server) TotalCalls() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, c := range s.calls {
		n += c
	}
	return n
}
