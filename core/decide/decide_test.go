package decide_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/regmint/regmint/core"
	"github.com/regmint/regmint/core/decide"
)

func TestDecide(t *testing.T) {
	t.Parallel()
	now := t0
	temp := decide.Policy{RefreshMargin: 30 * time.Minute}
	long := decide.Policy{LongTerm: true, RefreshMargin: 30 * time.Minute, RotateEvery: 30 * 24 * time.Hour}
	stored := func(issuedAgo, expiresIn time.Duration, fp string) *core.Stored {
		s := &core.Stored{IssuedAt: now.Add(-issuedAgo), Fingerprint: fp}
		if expiresIn != 0 {
			s.ExpiresAt = now.Add(expiresIn)
		}
		return s
	}
	for _, tc := range []struct {
		name   string
		policy decide.Policy
		stored *core.Stored
		want   decide.Why
	}{
		{"missing", temp, nil, decide.WhyMissing},
		{"fresh temp", temp, stored(10*time.Minute, 50*time.Minute, "fp"), decide.WhyFresh},
		{"temp exactly at margin is fresh", temp, stored(30*time.Minute, 30*time.Minute, "fp"), decide.WhyFresh},
		{"temp near expiry", temp, stored(35*time.Minute, 25*time.Minute, "fp"), decide.WhyExpiring},
		{"temp expired", temp, stored(2*time.Hour, -time.Hour, "fp"), decide.WhyExpired},
		{"temp expires now", temp, stored(time.Hour, 0, "fp"), decide.WhyFresh}, // zero expiry: never expires
		{"config changed", temp, stored(time.Minute, 59*time.Minute, "other"), decide.WhyChanged},
		{"config changed wins over expiry", temp, stored(2*time.Hour, -time.Hour, "other"), decide.WhyChanged},
		{"long-term young", long, stored(29*24*time.Hour, 9*365*24*time.Hour, "fp"), decide.WhyFresh},
		{"long-term rotate-every reached", long, stored(30*24*time.Hour, 9*365*24*time.Hour, "fp"), decide.WhyRotationDue},
		{"long-term never expiring, old", long, stored(31*24*time.Hour, 0, "fp"), decide.WhyRotationDue},
		{"long-term never expiring, young", long, stored(24*time.Hour, 0, "fp"), decide.WhyFresh},
		{"long-term expiring within margin", long, stored(24*time.Hour, 10*time.Minute, "fp"), decide.WhyExpiring},
		{"long-term unknown age", long, &core.Stored{Fingerprint: "fp"}, decide.WhyRotationDue},
		{"temp unknown age is fine", temp, &core.Stored{Fingerprint: "fp", ExpiresAt: now.Add(time.Hour)}, decide.WhyFresh},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			d := decide.Decide(now, tc.policy, "fp", tc.stored)
			if got, want := d.Why, tc.want; got != want {
				t.Errorf("Decide = %v (%s), want %v", got, d.Detail(tc.policy), want)
			}
			if got, want := d.Mint(), tc.want != decide.WhyFresh; got != want {
				t.Errorf("Mint() = %v, want %v", got, want)
			}
			if d.Detail(tc.policy) == "" {
				t.Error("Detail is empty")
			}
		})
	}
}

func TestDecisionDetail(t *testing.T) {
	t.Parallel()
	p := decide.Policy{RefreshMargin: 30 * time.Minute, RotateEvery: 720 * time.Hour, LongTerm: true}
	for _, tc := range []struct {
		s    *core.Stored
		want string
	}{
		{nil, "missing"},
		{&core.Stored{Fingerprint: "x"}, "config changed"},
		{&core.Stored{Fingerprint: "fp", IssuedAt: t0.Add(-time.Hour), ExpiresAt: t0.Add(-90 * time.Second)}, "expired 2m ago"},
		{&core.Stored{Fingerprint: "fp", IssuedAt: t0.Add(-time.Hour), ExpiresAt: t0.Add(12 * time.Minute)}, "expires in 12m, under refresh-margin 30m"},
		{&core.Stored{Fingerprint: "fp", IssuedAt: t0.Add(-721 * time.Hour)}, "long-term token is 30d old, rotate-every 30d"},
		{&core.Stored{Fingerprint: "fp", IssuedAt: t0.Add(-time.Hour)}, "fresh (does not expire)"},
		{&core.Stored{Fingerprint: "fp", IssuedAt: t0.Add(-time.Hour), ExpiresAt: t0.Add(time.Hour)}, "fresh, expires in 60m"},
	} {
		if got := decide.Decide(t0, p, "fp", tc.s).Detail(p); got != tc.want {
			t.Errorf("Detail = %q, want %q", got, tc.want)
		}
	}
}

// BenchmarkDecide10000 measures the refresh decision over 10,000 targets,
// about half of them due.
func BenchmarkDecide10000(b *testing.B) {
	const n = 10000
	p := decide.Policy{RefreshMargin: 30 * time.Minute}
	stored := make([]*core.Stored, n)
	fps := make([]string, n)
	want := 0
	for i := range stored {
		fps[i] = fmt.Sprintf("%016x", i)
		left := time.Duration(i%60) * time.Minute // due when under 30 minutes
		if left < 30*time.Minute {
			want++
		}
		stored[i] = &core.Stored{IssuedAt: t0.Add(-time.Hour + left), ExpiresAt: t0.Add(left), Fingerprint: fps[i]}
	}
	b.ReportAllocs()
	due := 0
	for b.Loop() {
		due = 0
		for i := range stored {
			if decide.Decide(t0, p, fps[i], stored[i]).Mint() {
				due++
			}
		}
	}
	if due != want {
		b.Fatalf("due = %d, want %d", due, want)
	}
}

// t0 is the tests' starting time.
var t0 = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
