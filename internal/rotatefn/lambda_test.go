package rotatefn

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/regmint/regmint/core/config"
	"github.com/regmint/regmint/core/config/ssmtest"
	"github.com/regmint/regmint/internal/lambdatest"
)

// invokeTimeout is each invocation's deadline, as a function timeout.
const invokeTimeout = 60 * time.Second

// logLines returns the JSON log lines of stdout with the given msg, and the
// EMF documents.
func logLines(t *testing.T, stdout, msg string) (lines []map[string]any, emf []map[string]any) {
	t.Helper()
	sc := bufio.NewScanner(strings.NewReader(stdout))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Errorf("stdout line is not JSON: %q", sc.Text())
			continue
		}
		if _, ok := m["_aws"]; ok {
			emf = append(emf, m)
		} else if m["msg"] == msg {
			lines = append(lines, m)
		}
	}
	return lines, emf
}

func decodeSummary(t *testing.T, o lambdatest.Outcome) Summary {
	t.Helper()
	if o.Kind != lambdatest.KindResponse {
		t.Fatalf("runtime posted %s: %s", o.Kind, o.Body)
	}
	var s Summary
	if err := json.Unmarshal(o.Body, &s); err != nil {
		t.Fatalf("response %q: %v", o.Body, err)
	}
	return s
}

// TestLambdaMintsThenFresh drives the compiled bootstrap through the
// Runtime API with two scheduled events: the first mints every target,
// verified, into Secrets Manager; the second finds all fresh and calls no
// vendor API that mints.
func TestLambdaMintsThenFresh(t *testing.T) {
	t.Parallel()
	c := newClouds(t)
	api := newRuntimeAPI(t)
	p := startLambda(t, api, merge(c.awsEnv(), map[string]string{config.EnvConfig: c.config(false, "")}))

	first := decodeSummary(t, api.invoke(t, invokeTimeout))
	if first.Targets != 3 || first.Rotated != 3 || first.Failed != 0 {
		t.Fatalf("first invocation: %+v, want 3 rotated", first)
	}
	for _, name := range targetNames {
		v := c.current(t, name)
		checkDockerConfig(t, "secret regmint/"+name, []byte(v.Value), 1)
		var flat struct{ Registry, Username, Password, ExpiresAt string }
		if err := json.Unmarshal([]byte(v.Value), &flat); err != nil || flat.Registry == "" || flat.Password == "" {
			t.Errorf("secret regmint/%s: flat fields missing (%v)", name, err)
		}
	}
	issued, puts := c.issues(), c.sm.Calls("PutSecretValue")+c.sm.Calls("CreateSecret")

	second := decodeSummary(t, api.invoke(t, invokeTimeout))
	if second.Rotated != 0 || second.Skipped != 3 || second.Failed != 0 {
		t.Errorf("second invocation: %+v, want 3 fresh", second)
	}
	if got := c.issues(); got != issued {
		t.Errorf("second invocation minted %d credentials, want none", got-issued)
	}
	if got := c.sm.Calls("PutSecretValue") + c.sm.Calls("CreateSecret"); got != puts {
		t.Errorf("second invocation wrote %d secrets, want none", got-puts)
	}
	if second.MinSecondsToExpiry == nil || *second.MinSecondsToExpiry < 3000 {
		t.Errorf("min seconds to expiry %v, want about an hour", second.MinSecondsToExpiry)
	}

	// The output reaches the pipe before the response is posted, but is
	// copied into the buffer by another goroutine: wait for it.
	var lines, emf []map[string]any
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if lines, emf = logLines(t, p.stdout.String(), "target"); len(emf) >= 8 || time.Now().After(deadline) {
			break
		}
	}
	if len(lines) != 6 {
		t.Errorf("%d target log lines, want one per target per invocation (6)", len(lines))
	}
	for _, l := range lines {
		if l["request_id"] == nil || l["outcome"] == nil {
			t.Errorf("target log line without request_id or outcome: %v", l)
		}
	}
	if len(emf) != 8 { // per run: one run document and one per target
		t.Errorf("%d EMF documents, want 8", len(emf))
	}
	for _, m := range emf {
		d := m["_aws"].(map[string]any)["CloudWatchMetrics"].([]any)[0].(map[string]any)
		if d["Namespace"] != "regmint" {
			t.Errorf("EMF namespace %v", d["Namespace"])
		}
	}
	c.checkNoLeaks(t, map[string]string{"stdout": p.stdout.String(), "stderr": p.stderr.String()})
}

