// Package ssmtest runs a loopback emulator of the one AWS Systems Manager
// operation regmint calls, GetParameter, which the rotation config Loader
// (core/rotation) reads the config document with, for tests and
// benchmarks of the rotation function.
//
// The Server speaks the JSON 1.1 protocol (POST / with X-Amz-Target
// AmazonSSM.GetParameter) and verifies each request's SigV4 signature as
// AWS does, recomputing it with the SDK's own signer from what was received
// (the smtest approach), against one access key; it refuses timestamps more
// than 5 minutes off. Parameters are SecureStrings: without
// WithDecryption the value comes back as a ciphertext stand-in. Put stores
// values of any size (SSM itself caps a value at 4 KB, 8 KB in the advanced
// tier), so that benchmarks can load configs larger than a deployment can.
package ssmtest

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"

	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/regmint/regmint/core/store/secretsmanager/smtest"
)

// maxSkew is how far a request's X-Amz-Date may be off, as in AWS.
const maxSkew = 5 * time.Minute

// maxBody bounds a request body.
const maxBody = 1 << 20

// Server is a running emulator. Close it when done; all methods are safe
// for concurrent use.
type Server struct {
	// URL is the endpoint, "http://127.0.0.1:port": what
	// AWS_ENDPOINT_URL_SSM holds.
	URL string
	// Region is the region requests must be signed for.
	Region string

	key smtest.Key
	srv *httptest.Server

	mu     sync.Mutex
	params map[string]string
	calls  int
}

// New starts a Server on a loopback port that accepts requests signed with
// key (e.g. smtest.Server.Key, the function role's key) for region.
func New(region string, key smtest.Key) *Server {
	s := &Server{Region: region, key: key, params: map[string]string{}}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	s.URL = s.srv.URL
	return s
}

// Close shuts the server down.
func (s *Server) Close() { s.srv.Close() }

// Put stores a SecureString parameter.
func (s *Server) Put(name, value string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.params[name] = value
}

// Calls returns how many requests reached the emulator.
func (s *Server) Calls() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.calls++
	s.mu.Unlock()
	body, _ := io.ReadAll(io.LimitReader(r.Body, maxBody))
	if code, msg := s.verify(r, body); code != "" {
		writeError(w, http.StatusBadRequest, code, msg)
		return
	}
	if r.Method != http.MethodPost || r.URL.Path != "/" || r.Header.Get("X-Amz-Target") != "AmazonSSM.GetParameter" {
		writeError(w, http.StatusBadRequest, "UnknownOperationException", "")
		return
	}
	if r.Header.Get("Content-Type") != "application/x-amz-json-1.1" {
		writeError(w, http.StatusBadRequest, "SerializationException", "")
		return
	}
	var in struct {
		Name           string
		WithDecryption bool
	}
	if err := json.Unmarshal(body, &in); err != nil || in.Name == "" {
		writeError(w, http.StatusBadRequest, "ValidationException", "1 validation error detected: Value null at 'name' failed to satisfy constraint: Member must not be null")
		return
	}
	s.mu.Lock()
	v, ok := s.params[in.Name]
	s.mu.Unlock()
	if !ok {
		writeError(w, http.StatusBadRequest, "ParameterNotFound", "")
		return
	}
	if !in.WithDecryption {
		v = "AQICAHh" + hex.EncodeToString([]byte(in.Name)) // ciphertext stand-in
	}
	out := map[string]any{"Parameter": map[string]any{
		"ARN":              "arn:aws:ssm:" + s.Region + ":123456789012:parameter" + in.Name,
		"DataType":         "text",
		"LastModifiedDate": float64(time.Now().Unix()),
		"Name":             in.Name,
		"Type":             "SecureString",
		"Value":            v,
		"Version":          1,
	}}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("X-Amzn-Requestid", requestID())
	json.NewEncoder(w).Encode(out)
}

func writeError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("X-Amzn-Requestid", requestID())
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]string{"__type": code, "message": msg})
}

// verify checks the SigV4 signature: the key, its session token, the
// scope (date, region, service ssm), the timestamp and the signature the
// SDK's signer computes over the signed headers and the body.
func (s *Server) verify(r *http.Request, body []byte) (code, msg string) {
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
	if len(scope) != 5 || scope[0] != s.key.AccessKeyID || r.Header.Get("X-Amz-Security-Token") != s.key.SessionToken {
		return "UnrecognizedClientException", "The security token included in the request is invalid."
	}
	ts, err := time.Parse("20060102T150405Z", r.Header.Get("X-Amz-Date"))
	if err != nil || time.Since(ts).Abs() > maxSkew {
		return bad, "Signature expired or X-Amz-Date missing."
	}
	if scope[1] != ts.Format("20060102") || scope[2] != s.Region || scope[3] != "ssm" || scope[4] != "aws4_request" {
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
	if err := v4.NewSigner().SignHTTP(r.Context(), s.key.Credentials(), req, hex.EncodeToString(sum[:]), "ssm", s.Region, ts); err != nil {
		return bad, err.Error()
	}
	_, want, _ := strings.Cut(req.Header.Get("Authorization"), "Signature=")
	if !hmac.Equal([]byte(want), []byte(parts["Signature"])) {
		return bad, "The request signature we calculated does not match the signature you provided."
	}
	return "", ""
}

// requestID returns a random id shaped like AWS's (a UUID).
func requestID() string {
	b := make([]byte, 16)
	rand.Read(b)
	h := hex.EncodeToString(b)
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}
