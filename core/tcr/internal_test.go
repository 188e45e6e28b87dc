package tcr

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/regmint/regmint/core"
	tcerr "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/errors"
	tchttp "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/http"
)

// fakeIssuer returns an Issuer whose TCR client is the given function.
func fakeIssuer(t *testing.T, tokenType core.TokenType, send func(action string, params map[string]any) (string, error)) *Issuer {
	t.Helper()
	is, err := New(core.Target{
		Provider: Name, Region: "ap-guangzhou", InstanceID: "tcr-abcd1234", Registry: "reg.example.com",
		TokenType: tokenType, Auth: core.Auth{AccessKeyID: "TESTIDFAKE", AccessKeySecret: "fake-secret-key"},
	}, core.Env{Backoff: core.Backoff{Base: time.Microsecond, Max: time.Microsecond, Attempts: 3}})
	if err != nil {
		t.Fatal(err)
	}
	is.api.client = sendFunc(func(req tchttp.Request, resp tchttp.Response) error {
		b, _ := json.Marshal(req)
		var params map[string]any
		json.Unmarshal(b, &params)
		body, err := send(req.GetAction(), params)
		if err != nil {
			return err
		}
		return json.Unmarshal([]byte(body), resp)
	})
	return is
}

func TestExpTimeMilliseconds(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		expTime int64
		want    time.Time
	}{
		{"milliseconds", 1767225600123, time.Date(2026, 1, 1, 0, 0, 0, 123e6, time.UTC)},
		{"seconds, defensively", 1767225600, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			is := fakeIssuer(t, core.TokenTemp, func(string, map[string]any) (string, error) {
				return fmt.Sprintf(`{"Response":{"Username":"100000000001","Token":"tok-123456","ExpTime":%d,"RequestId":"r1"}}`, tt.expTime), nil
			})
			c, err := is.Issue(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if !c.ExpiresAt.Equal(tt.want) {
				t.Errorf("ExpiresAt = %v, want %v", c.ExpiresAt, tt.want)
			}
		})
	}
}

func TestIssueRequestAndShape(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		tokenType core.TokenType
		body      string
		wantErr   string
	}{
		{"temp", core.TokenTemp, `{"Response":{"Username":"u","Token":"t","ExpTime":1767225600123,"RequestId":"r"}}`, ""},
		{"long-term", core.TokenLongTerm, `{"Response":{"Username":"u","Token":"t","ExpTime":1767225600123,"TokenId":"id1","RequestId":"r"}}`, ""},
		{"long-term without TokenId", core.TokenLongTerm, `{"Response":{"Username":"u","Token":"t","ExpTime":1767225600123,"RequestId":"r"}}`, "lacks TokenId"},
		{"no token, no expiry", core.TokenTemp, `{"Response":{"Username":"u","RequestId":"r"}}`, "lacks Token, ExpTime"},
		{"no Response object", core.TokenTemp, `{}`, "has no Response object"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var got map[string]any
			is := fakeIssuer(t, tt.tokenType, func(action string, params map[string]any) (string, error) {
				got = params
				return tt.body, nil
			})
			_, err := is.Issue(context.Background())
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || Code(err) != codeParseJSON {
					t.Errorf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got["RegistryId"] != "tcr-abcd1234" || got["TokenType"] != string(tt.tokenType) {
				t.Errorf("params = %v", got)
			}
			if _, hasDesc := got["Desc"]; hasDesc != (tt.tokenType == core.TokenLongTerm) {
				t.Errorf("params = %v: Desc only for long-term tokens", got)
			}
		})
	}
}

