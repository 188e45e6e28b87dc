package kubernetes

import (
	"errors"
	"fmt"
	"os"

	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
)

// EnvKubeconfig is the kubeconfig path the store reads outside a cluster.
const EnvKubeconfig = "KUBECONFIG"

// Client is the cluster API the stores use: the core group (Secrets,
// ServiceAccounts, Namespaces) and a dynamic client for the TKE resource.
type Client struct {
	dyn dynamic.Interface
}

// NewClient returns a client for cfg. It sends no request.
func NewClient(cfg *rest.Config) (*Client, error) {
	cfg = rest.CopyConfig(cfg)
	cfg.UserAgent = "regmint"
	// API warnings would go to klog's stderr, outside the JSON log.
	cfg.WarningHandler = rest.NoWarnings{}
	// JSON both ways: every object regmint writes is small, and the
	// dynamic client speaks only JSON.
	cfg.ContentType = "application/json"
	cfg.AcceptContentTypes = "application/json"
	if cfg.QPS == 0 {
		cfg.QPS, cfg.Burst = 20, 40
	}
	d, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("kubernetes client: %w", err)
	}
	return &Client{dyn: d}, nil
}

// RESTConfig returns the cluster connection: the kubeconfig file at path,
// else the pod's own (in-cluster: its service account token and the
// KUBERNETES_SERVICE_HOST the kubelet sets). Its errors name the file,
// never a credential it holds.
func RESTConfig(path string) (*rest.Config, error) {
	if path != "" {
		if _, err := os.Stat(path); err != nil {
			return nil, fmt.Errorf("kubeconfig %s: %w", path, errors.Unwrap(err))
		}
		cfg, err := clientcmd.BuildConfigFromFlags("", path)
		if err != nil {
			return nil, fmt.Errorf("kubeconfig %s: cannot be read as a kubeconfig", path)
		}
		return cfg, nil
	}
	cfg, err := rest.InClusterConfig()
	if err != nil {
		return nil, fmt.Errorf("not running in a cluster (%v); outside one, set %s to a kubeconfig file", err, EnvKubeconfig)
	}
	return cfg, nil
}
