package main

import (
	"os"
	"slices"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"

	"github.com/regmint/regmint/core"
	"github.com/regmint/regmint/core/tcr"
	"github.com/regmint/regmint/internal/leaktest"
)

// fuzzInputNames is the order in which FuzzConfigFromInputs takes the
// inputs, followed by the two environment variables the parser reads.
var fuzzInputNames = []string{
	inputProvider, inputRegion, inputInstanceID, inputRegistry, inputTokenType,
	inputRoleARN, inputOIDCProviderID, inputIdPID, inputAudience,
	inputIAMUser, inputIAMPassword, inputIAMDomain, inputProjectID,
	inputAccessKeyID, inputAccessSecret, inputSecurityToken,
	inputAPIEndpoint, inputIAMEndpoint, inputSTSEndpoint,
	inputVerify, inputMaskPassword, inputRevoke,
	envOIDCRequestURL, "GITHUB_REPOSITORY",
}

// fuzzSecretInputs are the inputs action.yml says to pass from a secret.
var fuzzSecretInputs = []string{inputAccessSecret, inputIAMPassword, inputSecurityToken}

// fuzzInputs is an inputSource that serves values exactly as given (the
// runner's library trims them; the parser must cope with anything).
type fuzzInputs map[string]string

func (f fuzzInputs) GetInput(name string) string { return f[name] }
func (f fuzzInputs) Getenv(key string) string    { return f[key] }

// fuzzSeed builds the arguments of FuzzConfigFromInputs from name/value
// pairs; unnamed inputs are empty.
func fuzzSeed(kv ...string) []string {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	args := make([]string, len(fuzzInputNames))
	for i, n := range fuzzInputNames {
		args[i] = m[n]
	}
	return args
}