func TestSanitize(t *testing.T) {
	t.Parallel()
	const secret = "eyJ-minted-token-SECRET"
	cause := &url.Error{Op: "Post", URL: "https://tcr.tencentcloudapi.com/", Err: errors.New("connection reset")}
	tests := []struct {
		name     string
		err      error
		status   int
		wantCode string
		wantMsg  string
	}{
		{"parse error quotes the body", tcerr.NewTencentCloudSDKError(codeParseJSON, `Fail to parse json content: {"Response":{"Token":"`+secret+`", because: EOF`, ""), 200, codeParseJSON, "not the JSON"},
		{"status error quotes the body", tcerr.NewTencentCloudSDKError(codeHTTPStatus, "Request fail with http status code: 500, with body: "+secret, ""), 500, codeHTTPStatus, "HTTP 500"},
		{"5xx with an HTML body", tcerr.NewTencentCloudSDKError(codeParseJSON, "Fail to parse json content: <html>"+secret, ""), 502, codeHTTPStatus, "HTTP 502 Bad Gateway"},
		{"vendor error kept", tcerr.NewTencentCloudSDKError("AuthFailure.SignatureFailure", "bad signature", "req-1"), 200, "AuthFailure.SignatureFailure", "bad signature (request id req-1)"},
		{"network error keeps its cause", tcerr.NewTencentCloudSDKErrorWithCause(codeNetwork, "Fail to get response", "", cause), 0, codeNetwork, "connection reset"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a := &attempt{}
			a.status.Store(int32(tt.status))
			e := newAPIError(tt.err, a)
			for _, s := range []string{e.Error(), fmt.Sprintf("%+v", e), fmt.Sprintf("%#v", e.sdk)} {
				if strings.Contains(s, secret) {
					t.Errorf("sanitised error leaks the body: %s", s)
				}
			}
			if got := Code(e); got != tt.wantCode {
				t.Errorf("Code = %q, want %q", got, tt.wantCode)
			}
			if !strings.Contains(e.Error(), tt.wantMsg) {
				t.Errorf("err = %q, want it to contain %q", e.Error(), tt.wantMsg)
			}
		})
	}
	if e := newAPIError(tests[4].err, &attempt{}); !errors.As(e, new(*url.Error)) {
		t.Error("the network error's cause is not reachable with errors.As")
	}
}

func TestRetryable(t *testing.T) {
	t.Parallel()
	tests := []struct {
		code          string
		status        int
		wrote         bool
		idem, creates bool
	}{
		{code: "RequestLimitExceeded", status: 200, wrote: true, idem: true, creates: true},
		{code: "RequestLimitExceeded.UinLimitExceeded", status: 200, wrote: true, idem: true, creates: true},
		{code: codeHTTPStatus, status: 429, wrote: true, idem: true, creates: true},
		{code: codeNetwork, wrote: false, idem: true, creates: true},
		{code: codeNetwork, wrote: true, idem: true, creates: false},
		{code: codeHTTPStatus, status: 503, wrote: true, idem: true, creates: false},
		{code: codeIO, status: 200, wrote: true, idem: true, creates: false},
		{code: "InternalError", status: 200, wrote: true, idem: true, creates: false},
		{code: "InternalError.DbError", status: 200, wrote: true, idem: true, creates: false},
		{code: "InternalError.ErrNotExist", status: 200, wrote: true},
		{code: "InternalError.ErrUnauthorized", status: 200, wrote: true},
		{code: "AuthFailure.SignatureFailure", status: 200, wrote: true},
		{code: "AuthFailure.SecretIdNotFound", status: 200, wrote: true},
		{code: "UnauthorizedOperation", status: 200, wrote: true},
		{code: "ResourceNotFound.TcrResourceNotFound", status: 200, wrote: true},
		{code: "InvalidParameter", status: 200, wrote: true},
		{code: "InvalidParameterValue", status: 200, wrote: true},
		{code: codeParseJSON, status: 200, wrote: true},
		{code: codeHTTPStatus, status: 404, wrote: true},
	}
	for _, tt := range tests {
		e := &apiError{sdk: sdkError(tt.code, "m", "", nil), status: tt.status, wrote: tt.wrote}
		if got := e.retryable(idempotent); got != tt.idem {
			t.Errorf("%s/%d/wrote=%v idempotent: retryable = %v, want %v", tt.code, tt.status, tt.wrote, got, tt.idem)
		}
		if got := e.retryable(createsOnce); got != tt.creates {
			t.Errorf("%s/%d/wrote=%v creates-once: retryable = %v, want %v", tt.code, tt.status, tt.wrote, got, tt.creates)
		}
		// A failure after which the service may have acted is exactly one
		// that is retried for idempotent calls only, or a garbled answer.
		wantActed := (tt.idem && !tt.creates) || tt.code == codeParseJSON || (tt.code == codeHTTPStatus && tt.status == 404)
		if got := e.mayHaveActed(); got != wantActed {
			t.Errorf("%s/%d/wrote=%v: mayHaveActed = %v, want %v", tt.code, tt.status, tt.wrote, got, wantActed)
		}
	}
}

