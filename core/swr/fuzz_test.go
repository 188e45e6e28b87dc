package swr

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/services/swr/v2/model"

	"github.com/regmint/regmint/core"
	"github.com/regmint/regmint/internal/leaktest"
)

// The fuzz targets' fixed world.
const (
	fuzzRegion   = "cn-north-4"
	fuzzInstance = "inst-0123"
	fuzzProject  = "0123456789abcdef"
	fuzzHost     = "reg.example.com"
	// In a fuzzed body, fuzzSecretMark becomes a fresh random secret and
	// fuzzAuthMark the base64 "user:<secret>" of the shared edition: the
	// fuzzer places them but cannot know them.
	fuzzSecretMark = "@S@"
	fuzzAuthMark   = "@A@"
)

var fuzzNow = time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)

// The calls a fuzz case answers with the fuzzed response.
const (
	fuzzTemp     = iota // CreateInstanceTempCredential, registry given
	fuzzLongTerm        // CreateInstanceLtCredential, registry given
	fuzzShow            // ShowInstance, then a good temporary credential
	fuzzShared          // CreateSecret
	fuzzModes
)

// fuzzSWR answers the fuzzed response to one call and good answers to the
// others, in memory: nothing is dialled.
type fuzzSWR struct {
	mode     int
	status   int
	header   string // X-Swr-Expireat, if not empty
	body     []byte
	password string // of the good temporary credential

	mu    sync.Mutex
	calls map[string]int
}

// fuzzCall names the call a request makes.
func fuzzCall(r *http.Request) string {
	p := r.URL.Path
	switch {
	case p == "/v2/manage/utils/secret":
		return OpCreateSecret
	case strings.HasSuffix(p, "/temp-credential"):
		return OpCreateInstanceTempCredential
	case strings.HasSuffix(p, "/long-term-credential"):
		return OpCreateInstanceLtCredential
	case strings.HasSuffix(p, "/long-term-credentials") && r.Method == http.MethodGet:
		return OpListInstanceLtCredentials
	case strings.Contains(p, "/long-term-credentials/"):
		return OpDeleteInstanceLtCredential
	case strings.HasSuffix(p, "/instances/"+fuzzInstance):
		return OpShowInstance
	}
	return "unknown " + r.Method + " " + p
}

func (f *fuzzSWR) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		io.Copy(io.Discard, r.Body)
		r.Body.Close()
	}
	call := fuzzCall(r)
	f.mu.Lock()
	f.calls[call]++
	f.mu.Unlock()
	h := http.Header{"Content-Type": {"application/json"}, "X-Request-Id": {"rid-1"}}
	status, body := http.StatusOK, []byte(nil)
	fuzzed := map[int]string{fuzzTemp: OpCreateInstanceTempCredential, fuzzLongTerm: OpCreateInstanceLtCredential,
		fuzzShow: OpShowInstance, fuzzShared: OpCreateSecret}[f.mode]
	switch call {
	case fuzzed:
		status, body = f.status, f.body
		if f.header != "" {
			h.Set("X-Swr-Expireat", f.header)
		}
	case OpCreateInstanceTempCredential:
		status = http.StatusCreated
		body = fmt.Appendf(nil, `{"user_id":"tmp-user","auth_token":%q,"expire_date":%q}`, f.password, fuzzNow.Add(time.Hour).Format(time.RFC3339))
	case OpShowInstance:
		body = fmt.Appendf(nil, `{"id":%q,"access_address":%q}`, fuzzInstance, fuzzHost)
	case OpListInstanceLtCredentials:
		body = []byte(`{"auth_tokens":[],"total":0}`)
	case OpDeleteInstanceLtCredential:
		status = http.StatusNoContent
		body = nil
	default:
		status, body = http.StatusNotFound, []byte(`{"error_code":"SWR.404","error_msg":"no such call"}`)
	}
	return &http.Response{StatusCode: status, Status: strconv.Itoa(status) + " " + http.StatusText(status),
		Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1, Header: h,
		Body: io.NopCloser(bytes.NewReader(body)), ContentLength: int64(len(body)), Request: r}, nil
}

