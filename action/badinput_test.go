package main

import (
	"fmt"
	"os"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/regmint/regmint/internal/readmetest"

	"sigs.k8s.io/yaml"
)

// docs/troubleshooting.md holds a table of bad values tried
// for every action input and the error the step printed for each. This
// test makes that table: it runs the action binary with each bad value as
// the runner would, checks that the step fails before any network call with
// one ::error:: line naming the input and what it accepts, and compares the
// rendered table with that file's, between the markers below.
//
// After changing an input or a message, rewrite the table with
//
//	REGMINT_UPDATE_README=1 go test ./action -run TestBadInputTable

// badInput is one bad value tried for one input.
type badInput struct {
	input string
	value string
	// shown is how the table shows the value, when not as it is (a
	// generated secret).
	shown string
	// with sets other inputs (or, "" as the value, removes them) for the
	// row; they are shown beside the value.
	with []string
	// env is the step's environment beyond the runner's.
	env map[string]string
}

// badInputBase is a valid step: TCR with the vendor's environment
// variables for auth (none are set, so a row that passed validation would
// still fail before any network call).
var badInputBase = map[string]string{"provider": "tcr", "region": "ap-guangzhou", "instance-id": "tcr-abcd1234"}

const (
	roleARN    = "qcs::cam::uin/100000000001:roleName/ci-push"
	secretSlot = "<secret>" // replaced with a generated value per run
)

// badInputs lists the rows in action.yml's order of inputs.
var badInputs = []badInput{
	{input: "provider", value: ""},
	{input: "provider", value: "tencent"},
	{input: "region", value: ""},
	{input: "region", value: "Guangzhou"},
	{input: "region", value: "ap_guangzhou"},
	{input: "site", value: "international"},
	{input: "site", value: "intl", with: []string{"provider", "swr", "region", "cn-north-4", "instance-id", ""}},
	{input: "instance-id", value: ""},
	{input: "instance-id", value: "abcd1234"},
	{input: "instance-id", value: "", with: []string{"provider", "swr-enterprise", "region", "cn-north-4"}},
	{input: "instance-id", value: "my instance", with: []string{"provider", "swr-enterprise", "region", "cn-north-4"}},
	{input: "instance-id", value: "tcr-abcd1234", with: []string{"provider", "swr", "region", "cn-north-4"}},
	{input: "registry", value: "https://myreg.tencentcloudcr.com"},
	{input: "registry", value: "myreg.tencentcloudcr.com/team"},
	{input: "registry", value: "myreg.tencentcloudcr.com:https"},
	{input: "token-type", value: "permanent"},
	{input: "role-arn", value: "arn:aws:iam::123456789012:role/ci-push", with: []string{"oidc-provider-id", "github-actions"}},
	{input: "role-arn", value: roleARN},
	{input: "role-arn", value: roleARN, with: []string{"oidc-provider-id", "github-actions"}},
	{input: "role-arn", value: roleARN, with: []string{"provider", "swr", "region", "cn-north-4", "instance-id", "", "idp-id", "github-actions"}},
	{input: "role-arn", value: roleARN, with: []string{"oidc-provider-id", "github-actions", "access-key-id", "not-a-real-id", "access-key-secret", secretSlot}},
	{input: "oidc-provider-id", value: "github-actions"},
	{input: "role-session-name", value: "ci build", with: []string{"role-arn", roleARN, "oidc-provider-id", "github-actions"}},
	{input: "role-session-name", value: "ci-build", with: []string{"provider", "swr", "region", "cn-north-4", "instance-id", ""}},
	{input: "role-duration-seconds", value: "1h", with: []string{"role-arn", roleARN, "oidc-provider-id", "github-actions"}},
	{input: "role-duration-seconds", value: "86400", with: []string{"role-arn", roleARN, "oidc-provider-id", "github-actions"}},
	{input: "role-duration-seconds", value: "3600"},
	{input: "idp-id", value: "github-actions"},
	{input: "idp-id", value: "github-actions", with: []string{"provider", "swr", "region", "cn-north-4", "instance-id", ""}},
	{input: "audience", value: "sts.tencentcloudapi.com"},
	{input: "iam-user", value: "ci-pusher", with: []string{"provider", "swr", "region", "cn-north-4", "instance-id", ""}},
	{input: "iam-user", value: "ci-pusher", with: []string{"iam-password", secretSlot, "iam-domain", "my-account"}},
	{input: "iam-password", value: secretSlot, with: []string{"provider", "swr", "region", "cn-north-4", "instance-id", ""}},
	{input: "iam-domain", value: "my-account", with: []string{"provider", "swr", "region", "cn-north-4", "instance-id", ""}},
	{input: "project-id", value: "0a1b2c3d4e5f", with: []string{"access-key-id", "not-a-real-id", "access-key-secret", secretSlot}},
	{input: "project-id", value: "my project", with: []string{"provider", "swr", "region", "cn-north-4", "instance-id", ""}},
	{input: "access-key-id", value: "not-a-real-id"},
	{input: "access-key-secret", value: secretSlot},
	{input: "security-token", value: secretSlot},
	{input: "api-endpoint", value: "tcr.tencentcloudapi.com"},
	{input: "api-endpoint", value: "https://tcr.tencentcloudapi.com/v1"},
	{input: "api-endpoint", value: "https://ci:not-a-real-password@tcr.internal.example.com"},
	{input: "iam-endpoint", value: "https://iam.cn-north-4.myhuaweicloud.com"},
	{input: "iam-endpoint", value: "iam.cn-north-4.myhuaweicloud.com", with: []string{"provider", "swr", "region", "cn-north-4", "instance-id", ""}},
	{input: "sts-endpoint", value: "sts.tencentcloudapi.com"},
	{input: "sts-endpoint", value: "https://sts.tencentcloudapi.com", with: []string{"provider", "swr", "region", "cn-north-4", "instance-id", ""}},
	{input: "http-proxy", value: "proxy.internal:3128"},
	{input: "http-proxy", value: "http://ci:not-a-real-password@proxy.internal:3128/path"},
	{input: "no-proxy", value: "internal example.com"},
	{input: "verify", value: "yes"},
	{input: "mask-password", value: "no"},
	{input: "revoke", value: "1"},
	{input: "api-endpoint", value: "http://tcr.tencentcloudapi.com"},
	{input: "insecure-endpoints", value: "yes"},
	{input: "realm-hosts", value: "https://auth.example.com/token"},
	{input: "registries", value: "tcr-abcd1234,tcr-efgh5678"},
	{input: "registries", value: "tcr-abcd1234,abcd5678", with: []string{"instance-id", ""}},
	{input: "registries", value: "tcr-abcd1234,tcr-efgh5678", with: []string{"instance-id", "", "registry", "myreg.tencentcloudcr.com"}},
	{input: "registries", value: "tcr-abcd1234", with: []string{"provider", "swr", "region", "cn-north-4", "instance-id", ""}},
}

