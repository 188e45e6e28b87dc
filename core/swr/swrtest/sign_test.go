package swrtest_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/auth/signer"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/request"

	"github.com/regmint/regmint/core/swr/swrtest"
)

// signedRequest builds a request as the SDK does and signs it with the
// SDK's own signer (core/auth/signer), then converts it to net/http.
// date, if set, is the X-Sdk-Date to sign with.
func signedRequest(t *testing.T, method, endpoint, path string, query map[string]string, body any, ak, sk, projectID, date string) *http.Request {
	t.Helper()
	b := request.NewHttpRequestBuilder().WithEndpoint(endpoint).WithMethod(method).WithPath(path).
		AddHeaderParam("Content-Type", "application/json").
		AddHeaderParam("User-Agent", "huaweicloud-usdk-go/3.0; swrtest").
		AddHeaderParam("X-Project-Id", projectID)
	for k, v := range query {
		b = b.AddQueryParam(k, reflect.ValueOf(v))
	}
	if body != nil {
		b = b.WithBody("body", body)
	}
	if date != "" {
		b = b.AddHeaderParam("X-Sdk-Date", date)
	}
	req := b.Build()
	headers, err := signer.Sign(req, ak, sk)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range headers {
		req.AddHeaderParam(k, v)
	}
	hr, err := req.ConvertRequest()
	if err != nil {
		t.Fatal(err)
	}
	return hr
}

type apiErrorBody struct {
	Code      string `json:"error_code"`
	Msg       string `json:"error_msg"`
	RequestID string `json:"request_id"`
}

func do(t *testing.T, r *http.Request) (int, []byte, http.Header) {
	t.Helper()
	resp, err := http.DefaultClient.Do(r)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b, resp.Header
}

