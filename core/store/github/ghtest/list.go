package ghtest

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// Endpoints of the list calls, as Calls, Inject and SetLatency name them.
const (
	EndpointListSecrets   = "GET secrets"
	EndpointListVariables = "GET variables"
)

// Page sizes of the list calls, as GitHub documents them ("List repository
// secrets": per_page default 30, at most 100; "List repository variables":
// default 10, at most 30; the environment and organization forms alike).
const (
	secretsPerPageDefault   = 30
	secretsPerPageMax       = 100
	variablesPerPageDefault = 10
	variablesPerPageMax     = 30
)

// listSecrets is GET .../secrets: names and times, never values.
func (s *Server) listSecrets(w http.ResponseWriter, r *http.Request, sc Scope) {
	listPage(s, w, r, "secrets", secretsPerPageDefault, secretsPerPageMax,
		func(st *scopeState) map[string]*Secret { return st.secrets },
		func(sec *Secret) map[string]any {
			m := map[string]any{"name": sec.Name, "created_at": stamp(sec.CreatedAt), "updated_at": stamp(sec.UpdatedAt)}
			s.addVisibility(m, r, "secrets", sec.Name, sec.Visibility)
			return m
		}, sc)
}

// listVariables is GET .../variables: names, values and times.
func (s *Server) listVariables(w http.ResponseWriter, r *http.Request, sc Scope) {
	listPage(s, w, r, "variables", variablesPerPageDefault, variablesPerPageMax,
		func(st *scopeState) map[string]*Variable { return st.variables },
		func(v *Variable) map[string]any {
			m := map[string]any{"name": v.Name, "value": v.Value, "created_at": stamp(v.CreatedAt), "updated_at": stamp(v.UpdatedAt)}
			s.addVisibility(m, r, "variables", v.Name, v.Visibility)
			return m
		}, sc)
}

// listPage answers one page of a scope's items, sorted by name, under key
// with total_count and GitHub's Link header.
func listPage[T any](s *Server, w http.ResponseWriter, r *http.Request, key string, def, maxPer int,
	items func(*scopeState) map[string]T, render func(T) map[string]any, sc Scope) {
	per, page, e := pageOf(r, def, maxPer)
	if e != nil {
		s.writeError(w, e)
		return
	}
	s.mu.Lock()
	all := items(s.stateLocked(sc))
	names := make([]string, 0, len(all))
	for k := range all {
		names = append(names, k)
	}
	slices.Sort(names)
	out := []map[string]any{}
	for _, k := range window(names, per, page) {
		out = append(out, render(all[k]))
	}
	s.mu.Unlock()
	links(w, r, per, page, len(names))
	s.writeJSON(w, http.StatusOK, map[string]any{"total_count": len(names), key: out})
}

// pageOf reads per_page (clamped to max, as GitHub does) and page (from 1).
// A value that is not a number is GitHub's 422.
func pageOf(r *http.Request, def, maxPer int) (per, page int, e *apiError) {
	per, page = def, 1
	q := r.URL.Query()
	if v := q.Get("per_page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return 0, 0, errorOf(http.StatusUnprocessableEntity, "Invalid request.\n\nFor 'per_page', \""+v+"\" is not an integer.")
		}
		per = min(max(n, 1), maxPer)
	}
	if v := q.Get("page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return 0, 0, errorOf(http.StatusUnprocessableEntity, "Invalid request.\n\nFor 'page', \""+v+"\" is not an integer.")
		}
		page = max(n, 1)
	}
	return per, page, nil
}

// window is page's slice of names.
func window(names []string, per, page int) []string {
	lo := (page - 1) * per
	if lo >= len(names) {
		return nil
	}
	return names[lo:min(lo+per, len(names))]
}

// links sets GitHub's Link header: next and last while pages remain.
func links(w http.ResponseWriter, r *http.Request, per, page, total int) {
	last := max((total+per-1)/per, 1)
	if page >= last {
		return
	}
	at := func(p int) string {
		u := url.URL{Scheme: "http", Host: r.Host, Path: r.URL.Path}
		q := r.URL.Query()
		q.Set("per_page", strconv.Itoa(per))
		q.Set("page", strconv.Itoa(p))
		u.RawQuery = q.Encode()
		return u.String()
	}
	w.Header().Set("Link", strings.Join([]string{
		fmt.Sprintf("<%s>; rel=\"next\"", at(page+1)),
		fmt.Sprintf("<%s>; rel=\"last\"", at(last)),
	}, ", "))
}
