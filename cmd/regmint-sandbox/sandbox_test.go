package main

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/regmint/regmint/internal/leaktest"
)

// TestREADMESandboxSteps starts the sandbox as `make sandbox` does and runs
// the README's second-terminal steps as written: the rotation function
// twice (minted, then fresh) and the Action binary. No step may fail, and
// no made-up secret may show in what they print.
func TestREADMESandboxSteps(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binaries")
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile("(?s)<!-- sandbox:steps:begin -->\n```sh\n(.*?)```\n<!-- sandbox:steps:end -->").FindSubmatch(readme)
	if m == nil {
		t.Fatal("README has no sandbox steps block")
	}
	tmp := t.TempDir()
	dir := filepath.Join(tmp, "sandbox")
	script := strings.ReplaceAll(string(m[1]), "/tmp/regmint-sandbox", dir)
	script = strings.ReplaceAll(script, "/tmp/regmint-action", filepath.Join(tmp, "regmint-action"))

	bin := filepath.Join(tmp, "regmint-sandbox")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	sb := exec.CommandContext(ctx, bin, "-dir", dir)
	stdout, err := sb.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := sb.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = sb.Process.Signal(os.Interrupt); _ = sb.Wait() }()
	ready := make(chan bool, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if sc.Text() == "regmint-sandbox: ready" {
				ready <- true
			}
		}
		close(ready)
	}()
	select {
	case ok := <-ready:
		if !ok {
			t.Fatal("the sandbox ended before it was ready")
		}
	case <-time.After(waitFor):
		t.Fatal("the sandbox did not come up")
	}

	cmd := exec.CommandContext(ctx, "bash", "-euo", "pipefail", "-c", script)
	cmd.Dir = root
	cmd.Env = cleanEnv()
	out, err := cmd.CombinedOutput()
	text := string(out)
	if err != nil {
		t.Fatalf("the README's steps failed: %v\n%s", err, text)
	}
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`(?m)^minted\s+tcr-temp\b`), regexp.MustCompile(`(?m)^minted\s+swr-enterprise\b`),
		regexp.MustCompile(`(?m)^fresh\s+tcr-temp\b`), regexp.MustCompile(`(?m)^registry<<`),
	} {
		if !want.MatchString(text) {
			t.Errorf("the steps' output lacks %s:\n%s", want, text)
		}
	}
	env, err := os.ReadFile(filepath.Join(dir, "sandbox.env"))
	if err != nil {
		t.Fatal(err)
	}
	var secrets []string
	for _, l := range strings.Split(string(env), "\n") {
		if k, v, ok := strings.Cut(strings.TrimPrefix(l, "export "), "="); ok && (strings.Contains(k, "SECRET") || strings.Contains(k, "_SK") || strings.Contains(k, "TOKEN")) {
			secrets = append(secrets, strings.Trim(v, "'"))
		}
	}
	if len(secrets) < 3 {
		t.Fatalf("found %d secrets in sandbox.env", len(secrets))
	}
	leaktest.Check(t, "the steps' output", text, secrets...)
}

// cleanEnv is the test's environment without the clouds' variables, so
// that only sandbox.env sets them.
func cleanEnv() []string {
	var out []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "AWS_") || strings.HasPrefix(k, "TENCENTCLOUD_") || strings.HasPrefix(k, "HUAWEICLOUD_") ||
			strings.HasPrefix(k, "CLOUD_SDK_") || strings.HasPrefix(k, "REGMINT_") || strings.HasPrefix(k, "GITHUB_") || strings.HasPrefix(k, "INPUT_") {
			continue
		}
		out = append(out, kv)
	}
	return out
}
