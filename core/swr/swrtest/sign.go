package swrtest

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"
)

// The SDK-HMAC-SHA256 scheme, as the SDK's core/auth/signer signs and the
// API gateway verifies.
const (
	sdkHMACSHA256  = "SDK-HMAC-SHA256"
	sdkDateFormat  = "20060102T150405Z"
	headerSdkDate  = "X-Sdk-Date"
	headerContent  = "X-Sdk-Content-Sha256"
	headerSecToken = "X-Security-Token"
	headerProject  = "X-Project-Id"
)

// sigAuth is a parsed Authorization header.
type sigAuth struct {
	access    string
	signed    []string
	signature string
}

// parseAuthorization reads
// "SDK-HMAC-SHA256 Access=<AK>, SignedHeaders=<a;b;c>, Signature=<hex>".
func parseAuthorization(h string) (sigAuth, error) {
	rest, ok := strings.CutPrefix(h, sdkHMACSHA256+" ")
	if !ok {
		return sigAuth{}, errors.New("unsupported authorization algorithm")
	}
	var a sigAuth
	for _, part := range strings.Split(rest, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return sigAuth{}, errors.New("malformed authorization header")
		}
		switch k {
		case "Access":
			a.access = v
		case "SignedHeaders":
			if v != "" {
				a.signed = strings.Split(v, ";")
			}
		case "Signature":
			a.signature = v
		}
	}
	if a.access == "" || a.signature == "" || len(a.signed) == 0 {
		return sigAuth{}, errors.New("malformed authorization header")
	}
	return a, nil
}

// signedHas reports whether name is among the signed headers.
func (a sigAuth) signedHas(name string) bool {
	for _, h := range a.signed {
		if h == strings.ToLower(name) {
			return true
		}
	}
	return false
}

// checkDate checks that X-Sdk-Date is signed and within MaxSkew of now.
func checkDate(r *http.Request, a sigAuth, now time.Time) error {
	if !a.signedHas(headerSdkDate) {
		return errors.New("x-sdk-date is not signed")
	}
	t, err := time.Parse(sdkDateFormat, r.Header.Get(headerSdkDate))
	if err != nil {
		return errors.New("x-sdk-date is malformed")
	}
	if d := now.Sub(t); d > MaxSkew || d < -MaxSkew {
		return fmt.Errorf("the request time %s is more than %s from the server time", t.Format(sdkDateFormat), MaxSkew)
	}
	return nil
}

// signature computes the request's signature with sk.
func signature(r *http.Request, body []byte, a sigAuth, sk string) string {
	cr := canonicalRequest(r, body, a.signed)
	h := sha256.Sum256([]byte(cr))
	sts := sdkHMACSHA256 + "\n" + r.Header.Get(headerSdkDate) + "\n" + hex.EncodeToString(h[:])
	m := hmac.New(sha256.New, []byte(sk))
	m.Write([]byte(sts))
	return hex.EncodeToString(m.Sum(nil))
}

// canonicalRequest is Method\nURI\nQuery\nHeaders\nSignedHeaders\nPayloadHash.
func canonicalRequest(r *http.Request, body []byte, signed []string) string {
	payload := r.Header.Get(headerContent)
	if payload == "" || !contains(signed, strings.ToLower(headerContent)) {
		h := sha256.Sum256(body)
		payload = hex.EncodeToString(h[:])
	}
	return strings.Join([]string{
		r.Method,
		canonicalURI(r.URL.Path),
		canonicalQuery(r),
		canonicalHeaders(r, signed),
		strings.Join(signed, ";"),
		payload,
	}, "\n")
}

// canonicalURI escapes each path segment and ends the path with "/".
func canonicalURI(path string) string {
	segs := strings.Split(path, "/")
	for i, s := range segs {
		segs[i] = escape(s)
	}
	p := strings.Join(segs, "/")
	if !strings.HasSuffix(p, "/") {
		p += "/"
	}
	return p
}

// canonicalQuery sorts keys, and each key's values, escaped, as k=v joined
// by "&".
func canonicalQuery(r *http.Request) string {
	q := r.URL.Query()
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var out []string
	for _, k := range keys {
		vs := append([]string(nil), q[k]...)
		sort.Strings(vs)
		for _, v := range vs {
			out = append(out, escape(k)+"="+escape(v))
		}
	}
	return strings.Join(out, "&")
}

// canonicalHeaders is "name:trimmed value\n" for each signed header (each
// value of it, sorted); host is the request's host.
func canonicalHeaders(r *http.Request, signed []string) string {
	var b strings.Builder
	for _, name := range signed {
		var vs []string
		if name == "host" {
			vs = []string{r.Host}
		} else {
			vs = append(vs, r.Header.Values(name)...)
		}
		sort.Strings(vs)
		for _, v := range vs {
			b.WriteString(name + ":" + strings.TrimSpace(v) + "\n")
		}
	}
	return b.String()
}

// escape percent-encodes every byte but A-Z a-z 0-9 - _ . ~, upper-case hex.
func escape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.' || c == '~' {
			b.WriteByte(c)
			continue
		}
		fmt.Fprintf(&b, "%%%02X", c)
	}
	return b.String()
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