// errorPart is one input's error in the ::error:: line, which joins them
// with "; ".
var errorPart = regexp.MustCompile(`^input ([a-z-]+): `)

func TestBadInputTable(t *testing.T) {
	t.Parallel()
	declared := actionInputs(t)
	covered := map[string]bool{}
	for _, r := range badInputs {
		if !slices.Contains(declared, r.input) {
			t.Errorf("row for %q: action.yml declares no such input", r.input)
		}
		covered[r.input] = true
	}
	for _, in := range declared {
		if !covered[in] {
			t.Errorf("action.yml input %s has no row in badInputs: add the bad values users write for it", in)
		}
	}

	shown := make([]string, len(badInputs))
	t.Run("rows", func(t *testing.T) { // returns when every row is done
		for i, r := range badInputs {
			t.Run(fmt.Sprintf("%02d-%s", i, r.input), func(t *testing.T) {
				t.Parallel()
				shown[i] = tryBadInput(t, r)
			})
		}
	})
	if t.Failed() {
		return
	}
	var b strings.Builder
	b.WriteString("| input | bad value tried | error shown (the step's `::error::` line) |\n|---|---|---|\n")
	for i, r := range badInputs {
		fmt.Fprintf(&b, "| `%s` | %s | %s |\n", r.input, describeBadInput(r), readmetest.Code(shown[i]))
	}
	readmetest.Sync(t, "../docs/troubleshooting.md", "badinput:action", b.String(), "go test ./action -run TestBadInputTable")
}

