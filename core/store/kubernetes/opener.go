package kubernetes

import (
	"context"
	"log/slog"
	"slices"
	"sync"

	"github.com/regmint/regmint/core"
	"github.com/regmint/regmint/core/config"
	"github.com/regmint/regmint/core/store/kubernetes/kubespec"
)

// Re-exported from kubespec.
const (
	KindName    = kubespec.KindName
	TKEKindName = kubespec.TKEKindName
)

// Kind returns the spec of store kubernetes (kubespec.Kind).
func Kind() config.StoreKind { return kubespec.Kind() }

// TKEKind returns the spec of store tke-image-pull-secret.
func TKEKind() config.StoreKind { return kubespec.TKEKind() }

// Opener opens the kubernetes and tke-image-pull-secret stores of a
// config's destinations, one set per run (Run).
type Opener struct {
	// Config is the whole config: delete-stale needs every destination
	// writing a Secret.
	Config *config.Config
	// Client reaches the cluster.
	Client *Client
	// Logger receives the stores' warnings (namespaces denied, copies,
	// deletions); never a secret.
	Logger *slog.Logger
}

// Run returns the stores of one run.
func (o *Opener) Run() *Stores { return &Stores{o: o, swept: map[string]bool{}} }

// Stores are one run's stores. Safe for concurrent use.
type Stores struct {
	o     *Opener
	mu    sync.Mutex
	swept map[string]bool
}

func (s *Stores) log() *slog.Logger {
	if s.o.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return s.o.Logger
}

// Store returns the store d is written to. With delete-stale, the first
// call for a Secret name in a run deletes regmint's Secrets of that name
// in namespaces no destination targets any more.
func (s *Stores) Store(ctx context.Context, d config.Destination) (core.Store, error) {
	name := kubespec.SecretName(d)
	if d.Store == TKEKindName {
		return NewTKE(s.o.Client, name)
	}
	cfg := Config{SecretName: name, Namespaces: d.Namespaces, Selector: d.NamespaceSelector, ServiceAccounts: d.ServiceAccounts}
	if d.DeleteStale {
		refs := s.refsOf(name)
		cfg.Keep = func(ref string) bool { return slices.Contains(refs, ref) }
		s.mu.Lock()
		first := !s.swept[name]
		s.swept[name] = true
		s.mu.Unlock()
		if first {
			s.sweep(ctx, name)
		}
	}
	return New(s.o.Client, cfg, s.log())
}

// destinations returns the config's kubernetes destinations writing name.
func (s *Stores) destinations(name string) []config.Destination {
	var out []config.Destination
	if s.o.Config == nil {
		return nil
	}
	for _, t := range s.o.Config.Targets {
		for _, d := range t.Destinations {
			if d.Store == KindName && kubespec.SecretName(d) == name {
				out = append(out, d)
			}
		}
	}
	return out
}

func (s *Stores) refsOf(name string) []string {
	var refs []string
	for _, d := range s.destinations(name) {
		refs = append(refs, d.Ref)
	}
	return refs
}

// sweep deletes regmint's Secrets named name outside every namespace the
// config's destinations writing it target now. It lists Secrets in every
// namespace (label-selected), so it needs list and delete on secrets
// cluster-wide: delete-stale is off by default. Failures are logged: the
// destinations are still written.
func (s *Stores) sweep(ctx context.Context, name string) {
	targeted := map[string]bool{}
	for _, d := range s.destinations(name) {
		nss := d.Namespaces
		if d.NamespaceSelector != "" {
			var err error
			if nss, err = s.o.Client.selectNamespaces(ctx, d.NamespaceSelector); err != nil {
				s.log().LogAttrs(ctx, slog.LevelWarn, "kubernetes: stale pull secrets not deleted", slog.String("secret", name), slog.String("error", err.Error()))
				return
			}
		}
		for _, ns := range nss {
			targeted[ns] = true
		}
	}
	list, err := s.o.Client.listSecrets(ctx, LabelManagedBy+"="+ValueManagedBy)
	if err != nil {
		s.log().LogAttrs(ctx, slog.LevelWarn, "kubernetes: stale pull secrets not deleted", slog.String("secret", name), slog.String("error", apiError(err, "list secrets").Error()))
		return
	}
	for _, sec := range list {
		if sec.Name != name || targeted[sec.Namespace] || foreign(&sec) != "" {
			continue
		}
		err := s.o.Client.deleteSecret(ctx, sec.Namespace, name, sec.ResourceVersion)
		if err != nil {
			s.log().LogAttrs(ctx, slog.LevelWarn, "kubernetes: stale pull secret not deleted", slog.String("secret", name), slog.String("namespace", sec.Namespace), slog.String("error", apiError(err, "delete secret").Error()))
			continue
		}
		s.log().LogAttrs(ctx, slog.LevelInfo, "kubernetes: deleted a pull secret the config no longer targets", slog.String("secret", name), slog.String("namespace", sec.Namespace))
	}
}
