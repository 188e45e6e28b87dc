package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/regmint/regmint/core/store/secretsmanager"
	"github.com/regmint/regmint/core/store/secretsmanager/smtest"
	"github.com/regmint/regmint/core/swr"
	"github.com/regmint/regmint/core/swr/swrtest"
	"github.com/regmint/regmint/core/tcr"
	"github.com/regmint/regmint/core/tcr/tcrtest"
)

// The regions the sandbox's clouds serve.
const (
	tcrRegion = "ap-guangzhou"
	swrRegion = "cn-north-4"
)

// sandbox is the running emulators and the files written for them.
type sandbox struct {
	dir    string
	tc     *tcrtest.Server
	hw     *swrtest.Server
	sm     *smtest.Server
	env    map[string]string
	action map[string]string // the Action's inputs for a TCR step
}

// start runs the emulators and writes sandbox.env and regmint.yaml to dir.
func start(dir string) (*sandbox, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	sb := &sandbox{dir: dir, tc: tcrtest.New(), hw: swrtest.New(swrtest.WithRegions(swrRegion)), sm: smtest.New()}
	key := sb.tc.AddKey()
	temp, long := sb.tc.AddInstance(tcrRegion), sb.tc.AddInstance(tcrRegion)
	acct := sb.hw.NewAccount()
	ent := sb.hw.NewInstance(acct, swrRegion)
	awsKey := sb.sm.Key()
	sb.env = map[string]string{
		"AWS_REGION":                        sb.sm.Region,
		"AWS_ACCESS_KEY_ID":                 awsKey.AccessKeyID,
		"AWS_SECRET_ACCESS_KEY":             awsKey.SecretAccessKey,
		"AWS_SESSION_TOKEN":                 awsKey.SessionToken,
		secretsmanager.EnvEndpoint:          sb.sm.URL,
		tcr.EnvSecretID:                     key.ID,
		tcr.EnvSecretKey:                    key.Secret,
		swr.EnvAK:                           acct.AK,
		swr.EnvSK:                           acct.SK,
		"REGMINT_SANDBOX_TCR_API":           sb.tc.URL,
		"REGMINT_SANDBOX_TCR_INSTANCE":      temp.ID,
		"REGMINT_SANDBOX_SWR_API":           sb.hw.SWRURL,
		"REGMINT_SANDBOX_SWR_IAM":           sb.hw.IAMURL,
		"REGMINT_SANDBOX_SWR_INSTANCE":      ent.ID,
		"REGMINT_SANDBOX_DOCKER_CONFIG":     filepath.Join(dir, "docker", "config.json"),
		"REGMINT_SANDBOX_CONFIG":            filepath.Join(dir, "regmint.yaml"),
		"REGMINT_SANDBOX_GITHUB_OUTPUT":     filepath.Join(dir, "runner", "output"),
		"REGMINT_SANDBOX_GITHUB_STATE":      filepath.Join(dir, "runner", "state"),
		"REGMINT_SANDBOX_GITHUB_SUMMARY":    filepath.Join(dir, "runner", "summary.md"),
		"REGMINT_SANDBOX_TCR_LONG_INSTANCE": long.ID,
	}
	sb.action = map[string]string{
		"provider": "tcr", "region": tcrRegion, "instance-id": temp.ID, "api-endpoint": sb.tc.URL,
		"access-key-id": key.ID, "access-key-secret": key.Secret,
	}
	doc := fmt.Sprintf(`# regmint sandbox: every endpoint below is an emulator on this machine.
# Cloud keys come from sandbox.env (credentials: {env: true}).
targets:
  - name: tcr-temp
    provider: tcr
    region: %[1]s
    instance-id: %[2]s
    api-endpoint: %[3]s
    credentials: {env: true}
    destinations: [{store: secretsmanager}, {store: file}]
  - name: tcr-long
    provider: tcr
    region: %[1]s
    instance-id: %[4]s
    token-type: longterm
    api-endpoint: %[3]s
    credentials: {env: true}
  - name: swr-enterprise
    provider: swr-enterprise
    region: %[5]s
    instance-id: %[6]s
    api-endpoint: %[7]s
    iam-endpoint: %[8]s
    credentials: {env: true}
    destination: {store: file}
`, tcrRegion, temp.ID, sb.tc.URL, long.ID, swrRegion, ent.ID, sb.hw.SWRURL, sb.hw.IAMURL)
	if err := os.MkdirAll(filepath.Join(dir, "runner"), 0o700); err != nil {
		sb.close()
		return nil, err
	}
	files := map[string]string{
		"regmint.yaml":      doc,
		"runner/output":     "",
		"runner/state":      "",
		"runner/summary.md": "",
		"sandbox.env":       sb.envFile(),
	}
	// sandbox.env last: its presence says the sandbox is up.
	for _, name := range []string{"regmint.yaml", "runner/output", "runner/state", "runner/summary.md", "sandbox.env"} {
		content := files[name]
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600); err != nil {
			sb.close()
			return nil, err
		}
	}
	return sb, nil
}

