package swrtest_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/auth/basic"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/config"
	swrsdk "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/swr/v2"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/services/swr/v2/model"

	"github.com/regmint/regmint/core/swr/swrtest"
)

// passwordToken logs in with IAM and returns the status, X-Subject-Token
// and body.
func passwordToken(t *testing.T, srv *swrtest.Server, a *swrtest.Account, password string, scope any) (int, string, []byte) {
	t.Helper()
	body := map[string]any{"auth": map[string]any{
		"identity": map[string]any{"methods": []string{"password"}, "password": map[string]any{
			"user": map[string]any{"name": a.UserName, "password": password, "domain": map[string]string{"name": a.DomainName}},
		}},
		"scope": scope,
	}}
	b, _ := json.Marshal(body)
	r, _ := http.NewRequest(http.MethodPost, srv.IAMURL+"/v3/auth/tokens", bytes.NewReader(b))
	r.Header.Set("Content-Type", "application/json;charset=UTF-8")
	status, rb, hdr := do(t, r)
	return status, hdr.Get("X-Subject-Token"), rb
}

func TestPasswordTokenAnswers(t *testing.T) {
	t.Parallel()
	srv := swrtest.New()
	defer srv.Close()
	a := srv.NewAccount()

	status, tok, body := passwordToken(t, srv, a, a.Password, map[string]any{"project": map[string]string{"name": "cn-north-4"}})
	if status != http.StatusCreated || tok == "" {
		t.Fatalf("status %d, token set %v, body %s", status, tok != "", body)
	}
	var ok struct {
		Token struct {
			ExpiresAt string `json:"expires_at"`
			Project   struct {
				ID string `json:"id"`
			} `json:"project"`
		} `json:"token"`
	}
	if err := json.Unmarshal(body, &ok); err != nil {
		t.Fatal(err)
	}
	if got, want := ok.Token.Project.ID, a.Projects["cn-north-4"]; got != want {
		t.Errorf("project id %q, want %q", got, want)
	}
	exp, err := time.Parse(time.RFC3339Nano, ok.Token.ExpiresAt)
	if err != nil || time.Until(exp) < 23*time.Hour {
		t.Errorf("expires_at %q: %v", ok.Token.ExpiresAt, err)
	}

	status, tok, body = passwordToken(t, srv, a, a.Password+"x", nil)
	if status != http.StatusUnauthorized || tok != "" {
		t.Fatalf("wrong password: status %d, body %s", status, body)
	}
	want := `{"error":{"code":401,"message":"The username or password is wrong.","title":"Unauthorized"}}`
	if got := strings.TrimSpace(string(body)); got != want {
		t.Errorf("wrong password body\n got %s\nwant %s", got, want)
	}
}

func TestTokenScopedToAnotherProjectIsRefused(t *testing.T) {
	t.Parallel()
	srv := swrtest.New(swrtest.WithRegions("cn-north-4", "ap-southeast-1"))
	defer srv.Close()
	a := srv.NewAccount()
	in := srv.NewInstance(a, "cn-north-4")
	other := srv.NewAccount()

	call := func(tok, pid string) (int, []byte) {
		r, _ := http.NewRequest(http.MethodPost, srv.SWRURL+"/v2/"+pid+"/instances/"+in.ID+"/temp-credential", nil)
		r.Header.Set("X-Auth-Token", tok)
		status, body, _ := do(t, r)
		return status, body
	}
	_, north, _ := passwordToken(t, srv, a, a.Password, map[string]any{"project": map[string]string{"name": "cn-north-4"}})
	_, southeast, _ := passwordToken(t, srv, a, a.Password, map[string]any{"project": map[string]string{"id": a.Projects["ap-southeast-1"]}})
	_, otherTok, _ := passwordToken(t, srv, other, other.Password, map[string]any{"project": map[string]string{"name": "cn-north-4"}})
	_, unscoped, _ := passwordToken(t, srv, a, a.Password, nil)

	if status, body := call(north, in.ProjectID); status != http.StatusCreated {
		t.Fatalf("token of the project: status %d, body %s", status, body)
	}
	for name, tc := range map[string]struct{ tok, pid string }{
		"token of another project of the account":        {southeast, in.ProjectID},
		"token of the account used on its other project": {north, a.Projects["ap-southeast-1"]},
		"token of another account":                       {otherTok, in.ProjectID},
		"unscoped token":                                 {unscoped, in.ProjectID},
	} {
		if status, body := call(tc.tok, tc.pid); status != http.StatusForbidden && status != http.StatusNotFound {
			t.Errorf("%s: status %d, body %s", name, status, body)
		}
	}
	if status, body := call("swrtest-iam-forged", in.ProjectID); status != http.StatusUnauthorized {
		t.Errorf("forged token: status %d, body %s", status, body)
	}
}

func TestTokensExpireWithTheClock(t *testing.T) {
	t.Parallel()
	clock := swrtest.NewClock(time.Now())
	srv := swrtest.New(swrtest.WithClock(clock.Now))
	defer srv.Close()
	a := srv.NewAccount()
	in := srv.NewInstance(a, "cn-north-4")
	_, tok, _ := passwordToken(t, srv, a, a.Password, map[string]any{"project": map[string]string{"name": "cn-north-4"}})
	r := func() *http.Request {
		r, _ := http.NewRequest(http.MethodGet, srv.SWRURL+"/v2/"+in.ProjectID+"/instances/"+in.ID, nil)
		r.Header.Set("X-Auth-Token", tok)
		return r
	}
	if status, body, _ := do(t, r()); status != http.StatusOK {
		t.Fatalf("status %d, body %s", status, body)
	}
	clock.Advance(swrtest.TokenTTL)
	if status, body, _ := do(t, r()); status != http.StatusUnauthorized {
		t.Fatalf("after expiry: status %d, body %s", status, body)
	}
}

