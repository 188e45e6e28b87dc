package tcr

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	tcjson "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/json"

	"github.com/regmint/regmint/core"
	"github.com/regmint/regmint/internal/leaktest"
)

// The fuzz targets' fixed world: one instance, its registry host and the
// time the requests are made.
const (
	fuzzInstance = "tcr-abcd1234"
	fuzzHost     = "demo.tencentcloudcr.com"
	// fuzzSecretMark in a fuzzed body is replaced by a fresh random secret:
	// the fuzzer places the secret, but cannot know it.
	fuzzSecretMark = "@S@"
)

var fuzzNow = time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)

// The actions a fuzz case answers with the fuzzed response.
const (
	fuzzCreate   = iota // CreateInstanceToken, registry given
	fuzzDescribe        // DescribeInstances, then a good CreateInstanceToken
	fuzzSTS             // AssumeRoleWithWebIdentity, then a good CreateInstanceToken
	fuzzList            // DescribeInstanceToken (first page)
	fuzzModes
)

var fuzzActions = [fuzzModes]string{actCreateToken, actDescribeInst, actAssumeRole, actDescribeTokens}

// fuzzAPI answers the fuzzed response to one action and good answers to
// the others, in memory: nothing is dialled. It records every request.
type fuzzAPI struct {
	action      string
	status      int
	contentType string
	body        []byte

	goodToken string

	mu       sync.Mutex
	requests []*http.Request
	bodies   [][]byte
}

func (a *fuzzAPI) RoundTrip(r *http.Request) (*http.Response, error) {
	var reqBody []byte
	if r.Body != nil {
		reqBody, _ = io.ReadAll(r.Body)
		r.Body.Close()
	}
	a.mu.Lock()
	a.requests = append(a.requests, r)
	a.bodies = append(a.bodies, reqBody)
	a.mu.Unlock()
	action := r.Header.Get("X-TC-Action")
	status, ctype, body := http.StatusOK, "application/json", []byte(nil)
	switch {
	case action == a.action && !(action == actDescribeTokens && fuzzOffset(reqBody) > 0):
		status, ctype, body = a.status, a.contentType, a.body
	case action == actCreateToken:
		body = fmt.Appendf(nil, `{"Response":{"Username":"100000000001","Token":%q,"ExpTime":%d,"TokenId":"tok-1","RequestId":"r-create"}}`,
			a.goodToken, fuzzNow.Add(time.Hour).UnixMilli())
	case action == actDescribeInst:
		body = fmt.Appendf(nil, `{"Response":{"TotalCount":1,"Registries":[{"RegistryId":%q,"PublicDomain":%q}],"RequestId":"r-describe"}}`, fuzzInstance, fuzzHost)
	default:
		body = []byte(`{"Response":{"TotalCount":0,"Tokens":[],"RequestId":"r-list"}}`)
	}
	h := http.Header{}
	if ctype != "" {
		h.Set("Content-Type", ctype)
	}
	return &http.Response{StatusCode: status, Status: strconv.Itoa(status) + " " + http.StatusText(status),
		Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1, Header: h,
		Body: io.NopCloser(bytes.NewReader(body)), ContentLength: int64(len(body)), Request: r}, nil
}

// count returns how many requests for action were made.
func (a *fuzzAPI) count(action string) int {
	a.mu.Lock()
	defer a.mu.Unlock()
	n := 0
	for _, r := range a.requests {
		if r.Header.Get("X-TC-Action") == action {
			n++
		}
	}
	return n
}

func fuzzOffset(reqBody []byte) int64 {
	var p struct{ Offset int64 }
	json.Unmarshal(reqBody, &p)
	return p.Offset
}

// fuzzStatus maps any int to an HTTP status: 100 to 599 as they are, 0
// (and a third of the rest) to 200, others into that range.
func fuzzStatus(n int) int {
	if n >= 100 && n <= 599 {
		return n
	}
	if n < 0 {
		n = -(n + 1)
	}
	if n%3 == 0 {
		return http.StatusOK
	}
	return 100 + n%500
}

// fuzzSecretKeys are the keys whose values are secrets in TCR and STS answers.
var fuzzSecretKeys = []string{"Token", "TmpSecretKey", "TmpSecretId"}

