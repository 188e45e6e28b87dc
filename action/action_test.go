package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/regmint/regmint/core"
	"github.com/regmint/regmint/core/swr/swrtest"
	"github.com/regmint/regmint/core/tcr/tcrtest"
	"github.com/regmint/regmint/internal/leaktest"
)

func randomHex(t *testing.T, n int) string {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}

// scenario is one provider x auth path: the inputs and environment of the
// step, and what its outputs must be.
type scenario struct {
	name         string
	inputs       map[string]string
	env          map[string]string
	secrets      []string // every secret the step handles, for the leak check
	wantUser     string
	wantRegistry string
	wantTTL      time.Duration // 0: never expires
	longTerm     bool
	audience     *githubOIDC
	wantAudience string
}

func tcrScenarios(t *testing.T) []scenario {
	emu := tcrtest.New()
	t.Cleanup(emu.Close)
	inst := emu.AddInstance("ap-guangzhou")
	key := emu.AddKey()
	reg := emu.RegistryServer(inst.ID).Host
	base := map[string]string{"provider": "tcr", "region": inst.Region, "instance-id": inst.ID, "api-endpoint": emu.URL}
	keys := map[string]string{"access-key-id": key.ID, "access-key-secret": key.Secret}
	idTok := emu.IssueWebIdentityToken(time.Hour)
	gh := newGitHubOIDC(t, idTok)
	keyless := map[string]string{"role-arn": emu.RoleARN, "oidc-provider-id": emu.OIDCProviderID, "sts-endpoint": emu.STSURL}
	sslEnv := map[string]string{"SSL_CERT_FILE": certFile(t, emu.STSCertificate().Raw)}
	t.Cleanup(func() { t.Logf("tcr emulator calls: CreateInstanceToken=%d", emu.Calls("CreateInstanceToken")) })
	secrets := append([]string{key.Secret, idTok, gh.requestToken}, emu.Secrets()...)
	return []scenario{
		{name: "tcr/keys/temp", inputs: merge(base, keys), secrets: secrets,
			wantUser: emu.UIN, wantRegistry: reg, wantTTL: time.Hour},
		{name: "tcr/keys/longterm", inputs: merge(base, keys, map[string]string{"token-type": "longterm"}), secrets: secrets,
			wantUser: emu.UIN, wantRegistry: reg, wantTTL: 10 * 365 * 24 * time.Hour, longTerm: true},
		{name: "tcr/env/temp", inputs: base, env: map[string]string{"TENCENTCLOUD_SECRET_ID": key.ID, "TENCENTCLOUD_SECRET_KEY": key.Secret},
			secrets: secrets, wantUser: emu.UIN, wantRegistry: reg, wantTTL: time.Hour},
		{name: "tcr/keyless/longterm", inputs: merge(base, keyless, map[string]string{"token-type": "longterm"}), env: merge(gh.env(), sslEnv),
			secrets: secrets, wantUser: emu.UIN, wantRegistry: reg, wantTTL: 10 * 365 * 24 * time.Hour, longTerm: true,
			audience: gh, wantAudience: "sts.tencentcloudapi.com"},
	}
}

