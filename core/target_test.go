package core_test

import (
	"strings"
	"testing"

	"github.com/regmint/regmint/core"
	"github.com/regmint/regmint/core/providers"
	"github.com/regmint/regmint/core/swr"
	"github.com/regmint/regmint/core/tcr"
)

func TestTargetValidate(t *testing.T) {
	t.Parallel()
	tcrT := core.Target{Provider: tcr.Name, Region: "ap-guangzhou", InstanceID: "tcr-abcd1234"}
	swrT := core.Target{Provider: swr.SharedName, Region: "cn-north-4"}
	swreT := core.Target{Provider: swr.EnterpriseName, Region: "cn-north-4", InstanceID: "0b2f7a3e-1c2d-4e5f-8a9b-0c1d2e3f4a5b"}
	with := func(base core.Target, f func(*core.Target)) core.Target { f(&base); return base }

	tests := []struct {
		name string
		t    core.Target
		// want lists "field: fragment" pairs that must all appear; empty: valid.
		want []string
	}{
		{"tcr ok", tcrT, nil},
		{"swr ok", swrT, nil},
		{"swr enterprise ok", swreT, nil},
		{"tcr keys + registry + endpoint", with(tcrT, func(t *core.Target) {
			t.Registry, t.APIEndpoint, t.TokenType = "demo.tencentcloudcr.com", "http://127.0.0.1:8080", core.TokenLongTerm
			t.Auth = core.Auth{AccessKeyID: "id", AccessKeySecret: "secret"}
		}), nil},
		{"tcr oidc", with(tcrT, func(t *core.Target) {
			t.Auth = core.Auth{RoleARN: "qcs::cam::uin/100000000001:roleName/ci", OIDCProviderID: "github"}
		}), nil},
		{"swr password", with(swrT, func(t *core.Target) { t.Auth = core.Auth{IAMUser: "u", IAMPassword: "p", IAMDomain: "d"} }), nil},
		{"swr oidc", with(swreT, func(t *core.Target) { t.Auth = core.Auth{IdPID: "github"} }), nil},
		{"registry with port", with(tcrT, func(t *core.Target) { t.Registry = "127.0.0.1:5000" }), nil},

		{"empty", core.Target{}, []string{"provider: is required", "region: is required"}},
		{"unknown provider", with(tcrT, func(t *core.Target) { t.Provider = "ecr" }), []string{`provider: "ecr" is not a provider; accepted: tcr, swr, swr-enterprise`}},
		{"bad region", with(tcrT, func(t *core.Target) { t.Region = "Guangzhou" }), []string{`region: "Guangzhou" is not a region id`}},
		{"tcr missing instance", with(tcrT, func(t *core.Target) { t.InstanceID = "" }), []string{"instance-id: is required for provider tcr"}},
		{"tcr bad instance", with(tcrT, func(t *core.Target) { t.InstanceID = "abcd1234" }), []string{`instance-id: "abcd1234" is not a TCR instance id`}},
		{"swre missing instance", with(swreT, func(t *core.Target) { t.InstanceID = "" }), []string{"instance-id: is required for provider swr-enterprise"}},
		{"swre path in instance", with(swreT, func(t *core.Target) { t.InstanceID = "../x" }), []string{"instance-id:"}},
		{"swr with instance", with(swrT, func(t *core.Target) { t.InstanceID = "x" }), []string{"instance-id: is not used by provider swr"}},
		{"registry with scheme", with(tcrT, func(t *core.Target) { t.Registry = "https://demo.tencentcloudcr.com" }), []string{"registry:", "has a scheme", "without scheme or path"}},
		{"registry with path", with(tcrT, func(t *core.Target) { t.Registry = "demo.tencentcloudcr.com/ns" }), []string{"registry:", "host[:port]"}},
		{"registry bad port", with(tcrT, func(t *core.Target) { t.Registry = "demo:99999999" }), []string{"registry:", "bad port"}},
		{"bad token type", with(tcrT, func(t *core.Target) { t.TokenType = "forever" }), []string{`token-type: "forever" is not a token type; accepted: temp, longterm`}},
		{"endpoint without scheme", with(tcrT, func(t *core.Target) { t.APIEndpoint = "tcr.internal:443" }), []string{"api-endpoint:", "http:// or https://"}},
		{"endpoint with path", with(tcrT, func(t *core.Target) { t.APIEndpoint = "https://tcr.internal/api?x=1" }), []string{"api-endpoint:", "must not have a path"}},
		{"endpoint with user", with(tcrT, func(t *core.Target) { t.APIEndpoint = "https://u:p@tcr.internal" }), []string{"api-endpoint:", "user information"}},
		{"iam endpoint on tcr", with(tcrT, func(t *core.Target) { t.IAMEndpoint = "https://iam.internal" }), []string{"iam-endpoint: is only used by the Huawei providers"}},
		{"sts endpoint on swr", with(swrT, func(t *core.Target) { t.STSEndpoint = "https://sts.internal" }), []string{"sts-endpoint: is only used by provider tcr"}},
		{"conflicting auth", with(tcrT, func(t *core.Target) {
			t.Auth = core.Auth{AccessKeyID: "id", AccessKeySecret: "s", RoleARN: "qcs::cam::uin/1:roleName/r", OIDCProviderID: "p"}
		}), []string{"auth: conflicting cloud auth: keyless OIDC", "access keys"}},
		{"key id without secret", with(tcrT, func(t *core.Target) { t.Auth = core.Auth{AccessKeyID: "id"} }), []string{"access-key-secret: is required with access-key-id"}},
		{"secret without key id", with(tcrT, func(t *core.Target) { t.Auth = core.Auth{AccessKeySecret: "s"} }), []string{"access-key-id: is required"}},
		{"tcr password", with(tcrT, func(t *core.Target) { t.Auth = core.Auth{IAMUser: "u", IAMPassword: "p", IAMDomain: "d"} }), []string{"iam-user: IAM password login is only for the Huawei providers"}},
		{"swr password incomplete", with(swrT, func(t *core.Target) { t.Auth = core.Auth{IAMUser: "u"} }), []string{"iam-password: is required", "iam-domain: is required"}},
		{"tcr oidc missing provider", with(tcrT, func(t *core.Target) { t.Auth = core.Auth{RoleARN: "qcs::cam::uin/1:roleName/r"} }), []string{"oidc-provider-id: is required"}},
		{"tcr oidc bad arn", with(tcrT, func(t *core.Target) { t.Auth = core.Auth{RoleARN: "arn:aws:iam::1:role/r", OIDCProviderID: "p"} }), []string{"role-arn:", "not a Tencent CAM role ARN"}},
		{"tcr with idp id", with(tcrT, func(t *core.Target) { t.Auth = core.Auth{IdPID: "x"} }), []string{"idp-id: is for the Huawei providers", "role-arn: is required"}},
		{"swr with role arn", with(swrT, func(t *core.Target) { t.Auth = core.Auth{RoleARN: "qcs::cam::uin/1:roleName/r"} }), []string{"role-arn:", "idp-id: is required"}},
		{"project id on tcr", with(tcrT, func(t *core.Target) { t.Auth = core.Auth{AccessKeyID: "a", AccessKeySecret: "b", ProjectID: "p1"} }), []string{"project-id: is only used by the Huawei providers"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := providers.Validate(tc.t)
			if len(tc.want) == 0 {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("Validate() = nil, want errors containing %q", tc.want)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("Validate() = %q\nwant it to contain %q", err, w)
				}
			}
			for _, fe := range core.FieldErrors(err) {
				if fe.Field == "" || fe.Problem == "" {
					t.Errorf("field error without field or problem: %#v", fe)
				}
			}
		})
	}
}

