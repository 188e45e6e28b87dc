package github

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	gh "github.com/google/go-github/v84/github"
)

// APIError is an error answer of the GitHub API: its status, message and
// request id. It holds no request or response body, header or URL
// credentials, so it never carries a token or a secret value (GitHub's
// error messages do not echo the encrypted value either).
type APIError struct {
	// Status is the HTTP status (401, 403, 404, 422, 429, 5xx).
	Status int
	// Message is GitHub's "message", with the codes of its "errors".
	Message string
	// RequestID is the X-GitHub-Request-Id header, for GitHub support.
	RequestID string
	// RateLimited is set when GitHub refused the call for a primary or
	// secondary rate limit.
	RateLimited bool
	// RetryAfter is how long GitHub asked to wait, for a rate limit.
	RetryAfter time.Duration
	// Hint says what to check, for refusals whose cause is usually the
	// token or the configuration (401, 403, 404).
	Hint string
}

// Error renders the status, message, request id and hint.
func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "HTTP %d", e.Status)
	if e.Message != "" {
		b.WriteString(": " + e.Message)
	}
	if e.RequestID != "" {
		b.WriteString(" (request id " + e.RequestID + ")")
	}
	if e.Hint != "" {
		b.WriteString(": " + e.Hint)
	}
	return b.String()
}

// Retryable reports whether the call may succeed if sent again: a server
// error (5xx but 501). Rate limits are waited for, not retried blindly.
func (e *APIError) Retryable() bool {
	return e.Status >= 500 && e.Status != http.StatusNotImplemented
}

// apiError turns a go-github error (with its response, which can be nil)
// into an *APIError and the answer's headers, or returns nil if err is not
// an API answer (a transport or context error). The go-github error is
// dropped: it holds the request, whose headers carry the token.
func apiError(resp *gh.Response, err error) (*APIError, http.Header) {
	var (
		er  *gh.ErrorResponse
		rle *gh.RateLimitError
		are *gh.AbuseRateLimitError
	)
	e := &APIError{}
	var hr *http.Response
	switch {
	case errors.As(err, &rle):
		e.Message, e.RateLimited, hr = rle.Message, true, rle.Response
	case errors.As(err, &are):
		e.Message, e.RateLimited, hr = are.Message, true, are.Response
	case errors.As(err, &er):
		e.Message, hr = er.Message, er.Response
		for _, fe := range er.Errors {
			switch {
			case fe.Code != "" && fe.Field != "":
				e.Message += "; " + fe.Field + ": " + fe.Code
			case fe.Message != "":
				e.Message += "; " + fe.Message
			}
		}
	default:
		return nil, nil
	}
	if hr == nil && resp != nil {
		hr = resp.Response
	}
	if hr == nil {
		return e, http.Header{}
	}
	e.Status = hr.StatusCode
	e.RequestID = hr.Header.Get("X-GitHub-Request-Id")
	e.Message = strings.TrimSpace(strings.ReplaceAll(e.Message, "\n", " "))
	if e.Status == http.StatusTooManyRequests || e.Status == http.StatusForbidden && hr.Header.Get("Retry-After") != "" {
		e.RateLimited = true
	}
	return e, hr.Header
}

// isStatus reports whether err is the call's own answer with the given
// status: not one of a failed token exchange or a rate limit given up on.
func isStatus(err error, status int) bool {
	var (
		f  final
		ae *APIError
	)
	return !errors.As(err, &f) && errors.As(err, &ae) && ae.Status == status
}

// hint explains the refusals whose cause is nearly always the token or
// the configuration.
func hint(status int, app bool, sc scope) string {
	who := "the token"
	if app {
		who = "the GitHub App installation"
	}
	switch status {
	case http.StatusUnauthorized:
		if app {
			return "the installation token was refused; check the app id, installation id and private key"
		}
		return "the token was refused: it is wrong, expired or revoked"
	case http.StatusForbidden:
		return who + " lacks a permission for " + sc.String() + " (" + permissionsFor(sc.level) + ")"
	case http.StatusNotFound:
		return sc.String() + " does not exist, or " + who + " cannot see it (" + permissionsFor(sc.level) + ")"
	}
	return ""
}

// permissionsFor names the fine-grained permissions a level needs.
func permissionsFor(l Level) string {
	switch l {
	case LevelOrganization:
		return "needs organization permissions secrets: write and variables: write"
	case LevelEnvironment:
		return "needs repository permissions environments: write and secrets: write"
	default:
		return "needs repository permissions secrets: write and variables: write"
	}
}
