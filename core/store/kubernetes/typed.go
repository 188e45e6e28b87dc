package kubernetes

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
)

// The core resources, reached through the dynamic client: the typed
// clientset registers every API group's types (about 40 MB of binary),
// where the store needs three kinds of one group.
var (
	secretsResource         = schema.GroupVersionResource{Version: "v1", Resource: "secrets"}
	serviceAccountsResource = schema.GroupVersionResource{Version: "v1", Resource: "serviceaccounts"}
	namespacesResource      = schema.GroupVersionResource{Version: "v1", Resource: "namespaces"}
)

func fromUnstructured[T any](u *unstructured.Unstructured, what string) (*T, error) {
	var out T
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(u.Object, &out); err != nil {
		return nil, fmt.Errorf("%s: the API server's answer is not a %T", what, out)
	}
	return &out, nil
}

func toUnstructured(obj any, kind string) (*unstructured.Unstructured, error) {
	m, err := runtime.DefaultUnstructuredConverter.ToUnstructured(obj)
	if err != nil {
		return nil, fmt.Errorf("encode %s: %w", kind, err)
	}
	u := &unstructured.Unstructured{Object: m}
	u.SetAPIVersion("v1")
	u.SetKind(kind)
	return u, nil
}

func (c *Client) getSecret(ctx context.Context, ns, name string) (*corev1.Secret, error) {
	u, err := c.dyn.Resource(secretsResource).Namespace(ns).Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		return nil, err
	}
	return fromUnstructured[corev1.Secret](u, "secret "+ns+"/"+name)
}

func (c *Client) writeSecret(ctx context.Context, s *corev1.Secret, create bool) error {
	u, err := toUnstructured(s, "Secret")
	if err != nil {
		return err
	}
	r := c.dyn.Resource(secretsResource).Namespace(s.Namespace)
	if create {
		_, err = r.Create(ctx, u, metav1.CreateOptions{FieldManager: "regmint"})
	} else {
		_, err = r.Update(ctx, u, metav1.UpdateOptions{FieldManager: "regmint"})
	}
	return err
}

func (c *Client) listSecrets(ctx context.Context, selector string) ([]corev1.Secret, error) {
	l, err := c.dyn.Resource(secretsResource).List(ctx, metav1.ListOptions{LabelSelector: selector})
	if err != nil {
		return nil, err
	}
	out := make([]corev1.Secret, 0, len(l.Items))
	for i := range l.Items {
		s, err := fromUnstructured[corev1.Secret](&l.Items[i], "secret list")
		if err != nil {
			return nil, err
		}
		out = append(out, *s)
	}
	return out, nil
}

func (c *Client) deleteSecret(ctx context.Context, ns, name, rv string) error {
	return c.dyn.Resource(secretsResource).Namespace(ns).Delete(ctx, name, metav1.DeleteOptions{Preconditions: &metav1.Preconditions{ResourceVersion: &rv}})
}

func (c *Client) getServiceAccount(ctx context.Context, ns, name string) (*corev1.ServiceAccount, error) {
	u, err := c.dyn.Resource(serviceAccountsResource).Namespace(ns).Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		return nil, err
	}
	return fromUnstructured[corev1.ServiceAccount](u, "serviceaccount "+ns+"/"+name)
}

func (c *Client) patchServiceAccount(ctx context.Context, ns, name string, patch []byte) error {
	_, err := c.dyn.Resource(serviceAccountsResource).Namespace(ns).Patch(ctx, name, types.MergePatchType, patch, metav1.PatchOptions{FieldManager: "regmint"})
	return err
}

func (c *Client) listNamespaces(ctx context.Context, selector string) ([]corev1.Namespace, error) {
	l, err := c.dyn.Resource(namespacesResource).List(ctx, metav1.ListOptions{LabelSelector: selector})
	if err != nil {
		return nil, err
	}
	out := make([]corev1.Namespace, 0, len(l.Items))
	for i := range l.Items {
		n, err := fromUnstructured[corev1.Namespace](&l.Items[i], "namespace list")
		if err != nil {
			return nil, err
		}
		out = append(out, *n)
	}
	return out, nil
}