func TestValidateNeverEchoesSecrets(t *testing.T) {
	t.Parallel()
	secret := randomString(t, 32)
	tg := core.Target{Provider: tcr.Name, Region: "ap-guangzhou", InstanceID: "tcr-abcd1234",
		Auth: core.Auth{AccessKeySecret: secret, IAMPassword: secret, RoleARN: "qcs::cam::uin/1:roleName/r", OIDCProviderID: "p"}}
	err := providers.Validate(tg)
	if err == nil {
		t.Fatal("want an error")
	}
	if strings.Contains(err.Error(), secret) {
		t.Errorf("validation error leaks a secret: %v", err)
	}
}

func TestFingerprint(t *testing.T) {
	t.Parallel()
	base := core.Target{Provider: tcr.Name, Region: "ap-guangzhou", InstanceID: "tcr-abcd1234",
		Auth: core.Auth{AccessKeyID: "id1", AccessKeySecret: "s1"}}
	rotatedSecret := base
	rotatedSecret.Auth.AccessKeySecret = "s2"
	if base.Fingerprint() != rotatedSecret.Fingerprint() {
		t.Error("rotating only the secret key must not change the fingerprint")
	}
	explicitTemp := base
	explicitTemp.TokenType = core.TokenTemp
	if base.Fingerprint() != explicitTemp.Fingerprint() {
		t.Error(`TokenType "" and "temp" mean the same and must fingerprint the same`)
	}
	for name, f := range map[string]func(*core.Target){
		"instance":   func(t *core.Target) { t.InstanceID = "tcr-zzzz9999" },
		"registry":   func(t *core.Target) { t.Registry = "other.tencentcloudcr.com" },
		"token type": func(t *core.Target) { t.TokenType = core.TokenLongTerm },
		"key id":     func(t *core.Target) { t.Auth.AccessKeyID = "id2" },
		"endpoint":   func(t *core.Target) { t.APIEndpoint = "http://127.0.0.1:1" },
	} {
		changed := base
		f(&changed)
		if changed.Fingerprint() == base.Fingerprint() {
			t.Errorf("changing %s must change the fingerprint", name)
		}
	}
}
