package kubernetes_test

import (
	"encoding/json"
	"log/slog"
	"testing"
	"time"

	"k8s.io/client-go/rest"

	"github.com/regmint/regmint/core"
	"github.com/regmint/regmint/core/store/kubernetes"
	"github.com/regmint/regmint/core/store/kubernetes/kubetest"
	"github.com/regmint/regmint/internal/leaktest"
	"github.com/regmint/regmint/internal/testutil"
)

// env is one emulated cluster and a client of it.
type env struct {
	api    *kubetest.Server
	client *kubernetes.Client
	logs   *syncBuffer
	log    *slog.Logger
}

func newEnv(t *testing.T, namespaces ...string) *env {
	t.Helper()
	api := kubetest.New(t)
	for _, ns := range namespaces {
		api.AddNamespace(ns, map[string]string{"team": "apps"})
	}
	c, err := kubernetes.NewClient(&rest.Config{Host: api.URL})
	if err != nil {
		t.Fatal(err)
	}
	logs := &syncBuffer{}
	return &env{api: api, client: c, logs: logs, log: slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))}
}

func (e *env) store(t *testing.T, cfg kubernetes.Config) *kubernetes.Store {
	t.Helper()
	s, err := kubernetes.New(e.client, cfg, e.log)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// auths returns the auths entries of a Secret in the emulator.
func (e *env) auths(t *testing.T, ns, name string) map[string]core.AuthEntry {
	t.Helper()
	data := e.api.SecretData(ns, name)
	if data == nil {
		return nil
	}
	var doc struct {
		Auths map[string]core.AuthEntry `json:"auths"`
	}
	if err := json.Unmarshal(data[".dockerconfigjson"], &doc); err != nil {
		t.Fatalf("secret %s/%s: .dockerconfigjson: %v", ns, name, err)
	}
	return doc.Auths
}

// record returns a complete record with a fresh random password.
func record(t *testing.T, registry string) core.Record {
	t.Helper()
	return core.Record{
		Credential: core.Credential{Registry: registry, Username: "u-" + registry, Password: leaktest.Random(t),
			ExpiresAt: time.Date(2031, 1, 2, 3, 4, 5, 0, time.UTC), TokenID: "tok-" + leaktest.Random(t)[:8]},
		IssuedAt:    time.Date(2031, 1, 1, 3, 4, 5, 0, time.UTC),
		Fingerprint: "fp-" + registry,
	}
}

type syncBuffer = testutil.SyncBuffer
