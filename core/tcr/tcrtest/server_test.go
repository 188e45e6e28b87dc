package tcrtest_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/regmint/regmint/core/tcr/tcrtest"
	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common"
	tcerr "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/errors"
	tchttp "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/http"
	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/profile"
)

const region = "ap-guangzhou"

// client is the official SDK's common client pointed at an endpoint.
func client(t *testing.T, cred common.CredentialIface, endpoint string, rt http.RoundTripper) *common.Client {
	t.Helper()
	cpf := profile.NewClientProfile()
	scheme, host, _ := strings.Cut(endpoint, "://")
	cpf.HttpProfile.Scheme = strings.ToUpper(scheme)
	cpf.HttpProfile.Endpoint = host
	c := common.NewCommonClient(cred, region, cpf)
	if rt != nil {
		c.WithHttpTransport(rt)
	}
	return c
}

// call sends one action with params and returns the Response object or
// the SDK's error.
func call(t *testing.T, c *common.Client, service, version, action string, params map[string]any) (map[string]any, error) {
	t.Helper()
	req := tchttp.NewCommonRequest(service, version, action)
	if err := req.SetActionParameters(params); err != nil {
		t.Fatal(err)
	}
	resp := tchttp.NewCommonResponse()
	if err := c.Send(req, resp); err != nil {
		return nil, err
	}
	var out struct{ Response map[string]any }
	if err := json.Unmarshal(resp.GetBody(), &out); err != nil {
		t.Fatal(err)
	}
	return out.Response, nil
}

func tcrCall(t *testing.T, c *common.Client, action string, params map[string]any) (map[string]any, error) {
	t.Helper()
	return call(t, c, "tcr", tcrtest.APIVersion, action, params)
}

func code(err error) string {
	var e *tcerr.TencentCloudSDKError
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

// bodyTamper changes the request body after the SDK signed it.
type bodyTamper struct{ base http.RoundTripper }

func (b bodyTamper) RoundTrip(r *http.Request) (*http.Response, error) {
	body, _ := io.ReadAll(r.Body)
	body = bytes.Replace(body, []byte(`"temp"`), []byte(`"longterm"`), 1)
	r = r.Clone(r.Context())
	r.Body = io.NopCloser(bytes.NewReader(body))
	r.ContentLength = int64(len(body))
	return b.base.RoundTrip(r)
}

func TestSignatureVerification(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		setup    func(s *tcrtest.Server) (common.CredentialIface, http.RoundTripper)
		service  string
		advance  time.Duration
		wantCode string
	}{
		{name: "good key", setup: func(s *tcrtest.Server) (common.CredentialIface, http.RoundTripper) {
			k := s.AddKey()
			return common.NewCredential(k.ID, k.Secret), nil
		}},
		{name: "wrong key", wantCode: "AuthFailure.SignatureFailure", setup: func(s *tcrtest.Server) (common.CredentialIface, http.RoundTripper) {
			k, other := s.AddKey(), s.AddKey()
			return common.NewCredential(k.ID, other.Secret), nil
		}},
		{name: "unknown secret id", wantCode: "AuthFailure.SecretIdNotFound", setup: func(s *tcrtest.Server) (common.CredentialIface, http.RoundTripper) {
			k := s.AddKey()
			s.RemoveKey(k.ID)
			return common.NewCredential(k.ID, k.Secret), nil
		}},
		{name: "body changed after signing", wantCode: "AuthFailure.SignatureFailure", setup: func(s *tcrtest.Server) (common.CredentialIface, http.RoundTripper) {
			k := s.AddKey()
			return common.NewCredential(k.ID, k.Secret), bodyTamper{http.DefaultTransport}
		}},
		{name: "wrong service in scope", service: "cvm", wantCode: "AuthFailure.SignatureFailure", setup: func(s *tcrtest.Server) (common.CredentialIface, http.RoundTripper) {
			k := s.AddKey()
			return common.NewCredential(k.ID, k.Secret), nil
		}},
		{name: "server clock 6 min ahead", advance: 6 * time.Minute, wantCode: "AuthFailure.SignatureExpire", setup: func(s *tcrtest.Server) (common.CredentialIface, http.RoundTripper) {
			k := s.AddKey()
			return common.NewCredential(k.ID, k.Secret), nil
		}},
		{name: "server clock 6 min behind", advance: -6 * time.Minute, wantCode: "AuthFailure.SignatureExpire", setup: func(s *tcrtest.Server) (common.CredentialIface, http.RoundTripper) {
			k := s.AddKey()
			return common.NewCredential(k.ID, k.Secret), nil
		}},
		{name: "server clock 4 min off is fine", advance: -4 * time.Minute, setup: func(s *tcrtest.Server) (common.CredentialIface, http.RoundTripper) {
			k := s.AddKey()
			return common.NewCredential(k.ID, k.Secret), nil
		}},
		{name: "session token", setup: func(s *tcrtest.Server) (common.CredentialIface, http.RoundTripper) {
			k := s.AddSessionKey(time.Hour)
			return common.NewTokenCredential(k.ID, k.Secret, k.Token), nil
		}},
		{name: "session key without token", wantCode: "AuthFailure.TokenFailure", setup: func(s *tcrtest.Server) (common.CredentialIface, http.RoundTripper) {
			k := s.AddSessionKey(time.Hour)
			return common.NewCredential(k.ID, k.Secret), nil
		}},
		{name: "session key with another key's token", wantCode: "AuthFailure.TokenFailure", setup: func(s *tcrtest.Server) (common.CredentialIface, http.RoundTripper) {
			k, other := s.AddSessionKey(time.Hour), s.AddSessionKey(time.Hour)
			return common.NewTokenCredential(k.ID, k.Secret, other.Token), nil
		}},
		{name: "expired session key", advance: 2 * time.Minute, wantCode: "AuthFailure.TokenFailure", setup: func(s *tcrtest.Server) (common.CredentialIface, http.RoundTripper) {
			k := s.AddSessionKey(time.Minute)
			return common.NewTokenCredential(k.ID, k.Secret, k.Token), nil
		}},
		{name: "permanent key with a token", wantCode: "AuthFailure.TokenFailure", setup: func(s *tcrtest.Server) (common.CredentialIface, http.RoundTripper) {
			k, other := s.AddKey(), s.AddSessionKey(time.Hour)
			return common.NewTokenCredential(k.ID, k.Secret, other.Token), nil
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := tcrtest.New()
			t.Cleanup(s.Close)
			in := s.AddInstance(region)
			cred, rt := tt.setup(s)
			s.Advance(tt.advance)
			service := tt.service
			if service == "" {
				service = "tcr"
			}
			out, err := call(t, client(t, cred, s.URL, rt), service, tcrtest.APIVersion, "CreateInstanceToken",
				map[string]any{"RegistryId": in.ID, "TokenType": "temp"})
			if got := code(err); got != tt.wantCode {
				t.Fatalf("code = %q (err %v), want %q", got, err, tt.wantCode)
			}
			if tt.wantCode != "" {
				var e *tcerr.TencentCloudSDKError
				errors.As(err, &e)
				if e.RequestId == "" {
					t.Errorf("error has no request id: %v", err)
				}
				return
			}
			if out["Token"] == "" || out["Username"] != s.UIN {
				t.Errorf("answer = %v", out)
			}
		})
	}
}