func (sb *sandbox) close() {
	sb.tc.Close()
	sb.hw.Close()
	sb.sm.Close()
}

// envFile renders the environment as a shell file of exports.
func (sb *sandbox) envFile() string {
	var b strings.Builder
	b.WriteString("# regmint sandbox environment: made-up keys for the emulators on this machine.\n")
	for _, k := range sortedKeys(sb.env) {
		fmt.Fprintf(&b, "export %s=%s\n", k, shellQuote(sb.env[k]))
	}
	return b.String()
}

// describe prints what runs and the commands that try it.
func (sb *sandbox) describe(w io.Writer) {
	env := filepath.Join(sb.dir, "sandbox.env")
	fmt.Fprintf(w, `regmint sandbox: emulated clouds on loopback, until interrupted
  Tencent TCR API  %s (instances %s, %s)
  Huawei SWR API   %s, IAM %s (instance %s)
  Secrets Manager  %s (region %s)
  environment      %s
  rotation config  %s

In another terminal, from the repository root:

  . %s

  # the rotation function, as a build host's cron runs it (twice: the second run finds all fresh)
  go run ./cmd/regmint-rotate -config "$REGMINT_SANDBOX_CONFIG" -docker-config "$REGMINT_SANDBOX_DOCKER_CONFIG"
  go run ./cmd/regmint-rotate -config "$REGMINT_SANDBOX_CONFIG" -docker-config "$REGMINT_SANDBOX_DOCKER_CONFIG"

  # the GitHub Action, as the runner runs it
  go build -o /tmp/regmint-action ./action
  env %s \
    GITHUB_OUTPUT="$REGMINT_SANDBOX_GITHUB_OUTPUT" GITHUB_STATE="$REGMINT_SANDBOX_GITHUB_STATE" \
    GITHUB_STEP_SUMMARY="$REGMINT_SANDBOX_GITHUB_SUMMARY" /tmp/regmint-action | sed '/^::add-mask::/d'
  grep -A1 -E '^(registry|username|expires-at)<<' "$REGMINT_SANDBOX_GITHUB_OUTPUT"

regmint-sandbox: ready
`, sb.tc.URL, sb.env["REGMINT_SANDBOX_TCR_INSTANCE"], sb.env["REGMINT_SANDBOX_TCR_LONG_INSTANCE"],
		sb.hw.SWRURL, sb.hw.IAMURL, sb.env["REGMINT_SANDBOX_SWR_INSTANCE"], sb.sm.URL, sb.sm.Region,
		env, sb.env["REGMINT_SANDBOX_CONFIG"], env, sb.actionInputs())
}

// actionInputs renders the Action's inputs as env arguments; the secret
// key is read from the environment file, not printed.
func (sb *sandbox) actionInputs() string {
	var parts []string
	for _, k := range sortedKeys(sb.action) {
		v := shellQuote(sb.action[k])
		switch k {
		case "access-key-id":
			v = `"$` + tcr.EnvSecretID + `"`
		case "access-key-secret":
			v = `"$` + tcr.EnvSecretKey + `"`
		}
		parts = append(parts, "INPUT_"+strings.ToUpper(k)+"="+v)
	}
	return strings.Join(parts, " ")
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// shellQuote quotes s for a POSIX shell.
func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }
