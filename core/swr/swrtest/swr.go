package swrtest

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// serveSWR routes the SWR v2 API.
func (s *Server) serveSWR(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		return
	}
	seg := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	m := r.Method
	switch {
	case m == http.MethodPost && r.URL.Path == "/v2/manage/utils/secret":
		s.serveOp(w, r, OpCreateSecret, func(w http.ResponseWriter) { s.createSecret(w, r, body) })
		return
	case len(seg) < 3 || seg[0] != "v2" || seg[2] != "instances":
	case len(seg) == 3 && m == http.MethodGet:
		s.serveOp(w, r, OpListInstance, func(w http.ResponseWriter) { s.listInstances(w, r, body, seg[1]) })
		return
	case len(seg) == 4 && m == http.MethodGet:
		s.serveOp(w, r, OpShowInstance, func(w http.ResponseWriter) {
			s.instanceOp(w, r, body, seg[1], seg[3], s.showInstance)
		})
		return
	case len(seg) == 5 && m == http.MethodPost && seg[4] == "temp-credential":
		s.serveOp(w, r, OpCreateInstanceTempCredential, func(w http.ResponseWriter) {
			s.instanceOp(w, r, body, seg[1], seg[3], s.createTempCredential)
		})
		return
	case len(seg) == 5 && m == http.MethodPost && seg[4] == "long-term-credential":
		s.serveOp(w, r, OpCreateInstanceLtCredential, func(w http.ResponseWriter) {
			s.instanceOp(w, r, body, seg[1], seg[3], s.createLtCredential)
		})
		return
	case len(seg) == 5 && m == http.MethodGet && seg[4] == "long-term-credentials":
		s.serveOp(w, r, OpListInstanceLtCredentials, func(w http.ResponseWriter) {
			s.instanceOp(w, r, body, seg[1], seg[3], s.listLtCredentials)
		})
		return
	case len(seg) == 6 && m == http.MethodDelete && seg[4] == "long-term-credentials":
		s.serveOp(w, r, OpDeleteInstanceLtCredential, func(w http.ResponseWriter) {
			s.instanceOp(w, r, body, seg[1], seg[3], func(w http.ResponseWriter, r *http.Request, _ principal, in *Instance, body []byte) {
				s.deleteLtCredential(w, in, seg[5])
			})
		})
		return
	}
	s.apiError(w, http.StatusNotFound, "APIGW.0101", "The API does not exist or has not been published in the environment")
}

// instanceOp authenticates, authorizes the project and finds the instance
// before calling f.
func (s *Server) instanceOp(w http.ResponseWriter, r *http.Request, body []byte, pid, iid string,
	f func(w http.ResponseWriter, r *http.Request, p principal, in *Instance, body []byte)) {
	p, ok := s.authenticate(w, r, body)
	if !ok || !s.authorizeProject(w, r, p, pid) {
		return
	}
	s.mu.Lock()
	in, ok := s.instances[iid]
	s.mu.Unlock()
	if !ok || in.ProjectID != pid {
		s.apiError(w, http.StatusNotFound, "SVCSTG.SWR.4040001", "Instance "+iid+" not found")
		return
	}
	f(w, r, p, in, body)
}

// instanceJSON is an instance as ShowInstance and ListInstance render it.
func (s *Server) instanceJSON(in *Instance) map[string]any {
	return map[string]any{
		"id": in.ID, "name": in.Name, "description": "", "spec": "swr.ee.professional", "version": "v2",
		"charge_mode": "postPaid", "access_address": in.Registry.Host, "status": "Running",
		"project_id": in.ProjectID, "enterprise_project_id": "0", "user_def_obs": false,
		"created_at": s.now().UTC().Format(timeFormat), "updated_at": s.now().UTC().Format(timeFormat),
	}
}

func (s *Server) showInstance(w http.ResponseWriter, _ *http.Request, _ principal, in *Instance, _ []byte) {
	s.writeJSON(w, http.StatusOK, s.instanceJSON(in))
}