func TestWireErrors(t *testing.T) {
	t.Parallel()
	s := tcrtest.New()
	t.Cleanup(s.Close)
	k := s.AddKey()
	in := s.AddInstance(region)
	c := client(t, common.NewCredential(k.ID, k.Secret), s.URL, nil)
	restricted := s.AddKey(tcrtest.OnlyInstances("tcr-other000"))
	rc := client(t, common.NewCredential(restricted.ID, restricted.Secret), s.URL, nil)
	tests := []struct {
		name     string
		c        *common.Client
		action   string
		params   map[string]any
		wantCode string
	}{
		{"unknown parameter (case matters)", c, "DescribeInstances", map[string]any{"RegistryIds": []string{in.ID}}, "UnknownParameter"},
		{"unknown action", c, "CreateInstance", map[string]any{}, "InvalidAction"},
		{"unknown instance", c, "CreateInstanceToken", map[string]any{"RegistryId": "tcr-nothere0"}, "ResourceNotFound.TcrResourceNotFound"},
		{"bad token type", c, "CreateInstanceToken", map[string]any{"RegistryId": in.ID, "TokenType": "forever"}, "InvalidParameter"},
		{"missing registry id", c, "CreateInstanceToken", map[string]any{}, "MissingParameter"},
		{"no permission", rc, "CreateInstanceToken", map[string]any{"RegistryId": in.ID}, "UnauthorizedOperation"},
		{"delete missing token", c, "DeleteInstanceToken", map[string]any{"RegistryId": in.ID, "TokenId": "nope"}, "InvalidParameter"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := tcrCall(t, tt.c, tt.action, tt.params)
			if got := code(err); got != tt.wantCode {
				t.Errorf("code = %q (err %v), want %q", got, err, tt.wantCode)
			}
		})
	}
}

