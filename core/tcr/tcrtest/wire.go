package tcrtest

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"reflect"
)

// The vendor error codes the emulator answers with.
const (
	codeInvalidAuthorization = "AuthFailure.InvalidAuthorization"
	codeSecretIDNotFound     = "AuthFailure.SecretIdNotFound"
	codeSignatureExpire      = "AuthFailure.SignatureExpire"
	codeSignatureFailure     = "AuthFailure.SignatureFailure"
	codeTokenFailure         = "AuthFailure.TokenFailure"
	codeUnauthorized         = "UnauthorizedOperation"
	codeRequestLimit         = "RequestLimitExceeded"
	codeInternalError        = "InternalError"
	codeInvalidAction        = "InvalidAction"
	codeNoSuchVersion        = "NoSuchVersion"
	codeInvalidParameter     = "InvalidParameter"
	codeMissingParameter     = "MissingParameter"
	codeUnknownParameter     = "UnknownParameter"
	codeTCRNotFound          = "ResourceNotFound.TcrResourceNotFound"
	// STS AssumeRoleWithWebIdentity codes: exactly those the SDK lists for
	// the action (tencentcloud-sdk-go sts/v20180813 client.go and
	// errors.go).
	codeWebIdentityToken = "InvalidParameter.WebIdentityTokenError"
	codeSTSParamError    = "InvalidParameter.ParamError"
	codeGetRoleError     = "InternalError.GetRoleError"
)

// apiErr is a vendor error answer.
type apiErr struct{ code, message string }

func errf(code, format string, args ...any) *apiErr {
	return &apiErr{code: code, message: fmt.Sprintf(format, args...)}
}

// errorBody renders {"Response":{"Error":{"Code","Message"},"RequestId"}}.
func errorBody(e *apiErr, requestID string) []byte {
	type errObj struct {
		Code    string `json:"Code"`
		Message string `json:"Message"`
	}
	b, _ := json.Marshal(map[string]any{"Response": map[string]any{
		"Error": errObj{Code: e.code, Message: e.message}, "RequestId": requestID,
	}})
	return b
}

// successBody renders {"Response":{...fields, "RequestId"}} from a struct
// or map of fields.
func successBody(fields any, requestID string) []byte {
	m := map[string]any{}
	if fields != nil {
		b, _ := json.Marshal(fields)
		json.Unmarshal(b, &m)
	}
	m["RequestId"] = requestID
	b, _ := json.Marshal(map[string]any{"Response": m})
	return b
}

// writeJSON answers HTTP 200 with body, as Tencent Cloud answers both
// success and errors.
func writeJSON(w http.ResponseWriter, body []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	w.Write(body)
}

// decodeParams decodes a JSON request body into the struct v strictly: a
// parameter whose name is not exactly one of v's field names (case
// matters, as for the vendor) is refused with UnknownParameter, so a
// misspelt field in a client shows up.
func decodeParams(body []byte, v any) *apiErr {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(body, &raw); err != nil {
		return errf(codeInvalidParameter, "The request body is not a JSON object.")
	}
	known := map[string]bool{}
	t := reflect.TypeOf(v).Elem()
	for i := 0; i < t.NumField(); i++ {
		known[t.Field(i).Name] = true
	}
	for name := range raw {
		if !known[name] {
			return errf(codeUnknownParameter, "The parameter `%s` is not recognized.", name)
		}
	}
	if err := json.Unmarshal(body, v); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return errf(codeInvalidParameter, "The parameter `%s` has the wrong type: want %v.", te.Field, te.Type)
		}
		return errf(codeInvalidParameter, "The request body could not be decoded.")
	}
	return nil
}
