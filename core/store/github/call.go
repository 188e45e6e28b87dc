package github

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	gh "github.com/google/go-github/v84/github"

	"github.com/regmint/regmint/core"
)

// maxRateLimitWaits bounds the rate-limit waits of one call.
const maxRateLimitWaits = 3

// defaultRateLimitWait is waited when a rate-limit answer says nothing of
// when to retry (GitHub asks for at least a minute).
const defaultRateLimitWait = time.Minute

// final marks an error that no retry can help (a rate limit not waited
// for, a failed token exchange).
type final struct{ err error }

func (f final) Error() string { return f.err.Error() }
func (f final) Unwrap() error { return f.err }

// call runs one API request on sc with the client's credentials.
func (c *Client) call(ctx context.Context, what string, sc scope, f func(ctx context.Context) (*gh.Response, error)) error {
	return c.send(ctx, what, c.auth, func(status int) string { return hint(status, c.app, sc) }, f)
}

// send runs f until it succeeds or fails for good: rate limits are waited
// for (Retry-After, X-RateLimit-Reset; bounded by MaxRateLimitWait and the
// context's deadline), a refused installation token is replaced once, and
// 5xx answers and transport errors are retried with core.Retry. The error
// names the call (what) and carries an *APIError, never a go-github error
// (which holds the request and so its token).
func (c *Client) send(ctx context.Context, what string, src tokenSource, hintFor func(int) string, f func(ctx context.Context) (*gh.Response, error)) error {
	waits, reauthed := 0, false
	attempt := func(ctx context.Context) error {
		for {
			tok, err := src.token(ctx)
			if err != nil {
				return final{err}
			}
			resp, err := f(withToken(ctx, tok))
			if err == nil {
				return nil
			}
			if cerr := ctx.Err(); cerr != nil {
				return cerr
			}
			ae, header := apiError(resp, err)
			if ae == nil {
				c.log.Debug("github call failed", "call", what, "error", err.Error())
				return err // transport error
			}
			if ae.RateLimited {
				ae.RetryAfter = c.rateLimitDelay(header)
				if werr := c.waitRateLimit(ctx, what, ae.RetryAfter, &waits); werr != nil {
					// The rotation engine slows GitHub's bucket and tries
					// again while its deadline allows (core.ThrottledError).
					return final{&core.ThrottledError{Err: fmt.Errorf("%w: %w", ae, werr), RetryAfter: ae.RetryAfter}}
				}
				continue
			}
			if ae.Status == http.StatusUnauthorized && !reauthed && src.refused(tok) {
				reauthed = true
				c.log.Info("github refused the installation token; minting another", "call", what)
				continue
			}
			ae.Hint = hintFor(ae.Status)
			if ae.Retryable() {
				c.log.Debug("github call failed", "call", what, "status", ae.Status, "request_id", ae.RequestID)
			}
			return ae
		}
	}
	err := core.Retry(ctx, c.backoff, retryable, attempt)
	if err != nil {
		return fmt.Errorf("github %s: %w", what, err)
	}
	return nil
}

// retryable: 5xx answers and transport errors; not rate limits (waited
// for in send), 4xx, or the context's end.
func retryable(err error) bool {
	var (
		f  final
		ae *APIError
	)
	switch {
	case errors.As(err, &f):
		return false
	case errors.As(err, &ae):
		return ae.Retryable()
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return false
	}
	return true
}

// rateLimitDelay reads how long to wait from a rate-limit answer, as
// GitHub documents it: Retry-After (seconds, or a date), else, if
// X-RateLimit-Remaining is 0, until X-RateLimit-Reset (epoch seconds, plus
// a second for rounding), else a minute.
func (c *Client) rateLimitDelay(h http.Header) time.Duration {
	if ra := h.Get("Retry-After"); ra != "" {
		if n, err := strconv.ParseInt(ra, 10, 64); err == nil && n >= 0 {
			return time.Duration(n) * time.Second
		}
		if t, err := http.ParseTime(ra); err == nil {
			return max(t.Sub(c.now()), 0)
		}
	}
	if reset := h.Get("X-RateLimit-Reset"); reset != "" && h.Get("X-RateLimit-Remaining") == "0" {
		if n, err := strconv.ParseInt(reset, 10, 64); err == nil {
			return max(time.Unix(n, 0).Sub(c.now())+time.Second, time.Second)
		}
	}
	return defaultRateLimitWait
}

// waitRateLimit waits d, unless that is longer than the client waits,
// would pass the context's deadline, or the call already waited too often.
func (c *Client) waitRateLimit(ctx context.Context, what string, d time.Duration, waits *int) error {
	switch dl, ok := ctx.Deadline(); {
	case *waits >= maxRateLimitWaits:
		return fmt.Errorf("still rate limited after %d waits", *waits)
	case d > c.maxWait:
		return fmt.Errorf("rate limited for another %s, longer than the %s this client waits", d.Round(time.Second), c.maxWait)
	case ok && time.Until(dl) < d:
		return fmt.Errorf("rate limited for another %s, beyond the deadline", d.Round(time.Second))
	}
	*waits++
	c.log.Warn("github rate limit: waiting before retrying", "call", what, "wait", d)
	if err := c.sleep(ctx, d); err != nil {
		return fmt.Errorf("waiting for the rate limit: %w", err)
	}
	return nil
}
