package stores

import (
	"context"
	"fmt"

	"github.com/regmint/regmint/core/rotation"
	"github.com/regmint/regmint/core/store/kubernetes/kubespec"
)

// unlinkedKubernetesKinds are the Kubernetes kinds as the Lambda build
// lists them: the same specs (kubespec links no client-go), and an Open
// that fails before any target is touched.
func unlinkedKubernetesKinds() []Kind {
	return []Kind{
		{kubespec.Kind(), openUnlinked(kubespec.KindName)},
		{kubespec.TKEKind(), openUnlinked(kubespec.TKEKindName)},
	}
}

func openUnlinked(kind string) func(context.Context, *Process) (rotation.Option, error) {
	return func(context.Context, *Process) (rotation.Option, error) {
		return nil, fmt.Errorf("targets write to store %s, which the Lambda build does not link: run the rotator in the cluster instead (deploy/kubernetes, docs/kubernetes.md)", kind)
	}
}
