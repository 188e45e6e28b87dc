package core_test

import (
	"testing"
	"time"

	"github.com/regmint/regmint/core"
)

func TestHumanDuration(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		d    time.Duration
		want string
	}{
		{87599*time.Hour + 59*time.Minute + 59*time.Second, "3650d"},
		{48 * time.Hour, "2d"},
		{47*time.Hour + 59*time.Minute, "47h"},
		{2 * time.Hour, "2h"},
		{time.Hour + 59*time.Minute + 59*time.Second, "2h"},
		{time.Hour + 59*time.Minute, "119m"},
		{59*time.Minute + 59*time.Second, "60m"},
		{time.Minute, "1m"},
		{45 * time.Second, "45s"},
		{0, "0s"},
		{-90 * time.Second, "-2m"},
	} {
		if got := core.HumanDuration(tc.d); got != tc.want {
			t.Errorf("HumanDuration(%v) = %q, want %q", tc.d, got, tc.want)
		}
	}
}
