package tcr

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	tcerr "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/errors"
)

// Vendor and SDK error codes the package acts on.
const (
	codeRequestLimit  = "RequestLimitExceeded"
	codeInternalError = "InternalError"
	codeUnauthorized  = "UnauthorizedOperation"
	codeNetwork       = "ClientError.NetworkError"
	codeHTTPStatus    = "ClientError.HttpStatusCodeError"
	codeParseJSON     = "ClientError.ParseJsonError"
	codeIO            = "ClientError.IOError"
	codeClient        = "ClientError"
)

// ErrInstanceNotFound is wrapped by the error returned when
// DescribeInstances does not list the target's instance in its region.
var ErrInstanceNotFound = errors.New("instance not found")

// ErrMaybeCreated is wrapped by the error of a long-term Issue that failed
// after the request reached the service (HTTP 5xx, InternalError, a
// connection lost after sending): the token may exist although no answer
// arrived. Such failures are not retried, to not create a second token;
// ListTokens shows whether one was created.
var ErrMaybeCreated = errors.New("a long-term token may have been created")

// opError names the operation and what it was about (instance id, or role
// for STS) in front of the cause: "tcr CreateInstanceToken tcr-abcd1234:
// AuthFailure.SignatureFailure: <message> (request id <id>)".
type opError struct {
	op, subject string
	err         error
}

func (e *opError) Error() string { return "tcr " + e.op + " " + e.subject + ": " + e.err.Error() }
func (e *opError) Unwrap() error { return e.err }

// apiError is one failed exchange: the SDK's error, sanitised, and what the
// exchange got to.
type apiError struct {
	sdk     *tcerr.TencentCloudSDKError
	service string // the service called (tcrService, stsService); "" if unknown
	status  int    // HTTP status answered; 0 if none
	wrote   bool   // the request was written in full
}

func (e *apiError) Error() string {
	s := e.sdk.Code + ": " + e.sdk.Message
	if c := e.sdk.Unwrap(); c != nil {
		s += ": " + c.Error()
	}
	if e.sdk.RequestId != "" {
		s += " (request id " + e.sdk.RequestId + ")"
	}
	return s
}

func (e *apiError) Unwrap() error { return e.sdk }

// newAPIError sanitises an error from the SDK's Send. The SDK puts whole
// response bodies into ClientError.ParseJsonError and
// ClientError.HttpStatusCodeError messages: a cut-short success body holds
// a minted token or STS keys, so those messages are replaced. The vendor's
// own Code, Message and RequestId are kept as they are.
func newAPIError(err error, a *attempt) *apiError {
	e := &apiError{status: int(a.status.Load()), wrote: a.wrote.Load()}
	if le := a.tooLarge.Load(); le != nil {
		// Final: the same endpoint would send the same again.
		e.sdk = sdkError(codeParseJSON, le.Error(), "", le)
		return e
	}
	var sdk *tcerr.TencentCloudSDKError
	if !errors.As(err, &sdk) {
		e.sdk = sdkError(codeClient, "request failed", "", err)
		return e
	}
	switch {
	case e.status != 0 && e.status != http.StatusOK && strings.HasPrefix(sdk.Code, codeClient+"."):
		e.sdk = sdkError(codeHTTPStatus, fmt.Sprintf("HTTP %d %s", e.status, http.StatusText(e.status)), sdk.RequestId, nil)
	case sdk.Code == codeParseJSON:
		e.sdk = sdkError(codeParseJSON, "the response body is not the JSON the API documents", sdk.RequestId, nil)
	case sdk.Code == codeHTTPStatus:
		e.sdk = sdkError(codeHTTPStatus, "unexpected HTTP status", sdk.RequestId, nil)
	default:
		e.sdk = sdkError(sdk.Code, sdk.Message, sdk.RequestId, sdk.Unwrap())
	}
	return e
}

func sdkError(code, msg, requestID string, cause error) *tcerr.TencentCloudSDKError {
	return tcerr.NewTencentCloudSDKErrorWithCause(code, msg, requestID, cause).(*tcerr.TencentCloudSDKError)
}