// fuzzStatus maps any int to an HTTP status: 100 to 599 as they are, 0
// (and a third of the rest) to the call's success status, others into
// that range.
func fuzzStatus(n, success int) int {
	if n >= 100 && n <= 599 {
		return n
	}
	if n < 0 {
		n = -(n + 1)
	}
	if n%3 == 0 {
		return success
	}
	return 100 + n%500
}

// fuzzSecretKeys are the keys whose values are secrets in SWR answers.
var fuzzSecretKeys = []string{"auth_token", "auth"}

// FuzzSWRResponse feeds arbitrary answers (status, X-Swr-Expireat, body)
// to real Enterprise and Shared issuers through their HTTP transport.
//
// Invariants:
//   - an error names the operation ("swr <Op> ...") and never holds a
//     secret of the body (auth_token, auth), whatever the status: the SDK
//     quotes bodies in its errors, and the package must keep them out; a
//     secret the vendor's own words repeat (error_msg, a key) may show.
//     Nor does it hold the secret key;
//   - a credential has a username, a password, a registry that is a valid
//     host[:port] (the instance's access address when looked up), and an
//     expiry that is a real time (after 2000, within a century): never
//     zero for temporary credentials, zero for a long-term one only when
//     the answer has no expire_date, now + 6 h when the shared edition's
//     answer has no X-Swr-Expireat, and a token id exactly when long-term.
//
// A temporary credential whose expiry lies before the request time is
// taken as the vendor's clock says; Credential.Expired reports it.
func FuzzSWRResponse(f *testing.F) {
	inOneHour := fuzzNow.Add(time.Hour)
	ent := func(exp string) string {
		return `{"user_id":"u-1","auth_token":"@S@","created_at":"2026-11-23T10:00:00Z","expire_date":"` + exp + `","token_id":"tok-1"}`
	}
	for _, s := range []struct {
		mode, status int
		header, body string
	}{
		{fuzzTemp, 201, "", ent(inOneHour.Format("2006-01-02T15:04:05.000000Z"))},
		{fuzzTemp, 201, "", ent("2026-11-23 11:00:00")},
		{fuzzTemp, 201, "", ent(strconv.FormatInt(inOneHour.UnixMilli(), 10))},
		{fuzzTemp, 201, "", ent(strconv.FormatInt(inOneHour.Unix(), 10))},
		{fuzzTemp, 201, "", ent("0001-01-01T00:00:00Z")},
		{fuzzTemp, 201, "", ent("1")},
		{fuzzTemp, 201, "", ent("9223372036854775807")},
		{fuzzTemp, 201, "", ent("9999-12-31T23:59:59Z")},
		{fuzzTemp, 201, "", ent("soon")},
		{fuzzTemp, 201, "", ent("")},
		{fuzzTemp, 201, "", `{"user_id":"u-1","auth_token":"@S@"`},
		{fuzzTemp, 201, "", `{"user_id":5,"auth_token":"@S@"}`},
		{fuzzTemp, 201, "", `{"USER_ID":"u","Auth_Token":"@S@","expire_date":"2026-11-23T11:00:00Z"}`},
		{fuzzTemp, 200, "", `null`},
		{fuzzTemp, 500, "", ent("2026-11-23T11:00:00Z")},
		{fuzzTemp, 502, "", `{"user_id":"u-1","auth_token":"@S@"`},
		{fuzzTemp, 400, "", `{"error_code":"SWR.0001","error_msg":"bad request"}`},
		{fuzzTemp, 401, "", `{"error_code":"SWR.0401","error_msg":"token @S@ refused"}`},
		{fuzzTemp, 403, "", `{"error":{"code":403,"message":"forbidden","title":"Forbidden"}}`},
		{fuzzTemp, 404, "", `<html>not found @S@</html>`},
		{fuzzTemp, 429, "", `{"code":"APIGW.0308","message":"throttled"}`},
		{fuzzTemp, 302, "", ent("2026-11-23T11:00:00Z")},
		{fuzzLongTerm, 201, "", ent("")},
		{fuzzLongTerm, 201, "", ent("2036-11-23T10:00:00Z")},
		{fuzzLongTerm, 201, "", ent("garbage")},
		{fuzzLongTerm, 201, "", `{"user_id":"u-1","auth_token":"@S@"}`},
		{fuzzShow, 200, "", `{"id":"inst-0123","access_address":"https://a.example/"}`},
		{fuzzShow, 200, "", `{"access_address":"a.example:5000, b.example"}`},
		{fuzzShow, 200, "", `{"access_address":"user@evil.example"}`},
		{fuzzShow, 200, "", `{"access_address":"a.example/@S@"}`},
		{fuzzShow, 200, "", `{"access_address":""}`},
		{fuzzShow, 200, "", `{"status":"Running","charge_mode":"postPaid","access_address":"a.example"}`},
		{fuzzShow, 200, "", `{"status":5,"charge_mode":[],"access_address":"a.example"}`},
		{fuzzShared, 200, "2026-11-23T16:00:00Z", `{"auths":{"swr.cn-north-4.myhuaweicloud.com":{"auth":"@A@"}}}`},
		{fuzzShared, 200, "", `{"auths":{"swr.cn-north-4.myhuaweicloud.com":{"auth":"@A@"}}}`},
		{fuzzShared, 200, "1795449600", `{"auths":{"b.example":{"auth":"@A@"},"a.example":{"auth":"@A@"}}}`},
		{fuzzShared, 200, "0001-01-01 00:00:00Z", `{"auths":{"swr.cn-north-4.myhuaweicloud.com":{"auth":"@A@"}}}`},
		{fuzzShared, 200, "tomorrow", `{"auths":{"x":{"auth":"@A@"}}}`},
		{fuzzShared, 200, "", `{"auths":{"x":{"auth":"@S@"}}}`},
		{fuzzShared, 200, "", `{"auths":{"x":{"auth":"dTo="}}}`},
		{fuzzShared, 200, "", `{"auths":{}}`},
		{fuzzShared, 200, "", `{"auths":{"":{"auth":"@A@"}}}`},
		{fuzzShared, 400, "", `{"auths":{"x":{"auth":"@A@"}}}`},
		{fuzzShared, 500, "", `{"auths":{"x":{"auth":"@A@"`},
	} {
		f.Add(s.mode, s.status, s.header, []byte(s.body))
	}
	f.Fuzz(func(t *testing.T, mode, status int, header string, body []byte) {
		if mode < 0 {
			mode = -(mode + 1)
		}
		mode %= fuzzModes
		secret := leaktest.Random(t)
		auth := base64.StdEncoding.EncodeToString([]byte("swr-user:" + secret))
		body = bytes.ReplaceAll(body, []byte(fuzzSecretMark), []byte(secret))
		body = bytes.ReplaceAll(body, []byte(fuzzAuthMark), []byte(auth))
		success := map[int]int{fuzzTemp: 201, fuzzLongTerm: 201, fuzzShow: 200, fuzzShared: 200}[mode]
		api := &fuzzSWR{mode: mode, status: fuzzStatus(status, success), header: header, body: body, password: leaktest.Random(t), calls: map[string]int{}}

		tg := core.Target{Provider: EnterpriseName, Region: fuzzRegion, InstanceID: fuzzInstance, Registry: fuzzHost,
			APIEndpoint: "https://127.0.0.1:1", IAMEndpoint: "https://127.0.0.1:2", Description: "fuzz",
			Auth: core.Auth{AccessKeyID: "fuzz-ak", AccessKeySecret: leaktest.Random(t), ProjectID: fuzzProject}}
		switch mode {
		case fuzzLongTerm:
			tg.TokenType = core.TokenLongTerm
		case fuzzShow:
			tg.Registry = ""
		case fuzzShared:
			tg.Provider, tg.InstanceID, tg.Registry = SharedName, "", ""
		}
		opts := core.Env{Transport: api, Now: func() time.Time { return fuzzNow }, Timeout: 5 * time.Second,
			Backoff: core.Backoff{Base: time.Microsecond, Max: time.Microsecond, Attempts: 2}, Getenv: func(string) string { return "" }}
		iss, err := New(tg, opts)
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		cred, err := iss.Issue(ctx)

		if err != nil {
			secrets := append([]string{tg.Auth.AccessKeySecret, api.password}, leaktest.SecretsInJSON(body, fuzzSecretKeys, secret, auth)...)
			text := fmt.Sprintf("%v | %+v | %s", err, err, Hint(err))
			leaktest.Check(t, "error", text, secrets...)
			if !strings.HasPrefix(err.Error(), "swr ") {
				t.Errorf("error does not name the operation: %v", err)
			}
			if cred != (core.Credential{}) {
				t.Errorf("an error and a credential: %v", err)
			}
			return
		}
		if cred.Username == "" || cred.Password == "" || cred.Registry == "" {
			t.Errorf("incomplete credential %v", cred)
		}
		if err := core.CheckEndpoint("https://" + cred.Registry); err != nil {
			t.Errorf("registry %q %v", cred.Registry, err)
		}
		if !cred.ExpiresAt.IsZero() && (cred.ExpiresAt.Year() < 2000 || cred.ExpiresAt.After(fuzzNow.AddDate(100, 0, 0))) {
			t.Errorf("expiry %v is no real expiry time", cred.ExpiresAt)
		}
		if (cred.TokenID != "") != (mode == fuzzLongTerm) {
			t.Errorf("token id %q in mode %d", cred.TokenID, mode)
		}
		switch mode {
		case fuzzTemp, fuzzShow, fuzzShared:
			if cred.ExpiresAt.IsZero() {
				t.Error("a temporary credential that never expires")
			}
		case fuzzLongTerm:
			var answer model.CreateInstanceLtCredentialResponse
			json.Unmarshal(body, &answer)
			// Only the documented "never" forms (zero time, 0, far future)
			// may read as no expiry.
			if cred.ExpiresAt.IsZero() && answer.ExpireDate != nil && strings.TrimSpace(*answer.ExpireDate) != "" &&
				!ltNeverExpires(*answer.ExpireDate, fuzzNow) {
				t.Errorf("expire_date %q read as no expiry", *answer.ExpireDate)
			}
		}
		switch mode {
		case fuzzTemp, fuzzLongTerm:
			if cred.Registry != fuzzHost {
				t.Errorf("registry %q, want the target's", cred.Registry)
			}
		case fuzzShow:
			var answer model.ShowInstanceResponse
			json.Unmarshal(body, &answer)
			if want, err := accessHost(answer.AccessAddress); err != nil || cred.Registry != want {
				t.Errorf("registry %q, want the access address %q (%v)", cred.Registry, want, err)
			}
		case fuzzShared:
			if header == "" && !cred.ExpiresAt.Equal(fuzzNow.Add(SharedTempValidity)) {
				t.Errorf("no X-Swr-Expireat: expiry %v, want now + %v", cred.ExpiresAt, SharedTempValidity)
			}
		}
	})
}

