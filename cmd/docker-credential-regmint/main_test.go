package main_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"github.com/regmint/regmint/core/swr/swrtest"
	"github.com/regmint/regmint/core/tcr"
	"github.com/regmint/regmint/core/tcr/tcrtest"
	"github.com/regmint/regmint/internal/leaktest"
	"github.com/regmint/regmint/internal/registrygate"
)

// setup builds the helper into a directory of its own and returns a
// process environment in which a docker config sends every request for
// the gate's host to it, with a targets document for the TCR instance
// behind the gate.
type setup struct {
	srv  *tcrtest.Server
	gate *registrygate.Gate
	bin  string // directory holding docker-credential-regmint
	env  []string
	key  tcrtest.Key
}

func newSetup(t *testing.T) *setup {
	t.Helper()
	srv := tcrtest.New()
	t.Cleanup(srv.Close)
	key := srv.AddKey()
	inst := srv.AddInstance("ap-guangzhou")
	gate := registrygate.New(srv.RegistryServer(inst.ID))
	t.Cleanup(gate.Close)

	dir := t.TempDir()
	bin := filepath.Join(dir, "bin")
	build := exec.Command("go", "build", "-o", filepath.Join(bin, "docker-credential-regmint"), ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	cfg := fmt.Sprintf("targets:\n- name: app\n  provider: tcr\n  region: ap-guangzhou\n  instance-id: %s\n  registry: %s\n  api-endpoint: %s\n",
		inst.ID, gate.Host, srv.URL)
	cfgPath := filepath.Join(dir, "helper.yaml")
	dockerDir := filepath.Join(dir, "docker")
	os.MkdirAll(dockerDir, 0o700)
	dc, _ := json.Marshal(map[string]any{"credHelpers": map[string]string{gate.Host: "regmint"}})
	for path, data := range map[string][]byte{cfgPath: []byte(cfg), filepath.Join(dockerDir, "config.json"): dc} {
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	env := []string{
		"PATH=" + bin + string(os.PathListSeparator) + os.Getenv("PATH"),
		"HOME=" + dir, "DOCKER_CONFIG=" + dockerDir, "REGMINT_HELPER_CONFIG=" + cfgPath,
		"XDG_CACHE_HOME=" + filepath.Join(dir, "cache"), "NO_PROXY=*",
		tcr.EnvSecretID + "=" + key.ID, tcr.EnvSecretKey + "=" + key.Secret,
	}
	return &setup{srv: srv, gate: gate, bin: bin, env: env, key: key}
}

// run runs a program in the setup's environment.
func (s *setup) run(t *testing.T, stdin string, prog string, args ...string) (string, string, error) {
	t.Helper()
	cmd := exec.Command(prog, args...)
	cmd.Env = s.env
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	return out.String(), errb.String(), err
}

// TestCranePushesAndPulls: crane, with credHelpers naming the helper,
// pushes and pulls an image through a registry that accepts only the
// tokens the emulator minted; the helper mints once for both.
func TestCranePushesAndPulls(t *testing.T) {
	crane, err := exec.LookPath("crane")
	if err != nil {
		t.Skip("crane is not installed (go install github.com/google/go-containerregistry/cmd/crane@v0.22.1; .ci/run does)")
	}
	s := newSetup(t)
	img, err := random.Image(512, 2)
	if err != nil {
		t.Fatal(err)
	}
	ref := s.gate.Host + "/team/app:v1"
	tag, _ := name.NewTag(ref)
	tarPath := filepath.Join(t.TempDir(), "img.tar")
	if err := tarball.WriteToFile(tarPath, tag, img); err != nil {
		t.Fatal(err)
	}
	want, _ := img.Digest()

	// Without the helper the registry refuses: it takes minted tokens only.
	cmd := exec.Command(crane, "push", tarPath, ref)
	cmd.Env = append(append([]string(nil), s.env...), "DOCKER_CONFIG="+t.TempDir())
	if out, err := cmd.CombinedOutput(); err == nil {
		t.Fatalf("push without credentials succeeded: %s", out)
	}

	out, errs, err := s.run(t, "", crane, "push", tarPath, ref)
	if err != nil {
		t.Fatalf("crane push: %v\n%s%s", err, out, errs)
	}
	if !strings.Contains(out, want.String()) {
		t.Errorf("crane push printed %q; want the digest %s", out, want)
	}
	out, errs, err = s.run(t, "", crane, "digest", ref)
	if err != nil || strings.TrimSpace(out) != want.String() {
		t.Fatalf("crane digest: %q %v\n%s", out, err, errs)
	}
	pulled := filepath.Join(t.TempDir(), "pulled.tar")
	if _, errs, err := s.run(t, "", crane, "pull", ref, pulled); err != nil {
		t.Fatalf("crane pull: %v\n%s", err, errs)
	}
	got, err := tarball.ImageFromPath(pulled, nil)
	if err != nil {
		t.Fatal(err)
	}
	if d, _ := got.Digest(); d != want {
		t.Errorf("pulled %s; want %s", d, want)
	}
	if n := s.srv.Calls("CreateInstanceToken"); n != 1 {
		t.Errorf("push, digest and pull minted %d times; want once (then the cache)", n)
	}
	if served, _ := s.gate.Requests(); served == 0 {
		t.Error("the registry served no content request")
	}
}

// TestParallelProcessesMintOnce: ten helper processes asked at once mint
// one credential.
func TestParallelProcessesMintOnce(t *testing.T) {
	s := newSetup(t)
	helper := filepath.Join(s.bin, "docker-credential-regmint")
	var wg sync.WaitGroup
	outs := make([]string, 10)
	for i := range outs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out, errs, err := s.run(t, s.gate.Host, helper, "get")
			if err != nil {
				t.Errorf("get %d: %v: %s", i, err, errs)
			}
			outs[i] = out
		}()
	}
	wg.Wait()
	if n := s.srv.Calls("CreateInstanceToken"); n != 1 {
		t.Errorf("10 processes minted %d times; want once", n)
	}
	for i, o := range outs {
		if o != outs[0] || !strings.HasPrefix(o, "{") {
			t.Fatalf("process %d answered %q; want the same credential as the first", i, o)
		}
	}
	leaktest.Check(t, "helper stderr", "", s.key.Secret)
}

