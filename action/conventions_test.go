package main

import (
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/regmint/regmint/core"
	"github.com/regmint/regmint/core/tcr"
	"github.com/regmint/regmint/core/tcr/tcrtest"
)

func TestConventionInputs(t *testing.T) {
	t.Parallel()
	tcrBase := []string{"provider", "tcr", "instance-id", "tcr-abcd1234"}
	keyless := []string{"role-arn", "qcs::cam::uin/100000000001:roleName/ci", "oidc-provider-id", "github", "ACTIONS_ID_TOKEN_REQUEST_URL", "http://127.0.0.1:1/token"}
	for _, tt := range []struct {
		name  string
		in    envSource
		check func(t *testing.T, c *config)
		want  []string // error fragments; none: accepted
	}{
		{name: "provider and region normalised", in: inputs("provider", "TCR", "region", "AP-Guangzhou", "instance-id", "tcr-abcd1234", "site", "INTL"),
			check: func(t *testing.T, c *config) {
				if c.target.Provider != tcr.Name || c.target.Region != "ap-guangzhou" || c.target.Site != core.SiteIntl {
					t.Errorf("target = %v site %q", c.target, c.target.Site)
				}
			}},
		{name: "region from TENCENTCLOUD_REGION", in: envSource(merge(inputs(tcrBase...), envSource{"TENCENTCLOUD_REGION": "ap-shanghai"})),
			check: func(t *testing.T, c *config) {
				if c.target.Region != "ap-shanghai" {
					t.Errorf("region = %q", c.target.Region)
				}
			}},
		{name: "region from CLOUD_SDK_REGION", in: envSource(merge(inputs("provider", "swr"), envSource{"CLOUD_SDK_REGION": "cn-south-1"})),
			check: func(t *testing.T, c *config) {
				if c.target.Region != "cn-south-1" {
					t.Errorf("region = %q", c.target.Region)
				}
			}},
		{name: "region input wins over the environment", in: envSource(merge(inputs("provider", "swr", "region", "cn-north-4"), envSource{"HUAWEICLOUD_SDK_REGION": "cn-south-1"})),
			check: func(t *testing.T, c *config) {
				if c.target.Region != "cn-north-4" {
					t.Errorf("region = %q", c.target.Region)
				}
			}},
		{name: "session name and duration", in: inputs(append(append(tcrBase, "region", "ap-guangzhou", "role-session-name", "build-42", "role-duration-seconds", "7200"), keyless...)...),
			check: func(t *testing.T, c *config) {
				if c.target.Auth.SessionName != "build-42" || c.target.Auth.SessionDuration != 2*time.Hour {
					t.Errorf("auth = %+v", c.target.Auth)
				}
			}},
		{name: "default session name", in: inputs(append(append(tcrBase, "region", "ap-guangzhou"), keyless...)...),
			check: func(t *testing.T, c *config) {
				if c.target.Auth.SessionName != "regmint-github-action" || c.target.Auth.SessionDuration != 0 {
					t.Errorf("auth = %+v", c.target.Auth)
				}
			}},
		{name: "proxy", in: inputs(append(tcrBase, "region", "ap-guangzhou", "http-proxy", "http://proxy.internal:3128", "no-proxy", ".internal,10.0.0.0/8")...),
			check: func(t *testing.T, c *config) {
				rt, ok := c.transport.(*http.Transport)
				if !ok {
					t.Fatalf("transport = %T", c.transport)
				}
				for host, want := range map[string]string{"tcr.tencentcloudapi.com": "proxy.internal:3128", "reg.internal": "", "10.1.2.3": ""} {
					u, err := rt.Proxy(&http.Request{URL: mustURL(t, "https://"+host+"/")})
					got := ""
					if u != nil {
						got = u.Host
					}
					if err != nil || got != want {
						t.Errorf("proxy for %s = %q (%v), want %q", host, got, err, want)
					}
				}
			}},
		{name: "region missing everywhere", in: inputs(tcrBase...), want: []string{"input region: is required"}},
		{name: "bad region in the environment", in: envSource(merge(inputs(tcrBase...), envSource{"TENCENTCLOUD_REGION": "guang zhou"})),
			want: []string{`input region: is not set, and TENCENTCLOUD_REGION holds "guang zhou", which is not a region id`}},
		{name: "bad site", in: inputs(append(tcrBase, "region", "ap-guangzhou", "site", "global")...), want: []string{`input site: "global" is not a site`}},
		{name: "intl on swr", in: inputs("provider", "swr", "region", "cn-north-4", "site", "intl"), want: []string{"input site: intl is only for provider tcr"}},
		{name: "session name on swr", in: inputs("provider", "swr", "region", "cn-north-4", "role-session-name", "x-1"), want: []string{"input role-session-name: is only used by keyless login"}},
		{name: "bad session name", in: inputs(append(append(tcrBase, "region", "ap-guangzhou", "role-session-name", "has space"), keyless...)...), want: []string{"input role-session-name:"}},
		{name: "duration not a number", in: inputs(append(append(tcrBase, "region", "ap-guangzhou", "role-duration-seconds", "1h"), keyless...)...), want: []string{`input role-duration-seconds: "1h" is not a number of seconds`}},
		{name: "duration too long", in: inputs(append(append(tcrBase, "region", "ap-guangzhou", "role-duration-seconds", "86400"), keyless...)...), want: []string{"input role-duration-seconds:", "43200"}},
		{name: "duration without keyless", in: inputs(append(tcrBase, "region", "ap-guangzhou", "role-duration-seconds", "3600")...), want: []string{"input role-duration-seconds: is only used by keyless login"}},
		{name: "bad proxy with password", in: inputs(append(tcrBase, "region", "ap-guangzhou", "http-proxy", "ftp://user:pw-secret-1@proxy")...), want: []string{"input http-proxy: is not a proxy URL (the value is not shown"}},
		{name: "bad no-proxy", in: inputs(append(tcrBase, "region", "ap-guangzhou", "no-proxy", "a b")...), want: []string{`input no-proxy: "a b" is not a host`}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := configFromInputs(tt.in)
			if len(tt.want) == 0 {
				if err != nil {
					t.Fatal(err)
				}
				tt.check(t, c)
				return
			}
			if err == nil {
				t.Fatalf("accepted; want %q", tt.want)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q\ndoes not contain %q", err, w)
				}
			}
			if strings.Contains(err.Error(), "pw-secret-1") {
				t.Error("error shows the proxy password")
			}
		})
	}
}

