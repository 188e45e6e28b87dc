package tcr_test

import (
	"testing"
	"time"

	"github.com/regmint/regmint/core"
	"github.com/regmint/regmint/core/providers/issuertest"
	"github.com/regmint/regmint/core/tcr"
	"github.com/regmint/regmint/core/tcr/tcrtest"
)

// TestConformance runs the checks every provider passes against tcrtest.
func TestConformance(t *testing.T) {
	t.Parallel()
	issuertest.Run(t, issuertest.Fixture{
		Provider: tcr.Provider(),
		LongTerm: true,
		Emulate: func(t *testing.T, tt core.TokenType) issuertest.Emulated {
			// Signatures are checked against the wall clock, so that
			// Advance moves only token lifetimes.
			s := tcrtest.New(tcrtest.WithSignatureClock(time.Now))
			t.Cleanup(s.Close)
			inst, key := s.AddInstance(region), s.AddKey()
			return issuertest.Emulated{
				Target: core.Target{Provider: tcr.Name, Region: region, InstanceID: inst.ID, TokenType: tt,
					APIEndpoint: s.URL, STSEndpoint: s.STSURL, Auth: core.Auth{AccessKeyID: key.ID, AccessKeySecret: key.Secret}},
				Env:     core.Env{Transport: s.Transport(), Backoff: fastBackoff, Timeout: 10 * time.Second, Getenv: func(string) string { return "" }},
				Advance: s.Advance,
				Secrets: s.Secrets,
			}
		},
	})
}
