package rotatefn

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/regmint/regmint/internal/readmetest"
)

// docs/troubleshooting.md holds a table of bad values tried
// for every environment variable regmint reads from its user, and the error
// the function printed for each. This test makes that table: it runs the
// function binary locally with each bad value, checks that the error names
// the variable and what it accepts and never echoes a secret, and compares
// the rendered table with that file's, between the markers
// <!-- badinput:env:begin --> and <!-- badinput:env:end -->. It also scans
// the code for the variables it reads and fails when one is neither in a
// row nor in envCatalog.
//
// After changing a variable or a message, rewrite the table with
//
//	REGMINT_UPDATE_README=1 go test ./internal/rotatefn -run TestBadEnvTable

// badEnv is one bad value tried for one environment variable.
type badEnv struct {
	name string
	// value is the bad value; "" tries the variable unset.
	value string
	// config is the document in REGMINT_CONFIG; env, the rest of the
	// environment ("" removes a variable).
	config string
	env    map[string]string
	// shown is how the table shows the value, when not as it is; setting,
	// what else the row sets, when not described from config and env.
	shown, setting string
	// names is what the error must name, when not the variable; form is
	// the phrase that says what is accepted, when not "accepted: ".
	names, form string
}

// Config documents for the rows: one TCR target with cloud keys from the
// environment, written to a docker config (no AWS needed) or to Secrets
// Manager; one SWR shared-edition target. The TCR API endpoint is a closed
// loopback port, so a row that got past its check would still make no call
// off the machine.
const (
	cfgTCRFile = `targets:
  - {name: a, provider: tcr, region: ap-guangzhou, instance-id: tcr-abcd1234, api-endpoint: "http://127.0.0.1:9", credentials: {env: true}, destination: {store: file}}
`
	cfgTCRSecretsManager = `targets:
  - {name: a, provider: tcr, region: ap-guangzhou, instance-id: tcr-abcd1234, api-endpoint: "http://127.0.0.1:9", credentials: {env: true}}
`
	cfgTCRNoRegion = `targets:
  - {name: a, provider: tcr, instance-id: tcr-abcd1234, api-endpoint: "http://127.0.0.1:9", credentials: {env: true}, destination: {store: file}}
`
	cfgSWRNoRegion = `targets:
  - {name: a, provider: swr, credentials: {env: true}, destination: {store: file}}
`
	cfgSWRFile = `targets:
  - {name: a, provider: swr, region: cn-north-4, credentials: {env: true}, destination: {store: file}}
`
)

// Placeholders the test replaces with generated values.
const (
	slotSecret = "<secret>"
	slotTmpDir = "<tmpdir>"
)

// awsBase is an AWS environment whose endpoints are a closed loopback port.
var awsBase = map[string]string{
	"AWS_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "not-a-real-id", "AWS_SECRET_ACCESS_KEY": slotSecret,
	"AWS_ENDPOINT_URL_SECRETS_MANAGER": "http://127.0.0.1:9", "AWS_ENDPOINT_URL_SSM": "http://127.0.0.1:9",
}

func envWith(base map[string]string, kv ...string) map[string]string {
	out := merge(base)
	for i := 0; i+1 < len(kv); i += 2 {
		out[kv[i]] = kv[i+1]
	}
	return out
}

var dockerEnv = map[string]string{"DOCKER_CONFIG": slotTmpDir}

