package main

import (
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/regmint/regmint/core/registrytest"
	"github.com/regmint/regmint/core/tcr/tcrtest"
)

func TestActionBadInputsFailBeforeAnyNetworkCall(t *testing.T) {
	t.Parallel()
	var calls atomic.Int64
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { calls.Add(1) }))
	t.Cleanup(api.Close)
	secret := "sk-" + randomHex(t, 12)
	ok := map[string]string{"provider": "tcr", "region": "ap-guangzhou", "instance-id": "tcr-abcd1234", "api-endpoint": api.URL,
		"access-key-id": "TESTID" + randomHex(t, 8), "access-key-secret": secret}
	without := func(k string) map[string]string { m := merge(ok); delete(m, k); return m }
	with := func(kv ...string) map[string]string {
		m := merge(ok)
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	tests := []struct {
		name   string
		inputs map[string]string
		env    map[string]string
		want   string
	}{
		{"missing provider", without("provider"), nil, "input provider: is required; accepted: tcr, swr, swr-enterprise"},
		{"unknown provider", with("provider", "acr"), nil, `input provider: "acr" is not a provider`},
		{"missing region", without("region"), nil, "input region: is required"},
		{"missing instance id", without("instance-id"), nil, "input instance-id: is required for provider tcr"},
		{"bad token type", with("token-type", "forever"), nil, `input token-type: "forever" is not a token type; accepted: temp, longterm`},
		{"bad endpoint URL", with("api-endpoint", "ftp://tcr.internal"), nil, "input api-endpoint:"},
		{"bad boolean", with("verify", "maybe"), nil, `input verify: "maybe" is not a boolean; accepted: true, false`},
		{"oidc without request url", with("access-key-id", "", "access-key-secret", "", "role-arn", "qcs::cam::uin/1:roleName/ci", "oidc-provider-id", "gh"), nil,
			"permissions: id-token: write"},
		{"conflicting auth", with("role-arn", "qcs::cam::uin/1:roleName/ci", "oidc-provider-id", "gh"), map[string]string{"ACTIONS_ID_TOKEN_REQUEST_URL": api.URL},
			"input auth: conflicting cloud auth"},
		{"no cloud credentials at all", with("access-key-id", "", "access-key-secret", ""), nil, "TENCENTCLOUD_SECRET_ID"},
		{"swr password without domain", map[string]string{"provider": "swr", "region": "cn-north-4", "api-endpoint": api.URL, "iam-user": "ci", "iam-password": secret},
			nil, "input iam-domain: is required"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			res := runStep(t, false, tc.inputs, tc.env)
			if res.exitCode == 0 {
				t.Fatalf("step succeeded, want a failure with %q", tc.want)
			}
			var errs []string
			for _, l := range strings.Split(res.stdout, "\n") {
				if strings.HasPrefix(l, "::error") {
					errs = append(errs, l)
				}
			}
			if len(errs) != 1 || !strings.Contains(errs[0], tc.want) {
				t.Errorf("want one ::error:: line containing %q, got %q\nstdout:\n%s", tc.want, errs, res.stdout)
			}
			if len(res.outputs) != 0 {
				t.Errorf("a failed step set outputs %v", res.outputs)
			}
			checkNoLeaks(t, res, []string{secret})
		})
	}
	if n := calls.Load(); n != 0 {
		t.Errorf("bad inputs made %d network calls, want none", n)
	}
}

