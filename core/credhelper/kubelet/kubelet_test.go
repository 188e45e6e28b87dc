package kubelet_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	kubelet "k8s.io/kubelet/pkg/apis/credentialprovider/v1"

	"github.com/regmint/regmint/core"
	"github.com/regmint/regmint/core/credhelper"
	plugin "github.com/regmint/regmint/core/credhelper/kubelet"
	"github.com/regmint/regmint/core/swr/swrtest"
	"github.com/regmint/regmint/core/tcr"
	"github.com/regmint/regmint/core/tcr/tcrtest"
	"github.com/regmint/regmint/internal/leaktest"
)

// world is a TCR emulator with one key and one instance.
type world struct {
	srv  *tcrtest.Server
	key  tcrtest.Key
	inst tcrtest.Instance
	env  map[string]string
}

func newWorld(t *testing.T) *world {
	t.Helper()
	srv := tcrtest.New()
	t.Cleanup(srv.Close)
	w := &world{srv: srv, key: srv.AddKey(), inst: srv.AddInstance("ap-guangzhou")}
	w.env = map[string]string{tcr.EnvSecretID: w.key.ID, tcr.EnvSecretKey: w.key.Secret}
	return w
}

// doc is a targets document with one TCR target whose registry host is
// found from the instance, with extra target lines.
func (w *world) doc(extra ...string) string {
	s := fmt.Sprintf("targets:\n- name: app\n  provider: tcr\n  region: ap-guangzhou\n  instance-id: %s\n  api-endpoint: %s\n", w.inst.ID, w.srv.URL)
	for _, e := range extra {
		s += "  " + e + "\n"
	}
	return s
}

// kubeletRun feeds the plugin one request as the kubelet would: the
// targets file as its argument, the request on stdin.
func kubeletRun(t *testing.T, doc string, req any, env map[string]string, transport core.Env) (int, string, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "kubelet.yaml")
	if err := os.WriteFile(path, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	var in []byte
	switch r := req.(type) {
	case string:
		in = []byte(r)
	default:
		in, _ = json.Marshal(r)
	}
	var out, errb bytes.Buffer
	code := plugin.Serve(context.Background(), credhelper.Process{
		Args: []string{path}, Stdin: bytes.NewReader(in), Stdout: &out, Stderr: &errb,
		Getenv: func(k string) string { return env[k] }, Env: transport, Version: "v1",
	})
	return code, out.String(), errb.String()
}

func request(image, token string) map[string]any {
	r := map[string]any{"apiVersion": "credentialprovider.kubelet.k8s.io/v1", "kind": "CredentialProviderRequest", "image": image}
	if token != "" {
		r["serviceAccountToken"] = token
		r["serviceAccountAnnotations"] = map[string]string{"example.com/team": "build"}
	}
	return r
}

// decodeResponse decodes the plugin's answer strictly into the kubelet's
// type.
func decodeResponse(t *testing.T, out string) kubelet.CredentialProviderResponse {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(out))
	dec.DisallowUnknownFields()
	var resp kubelet.CredentialProviderResponse
	if err := dec.Decode(&resp); err != nil || dec.More() {
		t.Fatalf("response %q does not decode strictly: %v", out, err)
	}
	if resp.APIVersion != "credentialprovider.kubelet.k8s.io/v1" || resp.Kind != "CredentialProviderResponse" {
		t.Errorf("response is %s %s", resp.APIVersion, resp.Kind)
	}
	return resp
}

// checkLogin checks that the response's credential for host passes the
// registry.
func checkLogin(t *testing.T, resp kubelet.CredentialProviderResponse, host string, env core.Env) {
	t.Helper()
	a, ok := resp.Auth[host]
	if !ok || len(resp.Auth) != 1 {
		t.Fatalf("auth %v; want one entry for %s", resp.Auth, host)
	}
	v := core.Verifier{Transport: env.Transport}.Verify(context.Background(), core.Credential{Registry: host, Username: a.Username, Password: a.Password})
	if v.Result != core.VerifyGood {
		t.Fatalf("the registry does not take the credential: %v", v)
	}
}

func TestKubeletNodeIdentity(t *testing.T) {
	w := newWorld(t)
	env := map[string]string{"XDG_CACHE_HOME": t.TempDir()}
	for k, v := range w.env {
		env[k] = v
	}
	tr := core.Env{Transport: w.srv.Transport()}
	code, out, errs := kubeletRun(t, w.doc(), request(w.inst.Registry+"/team/app:v1", ""), env, tr)
	if code != 0 || errs != "" {
		t.Fatalf("exit %d, stderr %q", code, errs)
	}
	resp := decodeResponse(t, out)
	if resp.CacheKeyType != kubelet.RegistryPluginCacheKeyType {
		t.Errorf("cacheKeyType %q; want Registry", resp.CacheKeyType)
	}
	// TCR temporary tokens last 1 h; the default refresh margin is 30 min.
	if resp.CacheDuration == nil || resp.CacheDuration.Duration < 29*time.Minute || resp.CacheDuration.Duration > 30*time.Minute {
		t.Errorf("cacheDuration %v; want the lifetime minus the refresh margin (30m)", resp.CacheDuration)
	}
	checkLogin(t, resp, w.inst.Registry, tr)

	// An image of a registry no target serves: no auth, so the kubelet
	// pulls with what else it has.
	code, out, _ = kubeletRun(t, w.doc(), request("docker.io/library/nginx:1", ""), env, tr)
	if resp := decodeResponse(t, out); code != 0 || len(resp.Auth) != 0 {
		t.Errorf("unknown registry: exit %d, auth %v", code, resp.Auth)
	}
}

