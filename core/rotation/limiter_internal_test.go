package rotation

import (
	"context"
	"testing"
	"time"

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
		l, ok := e.limiter(p).(*bucket)
		if !ok {
			t.Fatalf("%s: limiter %T, want *bucket", p, e.limiter(p))
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

func TestBucketAdaptive(t *testing.T) {
	t.Parallel()
	b := newBucket(50, 0)
	b.throttled(0)
	if b.Limit() != 25 || b.Throttles() != 1 {
		t.Errorf("after a throttle: %v/s, %d throttles; want 25/s, 1", b.Limit(), b.Throttles())
	}
	for range 10 {
		b.throttled(0)
	}
	if b.Limit() != 50.0/16 {
		t.Errorf("floor %v/s, want %v/s", b.Limit(), 50.0/16)
	}
	for range 40 {
		b.ok()
	}
	if b.Limit() != 50 {
		t.Errorf("recovered to %v/s, want 50/s", b.Limit())
	}
	// A pause the service asked for is waited, and a wait past the
	// deadline takes nothing.
	b.throttled(time.Hour)
	if _, ok := b.reserve(1, time.Now().Add(time.Minute)); ok {
		t.Error("reserved a token inside an hour's Retry-After")
	}
	if d, ok := b.reserve(1, time.Time{}); !ok || d < 59*time.Minute {
		t.Errorf("without a deadline: wait %v, %v; want about an hour", d, ok)
	}
	h := newBucket(0, 12)
	if _, ok := h.reserve(2, time.Time{}); !ok {
		t.Fatal("the hourly burst (2 of 12) was not given")
	}
	if _, ok := h.reserve(1, time.Now().Add(time.Minute)); ok {
		t.Error("a third write within the minute: the hourly cap of 12 (burst 2, then one every 6 min) allows none")
	}
}
