package rotatefn

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	dockerconfig "github.com/docker/cli/cli/config"

	"github.com/regmint/regmint/core"
	"github.com/regmint/regmint/core/store/secretsmanager/smtest"
	"github.com/regmint/regmint/core/swr/swrtest"
	"github.com/regmint/regmint/core/tcr/tcrtest"
	"github.com/regmint/regmint/internal/leaktest"
)

// Regions of the emulated clouds.
const (
	tcrRegion = "ap-guangzhou"
	swrRegion = "cn-north-4"
)

// clouds is one test's world: emulated Secrets Manager, TCR (a temporary
// and a long-term target's instances) and SWR Enterprise, with the cloud
// keys stored as source secrets in Secrets Manager.
type clouds struct {
	sm      *smtest.Server
	tcr     *tcrtest.Server
	swr     *swrtest.Server
	tcrKey  tcrtest.Key
	acct    *swrtest.Account
	tcrTemp tcrtest.Instance
	tcrLong tcrtest.Instance
	swrInst *swrtest.Instance
	// extra holds secrets a test adds for the leak check.
	extra leaktest.Secrets
}

func newClouds(t testing.TB) *clouds {
	t.Helper()
	c := &clouds{sm: smtest.New(), tcr: tcrtest.New(), swr: swrtest.New(swrtest.WithRegions(swrRegion))}
	t.Cleanup(func() { c.sm.Close(); c.tcr.Close(); c.swr.Close() })
	c.tcrKey = c.tcr.AddKey()
	c.tcrTemp = c.tcr.AddInstance(tcrRegion)
	c.tcrLong = c.tcr.AddInstance(tcrRegion)
	c.acct = c.swr.NewAccount()
	c.swrInst = c.swr.NewInstance(c.acct, swrRegion)
	c.sm.Seed("src/tencent", fmt.Sprintf(`{"access_key_id":%q,"access_key_secret":%q}`, c.tcrKey.ID, c.tcrKey.Secret))
	c.sm.Seed("src/huawei", fmt.Sprintf(`{"access_key_id":%q,"access_key_secret":%q}`, c.acct.AK, c.acct.SK))
	return c
}

// awsEnv is the environment Lambda gives the function: region, the
// execution role's temporary keys, and the endpoint of (emulated) Secrets
// Manager.
func (c *clouds) awsEnv() map[string]string {
	k := c.sm.Key()
	return map[string]string{
		"AWS_REGION":                       c.sm.Region,
		"AWS_DEFAULT_REGION":               c.sm.Region,
		"AWS_ACCESS_KEY_ID":                k.AccessKeyID,
		"AWS_SECRET_ACCESS_KEY":            k.SecretAccessKey,
		"AWS_SESSION_TOKEN":                k.SessionToken,
		"AWS_ENDPOINT_URL_SECRETS_MANAGER": c.sm.URL,
	}
}

// cloudEnv is the vendors' environment variables, for targets whose
// credentials are {env: true}.
func (c *clouds) cloudEnv() map[string]string {
	return map[string]string{
		"TENCENTCLOUD_SECRET_ID":  c.tcrKey.ID,
		"TENCENTCLOUD_SECRET_KEY": c.tcrKey.Secret,
		"HUAWEICLOUD_SDK_AK":      c.acct.AK,
		"HUAWEICLOUD_SDK_SK":      c.acct.SK,
	}
}

// targetNames are the targets of config, in order.
var targetNames = []string{"tcr-temp", "tcr-long", "swr-ent"}

// config returns a config document with the three targets, their cloud
// credentials read from the source secrets (or, with env, from the
// vendors' environment variables), head added at the top and extra
// targets at the end.
func (c *clouds) config(env bool, head string, extra ...string) string {
	tencent, huawei := "{source: tencent}", "{source: huawei}"
	if env {
		tencent, huawei = "{env: true}", "{env: true}"
	}
	var b strings.Builder
	b.WriteString(head)
	if !env {
		b.WriteString("credential-sources:\n  tencent: {secret: src/tencent}\n  huawei: {secret: src/huawei}\n")
	}
	b.WriteString("targets:\n")
	fmt.Fprintf(&b, "  - {name: tcr-temp, provider: tcr, region: %s, instance-id: %s, api-endpoint: %q, credentials: %s}\n",
		tcrRegion, c.tcrTemp.ID, c.tcr.URL, tencent)
	fmt.Fprintf(&b, "  - {name: tcr-long, provider: tcr, region: %s, instance-id: %s, token-type: longterm, api-endpoint: %q, credentials: %s}\n",
		tcrRegion, c.tcrLong.ID, c.tcr.URL, tencent)
	fmt.Fprintf(&b, "  - {name: swr-ent, provider: swr-enterprise, region: %s, instance-id: %s, api-endpoint: %q, iam-endpoint: %q, credentials: %s}\n",
		swrRegion, c.swrInst.ID, c.swr.SWRURL, c.swr.IAMURL, huawei)
	for _, e := range extra {
		b.WriteString("  - " + e + "\n")
	}
	return b.String()
}

