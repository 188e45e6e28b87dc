package swrtest

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/regmint/regmint/core/internal/faultq"
)

// The operations, named as the SDK names them, for Fault.Op and Calls.
const (
	OpShowInstance                      = "ShowInstance"
	OpListInstance                      = "ListInstance"
	OpCreateInstanceTempCredential      = "CreateInstanceTempCredential"
	OpCreateInstanceLtCredential        = "CreateInstanceLtCredential"
	OpListInstanceLtCredentials         = "ListInstanceLtCredentials"
	OpDeleteInstanceLtCredential        = "DeleteInstanceLtCredential"
	OpCreateSecret                      = "CreateSecret"
	OpKeystoneCreateUserTokenByPassword = "KeystoneCreateUserTokenByPassword"
	OpKeystoneListProjects              = "KeystoneListProjects"
	OpCreateTokenWithIdToken            = "CreateTokenWithIdToken"
	OpCreateTemporaryAccessKeyByToken   = "CreateTemporaryAccessKeyByToken"
)

// Forever makes a Fault apply to every matching call.
const Forever = -1

// Fault is a misbehaviour injected into the next calls of an operation.
type Fault struct {
	// Op is the operation (an Op constant); "" matches every operation.
	Op string
	// Status answers with this HTTP status and the gateway's error body for
	// it (429: APIGW.0308 throttling; 5xx: a server error).
	Status int
	// Malformed answers the operation's success status with its body cut
	// off (the operation is carried out).
	Malformed bool
	// Oversized answers the operation's success status with its body
	// followed by 2 MiB of JSON whitespace: an answer past every limit a
	// client should read to (the operation is carried out).
	Oversized bool
	// Delay waits this long before answering (less if the client gives up).
	Delay time.Duration
	// Drop closes the connection without any answer, as a connection lost
	// mid-call: the client sees EOF or a reset, never a status.
	Drop bool
	// AfterProcessing carries the operation out before answering with
	// Status or dropping the connection: the client sees a failure for
	// something that happened.
	AfterProcessing bool
	// Times is how many matching calls the fault applies to: 0 means 1,
	// Forever means all.
	Times int
}

type fault struct {
	Fault
	left int
}

// Inject adds a fault. Faults apply in the order injected.
func (s *Server) Inject(f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	left := f.Times
	if left == 0 {
		left = 1
	}
	s.faults = append(s.faults, &fault{Fault: f, left: left})
}

// ClearFaults removes every fault.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = nil
}

// Calls returns how many requests reached an operation (whatever the
// answer).
func (s *Server) Calls(op string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[op]
}

// count records a call of op and returns the fault that applies to it.
func (s *Server) count(op string) *Fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls[op]++
	for i, f := range s.faults {
		if f.Op != "" && f.Op != op {
			continue
		}
		if f.left != Forever {
			f.left--
			if f.left == 0 {
				s.faults = append(s.faults[:i:i], s.faults[i+1:]...)
			}
		}
		ff := f.Fault
		return &ff
	}
	return nil
}

// serveOp answers one operation, applying any fault to it.
func (s *Server) serveOp(w http.ResponseWriter, r *http.Request, op string, handle func(w http.ResponseWriter)) {
	f := s.count(op)
	if f == nil {
		handle(w)
		return
	}
	if f.Delay > 0 {
		t := time.NewTimer(f.Delay)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return
		}
	}
	switch {
	case f.Oversized:
		rec := httptest.NewRecorder()
		handle(rec)
		copyHeader(w.Header(), rec.Header())
		w.Header().Del("Content-Length")
		w.WriteHeader(rec.Code)
		w.Write(rec.Body.Bytes())
		pad := bytes.Repeat([]byte(" "), 64<<10)
		for range 32 {
			if _, err := w.Write(pad); err != nil {
				return
			}
		}
	case f.Malformed:
		rec := httptest.NewRecorder()
		handle(rec)
		copyHeader(w.Header(), rec.Header())
		w.WriteHeader(rec.Code)
		body := rec.Body.Bytes()
		if rec.Code < 300 && len(body) > 2 {
			body = body[:len(body)*2/3]
		}
		w.Write(body)
	case f.Drop && f.AfterProcessing:
		handle(httptest.NewRecorder())
		faultq.Drop(w)
	case f.Drop:
		faultq.Drop(w)
	case f.Status != 0 && f.AfterProcessing:
		handle(httptest.NewRecorder())
		s.writeFault(w, f.Status)
	case f.Status != 0:
		s.writeFault(w, f.Status)
	default:
		handle(w)
	}
}

func (s *Server) writeFault(w http.ResponseWriter, status int) {
	switch {
	case status == http.StatusTooManyRequests:
		s.apiError(w, status, "APIGW.0308", "The throttling threshold has been reached: policy user over ratelimit")
	case status >= 500:
		s.apiError(w, status, "SVCSTG.SWR.5000001", http.StatusText(status))
	default:
		s.apiError(w, status, "SVCSTG.SWR.4000001", http.StatusText(status))
	}
}

func copyHeader(dst, src http.Header) {
	for k, vs := range src {
		dst[k] = append([]string(nil), vs...)
	}
}
