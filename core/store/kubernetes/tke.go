package kubernetes

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/regmint/regmint/core"
	"github.com/regmint/regmint/core/store/dockergroup"
	"github.com/regmint/regmint/core/store/storemeta"
)

// ImagePullSecretResource is the TCR add-on's resource on TKE: a
// cluster-scoped object whose spec.docker (server, username, password) the
// add-on copies into pull secrets in the namespaces it names.
var ImagePullSecretResource = schema.GroupVersionResource{Group: "tcr.tencentcloudcr.com", Version: "v1", Resource: "imagepullsecrets"}

// TKEStore updates one ImagePullSecret resource's spec.docker.username and
// password. It never creates one: the add-on (or its user) does, naming
// the registry in spec.docker.server. Safe for concurrent use.
type TKEStore struct {
	c    *Client
	name string
}

// NewTKE returns the store of the ImagePullSecret named name.
func NewTKE(c *Client, name string) (*TKEStore, error) {
	if c == nil || name == "" {
		return nil, errors.New("tke-image-pull-secret store: a client and a resource name are required")
	}
	return &TKEStore{c: c, name: name}, nil
}

func (s *TKEStore) where() string { return "imagepullsecret " + s.name }

func (s *TKEStore) get(ctx context.Context) (*unstructured.Unstructured, error) {
	obj, err := s.c.dyn.Resource(ImagePullSecretResource).Get(ctx, s.name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return nil, fmt.Errorf("%s does not exist: the TCR add-on (or kubectl) creates it; regmint only rotates its token", s.where())
	}
	if err != nil {
		return nil, apiError(err, "read "+s.where())
	}
	return obj, nil
}

// Get implements core.Store.
func (s *TKEStore) Get(ctx context.Context, ref string) (core.Stored, error) {
	rec, err := s.ReadRecord(ctx, ref)
	if err != nil {
		return core.Stored{}, err
	}
	return rec.Stored(), nil
}

// ReadRecord implements core.RecordReader: the metadata of ref's
// annotation with the resource's login. A resource regmint has not written
// yet holds nothing of its (not found).
func (s *TKEStore) ReadRecord(ctx context.Context, ref string) (core.Record, error) {
	obj, err := s.get(ctx)
	if err != nil {
		return core.Record{}, err
	}
	raw, ok := obj.GetAnnotations()[AnnotationPrefix+ref]
	if !ok {
		return core.Record{}, fmt.Errorf("%s: %w", s.where(), core.ErrNotFound)
	}
	if len(raw) > dockergroup.MaxMeta {
		return core.Record{}, fmt.Errorf("%s: annotation %s is too large", s.where(), AnnotationPrefix+ref)
	}
	var m storemeta.Meta
	if err := json.Unmarshal([]byte(raw), &m); err != nil {
		return core.Record{}, fmt.Errorf("%s: annotation %s is not regmint metadata", s.where(), AnnotationPrefix+ref)
	}
	st, err := m.Stored(s.where() + " annotation")
	if err != nil {
		return core.Record{}, fmt.Errorf("%s: %w", s.where(), err)
	}
	user, _, _ := unstructured.NestedString(obj.Object, "spec", "docker", "username")
	pass, _, _ := unstructured.NestedString(obj.Object, "spec", "docker", "password")
	if user != st.Username {
		// Edited by hand since: what it holds is not what the metadata says.
		return core.Record{}, fmt.Errorf("%s: %w (spec.docker.username changed since regmint wrote it)", s.where(), core.ErrNotFound)
	}
	return core.Record{
		Credential:      core.Credential{Registry: st.Registry, Username: user, Password: pass, ExpiresAt: st.ExpiresAt, TokenID: st.TokenID},
		IssuedAt:        st.IssuedAt,
		Fingerprint:     st.Fingerprint,
		PreviousTokenID: st.PreviousTokenID,
	}, nil
}

// Put implements core.Store: spec.docker.username and password, and the
// metadata annotation, under the resourceVersion read (retried on
// conflict). A resource whose spec.docker.server names another registry
// is refused.
func (s *TKEStore) Put(ctx context.Context, ref string, r core.Record) error {
	if err := r.Credential.Check(); err != nil {
		return fmt.Errorf("tke-image-pull-secret store: %w", err)
	}
	meta, err := json.Marshal(storemeta.OfRecord(r))
	if err != nil {
		return fmt.Errorf("render metadata: %w", err)
	}
	for attempt := 1; ; attempt++ {
		obj, err := s.get(ctx)
		if err != nil {
			return err
		}
		server, _, _ := unstructured.NestedString(obj.Object, "spec", "docker", "server")
		if h := hostOf(server); h != "" && h != r.Credential.Registry {
			return fmt.Errorf("%s is for registry %s (spec.docker.server), not %s: name the resource of this target's registry", s.where(), clean(h), r.Credential.Registry)
		}
		if err := unstructured.SetNestedField(obj.Object, r.Credential.Username, "spec", "docker", "username"); err != nil {
			return fmt.Errorf("%s: spec.docker is not an object", s.where())
		}
		if err := unstructured.SetNestedField(obj.Object, r.Credential.Password, "spec", "docker", "password"); err != nil {
			return fmt.Errorf("%s: spec.docker is not an object", s.where())
		}
		if server == "" {
			_ = unstructured.SetNestedField(obj.Object, r.Credential.Registry, "spec", "docker", "server")
		}
		ann := obj.GetAnnotations()
		if ann == nil {
			ann = map[string]string{}
		}
		ann[AnnotationPrefix+ref] = string(meta)
		obj.SetAnnotations(ann)
		_, err = s.c.dyn.Resource(ImagePullSecretResource).Update(ctx, obj, metav1.UpdateOptions{FieldManager: "regmint"})
		if apierrors.IsConflict(err) && attempt < maxAttempts {
			continue
		}
		return apiError(err, "update "+s.where())
	}
}

// hostOf returns a server's host ("https://x.tencentcloudcr.com/" -> x...).
func hostOf(server string) string {
	h := strings.TrimSpace(server)
	h = strings.TrimPrefix(strings.TrimPrefix(h, "https://"), "http://")
	h, _, _ = strings.Cut(h, "/")
	return h
}
