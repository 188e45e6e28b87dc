package smtest

import (
	"net/http"
	"time"
)

// Fault is a failure the server answers a call with. Unless AfterApply or
// Malformed is set it answers before the signature is checked or the call
// is handled, as a front end that throttles or fails would.
type Fault struct {
	// Op limits the fault to one operation (e.g. "PutSecretValue"); ""
	// matches every call.
	Op string
	// Code and Message make the call answer with this error in the JSON
	// 1.1 shape, with HTTP status Status (400 if zero).
	Code, Message string
	// Status without Code answers this HTTP status with a non-JSON body,
	// as a failing load balancer does.
	Status int
	// AfterApply handles the call (a write is stored) and then answers
	// with the fault instead of the result: a lost response, which the
	// client retries.
	AfterApply bool
	// Malformed handles the call, then sends back only the first half of
	// the JSON answer.
	Malformed bool
}

// Throttled is the fault AWS answers when a caller exceeds the request
// rate: HTTP 400 ThrottlingException.
func Throttled(op string) Fault {
	return Fault{Op: op, Code: CodeThrottling, Message: messageThrottled, Status: http.StatusBadRequest}
}

// Internal is the service's own 5xx: HTTP 500 InternalServiceError.
func Internal(op string) Fault {
	return Fault{Op: op, Code: CodeInternalServiceError, Message: messageInternal, Status: http.StatusInternalServerError}
}

// Unavailable is a front end's 503 with an HTML body.
func Unavailable(op string) Fault {
	return Fault{Op: op, Status: http.StatusServiceUnavailable}
}

type pendingFault struct {
	f Fault
	n int // calls left; < 0: every call until ClearFaults
}

type faultState struct {
	queue   []*pendingFault
	latency map[string]time.Duration // by op; "" for every op
}

// Inject makes the next n calls matching f.Op fail with f; n < 0 makes
// every matching call fail until ClearFaults. Faults are used in the order
// injected.
func (s *Server) Inject(n int, f Fault) {
	if n == 0 {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults.queue = append(s.faults.queue, &pendingFault{f: f, n: n})
}

// Throttle makes the next n calls of op ("" for any) fail with
// ThrottlingException.
func (s *Server) Throttle(n int, op string) { s.Inject(n, Throttled(op)) }

// FailInternal makes the next n calls of op ("" for any) fail with HTTP
// 500 InternalServiceError.
func (s *Server) FailInternal(n int, op string) { s.Inject(n, Internal(op)) }

// SetLatency delays every call of op ("" for every operation) by d before
// it is answered; 0 turns it off. A delayed call ends early if its client
// goes away or the server closes.
func (s *Server) SetLatency(op string, d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.faults.latency == nil {
		s.faults.latency = map[string]time.Duration{}
	}
	if d <= 0 {
		delete(s.faults.latency, op)
		return
	}
	s.faults.latency[op] = d
}

// ClearFaults drops every pending fault and all latency.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = faultState{}
}

// arrive counts a call and picks the fault (if any) and the latency it
// gets.
func (s *Server) arrive(op string) (*Fault, time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls[op]++
	delay := s.faults.latency[""] + s.faults.latency[op]
	for i, p := range s.faults.queue {
		if p.f.Op != "" && p.f.Op != op {
			continue
		}
		f := p.f
		if p.n > 0 {
			if p.n--; p.n == 0 {
				s.faults.queue = append(s.faults.queue[:i:i], s.faults.queue[i+1:]...)
			}
		}
		return &f, delay
	}
	return nil, delay
}

// wait holds a call for d; it reports false if the client went away or the
// server closed first.
func (s *Server) wait(r *http.Request, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.Context().Done():
	case <-s.done:
	}
	return false
}

// answerFault writes a fault's answer (not for Malformed).
func (s *Server) answerFault(w http.ResponseWriter, requestID string, f *Fault) {
	if f.Code == "" {
		status := f.Status
		if status == 0 {
			status = http.StatusServiceUnavailable
		}
		w.Header().Set("Content-Type", "text/html")
		w.Header().Set("Date", s.Now().UTC().Format(http.TimeFormat))
		w.WriteHeader(status)
		w.Write([]byte("<html><body><h1>" + http.StatusText(status) + "</h1></body></html>\n"))
		return
	}
	status := f.Status
	if status == 0 {
		status = http.StatusBadRequest
	}
	e := requestErr(status, f.Code, f.Message)
	e.service = f.Code == CodeInternalServiceError
	s.writeError(w, requestID, e)
}
