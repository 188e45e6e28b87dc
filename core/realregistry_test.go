package core_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/regmint/regmint/core"
)

// startDockerRegistry runs Debian's docker-registry (distribution 2.8) on a
// loopback port with htpasswd auth for one user, and returns its host:port.
func startDockerRegistry(t *testing.T, user, password string) string {
	t.Helper()
	bin, err := exec.LookPath("docker-registry")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("docker-registry is not installed: .ci/run must install the Debian package docker-registry")
		}
		t.Skip("docker-registry not installed (apt-get install docker-registry); CI runs this test")
	}
	dir := t.TempDir()
	hash, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "htpasswd"), []byte(user+":"+string(hash)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	cfg := fmt.Sprintf(`version: 0.1
log: {level: error}
storage: {filesystem: {rootdirectory: %s}}
http: {addr: "%s", secret: test-only-not-secret}
auth: {htpasswd: {realm: regmint-test, path: %s}}
`, filepath.Join(dir, "data"), addr, filepath.Join(dir, "htpasswd"))
	cfgPath := filepath.Join(dir, "config.yml")
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "serve", cfgPath)
	logf, err := os.Create(filepath.Join(dir, "registry.log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait(); logf.Close() })
	for i := 0; i < 200; i++ {
		resp, err := http.Get("http://" + addr + "/v2/")
		if err == nil {
			resp.Body.Close()
			return addr
		}
		time.Sleep(25 * time.Millisecond)
	}
	log, _ := os.ReadFile(filepath.Join(dir, "registry.log"))
	t.Fatalf("docker-registry did not start on %s:\n%s", addr, log)
	return ""
}

func TestVerifyAgainstRealRegistry(t *testing.T) {
	t.Parallel()
	password := randomString(t, 24)
	host := startDockerRegistry(t, "ci", password)
	for _, tc := range []struct {
		name string
		pass string
		want core.VerifyResult
	}{
		{"good", password, core.VerifyGood},
		{"wrong password", "wrong-" + password, core.VerifyBad},
	} {
		got := core.Verifier{}.Verify(context.Background(), core.Credential{Registry: host, Username: "ci", Password: tc.pass})
		if got.Result != tc.want || got.Scheme != "basic" {
			t.Errorf("%s: Verify = %v (scheme %q), want %v (basic)", tc.name, got, got.Scheme, tc.want)
		}
	}
}