func (s *Server) listInstances(w http.ResponseWriter, r *http.Request, body []byte, pid string) {
	p, ok := s.authenticate(w, r, body)
	if !ok || !s.authorizeProject(w, r, p, pid) {
		return
	}
	s.mu.Lock()
	var list []*Instance
	for _, in := range s.instances {
		if in.ProjectID == pid {
			list = append(list, in)
		}
	}
	s.mu.Unlock()
	sort.Slice(list, func(i, j int) bool { return list[i].Name < list[j].Name })
	out := []map[string]any{}
	for _, in := range list {
		out = append(out, s.instanceJSON(in))
	}
	s.writeJSON(w, http.StatusOK, map[string]any{"instances": out, "total": len(out)})
}

// credentialJSON is the answer of both credential APIs; auth_token comes
// first, as a cut-off body keeps it.
type credentialJSON struct {
	AuthToken  string `json:"auth_token"`
	CreatedAt  string `json:"created_at"`
	ExpireDate string `json:"expire_date,omitempty"`
	TokenID    string `json:"token_id"`
	UserID     string `json:"user_id"`
}

func (s *Server) createTempCredential(w http.ResponseWriter, _ *http.Request, _ principal, in *Instance, _ []byte) {
	now := s.now().UTC()
	c := &regCred{user: "swrtest-tmp-" + randHex(6), password: randHex(32), expires: now.Add(s.tempCredentialTTL()), scope: in.ID}
	s.mu.Lock()
	s.tempCreds[c.user] = c
	s.rememberLogin(c.user, c.password)
	s.mu.Unlock()
	s.writeJSON(w, http.StatusCreated, credentialJSON{
		AuthToken: c.password, CreatedAt: now.Format(timeFormat), ExpireDate: c.expires.Format(timeFormat),
		TokenID: randHex(16), UserID: c.user,
	})
}

// reLtName is SWR's rule for long-term credential names.
var (
	reLtName   = regexp.MustCompile(`^[a-z0-9]([a-z0-9._-]{0,62}[a-z0-9])?$`)
	reLtMarks2 = regexp.MustCompile(`[._-]{2}`)
)

func (s *Server) createLtCredential(w http.ResponseWriter, _ *http.Request, p principal, in *Instance, body []byte) {
	var req struct {
		Name string `json:"name"`
	}
	if json.Unmarshal(body, &req) != nil || !reLtName.MatchString(req.Name) || reLtMarks2.MatchString(req.Name) {
		s.apiError(w, http.StatusBadRequest, "SVCSTG.SWR.4000001", "Invalid long-term credential name")
		return
	}
	now := s.now().UTC()
	s.mu.Lock()
	for _, c := range s.ltCreds {
		if c.scope == in.ID && c.name == req.Name {
			s.mu.Unlock()
			s.apiError(w, http.StatusConflict, "SVCSTG.SWR.4090001", "A long-term credential named "+req.Name+" already exists")
			return
		}
	}
	c := &ltCred{
		regCred: regCred{user: "swrtest-lt-" + randHex(6), password: randHex(32), scope: in.ID},
		id:      randHex(16), name: req.Name, created: now, creator: p.identity,
	}
	s.ltCreds[c.id] = c
	s.rememberLogin(c.user, c.password)
	expire := s.ltExpireDate
	s.mu.Unlock()
	s.writeJSON(w, http.StatusCreated, credentialJSON{
		AuthToken: c.password, CreatedAt: now.Format(timeFormat), ExpireDate: expire, TokenID: c.id, UserID: c.user,
	})
}

