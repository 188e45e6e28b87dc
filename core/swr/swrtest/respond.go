package swrtest

import (
	"encoding/json"
	"fmt"
	"net/http"
)

// requestID returns a new X-Request-Id.
func (s *Server) requestID() string {
	s.mu.Lock()
	s.requestSeq++
	n := s.requestSeq
	s.mu.Unlock()
	return fmt.Sprintf("%s%08x", randHex(12), n)
}

// writeJSON answers status with v as JSON, and an X-Request-Id.
func (s *Server) writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	if w.Header().Get("X-Request-Id") == "" {
		w.Header().Set("X-Request-Id", s.requestID())
	}
	w.WriteHeader(status)
	if v != nil {
		json.NewEncoder(w).Encode(v)
	}
}

// apiError answers with the API gateway's and SWR's error body:
// {"error_code","error_msg","request_id"}.
func (s *Server) apiError(w http.ResponseWriter, status int, code, msg string) {
	id := s.requestID()
	w.Header().Set("X-Request-Id", id)
	s.writeJSON(w, status, map[string]string{"error_code": code, "error_msg": msg, "request_id": id})
}

// keystoneError answers with IAM's Keystone error body:
// {"error":{"code":401,"message":"...","title":"Unauthorized"}}.
func (s *Server) keystoneError(w http.ResponseWriter, status int, msg string) {
	s.writeJSON(w, status, map[string]any{"error": map[string]any{"code": status, "message": msg, "title": http.StatusText(status)}})
}

// authFailed answers 401 APIGW.0301, as the gateway does for every
// authentication failure.
func (s *Server) authFailed(w http.ResponseWriter, why string) {
	s.apiError(w, http.StatusUnauthorized, "APIGW.0301", "Incorrect IAM authentication information: "+why)
}

// timeFormat is how IAM and SWR write times: "2006-01-02T15:04:05.000000Z".
const timeFormat = "2006-01-02T15:04:05.000000Z"
