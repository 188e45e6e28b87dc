package rotatefn

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/regmint/regmint/internal/testutil"
)

// bootstrap is the function binary, built once by TestMain as Lambda runs
// it (-tags lambda.norpc, static), for the host's architecture; rotateCLI
// is cmd/regmint-rotate, the same function as users install it for local
// runs (the AWS SDK's shared-config loading linked).
var bootstrap, rotateCLI string

func TestMain(m *testing.M) {
	// A local run without AWS keys loads the AWS config the standard way:
	// in tests it reads no file of this host and never asks the EC2
	// metadata service (tests that want a link set these themselves).
	for k, v := range safeAWS {
		os.Setenv(k, v)
	}
	dir, err := os.MkdirTemp("", "regmint-rotate-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	bootstrap = filepath.Join(dir, "bootstrap")
	build := exec.Command("go", "build", "-tags", "lambda.norpc", "-trimpath", "-o", bootstrap, "../../functions/rotate")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "build bootstrap: %v\n%s", err, out)
		os.Exit(1)
	}
	rotateCLI = filepath.Join(dir, "regmint-rotate")
	build = exec.Command("go", "build", "-trimpath", "-o", rotateCLI, "../../cmd/regmint-rotate")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "build regmint-rotate: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

type syncBuffer = testutil.SyncBuffer

// runResult is what a local run of the binary left.
type runResult struct {
	code           int
	stdout, stderr string
}

// runBinary runs the binary to its end with args and exactly env (plus
// PATH): nothing of this process's environment leaks in.
func runBinary(t *testing.T, args []string, env map[string]string) runResult {
	t.Helper()
	return runBuild(t, bootstrap, args, env)
}

// runCLI is runBinary with cmd/regmint-rotate.
func runCLI(t *testing.T, args []string, env map[string]string) runResult {
	t.Helper()
	return runBuild(t, rotateCLI, args, env)
}

func runBuild(t *testing.T, bin string, args []string, env map[string]string) runResult {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = envList(env)
	var stdout, stderr syncBuffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	res := runResult{stdout: stdout.String(), stderr: stderr.String()}
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		res.code = ee.ExitCode()
	case err != nil:
		t.Fatalf("run bootstrap: %v", err)
	}
	return res
}

// safeAWS keeps the AWS SDK's default config loading off this host's files
// and off the EC2 metadata service, unless a test's environment says
// otherwise.
var safeAWS = map[string]string{
	"AWS_EC2_METADATA_DISABLED":   "true",
	"AWS_CONFIG_FILE":             os.DevNull,
	"AWS_SHARED_CREDENTIALS_FILE": os.DevNull,
}

func envList(env map[string]string) []string {
	out := []string{"PATH=/usr/bin:/bin"}
	for k, v := range safeAWS {
		if _, set := env[k]; !set {
			out = append(out, k+"="+v)
		}
	}
	for k, v := range env {
		out = append(out, k+"="+v)
	}
	return out
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
