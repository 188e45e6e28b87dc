package ghtest

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	"golang.org/x/crypto/nacl/box"
)

// validName is GitHub's rule for secret and variable names.
var validName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

const (
	messageBadName = "Secret names can only contain alphanumeric characters ([a-z], [A-Z], [0-9]) or underscores (_). Spaces are not allowed. Must start with a letter ([a-z], [A-Z]) or underscores (_)."
	messageBadSeal = "Bad request - validation failed due to an improperly encrypted secret"
)

func checkName(name string) *apiError {
	if !validName.MatchString(name) || strings.HasPrefix(strings.ToUpper(name), "GITHUB_") {
		return invalid(messageBadName)
	}
	return nil
}

// getPublicKey is GET .../secrets/public-key.
func (s *Server) getPublicKey(w http.ResponseWriter, _ *http.Request, sc Scope) {
	s.mu.Lock()
	k := s.stateLocked(sc).key
	s.mu.Unlock()
	s.writeJSON(w, http.StatusOK, map[string]string{"key_id": k.id, "key": base64.StdEncoding.EncodeToString(k.pub[:])})
}

// putSecret is PUT .../secrets/{name}: it decrypts the sealed value with
// the scope's private key; a value sealed to another key is refused.
func (s *Server) putSecret(w http.ResponseWriter, r *http.Request, sc Scope) {
	name := r.PathValue("name")
	var in struct {
		EncryptedValue *string `json:"encrypted_value"`
		KeyID          *string `json:"key_id"`
		Visibility     *string `json:"visibility"`
		Selected       []int64 `json:"selected_repository_ids"`
	}
	if e := decodeBody(r, &in); e != nil {
		s.writeError(w, e)
		return
	}
	if e := checkName(name); e != nil {
		s.writeError(w, e)
		return
	}
	switch {
	case in.EncryptedValue == nil:
		s.writeError(w, invalid("Invalid request.\n\n\"encrypted_value\" wasn't supplied."))
		return
	case in.KeyID == nil:
		s.writeError(w, invalid("Invalid request.\n\n\"key_id\" wasn't supplied."))
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	vis, selected, e := s.visibilityLocked(sc, in.Visibility, in.Selected)
	if e != nil {
		s.writeError(w, e)
		return
	}
	st := s.stateLocked(sc)
	sealed, err := base64.StdEncoding.DecodeString(*in.EncryptedValue)
	if err != nil || *in.KeyID != st.key.id {
		s.writeError(w, invalid(messageBadSeal))
		return
	}
	plain, ok := box.OpenAnonymous(nil, sealed, st.key.pub, st.key.priv)
	if !ok {
		s.writeError(w, invalid(messageBadSeal))
		return
	}
	if len(plain) > maxSecret {
		s.writeError(w, invalid("Secret value is too large (maximum 48 KB)"))
		return
	}
	if s.putSecretLocked(st, name, plain, st.key.id, vis, selected) {
		s.writeJSON(w, http.StatusCreated, map[string]any{})
		return
	}
	noContent(w)
}

// visibilityLocked checks an organization write's visibility and selected
// repositories (required there, ignored elsewhere).
func (s *Server) visibilityLocked(sc Scope, vis *string, selected []int64) (string, []int64, *apiError) {
	if sc.Organization == "" {
		return "", nil, nil
	}
	switch {
	case vis == nil:
		return "", nil, invalid("Invalid request.\n\n\"visibility\" wasn't supplied.")
	case *vis != "all" && *vis != "private" && *vis != "selected":
		return "", nil, invalid("Invalid request.\n\n\"visibility\" must be one of: all, private, selected.")
	case *vis != "selected" && len(selected) > 0:
		return "", nil, invalid("Invalid request.\n\nselected_repository_ids can only be given with visibility selected.")
	}
	for _, id := range selected {
		found := false
		for _, rp := range s.repos {
			found = found || rp.id == id && strings.EqualFold(rp.owner, sc.Organization)
		}
		if !found {
			return "", nil, invalid("Invalid request.\n\nselected_repository_ids holds a repository that is not the organization's.")
		}
	}
	return *vis, selected, nil
}

// getSecret is GET .../secrets/{name}: name and times, never the value.
func (s *Server) getSecret(w http.ResponseWriter, r *http.Request, sc Scope) {
	sec, ok := s.Secret(sc, r.PathValue("name"))
	if !ok {
		s.writeError(w, errorOf(http.StatusNotFound, "Not Found"))
		return
	}
	out := map[string]any{"name": sec.Name, "created_at": stamp(sec.CreatedAt), "updated_at": stamp(sec.UpdatedAt)}
	s.addVisibility(out, r, "secrets", sec.Name, sec.Visibility)
	s.writeJSON(w, http.StatusOK, out)
}

// getVariable is GET .../variables/{name}.
func (s *Server) getVariable(w http.ResponseWriter, r *http.Request, sc Scope) {
	v, ok := s.Variable(sc, r.PathValue("name"))
	if !ok {
		s.writeError(w, errorOf(http.StatusNotFound, "Not Found"))
		return
	}
	out := map[string]any{"name": v.Name, "value": v.Value, "created_at": stamp(v.CreatedAt), "updated_at": stamp(v.UpdatedAt)}
	s.addVisibility(out, r, "variables", v.Name, v.Visibility)
	s.writeJSON(w, http.StatusOK, out)
}

// addVisibility adds an organization item's visibility fields.
func (s *Server) addVisibility(out map[string]any, r *http.Request, kind, name, vis string) {
	if vis == "" {
		return
	}
	out["visibility"] = vis
	if vis == "selected" {
		out["selected_repositories_url"] = "http://" + r.Host + "/orgs/" + url.PathEscape(r.PathValue("org")) + "/actions/" + kind + "/" + name + "/repositories"
	}
}

type variableIn struct {
	Name       *string `json:"name"`
	Value      *string `json:"value"`
	Visibility *string `json:"visibility"`
	Selected   []int64 `json:"selected_repository_ids"`
}

// createVariable is POST .../variables (409 if it exists).
func (s *Server) createVariable(w http.ResponseWriter, r *http.Request, sc Scope) {
	var in variableIn
	if e := decodeBody(r, &in); e != nil {
		s.writeError(w, e)
		return
	}
	switch {
	case in.Name == nil:
		s.writeError(w, invalid("Invalid request.\n\n\"name\" wasn't supplied."))
		return
	case in.Value == nil:
		s.writeError(w, invalid("Invalid request.\n\n\"value\" wasn't supplied."))
		return
	}
	if e := checkVariable(*in.Name, *in.Value); e != nil {
		s.writeError(w, e)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	vis, selected, e := s.visibilityLocked(sc, in.Visibility, in.Selected)
	if e != nil {
		s.writeError(w, e)
		return
	}
	st := s.stateLocked(sc)
	if _, ok := st.variables[strings.ToUpper(*in.Name)]; ok {
		s.writeError(w, errorOf(http.StatusConflict, "Already exists - Variable already exists"))
		return
	}
	s.setVariableLocked(st, *in.Name, *in.Value, vis, selected)
	s.writeJSON(w, http.StatusCreated, map[string]any{})
}

// updateVariable is PATCH .../variables/{name} (404 if missing).
func (s *Server) updateVariable(w http.ResponseWriter, r *http.Request, sc Scope) {
	name := r.PathValue("name")
	var in variableIn
	if e := decodeBody(r, &in); e != nil {
		s.writeError(w, e)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.stateLocked(sc)
	v, ok := st.variables[strings.ToUpper(name)]
	if !ok {
		s.writeError(w, errorOf(http.StatusNotFound, "Not Found"))
		return
	}
	if in.Name != nil && !strings.EqualFold(*in.Name, name) {
		s.writeError(w, invalid("Invalid request.\n\nrenaming a variable is not supported by this emulator."))
		return
	}
	value := v.Value
	if in.Value != nil {
		value = *in.Value
	}
	if e := checkVariable(name, value); e != nil {
		s.writeError(w, e)
		return
	}
	vis, selected := "", []int64(nil)
	if sc.Organization != "" && in.Visibility != nil {
		var e *apiError
		if vis, selected, e = s.visibilityLocked(sc, in.Visibility, in.Selected); e != nil {
			s.writeError(w, e)
			return
		}
	}
	s.setVariableLocked(st, name, value, vis, selected)
	noContent(w)
}

func checkVariable(name, value string) *apiError {
	if !validName.MatchString(name) || strings.HasPrefix(strings.ToUpper(name), "GITHUB_") {
		return invalid("Variable names can only contain alphanumeric characters ([a-z], [A-Z], [0-9]) or underscores (_).")
	}
	if len(value) > maxVarSize {
		return invalid("Variable value is too large (maximum 48 KB)")
	}
	return nil
}

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }
