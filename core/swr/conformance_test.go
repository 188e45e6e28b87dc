package swr_test

import (
	"sync"
	"testing"
	"time"

	"github.com/regmint/regmint/core"
	"github.com/regmint/regmint/core/providers/issuertest"
	"github.com/regmint/regmint/core/swr"
	"github.com/regmint/regmint/core/swr/swrtest"
)

// TestConformance runs the checks every provider passes against swrtest,
// for both editions.
func TestConformance(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		d        core.Descriptor
		longTerm bool
	}{
		{swr.EnterpriseProvider(), true},
		{swr.SharedProvider(), false}, // its long-term login is derived from the key: nothing to revoke
	} {
		t.Run(string(tc.d.Name), func(t *testing.T) {
			t.Parallel()
			issuertest.Run(t, issuertest.Fixture{
				Provider: tc.d,
				LongTerm: tc.longTerm,
				Emulate: func(t *testing.T, tt core.TokenType) issuertest.Emulated {
					clk := &settable{t: time.Now()}
					w := newWorld(t, swrtest.WithClock(clk.Now), swrtest.WithSignatureClock(time.Now))
					tg, env := w.setup(t, tc.d.Name, tt, authKeys)
					return issuertest.Emulated{Target: tg, Env: env, Advance: clk.Advance, Secrets: w.srv.Secrets}
				},
			})
		})
	}
}

// settable is a clock tests move forward.
type settable struct {
	mu sync.Mutex
	t  time.Time
}

func (c *settable) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *settable) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}