func TestKubeletServiceAccountTencent(t *testing.T) {
	w := newWorld(t)
	doc := w.doc("sts-endpoint: "+w.srv.STSURL,
		fmt.Sprintf("credentials: {service-account: {role-arn: %q, oidc-provider-id: %s}}", w.srv.RoleARN, w.srv.OIDCProviderID))
	tr := core.Env{Transport: w.srv.Transport()}
	token := w.srv.IssueWebIdentityToken(10 * time.Minute)
	// No keys in the environment: only the pod's token can mint.
	code, out, errs := kubeletRun(t, doc, request(w.inst.Registry+"/team/app:v1", token), map[string]string{}, tr)
	if code != 0 {
		t.Fatalf("exit %d, stderr %q", code, errs)
	}
	checkLogin(t, decodeResponse(t, out), w.inst.Registry, tr)
	if n := w.srv.Calls("AssumeRoleWithWebIdentity"); n != 1 {
		t.Errorf("AssumeRoleWithWebIdentity calls = %d; want 1", n)
	}
	leaktest.Check(t, "stdout and stderr", strings.ReplaceAll(out, `"password"`, "")+errs, token)

	// Without the token, such a target says how to have the kubelet send it.
	code, out, errs = kubeletRun(t, doc, request(w.inst.Registry+"/team/app:v1", ""), map[string]string{}, tr)
	if code != 1 || out != "" || !strings.Contains(errs, "tokenAttributes") || strings.Count(errs, "\n") != 1 {
		t.Errorf("no token: exit %d, stdout %q, stderr %q", code, out, errs)
	}
}

func TestKubeletServiceAccountHuawei(t *testing.T) {
	srv := swrtest.New()
	t.Cleanup(srv.Close)
	acct := srv.NewAccount()
	inst := srv.NewInstance(acct, "cn-north-4")
	idp := srv.NewIdP(acct)
	doc := fmt.Sprintf("targets:\n- name: hw\n  provider: swr-enterprise\n  region: cn-north-4\n  instance-id: %s\n  api-endpoint: %s\n  iam-endpoint: %s\n  credentials: {service-account: {idp-id: %s}}\n",
		inst.ID, srv.SWRURL, srv.IAMURL, idp.ID)
	token := idp.Token("system:serviceaccount:build:puller", 10*time.Minute)
	code, out, errs := kubeletRun(t, doc, request(inst.Registry.Host+"/team/app:v1", token), map[string]string{}, core.Env{})
	if code != 0 {
		t.Fatalf("exit %d, stderr %q", code, errs)
	}
	resp := decodeResponse(t, out)
	checkLogin(t, resp, inst.Registry.Host, core.Env{})
	if resp.CacheDuration == nil || resp.CacheDuration.Duration <= 0 {
		t.Errorf("cacheDuration %v", resp.CacheDuration)
	}
}

func TestKubeletBadRequests(t *testing.T) {
	w := newWorld(t)
	tr := core.Env{Transport: w.srv.Transport()}
	token := "eyJhbGciOiJSUzI1NiJ9.sa-token-that-must-not-leak.sig"
	for _, tc := range []struct {
		name, req, want string
	}{
		{"not JSON", "apiVersion: v1", "invalid JSON at byte"},
		{"old version", `{"apiVersion":"credentialprovider.kubelet.k8s.io/v1beta1","kind":"CredentialProviderRequest","image":"x/y"}`, `accepted: credentialprovider.kubelet.k8s.io/v1`},
		{"wrong kind", `{"apiVersion":"credentialprovider.kubelet.k8s.io/v1","kind":"Pod","image":"x/y"}`, `kind is "Pod"`},
		{"unknown field", `{"apiVersion":"credentialprovider.kubelet.k8s.io/v1","kind":"CredentialProviderRequest","image":"x/y","serviceAccountToken":"` + token + `","extra":1}`, `unknown field "extra"`},
		{"token of the wrong type", `{"apiVersion":"credentialprovider.kubelet.k8s.io/v1","kind":"CredentialProviderRequest","image":"x/y","serviceAccountToken":["` + token + `"]}`, "serviceAccountToken must be a string"},
		{"no image", `{"apiVersion":"credentialprovider.kubelet.k8s.io/v1","kind":"CredentialProviderRequest"}`, "names no image"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errs := kubeletRun(t, w.doc(), tc.req, w.env, tr)
			if code != 1 || out != "" || !strings.Contains(errs, tc.want) || strings.Count(errs, "\n") != 1 {
				t.Errorf("exit %d, stdout %q, stderr %q; want one line containing %q", code, out, errs, tc.want)
			}
			leaktest.Check(t, "stderr", errs, token)
		})
	}
}