func TestVersion(t *testing.T) {
	s := newSetup(t)
	out, _, err := s.run(t, "", filepath.Join(s.bin, "docker-credential-regmint"), "-version")
	if err != nil || !strings.HasPrefix(out, "docker-credential-regmint ") {
		t.Fatalf("-version: %q %v", out, err)
	}
}

// TestSkopeoCopies: skopeo (containers/image) reads the same docker config
// (given as its auth file) and copies an image into the registry and back
// out through the helper.
func TestSkopeoCopies(t *testing.T) {
	skopeo, err := exec.LookPath("skopeo")
	if err != nil {
		t.Skip("skopeo is not installed (apt-get install skopeo; .ci/run does)")
	}
	s := newSetup(t)
	img, err := random.Image(256, 1)
	if err != nil {
		t.Fatal(err)
	}
	ref := s.gate.Host + "/team/tool:v1"
	tag, _ := name.NewTag(ref)
	dir := t.TempDir()
	src := filepath.Join(dir, "img.tar")
	if err := tarball.WriteToFile(src, tag, img); err != nil {
		t.Fatal(err)
	}
	authFile := ""
	for _, e := range s.env {
		if v, ok := strings.CutPrefix(e, "DOCKER_CONFIG="); ok {
			authFile = filepath.Join(v, "config.json")
		}
	}
	s.env = append(s.env, "REGISTRY_AUTH_FILE="+authFile, "XDG_RUNTIME_DIR="+dir)
	if out, errs, err := s.run(t, "", skopeo, "--insecure-policy", "copy", "--dest-tls-verify=false",
		"docker-archive:"+src, "docker://"+ref); err != nil {
		t.Fatalf("skopeo copy in: %v\n%s%s", err, out, errs)
	}
	back := filepath.Join(dir, "back")
	if out, errs, err := s.run(t, "", skopeo, "--insecure-policy", "copy", "--src-tls-verify=false",
		"docker://"+ref, "oci:"+back+":v1"); err != nil {
		t.Fatalf("skopeo copy out: %v\n%s%s", err, out, errs)
	}
	if n := s.srv.Calls("CreateInstanceToken"); n != 1 {
		t.Errorf("two copies minted %d times; want once", n)
	}
	if served, refused := s.gate.Requests(); served == 0 {
		t.Errorf("the registry served no content (%d refused)", refused)
	}
}

