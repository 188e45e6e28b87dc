package tcr

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/regmint/regmint/core"
	tchttp "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/http"
)

// apiClient is the part of the SDK's *common.Client used: its Send, with
// the SDK's own signature, so tests can put a func-field fake in its place.
type apiClient interface {
	Send(request tchttp.Request, response tchttp.Response) error
}

// sendFunc adapts a function to apiClient.
type sendFunc func(request tchttp.Request, response tchttp.Response) error

func (f sendFunc) Send(request tchttp.Request, response tchttp.Response) error {
	return f(request, response)
}

// endpoint is one vendor service the package calls.
type endpoint struct {
	client           apiClient
	service, version string
	// skipSign sends the request unsigned (STS AssumeRoleWithWebIdentity).
	skipSign bool
}

// retryPolicy says which failures of a call may be retried.
type retryPolicy int

const (
	// idempotent: calling again has the same effect (reads, deletes,
	// temporary tokens, STS): every transient failure is retried.
	idempotent retryPolicy = iota
	// createsOnce: a second call would create a second long-lived object.
	// Only failures where the server certainly did not act are retried.
	createsOnce
)

// call is what one vendor call needs.
type call struct {
	ep      endpoint
	action  string
	subject string // instance id or role ARN, for errors
	policy  retryPolicy
	backoff core.Backoff
	log     *slog.Logger
}

// send makes the call with retries and returns the answer's Response
// object. Errors are *opError wrapping (through core.Retry's note, if it
// gave up) the last *apiError.
func send[T any](ctx context.Context, c call, params any) (*T, error) {
	body, err := json.Marshal(params)
	if err != nil {
		return nil, &opError{op: c.action, subject: c.subject, err: err}
	}
	var out *T
	n := 0
	err = core.Retry(ctx, c.backoff, c.retryable(ctx, &n), func(ctx context.Context) error {
		n++
		actx, a := withAttempt(ctx)
		req := tchttp.NewCommonRequest(c.ep.service, c.ep.version, c.action)
		req.SetContext(actx)
		req.SetSkipSign(c.ep.skipSign)
		// body is JSON from json.Marshal, so this does not fail; the SDK
		// would quote the body in its error if it did: drop that.
		if err := req.SetActionParameters(body); err != nil {
			return &apiError{sdk: sdkError(codeClient, "could not build the request", "", nil)}
		}
		resp := &envelope[T]{BaseResponse: &tchttp.BaseResponse{}}
		if err := sendSafely(c.ep.client, req, resp); err != nil {
			ae := newAPIError(err, a)
			ae.service = c.ep.service
			return ae
		}
		if resp.Response == nil {
			return malformed("has no Response object", "")
		}
		out = resp.Response
		return nil
	})
	if err != nil {
		var ae *apiError
		if c.policy == createsOnce && errors.As(err, &ae) && ae.mayHaveActed() {
			err = maybeCreated(err)
		}
		if errors.As(err, &ae) && ae.throttled() {
			// Still throttled after the retries: the rotation engine slows
			// the provider's bucket and tries again while its deadline
			// allows.
			return nil, &core.ThrottledError{Err: &opError{op: c.action, subject: c.subject, err: err}}
		}
		return nil, &opError{op: c.action, subject: c.subject, err: err}
	}
	return out, nil
}

// sendSafely calls the SDK's Send and turns a panic in it into a parse
// error: the SDK dereferences what it decodes unchecked (an answer whose
// body is the JSON null panics in its TryReadErr), and one malformed answer
// must not take the process down, and every other target with it. The
// panic's value is dropped: it may quote the body.
func sendSafely(client apiClient, req tchttp.Request, resp tchttp.Response) (err error) {
	defer func() {
		if recover() != nil {
			err = sdkError(codeParseJSON, "the SDK could not read the response", "", nil)
		}
	}()
	return client.Send(req, resp)
}

// retryable returns the retry decision for core.Retry, logging each retry
// (code and request id only).
func (c call) retryable(ctx context.Context, n *int) func(error) bool {
	return func(err error) bool {
		var ae *apiError
		if !errors.As(err, &ae) || !ae.retryable(c.policy) ||
			errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			return false
		}
		if ctx.Err() != nil {
			// core.Retry sees the context is done and says so.
			return true
		}
		c.log.LogAttrs(ctx, slog.LevelInfo, "tcr: retrying",
			slog.String("action", c.action), slog.String("subject", c.subject), slog.Int("attempt", *n),
			slog.String("code", ae.sdk.Code), slog.String("request_id", ae.sdk.RequestId), slog.Int("http_status", ae.status))
		return true
	}
}

// retryable reports whether the failure is transient and, under policy,
// safe to try again: for idempotent calls every transient failure, for
// calls that create once only those where the service certainly did not
// act (throttling, a transport error before the request was sent in full).
func (e *apiError) retryable(p retryPolicy) bool {
	return e.transient() && (p == idempotent || !e.mayHaveActed())
}

// transient reports whether trying again could succeed: throttling
// (RequestLimitExceeded, HTTP 429), HTTP 5xx, InternalError, transport and
// read errors. STS codes are classified by stsTransient first.
func (e *apiError) transient() bool {
	code := e.sdk.Code
	if e.service == stsService {
		if retry, known := stsTransient(code); known {
			return retry
		}
	}
	switch {
	case e.throttled(), e.status >= 500, code == codeNetwork, code == codeIO:
		return true
	case code == codeInternalError:
		return true
	case strings.HasPrefix(code, codeInternalError+"."):
		// Some InternalError.* codes are final answers in disguise.
		switch strings.TrimPrefix(code, codeInternalError+".") {
		case "ErrNotExist", "ErrUnauthorized", "ErrorTcrUnauthorized", "ErrConflict", "ErrorConflict",
			"ErrorOverLimit", "ErrorTcrResourceConflict", "ErrorTcrInvalidMediaType":
			return false
		}
		return true
	}
	return false
}

func (e *apiError) throttled() bool {
	code := e.sdk.Code
	return code == codeRequestLimit || strings.HasPrefix(code, codeRequestLimit+".") || e.status == http.StatusTooManyRequests
}

// mayHaveActed reports whether the service may have carried the request
// out although the call failed: it was sent in full, and what came back
// was no answer, a garbled one (transport, read, parse, HTTP status
// errors), a 5xx or an InternalError. A vendor error answer (auth,
// parameters, throttling) means it did not act.
func (e *apiError) mayHaveActed() bool {
	if !e.wrote || e.throttled() {
		return false
	}
	return strings.HasPrefix(e.sdk.Code, codeClient) || e.status >= 500 || e.transient()
}

// maybeCreated marks err as a failure after which a long-term token may
// exist.
func maybeCreated(err error) error {
	return fmt.Errorf("%w; not retried: %w", ErrMaybeCreated, err)
}

// plausibleExpiry reports whether t, read from the vendor at now, can be
// when a token expires: after 2000 and at most a century ahead (long-term
// tokens live about ten years). Anything else is a garbled answer, and
// would be a credential that looks like it never needs refreshing.
func plausibleExpiry(t, now time.Time) bool {
	return !t.Before(time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)) && !t.After(now.AddDate(100, 0, 0))
}

// expiryFromMillis converts TCR's ExpTime. The vendor answers milliseconds
// since the epoch; a value too small to be milliseconds of this era is read
// as seconds, in case the unit ever changes (the SDK's model gives none).
func expiryFromMillis(v int64) time.Time {
	if v < 100_000_000_000 { // before 1973 in ms; after 5138 in s
		return time.Unix(v, 0)
	}
	return time.UnixMilli(v)
}