func TestRevokeConfirms(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		deleteErr error
		listed    bool
		wantErr   bool
		wantLists int
	}{
		{"deleted", nil, false, false, 0},
		{"not found, not listed", tcerr.NewTencentCloudSDKError("ResourceNotFound.TcrResourceNotFound", "gone", "r"), false, false, 1},
		{"InvalidParameter, not listed", tcerr.NewTencentCloudSDKError("InvalidParameter", "no such token", "r"), false, false, 1},
		{"InternalError.ErrNotExist, not listed", tcerr.NewTencentCloudSDKError("InternalError.ErrNotExist", "gone", "r"), false, false, 1},
		{"InvalidParameter, still listed", tcerr.NewTencentCloudSDKError("InvalidParameter", "bad", "r"), true, true, 1},
		{"auth failure", tcerr.NewTencentCloudSDKError("AuthFailure.SignatureFailure", "bad", "r"), false, true, 0},
		{"no permission", tcerr.NewTencentCloudSDKError("UnauthorizedOperation", "no", "r"), false, true, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			lists := 0
			is := fakeIssuer(t, core.TokenLongTerm, func(action string, params map[string]any) (string, error) {
				switch action {
				case actDeleteToken:
					if params["TokenId"] != "tok-1" || params["RegistryId"] != "tcr-abcd1234" {
						t.Errorf("delete params = %v", params)
					}
					if tt.deleteErr != nil {
						return "", tt.deleteErr
					}
					return `{"Response":{"RequestId":"r"}}`, nil
				case actDescribeTokens:
					lists++
					if tt.listed {
						return `{"Response":{"TotalCount":1,"Tokens":[{"Id":"tok-1"}],"RequestId":"r"}}`, nil
					}
					return `{"Response":{"TotalCount":1,"Tokens":[{"Id":"tok-2"}],"RequestId":"r"}}`, nil
				}
				t.Errorf("unexpected action %s", action)
				return "", errors.New("unexpected")
			})
			err := is.Revoke(context.Background(), "tok-1")
			if (err != nil) != tt.wantErr {
				t.Errorf("Revoke = %v, want error %v", err, tt.wantErr)
			}
			if lists != tt.wantLists {
				t.Errorf("list calls = %d, want %d", lists, tt.wantLists)
			}
		})
	}
}

func TestHint(t *testing.T) {
	t.Parallel()
	wrap := func(code string) error {
		return &opError{op: actCreateToken, subject: "tcr-abcd1234", err: &apiError{sdk: sdkError(code, "m", "r", nil)}}
	}
	tests := []struct {
		err  error
		want string
	}{
		{wrap("AuthFailure.SecretIdNotFound"), "access-key-id"},
		{wrap("AuthFailure.SignatureFailure"), "access-key-secret"},
		{wrap("AuthFailure.SignatureExpire"), "clock"},
		{wrap("AuthFailure.TokenFailure"), "security-token"},
		{wrap("UnauthorizedOperation"), "tcr-abcd1234"},
		{wrap("ResourceNotFound.TcrResourceNotFound"), "region"},
		{wrap("RequestLimitExceeded"), "throttled"},
		{&opError{op: actDescribeInst, subject: "tcr-abcd1234", err: fmt.Errorf("%w in region x", ErrInstanceNotFound)}, "tcr-abcd1234"},
		{errors.New("other"), ""},
		{nil, ""},
	}
	for _, tt := range tests {
		got := Hint(tt.err)
		if (tt.want == "") != (got == "") || !strings.Contains(got, tt.want) {
			t.Errorf("Hint(%v) = %q, want it to mention %q", tt.err, got, tt.want)
		}
	}
}

func TestDefaultTransportHonoursProxy(t *testing.T) {
	t.Parallel()
	tr, ok := core.Env{}.WithDefaults().Transport.(*http.Transport)
	if !ok || tr.Proxy == nil {
		t.Fatal("the default transport sets no Proxy function: HTTPS_PROXY would be ignored")
	}
	is := fakeIssuer(t, core.TokenTemp, nil)
	if rt, ok := is.cfg.Transport.(*http.Transport); !ok || rt.Proxy == nil {
		t.Error("the issuer's transport sets no Proxy function")
	}
}
