package rotatefn

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// writeConfig writes a config document to a temporary file.
func writeConfig(t *testing.T, doc string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "regmint.yaml")
	if err := os.WriteFile(p, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// reportLine matches a report line: outcome, target, and the rest.
var reportLine = regexp.MustCompile(`^(minted|fresh|failed|superseded|would-mint) +(\S+)  (.*)$`)

// outcomes reads the report: target -> outcome, and the rest of each line.
func outcomes(t *testing.T, report string) (map[string]string, map[string]string) {
	t.Helper()
	got, rest := map[string]string{}, map[string]string{}
	for _, l := range strings.Split(strings.TrimSpace(report), "\n") {
		if m := reportLine.FindStringSubmatch(l); m != nil {
			got[m[2]], rest[m[2]] = m[1], m[3]
		}
	}
	return got, rest
}

// TestLocalRunKeepsDockerConfigFresh runs the binary as a build host's cron
// would: -config FILE, cloud keys from the vendors' variables, credentials
// into $DOCKER_CONFIG/config.json; then again, finding all fresh.
func TestLocalRunKeepsDockerConfigFresh(t *testing.T) {
	t.Parallel()
	c := newClouds(t)
	dockerDir := filepath.Join(t.TempDir(), "docker")
	env := merge(c.cloudEnv(), map[string]string{"DOCKER_CONFIG": dockerDir, "HOME": t.TempDir()})
	cfg := writeConfig(t, c.config(true, "default-store: file\n"))

	var outputs []string
	first := runBinary(t, []string{"-config", cfg}, env)
	outputs = append(outputs, first.stdout, first.stderr)
	if first.code != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", first.code, first.stdout, first.stderr)
	}
	got, rest := outcomes(t, first.stdout)
	for _, name := range targetNames {
		if got[name] != "minted" || !strings.Contains(rest[name], "expires=") || !strings.Contains(rest[name], "verify=good") {
			t.Errorf("first run, %s: %q %q", name, got[name], rest[name])
		}
	}
	if !strings.Contains(first.stdout, "3 targets: 3 minted, 0 skipped, 0 failed") {
		t.Errorf("first run report:\n%s", first.stdout)
	}
	path := filepath.Join(dockerDir, "config.json")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	checkDockerConfig(t, "docker config", data, 3)
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("docker config mode %v (%v), want 0600", fi.Mode(), err)
	}

	issued := c.issues()
	second := runBinary(t, []string{"-config", cfg}, env)
	outputs = append(outputs, second.stdout, second.stderr)
	got, _ = outcomes(t, second.stdout)
	for _, name := range targetNames {
		if got[name] != "fresh" {
			t.Errorf("second run, %s: %q", name, got[name])
		}
	}
	if second.code != 0 || c.issues() != issued {
		t.Errorf("second run: exit %d, minted %d", second.code, c.issues()-issued)
	}
	c.checkNoLeaks(t, map[string]string{"output": strings.Join(outputs, "\n")})
}

// TestLocalRunIntoSecretsManager runs locally with the AWS environment:
// cloud keys read from source secrets, credentials written to Secrets
// Manager, JSON logs on stderr at -log-level info.
func TestLocalRunIntoSecretsManager(t *testing.T) {
	t.Parallel()
	c := newClouds(t)
	res := runBinary(t, []string{"-config", writeConfig(t, c.config(false, "")), "-log-level", "info"}, c.awsEnv())
	if res.code != 0 {
		t.Fatalf("exit %d\n%s\n%s", res.code, res.stdout, res.stderr)
	}
	for _, name := range targetNames {
		checkDockerConfig(t, name, []byte(c.current(t, name).Value), 1)
	}
	if n := strings.Count(res.stderr, `"msg":"target"`); n != 3 {
		t.Errorf("%d target log lines on stderr, want 3:\n%s", n, res.stderr)
	}
	c.checkNoLeaks(t, map[string]string{"stdout": res.stdout, "stderr": res.stderr})
}

