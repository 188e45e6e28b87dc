// Package tcrtest runs a loopback emulator of Tencent Cloud TCR Enterprise
// for tests and the demo.
//
// A Server speaks the TCR API wire protocol (POST / with X-TC-Action,
// version 2019-09-24) on plain HTTP and verifies every request's
// TC3-HMAC-SHA256 signature the way Tencent Cloud does. It serves STS
// AssumeRoleWithWebIdentity on a TLS listener for keyless login, and one
// Docker Registry v2 login endpoint (core/registrytest) per instance that
// accepts exactly the tokens the emulator minted for that instance, still
// unexpired by the emulator's clock and not deleted. Faults (throttling, HTTP
// 5xx, vendor error codes, latency, malformed bodies, dropped connections)
// can be injected, and calls are counted per action.
//
// Time: token lifetimes follow the emulator's clock (WithClock, SetNow,
// Advance), and so does the signature timestamp check unless
// WithSignatureClock gives it a clock of its own: a test can then run the
// emulator hours ahead, to expire tokens, while the SDK signs with the wall
// clock. Long-term tokens deleted through the API are recorded
// (Revocations, WithOnRevoke); Invalidate deletes a token behind the
// caller's back.
//
// Every key, token and password is generated at run time; nothing secret is
// hard-coded, and generated key ids start with "TESTID" (temporary ones with
// "TESTTMP") so they never look like real Tencent Cloud ids.
package tcrtest

import (
	"crypto/x509"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"

	"github.com/regmint/regmint/core/registrytest"
)

// Wire constants of the emulated services.
const (
	// APIVersion is the TCR API version the emulator speaks.
	APIVersion = "2019-09-24"
	// STSVersion is the STS API version the emulator speaks.
	STSVersion = "2018-08-13"
	// MaxSkew is how far a request's X-TC-Timestamp may be off the
	// emulator's clock, as in Tencent Cloud.
	MaxSkew = 5 * time.Minute
	// TempTokenTTL is how long a temporary instance token lives.
	TempTokenTTL = time.Hour
	// LongTermTokenTTL is how long a long-term instance token lives (about
	// ten years, as TCR answers).
	LongTermTokenTTL = 10 * 365 * 24 * time.Hour
)

// Server is a running emulator. Close it when done. All methods are safe
// for concurrent use.
type Server struct {
	// URL is the TCR API endpoint, "http://127.0.0.1:port": what a
	// Target's APIEndpoint holds.
	URL string
	// STSURL is the STS endpoint, "https://127.0.0.1:port": what a Target's
	// STSEndpoint holds. Transport trusts its certificate.
	STSURL string
	// UIN is the emulated account id: the docker login user name of every
	// token minted.
	UIN string
	// OIDCProviderID and RoleARN are the identity provider and role STS
	// accepts for keyless login.
	OIDCProviderID string
	RoleARN        string

	api  *httptest.Server
	sts  *httptest.Server
	done chan struct{}

	mu        sync.Mutex
	clock     func() time.Time
	offset    time.Duration
	sigClock  func() time.Time // nil: the emulator's clock
	onRevoke  func(Revocation)
	revoked   []Revocation
	keys      map[string]*key
	instances map[string]*instance
	tokens    map[string]*token // by password
	webTokens map[string]time.Time
	faults    faultState
	calls     map[string]int
	closed    bool
	ltExpTime ExpTimeForm
	// registryOpts start every instance's registry (WithTLSRegistries).
	registryOpts []registrytest.Option
}

// Option configures a Server.
type Option func(*Server)

// WithClock sets the emulator's clock (default time.Now). Token expiry and
// the signature timestamp check follow it (the latter unless
// WithSignatureClock says otherwise); SetNow and Advance shift it.
func WithClock(now func() time.Time) Option {
	return func(s *Server) {
		if now != nil {
			s.clock = now
		}
	}
}

