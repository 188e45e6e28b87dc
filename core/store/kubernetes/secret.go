package kubernetes

import (
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"

	"github.com/regmint/regmint/core/store/dockergroup"
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

// decodeSecret reads a regmint Secret into its group (dockergroup: the
// logic shared with the grouped Secrets Manager store); where names it in
// errors, which never hold a value.
func decodeSecret(s *corev1.Secret, where string) (*dockergroup.Group, error) {
	g := dockergroup.New(dockergroup.PartName(func(ref string) string { return "annotation " + AnnotationPrefix + ref }))
	if raw := s.Data[corev1.DockerConfigJsonKey]; len(raw) > 0 {
		if err := g.DecodeAuths(raw, where+": "+corev1.DockerConfigJsonKey); err != nil {
			return nil, err
		}
	}
	for k, v := range s.Annotations {
		ref, ok := strings.CutPrefix(k, AnnotationPrefix)
		if !ok {
			continue
		}
		if err := g.DecodeMeta(ref, []byte(v)); err != nil {
			return nil, fmt.Errorf("%s: %w", where, err)
		}
	}
	return g, nil
}

// encodeSecret writes g into s: .data, the part annotations (others
// kept), the type and the ownership label.
func encodeSecret(g *dockergroup.Group, s *corev1.Secret) error {
	raw, err := g.AuthsJSON()
	if err != nil {
		return err
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
	for _, r := range g.Refs() {
		b, err := g.MetaJSON(r)
		if err != nil {
			return err
		}
		ann[AnnotationPrefix+r] = string(b)
	}
	s.Annotations = ann
	return nil
}
