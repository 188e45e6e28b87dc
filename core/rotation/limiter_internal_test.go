package rotation

import (
	"context"
	"testing"

	"golang.org/x/time/rate"

	"github.com/regmint/regmint/core"
)

func TestDefaultLimitersFromConfig(t *testing.T) {
	t.Parallel()
	cfg, err := Parse([]byte(`
rate-limits: {swr: 7}
targets:
  - {name: a, provider: tcr, region: ap-guangzhou, instance-id: tcr-inst0001, credentials: {env: true}}
`))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := New(cfg, func(core.Target) (core.Issuer, error) { return nil, nil }); err == nil {
		t.Fatal("New accepted a config whose store is missing")
	}
	e, err := New(cfg, func(core.Target) (core.Issuer, error) { return nil, nil }, WithStore(StoreSecretsManager, nopStore{}))
	if err != nil {
		t.Fatal(err)
	}
	for p, want := range map[core.Provider]rate.Limit{core.ProviderTCR: 100, core.ProviderSWR: 7, core.ProviderSWREnterprise: 20} {
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