// WithSignatureClock sets the clock that request timestamps (X-TC-Timestamp)
// are checked against, within MaxSkew; by default the emulator's clock.
// SetNow and Advance do not shift it.
//
// The SDK signs with the wall clock, so a test that moves the emulator's
// clock over simulated hours, to expire tokens, passes time.Now here: the
// signature check keeps real time while lifetimes follow the simulated
// clock.
func WithSignatureClock(now func() time.Time) Option {
	return func(s *Server) { s.sigClock = now }
}

// WithUIN sets the account id (default "100000000001").
func WithUIN(uin string) Option { return func(s *Server) { s.UIN = uin } }

// New starts a Server: the TCR API on a loopback HTTP port and STS on a
// loopback TLS port. It holds no keys and no instances until AddKey and
// AddInstance are called.
func New(opts ...Option) *Server {
	s := &Server{
		UIN:            "100000000001",
		OIDCProviderID: "regmint-test-oidc",
		done:           make(chan struct{}),
		clock:          time.Now,
		keys:           map[string]*key{},
		instances:      map[string]*instance{},
		tokens:         map[string]*token{},
		webTokens:      map[string]time.Time{},
		calls:          map[string]int{},
	}
	s.faults.init()
	for _, o := range opts {
		o(s)
	}
	s.RoleARN = "qcs::cam::uin/" + s.UIN + ":roleName/regmint-test"
	s.api = httptest.NewServer(http.HandlerFunc(s.serveAPI))
	s.sts = httptest.NewTLSServer(http.HandlerFunc(s.serveSTS))
	s.URL = s.api.URL
	s.STSURL = s.sts.URL
	return s
}

// STSCertificate returns the certificate of the STS listener, for clients
// that must trust it by other means than Transport (e.g. a child process
// given SSL_CERT_FILE).
func (s *Server) STSCertificate() *x509.Certificate { return s.sts.Certificate() }

// Close shuts the API, STS and every instance registry down. Requests
// held by injected latency are released first.
func (s *Server) Close() {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.closed = true
	close(s.done)
	regs := make([]*registrytest.Server, 0, len(s.instances))
	for _, in := range s.instances {
		regs = append(regs, in.registry)
	}
	s.mu.Unlock()
	s.api.Close()
	s.sts.Close()
	for _, r := range regs {
		r.Close()
	}
}

// Transport returns a new HTTP transport that trusts the STS listener's
// certificate (and works for the plain-HTTP API and registries too). It
// sets no proxy.
func (s *Server) Transport() *http.Transport {
	return s.sts.Client().Transport.(*http.Transport).Clone()
}

// APIHost returns the API endpoint's host:port.
func (s *Server) APIHost() string { return strings.TrimPrefix(s.URL, "http://") }

// Now returns the emulator's current time.
func (s *Server) Now() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.nowLocked()
}

// SetNow moves the emulator's clock so that it reads t now (and keeps
// running from there).
func (s *Server) SetNow(t time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.offset = t.Sub(s.clock())
}

// Advance moves the emulator's clock forward by d (backward if negative).
// Requests signed with the real time are refused once the shift exceeds
// MaxSkew, unless WithSignatureClock set the clock they are checked
// against.
func (s *Server) Advance(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.offset += d
}

func (s *Server) nowLocked() time.Time { return s.clock().Add(s.offset) }

// signatureNowLocked is the time request timestamps are checked against.
func (s *Server) signatureNowLocked() time.Time {
	if s.sigClock != nil {
		return s.sigClock()
	}
	return s.nowLocked()
}

// Calls returns how many requests naming action reached the emulator (API
// and STS), counted before any check or fault; "" counts all.
func (s *Server) Calls(action string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if action == "" {
		n := 0
		for _, c := range s.calls {
			n += c
		}
		return n
	}
	return s.calls[action]
}

// Secrets returns every secret the emulator has handed out so far: key
// secrets, session tokens, STS temporary keys, web identity tokens and
// minted registry passwords. Leak tests search output for them.
func (s *Server) Secrets() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, k := range s.keys {
		out = append(out, k.secret)
		if k.token != "" {
			out = append(out, k.token)
		}
	}
	for w := range s.webTokens {
		out = append(out, w)
	}
	for p := range s.tokens {
		out = append(out, p)
	}
	return out
}