func TestActionVerification(t *testing.T) {
	t.Parallel()
	emu := tcrtest.New()
	t.Cleanup(emu.Close)
	inst := emu.AddInstance("ap-guangzhou")
	key := emu.AddKey()
	base := map[string]string{"provider": "tcr", "region": inst.Region, "instance-id": inst.ID, "api-endpoint": emu.URL,
		"access-key-id": key.ID, "access-key-secret": key.Secret}

	refusing := registrytest.New(func(u, p string) bool { return false })
	t.Cleanup(refusing.Close)
	closed := registrytest.New(func(u, p string) bool { return true })
	closed.Close()
	live := func(id string) bool {
		for _, tok := range emu.LongTermTokens(inst.ID) {
			if tok.ID == id {
				return true
			}
		}
		return false
	}

	t.Run("refused login fails the step, and the post step still revokes", func(t *testing.T) {
		t.Parallel()
		in := merge(base, map[string]string{"registry": refusing.Host, "token-type": "longterm"})
		res := runStep(t, false, in, nil)
		if res.exitCode == 0 || !strings.Contains(res.stdout, "::error::the registry "+refusing.Host+" refused the new credential") {
			t.Fatalf("want a failed step saying the registry refused:\n%s", res.stdout)
		}
		if len(res.outputs) != 0 {
			t.Errorf("a refused credential was output: %v", keys(res.outputs))
		}
		if !strings.Contains(res.summary, "❌ bad") {
			t.Errorf("summary does not show the refusal:\n%s", res.summary)
		}
		id := res.state[stateTokenID]
		if id == "" || !live(id) {
			t.Fatalf("state %v: want the live long-term token recorded for the post step", res.state)
		}
		post := runStep(t, true, in, map[string]string{"STATE_" + stateTokenID: id})
		if post.exitCode != 0 || live(id) {
			t.Errorf("post step exit %d, token still live %v: want it revoked\n%s", post.exitCode, live(id), post.stdout)
		}
	})
	t.Run("unreachable registry warns and outputs", func(t *testing.T) {
		t.Parallel()
		res := runStep(t, false, merge(base, map[string]string{"registry": closed.Host}), nil)
		if res.exitCode != 0 || !strings.Contains(res.stdout, "::warning::could not check the credential against "+closed.Host) {
			t.Fatalf("want success with a warning:\n%s\n%s", res.stdout, res.stderr)
		}
		if res.outputs[outputPassword] == "" || !strings.Contains(res.summary, "⚠️ unknown") {
			t.Errorf("outputs %v, summary:\n%s", keys(res.outputs), res.summary)
		}
	})
	t.Run("verify false skips the registry", func(t *testing.T) {
		t.Parallel()
		before, _ := refusing.Logins()
		res := runStep(t, false, merge(base, map[string]string{"registry": refusing.Host, "verify": "false"}), nil)
		after, refused := refusing.Logins()
		if res.exitCode != 0 || !strings.Contains(res.summary, "skipped") {
			t.Fatalf("exit %d, summary:\n%s", res.exitCode, res.summary)
		}
		if after != before || refused > 1 {
			t.Errorf("verify false still contacted the registry")
		}
	})
	t.Run("revoke false keeps the long-term token", func(t *testing.T) {
		t.Parallel()
		res := runStep(t, false, merge(base, map[string]string{"token-type": "longterm", "revoke": "false"}), nil)
		id := res.outputs[outputTokenID]
		if res.exitCode != 0 || id == "" || len(res.state) != 0 {
			t.Fatalf("exit %d, token-id %q, state %v", res.exitCode, id, res.state)
		}
		post := runStep(t, true, merge(base, map[string]string{"revoke": "false"}), nil)
		if post.exitCode != 0 || !strings.Contains(post.stdout, "no long-term token to revoke") || !live(id) {
			t.Errorf("post step: %d, token live %v\n%s", post.exitCode, live(id), post.stdout)
		}
	})
	t.Run("mask-password false does not mask", func(t *testing.T) {
		t.Parallel()
		res := runStep(t, false, merge(base, map[string]string{"mask-password": "false"}), nil)
		if res.exitCode != 0 || strings.Contains(res.stdout, "::add-mask::"+res.outputs[outputPassword]) {
			t.Errorf("exit %d; password masked although mask-password is false", res.exitCode)
		}
		if !strings.Contains(res.stdout, "::add-mask::"+key.Secret) {
			t.Errorf("the secret key input must stay masked")
		}
	})
}

