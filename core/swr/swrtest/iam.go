package swrtest

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"time"
)

// serveIAM routes the IAM v3 API.
func (s *Server) serveIAM(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		return
	}
	switch {
	case r.Method == http.MethodPost && r.URL.Path == "/v3/auth/tokens":
		s.serveOp(w, r, OpKeystoneCreateUserTokenByPassword, func(w http.ResponseWriter) { s.passwordToken(w, body) })
	case r.Method == http.MethodGet && r.URL.Path == "/v3/projects":
		s.serveOp(w, r, OpKeystoneListProjects, func(w http.ResponseWriter) { s.listProjects(w, r, body) })
	case r.Method == http.MethodPost && r.URL.Path == "/v3.0/OS-AUTH/id-token/tokens":
		s.serveOp(w, r, OpCreateTokenWithIdToken, func(w http.ResponseWriter) { s.idToken(w, r, body) })
	case r.Method == http.MethodPost && r.URL.Path == "/v3.0/OS-CREDENTIAL/securitytokens":
		s.serveOp(w, r, OpCreateTemporaryAccessKeyByToken, func(w http.ResponseWriter) { s.securityToken(w, r, body) })
	default:
		s.apiError(w, http.StatusNotFound, "APIGW.0101", "The API does not exist or has not been published in the environment")
	}
}

// scopeJSON is a token request's scope.
type scopeJSON struct {
	Project *struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	} `json:"project"`
	Domain *struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	} `json:"domain"`
}

// resolveScope returns the project (id, region) a scope names in the
// account; an absent scope is an unscoped token (ok, "").
func resolveScope(a *Account, sc *scopeJSON) (pid, region string, ok bool) {
	if sc == nil || sc.Project == nil {
		return "", "", sc == nil || sc.Domain == nil
	}
	for r, id := range a.Projects {
		if (sc.Project.ID != "" && id == sc.Project.ID) || (sc.Project.ID == "" && sc.Project.Name == r) {
			return id, r, true
		}
	}
	return "", "", false
}

// passwordToken is KeystoneCreateUserTokenByPassword: 201, the token in
// X-Subject-Token, the body's token.expires_at; a wrong user, password or
// domain is 401 with IAM's body.
func (s *Server) passwordToken(w http.ResponseWriter, body []byte) {
	var req struct {
		Auth struct {
			Identity struct {
				Methods  []string `json:"methods"`
				Password struct {
					User struct {
						Name     string `json:"name"`
						Password string `json:"password"`
						Domain   struct {
							Name string `json:"name"`
						} `json:"domain"`
					} `json:"user"`
				} `json:"password"`
			} `json:"identity"`
			Scope *scopeJSON `json:"scope"`
		} `json:"auth"`
	}
	if json.Unmarshal(body, &req) != nil || len(req.Auth.Identity.Methods) != 1 || req.Auth.Identity.Methods[0] != "password" {
		s.keystoneError(w, http.StatusBadRequest, "Request body is invalid.")
		return
	}
	u := req.Auth.Identity.Password.User
	s.mu.Lock()
	a, ok := s.users[u.Domain.Name+"/"+u.Name]
	s.mu.Unlock()
	if !ok || !eq(a.Password, u.Password) {
		s.keystoneError(w, http.StatusUnauthorized, "The username or password is wrong.")
		return
	}
	pid, region, ok := resolveScope(a, req.Auth.Scope)
	if !ok {
		s.keystoneError(w, http.StatusBadRequest, "Invalid scope: the project does not exist in the account.")
		return
	}
	s.issueToken(w, a, userIdentity(a), pid, region, []string{"password"}, TokenTTL)
}

// issueToken answers 201 with a new token.
func (s *Server) issueToken(w http.ResponseWriter, a *Account, identity, pid, region string, methods []string, ttl time.Duration) {
	value := "swrtest-iam-" + randHex(40)
	now := s.now().UTC()
	t := &token{acct: a, identity: identity, projectID: pid, region: region, expires: now.Add(ttl), methods: methods}
	s.mu.Lock()
	s.tokens[value] = t
	s.remember(value)
	s.mu.Unlock()
	domain := map[string]string{"id": a.DomainID, "name": a.DomainName}
	user := map[string]any{"id": a.UserID, "name": a.UserName, "domain": domain, "password_expires_at": ""}
	if idp, ok := strings.CutPrefix(identity, "federated:"); ok {
		// A federated user, as the SDK's FederationUserBody models it.
		user = map[string]any{"id": "fed-" + a.UserID, "name": "FederationUser", "domain": domain,
			"OS-FEDERATION": map[string]any{"identity_provider": map[string]string{"id": idp},
				"protocol": map[string]string{"id": "oidc"}, "groups": []any{}}}
	}
	tok := map[string]any{
		"expires_at": t.expires.Format(timeFormat), "issued_at": now.Format(timeFormat), "methods": methods,
		"user":    user,
		"roles":   []any{},
		"catalog": []any{},
	}
	if pid != "" {
		tok["project"] = map[string]any{"id": pid, "name": region, "domain": domain}
	} else {
		tok["domain"] = domain
	}
	w.Header().Set("X-Subject-Token", value)
	s.writeJSON(w, http.StatusCreated, map[string]any{"token": tok})
}