func TestTokensAndRegistry(t *testing.T) {
	t.Parallel()
	s := tcrtest.New()
	t.Cleanup(s.Close)
	k := s.AddKey()
	in := s.AddInstance(region)
	other := s.AddInstance(region)
	c := client(t, common.NewCredential(k.ID, k.Secret), s.URL, nil)
	check := func(inst tcrtest.Instance, user, pass string) bool {
		req, _ := http.NewRequest(http.MethodGet, "http://"+inst.Registry+"/service/token?service=harbor-registry", nil)
		req.SetBasicAuth(user, pass)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	}

	out, err := tcrCall(t, c, "DescribeInstances", map[string]any{"Registryids": []string{in.ID}})
	if err != nil {
		t.Fatal(err)
	}
	regs := out["Registries"].([]any)
	if got, want := len(regs), 1; got != want {
		t.Fatalf("DescribeInstances listed %d, want %d", got, want)
	}
	if got, want := regs[0].(map[string]any)["PublicDomain"], in.Registry; got != want {
		t.Errorf("PublicDomain = %v, want %v", got, want)
	}

	temp, err := tcrCall(t, c, "CreateInstanceToken", map[string]any{"RegistryId": in.ID})
	if err != nil {
		t.Fatal(err)
	}
	pass := temp["Token"].(string)
	info, ok := s.LookupToken(pass)
	if !ok || info.LongTerm || info.ID != "" || temp["TokenId"] != nil {
		t.Fatalf("temp token: info %+v, TokenId %v", info, temp["TokenId"])
	}
	if got, want := int64(temp["ExpTime"].(float64)), info.Expires.UnixMilli(); got != want {
		t.Errorf("ExpTime = %d, want %d", got, want)
	}
	if got, want := info.Expires.Sub(info.Created), tcrtest.TempTokenTTL; got != want {
		t.Errorf("temp token lives %v, want %v", got, want)
	}
	if !check(in, s.UIN, pass) {
		t.Error("registry refused a fresh temp token")
	}
	if check(other, s.UIN, pass) {
		t.Error("another instance's registry accepted the token")
	}
	if check(in, "someone", pass) {
		t.Error("registry accepted the token with another user name")
	}

	lt, err := tcrCall(t, c, "CreateInstanceToken", map[string]any{"RegistryId": in.ID, "TokenType": "longterm", "Desc": "ci"})
	if err != nil {
		t.Fatal(err)
	}
	id := lt["TokenId"].(string)
	list, err := tcrCall(t, c, "DescribeInstanceToken", map[string]any{"RegistryId": in.ID})
	if err != nil {
		t.Fatal(err)
	}
	if got := list["TotalCount"].(float64); got != 1 {
		t.Fatalf("TotalCount = %v, want 1", got)
	}
	if _, err := tcrCall(t, c, "DeleteInstanceToken", map[string]any{"RegistryId": in.ID, "TokenId": id}); err != nil {
		t.Fatal(err)
	}
	if check(in, s.UIN, lt["Token"].(string)) {
		t.Error("registry accepted a deleted token")
	}
	s.Advance(2 * time.Hour)
	if check(in, s.UIN, pass) {
		t.Error("registry accepted an expired temp token")
	}
}

// sdkAssumeRoleCodes are the error codes tencentcloud-sdk-go lists for
// STS AssumeRoleWithWebIdentity (sts/v20180813/client.go, from errors.go).
var sdkAssumeRoleCodes = []string{
	"InternalError.GetRoleError", "InternalError.SystemError", "InternalError.UnknownError",
	"InvalidParameter.OverLimit", "InvalidParameter.ParamError", "InvalidParameter.WebIdentityTokenError",
	"RequestLimitExceeded", "UnauthorizedOperation",
}

