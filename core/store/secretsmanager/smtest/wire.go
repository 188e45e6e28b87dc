package smtest

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"
)

// Wire constants of the JSON 1.1 protocol.
const (
	contentType  = "application/x-amz-json-1.1"
	targetPrefix = "secretsmanager."
	maxBody      = 1 << 20
)

// Error codes the server answers with, as AWS spells them.
const (
	CodeResourceNotFound       = "ResourceNotFoundException"
	CodeResourceExists         = "ResourceExistsException"
	CodeInvalidParameter       = "InvalidParameterException"
	CodeInvalidRequest         = "InvalidRequestException"
	CodeInternalServiceError   = "InternalServiceError"
	CodeLimitExceeded          = "LimitExceededException"
	CodeThrottling             = "ThrottlingException"
	CodeInvalidSignature       = "InvalidSignatureException"
	CodeIncompleteSignature    = "IncompleteSignatureException"
	CodeUnrecognizedClient     = "UnrecognizedClientException"
	CodeMissingAuthentication  = "MissingAuthenticationTokenException"
	CodeUnknownOperation       = "UnknownOperationException"
	CodeSerialization          = "SerializationException"
	CodeAccessDenied           = "AccessDeniedException"
	CodeServiceUnavailable     = "ServiceUnavailable"
	messageThrottled           = "Rate exceeded"
	messageInternal            = "An error occurred on the server side."
	messageBadSignature        = "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
	messageUnrecognized        = "The security token included in the request is invalid."
	messageMissingAuth         = "Missing Authentication Token"
	messageSecretNotFound      = "Secrets Manager can't find the specified secret."
	messageVersionIsImmutable  = "You can't modify an existing version, you can only create a new version."
	messageMarkedForDeletion   = "You can't perform this operation on the secret because it was marked for deletion."
	messageStageNotFoundFormat = "Secrets Manager can't find the specified secret value for staging label: %s"
)

// apiError is an error answer: the HTTP status and the JSON body's
// "__type" and message.
type apiError struct {
	status  int
	code    string
	message string
	// service is true for errors the Secrets Manager model declares
	// (answered with "Message", as the service does); the request layer's
	// errors (signature, throttling) use "message".
	service bool
}

func serviceErr(code, message string) *apiError {
	status := http.StatusBadRequest
	if code == CodeInternalServiceError {
		status = http.StatusInternalServerError
	}
	return &apiError{status: status, code: code, message: message, service: true}
}

func requestErr(status int, code, message string) *apiError {
	return &apiError{status: status, code: code, message: message}
}

func (e *apiError) body() []byte {
	key := "message"
	if e.service {
		key = "Message"
	}
	b, _ := json.Marshal(map[string]string{"__type": e.code, key: e.message})
	return b
}

func (s *Server) writeHeaders(w http.ResponseWriter, requestID string) {
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("X-Amzn-Requestid", requestID)
	h.Set("Date", s.Now().UTC().Format(http.TimeFormat))
}

func (s *Server) writeError(w http.ResponseWriter, requestID string, e *apiError) {
	s.writeHeaders(w, requestID)
	b := e.body()
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(e.status)
	w.Write(b)
}

func (s *Server) writeBody(w http.ResponseWriter, requestID string, b []byte) {
	s.writeHeaders(w, requestID)
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(http.StatusOK)
	w.Write(b)
}

// epoch renders a time as the protocol's timestamps: seconds since the
// epoch, with a fraction.
func epoch(t time.Time) json.Number {
	return json.Number(strconv.FormatFloat(float64(t.UnixMilli())/1000, 'f', -1, 64))
}
