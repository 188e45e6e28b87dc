package rotation

import (
	"context"
	"testing"

	"golang.org/x/time/rate"

	"github.com/regmint/regmint/core"
	"github.com/regmint/regmint/core/config"
	"github.com/regmint/regmint/core/swr"
	"github.com/regmint/regmint/core/tcr"
)

func TestDefaultLimitersFromConfig(t *testing.T) {
	t.Parallel()
	// The real kinds (core/stores) import this package; the default
	// destination needs only its kind's name.
	cfg, err := config.Parse([]byte(`
rate-limits: {swr: 7}
targets:
  - {name: a, provider: tcr, region: ap-guangzhou, instance-id: tcr-inst0001, credentials: {env: true}}
`), []config.StoreKind{{Name: config.DefaultStore}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := New(cfg, func(core.Target) (core.Issuer, error) { return nil, nil }); err == nil {
		t.Fatal("New accepted a config whose store is missing")
	}
	e, err := New(cfg, func(core.Target) (core.Issuer, error) { return nil, nil }, WithStore(config.DefaultStore, nopStore{}))
	if err != nil {
		t.Fatal(err)
	}
	for p, want := range map[core.Provider]rate.Limit{tcr.Name: 100, swr.SharedName: 7, swr.EnterpriseName: 20} {
		l, ok := e.limiter(p).(*rate.Limiter)
		if !ok {
			t.Fatalf("%s: limiter %T, want *rate.Limiter", p, e.limiter(p))
		}
		if l.Limit() != want {
			t.Errorf("%s: limit %v, want %v", p, l.Limit(), want)
		}
	}
}

type nopStore struct{}

func (nopStore) Get(context.Context, string) (core.Stored, error) {
	return core.Stored{}, core.ErrNotFound
}
func (nopStore) Put(context.Context, string, core.Record) error { return nil }