// tryBadInput runs the step with the row's bad value, checks what it
// printed and returns the error text.
func tryBadInput(t *testing.T, r badInput) string {
	t.Helper()
	var secrets []string
	fill := func(v string) string {
		if v != secretSlot {
			return v
		}
		s := "not-a-real-secret-" + randomHex(t, 8)
		secrets = append(secrets, s)
		return s
	}
	in := merge(badInputBase)
	for i := 0; i+1 < len(r.with); i += 2 {
		in[r.with[i]] = fill(r.with[i+1])
	}
	in[r.input] = fill(r.value)
	for k, v := range in {
		if v == "" {
			delete(in, k)
		}
	}
	if strings.Contains(r.value, "@") {
		_, rest, _ := strings.Cut(r.value, "://")
		userinfo, _, _ := strings.Cut(rest, "@")
		_, pw, _ := strings.Cut(userinfo, ":")
		secrets = append(secrets, pw)
	}
	res := runStep(t, false, in, r.env)
	if res.exitCode == 0 {
		t.Fatalf("the step succeeded with %s = %q", r.input, r.value)
	}
	var lines []string
	for _, l := range strings.Split(res.stdout, "\n") {
		if strings.HasPrefix(l, "::error") {
			lines = append(lines, l)
		}
	}
	if len(lines) != 1 {
		t.Fatalf("want one ::error:: line, got %q\nstdout:\n%s", lines, res.stdout)
	}
	msg := unescapeCommand(strings.TrimPrefix(lines[0], "::error::"))
	if len(res.outputs) != 0 {
		t.Errorf("a failed step set outputs %v", keys(res.outputs))
	}
	checkNoLeaks(t, res, secrets)
	checkBadInputError(t, r.input, msg)
	return msg
}

// checkBadInputError checks what every bad-input error must say: which
// input (the one tried, by its exact name) and what it accepts.
func checkBadInputError(t *testing.T, input, msg string) {
	t.Helper()
	if !regexp.MustCompile(`(^|[^a-z-])` + regexp.QuoteMeta(input) + `([^a-z-]|$)`).MatchString(msg) {
		t.Errorf("the error does not name input %s: %q", input, msg)
	}
	for _, part := range strings.Split(msg, "; input ") {
		if !strings.HasPrefix(part, "input ") {
			part = "input " + part
		}
		m := errorPart.FindStringSubmatch(part)
		if m == nil || (!slices.Contains(allInputs, m[1]) && m[1] != "auth") {
			t.Errorf("error part %q does not start with input <name>:", part)
			continue
		}
		if _, acc, ok := strings.Cut(part, "; accepted: "); !ok || strings.TrimSpace(acc) == "" {
			t.Errorf("error part %q does not say what is accepted", part)
		}
	}
}

// describeBadInput renders the row's value and the other inputs it sets.
func describeBadInput(r badInput) string {
	show := func(v string) string {
		switch v {
		case "":
			return "(empty)"
		case secretSlot:
			return "(a secret)"
		}
		return readmetest.Code(v)
	}
	s := show(r.value)
	if r.shown != "" {
		s = r.shown
	}
	var with, without []string
	for i := 0; i+1 < len(r.with); i += 2 {
		if r.with[i+1] == "" {
			without = append(without, readmetest.Code(r.with[i]))
			continue
		}
		v := r.with[i+1]
		if v == secretSlot {
			with = append(with, readmetest.Code(r.with[i])+" (a secret)")
			continue
		}
		with = append(with, readmetest.Code(r.with[i]+": "+v))
	}
	if len(with) > 0 {
		s += " with " + strings.Join(with, ", ")
	}
	if len(without) > 0 {
		s += ", no " + strings.Join(without, ", ")
	}
	return s
}

// actionInputs returns the inputs action.yml declares, sorted.
func actionInputs(t *testing.T) []string {
	t.Helper()
	raw, err := os.ReadFile("../action.yml")
	if err != nil {
		t.Fatal(err)
	}
	var md actionMetadata
	if err := yaml.Unmarshal(raw, &md); err != nil {
		t.Fatal(err)
	}
	var names []string
	for name := range md.Inputs {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

// unescapeCommand undoes the workflow command escaping of a message.
func unescapeCommand(s string) string {
	return strings.NewReplacer("%0D", "\r", "%0A", "\n", "%25", "%").Replace(s)
}