// TestLocalFailedTargetExits1: the others are kept fresh, the report and
// stderr name the failed one, the exit status is 1.
func TestLocalFailedTargetExits1(t *testing.T) {
	t.Parallel()
	c := newClouds(t)
	env := merge(c.cloudEnv(), map[string]string{"DOCKER_CONFIG": t.TempDir()})
	res := runBinary(t, []string{"-config", writeConfig(t, c.config(true, "default-store: file\n", c.missingTarget(true)))}, env)
	if res.code != 1 {
		t.Fatalf("exit %d, want 1\n%s\n%s", res.code, res.stdout, res.stderr)
	}
	got, rest := outcomes(t, res.stdout)
	if got["tcr-missing"] != "failed" || !strings.Contains(rest["tcr-missing"], "tcr-zzzz9999: instance not found") {
		t.Errorf("tcr-missing: %q %q", got["tcr-missing"], rest["tcr-missing"])
	}
	for _, name := range targetNames {
		if got[name] != "minted" {
			t.Errorf("%s: %q, want minted", name, got[name])
		}
	}
	if !strings.Contains(res.stderr, "1 of 4 targets failed: tcr-missing") {
		t.Errorf("stderr %q", res.stderr)
	}
	c.checkNoLeaks(t, map[string]string{"stdout": res.stdout, "stderr": res.stderr})
}

// TestLocalJSONReport: with -report json (the CronJob's way), stderr holds
// only JSON lines, the report last, with the failed target named; stdout
// is empty.
func TestLocalJSONReport(t *testing.T) {
	t.Parallel()
	c := newClouds(t)
	env := merge(c.cloudEnv(), map[string]string{"DOCKER_CONFIG": t.TempDir()})
	res := runBinary(t, []string{"-config", writeConfig(t, c.config(true, "default-store: file\n", c.missingTarget(true))),
		"-log-level", "info", "-report", "json"}, env)
	if res.code != 1 {
		t.Fatalf("exit %d, want 1\n%s\n%s", res.code, res.stdout, res.stderr)
	}
	if res.stdout != "" {
		t.Errorf("stdout %q, want nothing", res.stdout)
	}
	lines := strings.Split(strings.TrimSpace(res.stderr), "\n")
	for _, l := range lines {
		if !json.Valid([]byte(l)) {
			t.Errorf("stderr line is not JSON: %q", l)
		}
	}
	var rep struct {
		Msg     string `json:"msg"`
		Targets int    `json:"targets"`
		Failed  int    `json:"failed"`
		Results []struct {
			Target, Outcome, Reason string
		} `json:"results"`
	}
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &rep); err != nil || rep.Msg != "report" {
		t.Fatalf("last stderr line is not the report: %q (%v)", lines[len(lines)-1], err)
	}
	if rep.Targets != 4 || rep.Failed != 1 || len(rep.Results) != 4 {
		t.Errorf("report counts: %+v", rep)
	}
	for _, r := range rep.Results {
		if r.Target == "tcr-missing" && (r.Outcome != "failed" || !strings.Contains(r.Reason, "instance not found")) {
			t.Errorf("tcr-missing: %+v", r)
		}
	}
	if n := strings.Count(res.stderr, `"msg":"target"`); n != 4 {
		t.Errorf("%d target log lines, want 4", n)
	}
	c.checkNoLeaks(t, map[string]string{"stdout": res.stdout, "stderr": res.stderr})
}

// TestLocalBadSetupExits2: a bad config, flag or environment is reported,
// naming the field or variable, before any target is touched.
func TestLocalBadSetupExits2(t *testing.T) {
	t.Parallel()
	c := newClouds(t)
	docker := map[string]string{"DOCKER_CONFIG": t.TempDir()}
	for _, tc := range []struct {
		name string
		args []string
		env  map[string]string
		code int
		want string
	}{
		{"bad field", []string{"-config", writeConfig(t, "targets:\n  - {name: a, provider: tcr, region: ap-guangzhou, instance-id: nope, credentials: {env: true}}\n")}, docker, 2,
			`target "a" (targets[0]): instance-id: "nope" is not a TCR instance id`},
		{"unknown key", []string{"-config", writeConfig(t, c.config(true, "schedule: daily\n"))}, docker, 2, "config: schedule: unknown key"},
		{"missing file", []string{"-config", "/nonexistent/regmint.yaml"}, docker, 2, "read config:"},
		{"no config", nil, docker, 2, "no config: give a file (-config FILE)"},
		{"no AWS environment", []string{"-config", writeConfig(t, c.config(false, ""))}, nil, 2, "this build (the Lambda bootstrap, -tags lambda.norpc) does not read the shared config files"},
		{"unknown flag", []string{"-config", "x", "-verbose"}, nil, 2, "flag provided but not defined: -verbose"},
		{"extra argument", []string{"-config", "x", "now"}, nil, 2, `unexpected arguments ["now"]`},
		{"bad log level", []string{"-log-level", "loud"}, nil, 2, `log level "loud"`},
		{"help", []string{"-h"}, nil, 0, "usage: regmint-rotate"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			res := runBinary(t, tc.args, tc.env)
			if res.code != tc.code || !strings.Contains(res.stderr, tc.want) {
				t.Errorf("exit %d, stderr %q; want exit %d and %q", res.code, res.stderr, tc.code, tc.want)
			}
			if tc.code == 2 && res.stdout != "" {
				t.Errorf("a bad setup printed a report: %q", res.stdout)
			}
		})
	}
	if n := c.issues(); n != 0 {
		t.Errorf("bad setups minted %d credentials", n)
	}
}