// TestLambdaFailedTargetNamed: a target whose instance does not exist
// makes the invocation fail with an error naming it, after the others are
// stored.
func TestLambdaFailedTargetNamed(t *testing.T) {
	t.Parallel()
	c := newClouds(t)
	api := newRuntimeAPI(t)
	p := startLambda(t, api, merge(c.awsEnv(), map[string]string{config.EnvConfig: c.config(false, "", c.missingTarget(false))}))

	o := api.invoke(t, invokeTimeout)
	if o.Kind != lambdatest.KindError {
		t.Fatalf("runtime posted %s %s, want an error", o.Kind, o.Body)
	}
	var e struct{ ErrorMessage, ErrorType string }
	if err := json.Unmarshal(o.Body, &e); err != nil {
		t.Fatalf("error body %q: %v", o.Body, err)
	}
	if !strings.Contains(e.ErrorMessage, "1 of 4 targets") || !strings.Contains(e.ErrorMessage, "tcr-missing: ") || e.ErrorType != "FailedError" {
		t.Errorf("error %+v, want FailedError naming tcr-missing", e)
	}
	for _, name := range targetNames {
		if strings.Contains(e.ErrorMessage, name+":") {
			t.Errorf("error names %s, which did not fail: %s", name, e.ErrorMessage)
		}
		checkDockerConfig(t, "secret regmint/"+name, []byte(c.current(t, name).Value), 1)
	}
	if _, ok := c.sm.Secret("regmint/tcr-missing"); ok {
		t.Error("the failed target has a secret")
	}
	// The process serves the next invocation.
	if o := api.invoke(t, invokeTimeout); o.Kind != lambdatest.KindError {
		t.Errorf("second invocation: %s, want the same error", o.Kind)
	}
	c.checkNoLeaks(t, map[string]string{"stdout": p.stdout.String(), "stderr": p.stderr.String(), "error": string(o.Body)})
}

// TestLambdaConfigFromSSM reads the config from an SSM parameter, once per
// cold start.
func TestLambdaConfigFromSSM(t *testing.T) {
	t.Parallel()
	c := newClouds(t)
	ssm := ssmtest.New(c.sm.Region, c.sm.Key())
	t.Cleanup(ssm.Close)
	ssm.Put("/regmint/config", c.config(false, "name-prefix: regmint/\n"))
	api := newRuntimeAPI(t)
	p := startLambda(t, api, merge(c.awsEnv(), map[string]string{
		config.EnvConfigSSMParameter: "/regmint/config",
		"AWS_ENDPOINT_URL_SSM":       ssm.URL,
		envNamePrefix:                "regmint/",
		envMetricsNamespace:          "regmint",
	}))
	if s := decodeSummary(t, api.invoke(t, invokeTimeout)); s.Rotated != 3 {
		t.Errorf("first invocation %+v, want 3 rotated", s)
	}
	if s := decodeSummary(t, api.invoke(t, invokeTimeout)); s.Skipped != 3 {
		t.Errorf("second invocation %+v, want 3 fresh", s)
	}
	if got := ssm.Calls(); got != 1 {
		t.Errorf("SSM called %d times, want once per cold start", got)
	}
	c.checkNoLeaks(t, map[string]string{"stdout": p.stdout.String(), "stderr": p.stderr.String()})
}