func TestSTS(t *testing.T) {
	t.Parallel()
	s := tcrtest.New()
	t.Cleanup(s.Close)
	in := s.AddInstance(region)
	sts := client(t, nil, s.STSURL, s.Transport())
	assume := func(params map[string]any) (map[string]any, error) {
		req := tchttp.NewCommonRequest("sts", tcrtest.STSVersion, "AssumeRoleWithWebIdentity")
		req.SetSkipSign(true)
		req.SetActionParameters(params)
		resp := tchttp.NewCommonResponse()
		if err := sts.Send(req, resp); err != nil {
			return nil, err
		}
		var out struct{ Response map[string]any }
		json.Unmarshal(resp.GetBody(), &out)
		return out.Response, nil
	}
	good := s.IssueWebIdentityToken(time.Hour)
	expired := s.IssueWebIdentityToken(time.Minute)
	s.Advance(2 * time.Minute)
	base := func(mod func(map[string]any)) map[string]any {
		m := map[string]any{"ProviderId": s.OIDCProviderID, "WebIdentityToken": good, "RoleArn": s.RoleARN, "RoleSessionName": "test", "DurationSeconds": 3600}
		if mod != nil {
			mod(m)
		}
		return m
	}
	for _, tt := range []struct {
		name, want string
		params     map[string]any
	}{
		{"unknown token", "InvalidParameter.WebIdentityTokenError", base(func(m map[string]any) { m["WebIdentityToken"] = "not-a-token" })},
		{"expired token", "InvalidParameter.WebIdentityTokenError", base(func(m map[string]any) { m["WebIdentityToken"] = expired })},
		{"wrong role", "InternalError.GetRoleError", base(func(m map[string]any) { m["RoleArn"] = "qcs::cam::uin/1:roleName/x" })},
		{"wrong provider", "InvalidParameter.ParamError", base(func(m map[string]any) { m["ProviderId"] = "other" })},
		{"too long", "InvalidParameter.ParamError", base(func(m map[string]any) { m["DurationSeconds"] = 50000 })},
	} {
		_, err := assume(tt.params)
		if code(err) != tt.want {
			t.Errorf("%s: code = %q (err %v), want %q", tt.name, code(err), err, tt.want)
		}
		if !slices.Contains(sdkAssumeRoleCodes, code(err)) {
			t.Errorf("%s: code %q is not one the SDK lists for AssumeRoleWithWebIdentity", tt.name, code(err))
		}
	}
	// Signed instead of Authorization: SKIP: refused.
	k := s.AddKey()
	signed := client(t, common.NewCredential(k.ID, k.Secret), s.STSURL, s.Transport())
	if _, err := call(t, signed, "sts", tcrtest.STSVersion, "AssumeRoleWithWebIdentity", base(nil)); code(err) != "AuthFailure.InvalidAuthorization" {
		t.Errorf("signed AssumeRoleWithWebIdentity: code = %q (err %v), want AuthFailure.InvalidAuthorization", code(err), err)
	}
	s.Advance(-2 * time.Minute)
	out, err := assume(base(nil))
	if err != nil {
		t.Fatal(err)
	}
	cr := out["Credentials"].(map[string]any)
	if !strings.HasPrefix(cr["TmpSecretId"].(string), "TESTTMP") || out["ExpiredTime"] == nil {
		t.Fatalf("credentials = %v", out)
	}
	tc := client(t, common.NewTokenCredential(cr["TmpSecretId"].(string), cr["TmpSecretKey"].(string), cr["Token"].(string)), s.URL, nil)
	if _, err := tcrCall(t, tc, "CreateInstanceToken", map[string]any{"RegistryId": in.ID}); err != nil {
		t.Errorf("temporary credentials refused: %v", err)
	}
	tc = client(t, common.NewCredential(cr["TmpSecretId"].(string), cr["TmpSecretKey"].(string)), s.URL, nil)
	if _, err := tcrCall(t, tc, "CreateInstanceToken", map[string]any{"RegistryId": in.ID}); code(err) != "AuthFailure.TokenFailure" {
		t.Errorf("temporary credentials without their token: %v", err)
	}
	if got, want := s.Calls("AssumeRoleWithWebIdentity"), 7; got != want {
		t.Errorf("Calls(AssumeRoleWithWebIdentity) = %d, want %d", got, want)
	}
}

func TestFaults(t *testing.T) {
	t.Parallel()
	s := tcrtest.New()
	t.Cleanup(s.Close)
	k := s.AddKey()
	in := s.AddInstance(region)
	c := client(t, common.NewCredential(k.ID, k.Secret), s.URL, nil)
	params := map[string]any{"Registryids": []string{in.ID}}

	s.Throttle(1)
	if _, err := tcrCall(t, c, "DescribeInstances", params); code(err) != "RequestLimitExceeded" {
		t.Errorf("throttled call: %v", err)
	}
	s.FailHTTP(1, http.StatusBadGateway)
	if _, err := tcrCall(t, c, "DescribeInstances", params); err == nil {
		t.Error("HTTP 502 call succeeded")
	}
	s.Malform(1)
	if _, err := tcrCall(t, c, "DescribeInstances", params); code(err) != "ClientError.ParseJsonError" {
		t.Errorf("malformed call: %v", err)
	}
	s.Inject(1, tcrtest.Fault{Action: "DeleteInstanceToken", Code: "InternalError", Message: "boom"})
	if _, err := tcrCall(t, c, "DescribeInstances", params); err != nil {
		t.Errorf("a fault for another action hit: %v", err)
	}
	s.ClearFaults()
	if _, err := tcrCall(t, c, "DeleteInstanceToken", map[string]any{"RegistryId": in.ID, "TokenId": "x"}); code(err) == "InternalError" {
		t.Error("ClearFaults left a fault")
	}
	s.SetThrottleRate(1)
	if _, err := tcrCall(t, c, "DescribeInstances", params); code(err) != "RequestLimitExceeded" {
		t.Errorf("call at throttle rate 1: %v", err)
	}
	s.SetThrottleRate(0)
	if got, want := s.Calls("DescribeInstances"), 5; got != want {
		t.Errorf("Calls(DescribeInstances) = %d, want %d", got, want)
	}
	if got, want := s.Calls(""), 6; got != want {
		t.Errorf("Calls() = %d, want %d", got, want)
	}
}
