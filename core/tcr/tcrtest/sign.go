package tcrtest

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"
)

const tc3Algorithm = "TC3-HMAC-SHA256"

// tc3Auth is a parsed TC3-HMAC-SHA256 Authorization header.
type tc3Auth struct {
	secretID      string
	scope         string // date/service/tc3_request
	signedHeaders []string
	signature     string
}

// parseTC3 parses "TC3-HMAC-SHA256 Credential=<id>/<scope>,
// SignedHeaders=a;b, Signature=<hex>".
func parseTC3(h string) (tc3Auth, bool) {
	rest, ok := strings.CutPrefix(h, tc3Algorithm+" ")
	if !ok {
		return tc3Auth{}, false
	}
	var a tc3Auth
	for _, part := range strings.Split(rest, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return tc3Auth{}, false
		}
		switch k {
		case "Credential":
			id, scope, ok := strings.Cut(v, "/")
			if !ok || id == "" {
				return tc3Auth{}, false
			}
			a.secretID, a.scope = id, scope
		case "SignedHeaders":
			a.signedHeaders = strings.Split(v, ";")
		case "Signature":
			a.signature = v
		default:
			return tc3Auth{}, false
		}
	}
	if a.secretID == "" || a.signature == "" || len(a.signedHeaders) == 0 {
		return tc3Auth{}, false
	}
	return a, true
}

// tc3Check verifies a request's signature and timestamp against the key
// store, the signature clock (WithSignatureClock; the emulator's clock by
// default) and the service the endpoint belongs to, and
// returns the key that signed it. Errors carry the vendor's codes and never
// the expected signature.
func (s *Server) tc3Check(r *http.Request, body []byte, service string) (*key, *apiErr) {
	auth, ok := parseTC3(r.Header.Get("Authorization"))
	if !ok {
		return nil, errf(codeInvalidAuthorization, "Authorization header is missing or is not a %s signature.", tc3Algorithm)
	}
	tsHeader := r.Header.Get("X-TC-Timestamp")
	ts, err := strconv.ParseInt(tsHeader, 10, 64)
	if err != nil {
		return nil, errf(codeMissingParameter, "The request is missing a valid X-TC-Timestamp header.")
	}
	s.mu.Lock()
	now, sigNow := s.nowLocked(), s.signatureNowLocked()
	k := s.keys[auth.secretID]
	s.mu.Unlock()
	if skew := sigNow.Sub(time.Unix(ts, 0)); skew > MaxSkew || skew < -MaxSkew {
		return nil, errf(codeSignatureExpire, "Signature expired: the request timestamp %d is more than %v off the server time %d.", ts, MaxSkew, sigNow.Unix())
	}
	if k == nil {
		return nil, errf(codeSecretIDNotFound, "The SecretId is not found, please ensure that your SecretId is correct.")
	}
	date := time.Unix(ts, 0).UTC().Format("2006-01-02")
	scope := date + "/" + service + "/tc3_request"
	canonical, ok := canonicalRequest(r, body, auth.signedHeaders)
	if !ok || auth.scope != scope || !hmac.Equal([]byte(auth.signature), []byte(Signature(k.secret, service, date, tsHeader, scope, canonical))) {
		return nil, errf(codeSignatureFailure, "The provided credentials could not be validated. Please check your signature is correct.")
	}
	switch tok := r.Header.Get("X-TC-Token"); {
	case k.token == "" && tok != "":
		return nil, errf(codeTokenFailure, "A session token was sent with a permanent SecretId.")
	case k.token != "" && !hmac.Equal([]byte(tok), []byte(k.token)):
		return nil, errf(codeTokenFailure, "The session token is missing or does not belong to the temporary SecretId.")
	case k.token != "" && !now.Before(k.expires):
		return nil, errf(codeTokenFailure, "The temporary credentials have expired.")
	}
	return k, nil
}

// canonicalRequest rebuilds the TC3 canonical request from what arrived:
// method, URI, query, the signed headers (lowercase names and trimmed,
// lowercased values; host from the Host header) and the hashed body. It
// refuses a signed-header list without content-type and host, or not
// lowercase and sorted.
func canonicalRequest(r *http.Request, body []byte, signed []string) (string, bool) {
	if !sort.StringsAreSorted(signed) {
		return "", false
	}
	var hasCT, hasHost bool
	var headers strings.Builder
	for _, name := range signed {
		if name == "" || name != strings.ToLower(name) {
			return "", false
		}
		value := r.Header.Get(name)
		switch name {
		case "host":
			hasHost, value = true, r.Host
		case "content-type":
			hasCT = true
		}
		fmt.Fprintf(&headers, "%s:%s\n", name, strings.ToLower(strings.TrimSpace(value)))
	}
	if !hasCT || !hasHost {
		return "", false
	}
	payloadHash := sha256Hex(body)
	if r.Header.Get("X-TC-Content-SHA256") == "UNSIGNED-PAYLOAD" {
		payloadHash = sha256Hex([]byte("UNSIGNED-PAYLOAD"))
	}
	uri := r.URL.EscapedPath()
	if uri == "" {
		uri = "/"
	}
	return strings.Join([]string{
		r.Method, uri, r.URL.RawQuery, headers.String(), strings.Join(signed, ";"), payloadHash,
	}, "\n"), true
}

// Signature is the hex TC3-HMAC-SHA256 signature the emulator expects for
// a request: the string to sign is built from the algorithm, the timestamp,
// the credential scope (date/service/tc3_request) and the SHA-256 of the
// canonical request, and signed with a key derived from the secret key, the
// date and the service. For clients that sign without the SDK, such as the
// benchmark's curl floor.
func Signature(secretKey, service, date, timestamp, scope, canonical string) string {
	stringToSign := tc3Algorithm + "\n" + timestamp + "\n" + scope + "\n" + sha256Hex([]byte(canonical))
	k := hmacSHA256([]byte("TC3"+secretKey), date)
	k = hmacSHA256(k, service)
	k = hmacSHA256(k, "tc3_request")
	return hex.EncodeToString(hmacSHA256(k, stringToSign))
}

func hmacSHA256(key []byte, msg string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(msg))
	return m.Sum(nil)
}

func sha256Hex(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}
