package tcrtest

import (
	"math/rand/v2"
	"net/http"
	"time"

	"github.com/regmint/regmint/core/internal/faultq"
)

// Fault is a failure the emulator answers a call with instead of (or, for
// Malformed, after) handling it. Faults apply before any signature check,
// as a gateway in front of the service would answer.
type Fault struct {
	// Action limits the fault to calls of one action (e.g.
	// "CreateInstanceToken" or "AssumeRoleWithWebIdentity"); "" matches
	// every call, API and STS.
	Action string
	// Code and Message make the call answer with this vendor error (HTTP
	// 200, the vendor's error shape).
	Code, Message string
	// Status makes the call answer with this HTTP status and a non-JSON
	// body, as a failing gateway does.
	Status int
	// Malformed handles the call, then sends back the JSON answer without
	// its last byte: invalid JSON that still holds every value (the minted
	// token, STS keys), as a connection cut at the very end would. Whatever
	// the call did (e.g. mint a token) is done.
	Malformed bool
	// Drop closes the connection without any answer, as a connection lost
	// mid-call: the client sees EOF or a reset, never a status. The call
	// is not handled, unless AfterHandling is set.
	Drop bool
	// AfterHandling makes a Drop happen after the call was handled:
	// whatever it did (e.g. mint a token) is done, and its answer is lost.
	AfterHandling bool
}

type pending struct {
	f Fault
	n int
}

type faultState struct {
	queue        []*pending
	throttleRate float64
	latency      time.Duration
	rng          *rand.Rand
	rateLimits   map[string]*rateLimit // by action
}

func (f *faultState) init() {
	f.rng = rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64()))
	f.rateLimits = map[string]*rateLimit{}
}

// Inject makes the next n calls matching f.Action fail with f. Injected
// faults are used in the order given.
func (s *Server) Inject(n int, f Fault) {
	if n <= 0 {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults.queue = append(s.faults.queue, &pending{f: f, n: n})
}

// Throttle makes the next n calls (of any action) fail with
// RequestLimitExceeded.
func (s *Server) Throttle(n int) {
	s.Inject(n, Fault{Code: codeRequestLimit, Message: "Your current request times equals to `100` in a second, which exceeds the frequency limit `100` for a second. Please reduce the frequency of calls."})
}

// FailHTTP makes the next n calls (of any action) answer HTTP status (e.g.
// 502) with an HTML body.
func (s *Server) FailHTTP(n, status int) { s.Inject(n, Fault{Status: status}) }

// Malform makes the next n calls (of any action) answer a cut-short JSON
// body after handling the call.
func (s *Server) Malform(n int) { s.Inject(n, Fault{Malformed: true}) }

// DropConnections makes the next n calls (of any action) lose their
// connection without an answer, before (or, with afterHandling, after)
// the call is handled.
func (s *Server) DropConnections(n int, afterHandling bool) {
	s.Inject(n, Fault{Drop: true, AfterHandling: afterHandling})
}

// SetThrottleRate makes each call fail with RequestLimitExceeded with
// probability p (0 turns it off), after any injected fault is used.
func (s *Server) SetThrottleRate(p float64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults.throttleRate = p
}

// SetLatency delays every call by d before it is answered (0 turns it
// off). A delayed call ends early if its client goes away or the server
// closes.
func (s *Server) SetLatency(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults.latency = d
}

// ClearFaults drops every pending fault, the throttle rate, the rate
// limits and the latency.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults.queue = nil
	s.faults.rateLimits = map[string]*rateLimit{}
	s.faults.throttleRate = 0
	s.faults.latency = 0
}

// arrive counts a call and picks the fault (if any) and latency it gets.
func (s *Server) arrive(action string) (*Fault, time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls[action]++
	fs := &s.faults
	for i, p := range fs.queue {
		if p.f.Action != "" && p.f.Action != action {
			continue
		}
		f := p.f
		if p.n--; p.n == 0 {
			fs.queue = append(fs.queue[:i:i], fs.queue[i+1:]...)
		}
		return &f, fs.latency
	}
	if f := s.overLimitLocked(action); f != nil {
		return f, fs.latency
	}
	if fs.throttleRate > 0 && fs.rng.Float64() < fs.throttleRate {
		return &Fault{Code: codeRequestLimit, Message: "Request limit exceeded."}, fs.latency
	}
	return nil, fs.latency
}

// wait holds a call for d; it reports false if the client went away or the
// server closed first.
func (s *Server) wait(r *http.Request, d time.Duration) bool { return faultq.Wait(r, s.done, d) }

// answerFault writes a non-Malformed fault's answer.
func answerFault(w http.ResponseWriter, f *Fault, requestID string) {
	if f.Status != 0 {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(f.Status)
		w.Write([]byte("<html><body><h1>" + http.StatusText(f.Status) + "</h1></body></html>\n"))
		return
	}
	writeJSON(w, errorBody(&apiErr{code: f.Code, message: f.Message}, requestID))
}

// serveCall runs the steps every endpoint shares: count, fault, latency,
// then handle and write the answer (cut short for Malformed, lost for
// Drop).
func (s *Server) serveCall(w http.ResponseWriter, r *http.Request, action string, handle func(requestID string) []byte) {
	requestID := newUUID()
	f, delay := s.arrive(action)
	if !s.wait(r, delay) {
		w.WriteHeader(http.StatusServiceUnavailable)
		return
	}
	switch {
	case f != nil && f.Drop && f.AfterHandling:
		handle(requestID)
		faultq.Drop(w)
		return
	case f != nil && f.Drop:
		faultq.Drop(w)
		return
	case f != nil && !f.Malformed:
		answerFault(w, f, requestID)
		return
	}
	body := handle(requestID)
	if f != nil {
		body = body[:len(body)-1]
	}
	writeJSON(w, body)
}