// FuzzConfigFromInputs feeds arbitrary input values to the parser.
//
// Invariants:
//   - an error is one line, every part of it starts with "input <name>:"
//     where name is an input action.yml declares (or "auth", whose text
//     then names the conflicting inputs), and its text does not depend on
//     the value of any secret input (access-key-secret, iam-password,
//     security-token): replacing each non-empty one by a fresh random value
//     gives the same error, which holds none of those values;
//   - a config's Target passes Validate and carries exactly the values
//     given (provider and token-type lower-cased, nothing trimmed), the
//     booleans are read case-insensitively with their defaults, keyless
//     login has the OIDC request URL and the audience given (or STS's for
//     tcr), and an audience comes only with keyless login.
func FuzzConfigFromInputs(f *testing.F) {
	known := fuzzActionInputs(f)
	for _, s := range [][]string{
		fuzzSeed("provider", "tcr", "region", "ap-guangzhou", "instance-id", "tcr-abcd1234"),
		fuzzSeed("provider", "TCR", "region", "ap-guangzhou", "instance-id", "tcr-abcd1234", "token-type", "LongTerm",
			"access-key-id", "key-id-1", "access-key-secret", "key-secret-1", "verify", "FALSE", "revoke", "false"),
		fuzzSeed("provider", "tcr", "region", "ap-guangzhou", "instance-id", "tcr-abcd1234",
			"role-arn", "qcs::cam::uin/100000000001:roleName/ci", "oidc-provider-id", "github",
			envOIDCRequestURL, "http://127.0.0.1:1/token", "GITHUB_REPOSITORY", "octo/app"),
		fuzzSeed("provider", "swr-enterprise", "region", "cn-north-4", "instance-id", "abc-123", "idp-id", "github",
			"audience", "my-aud", envOIDCRequestURL, "http://127.0.0.1:1/token"),
		fuzzSeed("provider", "swr", "region", "cn-north-4", "iam-user", "ci", "iam-password", "pw-123456", "iam-domain", "acme",
			"project-id", "0123456789abcdef", "iam-endpoint", "https://127.0.0.1:8443", "api-endpoint", "http://127.0.0.1:8080/"),
		fuzzSeed("provider", "swr", "region", "cn-north-4", "registry", "swr.cn-north-4.myhuaweicloud.com:443",
			"access-key-id", "ak", "access-key-secret", "sk-123456", "security-token", "st-123456", "mask-password", "True"),
		fuzzSeed("provider", "tcr", "region", "ap-guangzhou", "instance-id", "tcr-abcd1234", "access-key-secret", "only-the-secret"),
		fuzzSeed("provider", "tcr", "region", "ap-guangzhou", "instance-id", "tcr-abcd1234", "iam-user", "u", "iam-password", "pw-123456"),
		fuzzSeed("provider", "tcr", "region", "ap-guangzhou", "instance-id", "tcr-abcd1234", "audience", "aud"),
		fuzzSeed("provider", "tcr", "region", "Bad Region", "token-type", "x", "verify", "yes", "registry", "https://user:pw-123456@host/x"),
		fuzzSeed("provider", "swr", "region", "cn-north-4", "instance-id", "i", "sts-endpoint", "ftp://x", "api-endpoint", "http://a@b"),
		fuzzSeed("provider", "acr", "region", "\x00", "instance-id", "tcr-\u00e9\u00e9\u00e9\u00e9", "registry", "[::1]:5000"),
		fuzzSeed(),
	} {
		f.Add(s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7], s[8], s[9], s[10], s[11], s[12], s[13], s[14], s[15], s[16], s[17], s[18], s[19], s[20], s[21], s[22], s[23])
	}
	f.Fuzz(func(t *testing.T, provider, region, instanceID, registry, tokenType,
		roleARN, oidcProviderID, idpID, audience,
		iamUser, iamPassword, iamDomain, projectID,
		accessKeyID, accessSecret, securityToken,
		apiEndpoint, iamEndpoint, stsEndpoint,
		verify, maskPassword, revoke, oidcURL, repo string) {
		values := []string{provider, region, instanceID, registry, tokenType,
			roleARN, oidcProviderID, idpID, audience,
			iamUser, iamPassword, iamDomain, projectID,
			accessKeyID, accessSecret, securityToken,
			apiEndpoint, iamEndpoint, stsEndpoint,
			verify, maskPassword, revoke, oidcURL, repo}
		in := fuzzInputs{}
		for i, n := range fuzzInputNames {
			in[n] = values[i]
		}
		c, err := configFromInputs(in)

		// The same inputs with every non-empty secret replaced by a fresh
		// random value: only whether a secret is set may matter.
		other := fuzzInputs{}
		for k, v := range in {
			other[k] = v
		}
		var fresh []string
		for _, n := range fuzzSecretInputs {
			if in[n] != "" {
				other[n] = leaktest.Random(t)
				fresh = append(fresh, other[n])
			}
		}
		c2, err2 := configFromInputs(other)

		if err != nil {
			msg := err.Error()
			if c != nil {
				t.Errorf("both a config and an error: %v", msg)
			}
			if err2 == nil || err2.Error() != msg {
				t.Fatalf("the error depends on the value of a secret input:\n%q\n%q", msg, err2)
			}
			leaktest.Check(t, "error", err2.Error(), fresh...)
			fuzzCheckInputError(t, msg, known)
			return
		}
		if err2 != nil {
			t.Fatalf("other secret values give an error: %v", err2)
		}
		if c2.target.Auth.AccessKeySecret != other[inputAccessSecret] || c2.target.Auth.IAMPassword != other[inputIAMPassword] ||
			c2.target.Auth.SecurityToken != other[inputSecurityToken] {
			t.Error("the secrets are not passed on as given")
		}
		fuzzCheckConfig(t, in, c)
	})
}

// fuzzCheckInputError checks the shape of an input error.
func fuzzCheckInputError(t *testing.T, msg string, known []string) {
	t.Helper()
	if strings.ContainsAny(msg, "\r\n") {
		t.Errorf("error is not one line: %q", msg)
	}
	name, _, ok := strings.Cut(strings.TrimPrefix(msg, "input "), ":")
	if !strings.HasPrefix(msg, "input ") || !ok {
		t.Fatalf("error does not start with an input: %q", msg)
	}
	switch {
	case slices.Contains(known, name):
	case name == core.FieldAuth:
		n := 0
		for _, k := range known {
			if strings.Contains(msg, k) {
				n++
			}
		}
		if n < 2 {
			t.Errorf("an auth conflict names fewer than two inputs: %q", msg)
		}
	default:
		t.Errorf("error names %q, which action.yml does not declare: %q", name, msg)
	}
}

