package ghtest

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
)

// Scope prefixes of the secrets and variables paths.
var scopePrefixes = []string{
	"/repos/{owner}/{repo}/actions",
	"/repos/{owner}/{repo}/environments/{env}",
	"/orgs/{org}/actions",
}

// routes returns the server's handler: the API at the root and under
// /api/v3, with GitHub's JSON 404 for anything else.
func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	for _, p := range scopePrefixes {
		mux.Handle("GET "+p+"/secrets/public-key", s.api(EndpointPublicKey, s.getPublicKey))
		mux.Handle("PUT "+p+"/secrets/{name}", s.api(EndpointPutSecret, s.putSecret))
		mux.Handle("GET "+p+"/secrets/{name}", s.api(EndpointGetSecret, s.getSecret))
		mux.Handle("GET "+p+"/variables/{name}", s.api(EndpointGetVariable, s.getVariable))
		mux.Handle("PATCH "+p+"/variables/{name}", s.api(EndpointUpdateVariable, s.updateVariable))
		mux.Handle("POST "+p+"/variables", s.api(EndpointCreateVariable, s.createVariable))
		mux.Handle("GET "+p+"/secrets", s.api(EndpointListSecrets, s.listSecrets))
		mux.Handle("GET "+p+"/variables", s.api(EndpointListVariables, s.listVariables))
	}
	mux.Handle("POST /app/installations/{id}/access_tokens", s.endpoint(EndpointAccessToken, s.createAccessToken))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if p, ok := strings.CutPrefix(r.URL.Path, "/api/v3/"); ok {
			r2 := r.Clone(r.Context())
			r2.URL.Path = "/" + p
			r2.URL.RawPath = ""
			if rp, ok := strings.CutPrefix(r.URL.RawPath, "/api/v3/"); ok {
				r2.URL.RawPath = "/" + rp
			}
			r = r2
		}
		s.headers(w)
		if _, pattern := mux.Handler(r); pattern == "" {
			s.mu.Lock()
			s.requests++
			s.mu.Unlock()
			s.writeError(w, errorOf(http.StatusNotFound, "Not Found"))
			return
		}
		mux.ServeHTTP(w, r)
	})
}

// endpoint runs what every call shares: count, latency, fault.
func (s *Server) endpoint(name string, h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f, delay := s.arrive(name)
		if !s.wait(r, delay) {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		if f != nil {
			s.writeError(w, s.faultError(f))
			return
		}
		h(w, r)
	})
}

// api is endpoint plus the token check and the scope lookup (404 for a
// repository, environment or organization the server does not know, as
// GitHub answers for one the token cannot see).
func (s *Server) api(name string, h func(http.ResponseWriter, *http.Request, Scope)) http.Handler {
	return s.endpoint(name, func(w http.ResponseWriter, r *http.Request) {
		if e := s.authorize(r); e != nil {
			s.writeError(w, e)
			return
		}
		sc := scopeOf(r)
		s.mu.Lock()
		ok := s.existsLocked(sc)
		s.mu.Unlock()
		if !ok {
			s.writeError(w, errorOf(http.StatusNotFound, "Not Found"))
			return
		}
		h(w, r, sc)
	})
}

func scopeOf(r *http.Request) Scope {
	if org := r.PathValue("org"); org != "" {
		return Org(org)
	}
	return Scope{Repository: r.PathValue("owner") + "/" + r.PathValue("repo"), Environment: r.PathValue("env")}
}

// decodeBody reads a JSON request body into v; GitHub answers 400
// "Problems parsing JSON" to one it cannot read.
func decodeBody(r *http.Request, v any) *apiError {
	b, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil || len(b) > maxBody || json.Unmarshal(b, v) != nil {
		return errorOf(http.StatusBadRequest, "Problems parsing JSON")
	}
	return nil
}
