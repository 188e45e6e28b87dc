package main

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/regmint/regmint/core/store/secretsmanager/smtest"
)

// ssmEmu is a loopback emulator of the one SSM operation the function
// calls, GetParameter, on the JSON 1.1 protocol (POST / with X-Amz-Target
// AmazonSSM.GetParameter). It verifies each request's SigV4 signature as AWS
// does, recomputing it with the SDK's own signer from what was received
// (the smtest approach), and refuses timestamps more than 5 minutes off.
type ssmEmu struct {
	URL    string
	region string
	key    smtest.Key

	mu     sync.Mutex
	params map[string]string
	calls  int
}

func newSSMEmu(t *testing.T, region string, key smtest.Key) *ssmEmu {
	t.Helper()
	e := &ssmEmu{region: region, key: key, params: map[string]string{}}
	srv := httptest.NewServer(http.HandlerFunc(e.serve))
	t.Cleanup(srv.Close)
	e.URL = srv.URL
	return e
}

// Put stores a SecureString parameter.
func (e *ssmEmu) Put(name, value string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.params[name] = value
}

// Calls returns how many requests reached the emulator.
func (e *ssmEmu) Calls() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.calls
}

func (e *ssmEmu) serve(w http.ResponseWriter, r *http.Request) {
	e.mu.Lock()
	e.calls++
	e.mu.Unlock()
	body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if code, msg := e.verify(r, body); code != "" {
		ssmError(w, http.StatusBadRequest, code, msg)
		return
	}
	if r.Method != http.MethodPost || r.URL.Path != "/" || r.Header.Get("X-Amz-Target") != "AmazonSSM.GetParameter" {
		ssmError(w, http.StatusBadRequest, "UnknownOperationException", "")
		return
	}
	if r.Header.Get("Content-Type") != "application/x-amz-json-1.1" {
		ssmError(w, http.StatusBadRequest, "SerializationException", "")
		return
	}
	var in struct {
		Name           string
		WithDecryption bool
	}
	if err := json.Unmarshal(body, &in); err != nil || in.Name == "" {
		ssmError(w, http.StatusBadRequest, "ValidationException", "1 validation error detected: Value null at 'name' failed to satisfy constraint: Member must not be null")
		return
	}
	e.mu.Lock()
	v, ok := e.params[in.Name]
	e.mu.Unlock()
	if !ok {
		ssmError(w, http.StatusBadRequest, "ParameterNotFound", "")
		return
	}
	if !in.WithDecryption {
		v = "AQICAHh" + hex.EncodeToString([]byte(in.Name)) // ciphertext stand-in
	}
	out := map[string]any{"Parameter": map[string]any{
		"ARN":              "arn:aws:ssm:" + e.region + ":123456789012:parameter" + in.Name,
		"DataType":         "text",
		"LastModifiedDate": float64(time.Now().Unix()),
		"Name":             in.Name,
		"Type":             "SecureString",
		"Value":            v,
		"Version":          1,
	}}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("X-Amzn-Requestid", newRequestID())
	json.NewEncoder(w).Encode(out)
}

func ssmError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("X-Amzn-Requestid", newRequestID())
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]string{"__type": code, "message": msg})
}

// verify checks the SigV4 signature: the key, its session token, the
// scope (date, region, service ssm), the timestamp and the signature the
// SDK's signer computes over the signed headers and the body.
func (e *ssmEmu) verify(r *http.Request, body []byte) (code, msg string) {
	const bad = "InvalidSignatureException"
	auth, ok := strings.CutPrefix(r.Header.Get("Authorization"), "AWS4-HMAC-SHA256 ")
	if !ok {
		return "MissingAuthenticationTokenException", "Missing Authentication Token"
	}
	parts := map[string]string{}
	for p := range strings.SplitSeq(auth, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(p), "=")
		parts[k] = v
	}
	scope := strings.Split(parts["Credential"], "/")
	if len(scope) != 5 || scope[0] != e.key.AccessKeyID || r.Header.Get("X-Amz-Security-Token") != e.key.SessionToken {
		return "UnrecognizedClientException", "The security token included in the request is invalid."
	}
	ts, err := time.Parse("20060102T150405Z", r.Header.Get("X-Amz-Date"))
	if err != nil || time.Since(ts).Abs() > 5*time.Minute {
		return bad, "Signature expired or X-Amz-Date missing."
	}
	if scope[1] != ts.Format("20060102") || scope[2] != e.region || scope[3] != "ssm" || scope[4] != "aws4_request" {
		return bad, "Credential should be scoped correctly."
	}
	signed := strings.Split(parts["SignedHeaders"], ";")
	req, _ := http.NewRequest(r.Method, "http://"+r.Host+r.URL.RequestURI(), nil)
	req.Host = r.Host
	for _, h := range signed {
		switch h {
		case "host":
		case "content-length":
			req.ContentLength = int64(len(body))
		default:
			req.Header[http.CanonicalHeaderKey(h)] = r.Header.Values(h)
		}
	}
	sum := sha256.Sum256(body)
	if err := v4.NewSigner().SignHTTP(r.Context(), e.key.Credentials(), req, hex.EncodeToString(sum[:]), "ssm", e.region, ts); err != nil {
		return bad, err.Error()
	}
	_, want, _ := strings.Cut(req.Header.Get("Authorization"), "Signature=")
	if !hmac.Equal([]byte(want), []byte(parts["Signature"])) {
		return bad, "The request signature we calculated does not match the signature you provided."
	}
	return "", ""
}