func keys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// loopbackProxy is an HTTP proxy for tests that serves only hosts under
// example.com, each mapped to the same port on 127.0.0.1: clients use real
// names through HTTP_PROXY/HTTPS_PROXY while no traffic leaves the machine.
type loopbackProxy struct {
	srv   *httptest.Server
	mu    sync.Mutex
	hosts map[string]int
}

func newLoopbackProxy(t *testing.T) *loopbackProxy {
	t.Helper()
	p := &loopbackProxy{hosts: map[string]int{}}
	p.srv = httptest.NewServer(http.HandlerFunc(p.serve))
	t.Cleanup(p.srv.Close)
	return p
}

func (p *loopbackProxy) target(hostport string) (string, bool) {
	host, port, err := net.SplitHostPort(hostport)
	if err != nil || !strings.HasSuffix(host, ".example.com") {
		return "", false
	}
	p.mu.Lock()
	p.hosts[host]++
	p.mu.Unlock()
	return net.JoinHostPort("127.0.0.1", port), true
}

func (p *loopbackProxy) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodConnect {
		addr, ok := p.target(r.Host)
		if !ok {
			http.Error(w, "only *.example.com", http.StatusForbidden)
			return
		}
		up, err := net.DialTimeout("tcp", addr, 5*time.Second)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		conn, _, err := w.(http.Hijacker).Hijack()
		if err != nil {
			up.Close()
			return
		}
		conn.Write([]byte("HTTP/1.1 200 Connection established\r\n\r\n"))
		go func() { io.Copy(up, conn); up.Close() }()
		io.Copy(conn, up)
		conn.Close()
		return
	}
	addr, ok := p.target(r.URL.Host)
	if !ok {
		http.Error(w, "only *.example.com", http.StatusForbidden)
		return
	}
	out := r.Clone(r.Context())
	out.RequestURI = ""
	out.URL.Host = addr
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
	io.Copy(w, resp.Body)
}

func (p *loopbackProxy) seen(host string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.hosts[host]
}

func TestActionWorksBehindProxy(t *testing.T) {
	t.Parallel()
	emu := tcrtest.New()
	t.Cleanup(emu.Close)
	inst := emu.AddInstance("ap-guangzhou")
	proxy := newLoopbackProxy(t)
	gh := newGitHubOIDC(t, emu.IssueWebIdentityToken(time.Hour))
	// httptest's certificate is valid for *.example.com.
	api := strings.Replace(emu.URL, "127.0.0.1", "tcr.example.com", 1)
	sts := strings.Replace(emu.STSURL, "127.0.0.1", "sts.example.com", 1)
	// The emulator's API speaks plain http: to a name, that needs
	// insecure-endpoints.
	in := map[string]string{"provider": "tcr", "region": inst.Region, "instance-id": inst.ID, "api-endpoint": api, "sts-endpoint": sts,
		"role-arn": emu.RoleARN, "oidc-provider-id": emu.OIDCProviderID, "insecure-endpoints": "true"}
	env := merge(gh.env(), map[string]string{
		"HTTPS_PROXY": proxy.srv.URL, "HTTP_PROXY": proxy.srv.URL, "SSL_CERT_FILE": certFile(t, emu.STSCertificate().Raw),
	})
	res := runStep(t, false, in, env)
	if res.exitCode != 0 {
		t.Fatalf("step failed behind the proxy:\n%s\n%s", res.stdout, res.stderr)
	}
	if proxy.seen("sts.example.com") == 0 || proxy.seen("tcr.example.com") == 0 {
		t.Errorf("the proxy saw sts %d and api %d requests, want both", proxy.seen("sts.example.com"), proxy.seen("tcr.example.com"))
	}
	if !strings.Contains(res.summary, "✅ good") {
		t.Errorf("summary:\n%s", res.summary)
	}
}
