package ghtest

import (
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/regmint/regmint/core/internal/faultq"
)

// Endpoints, as Calls, Inject and SetLatency name them; each covers the
// repository, environment and organization forms.
const (
	EndpointAccessToken    = "POST access_tokens"
	EndpointPublicKey      = "GET public-key"
	EndpointPutSecret      = "PUT secret"
	EndpointGetSecret      = "GET secret"
	EndpointGetVariable    = "GET variable"
	EndpointCreateVariable = "POST variable"
	EndpointUpdateVariable = "PATCH variable"
)

// Messages and documentation of GitHub's rate-limit answers.
const (
	messagePrimary   = "API rate limit exceeded for installation. If you reach out to GitHub Support for help, please include the request ID."
	docsPrimary      = "https://docs.github.com/rest/overview/resources-in-the-rest-api#rate-limiting"
	messageSecondary = "You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID."
	docsSecondary    = "https://docs.github.com/free-pro-team@latest/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits"
)

// Fault is an answer that replaces the next calls of an endpoint, before
// their token is checked or they are handled (as GitHub's front end
// answers).
type Fault struct {
	// Endpoint limits the fault to one endpoint (an Endpoint constant);
	// "" matches every call.
	Endpoint string
	// Status is the HTTP status (403, 429, 500, 502, ...).
	Status int
	// Message and Docs are the JSON body's "message" and
	// "documentation_url".
	Message, Docs string
	// Reset, if set, makes the answer a primary rate limit:
	// X-RateLimit-Remaining: 0 and X-RateLimit-Reset this far in the
	// future (rounded up to a whole second).
	Reset time.Duration
	// RetryAfter, if set, adds a Retry-After header of this many (whole)
	// seconds.
	RetryAfter time.Duration
}

// PrimaryRateLimit is GitHub's answer when a token has used its hourly
// requests: status 403 (or 429) with X-RateLimit-Remaining: 0 and the reset
// time reset from now.
func PrimaryRateLimit(endpoint string, status int, reset time.Duration) Fault {
	return Fault{Endpoint: endpoint, Status: status, Message: messagePrimary, Docs: docsPrimary, Reset: reset}
}

// SecondaryRateLimit is GitHub's answer to too many requests in a short
// time: status 403 or 429 with Retry-After.
func SecondaryRateLimit(endpoint string, status int, retryAfter time.Duration) Fault {
	return Fault{Endpoint: endpoint, Status: status, Message: messageSecondary, Docs: docsSecondary, RetryAfter: retryAfter}
}

// ServerError is a 5xx answer (500 "Server Error", 502 from the front end,
// 503 "Service Unavailable").
func ServerError(endpoint string, status int) Fault {
	return Fault{Endpoint: endpoint, Status: status, Message: http.StatusText(status)}
}

// Inject makes the next n calls matching f.Endpoint answer with f; n < 0
// until ClearFaults. Faults apply in the order injected.
func (s *Server) Inject(n int, f Fault) {
	if n == 0 {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults.Add(n, f.Endpoint, f)
}

// SetLatency delays every call of endpoint ("" for all) by d before it is
// answered; 0 turns it off. A delayed call ends early if its client goes
// away or the server closes.
func (s *Server) SetLatency(endpoint string, d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults.SetLatency(endpoint, d)
}

// ClearFaults drops pending faults and latency.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults.Clear()
}

// arrive counts a call and picks its fault and latency.
func (s *Server) arrive(endpoint string) (*Fault, time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls[endpoint]++
	s.requests++
	f, d := s.faults.Next(endpoint)
	if f == nil {
		f = s.overPrimaryLocked(endpoint)
	}
	if f == nil {
		f = s.overSecondaryLocked(endpoint)
	}
	return f, d
}

// wait holds a call for d; false if the client went away or the server
// closed first.
func (s *Server) wait(r *http.Request, d time.Duration) bool { return faultq.Wait(r, s.done, d) }

// faultError renders a fault as an error answer.
func (s *Server) faultError(f *Fault) *apiError {
	status := f.Status
	if status == 0 {
		status = http.StatusInternalServerError
	}
	e := &apiError{status: status, message: f.Message, docs: f.Docs, header: http.Header{}}
	if f.Reset > 0 {
		reset := s.Now().Add(f.Reset)
		e.header.Set("X-RateLimit-Remaining", "0")
		e.header.Set("X-RateLimit-Reset", strconv.FormatInt(int64(math.Ceil(float64(reset.UnixNano())/1e9)), 10))
	}
	if f.RetryAfter > 0 {
		e.header.Set("Retry-After", strconv.FormatInt(int64(math.Ceil(f.RetryAfter.Seconds())), 10))
	}
	return e
}