// TestLambdaConfigFromBundledFile reads a config too large for the
// environment or an SSM parameter (over 8 KB: 63 targets, most written
// with merge keys) from the file REGMINT_CONFIG_FILE names, relative to
// the package's directory LAMBDA_TASK_ROOT, where make build-RotateFunction
// puts it. The working directory is elsewhere, and no SSM is set up.
func TestLambdaConfigFromBundledFile(t *testing.T) {
	t.Parallel()
	c := newClouds(t)
	const fleet = 60
	extra := make([]string, fleet)
	for i := range extra {
		in := c.tcr.AddInstance(tcrRegion)
		shared := "*fleet"
		if i == 0 {
			shared = fmt.Sprintf("&fleet {provider: tcr, region: %s, api-endpoint: %q, credentials: {source: tencent}}", tcrRegion, c.tcr.URL)
		}
		extra[i] = fmt.Sprintf("<<: %s\n    name: fleet-%02d\n    instance-id: %s\n    description: build fleet %02d, images of team %02d's services",
			shared, i, in.ID, i, i)
	}
	doc := c.config(false, "name-prefix: regmint/\n", extra...)
	if len(doc) <= 8192 {
		t.Fatalf("the config is %d bytes: want more than an SSM parameter holds", len(doc))
	}
	root := t.TempDir()
	if err := os.WriteFile(filepath.Join(root, "regmint.yaml"), []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	api := newRuntimeAPI(t)
	p := startLambda(t, api, merge(c.awsEnv(), map[string]string{
		config.EnvConfigFile: "regmint.yaml",
		envTaskRoot:          root,
		envNamePrefix:        "regmint/",
	}))
	if s := decodeSummary(t, api.invoke(t, invokeTimeout)); s.Targets != 3+fleet || s.Rotated != 3+fleet {
		t.Errorf("first invocation %+v, want %d rotated", s, 3+fleet)
	}
	if s := decodeSummary(t, api.invoke(t, invokeTimeout)); s.Skipped != 3+fleet {
		t.Errorf("second invocation %+v, want %d fresh", s, 3+fleet)
	}
	checkDockerConfig(t, "secret regmint/fleet-59", []byte(c.current(t, "fleet-59").Value), 1)
	c.checkNoLeaks(t, map[string]string{"stdout": p.stdout.String(), "stderr": p.stderr.String()})
}

// TestLambdaBadConfigIsInitError: a config (or deployment) problem is
// posted as the runtime's init error, naming what is wrong, and the
// process exits.
func TestLambdaBadConfigIsInitError(t *testing.T) {
	t.Parallel()
	c := newClouds(t)
	for _, tc := range []struct {
		name string
		env  map[string]string
		want string
	}{
		{"bad provider", map[string]string{config.EnvConfig: "targets:\n  - {name: x, provider: acr, region: ap-guangzhou, credentials: {secret: src/tencent}}\n"},
			`target "x" (targets[0]): provider: "acr" is not a provider`},
		{"secret in config", map[string]string{config.EnvConfig: "targets:\n  - {name: x, provider: tcr, region: ap-guangzhou, instance-id: tcr-abcd1234, password: hunter2hunter2, credentials: {env: true}}\n"},
			"password: secrets are refused in the config document"},
		{"no config", nil, "no config: give a file"},
		{"prefix differs from IAM's", map[string]string{config.EnvConfig: c.config(false, "name-prefix: other/\n"), envNamePrefix: "regmint/"},
			`config name-prefix "other/" differs from REGMINT_NAME_PREFIX "regmint/"`},
		{"file store without DOCKER_CONFIG", map[string]string{config.EnvConfig: c.config(true, "default-store: file\n")},
			"store file, which in Lambda needs DOCKER_CONFIG"},
		{"config file not in the package", map[string]string{config.EnvConfigFile: "regmint.yaml", envTaskRoot: "/nonexistent/task"},
			`REGMINT_CONFIG_FILE "regmint.yaml": open /nonexistent/task/regmint.yaml: no such file or directory; accepted: `},
		{"config file and SSM parameter", map[string]string{config.EnvConfigFile: "regmint.yaml", config.EnvConfigSSMParameter: "/regmint/config"},
			"both REGMINT_CONFIG_FILE and REGMINT_CONFIG_SSM_PARAMETER are set: set one"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			api := newRuntimeAPI(t)
			p := startLambda(t, api, merge(c.awsEnv(), tc.env))
			o := api.waitInitError(t)
			var e struct{ ErrorMessage, ErrorType string }
			if err := json.Unmarshal(o.Body, &e); err != nil {
				t.Fatalf("init error body %q: %v", o.Body, err)
			}
			if !strings.Contains(e.ErrorMessage, tc.want) || o.ErrorType != "Runtime.ConfigInvalid" {
				t.Errorf("init error %+v (type header %q), want it to say %q", e, o.ErrorType, tc.want)
			}
			if code := p.waitExit(t); code == 0 {
				t.Error("the process exited 0 after an init error")
			}
			c.extra.Add("hunter2hunter2")
			c.checkNoLeaks(t, map[string]string{"stdout": p.stdout.String(), "stderr": p.stderr.String(), "init error": string(o.Body)})
		})
	}
}
