package swr

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/sdkerr"

	"github.com/regmint/regmint/core"
)

// Sentinel errors, for errors.Is.
var (
	// ErrNoCredentials: no cloud authentication was given, neither in the
	// target nor in the environment.
	ErrNoCredentials = errors.New("no Huawei Cloud credentials")
	// ErrNoProject: the region's project id was not given and IAM knows no
	// project of that name for these credentials.
	ErrNoProject = errors.New("no project id for the region")
	// ErrMalformedResponse: the API answered success with a body (or header)
	// that could not be read. An *APIError with Malformed set matches it.
	ErrMalformedResponse = errors.New("malformed response")
)

// APIError is an error answer of an SWR or IAM API, or a success answer whose
// body could not be read. It holds the vendor's code, message and request
// id; the message is cut short and never holds a secret the issuer knows.
type APIError struct {
	// Op is the SDK operation, e.g. "CreateInstanceTempCredential".
	Op string
	// StatusCode is the HTTP status.
	StatusCode int
	// Code and Message are the vendor's error_code and error_msg (or code
	// and message, or IAM's error.title and error.message).
	Code, Message string
	// RequestID is the X-Request-Id of the answer.
	RequestID string
	// Malformed is set when a success answer could not be read.
	Malformed bool
}

func (e *APIError) Error() string {
	var b strings.Builder
	switch {
	case e.Malformed:
		b.WriteString("malformed response body")
		if e.Message != "" {
			b.WriteString(": " + e.Message)
		}
	case e.Code != "":
		b.WriteString(e.Code + ": " + e.Message)
	default:
		fmt.Fprintf(&b, "HTTP %d %s", e.StatusCode, http.StatusText(e.StatusCode))
		if e.Message != "" {
			b.WriteString(": " + e.Message)
		}
	}
	var paren []string
	if e.Code != "" || e.Malformed {
		paren = append(paren, "HTTP "+strconv.Itoa(e.StatusCode))
	}
	if e.RequestID != "" {
		paren = append(paren, "request id "+e.RequestID)
	}
	if len(paren) > 0 {
		b.WriteString(" (" + strings.Join(paren, ", ") + ")")
	}
	return b.String()
}

// Is makes a malformed answer match ErrMalformedResponse.
func (e *APIError) Is(target error) bool { return target == ErrMalformedResponse && e.Malformed }

// Temporary reports whether the call may succeed if repeated: throttling
// (429) and server errors (5xx).
func (e *APIError) Temporary() bool {
	return !e.Malformed && (e.StatusCode == http.StatusTooManyRequests || e.StatusCode >= 500)
}

// maxMessage bounds a vendor message kept in an error.
const maxMessage = 400

// vendorError converts what an SDK call returned into an *APIError (for
// vendor answers) or a sanitised error (transport and other failures). The
// SDK renders its errors as JSON, and its JSON parser quotes the body it
// failed on: neither is passed through.
func vendorError(op string, err error, secrets []string) error {
	if err == nil {
		return nil
	}
	var sre *sdkerr.ServiceResponseError
	if errors.As(err, &sre) {
		e := &APIError{Op: op, StatusCode: sre.StatusCode, RequestID: clip(core.Redact(sre.RequestId, secrets...), 100)}
		if sre.StatusCode < 400 {
			// The SDK could not decode a success answer; its message quotes
			// the body, which may hold the credential just minted.
			e.Malformed = true
			return e
		}
		e.Code, e.Message = sre.ErrorCode, sre.ErrorMessage
		if e.Code == "" {
			// The SDK found no error_code and error_msg: its message is
			// the whole body.
			e.Message = bodyMessage(sre.ErrorMessage)
		}
		e.Code = clip(core.Redact(e.Code, secrets...), 64)
		e.Message = clip(core.Redact(strings.TrimSpace(e.Message), secrets...), maxMessage)
		return e
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		ce := ctxErr(err)
		return &transportError{msg: "request aborted: " + ce.Error(), err: ce}
	}
	var le *core.BodyLimitError
	if errors.As(err, &le) {
		return le // names the host and the limit, never the body; not retried
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		return &transportError{msg: core.Redact(ue.Error(), secrets...), err: ue.Err}
	}
	var ne net.Error
	if errors.As(err, &ne) {
		return &transportError{msg: core.Redact(err.Error(), secrets...), err: ne}
	}
	return errors.New(clip(core.Redact(err.Error(), secrets...), maxMessage))
}

func ctxErr(err error) error {
	if errors.Is(err, context.DeadlineExceeded) {
		return context.DeadlineExceeded
	}
	return context.Canceled
}

// bodyMessage finds the message in an error body the SDK left whole:
// IAM's Keystone-style {"error":{"code":401,"message":"...","title":
// "Unauthorized"}} (the code is a number), or a lone "error_msg" or
// "message". Any other body is not shown: it may be a success answer cut
// short, holding the credential just minted, or whatever a proxy put
// there; the status and request id still say what happened.
func bodyMessage(body string) string {
	var top map[string]json.RawMessage
	if json.Unmarshal([]byte(body), &top) != nil {
		return ""
	}
	var ks struct {
		Message string `json:"message"`
	}
	if json.Unmarshal(top["error"], &ks) == nil && ks.Message != "" {
		return ks.Message
	}
	for _, k := range []string{"error_msg", "message"} {
		var s string
		if json.Unmarshal(top[k], &s) == nil && s != "" {
			return s
		}
	}
	return ""
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

// transportError is a request that got no answer: connection refused, reset,
// timeout, proxy failure. It unwraps to the underlying net error.
type transportError struct {
	msg string
	err error
}

func (e *transportError) Error() string { return e.msg }
func (e *transportError) Unwrap() error { return e.err }

// retryable reports whether an operation error may go away if the call is
// repeated: throttling, 5xx and transport errors. Context errors are not
// (core.Retry stops on them).
func retryable(err error) bool {
	var ae *APIError
	if errors.As(err, &ae) {
		return ae.Temporary()
	}
	var te *transportError
	if errors.As(err, &te) {
		return !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded)
	}
	return false
}

// ambiguous reports whether a failed call may nevertheless have been carried
// out by the server: a 5xx, a transport error after the request may have
// been sent, or a success answer that could not be read. Throttling (429) is
// answered before the request is processed.
func ambiguous(err error) bool {
	var ae *APIError
	if errors.As(err, &ae) {
		return ae.Malformed || ae.StatusCode >= 500
	}
	var te *transportError
	return errors.As(err, &te)
}

// opErr is an error wrapped with the operation it came from.
type opErr struct {
	msg string
	err error
}

func (e *opErr) Error() string { return e.msg }
func (e *opErr) Unwrap() error { return e.err }

// opError wraps err with the operation and what it was about, in the
// package's error style: "swr <Op> <resource>: <cause>". An error that
// already names its operation (an IAM login failing under an SWR call) is
// returned as it is.
func opError(op, resource string, err error) error {
	var oe *opErr
	if errors.As(err, &oe) {
		return err
	}
	prefix := "swr " + op
	if resource != "" {
		prefix += " " + resource
	}
	return &opErr{msg: prefix + ": " + err.Error(), err: err}
}

// isNotFound reports whether err is a 404 answer.
func isNotFound(err error) bool {
	var ae *APIError
	return errors.As(err, &ae) && ae.StatusCode == http.StatusNotFound
}
