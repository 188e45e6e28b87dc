package tcrtest_test

import (
	"testing"
	"time"

	"github.com/regmint/regmint/core/tcr/tcrtest"
	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common"
)

// TestRateLimit: calls of the limited action beyond the limit in one second
// of the emulator's clock are refused with RequestLimitExceeded, other
// actions are not counted, and the next second starts anew.
func TestRateLimit(t *testing.T) {
	t.Parallel()
	start := time.Now() // the emulator's clock stands still: one second lasts
	s := tcrtest.New(tcrtest.WithClock(func() time.Time { return start }))
	t.Cleanup(s.Close)
	k := s.AddKey()
	in := s.AddInstance(region)
	c := client(t, common.NewCredential(k.ID, k.Secret), s.URL, nil)
	mint := func() error {
		_, err := tcrCall(t, c, "CreateInstanceToken", map[string]any{"RegistryId": in.ID, "TokenType": "temp"})
		return err
	}

	s.SetRateLimit("CreateInstanceToken", 3)
	for i := range 3 {
		if err := mint(); err != nil {
			t.Fatalf("call %d under the limit: %v", i+1, err)
		}
	}
	if _, err := tcrCall(t, c, "DescribeInstances", map[string]any{"Registryids": []string{in.ID}}); err != nil {
		t.Errorf("another action was limited: %v", err)
	}
	if err := mint(); code(err) != "RequestLimitExceeded" {
		t.Errorf("fourth call in the second: %v, want RequestLimitExceeded", err)
	}
	if got := s.RateLimited("CreateInstanceToken"); got != 1 {
		t.Errorf("RateLimited = %d, want 1", got)
	}
	s.Advance(time.Second)
	if err := mint(); err != nil {
		t.Errorf("first call of the next second: %v", err)
	}
	s.SetRateLimit("CreateInstanceToken", 0)
	for range 5 {
		if err := mint(); err != nil {
			t.Fatalf("call without a limit: %v", err)
		}
	}
}
