package main

import (
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/regmint/regmint/internal/runnerfile"
)

// binDir holds the compiled action binary and its -post symlink, built once
// by TestMain, laid out as in the image.
var binDir string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "regmint-action-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	build := exec.Command("go", "build", "-trimpath", "-o", filepath.Join(dir, "regmint-action"), ".")
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "build the action: %v\n%s", err, out)
		os.Exit(1)
	}
	if err := os.Symlink("regmint-action", filepath.Join(dir, "regmint-action-post")); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// stepResult is what the runner sees of one step.
type stepResult struct {
	exitCode       int
	stdout, stderr string
	outputs, state map[string]string
	stateRaw       string
	summary        string
}

// runStep runs the action binary the way the runner runs a container
// action: inputs as INPUT_<NAME> (upper case, hyphens kept), file commands
// through GITHUB_OUTPUT, GITHUB_STATE and GITHUB_STEP_SUMMARY, and nothing
// else of this process's environment.
func runStep(t *testing.T, post bool, inputs, env map[string]string) stepResult {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{}
	for _, k := range []string{"GITHUB_OUTPUT", "GITHUB_STATE", "GITHUB_STEP_SUMMARY"} {
		files[k] = filepath.Join(dir, strings.ToLower(k))
		if err := os.WriteFile(files[k], nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	bin := filepath.Join(binDir, "regmint-action")
	if post {
		bin += "-post"
	}
	cmd := exec.Command(bin)
	cmd.Env = []string{"HOME=" + dir, "PATH=/usr/bin:/bin", "GITHUB_REPOSITORY=regmint/test"}
	for k, v := range files {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	for k, v := range inputs {
		cmd.Env = append(cmd.Env, "INPUT_"+strings.ToUpper(k)+"="+v)
	}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	res := stepResult{stdout: stdout.String(), stderr: stderr.String()}
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		res.exitCode = ee.ExitCode()
	case err != nil:
		t.Fatalf("run the action: %v", err)
	}
	read := func(k string) string {
		b, err := os.ReadFile(files[k])
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	res.outputs = mustParseFileCommands(t, read("GITHUB_OUTPUT"))
	res.stateRaw = read("GITHUB_STATE")
	res.state = mustParseFileCommands(t, res.stateRaw)
	res.summary = read("GITHUB_STEP_SUMMARY")
	return res
}

// githubOIDC is a loopback stand-in for the runner's OIDC token endpoint
// (ACTIONS_ID_TOKEN_REQUEST_URL).
type githubOIDC struct {
	srv          *httptest.Server
	requestToken string
	idToken      string
	mu           sync.Mutex
	audiences    []string
}

func newGitHubOIDC(t *testing.T, idToken string) *githubOIDC {
	t.Helper()
	g := &githubOIDC{requestToken: "req-" + randomHex(t, 16), idToken: idToken}
	g.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+g.requestToken {
			http.Error(w, `{"message":"bad request token"}`, http.StatusUnauthorized)
			return
		}
		g.mu.Lock()
		g.audiences = append(g.audiences, r.URL.Query().Get("audience"))
		g.mu.Unlock()
		json.NewEncoder(w).Encode(map[string]string{"value": g.idToken})
	}))
	t.Cleanup(g.srv.Close)
	return g
}

func (g *githubOIDC) env() map[string]string {
	return map[string]string{"ACTIONS_ID_TOKEN_REQUEST_URL": g.srv.URL + "/token?api-version=2.0", "ACTIONS_ID_TOKEN_REQUEST_TOKEN": g.requestToken}
}

func (g *githubOIDC) seen() []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]string(nil), g.audiences...)
}

// certFile writes a PEM certificate for SSL_CERT_FILE.
func certFile(t *testing.T, der []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(p, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func merge(ms ...map[string]string) map[string]string {
	out := map[string]string{}
	for _, m := range ms {
		for k, v := range m {
			out[k] = v
		}
	}
	return out
}

// mustParseFileCommands reads a file command file the step wrote, failing
// the test when it is malformed.
func mustParseFileCommands(t *testing.T, s string) map[string]string {
	t.Helper()
	out, err := runnerfile.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestCommandLine: a person who runs the binary with -h or -version gets an
// answer, not a workflow command; anything else is a usage error.
func TestCommandLine(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"-h"}, 0, "INPUT_<NAME>"},
		{[]string{"--help"}, 0, "uses: regmint/regmint@v1"},
		{[]string{"-version"}, 0, "regmint-action "},
		{[]string{"mint"}, 2, "unexpected arguments"},
	} {
		cmd := exec.Command(filepath.Join(binDir, "regmint-action"), tc.args...)
		cmd.Env = []string{"PATH=/usr/bin:/bin"}
		out, err := cmd.CombinedOutput()
		code := 0
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		if code != tc.code || !strings.Contains(string(out), tc.want) || strings.Contains(string(out), "::error::") {
			t.Errorf("%v: exit %d\n%s", tc.args, code, out)
		}
	}
}
