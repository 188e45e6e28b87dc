package smtest

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"

	"github.com/regmint/regmint/core/internal/faultq"
)

// handler runs one operation on a request body and returns the JSON answer.
type handler func(s *Server, body []byte) (any, *apiError)

var handlers = map[string]handler{
	"BatchGetSecretValue":      (*Server).batchGetSecretValue,
	"CreateSecret":             (*Server).createSecret,
	"DescribeSecret":           (*Server).describeSecret,
	"GetSecretValue":           (*Server).getSecretValue,
	"PutSecretValue":           (*Server).putSecretValue,
	"UpdateSecretVersionStage": (*Server).updateSecretVersionStage,
}

// serve runs the steps every call shares: count, fault, latency, signature,
// dispatch, then write the answer (or the fault that replaces it).
func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	requestID := newUUID()
	op := strings.TrimPrefix(r.Header.Get("X-Amz-Target"), targetPrefix)
	f, delay := s.arrive(op)
	if !s.wait(r, delay) {
		w.WriteHeader(http.StatusServiceUnavailable)
		return
	}
	if f != nil && !f.AfterApply && !f.Malformed {
		if f.Drop {
			faultq.Drop(w)
			return
		}
		s.answerFault(w, requestID, f)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil || len(body) > maxBody {
		s.writeError(w, requestID, requestErr(http.StatusRequestEntityTooLarge, CodeSerialization, "Request body could not be read or is too large."))
		return
	}
	if e := s.verify(r, body); e != nil {
		s.writeError(w, requestID, e)
		return
	}
	h, ok := handlers[op]
	if r.Method != http.MethodPost || r.URL.Path != "/" || !ok ||
		!strings.HasPrefix(r.Header.Get("X-Amz-Target"), targetPrefix) {
		s.writeError(w, requestID, requestErr(http.StatusBadRequest, CodeUnknownOperation, ""))
		return
	}
	if ct := r.Header.Get("Content-Type"); ct != contentType {
		s.writeError(w, requestID, requestErr(http.StatusBadRequest, CodeSerialization,
			"Content-Type must be "+contentType))
		return
	}
	out, e := h(s, body)
	if e != nil {
		s.writeError(w, requestID, e)
		return
	}
	b, err := json.Marshal(out)
	if err != nil {
		s.writeError(w, requestID, serviceErr(CodeInternalServiceError, messageInternal))
		return
	}
	switch {
	case f != nil && f.AfterApply && f.Drop:
		faultq.Drop(w)
	case f != nil && f.AfterApply:
		s.answerFault(w, requestID, f)
	case f != nil && f.Malformed:
		s.writeBody(w, requestID, b[:len(b)/2])
	default:
		s.writeBody(w, requestID, b)
	}
}

// decode reads a request body into in; a body that is not a JSON object of
// the operation's shape is a SerializationException, as AWS answers.
func decode(body []byte, in any) *apiError {
	if err := json.Unmarshal(body, in); err != nil {
		return requestErr(http.StatusBadRequest, CodeSerialization, "The request body could not be parsed as the operation's input.")
	}
	return nil
}
