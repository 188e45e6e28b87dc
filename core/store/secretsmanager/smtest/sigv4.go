package smtest

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// Signature Version 4 as AWS checks it on a JSON protocol service.
const (
	sigAlgorithm   = "AWS4-HMAC-SHA256"
	sigService     = "secretsmanager"
	sigTerminator  = "aws4_request"
	amzDateLayout  = "20060102T150405Z"
	scopeDayLayout = "20060102"
)

// authorization is a parsed SigV4 Authorization header.
type authorization struct {
	accessKeyID, date, region, service, terminator string
	signedHeaders                                  string
	signature                                      string
}

// parseAuthorization reads "AWS4-HMAC-SHA256 Credential=AKID/date/region/
// service/aws4_request, SignedHeaders=a;b, Signature=hex".
func parseAuthorization(h string) (authorization, bool) {
	rest, ok := strings.CutPrefix(h, sigAlgorithm+" ")
	if !ok {
		return authorization{}, false
	}
	var a authorization
	var cred string
	for part := range strings.SplitSeq(rest, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return authorization{}, false
		}
		switch k {
		case "Credential":
			cred = v
		case "SignedHeaders":
			a.signedHeaders = v
		case "Signature":
			a.signature = v
		}
	}
	f := strings.Split(cred, "/")
	if len(f) != 5 || a.signedHeaders == "" || a.signature == "" {
		return authorization{}, false
	}
	a.accessKeyID, a.date, a.region, a.service, a.terminator = f[0], f[1], f[2], f[3], f[4]
	return a, true
}

// verify checks a request's signature the way AWS does: the key must be
// known (and its session token sent), the timestamp within MaxSkew of the
// server's clock, the credential scope this server's region and service,
// and the signature equal to the one the SDK's own signer computes from
// what was received (method, path, query, the signed headers, the body).
func (s *Server) verify(r *http.Request, body []byte) *apiError {
	h := r.Header.Get("Authorization")
	if h == "" {
		return requestErr(http.StatusBadRequest, CodeMissingAuthentication, messageMissingAuth)
	}
	a, ok := parseAuthorization(h)
	if !ok {
		return requestErr(http.StatusBadRequest, CodeIncompleteSignature,
			"Authorization header requires 'Credential', 'Signature' and 'SignedHeaders' parameters.")
	}
	key, ok := s.lookupKey(a.accessKeyID)
	if !ok || r.Header.Get("X-Amz-Security-Token") != key.SessionToken {
		return requestErr(http.StatusBadRequest, CodeUnrecognizedClient, messageUnrecognized)
	}
	amzDate := r.Header.Get("X-Amz-Date")
	t, err := time.Parse(amzDateLayout, amzDate)
	if err != nil {
		return requestErr(http.StatusBadRequest, CodeIncompleteSignature,
			"Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.")
	}
	now := s.Now().UTC()
	if t.Before(now.Add(-MaxSkew)) {
		return requestErr(http.StatusBadRequest, CodeInvalidSignature, fmt.Sprintf(
			"Signature expired: %s is now earlier than %s (%s - 5 min.)",
			amzDate, now.Add(-MaxSkew).Format(amzDateLayout), now.Format(amzDateLayout)))
	}
	if t.After(now.Add(MaxSkew)) {
		return requestErr(http.StatusBadRequest, CodeInvalidSignature, fmt.Sprintf(
			"Signature not yet current: %s is still later than %s (%s + 5 min.)",
			amzDate, now.Add(MaxSkew).Format(amzDateLayout), now.Format(amzDateLayout)))
	}
	switch {
	case a.terminator != sigTerminator:
		return requestErr(http.StatusBadRequest, CodeIncompleteSignature,
			fmt.Sprintf("Credential should be scoped with a valid terminator: '%s', not '%s'.", sigTerminator, a.terminator))
	case a.date != t.Format(scopeDayLayout):
		return requestErr(http.StatusBadRequest, CodeInvalidSignature, fmt.Sprintf(
			"Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '%s' != '%s', from '%s'.",
			a.date, t.Format(scopeDayLayout), amzDate))
	case a.region != s.Region:
		return requestErr(http.StatusBadRequest, CodeInvalidSignature,
			fmt.Sprintf("Credential should be scoped to a valid region, not '%s'.", a.region))
	case a.service != sigService:
		return requestErr(http.StatusBadRequest, CodeInvalidSignature,
			fmt.Sprintf("Credential should be scoped to correct service: '%s'.", sigService))
	}
	signed := strings.Split(a.signedHeaders, ";")
	if !slices.Contains(signed, "host") {
		return requestErr(http.StatusBadRequest, CodeInvalidSignature,
			"'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.")
	}
	want, err := s.expectedSignature(r, body, signed, key, t)
	if err != nil || want.signedHeaders != a.signedHeaders ||
		!hmac.Equal([]byte(want.signature), []byte(a.signature)) {
		return requestErr(http.StatusBadRequest, CodeInvalidSignature, messageBadSignature)
	}
	return nil
}

// expectedSignature signs a copy of the received request, holding only the
// headers the client said it signed, with the SDK's signer.
func (s *Server) expectedSignature(r *http.Request, body []byte, signed []string, key Key, t time.Time) (authorization, error) {
	req, err := http.NewRequest(r.Method, "http://"+r.Host+r.URL.RequestURI(), nil)
	if err != nil {
		return authorization{}, err
	}
	req.Host = r.Host
	for _, name := range signed {
		switch name {
		case "host":
		case "content-length":
			req.ContentLength = int64(len(body))
		default:
			req.Header[http.CanonicalHeaderKey(name)] = r.Header.Values(name)
		}
	}
	sum := sha256.Sum256(body)
	err = v4.NewSigner().SignHTTP(r.Context(), key.Credentials(), req, hex.EncodeToString(sum[:]), sigService, s.Region, t)
	if err != nil {
		return authorization{}, err
	}
	a, ok := parseAuthorization(req.Header.Get("Authorization"))
	if !ok {
		return authorization{}, fmt.Errorf("signer wrote an unreadable Authorization header")
	}
	return a, nil
}
