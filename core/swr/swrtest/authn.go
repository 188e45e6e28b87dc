package swrtest

import (
	"net/http"
)

// headerAuthToken carries an IAM token.
const headerAuthToken = "X-Auth-Token"

// principal is who a request authenticated as.
type principal struct {
	acct *Account
	// tokenProject is the project an IAM token is scoped to ("" for an
	// unscoped token); viaToken says a token was used.
	tokenProject string
	viaToken     bool
	// identity is the IAM identity: "user:<user id>" for the IAM user
	// (password, permanent keys), "federated:<idp id>" for a user federated
	// through an identity provider. SWR lists a caller's own long-term
	// credentials by it (self_only).
	identity string
}

// authenticate checks a request's SDK-HMAC-SHA256 signature (when it has an
// Authorization header) or its IAM token, as the gateway does, and answers
// 401 APIGW.0301 when neither holds.
func (s *Server) authenticate(w http.ResponseWriter, r *http.Request, body []byte) (principal, bool) {
	if h := r.Header.Get("Authorization"); h != "" {
		return s.authSignature(w, r, body, h)
	}
	if tok := r.Header.Get(headerAuthToken); tok != "" {
		s.mu.Lock()
		t, ok := s.tokens[tok]
		expired := ok && !s.now().Before(t.expires)
		s.mu.Unlock()
		switch {
		case !ok:
			s.authFailed(w, "verify token failed")
			return principal{}, false
		case expired:
			s.authFailed(w, "the token has expired")
			return principal{}, false
		}
		return principal{acct: t.acct, tokenProject: t.projectID, viaToken: true, identity: t.identity}, true
	}
	s.authFailed(w, "neither Authorization nor X-Auth-Token is present")
	return principal{}, false
}

func (s *Server) authSignature(w http.ResponseWriter, r *http.Request, body []byte, h string) (principal, bool) {
	a, err := parseAuthorization(h)
	if err != nil {
		s.authFailed(w, err.Error())
		return principal{}, false
	}
	s.mu.Lock()
	k, ok := s.keys[a.access]
	var key accessKey
	if ok {
		key = *k
	}
	now := s.now()
	s.mu.Unlock()
	switch {
	case !ok || key.deleted:
		s.authFailed(w, "ak "+a.access+" not exist")
		return principal{}, false
	case !key.expires.IsZero() && !now.Before(key.expires):
		s.authFailed(w, "the temporary access key has expired")
		return principal{}, false
	case key.securityToken != "" && (!eq(r.Header.Get(headerSecToken), key.securityToken) || !a.signedHas(headerSecToken)):
		s.authFailed(w, "verify security token failed")
		return principal{}, false
	}
	if err := checkDate(r, a, s.signatureNow()); err != nil {
		s.authFailed(w, err.Error())
		return principal{}, false
	}
	if !eq(signature(r, body, a, key.sk), a.signature) {
		s.authFailed(w, "verify aksk signature fail")
		return principal{}, false
	}
	return principal{acct: key.acct, identity: key.identity}, true
}

// authorizeProject checks that the principal may act in project pid: the
// project is its account's, an IAM token is scoped to it, and an
// X-Project-Id header names it.
func (s *Server) authorizeProject(w http.ResponseWriter, r *http.Request, p principal, pid string) bool {
	owned := false
	for _, id := range p.acct.Projects {
		if id == pid {
			owned = true
		}
	}
	switch {
	case !owned:
		s.apiError(w, http.StatusForbidden, "APIGW.0302", "The IAM or ACL authentication failed: project "+pid+" is not a project of the account")
		return false
	case p.viaToken && p.tokenProject != pid:
		s.apiError(w, http.StatusForbidden, "APIGW.0302", "The IAM or ACL authentication failed: the token is not scoped to project "+pid)
		return false
	case r.Header.Get(headerProject) != "" && r.Header.Get(headerProject) != pid:
		s.apiError(w, http.StatusForbidden, "APIGW.0302", "The IAM or ACL authentication failed: X-Project-Id does not match the project of the request")
		return false
	case p.acct.denied:
		s.apiError(w, http.StatusForbidden, "SVCSTG.SWR.4030001", "Permission denied: the user has no SWR permission in this project")
		return false
	}
	return true
}

// regionOf returns the region of one of the account's projects, or "".
func regionOf(a *Account, pid string) string {
	for r, id := range a.Projects {
		if id == pid {
			return r
		}
	}
	return ""
}