func swrScenarios(t *testing.T) []scenario {
	emu := swrtest.New()
	t.Cleanup(emu.Close)
	const region = "cn-north-4"
	acct := emu.NewAccount(swrtest.InRegions(region))
	inst := emu.NewInstance(acct, region)
	idp := emu.NewIdP(acct)
	idTok := idp.Token("repo:regmint/test:ref:refs/heads/main", time.Hour)
	gh, gh2 := newGitHubOIDC(t, idTok), newGitHubOIDC(t, idTok)
	shared := emu.SharedRegistry(region)
	ent := map[string]string{"provider": "swr-enterprise", "region": region, "instance-id": inst.ID, "api-endpoint": emu.SWRURL, "iam-endpoint": emu.IAMURL}
	shr := map[string]string{"provider": "swr", "region": region, "api-endpoint": emu.SWRURL, "iam-endpoint": emu.IAMURL}
	keys := map[string]string{"access-key-id": acct.AK, "access-key-secret": acct.SK}
	password := map[string]string{"iam-user": acct.UserName, "iam-password": acct.Password, "iam-domain": acct.DomainName}
	keyless := map[string]string{"idp-id": idp.ID, "audience": idp.ClientID}
	secrets := func() []string { return append([]string{idTok, gh.requestToken, gh2.requestToken}, emu.Secrets()...) }
	return []scenario{
		{name: "swr-enterprise/keys/temp", inputs: merge(ent, keys), secrets: secrets(), wantRegistry: inst.Registry.Host, wantTTL: -1},
		{name: "swr-enterprise/password/longterm", inputs: merge(ent, password, map[string]string{"token-type": "longterm"}), secrets: secrets(),
			wantRegistry: inst.Registry.Host, wantTTL: 0, longTerm: true},
		{name: "swr-enterprise/keyless/temp", inputs: merge(ent, keyless), env: gh.env(), secrets: secrets(),
			wantRegistry: inst.Registry.Host, wantTTL: -1, audience: gh, wantAudience: idp.ClientID},
		{name: "swr/keys/temp", inputs: merge(shr, keys), secrets: secrets(), wantRegistry: shared.Host, wantTTL: 6 * time.Hour},
		{name: "swr/env/longterm", inputs: merge(shr, map[string]string{"token-type": "longterm", "registry": shared.Host}),
			env: map[string]string{"HUAWEICLOUD_SDK_AK": acct.AK, "HUAWEICLOUD_SDK_SK": acct.SK}, secrets: secrets(),
			wantUser: region + "@" + acct.AK, wantRegistry: shared.Host, wantTTL: 0},
		{name: "swr/password/temp", inputs: merge(shr, password), secrets: secrets(), wantRegistry: shared.Host, wantTTL: 6 * time.Hour},
		{name: "swr/keyless/temp", inputs: merge(shr, keyless), env: gh2.env(), secrets: secrets(),
			wantRegistry: shared.Host, wantTTL: 6 * time.Hour, audience: gh2, wantAudience: idp.ClientID},
	}
}

// loginOK asks a registry whether it accepts a login, through the same
// handshake docker uses.
func loginOK(out map[string]string) bool {
	c := core.Credential{Registry: out[outputRegistry], Username: out[outputUsername], Password: out[outputPassword]}
	return core.Verifier{}.Verify(context.Background(), c).Result == core.VerifyGood
}

func TestActionEveryProviderAndAuthPath(t *testing.T) {
	t.Parallel()
	scenarios := append(tcrScenarios(t), swrScenarios(t)...)
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			start := time.Now()
			res := runStep(t, false, sc.inputs, sc.env)
			if res.exitCode != 0 {
				t.Fatalf("step failed (%d):\nstdout:\n%s\nstderr:\n%s", res.exitCode, res.stdout, res.stderr)
			}
			checkOutputs(t, sc, res, start)
			pass := res.outputs[outputPassword]
			secrets := append(append([]string{}, sc.secrets...), pass, core.DockerAuth(res.outputs[outputUsername], pass))
			checkMasks(t, res, pass, res.outputs[outputDockerConfig])
			checkNoLeaks(t, res, secrets)
			if sc.audience != nil {
				if got := sc.audience.seen(); len(got) != 1 || got[0] != sc.wantAudience {
					t.Errorf("OIDC token requested with audiences %q, want one request for %q", got, sc.wantAudience)
				}
			}
			if !loginOK(res.outputs) {
				t.Fatalf("the emulated registry does not accept the password output")
			}
			if !strings.Contains(res.summary, "✅ good") || !strings.Contains(res.summary, res.outputs[outputRegistry]) {
				t.Errorf("summary does not show the registry and a good login:\n%s", res.summary)
			}

			if !sc.longTerm {
				if len(res.state) != 0 {
					t.Errorf("a temporary credential saved state %v", res.state)
				}
				return
			}
			id := res.outputs[outputTokenID]
			if id == "" || res.state[stateTokenID] != id {
				t.Fatalf("token-id output %q, state %q: want the same long-term token id", id, res.state[stateTokenID])
			}
			post := runStep(t, true, sc.inputs, merge(sc.env, map[string]string{"STATE_" + stateTokenID: id}))
			if post.exitCode != 0 {
				t.Fatalf("post step failed:\n%s\n%s", post.stdout, post.stderr)
			}
			checkNoLeaks(t, post, secrets)
			if loginOK(res.outputs) {
				t.Errorf("the registry still accepts the long-term token after the post step")
			}
			if !strings.Contains(post.stdout, "revoked long-term token "+id) {
				t.Errorf("post step does not say what it revoked:\n%s", post.stdout)
			}
		})
	}
}