// TestLocalValidateAndDryRun: -validate checks the config and touches no
// cloud or store; -dry-run reads the destinations and says what would be
// minted, minting, writing and revoking nothing; -version answers without
// a config.
func TestLocalValidateAndDryRun(t *testing.T) {
	t.Parallel()
	c := newClouds(t)
	dockerDir := filepath.Join(t.TempDir(), "docker")
	env := merge(c.cloudEnv(), map[string]string{"DOCKER_CONFIG": dockerDir, "HOME": t.TempDir()})
	cfg := writeConfig(t, c.config(true, "default-store: file\n"))

	v := runBinary(t, []string{"-config", cfg, "-validate"}, env)
	if v.code != 0 || !strings.Contains(v.stdout, "config is valid: 3 targets, 3 destinations, stores file") {
		t.Fatalf("-validate: exit %d\n%s\n%s", v.code, v.stdout, v.stderr)
	}
	if c.issues() != 0 {
		t.Errorf("-validate minted %d credentials", c.issues())
	}
	if _, err := os.Stat(dockerDir); !os.IsNotExist(err) {
		t.Errorf("-validate touched the docker config directory: %v", err)
	}
	bad := runBinary(t, []string{"-config", writeConfig(t, "targets: [{name: a, provider: tcr}]\n"), "-validate"}, env)
	if bad.code != 2 || !strings.Contains(bad.stderr, "region: is required") {
		t.Errorf("-validate of a bad config: exit %d\n%s", bad.code, bad.stderr)
	}

	dry := runBinary(t, []string{"-config", cfg, "-dry-run"}, env)
	got, rest := outcomes(t, dry.stdout)
	for _, name := range targetNames {
		if got[name] != "would-mint" || !strings.Contains(rest[name], "missing") {
			t.Errorf("dry run before any run, %s: %q %q", name, got[name], rest[name])
		}
	}
	if dry.code != 0 || c.issues() != 0 {
		t.Fatalf("dry run: exit %d, minted %d\n%s\n%s", dry.code, c.issues(), dry.stdout, dry.stderr)
	}
	if _, err := os.Stat(filepath.Join(dockerDir, "config.json")); !os.IsNotExist(err) {
		t.Errorf("the dry run wrote the docker config: %v", err)
	}

	if r := runBinary(t, []string{"-config", cfg}, env); r.code != 0 {
		t.Fatalf("run: exit %d\n%s", r.code, r.stderr)
	}
	issued := c.issues()
	dry = runBinary(t, []string{"-config", cfg, "-dry-run"}, env)
	got, _ = outcomes(t, dry.stdout)
	for _, name := range targetNames {
		if got[name] != "fresh" {
			t.Errorf("dry run after a run, %s: %q", name, got[name])
		}
	}
	if c.issues() != issued {
		t.Errorf("the dry run minted %d", c.issues()-issued)
	}

	if r := runBinary(t, []string{"-config", cfg, "-dry-run", "-validate"}, env); r.code != 2 {
		t.Errorf("-dry-run with -validate: exit %d", r.code)
	}
	ver := runBinary(t, []string{"-version"}, nil)
	if ver.code != 0 || !strings.HasPrefix(ver.stdout, "regmint-rotate ") || ver.stderr != "" {
		t.Errorf("-version: exit %d %q %q", ver.code, ver.stdout, ver.stderr)
	}
	c.checkNoLeaks(t, map[string]string{"dry run": dry.stdout + dry.stderr, "validate": v.stdout + v.stderr})
}