// FuzzSWRParseTime fuzzes the reading of vendor times.
//
// Invariants: a time read is UTC and not the zero time (which would read
// as "never expires"); written back in each layout the package knows
// (within what the layout keeps) it reads as itself; an epoch number
// reads as those seconds, or those milliseconds above 1e12, monotonically
// within each unit; an error cuts a long value short.
func FuzzSWRParseTime(f *testing.F) {
	for _, s := range []string{"2025-11-01T12:18:44.382000Z", "2025-11-01T20:18:44.382+08:00", "2025-11-01 12:18:44.382",
		"2025-11-01 12:18:44+08:00", "1761999524382", "1761999524", "0", "-1", "1000000000000", "1000000000001",
		"9223372036854775807", "0001-01-01T00:00:00Z", "0000-01-01T00:00:00+01:00", "9999-12-31T23:59:59.999999999-01:00",
		"", "  ", "soon", "\x00", "2025-02-30T00:00:00Z", "１２３", strings.Repeat("9", 100)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := parseTime(s)
		if err != nil {
			if !got.IsZero() {
				t.Errorf("error %v with time %v", err, got)
			}
			// Quoting escapes bytes, so the error's length says little
			// (testdata/fuzz/FuzzSWRParseTime/08af4edc3b30e1cf): what
			// counts is that a long value is cut.
			if v := strings.TrimSpace(s); len(v) > 43 && strings.Contains(err.Error(), strings.Trim(strconv.Quote(v), `"`)) {
				t.Errorf("error quotes all %d bytes of the value", len(v))
			}
			return
		}
		if got.IsZero() || got.Location() != time.UTC {
			t.Errorf("parseTime(%q) = %v", s, got)
		}
		if got.Year() >= 0 && got.Year() <= 9999 {
			for _, l := range timeLayouts {
				back, err := parseTime(got.Format(l))
				want := got
				if !strings.Contains(l, ".999999999") && l != time.RFC3339Nano {
					want = got.Truncate(time.Second)
				}
				if err != nil || !back.Equal(want) {
					t.Errorf("parseTime(%q) = %v; written as %q it reads %v, %v", s, got, got.Format(l), back, err)
				}
			}
		}
		if n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64); err == nil {
			want := time.Unix(n, 0)
			if n > 1e12 {
				want = time.UnixMilli(n)
			}
			if !got.Equal(want) {
				t.Errorf("epoch %d read as %v, want %v", n, got, want)
			}
			if n < math.MaxInt64 && n != 1e12 {
				if next, err := parseTime(strconv.FormatInt(n+1, 10)); err == nil && next.Before(got) {
					t.Errorf("epoch %d reads after %d", n, n+1)
				}
			}
		}
	})
}