// listLtCredentials is ListInstanceLtCredentials. As the API documents,
// self_only defaults to the caller's own credentials; self_only=false lists
// every credential of the instance (for a caller with the te_admin role,
// which every emulated identity has).
func (s *Server) listLtCredentials(w http.ResponseWriter, r *http.Request, p principal, in *Instance, _ []byte) {
	selfOnly := true
	switch v := r.URL.Query().Get("self_only"); v {
	case "", "true":
	case "false":
		selfOnly = false
	default:
		s.apiError(w, http.StatusBadRequest, "SVCSTG.SWR.4000001", "Invalid self_only "+v)
		return
	}
	offset, _ := strconv.Atoi(r.URL.Query().Get("offset"))
	limit, err := strconv.Atoi(r.URL.Query().Get("limit"))
	if err != nil || limit <= 0 || limit > 100 {
		limit = 100
	}
	s.mu.Lock()
	var list []*ltCred
	for _, c := range s.ltCreds {
		if c.scope == in.ID && (!selfOnly || c.creator == p.identity) {
			list = append(list, c)
		}
	}
	s.mu.Unlock()
	sort.Slice(list, func(i, j int) bool { return list[i].id < list[j].id })
	total := len(list)
	if offset > len(list) {
		offset = len(list)
	}
	list = list[offset:]
	if len(list) > limit {
		list = list[:limit]
	}
	out := []map[string]any{}
	for _, c := range list {
		out = append(out, map[string]any{
			"created_at": c.created.Format(timeFormat), "enable": true, "expire_date": "",
			"instance_id": in.ID, "name": c.name, "token_id": c.id, "user_id": c.user, "user_profile": "",
		})
	}
	s.writeJSON(w, http.StatusOK, map[string]any{"total": total, "auth_tokens": out})
}

func (s *Server) deleteLtCredential(w http.ResponseWriter, in *Instance, id string) {
	s.mu.Lock()
	c, ok := s.ltCreds[id]
	var (
		rev  Revocation
		hook func(Revocation)
	)
	if ok && c.scope == in.ID {
		delete(s.ltCreds, id)
		rev, hook = s.recordRevocationLocked(in.ID, id, c.name)
	}
	s.mu.Unlock()
	if !ok || c.scope != in.ID {
		s.apiError(w, http.StatusNotFound, "SVCSTG.SWR.4040002", "Long-term credential "+id+" not found")
		return
	}
	if hook != nil {
		hook(rev)
	}
	w.Header().Set("X-Request-Id", s.requestID())
	w.WriteHeader(http.StatusNoContent)
}

// createSecret is the shared edition's temporary login: 200, headers
// X-Swr-Dockerlogin and X-Swr-Expireat, body {"auths":{host:{"auth"}}}.
func (s *Server) createSecret(w http.ResponseWriter, r *http.Request, body []byte) {
	p, ok := s.authenticate(w, r, body)
	if !ok {
		return
	}
	region := r.URL.Query().Get("projectname")
	if region == "" && p.viaToken {
		region = regionOf(p.acct, p.tokenProject)
	}
	pid, ok := p.acct.Projects[region]
	if region == "" || !ok {
		s.apiError(w, http.StatusBadRequest, "SVCSTG.SWR.4000002", "Project "+region+" not found")
		return
	}
	if !s.authorizeProject(w, r, p, pid) {
		return
	}
	now := s.now().UTC()
	c := &regCred{user: region + "@swrtest" + randHex(8), password: randHex(32), expires: now.Add(SecretTTL), scope: region}
	s.mu.Lock()
	s.secrets[c.user] = c
	s.rememberLogin(c.user, c.password)
	host := s.sharedLocked(region).Host
	s.mu.Unlock()
	auth := base64.StdEncoding.EncodeToString([]byte(c.user + ":" + c.password))
	w.Header().Set("X-Swr-Dockerlogin", "docker login -u "+c.user+" -p "+c.password+" "+host)
	w.Header().Set("X-Swr-Expireat", c.expires.Format(timeFormat))
	s.writeJSON(w, http.StatusOK, map[string]any{"auths": map[string]any{host: map[string]string{"auth": auth}}})
}