// fuzzCheckConfig checks an accepted config against the inputs.
func fuzzCheckConfig(t *testing.T, in fuzzInputs, c *config) {
	t.Helper()
	if err := c.target.Validate(); err != nil {
		t.Errorf("accepted target does not validate: %v", err)
	}
	tg, a := c.target, c.target.Auth
	for _, f := range []struct {
		input, got string
	}{
		{inputProvider, strings.ToLower(string(tg.Provider))}, {inputRegion, tg.Region}, {inputInstanceID, tg.InstanceID},
		{inputRegistry, tg.Registry}, {inputTokenType, strings.ToLower(string(tg.TokenType))},
		{inputAPIEndpoint, tg.APIEndpoint}, {inputIAMEndpoint, tg.IAMEndpoint}, {inputSTSEndpoint, tg.STSEndpoint},
		{inputAccessKeyID, a.AccessKeyID}, {inputAccessSecret, a.AccessKeySecret}, {inputSecurityToken, a.SecurityToken},
		{inputProjectID, a.ProjectID}, {inputIAMUser, a.IAMUser}, {inputIAMPassword, a.IAMPassword}, {inputIAMDomain, a.IAMDomain},
		{inputRoleARN, a.RoleARN}, {inputOIDCProviderID, a.OIDCProviderID}, {inputIdPID, a.IdPID},
	} {
		want := in[f.input]
		if f.input == inputProvider || f.input == inputTokenType {
			want = strings.ToLower(want)
		}
		if f.got != want {
			t.Errorf("input %s = %q, config holds %q", f.input, want, f.got)
		}
	}
	if string(tg.Provider) != strings.ToLower(in[inputProvider]) || string(tg.TokenType) != strings.ToLower(in[inputTokenType]) {
		t.Errorf("provider %q, token type %q: not the lower-cased inputs", tg.Provider, tg.TokenType)
	}
	for _, b := range []struct {
		input string
		got   bool
	}{{inputVerify, c.verify}, {inputMaskPassword, c.maskPassword}, {inputRevoke, c.revoke}} {
		if want := in[b.input] == "" || strings.EqualFold(in[b.input], "true"); b.got != want {
			t.Errorf("input %s = %q read as %v", b.input, in[b.input], b.got)
		}
	}
	wantDesc := "regmint GitHub Action"
	if r := in["GITHUB_REPOSITORY"]; r != "" {
		wantDesc += ", " + r
	}
	if tg.Description != wantDesc {
		t.Errorf("description %q, want %q", tg.Description, wantDesc)
	}
	switch {
	case c.keyless():
		if in[envOIDCRequestURL] == "" {
			t.Error("keyless config without " + envOIDCRequestURL)
		}
		want := in[inputAudience]
		if want == "" && tg.Provider == tcr.Name {
			want = tcr.Audience
		}
		if c.audience != want {
			t.Errorf("audience %q, want %q", c.audience, want)
		}
	case c.audience != "":
		t.Errorf("audience %q without keyless login", c.audience)
	}
}

// fuzzActionInputs returns the input names action.yml declares.
func fuzzActionInputs(f *testing.F) []string {
	f.Helper()
	raw, err := os.ReadFile("../action.yml")
	if err != nil {
		f.Fatal(err)
	}
	var md struct {
		Inputs map[string]any `json:"inputs"`
	}
	if err := yaml.Unmarshal(raw, &md); err != nil {
		f.Fatal(err)
	}
	var names []string
	for n := range md.Inputs {
		names = append(names, n)
	}
	if len(names) == 0 {
		f.Fatal("action.yml declares no inputs")
	}
	return names
}