// FuzzSWRAccessHost fuzzes the reading of an instance's access address.
//
// Invariants: the host read is a valid host[:port], the first of the
// comma-separated addresses without scheme or trailing slash; an error
// cuts a long value short.
func FuzzSWRAccessHost(f *testing.F) {
	for _, s := range []string{"myreg-abc.swr.cn-north-4.myhuaweicloud.com", "https://myreg.example.com/", "a.example.com:5000, b.example.com",
		"", " ", "https://", "a host", "user@host", "host/path", "[::1]:5000", "http://[::1]/", "h:99999", "h:-1", "ftp://h", "\x00", ",h"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		h, err := accessHost(&s)
		if err != nil {
			// As in FuzzSWRParseTime: a long value is cut, however long
			// its quoted form (testdata/fuzz/FuzzSWRAccessHost/25d0dd47aa36445f).
			if v := strings.TrimSpace(s); len(v) > 83 && strings.Contains(err.Error(), strings.Trim(strconv.Quote(v), `"`)) {
				t.Errorf("error quotes all %d bytes of the value", len(v))
			}
			return
		}
		if err := core.CheckEndpoint("https://" + h); err != nil {
			t.Errorf("accessHost(%q) = %q, %v", s, h, err)
		}
		first := strings.TrimSpace(strings.Split(s, ",")[0])
		if !strings.Contains(first, h) {
			t.Errorf("accessHost(%q) = %q, not from the first address %q", s, h, first)
		}
	})
}