// TestSecurityTokenEnvMaskedAndUsed: TENCENTCLOUD_SECURITY_TOKEN is read as
// the session token and masked before anything runs.
func TestSecurityTokenEnvMaskedAndUsed(t *testing.T) {
	t.Parallel()
	emu := tcrtest.New()
	t.Cleanup(emu.Close)
	inst := emu.AddInstance("ap-guangzhou")
	k := emu.AddSessionKey(time.Hour)
	res := runStep(t, false,
		map[string]string{"provider": "tcr", "instance-id": inst.ID, "api-endpoint": emu.URL},
		map[string]string{"TENCENTCLOUD_SECRET_ID": k.ID, "TENCENTCLOUD_SECRET_KEY": k.Secret, "TENCENTCLOUD_SECURITY_TOKEN": k.Token,
			"TENCENTCLOUD_REGION": "ap-guangzhou"})
	if res.exitCode != 0 {
		t.Fatalf("exit %d: %s%s", res.exitCode, res.stdout, res.stderr)
	}
	if !strings.Contains(res.stdout, "::add-mask::"+k.Token+"\n") {
		t.Error("TENCENTCLOUD_SECURITY_TOKEN not masked")
	}
	if res.outputs["registry"] == "" {
		t.Errorf("outputs = %v", res.outputs)
	}
}

// TestHTTPProxyInput: with http-proxy, the vendor API is called through the
// proxy (a loopback stand-in that answers from the emulator; the public
// name is never resolved).
func TestHTTPProxyInput(t *testing.T) {
	t.Parallel()
	emu := tcrtest.New()
	t.Cleanup(emu.Close)
	inst := emu.AddInstance("ap-guangzhou")
	key := emu.AddKey()
	var mu sync.Mutex
	var seen []string
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, r.Method+" "+r.URL.Host)
		mu.Unlock()
		_, port, _ := net.SplitHostPort(r.URL.Host)
		out := r.Clone(r.Context())
		out.RequestURI = ""
		out.URL.Host = net.JoinHostPort("127.0.0.1", port)
		resp, err := http.DefaultTransport.RoundTrip(out)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		for k, v := range resp.Header {
			w.Header()[k] = v
		}
		w.WriteHeader(resp.StatusCode)
		buf := make([]byte, 32<<10)
		for {
			n, err := resp.Body.Read(buf)
			w.Write(buf[:n])
			if err != nil {
				return
			}
		}
	}))
	t.Cleanup(proxy.Close)
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(emu.URL, "http://"))
	api := "tcr-api.regmint.test:" + port
	res := runStep(t, false, map[string]string{
		"provider": "tcr", "region": "ap-guangzhou", "instance-id": inst.ID, "api-endpoint": "http://" + api,
		"access-key-id": key.ID, "access-key-secret": key.Secret, "http-proxy": proxy.URL,
		"insecure-endpoints": "true", // the made-up name is no loopback literal
	}, nil)
	if res.exitCode != 0 {
		t.Fatalf("exit %d: %s%s", res.exitCode, res.stdout, res.stderr)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(seen) == 0 || seen[0] != "POST "+api {
		t.Errorf("proxy saw %v, want the API calls for %s", seen, api)
	}
}

func mustURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}
