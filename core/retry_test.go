package core_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/regmint/regmint/core"
)

var errTransient = errors.New("transient")

func isTransient(err error) bool { return errors.Is(err, errTransient) }

func TestBackoffWaitFullJitter(t *testing.T) {
	t.Parallel()
	b := core.Backoff{Base: 100 * time.Millisecond, Max: time.Second, Rand: func() float64 { return 0.999999 }}
	for n, want := range map[int]time.Duration{1: 100 * time.Millisecond, 2: 200 * time.Millisecond, 4: 800 * time.Millisecond, 5: time.Second, 60: time.Second} {
		if got := b.Wait(n); got > want || got < want*99/100 {
			t.Errorf("Wait(%d) = %v, want just under %v", n, got, want)
		}
	}
	b.Rand = func() float64 { return 0 }
	if got := b.Wait(3); got != 0 {
		t.Errorf("full jitter must reach 0, got %v", got)
	}
}

func TestRetry(t *testing.T) {
	t.Parallel()
	fast := core.Backoff{Base: time.Microsecond, Max: time.Microsecond, Attempts: 4}
	tests := []struct {
		name      string
		failures  int
		err       error
		wantCalls int
		wantErr   string
	}{
		{"success first", 0, nil, 1, ""},
		{"transient then success", 2, errTransient, 3, ""},
		{"transient until attempts run out", 10, errTransient, 4, "gave up after 4 attempts: transient"},
		{"final error not retried", 10, errors.New("AuthFailure"), 1, "AuthFailure"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			calls := 0
			err := core.Retry(context.Background(), fast, isTransient, func(context.Context) error {
				calls++
				if calls <= tc.failures {
					return tc.err
				}
				return nil
			})
			if calls != tc.wantCalls {
				t.Errorf("calls = %d, want %d", calls, tc.wantCalls)
			}
			if tc.wantErr == "" && err != nil || tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)) {
				t.Errorf("err = %v, want %q", err, tc.wantErr)
			}
			if tc.err != nil && tc.wantErr != "" && !errors.Is(err, tc.err) {
				t.Errorf("the last error is not wrapped: %v", err)
			}
		})
	}
}

func TestRetryStopsAtDeadline(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	b := core.Backoff{Base: time.Hour, Max: time.Hour, Attempts: 100, Rand: func() float64 { return 0.5 }}
	calls := 0
	err := core.Retry(ctx, b, isTransient, func(context.Context) error { calls++; return errTransient })
	if calls != 1 {
		t.Errorf("calls = %d: a wait past the deadline must not be begun", calls)
	}
	if err == nil || !strings.Contains(err.Error(), "deadline too near") || !errors.Is(err, errTransient) {
		t.Errorf("err = %v", err)
	}
}

func TestRetryStopsWhenCancelled(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	b := core.Backoff{Base: time.Hour, Max: time.Hour, Attempts: 100, Rand: func() float64 { return 0.5 }}
	calls := 0
	err := core.Retry(ctx, b, isTransient, func(context.Context) error {
		calls++
		cancel()
		return errTransient
	})
	if calls != 1 || !errors.Is(err, context.Canceled) || !errors.Is(err, errTransient) {
		t.Errorf("calls = %d, err = %v", calls, err)
	}
}