// malformed is the error for an answer that parsed but lacks what the API
// documents.
func malformed(what, requestID string) *apiError {
	return &apiError{sdk: sdkError(codeParseJSON, "the response "+what, requestID, nil), status: http.StatusOK, wrote: true}
}

// Code returns the vendor's (or the SDK's ClientError.*) error code in err,
// or "".
func Code(err error) string {
	var sdk *tcerr.TencentCloudSDKError
	if errors.As(err, &sdk) {
		return sdk.Code
	}
	return ""
}

// RequestID returns the vendor's request id in err, or "".
func RequestID(err error) string {
	var sdk *tcerr.TencentCloudSDKError
	if errors.As(err, &sdk) {
		return sdk.RequestId
	}
	return ""
}

// Hint returns advice for people on the common failures (wrong key, no
// permission on the instance, unknown instance, throttling, keyless login
// refused), or "" when it has none. It never holds a secret.
func Hint(err error) string {
	if err == nil {
		return ""
	}
	subject := ""
	var op *opError
	if errors.As(err, &op) {
		subject = op.subject
	}
	if errors.Is(err, ErrMaybeCreated) {
		return "the service failed after receiving the request, so a long-term token may exist without its secret having arrived: not retried, to not create a second one; list the instance's tokens (DescribeInstanceToken) and delete strays, then run again"
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return "the time allowed ran out before Tencent Cloud answered: allow more time, or check the network, api-endpoint and HTTPS_PROXY/NO_PROXY"
	}
	if errors.Is(err, ErrInstanceNotFound) {
		return "the instance " + subject + " is not in this region for this account: check instance-id and region (the instance id is shown in the TCR console, the region is where the instance was created)"
	}
	code := Code(err)
	if op != nil && op.op == actAssumeRole {
		if h := stsHint(code); h != "" {
			return h
		}
	}
	switch {
	case code == "AuthFailure.SecretIdNotFound" || code == "AuthFailure.InvalidSecretId":
		return "Tencent Cloud does not know this SecretId: check access-key-id (or TENCENTCLOUD_SECRET_ID), and that the key was not deleted or disabled in CAM"
	case code == "AuthFailure.SignatureFailure":
		return "the signature did not match: the SecretKey does not belong to the SecretId; check access-key-secret (or TENCENTCLOUD_SECRET_KEY). Not retried"
	case code == "AuthFailure.SignatureExpire":
		return "this machine's clock is more than 5 minutes off Tencent Cloud's: fix the clock (NTP). Not retried"
	case code == "AuthFailure.TokenFailure":
		return "the session token is wrong or expired: a temporary SecretId needs the security-token (or TENCENTCLOUD_SESSION_TOKEN) issued with it, and expires; a permanent key needs none"
	case strings.HasPrefix(code, "AuthFailure"):
		return "Tencent Cloud refused the credentials: check the access key and secret. Not retried"
	case code == codeUnauthorized || strings.HasPrefix(code, codeUnauthorized+".") || code == "OperationDenied":
		return "the key's CAM user or role has no permission on instance " + subject + ": grant tcr:CreateInstanceToken, tcr:DescribeInstances, tcr:DescribeInstanceToken and tcr:DeleteInstanceToken on it (e.g. the QcloudTCRFullAccess policy)"
	case strings.HasPrefix(code, "ResourceNotFound"):
		return "Tencent Cloud found no such resource: check instance-id and region"
	case code == codeRequestLimit || strings.HasPrefix(code, codeRequestLimit+"."):
		return "Tencent Cloud throttled the requests (TCR allows about 100 per second per account): retried with backoff until the deadline; run fewer at once or later"
	case code == codeNetwork:
		return "Tencent Cloud could not be reached: check the network, api-endpoint and HTTPS_PROXY/NO_PROXY"
	case code == codeHTTPStatus:
		return "Tencent Cloud answered an HTTP error: retried with backoff; try again later"
	case code == codeParseJSON:
		return "the endpoint did not answer as the Tencent Cloud API does: check api-endpoint and sts-endpoint"
	}
	return ""
}
