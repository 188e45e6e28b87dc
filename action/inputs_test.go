package main

import (
	"strings"
	"testing"

	"github.com/regmint/regmint/core"
	"github.com/regmint/regmint/core/tcr"
)

// envSource serves inputs the way the runner passes them: INPUT_<NAME>
// upper-cased with hyphens kept.
type envSource map[string]string

func (e envSource) Getenv(k string) string { return e[k] }
func (e envSource) GetInput(name string) string {
	return strings.TrimSpace(e["INPUT_"+strings.ToUpper(name)])
}

func inputs(kv ...string) envSource {
	e := envSource{}
	for i := 0; i+1 < len(kv); i += 2 {
		if strings.HasPrefix(kv[i], "ACTIONS_") || strings.HasPrefix(kv[i], "GITHUB_") {
			e[kv[i]] = kv[i+1]
			continue
		}
		e["INPUT_"+strings.ToUpper(kv[i])] = kv[i+1]
	}
	return e
}

func TestConfigFromInputsAccepts(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		in    envSource
		check func(t *testing.T, c *config)
	}{
		{"tcr defaults", inputs("provider", "tcr", "region", "ap-guangzhou", "instance-id", "tcr-abcd1234"), func(t *testing.T, c *config) {
			if !c.verify || !c.maskPassword || !c.revoke || c.target.Type() != core.TokenTemp {
				t.Errorf("defaults wrong: %+v", c)
			}
			if c.target.Auth.Method() != core.AuthEnv {
				t.Errorf("no auth inputs must fall back to the vendor env, got %s", c.target.Auth.Method())
			}
		}},
		{"tcr keyless gets the STS audience", inputs("provider", "TCR", "region", "ap-guangzhou", "instance-id", "tcr-abcd1234",
			"role-arn", "qcs::cam::uin/100000000001:roleName/ci", "oidc-provider-id", "github", "ACTIONS_ID_TOKEN_REQUEST_URL", "http://127.0.0.1:1/token"),
			func(t *testing.T, c *config) {
				if !c.keyless() || c.audience != tcr.Audience {
					t.Errorf("keyless = %v, audience = %q", c.keyless(), c.audience)
				}
			}},
		{"swr keyless keeps the given audience", inputs("provider", "swr-enterprise", "region", "cn-north-4", "instance-id", "abc-123",
			"idp-id", "github", "audience", "my-aud", "ACTIONS_ID_TOKEN_REQUEST_URL", "http://127.0.0.1:1/token"),
			func(t *testing.T, c *config) {
				if c.audience != "my-aud" {
					t.Errorf("audience = %q", c.audience)
				}
			}},
		{"swr password, flags off", inputs("provider", "swr", "region", "cn-north-4", "iam-user", "ci", "iam-password", "pw-123456", "iam-domain", "acme",
			"verify", "False", "mask-password", "false", "revoke", "FALSE", "token-type", "longterm"),
			func(t *testing.T, c *config) {
				if c.verify || c.maskPassword || c.revoke || c.target.Type() != core.TokenLongTerm {
					t.Errorf("flags not read: %+v", c)
				}
			}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, err := configFromInputs(tc.in)
			if err != nil {
				t.Fatal(err)
			}
			tc.check(t, c)
		})
	}
}

func TestConfigFromInputsRejects(t *testing.T) {
	t.Parallel()
	base := []string{"provider", "tcr", "region", "ap-guangzhou", "instance-id", "tcr-abcd1234"}
	tests := []struct {
		name string
		in   envSource
		want []string
	}{
		{"missing provider", inputs("region", "ap-guangzhou"), []string{"input provider: is required; accepted: tcr, swr, swr-enterprise"}},
		{"unknown provider", inputs("provider", "acr", "region", "cn-hangzhou"), []string{`input provider: "acr" is not a provider`}},
		{"missing region", inputs("provider", "swr"), []string{"input region: is required"}},
		{"missing instance id", inputs("provider", "tcr", "region", "ap-guangzhou"), []string{"input instance-id: is required for provider tcr"}},
		{"bad token type", inputs(append(base, "token-type", "permanent")...), []string{`input token-type: "permanent" is not a token type; accepted: temp, longterm`}},
		{"bad endpoint", inputs(append(base, "api-endpoint", "tcr.internal")...), []string{"input api-endpoint:", "http:// or https://"}},
		{"bad boolean", inputs(append(base, "verify", "yes")...), []string{`input verify: "yes" is not a boolean; accepted: true, false`}},
		{"oidc without request url", inputs(append(base, "role-arn", "qcs::cam::uin/1:roleName/ci", "oidc-provider-id", "gh")...),
			[]string{"input role-arn: keyless login needs a GitHub OIDC token", "permissions: id-token: write"}},
		{"swr oidc without request url", inputs("provider", "swr", "region", "cn-north-4", "idp-id", "gh"),
			[]string{"input idp-id: keyless login needs", "id-token: write"}},
		{"conflicting auth", inputs(append(base, "access-key-id", "id", "access-key-secret", "sk-123456", "role-arn", "qcs::cam::uin/1:roleName/ci", "oidc-provider-id", "gh")...),
			[]string{"input auth: conflicting cloud auth"}},
		{"password on tcr", inputs(append(base, "iam-user", "u", "iam-password", "secret-pw", "iam-domain", "d")...), []string{"input iam-user:"}},
		{"several at once", inputs("provider", "tcr", "region", "Bad Region", "token-type", "x"),
			[]string{"input region:", "input instance-id:", "input token-type:"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := configFromInputs(tc.in)
			if err == nil {
				t.Fatalf("want an error with %q", tc.want)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q\ndoes not contain %q", err, w)
				}
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error is not one line: %q", err)
			}
			for _, s := range []string{"sk-123456", "secret-pw"} {
				if strings.Contains(err.Error(), s) {
					t.Errorf("error leaks secret input %q", s)
				}
			}
		})
	}
}

func TestIsPost(t *testing.T) {
	t.Parallel()
	for argv0, want := range map[string]bool{"/regmint-action": false, "/regmint-action-post": true, "./regmint-action-post": true, "regmint-action": false} {
		if got := isPost(argv0); got != want {
			t.Errorf("isPost(%q) = %v, want %v", argv0, got, want)
		}
	}
}