func checkOutputs(t *testing.T, sc scenario, res stepResult, start time.Time) {
	t.Helper()
	out := res.outputs
	for _, name := range []string{outputRegistry, outputUsername, outputPassword, outputExpiresAt, outputTokenID, outputDockerConfig} {
		if _, ok := out[name]; !ok {
			t.Errorf("output %q not set", name)
		}
	}
	if got := out[outputRegistry]; got != sc.wantRegistry {
		t.Errorf("registry = %q, want %q", got, sc.wantRegistry)
	}
	if sc.wantUser != "" && out[outputUsername] != sc.wantUser {
		t.Errorf("username = %q, want %q", out[outputUsername], sc.wantUser)
	}
	switch exp := out[outputExpiresAt]; {
	case sc.wantTTL == 0:
		if exp != "" {
			t.Errorf("expires-at = %q, want empty for a credential that does not expire", exp)
		}
	default:
		at, err := time.Parse(time.RFC3339, exp)
		if err != nil || !strings.HasSuffix(exp, "Z") {
			t.Fatalf("expires-at = %q, want RFC 3339 UTC", exp)
		}
		if sc.wantTTL > 0 {
			lo, hi := start.Add(sc.wantTTL-2*time.Minute), time.Now().Add(sc.wantTTL+2*time.Minute)
			if at.Before(lo) || at.After(hi) {
				t.Errorf("expires-at = %s, want about %s from now", exp, sc.wantTTL)
			}
		} else if !at.After(time.Now()) {
			t.Errorf("expires-at = %s is not in the future", exp)
		}
	}
	if (out[outputTokenID] != "") != sc.longTerm && sc.inputs["provider"] != "swr" {
		t.Errorf("token-id = %q for longTerm=%v", out[outputTokenID], sc.longTerm)
	}
	var cfg struct {
		Auths map[string]core.AuthEntry `json:"auths"`
	}
	if err := json.Unmarshal([]byte(out[outputDockerConfig]), &cfg); err != nil {
		t.Fatalf("docker-config is not JSON: %v", err)
	}
	e := cfg.Auths[out[outputRegistry]]
	if e.Username != out[outputUsername] || e.Password != out[outputPassword] || e.Auth != core.DockerAuth(e.Username, e.Password) {
		t.Errorf("docker-config auths entry does not match the outputs")
	}
	if strings.Contains(out[outputDockerConfig], "\n") {
		t.Errorf("docker-config spans lines; a one-line value is masked whole")
	}
}

// checkMasks asserts every secret form of the credential is masked, and
// masked before the step printed anything else about it.
func checkMasks(t *testing.T, res stepResult, password, dockerConfig string) {
	t.Helper()
	lines := strings.Split(res.stdout, "\n")
	first := map[string]int{}
	firstOther := -1
	for i, l := range lines {
		if v, ok := strings.CutPrefix(l, "::add-mask::"); ok {
			if _, seen := first[v]; !seen {
				first[v] = i
			}
			continue
		}
		if l != "" && firstOther < 0 {
			firstOther = i
		}
	}
	var user string
	for _, l := range lines {
		if strings.HasPrefix(l, "minted ") {
			user = l
		}
	}
	for name, v := range map[string]string{"password": password, "docker-config": dockerConfig} {
		i, ok := first[v]
		if !ok {
			t.Errorf("%s is never masked", name)
			continue
		}
		if firstOther >= 0 && i > firstOther {
			t.Errorf("%s masked on line %d, after output on line %d: %q", name, i, firstOther, lines[firstOther])
		}
	}
	if user == "" {
		t.Errorf("no 'minted' line in stdout:\n%s", res.stdout)
	}
	for v := range first {
		if v == "" {
			t.Error("an empty value was masked")
		}
	}
}

// checkNoLeaks asserts no secret appears anywhere a person could read it,
// except in the ::add-mask:: commands that hide it.
func checkNoLeaks(t *testing.T, res stepResult, secrets []string) {
	t.Helper()
	for _, stream := range []struct{ name, text string }{{"stdout", res.stdout}, {"stderr", res.stderr}} {
		for _, l := range strings.Split(stream.text, "\n") {
			if strings.HasPrefix(l, "::add-mask::") {
				continue
			}
			leaktest.Check(t, stream.name, l, secrets...)
		}
	}
	leaktest.Check(t, "step summary", res.summary, secrets...)
	leaktest.Check(t, "state file", res.stateRaw, secrets...)
}