// The SDK's own keyless login (WithIdpId/WithIdTokenFile: unscoped token,
// then temporary keys) works against the emulator.
func TestSDKNativeOIDCLogin(t *testing.T) {
	t.Parallel()
	srv := swrtest.New()
	defer srv.Close()
	a := srv.NewAccount()
	in := srv.NewInstance(a, "cn-north-4")
	idp := srv.NewIdP(a)
	file := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(file, []byte(idp.Token("repo:o/r:ref:refs/heads/main", 5*time.Minute)), 0o600); err != nil {
		t.Fatal(err)
	}
	cred, err := basic.NewCredentialsBuilder().WithIdpId(idp.ID).WithIdTokenFile(file).
		WithIamEndpointOverride(srv.IAMURL).WithProjectId(in.ProjectID).SafeBuild()
	if err != nil {
		t.Fatal(err)
	}
	hc, err := swrsdk.SwrClientBuilder().WithEndpoints([]string{srv.SWRURL}).WithCredential(cred).
		WithHttpConfig(config.DefaultHttpConfig()).SafeBuild()
	if err != nil {
		t.Fatal(err)
	}
	resp, err := swrsdk.NewSwrClient(hc).CreateInstanceTempCredential(&model.CreateInstanceTempCredentialRequest{InstanceId: in.ID})
	if err != nil {
		t.Fatal(err)
	}
	if resp.HttpStatusCode != http.StatusCreated || resp.UserId == nil || resp.AuthToken == nil {
		t.Fatalf("status %d", resp.HttpStatusCode)
	}
	if got, want := srv.Calls(swrtest.OpCreateTemporaryAccessKeyByToken), 1; got != want {
		t.Errorf("securitytokens calls = %d, want %d", got, want)
	}
}

func TestFaultsAndCounters(t *testing.T) {
	t.Parallel()
	srv := swrtest.New()
	defer srv.Close()
	a := srv.NewAccount()
	in := srv.NewInstance(a, "cn-north-4")
	srv.Inject(swrtest.Fault{Op: swrtest.OpShowInstance, Status: http.StatusTooManyRequests, Times: 2})
	srv.Inject(swrtest.Fault{Op: swrtest.OpShowInstance, Status: http.StatusServiceUnavailable})
	path := "/v2/" + in.ProjectID + "/instances/" + in.ID
	var got []string
	for range 4 {
		status, body, _ := do(t, signedRequest(t, http.MethodGet, srv.SWRURL, path, nil, nil, a.AK, a.SK, in.ProjectID, ""))
		var e apiErrorBody
		json.Unmarshal(body, &e)
		got = append(got, fmt.Sprintf("%d %s", status, e.Code))
	}
	want := []string{"429 APIGW.0308", "429 APIGW.0308", "503 SVCSTG.SWR.5000001", "200 "}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("answers %q, want %q", got, want)
	}
	if n := srv.Calls(swrtest.OpShowInstance); n != 4 {
		t.Errorf("calls = %d, want 4", n)
	}

	srv.Inject(swrtest.Fault{Op: swrtest.OpCreateInstanceTempCredential, Malformed: true})
	status, body, _ := do(t, signedRequest(t, http.MethodPost, srv.SWRURL, path+"/temp-credential", nil, nil, a.AK, a.SK, in.ProjectID, ""))
	if status != http.StatusCreated || json.Valid(body) {
		t.Errorf("malformed: status %d, valid JSON %v", status, json.Valid(body))
	}
}

func TestRegistriesAcceptExactlyWhatWasMinted(t *testing.T) {
	t.Parallel()
	clock := swrtest.NewClock(time.Now())
	srv := swrtest.New(swrtest.WithClock(clock.Now))
	defer srv.Close()
	a := srv.NewAccount()
	in := srv.NewInstance(a, "cn-north-4")
	path := "/v2/" + in.ProjectID + "/instances/" + in.ID + "/temp-credential"
	_, body, _ := do(t, signedRequest(t, http.MethodPost, srv.SWRURL, path, nil, nil, a.AK, a.SK, in.ProjectID, time.Now().UTC().Format("20060102T150405Z")))
	var c struct {
		User  string `json:"user_id"`
		Token string `json:"auth_token"`
	}
	if err := json.Unmarshal(body, &c); err != nil {
		t.Fatal(err)
	}
	login := func(reg, u, p string) int {
		r, _ := http.NewRequest(http.MethodGet, reg+"/service/token?service=harbor-registry", nil)
		r.SetBasicAuth(u, p)
		status, _, _ := do(t, r)
		return status
	}
	if got := login(in.Registry.URL, c.User, c.Token); got != http.StatusOK {
		t.Errorf("minted credential: %d", got)
	}
	if got := login(in.Registry.URL, c.User, c.Token+"x"); got != http.StatusUnauthorized {
		t.Errorf("wrong password: %d", got)
	}
	other := srv.NewInstance(a, "cn-north-4")
	if got := login(other.Registry.URL, c.User, c.Token); got != http.StatusUnauthorized {
		t.Errorf("other instance: %d", got)
	}
	clock.Advance(swrtest.TempCredentialTTL)
	if got := login(in.Registry.URL, c.User, c.Token); got != http.StatusUnauthorized {
		t.Errorf("expired: %d", got)
	}
}