var badEnvs = []badEnv{
	// Where the config comes from.
	{name: "REGMINT_CONFIG", value: "", env: dockerEnv, form: "give a file"},
	{name: "REGMINT_CONFIG", value: "/etc/regmint.yaml", env: dockerEnv},
	{name: "REGMINT_CONFIG", value: "targets: []", env: dockerEnv},
	{name: "REGMINT_CONFIG_FILE", value: "regmint.yaml", env: envWith(dockerEnv, "LAMBDA_TASK_ROOT", "/var/task")},
	{name: "REGMINT_CONFIG_FILE", value: "/etc", env: dockerEnv},
	{name: "REGMINT_CONFIG_FILE", value: "targets:\n  - {name: a, provider: tcr}\n", shown: "a YAML document", env: dockerEnv},
	{name: "REGMINT_CONFIG_FILE", value: "regmint.yaml", env: envWith(dockerEnv, "REGMINT_CONFIG_SSM_PARAMETER", "/regmint/config"), form: "set one"},
	{name: "REGMINT_CONFIG_SSM_PARAMETER", value: "/regmint/config", config: cfgTCRFile, env: dockerEnv, setting: "`REGMINT_CONFIG` set too", form: "set one"},
	{name: "REGMINT_CONFIG_SSM_PARAMETER", value: "/regmint/config", env: dockerEnv, setting: "no AWS environment"},
	// What the deployment expects of the config.
	{name: "REGMINT_NAME_PREFIX", value: "regmint-prod/", config: cfgTCRFile, env: dockerEnv, form: "make them equal"},
	{name: "REGMINT_METRICS_NAMESPACE", value: "regmint-prod", config: cfgTCRFile, env: dockerEnv, form: "make them equal"},
	{name: "REGMINT_KMS_KEY_ID", value: "my-key", config: cfgTCRSecretsManager, env: awsBase},
	{name: "REGMINT_KMS_KEY_ID", value: " ", shown: "(blank)", config: cfgTCRSecretsManager, env: awsBase},
	// The docker config of store file.
	{name: "DOCKER_CONFIG", value: "/dev/null", config: cfgTCRFile},
	{name: "HOME", value: "", config: cfgTCRFile, env: map[string]string{"DOCKER_CONFIG": ""}, names: "DOCKER_CONFIG nor HOME"},
	// AWS, for Secrets Manager and SSM.
	{name: "AWS_REGION", value: "", config: cfgTCRSecretsManager, env: awsBase},
	{name: "AWS_REGION", value: "Frankfurt", config: cfgTCRSecretsManager, env: awsBase},
	{name: "AWS_DEFAULT_REGION", value: "eu central 1", config: cfgTCRSecretsManager, env: envWith(awsBase, "AWS_REGION", "")},
	{name: "AWS_ACCESS_KEY_ID", value: "", config: cfgTCRSecretsManager, env: awsBase},
	{name: "AWS_SECRET_ACCESS_KEY", value: "", config: cfgTCRSecretsManager, env: awsBase},
	{name: "AWS_PROFILE", value: "build-host", config: cfgTCRSecretsManager, env: envWith(awsBase, "AWS_ACCESS_KEY_ID", "", "AWS_SECRET_ACCESS_KEY", "")},
	{name: "AWS_SESSION_TOKEN", value: slotSecret, config: cfgTCRSecretsManager, env: envWith(awsBase, "AWS_ACCESS_KEY_ID", "", "AWS_SECRET_ACCESS_KEY", "")},
	{name: "AWS_ENDPOINT_URL_SECRETS_MANAGER", value: "localhost:4566", config: cfgTCRSecretsManager, env: awsBase},
	{name: "AWS_ENDPOINT_URL_SECRETS_MANAGER", value: "https://ci:not-a-real-password@localhost:4566", config: cfgTCRSecretsManager, env: awsBase},
	{name: "AWS_ENDPOINT_URL", value: "localhost:4566", config: cfgTCRSecretsManager, env: envWith(awsBase, "AWS_ENDPOINT_URL_SECRETS_MANAGER", "")},
	{name: "AWS_ENDPOINT_URL_SSM", value: "localhost:4566", env: envWith(awsBase, "REGMINT_CONFIG_SSM_PARAMETER", "/regmint/config")},
	{name: "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", value: "yes", config: cfgTCRSecretsManager, env: awsBase},
	// The clouds' own variables, read for credentials: {env: true} (and by
	// the Action when it is given no auth inputs).
	{name: "TENCENTCLOUD_SECRET_ID", value: "not-a-real-id", config: cfgTCRFile, env: dockerEnv},
	{name: "TENCENTCLOUD_SECRET_KEY", value: slotSecret, config: cfgTCRFile, env: dockerEnv},
	{name: "TENCENTCLOUD_SESSION_TOKEN", value: slotSecret, config: cfgTCRFile, env: dockerEnv},
	{name: "TENCENTCLOUD_REGION", value: "Guangzhou", config: cfgTCRNoRegion, env: dockerEnv},
	{name: "HUAWEICLOUD_SDK_AK", value: "not-a-real-id", config: cfgSWRFile, env: dockerEnv},
	{name: "HUAWEICLOUD_SDK_SK", value: slotSecret, config: cfgSWRFile, env: dockerEnv},
	{name: "HUAWEICLOUD_SDK_SECURITY_TOKEN", value: slotSecret, config: cfgSWRFile, env: dockerEnv},
	{name: "HUAWEICLOUD_SDK_PROJECT_ID", value: "my project", config: cfgSWRFile, env: envWith(dockerEnv, "HUAWEICLOUD_SDK_AK", "not-a-real-id", "HUAWEICLOUD_SDK_SK", slotSecret)},
	{name: "HUAWEICLOUD_SDK_REGION", value: "cn_north_4", config: cfgSWRNoRegion, env: dockerEnv},
	{name: "CLOUD_SDK_AK", value: "not-a-real-id", config: cfgSWRFile, env: dockerEnv},
	{name: "CLOUD_SDK_SK", value: slotSecret, config: cfgSWRFile, env: dockerEnv},
	{name: "CLOUD_SDK_REGION", value: "cn north 4", config: cfgSWRNoRegion, env: dockerEnv},
	{name: "HUAWEICLOUD_SDK_IDP_ID", value: "github-actions", config: cfgSWRFile, env: dockerEnv},
	{name: "HUAWEICLOUD_SDK_ID_TOKEN_FILE", value: "/nonexistent/id-token", config: cfgSWRFile, env: envWith(dockerEnv, "HUAWEICLOUD_SDK_IDP_ID", "github-actions")},
	{name: "HUAWEICLOUD_SDK_IAM_ENDPOINT", value: "ftp://iam.example.com", config: cfgSWRFile, env: envWith(dockerEnv, "HUAWEICLOUD_SDK_AK", "not-a-real-id", "HUAWEICLOUD_SDK_SK", slotSecret)},
	{name: "HUAWEICLOUD_SDK_REGION_SWR_CN_NORTH_4", value: "swr-api.internal.example.com", config: cfgSWRFile, env: envWith(dockerEnv, "HUAWEICLOUD_SDK_AK", "not-a-real-id", "HUAWEICLOUD_SDK_SK", slotSecret)},
	{name: "HUAWEICLOUD_SDK_REGION_IAM_CN_NORTH_4", value: "iam.internal.example.com", config: cfgSWRFile, env: envWith(dockerEnv, "HUAWEICLOUD_SDK_AK", "not-a-real-id", "HUAWEICLOUD_SDK_SK", slotSecret)},
}

