package ghtest

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"
)

// Rate-limit figures every answer reports, as for an installation.
const (
	rateLimit  = 5000
	docsURL    = "https://docs.github.com/rest"
	maxBody    = 1 << 20
	maxSecret  = 48 * 1024 // bytes of a secret's value
	maxVarSize = 48 * 1024 // bytes of a variable's value
)

// apiError is an error answer: status, GitHub's "message" and
// "documentation_url", and headers to add.
type apiError struct {
	status  int
	message string
	docs    string
	header  http.Header
}

func errorOf(status int, message string) *apiError {
	return &apiError{status: status, message: message, docs: docsURL}
}

// invalid is GitHub's 422 for a body that misses or misuses a field.
func invalid(message string) *apiError {
	return errorOf(http.StatusUnprocessableEntity, message)
}

// headers sets what every answer carries: a request id and the rate-limit
// state.
func (s *Server) headers(w http.ResponseWriter) {
	s.mu.Lock()
	used := s.requests
	reset := s.nowLocked().Add(time.Hour).Unix()
	s.mu.Unlock()
	h := w.Header()
	h.Set("X-GitHub-Request-Id", randomHex(4)+":"+randomHex(4)+":"+randomHex(6)+":"+randomHex(6)+":"+randomHex(4))
	h.Set("X-RateLimit-Limit", strconv.Itoa(rateLimit))
	h.Set("X-RateLimit-Remaining", strconv.Itoa(max(rateLimit-used, 1)))
	h.Set("X-RateLimit-Used", strconv.Itoa(used))
	h.Set("X-RateLimit-Reset", strconv.FormatInt(reset, 10))
	h.Set("X-RateLimit-Resource", "core")
	h.Set("X-GitHub-Api-Version-Selected", "2022-11-28")
}

func (s *Server) writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"message":"Server Error"}`)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	w.Write(b)
}

func (s *Server) writeError(w http.ResponseWriter, e *apiError) {
	for k, vs := range e.header {
		for _, v := range vs {
			w.Header().Set(k, v)
		}
	}
	body := map[string]string{"message": e.message, "status": strconv.Itoa(e.status)}
	if e.docs != "" {
		body["documentation_url"] = e.docs
	}
	s.writeJSON(w, e.status, body)
}

// noContent answers 204.
func noContent(w http.ResponseWriter) { w.WriteHeader(http.StatusNoContent) }

func randomHex(n int) string {
	const hex = "0123456789ABCDEF"
	b := []byte(randomAlnum(n))
	for i := range b {
		b[i] = hex[int(b[i])%16]
	}
	return string(b)
}