// missingTarget is a TCR target whose instance does not exist.
func (c *clouds) missingTarget(env bool) string {
	cred := "{source: tencent}"
	if env {
		cred = "{env: true}"
	}
	return fmt.Sprintf("{name: tcr-missing, provider: tcr, region: %s, instance-id: tcr-zzzz9999, api-endpoint: %q, credentials: %s}", tcrRegion, c.tcr.URL, cred)
}

// issues returns how many credentials the clouds minted so far.
func (c *clouds) issues() int {
	return c.tcr.Calls("CreateInstanceToken") + c.swr.Calls(swrtest.OpCreateInstanceTempCredential) +
		c.swr.Calls(swrtest.OpCreateInstanceLtCredential)
}

// current returns the AWSCURRENT value of a destination secret.
func (c *clouds) current(t *testing.T, name string) smtest.Version {
	t.Helper()
	s, ok := c.sm.Secret("regmint/" + name)
	if !ok {
		t.Fatalf("no secret regmint/%s; secrets: %v", name, c.sm.SecretNames())
	}
	v, ok := s.Current()
	if !ok {
		t.Fatalf("secret regmint/%s has no AWSCURRENT version", name)
	}
	return v
}

// checkDockerConfig reads a docker config.json (a secret value or a file)
// with the docker CLI's own loader and checks every login in it against
// the emulated registries.
func checkDockerConfig(t *testing.T, label string, data []byte, wantHosts int) {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "config.json"), data, 0o600); err != nil {
		t.Fatal(err)
	}
	cf, err := dockerconfig.Load(dir)
	if err != nil {
		t.Fatalf("%s: docker config.Load: %v", label, err)
	}
	if got := len(cf.AuthConfigs); got != wantHosts {
		t.Errorf("%s: %d logins, want %d", label, got, wantHosts)
	}
	for host, a := range cf.AuthConfigs {
		v := core.Verifier{}.Verify(context.Background(), core.Credential{Registry: host, Username: a.Username, Password: a.Password})
		if v.Result != core.VerifyGood {
			t.Errorf("%s: login for %s does not verify: %s", label, host, v)
		}
	}
}

// secrets returns every secret the scenario handled: AWS keys, cloud keys
// and passwords, everything the emulators minted with its docker auth
// strings, every stored secret value's password, and what tests added.
func (c *clouds) secrets() []string {
	var out []string
	out = append(out, c.sm.Key().Secrets()...)
	out = append(out, c.swr.Secrets()...)
	for _, s := range c.tcr.Secrets() {
		out = append(out, s, core.DockerAuth(c.tcr.UIN, s))
	}
	for _, name := range c.sm.SecretNames() {
		s, _ := c.sm.Secret(name)
		for _, v := range s.Versions {
			var val struct {
				Password        string `json:"password"`
				AccessKeySecret string `json:"access_key_secret"`
				Auths           map[string]struct {
					Auth string `json:"auth"`
				} `json:"auths"`
			}
			if json.Unmarshal([]byte(v.Value), &val) == nil {
				out = append(out, val.Password, val.AccessKeySecret)
				for _, a := range val.Auths {
					out = append(out, a.Auth)
				}
			}
		}
	}
	return append(out, c.extra.List()...)
}

// checkNoLeaks fails t if any secret the scenario handled shows up in any
// of the texts.
func (c *clouds) checkNoLeaks(t *testing.T, texts map[string]string) {
	t.Helper()
	secrets := c.secrets()
	for label, text := range texts {
		leaktest.Check(t, label, text, secrets...)
	}
}
