// Package swrtest runs a loopback emulator of Huawei Cloud SWR (Enterprise
// and shared editions) and IAM, for tests and the demo, as net/http/httptest
// runs a server.
//
// It speaks the wire protocol the official SDK speaks: it verifies
// SDK-HMAC-SHA256 signatures as the API gateway does (wrong secret key,
// tampered body, query or signed header, and dates more than 15 minutes off
// are refused with 401 APIGW.0301), accepts X-Auth-Token only for tokens its
// IAM issued, unexpired and scoped to the project called, and answers with
// the documented status codes, bodies and headers. Accounts, access keys,
// IAM users and passwords, projects, identity providers and OIDC tokens are
// generated at run time; nothing secret is written in the source.
//
// Each Enterprise instance, and the shared registry of each region, is a
// registrytest server that accepts exactly the credentials minted for it
// that are still valid (and, for the shared long-term login, the password
// derived from a permanent access key that still exists).
//
// Faults (throttling, 5xx, latency, malformed bodies, dropped connections)
// can be injected per operation, and every operation's calls are counted.
// Time comes from an injectable clock (WithClock); the signature date check
// may have a clock of its own (WithSignatureClock), so that a test can run
// the emulator hours ahead, to expire credentials, while the SDK signs with
// the wall clock. Long-term credentials deleted through the API are
// recorded (Revocations, WithOnRevoke); Invalidate removes a login behind
// the caller's back. A Server is safe for concurrent use.
package swrtest

import (
	"crypto/x509"
	"net/http"
	"net/http/httptest"
	"sync"
	"time"

	"github.com/regmint/regmint/core/registrytest"
)

// Validity periods of what the emulator mints.
const (
	// TokenTTL is how long an IAM token lasts (as IAM's: 24 h).
	TokenTTL = 24 * time.Hour
	// TempCredentialTTL is how long an Enterprise temporary credential
	// lasts by default. The API's example answer shows 24 h; the emulator
	// keeps 1 h so that simulated-clock tests and the demo see refreshes
	// quickly, and WithTempCredentialTTL(24*time.Hour) gives the example's.
	// The client takes the lifetime from the answer's expire_date either way.
	TempCredentialTTL = time.Hour
	// SecretTTL is how long a shared-edition temporary login lasts (6 h).
	SecretTTL = 6 * time.Hour
	// MaxSkew is the largest difference between X-Sdk-Date and the
	// emulator's clock the gateway accepts.
	MaxSkew = 15 * time.Minute
)

// Server is a running emulator. Close it when done.
type Server struct {
	// SWRURL is the SWR API endpoint, for core.Target.APIEndpoint.
	SWRURL string
	// IAMURL is the IAM endpoint, for core.Target.IAMEndpoint.
	IAMURL string

	swrSrv, iamSrv *httptest.Server
	now            func() time.Time
	sigNow         func() time.Time // nil: now
	onRevoke       func(Revocation)
	regions        []string
	tempTTL        time.Duration // 0: TempCredentialTTL

	mu          sync.Mutex
	closed      bool
	accounts    []*Account
	users       map[string]*Account // domain name + "/" + user name
	keys        map[string]*accessKey
	tokens      map[string]*token
	idps        map[string]*IdP
	instances   map[string]*Instance
	tempCreds   map[string]*regCred // user -> Enterprise temporary credential
	ltCreds     map[string]*ltCred  // token id -> Enterprise long-term credential
	secrets     map[string]*regCred // user -> shared-edition temporary login
	shared      map[string]*registrytest.Server
	issued      []string // every secret issued, for Secrets
	faults      []*fault
	calls       map[string]int
	requestSeq  int
	instanceSeq int
	revoked     []Revocation
	// ltExpireDate is the expire_date long-term answers carry ("": none).
	ltExpireDate string
}

// Option configures a Server.
type Option func(*Server)

// WithClock sets the emulator's clock (token and credential expiry, the
// signature date check unless WithSignatureClock says otherwise); default
// time.Now.
func WithClock(now func() time.Time) Option { return func(s *Server) { s.now = now } }

// WithSignatureClock sets the clock that X-Sdk-Date is checked against,
// within MaxSkew; by default the emulator's clock. The SDK signs with the
// wall clock, so a test that runs the emulator's clock over simulated
// hours passes time.Now here: signatures keep real time while lifetimes
// follow the simulated clock.
func WithSignatureClock(now func() time.Time) Option { return func(s *Server) { s.sigNow = now } }

// signatureNow is the time request dates are checked against.
func (s *Server) signatureNow() time.Time {
	if s.sigNow != nil {
		return s.sigNow()
	}
	return s.now()
}

// WithRegions sets the regions accounts get projects in; default
// "cn-north-4".
func WithRegions(regions ...string) Option {
	return func(s *Server) { s.regions = append([]string(nil), regions...) }
}

// New starts an emulator with plain-http SWR and IAM endpoints on loopback
// ports.
func New(opts ...Option) *Server { return start(false, opts) }

// NewTLS starts an emulator whose SWR and IAM endpoints are https, with
// httptest's certificate (see Certificate); the registries stay plain http.
func NewTLS(opts ...Option) *Server { return start(true, opts) }

func start(useTLS bool, opts []Option) *Server {
	s := &Server{
		now:       time.Now,
		regions:   []string{"cn-north-4"},
		users:     map[string]*Account{},
		keys:      map[string]*accessKey{},
		tokens:    map[string]*token{},
		idps:      map[string]*IdP{},
		instances: map[string]*Instance{},
		tempCreds: map[string]*regCred{},
		ltCreds:   map[string]*ltCred{},
		secrets:   map[string]*regCred{},
		shared:    map[string]*registrytest.Server{},
		calls:     map[string]int{},
	}
	for _, o := range opts {
		o(s)
	}
	newSrv := httptest.NewServer
	if useTLS {
		newSrv = httptest.NewTLSServer
	}
	s.swrSrv = newSrv(http.HandlerFunc(s.serveSWR))
	s.iamSrv = newSrv(http.HandlerFunc(s.serveIAM))
	s.SWRURL, s.IAMURL = s.swrSrv.URL, s.iamSrv.URL
	return s
}

// Certificate returns the certificate of the https endpoints of a server
// started with NewTLS (nil otherwise), to trust in a client.
func (s *Server) Certificate() *x509.Certificate {
	if s.swrSrv.TLS == nil {
		return nil
	}
	return s.swrSrv.Certificate()
}

// SWRAddr returns the SWR listener's host:port.
func (s *Server) SWRAddr() string { return s.swrSrv.Listener.Addr().String() }

// IAMAddr returns the IAM listener's host:port.
func (s *Server) IAMAddr() string { return s.iamSrv.Listener.Addr().String() }

// Now returns the emulator's time.
func (s *Server) Now() time.Time { return s.now() }

// Close shuts down the endpoints and every registry.
func (s *Server) Close() {
	s.swrSrv.Close()
	s.iamSrv.Close()
	s.mu.Lock()
	s.closed = true
	var regs []*registrytest.Server
	for _, in := range s.instances {
		regs = append(regs, in.Registry)
	}
	for _, r := range s.shared {
		regs = append(regs, r)
	}
	s.mu.Unlock()
	for _, r := range regs {
		r.Close()
	}
}

// Regions returns the regions accounts get projects in.
func (s *Server) Regions() []string { return append([]string(nil), s.regions...) }

// Clock is a settable clock, safe for concurrent use: pass its Now to the
// emulator and to the code under test, and Advance it to expire tokens.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock returns a clock showing t.
func NewClock(t time.Time) *Clock { return &Clock{t: t} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}