func TestSignatureCheckedAsTheSDKSigns(t *testing.T) {
	t.Parallel()
	srv := swrtest.New()
	defer srv.Close()
	acct := srv.NewAccount()
	in := srv.NewInstance(acct, "cn-north-4")
	pid := in.ProjectID
	ltPath := "/v2/" + pid + "/instances/" + in.ID + "/long-term-credential"
	listPath := "/v2/" + pid + "/instances/" + in.ID + "/long-term-credentials"
	query := map[string]string{"offset": "0", "limit": "10", "self_only": "true"}
	now := time.Now().UTC()
	n := 0
	name := func() map[string]string {
		n++
		return map[string]string{"name": "sig-test-" + string(rune('a'+n))}
	}

	tests := []struct {
		name   string
		req    func() *http.Request
		status int
	}{
		{"good POST with body", func() *http.Request {
			return signedRequest(t, http.MethodPost, srv.SWRURL, ltPath, nil, name(), acct.AK, acct.SK, pid, "")
		}, http.StatusCreated},
		{"good GET with query", func() *http.Request {
			return signedRequest(t, http.MethodGet, srv.SWRURL, listPath, query, nil, acct.AK, acct.SK, pid, "")
		}, http.StatusOK},
		{"good, date 14 minutes old", func() *http.Request {
			return signedRequest(t, http.MethodGet, srv.SWRURL, listPath, query, nil, acct.AK, acct.SK, pid,
				now.Add(-14*time.Minute).Format("20060102T150405Z"))
		}, http.StatusOK},
		{"wrong secret key", func() *http.Request {
			return signedRequest(t, http.MethodPost, srv.SWRURL, ltPath, nil, name(), acct.AK, acct.SK+"x", pid, "")
		}, http.StatusUnauthorized},
		{"unknown access key", func() *http.Request {
			return signedRequest(t, http.MethodPost, srv.SWRURL, ltPath, nil, name(), "swrtestunknown", acct.SK, pid, "")
		}, http.StatusUnauthorized},
		{"tampered body", func() *http.Request {
			r := signedRequest(t, http.MethodPost, srv.SWRURL, ltPath, nil, map[string]string{"name": "signed-name"}, acct.AK, acct.SK, pid, "")
			b := []byte(`{"name":"other-name"}`)
			r.Body, r.ContentLength = io.NopCloser(bytes.NewReader(b)), int64(len(b))
			return r
		}, http.StatusUnauthorized},
		{"tampered query value", func() *http.Request {
			r := signedRequest(t, http.MethodGet, srv.SWRURL, listPath, query, nil, acct.AK, acct.SK, pid, "")
			r.URL.RawQuery = strings.Replace(r.URL.RawQuery, "limit=10", "limit=11", 1)
			return r
		}, http.StatusUnauthorized},
		{"added query parameter", func() *http.Request {
			r := signedRequest(t, http.MethodGet, srv.SWRURL, listPath, query, nil, acct.AK, acct.SK, pid, "")
			r.URL.RawQuery += "&extra=1"
			return r
		}, http.StatusUnauthorized},
		{"tampered path", func() *http.Request {
			r := signedRequest(t, http.MethodGet, srv.SWRURL, listPath, query, nil, acct.AK, acct.SK, pid, "")
			r.URL.Path = "/v2/" + pid + "/instances/" + in.ID
			return r
		}, http.StatusUnauthorized},
		{"tampered signed header", func() *http.Request {
			r := signedRequest(t, http.MethodGet, srv.SWRURL, listPath, query, nil, acct.AK, acct.SK, pid, "")
			r.Header.Set("User-Agent", "someone else")
			return r
		}, http.StatusUnauthorized},
		{"date 16 minutes old", func() *http.Request {
			return signedRequest(t, http.MethodGet, srv.SWRURL, listPath, query, nil, acct.AK, acct.SK, pid,
				now.Add(-16*time.Minute).Format("20060102T150405Z"))
		}, http.StatusUnauthorized},
		{"date 16 minutes ahead", func() *http.Request {
			return signedRequest(t, http.MethodGet, srv.SWRURL, listPath, query, nil, acct.AK, acct.SK, pid,
				now.Add(16*time.Minute).Format("20060102T150405Z"))
		}, http.StatusUnauthorized},
		{"no authentication", func() *http.Request {
			r := signedRequest(t, http.MethodGet, srv.SWRURL, listPath, query, nil, acct.AK, acct.SK, pid, "")
			r.Header.Del("Authorization")
			return r
		}, http.StatusUnauthorized},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body, hdr := do(t, tt.req())
			if status != tt.status {
				t.Fatalf("status = %d, want %d; body %s", status, tt.status, body)
			}
			if status != http.StatusUnauthorized {
				return
			}
			var e apiErrorBody
			if err := json.Unmarshal(body, &e); err != nil {
				t.Fatalf("error body %s: %v", body, err)
			}
			if got, want := e.Code, "APIGW.0301"; got != want {
				t.Errorf("error_code = %q, want %q", got, want)
			}
			if !strings.HasPrefix(e.Msg, "Incorrect IAM authentication information") {
				t.Errorf("error_msg = %q", e.Msg)
			}
			if e.RequestID == "" || hdr.Get("X-Request-Id") != e.RequestID {
				t.Errorf("request id %q, header %q", e.RequestID, hdr.Get("X-Request-Id"))
			}
		})
	}
}

func TestTemporaryKeysNeedTheirSecurityToken(t *testing.T) {
	t.Parallel()
	srv := swrtest.New()
	defer srv.Close()
	acct := srv.NewAccount()
	in := srv.NewInstance(acct, "cn-north-4")
	ak, sk, st := srv.TemporaryKeys(acct, time.Hour)
	path := "/v2/" + in.ProjectID + "/instances/" + in.ID

	r := signedRequest(t, http.MethodGet, srv.SWRURL, path, nil, nil, ak, sk, in.ProjectID, "")
	if status, body, _ := do(t, r); status != http.StatusUnauthorized {
		t.Errorf("without security token: status %d, body %s", status, body)
	}
	// Signed with the token header, as the SDK does.
	b := request.NewHttpRequestBuilder().WithEndpoint(srv.SWRURL).WithMethod(http.MethodGet).WithPath(path).
		AddHeaderParam("Content-Type", "application/json").AddHeaderParam("X-Security-Token", st)
	req := b.Build()
	headers, err := signer.Sign(req, ak, sk)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range headers {
		req.AddHeaderParam(k, v)
	}
	hr, err := req.ConvertRequest()
	if err != nil {
		t.Fatal(err)
	}
	if status, body, _ := do(t, hr); status != http.StatusOK {
		t.Errorf("with security token: status %d, body %s", status, body)
	}
}