// listProjects is KeystoneListProjects (GET /v3/projects?name=), signed
// with access keys or called with a token.
func (s *Server) listProjects(w http.ResponseWriter, r *http.Request, body []byte) {
	p, ok := s.authenticate(w, r, body)
	if !ok {
		return
	}
	name := r.URL.Query().Get("name")
	out := []map[string]any{}
	for region, id := range p.acct.Projects {
		if name != "" && name != region {
			continue
		}
		out = append(out, map[string]any{
			"id": id, "name": region, "domain_id": p.acct.DomainID, "parent_id": p.acct.DomainID,
			"enabled": true, "is_domain": false, "description": "",
			"links": map[string]string{"self": s.IAMURL + "/v3/projects/" + id},
		})
	}
	s.writeJSON(w, http.StatusOK, map[string]any{
		"projects": out,
		"links":    map[string]any{"self": s.IAMURL + "/v3/projects", "next": nil, "previous": nil},
	})
}

// idToken is CreateTokenWithIdToken: the OIDC token of an identity provider
// (X-Idp-Id) for a token of the provider's account, scoped as asked.
func (s *Server) idToken(w http.ResponseWriter, r *http.Request, body []byte) {
	var req struct {
		Auth struct {
			IDToken struct {
				ID string `json:"id"`
			} `json:"id_token"`
			Scope *scopeJSON `json:"scope"`
		} `json:"auth"`
	}
	if json.Unmarshal(body, &req) != nil || req.Auth.IDToken.ID == "" {
		s.keystoneError(w, http.StatusBadRequest, "Request body is invalid.")
		return
	}
	s.mu.Lock()
	p, ok := s.idps[r.Header.Get("X-Idp-Id")]
	s.mu.Unlock()
	if !ok {
		s.keystoneError(w, http.StatusNotFound, "Could not find identity provider: "+r.Header.Get("X-Idp-Id")+".")
		return
	}
	if err := p.verify(req.Auth.IDToken.ID, s.now()); err != nil {
		s.keystoneError(w, http.StatusUnauthorized, err.Error())
		return
	}
	pid, region, ok := resolveScope(p.acct, req.Auth.Scope)
	if !ok {
		s.keystoneError(w, http.StatusBadRequest, "Invalid scope: the project does not exist in the account.")
		return
	}
	s.issueToken(w, p.acct, "federated:"+p.ID, pid, region, []string{"mapped"}, TokenTTL)
}

// securityToken is CreateTemporaryAccessKeyByToken: temporary keys for a
// valid token (given in the body), valid duration_seconds (900 to 86400,
// default 900).
func (s *Server) securityToken(w http.ResponseWriter, r *http.Request, body []byte) {
	var req struct {
		Auth struct {
			Identity struct {
				Methods []string `json:"methods"`
				Token   struct {
					ID              string `json:"id"`
					DurationSeconds int    `json:"duration_seconds"`
				} `json:"token"`
			} `json:"identity"`
		} `json:"auth"`
	}
	if json.Unmarshal(body, &req) != nil {
		s.keystoneError(w, http.StatusBadRequest, "Request body is invalid.")
		return
	}
	id := req.Auth.Identity.Token.ID
	if id == "" {
		id = r.Header.Get(headerAuthToken)
	}
	s.mu.Lock()
	t, ok := s.tokens[id]
	valid := ok && s.now().Before(t.expires)
	s.mu.Unlock()
	if !valid {
		s.keystoneError(w, http.StatusUnauthorized, "The request you have made requires authentication.")
		return
	}
	d := time.Duration(req.Auth.Identity.Token.DurationSeconds) * time.Second
	switch {
	case d == 0:
		d = 15 * time.Minute
	case d < 15*time.Minute || d > 24*time.Hour:
		s.keystoneError(w, http.StatusBadRequest, "duration_seconds must be between 900 and 86400.")
		return
	}
	s.mu.Lock()
	k := s.newTempKey(t.acct, t.identity, d)
	s.mu.Unlock()
	s.writeJSON(w, http.StatusCreated, map[string]any{"credential": map[string]string{
		"access": k.ak, "secret": k.sk, "securitytoken": k.securityToken, "expires_at": k.expires.UTC().Format(timeFormat),
	}})
}
