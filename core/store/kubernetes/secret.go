package kubernetes

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"

	"github.com/regmint/regmint/core"
	"github.com/regmint/regmint/core/store/storemeta"
)

// Labels and annotations regmint sets.
const (
	// LabelManagedBy marks what regmint owns (ValueManagedBy): only such
	// Secrets are ever written or deleted.
	LabelManagedBy = "app.kubernetes.io/managed-by"
	ValueManagedBy = "regmint"
	// AnnotationPrefix is followed by a ref: the metadata of that ref's
	// part (storemeta JSON, no secret).
	AnnotationPrefix = "part.regmint.io/"
)

// Limits on what is read back from the API server (untrusted).
const (
	maxDockerConfig = 1 << 20 // a Secret's whole size limit
	maxMeta         = 4096
)

// ForeignError is a Secret of the destination's name that regmint did not
// create: it is never overwritten.
type ForeignError struct {
	Namespace, Name, Why string
}

func (e *ForeignError) Error() string {
	return fmt.Sprintf("secret %s/%s exists and is not regmint's (%s); it is not overwritten: delete or rename it, or set secret-name", e.Namespace, e.Name, e.Why)
}

// owned reports why s is not regmint's, or "".
func foreign(s *corev1.Secret) string {
	switch {
	case s.Labels[LabelManagedBy] != ValueManagedBy:
		return "no label " + LabelManagedBy + "=" + ValueManagedBy
	case s.Type != corev1.SecretTypeDockerConfigJson:
		return "type " + strings.ToValidUTF8(string(s.Type), "?") + ", not " + string(corev1.SecretTypeDockerConfigJson)
	}
	return ""
}

// pullSecret is the decoded content of a regmint Secret.
type pullSecret struct {
	auths map[string]core.AuthEntry
	// metas by ref.
	metas map[string]storemeta.Meta
}

// decodeSecret reads a regmint Secret; where names it in errors, which
// never hold a value.
func decodeSecret(s *corev1.Secret, where string) (*pullSecret, error) {
	ps := &pullSecret{auths: map[string]core.AuthEntry{}, metas: map[string]storemeta.Meta{}}
	if raw := s.Data[corev1.DockerConfigJsonKey]; len(raw) > 0 {
		if len(raw) > maxDockerConfig {
			return nil, fmt.Errorf("%s: %s is larger than %d bytes", where, corev1.DockerConfigJsonKey, maxDockerConfig)
		}
		var doc struct {
			Auths map[string]core.AuthEntry `json:"auths"`
		}
		if err := json.Unmarshal(raw, &doc); err != nil {
			return nil, fmt.Errorf("%s: %s is not a docker config", where, corev1.DockerConfigJsonKey)
		}
		for k, v := range doc.Auths {
			ps.auths[k] = v
		}
	}
	for k, v := range s.Annotations {
		ref, ok := strings.CutPrefix(k, AnnotationPrefix)
		if !ok {
			continue
		}
		if len(v) > maxMeta {
			return nil, fmt.Errorf("%s: annotation %s is larger than %d bytes", where, k, maxMeta)
		}
		var m storemeta.Meta
		if err := json.Unmarshal([]byte(v), &m); err != nil {
			return nil, fmt.Errorf("%s: annotation %s is not regmint metadata", where, k)
		}
		ps.metas[ref] = m
	}
	return ps, nil
}

// record returns ref's part, nil when the Secret has none.
func (ps *pullSecret) record(ref, where string) (*core.Record, error) {
	m, ok := ps.metas[ref]
	if !ok {
		return nil, nil
	}
	st, err := m.Stored(where + " annotation " + AnnotationPrefix + ref)
	if err != nil {
		return nil, fmt.Errorf("%s annotation %s: %w", where, AnnotationPrefix+ref, err)
	}
	e, ok := ps.auths[st.Registry]
	if !ok {
		return nil, fmt.Errorf("%s: annotation %s names registry %s, which has no auths entry", where, AnnotationPrefix+ref, st.Registry)
	}
	user, pass := e.Username, e.Password
	if pass == "" && e.Auth != "" {
		b, err := base64.StdEncoding.DecodeString(e.Auth)
		if err != nil {
			return nil, fmt.Errorf("%s: the auths entry of %s is not base64", where, st.Registry)
		}
		user, pass, _ = strings.Cut(string(b), ":")
	}
	if user != st.Username {
		return nil, fmt.Errorf("%s: the auths entry of %s is for another user than its annotation says", where, st.Registry)
	}
	rec := core.Record{
		Credential:      core.Credential{Registry: st.Registry, Username: st.Username, Password: pass, ExpiresAt: st.ExpiresAt, TokenID: st.TokenID},
		IssuedAt:        st.IssuedAt,
		Fingerprint:     st.Fingerprint,
		PreviousTokenID: st.PreviousTokenID,
	}
	return &rec, nil
}

// set puts rec as ref's part. Another ref's part for the same registry is
// an error: a Secret holds one login per registry host. keep, when not
// nil, says which refs may stay; the others' parts are removed.
func (ps *pullSecret) set(ref string, rec core.Record, keep func(string) bool) error {
	host := rec.Credential.Registry
	for other, m := range ps.metas {
		if other != ref && m.Registry == host && (keep == nil || keep(other)) {
			return fmt.Errorf("registry %s is already held by ref %s in the same secret: give one of the targets another secret-name", host, other)
		}
	}
	if old, ok := ps.metas[ref]; ok && old.Registry != host {
		ps.drop(ref)
	}
	if keep != nil {
		for other := range ps.metas {
			if other != ref && !keep(other) {
				ps.drop(other)
			}
		}
	}
	ps.auths[host] = rec.Credential.DockerAuthEntry()
	ps.metas[ref] = storemeta.OfRecord(rec)
	return nil
}

// drop removes ref's part (and its auths entry unless another part uses
// the host).
func (ps *pullSecret) drop(ref string) {
	m := ps.metas[ref]
	delete(ps.metas, ref)
	for _, o := range ps.metas {
		if o.Registry == m.Registry {
			return
		}
	}
	delete(ps.auths, m.Registry)
}

// encode writes ps into s: .data, the part annotations (others kept),
// the type and the ownership label.
func (ps *pullSecret) encode(s *corev1.Secret) error {
	raw, err := json.Marshal(struct {
		Auths map[string]core.AuthEntry `json:"auths"`
	}{ps.auths})
	if err != nil {
		return fmt.Errorf("render docker config: %w", err)
	}
	s.Type = corev1.SecretTypeDockerConfigJson
	s.Data = map[string][]byte{corev1.DockerConfigJsonKey: raw}
	if s.Labels == nil {
		s.Labels = map[string]string{}
	}
	s.Labels[LabelManagedBy] = ValueManagedBy
	ann := map[string]string{}
	for k, v := range s.Annotations {
		if !strings.HasPrefix(k, AnnotationPrefix) {
			ann[k] = v
		}
	}
	refs := make([]string, 0, len(ps.metas))
	for r := range ps.metas {
		refs = append(refs, r)
	}
	sort.Strings(refs)
	for _, r := range refs {
		b, err := json.Marshal(ps.metas[r])
		if err != nil {
			return fmt.Errorf("render metadata: %w", err)
		}
		ann[AnnotationPrefix+r] = string(b)
	}
	s.Annotations = ann
	return nil
}
