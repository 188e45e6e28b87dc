package ghtest_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	gh "github.com/google/go-github/v84/github"

	"github.com/regmint/regmint/core/store/github/ghtest"
)

func TestSecondaryLimits(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newServer(t)
	c := client(t, s, s.AddToken())
	s.EnforceSecondaryLimits(3, 5)
	put := func(i int) error {
		_, err := c.Actions.CreateRepoVariable(ctx, "octo-org", "app", &gh.ActionsVariable{Name: fmt.Sprintf("V%d", i), Value: "x"})
		return err
	}
	for i := range 3 {
		if err := put(i); err != nil {
			t.Fatalf("write %d of 3 a minute: %v", i+1, err)
		}
	}
	var are *gh.AbuseRateLimitError
	err := put(3)
	if !errors.As(err, &are) || are.Response.StatusCode != 403 || are.GetRetryAfter() < 59*time.Second || are.GetRetryAfter() > 60*time.Second {
		t.Fatalf("fourth write in a minute: %v, want 403 secondary rate limit with Retry-After about 60 s", err)
	}
	// Reads are not content-creating.
	if _, _, err := c.Actions.GetRepoPublicKey(ctx, "octo-org", "app"); err != nil {
		t.Errorf("a read was limited: %v", err)
	}
	s.Advance(time.Minute)
	for i := 3; i < 5; i++ {
		if err := put(i); err != nil {
			t.Fatalf("write %d after a minute: %v", i+1, err)
		}
	}
	// Five in the hour: the sixth waits for the first to leave the hour.
	if err := put(5); !errors.As(err, &are) || are.GetRetryAfter() < 58*time.Minute {
		t.Fatalf("sixth write in the hour: %v, want Retry-After about 59 min", err)
	}
	if got := s.SecondaryLimited(); got != 2 {
		t.Errorf("SecondaryLimited = %d, want 2", got)
	}
	s.EnforceSecondaryLimits(0, 0)
	if err := put(5); err != nil {
		t.Errorf("with the limits removed: %v", err)
	}
}

func TestSecondaryLimitsDocumented(t *testing.T) {
	t.Parallel()
	if ghtest.SecondaryPerMinute != 80 || ghtest.SecondaryPerHour != 500 {
		t.Errorf("secondary limits %d/min, %d/h; GitHub documents 80 and 500", ghtest.SecondaryPerMinute, ghtest.SecondaryPerHour)
	}
}
