//go:build !lambda.norpc

package stores

import (
	"context"
	"fmt"

	"github.com/regmint/regmint/core/rotation"
	"github.com/regmint/regmint/core/store/kubernetes"
)

// kubernetesKinds are the Kubernetes store kinds, linked (with client-go)
// into every build but the Lambda one (-tags lambda.norpc): see
// kubernetes_lambda.go.
func kubernetesKinds() []Kind {
	return []Kind{
		{kubernetes.Kind(), openKubernetes(kubernetes.KindName)},
		{kubernetes.TKEKind(), openKubernetes(kubernetes.TKEKindName)},
	}
}

// openKubernetes opens a Kubernetes kind's stores: the cluster of
// p.Kubeconfig, else $KUBECONFIG, else the pod's own.
func openKubernetes(kind string) func(context.Context, *Process) (rotation.Option, error) {
	return func(_ context.Context, p *Process) (rotation.Option, error) {
		path := p.Kubeconfig
		if path == "" && p.Getenv != nil {
			path = p.Getenv(kubernetes.EnvKubeconfig)
		}
		rc, err := kubernetes.RESTConfig(path)
		if err != nil {
			return nil, fmt.Errorf("targets write to store %s: %w", kind, err)
		}
		c, err := kubernetes.NewClient(rc)
		if err != nil {
			return nil, fmt.Errorf("targets write to store %s: %w", kind, err)
		}
		o := &kubernetes.Opener{Config: p.Config, Client: c, Logger: p.Logger}
		return rotation.WithStores(kind, func() rotation.DestinationStores { return o.Run() }), nil
	}
}