// envCatalog is every environment variable (or prefix, ending in "_") the
// code reads, with who sets it. "user" variables need a row in badEnvs;
// the others are listed under the table with the reason they have none.
var envCatalog = map[string]string{
	"REGMINT_CONFIG": "user", "REGMINT_CONFIG_FILE": "user", "REGMINT_CONFIG_SSM_PARAMETER": "user", "REGMINT_NAME_PREFIX": "user",
	"REGMINT_METRICS_NAMESPACE": "user", "REGMINT_KMS_KEY_ID": "user", "DOCKER_CONFIG": "user", "HOME": "user",
	"AWS_REGION": "user", "AWS_DEFAULT_REGION": "user", "AWS_ACCESS_KEY_ID": "user", "AWS_SECRET_ACCESS_KEY": "user",
	"AWS_SESSION_TOKEN": "user", "AWS_ENDPOINT_URL_SECRETS_MANAGER": "user", "AWS_ENDPOINT_URL": "user",
	"AWS_ENDPOINT_URL_SSM": "user", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "user", "AWS_PROFILE": "user",
	"TENCENTCLOUD_SECRET_ID": "user", "TENCENTCLOUD_SECRET_KEY": "user", "TENCENTCLOUD_SESSION_TOKEN": "user",
	"HUAWEICLOUD_SDK_AK": "user", "HUAWEICLOUD_SDK_SK": "user", "HUAWEICLOUD_SDK_SECURITY_TOKEN": "user",
	"HUAWEICLOUD_SDK_PROJECT_ID": "user", "CLOUD_SDK_AK": "user", "CLOUD_SDK_SK": "user", "HUAWEICLOUD_SDK_IDP_ID": "user",
	"HUAWEICLOUD_SDK_ID_TOKEN_FILE": "user", "HUAWEICLOUD_SDK_IAM_ENDPOINT": "user", "HUAWEICLOUD_SDK_REGION_": "user",
	"TENCENTCLOUD_REGION": "user", "HUAWEICLOUD_SDK_REGION": "user", "CLOUD_SDK_REGION": "user",

	"TENCENTCLOUD_SECURITY_TOKEN": "alias",

	"TENCENTCLOUD_TOKEN":           "alias",
	"AWS_LAMBDA_RUNTIME_API":       "platform",
	"AWS_LAMBDA_LOG_LEVEL":         "platform",
	"LAMBDA_TASK_ROOT":             "platform",
	"ACTIONS_ID_TOKEN_REQUEST_URL": "platform",
	"GITHUB_REPOSITORY":            "platform",
	"GITHUB_OUTPUT":                "platform",
	"GITHUB_STATE":                 "platform",
	"GITHUB_STEP_SUMMARY":          "platform",
	"STATE_":                       "platform",

	"KUBECONFIG": "kubernetes",

	"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "platform",
	"GOMAXPROCS":                      "go",
	"REGMINT_CPUPROFILE":              "analysis",

	"TKE_PROVIDER_ID":                       "chain",
	"TKE_ROLE_ARN":                          "chain",
	"TKE_WEB_IDENTITY_TOKEN_FILE":           "chain",
	"HUAWEICLOUD_SDK_CREDENTIALS_FILE":      "chain",
	"HC_CONTAINER_CREDENTIALS_FULL_URI":     "chain",
	"HC_CONTAINER_AUTHORIZATION_TOKEN_FILE": "chain",

	"REGMINT_HELPER_CONFIG": "helper",
	"XDG_CONFIG_HOME":       "helper",
	"XDG_CACHE_HOME":        "helper",
}

