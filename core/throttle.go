package core

import (
	"errors"
	"time"
)

// ThrottledError is an error saying that a service refused a call for its
// request rate (AWS ThrottlingException, Tencent Cloud
// RequestLimitExceeded, a GitHub secondary rate limit): the call may be
// made again once the caller slows down. The rotation engine slows the
// bucket of that service and retries while the deadline allows, so such an
// answer does not fail a target by itself.
type ThrottledError struct {
	// Err is the service's answer.
	Err error
	// RetryAfter is how long the service asked the caller to wait
	// (Retry-After, x-ratelimit-reset); 0 when it did not say.
	RetryAfter time.Duration
}

// Error is the service's answer.
func (e *ThrottledError) Error() string { return e.Err.Error() }

// Unwrap returns the service's answer.
func (e *ThrottledError) Unwrap() error { return e.Err }

// Throttled reports whether err (or an error it wraps) is a
// *ThrottledError, and the wait it asks for.
func Throttled(err error) (retryAfter time.Duration, ok bool) {
	var t *ThrottledError
	if errors.As(err, &t) {
		return t.RetryAfter, true
	}
	return 0, false
}