// FuzzTCRResponse feeds arbitrary answers (status, content type, body) to
// a real Issuer through its HTTP transport, for each action it decodes.
//
// Invariants:
//   - an error never holds a secret of the body (Token, TmpSecretKey,
//     TmpSecretId), the access key secret or the web identity token: the
//     SDK quotes whole bodies in its parse and HTTP status errors, and the
//     package must keep rewriting those. A secret the vendor's own words
//     repeat (an error message, a request id, any value not under a secret
//     key) may show;
//   - a credential has a username, a password, a registry host that is a
//     valid host[:port] (the instance's PublicDomain when looked up), an
//     expiry that is a real time (not zero, after 2000, within a century),
//     and a token id exactly when long-term;
//   - after STS, the token request is signed with the keys STS answered;
//   - listing tokens stops.
//
// The expiry may lie before the request time: the vendor's clock decides,
// and Credential.Expired reports it (TestExpTimeMilliseconds pins a fixed
// past time as accepted).
func FuzzTCRResponse(f *testing.F) {
	ok := func(exp int64) string {
		return fmt.Sprintf(`{"Response":{"Username":"100000000001","Token":"@S@","ExpTime":%d,"TokenId":"tok-9","RequestId":"r1"}}`, exp)
	}
	inOneHour := fuzzNow.Add(time.Hour).UnixMilli()
	for _, s := range []struct {
		mode     int
		status   int
		ctype    string
		body     string
		longTerm bool
	}{
		{fuzzCreate, 0, "application/json", ok(inOneHour), false},
		{fuzzCreate, 0, "application/json", ok(fuzzNow.AddDate(10, 0, 0).UnixMilli()), true},
		{fuzzCreate, 0, "application/json", ok(inOneHour / 1000), false},
		{fuzzCreate, 0, "application/json", ok(1), false},
		{fuzzCreate, 0, "application/json", ok(-1), false},
		{fuzzCreate, 0, "application/json", ok(math.MaxInt64), true},
		{fuzzCreate, 0, "application/json", ok(99999999999999), false},
		{fuzzCreate, 0, "application/json", `{"Response":{"Username":"u","Token":"@S@","ExpTime":1.5e12,"RequestId":"r"}}`, false},
		{fuzzCreate, 0, "application/json", `{"Response":{"Username":"u","Token":"@S@","ExpTime":"1767225600123"}}`, false},
		{fuzzCreate, 0, "application/json", `{"Response":{"Username":"u","Token":"@S@"`, false},
		{fuzzCreate, 1, "text/html", `<html>{"Response":{"Token":"@S@"}}</html>`, false},
		{fuzzCreate, 502, "application/json", ok(inOneHour), true},
		{fuzzCreate, 0, "application/json", `{"Response":{"Error":{"Code":"AuthFailure.SignatureFailure","Message":"bad @S@"},"RequestId":"r"}}`, false},
		{fuzzCreate, 0, "application/json", `{"Response":{"Error":{"Code":"RequestLimitExceeded","Message":"slow"},"Token":"@S@","RequestId":"r"}}`, false},
		{fuzzCreate, 0, "application/json", `{"Response":{"Error":{"Code":5,"Message":"x"},"Token":"@S@"}}`, false},
		{fuzzCreate, 0, "application/json", `{"code":5,"codeDesc":"Old.Error","message":"deprecated"}`, false},
		{fuzzCreate, 0, "application/json", `{"code":"5","Response":{"Token":"@S@"}}`, false},
		{fuzzCreate, 0, "application/json", `{"Response":null}`, false},
		{fuzzCreate, 0, "application/json", `{"response":{"username":"u","token":"@S@","exptime":1767225600123}}`, false},
		{fuzzCreate, 0, "application/json", `{"Response":{"Username":"u","Token":"@S@","Token":"","ExpTime":1767225600123}}`, false},
		{fuzzCreate, 0, "application/json", `{"Response":{"Username":"\u0000","Token":"\ud800@S@","ExpTime":1767225600123}}`, false},
		{fuzzCreate, 0, "text/event-stream", "data: " + ok(inOneHour) + "\n\n", false},
		{fuzzCreate, 0, "", strings.Repeat(`{"Response":`, 20000) + "@S@", false},
		{fuzzCreate, 0, "application/json", "", false},
		{fuzzCreate, 0, "application/json", "null", false},
		{fuzzDescribe, 0, "application/json", `{"Response":{"TotalCount":1,"Registries":[{"RegistryId":"tcr-abcd1234","PublicDomain":"demo.tencentcloudcr.com"}],"RequestId":"r"}}`, false},
		{fuzzDescribe, 0, "application/json", `{"Response":{"Registries":[{"RegistryId":"tcr-other","PublicDomain":"x.example"},{"RegistryId":"tcr-abcd1234","PublicDomain":"y.example:8443"}]}}`, false},
		{fuzzDescribe, 0, "application/json", `{"Response":{"Registries":[{"RegistryId":"tcr-abcd1234","PublicDomain":"user@evil.example"}]}}`, false},
		{fuzzDescribe, 0, "application/json", `{"Response":{"Registries":[{"RegistryId":"tcr-abcd1234","PublicDomain":"a.example#@S@"}]}}`, false},
		{fuzzDescribe, 0, "application/json", `{"Response":{"Registries":[{"RegistryId":"tcr-abcd1234","PublicDomain":"https://a.example"}]}}`, false},
		{fuzzDescribe, 0, "application/json", `{"Response":{"Registries":[{"RegistryId":"tcr-abcd1234","PublicDomain":"a.example\n"}]}}`, false},
		{fuzzDescribe, 0, "application/json", `{"Response":{"Registries":null,"RequestId":"@S@"}}`, false},
		{fuzzDescribe, 0, "application/json", `{"Response":{"Registries":[{"RegistryId":"tcr-abcd1234"}]}}`, false},
		{fuzzSTS, 0, "application/json", `{"Response":{"Credentials":{"Token":"@S@","TmpSecretId":"tmp-id-1","TmpSecretKey":"@S@k"},"ExpiredTime":1795420800,"Expiration":"2026-11-23T11:00:00Z","RequestId":"r"}}`, false},
		{fuzzSTS, 0, "application/json", `{"Response":{"Credentials":{"Token":"@S@","TmpSecretId":"tmp-id-1","TmpSecretKey":"@S@k"},"Expiration":"2026-11-23T11:00:00Z"}}`, false},
		{fuzzSTS, 0, "application/json", `{"Response":{"Credentials":{"Token":"@S@","TmpSecretId":"tmp-id-1","TmpSecretKey":"@S@k"},"ExpiredTime":-5}}`, false},
		{fuzzSTS, 0, "application/json", `{"Response":{"Credentials":{"Token":"@S@","TmpSecretId":"tmp-id-1","TmpSecretKey":"@S@k"},"ExpiredTime":4102444800}}`, false},
		{fuzzSTS, 0, "application/json", `{"Response":{"Credentials":{"Token":"@S@","TmpSecretKey":"@S@k"}`, false},
		{fuzzSTS, 0, "application/json", `{"Response":{"Error":{"Code":"InvalidParameter.WebIdentityTokenError","Message":"bad token"},"RequestId":"r"}}`, false},
		{fuzzList, 0, "application/json", `{"Response":{"TotalCount":2,"Tokens":[{"Id":"a","Enabled":true,"CreatedAt":"2026-01-01 00:00:00","ExpiredAt":1767225600123},{"Id":"b","CreatedAt":"x","ExpiredAt":-1}]}}`, false},
		{fuzzList, 0, "application/json", `{"Response":{"TotalCount":9223372036854775807,"Tokens":[{"Id":"a"}]}}`, false},
		{fuzzList, 0, "application/json", `{"Response":{"TotalCount":1,"Tokens":[{"Id":"a","ExpiredAt":9223372036854775807,"CreatedAt":"9999-12-31T23:59:59.999999999Z"}]}}`, false},
	} {
		f.Add(s.mode, s.status, s.ctype, []byte(s.body), s.longTerm)
	}
	f.Fuzz(func(t *testing.T, mode, status int, ctype string, body []byte, longTerm bool) {
		if mode < 0 {
			mode = -(mode + 1)
		}
		mode %= fuzzModes
		secret := leaktest.Random(t)
		body = bytes.ReplaceAll(body, []byte(fuzzSecretMark), []byte(secret))
		api := &fuzzAPI{action: fuzzActions[mode], status: fuzzStatus(status), contentType: ctype, body: body, goodToken: leaktest.Random(t)}

		tg := core.Target{Provider: Name, Region: "ap-guangzhou", InstanceID: fuzzInstance, Registry: fuzzHost,
			APIEndpoint: "https://127.0.0.1:1", STSEndpoint: "https://127.0.0.1:2", Description: "fuzz",
			Auth: core.Auth{AccessKeyID: "fuzz-key-id", AccessKeySecret: leaktest.Random(t)}}
		if longTerm {
			tg.TokenType = core.TokenLongTerm
		}
		switch mode {
		case fuzzDescribe:
			tg.Registry = ""
		case fuzzSTS:
			tg.Auth = core.Auth{RoleARN: "qcs::cam::uin/100000000001:roleName/ci", OIDCProviderID: "github", WebIdentityToken: leaktest.Random(t)}
		}
		var clockMu sync.Mutex
		now := fuzzNow
		clock := func() time.Time { clockMu.Lock(); defer clockMu.Unlock(); return now }
		is, err := New(tg, core.Env{Transport: api, Now: clock,
			Backoff: core.Backoff{Base: time.Microsecond, Max: time.Microsecond, Attempts: 2}, Timeout: 5 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()

		var cred core.Credential
		var tokens []Token
		if mode == fuzzList {
			tokens, err = is.ListTokens(ctx)
		} else {
			cred, err = is.Issue(ctx)
		}

		secrets := append([]string{tg.Auth.AccessKeySecret, tg.Auth.WebIdentityToken, api.goodToken}, leaktest.SecretsInJSON(body, fuzzSecretKeys, secret)...)
		if err != nil {
			text := fmt.Sprintf("%v | %+v | %s | %s | %s", err, err, Hint(err), Code(err), RequestID(err))
			leaktest.Check(t, "error", text, secrets...)
			if cred != (core.Credential{}) || tokens != nil {
				t.Errorf("an error and a result: %v", err)
			}
			var op *opError
			if !errors.As(err, &op) {
				t.Errorf("error %T does not name the operation: %v", err, err)
			}
			return
		}
		if mode == fuzzList {
			if n := len(api.requests); n > 2*maxTokenPages {
				t.Errorf("listing made %d requests", n)
			}
			return
		}
		fuzzCheckCredential(t, cred, tg.Type())
		switch mode {
		case fuzzCreate:
			if cred.Registry != fuzzHost {
				t.Errorf("registry %q, want the target's", cred.Registry)
			}
		case fuzzDescribe:
			if want := fuzzPublicDomain(body); cred.Registry != want {
				t.Errorf("registry %q, want the instance's PublicDomain %q", cred.Registry, want)
			}
		case fuzzSTS:
			fuzzCheckSignedWithSTSKeys(t, api, body)
			// STS was asked for keys for stsDuration: however late the
			// answer says they expire, they are fetched again after that.
			clockMu.Lock()
			now = now.Add(stsDuration)
			clockMu.Unlock()
			before := api.count(actAssumeRole)
			if _, err := is.Issue(ctx); err != nil {
				t.Fatalf("second issue: %v", err)
			}
			if api.count(actAssumeRole) == before {
				t.Errorf("STS keys used %v after they were asked for", stsDuration)
			}
		}
	})
}

// fuzzCheckCredential checks a minted credential.
func fuzzCheckCredential(t *testing.T, c core.Credential, tt core.TokenType) {
	t.Helper()
	if c.Username == "" || c.Password == "" || c.Registry == "" {
		t.Errorf("incomplete credential %v", c)
	}
	if err := core.CheckEndpoint("https://" + c.Registry); err != nil {
		t.Errorf("registry %q %v", c.Registry, err)
	}
	// A long-term token answered without ExpTime does not expire (zero);
	// any other expiry must be a real time.
	neverExpires := c.ExpiresAt.IsZero() && tt == core.TokenLongTerm
	if !neverExpires && (c.ExpiresAt.IsZero() || c.ExpiresAt.Year() < 2000 || c.ExpiresAt.After(fuzzNow.AddDate(100, 0, 0))) {
		t.Errorf("expiry %v is no real expiry time", c.ExpiresAt)
	}
	if (c.TokenID != "") != (tt == core.TokenLongTerm) {
		t.Errorf("token id %q for a %s token", c.TokenID, tt)
	}
}

// fuzzPublicDomain decodes the PublicDomain of the instance from a
// DescribeInstances answer, as the SDK's decoder reads it.
func fuzzPublicDomain(body []byte) string {
	var env envelope[describeInstancesResponse]
	if tcjson.Unmarshal(body, &env) != nil || env.Response == nil {
		return ""
	}
	for _, r := range env.Response.Registries {
		if r.RegistryId == fuzzInstance {
			return r.PublicDomain
		}
	}
	return ""
}

// fuzzCheckSignedWithSTSKeys checks that the token request after STS is
// signed with the temporary keys STS answered, and carries its token.
func fuzzCheckSignedWithSTSKeys(t *testing.T, api *fuzzAPI, body []byte) {
	t.Helper()
	var env envelope[assumeRoleResponse]
	if err := tcjson.Unmarshal(body, &env); err != nil || env.Response == nil {
		t.Fatalf("STS answer accepted, but it does not decode: %v", err)
	}
	api.mu.Lock()
	defer api.mu.Unlock()
	for _, r := range api.requests {
		if r.Header.Get("X-TC-Action") != actCreateToken {
			continue
		}
		if !strings.Contains(r.Header.Get("Authorization"), "Credential="+env.Response.Credentials.TmpSecretId+"/") ||
			r.Header.Get("X-TC-Token") != env.Response.Credentials.Token {
			t.Errorf("the token request is not signed with the STS keys")
		}
		return
	}
	t.Error("no token request after STS")
}

// FuzzTCRTimes fuzzes the conversions of the vendor's times.
//
// Invariants: expiryFromMillis is monotonic within each unit it assumes
// (seconds below 1e11, milliseconds from there) and exact in each: a time
// written as milliseconds (or seconds) of this era reads back as itself;
// parseTime reads back every time written in a layout it knows, and gives
// the zero time (no panic) for anything else.
func FuzzTCRTimes(f *testing.F) {
	for _, s := range []struct {
		v int64
		s string
	}{
		{1767225600123, "2026-01-01T00:00:00.123Z"}, {1767225600, "2026-01-01 00:00:00"}, {0, ""}, {-1, "2026-01-01T08:00:00+08:00"},
		{99999999999, "2026-01-01T00:00:00"}, {100000000000, "0000-01-01T00:00:00Z"}, {math.MaxInt64, "9999-12-31T23:59:59.999999999Z"},
		{math.MinInt64, "2026-02-30 00:00:00"}, {1, "\x00"}, {253402300799999, "24:00:00"},
	} {
		f.Add(s.v, s.s)
	}
	f.Fuzz(func(t *testing.T, v int64, s string) {
		got := expiryFromMillis(v)
		if v < math.MaxInt64 {
			next := expiryFromMillis(v + 1)
			if (v+1 < 100_000_000_000) == (v < 100_000_000_000) && next.Before(got) {
				t.Errorf("expiryFromMillis(%d) = %v after expiryFromMillis(%d) = %v", v, got, v+1, next)
			}
		}
		if v >= 100_000_000_000 && got.UnixMilli() != v {
			t.Errorf("expiryFromMillis(%d) = %v: not those milliseconds", v, got)
		}
		if v < 100_000_000_000 && got.Unix() != v {
			t.Errorf("expiryFromMillis(%d) = %v: not those seconds", v, got)
		}

		p := parseTime(s)
		if !p.IsZero() {
			for _, layout := range []string{time.RFC3339Nano, "2006-01-02 15:04:05", "2006-01-02T15:04:05"} {
				if p.Year() < 0 || p.Year() > 9999 {
					break
				}
				w := p
				if layout != time.RFC3339Nano {
					w = p.UTC() // the layout has no zone: it is read as UTC
				}
				if w.Year() < 0 || w.Year() > 9999 {
					continue
				}
				if back := parseTime(w.Format(layout)); !back.Equal(p.Truncate(fuzzPrecision(layout))) {
					t.Errorf("parseTime(%q) = %v; written as %q it reads back as %v", s, p, w.Format(layout), back)
				}
			}
		}
	})
}

// fuzzPrecision is what a layout keeps of a time.
func fuzzPrecision(layout string) time.Duration {
	if layout == time.RFC3339Nano {
		return 1
	}
	return time.Second
}