// envSources are the directories whose code reads the environment; test
// helper packages (emulators, the demo) are left out.
var envSources = []string{"../../action", "../../functions", "../../core", "../../internal/rotatefn", "../../cmd"}

var (
	reEnvConst  = regexp.MustCompile(`\b[Ee]nv[A-Za-z0-9]*\s*=\s*"([A-Z][A-Z0-9_]*)"`)
	reEnvCall   = regexp.MustCompile(`[Gg]etenv\("([A-Z][A-Z0-9_]*)"\)`)
	reEnvPrefix = regexp.MustCompile(`"([A-Z][A-Z0-9]*_(?:[A-Z0-9]+_)*)"\s*\+`)
)

// envNamesInCode returns the environment variables (and prefixes) the
// product code names.
func envNamesInCode(t *testing.T) map[string]string {
	t.Helper()
	found := map[string]string{}
	for _, root := range envSources {
		err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			base := d.Name()
			if d.IsDir() {
				if strings.HasSuffix(base, "test") || base == "cmd" || base == "testdata" {
					return filepath.SkipDir
				}
				return nil
			}
			if !strings.HasSuffix(base, ".go") || strings.HasSuffix(base, "_test.go") {
				return nil
			}
			src, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			for _, re := range []*regexp.Regexp{reEnvConst, reEnvCall, reEnvPrefix} {
				for _, m := range re.FindAllStringSubmatch(string(src), -1) {
					found[m[1]] = path
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return found
}

// catalogEntry returns the catalog key that covers name: itself, or a
// prefix of it.
func catalogEntry(name string) (string, bool) {
	if _, ok := envCatalog[name]; ok {
		return name, true
	}
	for k := range envCatalog {
		if strings.HasSuffix(k, "_") && strings.HasPrefix(name, k) {
			return k, true
		}
	}
	return "", false
}

func TestBadEnvTable(t *testing.T) {
	t.Parallel()
	inCode := envNamesInCode(t)
	seen := map[string]bool{}
	for name, path := range inCode {
		k, ok := catalogEntry(name)
		if !ok {
			t.Errorf("%s reads environment variable %s, which envCatalog does not list: add it, and a row in badEnvs if users set it", path, name)
		}
		seen[k] = true
	}
	for k := range envCatalog {
		if !seen[k] {
			t.Errorf("envCatalog lists %s, which no product code names any more (or the scan of %v missed it)", k, envSources)
		}
	}
	rowsFor := map[string]int{}
	for _, r := range badEnvs {
		k, ok := catalogEntry(r.name)
		if !ok || envCatalog[k] != "user" {
			t.Errorf("row for %s: envCatalog does not list it as set by users", r.name)
		}
		rowsFor[k]++
	}
	for k, who := range envCatalog {
		if who == "user" && rowsFor[k] == 0 {
			t.Errorf("environment variable %s has no row in badEnvs: add the bad values users set it to", k)
		}
	}

	type result struct {
		code int
		msg  string
	}
	results := make([]result, len(badEnvs))
	t.Run("rows", func(t *testing.T) { // returns when every row is done
		for i, r := range badEnvs {
			t.Run(fmt.Sprintf("%02d-%s", i, r.name), func(t *testing.T) {
				t.Parallel()
				code, msg := tryBadEnv(t, r)
				results[i] = result{code, msg}
			})
		}
	})
	if t.Failed() {
		return
	}
	var b strings.Builder
	b.WriteString("| variable | bad value tried | exit | error shown |\n|---|---|---|---|\n")
	for i, r := range badEnvs {
		fmt.Fprintf(&b, "| `%s` | %s | %d | %s |\n", r.name, describeBadEnv(r), results[i].code, results[i].msg)
	}
	b.WriteString("\n" + envNotes())
	readmetest.Sync(t, "../../docs/troubleshooting.md", "badinput:env", b.String(), "go test ./internal/rotatefn -run TestBadEnvTable")
}

// envNotes lists, under the table, the variables without a row and why.
func envNotes() string {
	var platform, alias, kube, helper, chain, analysis []string
	for k, who := range envCatalog {
		name := "`" + k + "`"
		if strings.HasSuffix(k, "_") {
			name = "`" + k + "*`"
		}
		switch who {
		case "platform":
			platform = append(platform, name)
		case "alias":
			alias = append(alias, name)
		case "kubernetes":
			kube = append(kube, name)
		case "helper":
			helper = append(helper, name)
		case "chain":
			chain = append(chain, name)
		case "analysis":
			analysis = append(analysis, name)
		}
	}
	sort.Strings(helper)
	sort.Strings(chain)
	sort.Strings(platform)
	sort.Strings(alias)
	sort.Strings(kube)
	return "Read only by the in-cluster build, which this table (the Lambda bootstrap) does not link: " + strings.Join(kube, ", ") +
		" (the kubeconfig of the kubernetes stores; unset, the pod's own: [Kubernetes](kubernetes.md)). " +
		"Also read, but set by Lambda or the Actions runner rather than by you: " + strings.Join(platform, ", ") +
		" (without `ACTIONS_ID_TOKEN_REQUEST_URL`, keyless inputs fail as the `role-arn` and `idp-id` rows of the action table show). " +
		"Read as other names of `TENCENTCLOUD_SESSION_TOKEN` (when it is unset, in this order): " + strings.Join(alias, ", ") + ". " +
		"Read by the credential helper and the kubelet provider only, for their config and cache paths: " + strings.Join(helper, ", ") +
		" ([credential-helper.md](credential-helper.md)). " +
		"Read by a target with `credentials: {chain: true}` only, as the clouds' pod identity webhooks and SDK profiles set them: " + strings.Join(chain, ", ") +
		" ([credential chains](credential-helper.md#credential-chains)). " +
		"`HTTPS_PROXY`, `HTTP_PROXY`, `NO_PROXY` and `SSL_CERT_FILE` are read by Go's HTTP client as usual. " +
		"`GOMAXPROCS` is Go's own and is kept when set; unset, the function runs with 1 in Lambda below 1,769 MB of memory (less than one vCPU). " +
		"Read only by a bootstrap built with `-tags regmintprof` for profiling, never by the one you deploy: " + strings.Join(analysis, ", ") + ". " +
		"A wrong secret value (a key that does not match its id, an expired session token) cannot be told locally: the cloud refuses it, as described below.\n"
}

// tryBadEnv runs the function with the row's environment and returns its
// exit status and the error as the table shows it.
func tryBadEnv(t *testing.T, r badEnv) (int, string) {
	t.Helper()
	var secrets []string
	fill := func(v string) string {
		switch v {
		case slotSecret:
			s := "not-a-real-secret-" + hexOf(t, 8)
			secrets = append(secrets, s)
			return s
		case slotTmpDir:
			return t.TempDir()
		}
		return v
	}
	env := map[string]string{}
	if r.config != "" {
		env["REGMINT_CONFIG"] = r.config
	}
	for k, v := range r.env {
		env[k] = fill(v)
	}
	env[r.name] = fill(r.value)
	for k, v := range env {
		if v == "" {
			delete(env, k)
		}
	}
	if _, rest, ok := strings.Cut(r.value, "://"); ok && strings.Contains(rest, "@") {
		userinfo, _, _ := strings.Cut(rest, "@")
		_, pw, _ := strings.Cut(userinfo, ":")
		secrets = append(secrets, pw)
	}
	res := runBinary(t, nil, env)
	if strings.Contains(res.stdout+res.stderr, "gave up after") {
		t.Errorf("a bad value was retried: it must be reported before any call\nstdout:\n%s\nstderr:\n%s", res.stdout, res.stderr)
	}
	var msg string
	switch res.code {
	case exitBadSetup:
		if res.stdout != "" {
			t.Errorf("a bad setup printed a report:\n%s", res.stdout)
		}
		msg = strings.TrimSpace(res.stderr)
	case exitFailed:
		var reasons []string
		for _, l := range strings.Split(res.stdout, "\n") {
			if _, q, ok := strings.Cut(l, " reason="); ok && strings.HasPrefix(l, "failed ") {
				s, err := strconv.Unquote(q)
				if err != nil {
					t.Fatalf("report line %q: %v", l, err)
				}
				reasons = append(reasons, s)
			}
		}
		if len(reasons) != 1 {
			t.Fatalf("want one failed target in the report, got:\n%s", res.stdout)
		}
		msg = reasons[0]
	default:
		t.Fatalf("exit %d, want %d or %d\nstdout:\n%s\nstderr:\n%s", res.code, exitBadSetup, exitFailed, res.stdout, res.stderr)
	}
	for _, s := range append(secrets, "not-a-real-secret") {
		if strings.Contains(res.stdout+res.stderr, s) {
			t.Errorf("the output echoes a secret value:\nstdout:\n%s\nstderr:\n%s", res.stdout, res.stderr)
		}
	}
	names := r.names
	if names == "" {
		names = r.name
	}
	if !strings.Contains(msg, names) {
		t.Errorf("the error does not name %s:\n%s", names, msg)
	}
	form := r.form
	if form == "" {
		form = "accepted: "
	}
	if !strings.Contains(msg, form) && !strings.Contains(msg, "e.g. ") {
		t.Errorf("the error does not say what is accepted (%q or an example):\n%s", form, msg)
	}
	var cells []string
	for _, l := range strings.Split(msg, "\n") {
		cells = append(cells, readmetest.Code(l))
	}
	return res.code, strings.Join(cells, "<br>")
}

// describeBadEnv renders what the row tried: the value, and the config and
// the other variables that matter for it.
func describeBadEnv(r badEnv) string {
	var s string
	switch {
	case r.shown != "":
		s = r.shown
	case r.value == "":
		s = "(unset)"
	case r.value == slotSecret:
		s = "(a secret)"
	default:
		s = readmetest.Code(r.value)
	}
	if r.setting != "" {
		return s + ", with " + r.setting
	}
	var ctx []string
	for _, k := range sortedKeys(r.env) {
		v := r.env[k]
		common, inBase := awsBase[k]
		switch {
		case k == r.name, k == "DOCKER_CONFIG" && v == slotTmpDir, inBase && common == v:
			continue // the row's own variable, or the rows' common setting
		case v == "":
			ctx = append(ctx, "no "+readmetest.Code(k))
		case v == slotSecret:
			ctx = append(ctx, readmetest.Code(k)+" (a secret)")
		default:
			ctx = append(ctx, readmetest.Code(k+"="+v))
		}
	}
	switch r.config {
	case cfgTCRFile:
		ctx = append(ctx, "a `tcr` target with `credentials: {env: true}` and `store: file`")
	case cfgTCRSecretsManager:
		ctx = append(ctx, "a `tcr` target with `credentials: {env: true}` and `store: secretsmanager`")
	case cfgSWRFile:
		ctx = append(ctx, "an `swr` target with `credentials: {env: true}` and `store: file`")
	}
	if len(ctx) > 0 {
		s += ", with " + strings.Join(ctx, ", ")
	}
	return s
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func hexOf(t *testing.T, n int) string {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}