// TestChainCVMRole: with credentials {chain: true} and nothing in the
// environment or a profile file, the helper takes the CVM instance role
// from the metadata service, reached through the process's HTTP proxy: a
// loopback emulator here, never the real metadata host.
func TestChainCVMRole(t *testing.T) {
	s := newSetup(t)
	session := s.srv.AddSessionKey(time.Hour)
	var metaHosts []string
	var mu sync.Mutex
	meta := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		metaHosts = append(metaHosts, r.Host)
		mu.Unlock()
		const base = "/latest/meta-data/cam/security-credentials/"
		switch {
		case r.Host != "metadata.tencentyun.com":
			http.Error(w, "not the metadata host", http.StatusBadGateway)
		case r.URL.Path == base:
			io.WriteString(w, "regmint-node")
		case r.URL.Path == base+"regmint-node":
			json.NewEncoder(w).Encode(map[string]any{
				"TmpSecretId": session.ID, "TmpSecretKey": session.Secret, "Token": session.Token,
				"ExpiredTime": session.Expires.Unix(), "Expiration": session.Expires.UTC().Format(time.RFC3339), "Code": "Success",
			})
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(meta.Close)

	var env []string
	for _, e := range s.env {
		switch {
		case strings.HasPrefix(e, "TENCENTCLOUD_"), strings.HasPrefix(e, "NO_PROXY="):
		case strings.HasPrefix(e, "REGMINT_HELPER_CONFIG="):
			path := strings.TrimPrefix(e, "REGMINT_HELPER_CONFIG=")
			b, _ := os.ReadFile(path)
			os.WriteFile(path, append(b, "  credentials: {chain: true}\n"...), 0o600)
			env = append(env, e)
		default:
			env = append(env, e)
		}
	}
	s.env = append(env, "HTTP_PROXY="+meta.URL)
	out, errs, err := s.run(t, s.gate.Host, filepath.Join(s.bin, "docker-credential-regmint"), "get")
	if err != nil {
		t.Fatalf("get: %v\n%s%s", err, out, errs)
	}
	var c struct{ ServerURL, Username, Secret string }
	if err := json.Unmarshal([]byte(out), &c); err != nil || c.Username != s.srv.UIN {
		t.Fatalf("get answered %q (%v)", out, err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(metaHosts) < 2 {
		t.Fatalf("the metadata service was asked %d times; want the role name and its credentials", len(metaHosts))
	}
	leaktest.Check(t, "helper output", strings.ReplaceAll(out, c.Secret, "")+errs, session.Secret, session.Token)
}

// TestChainECSMetadata: with credentials {chain: true} and nothing in the
// environment or a profile file, the helper takes the ECS instance's
// agency credentials from the metadata service (169.254.169.254), reached
// through the process's HTTP proxy: a loopback emulator here.
func TestChainECSMetadata(t *testing.T) {
	srv := swrtest.New()
	t.Cleanup(srv.Close)
	acct := srv.NewAccount()
	inst := srv.NewInstance(acct, "cn-north-4")
	gate := registrygate.New(inst.Registry)
	t.Cleanup(gate.Close)
	ak, sk, token := srv.TemporaryKeys(acct, time.Hour)
	var asked []string
	var mu sync.Mutex
	meta := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		asked = append(asked, r.Method+" "+r.Host+r.URL.Path)
		mu.Unlock()
		switch {
		case r.Host != "169.254.169.254":
			http.Error(w, "not the metadata host", http.StatusBadGateway)
		case r.Method == http.MethodPut && r.URL.Path == "/meta-data/latest/api/token":
			io.WriteString(w, "metadata-session-token")
		case r.Method == http.MethodGet && r.URL.Path == "/openstack/latest/securitykey" && r.Header.Get("X-Metadata-Token") == "metadata-session-token":
			json.NewEncoder(w).Encode(map[string]any{"credential": map[string]string{
				"access": ak, "secret": sk, "securitytoken": token,
				"expires_at": time.Now().Add(time.Hour).UTC().Format("2006-01-02T15:04:05Z"),
			}})
		default:
			http.Error(w, "unauthorized", http.StatusUnauthorized)
		}
	}))
	t.Cleanup(meta.Close)

	dir := t.TempDir()
	bin := filepath.Join(dir, "bin")
	if out, err := exec.Command("go", "build", "-o", filepath.Join(bin, "docker-credential-regmint"), ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	cfg := fmt.Sprintf("targets:\n- name: hw\n  provider: swr-enterprise\n  region: cn-north-4\n  instance-id: %s\n  registry: %s\n  api-endpoint: %s\n  iam-endpoint: %s\n  credentials: {chain: true}\n",
		inst.ID, gate.Host, srv.SWRURL, srv.IAMURL)
	cfgPath := filepath.Join(dir, "helper.yaml")
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	s := &setup{bin: bin, env: []string{
		"PATH=" + os.Getenv("PATH"), "HOME=" + dir, "REGMINT_HELPER_CONFIG=" + cfgPath,
		"XDG_CACHE_HOME=" + filepath.Join(dir, "cache"), "HTTP_PROXY=" + meta.URL,
	}}
	out, errs, err := s.run(t, gate.Host, filepath.Join(bin, "docker-credential-regmint"), "get")
	if err != nil {
		t.Fatalf("get: %v\n%s%s", err, out, errs)
	}
	var c struct{ ServerURL, Username, Secret string }
	if err := json.Unmarshal([]byte(out), &c); err != nil || c.Username == "" {
		t.Fatalf("get answered %q (%v)", out, err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(asked) < 2 {
		t.Fatalf("the metadata service was asked %v; want the session token and the security key", asked)
	}
	leaktest.Check(t, "helper output", strings.ReplaceAll(out, c.Secret, "")+errs, sk, token)
}
