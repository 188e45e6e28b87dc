package smtest

import (
	"net/http"
	"time"

	"github.com/regmint/regmint/core/internal/faultq"
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
	// Drop closes the connection without any answer, as a connection lost
	// mid-call (the client sees EOF or a reset): before the signature is
	// checked, or with AfterApply once the call is handled (a write is
	// stored and its answer lost).
	Drop bool
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

// Dropped is a connection lost on a call of op: before it is handled, or
// with afterApply once it is (a write is stored and its answer lost).
func Dropped(op string, afterApply bool) Fault {
	return Fault{Op: op, Drop: true, AfterApply: afterApply}
}

// Unavailable is a front end's 503 with an HTML body.
func Unavailable(op string) Fault {
	return Fault{Op: op, Status: http.StatusServiceUnavailable}
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
	s.faults.Add(n, f.Op, f)
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
	s.faults.SetLatency(op, d)
}

// ClearFaults drops every pending fault and all latency.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults.Clear()
}

// arrive counts a call and picks the fault (if any) and the latency it
// gets.
func (s *Server) arrive(op string) (*Fault, time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls[op]++
	f, d := s.faults.Next(op)
	if f == nil {
		f = s.overQuotaLocked(op)
	}
	return f, d
}

// wait holds a call for d; it reports false if the client went away or the
// server closed first.
func (s *Server) wait(r *http.Request, d time.Duration) bool { return faultq.Wait(r, s.done, d) }

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
