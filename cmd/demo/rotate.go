package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync/atomic"
	"time"

	"github.com/regmint/regmint/core"
	"github.com/regmint/regmint/core/config"
	"github.com/regmint/regmint/core/providers"
	"github.com/regmint/regmint/core/rotation"
	"github.com/regmint/regmint/core/store/github/ghtest"
	"github.com/regmint/regmint/core/store/secretsmanager"
	"github.com/regmint/regmint/core/store/secretsmanager/smtest"
	"github.com/regmint/regmint/core/stores"
	"github.com/regmint/regmint/core/swr/swrtest"
	"github.com/regmint/regmint/core/tcr/tcrtest"
)

// The demo's policy, shortened so that two jumps of the engine's clock by
// demoRotateEvery show both kinds of refresh: the 1-hour temporary tokens
// fall within demoRefreshMargin (35m left, then 10m), and the long-term
// token reaches rotate-every.
const (
	demoRefreshMargin = 40 * time.Minute
	demoRotateEvery   = 25 * time.Minute
)

// demoRotation runs the scheduled rotation function's engine in-process,
// wired as functions/rotate wires it, against the emulated clouds: into
// the emulated Secrets Manager (which also holds the cloud keys as source
// secrets) and into a docker config.json. It shows a first run (all
// minted), an idle run (all fresh), a refresh once the engine's clock
// moved past the refresh margin and rotate-every, and, one rotate-every
// later, the revocation of the long-term token two generations back.
func demoRotation(ctx context.Context, p *printer) error {
	const tcrRegion, swrRegion = "ap-guangzhou", "cn-north-4"
	smEmu := smtest.New()
	tc := tcrtest.New()
	hw := swrtest.New(swrtest.WithRegions(swrRegion))
	gh := ghtest.New()
	defer func() {
		p.secrets(ghSecrets(gh)...)
		gh.Close()
		p.secrets(smSecrets(smEmu)...)
		for _, s := range tc.Secrets() {
			p.secrets(s, core.DockerAuth(tc.UIN, s))
		}
		p.secrets(hw.Secrets()...)
		smEmu.Close()
		tc.Close()
		hw.Close()
	}()
	key := tc.AddKey()
	tcrTemp := tc.AddInstance(tcrRegion)
	tcrLong := tc.AddInstance(tcrRegion)
	acct := hw.NewAccount()
	swrInst := hw.NewInstance(acct, swrRegion)
	p.secrets(key.Secret)
	p.secrets(acct.Secrets()...)
	smEmu.Seed("src/tencent", fmt.Sprintf(`{"access_key_id":%q,"access_key_secret":%q}`, key.ID, key.Secret))
	smEmu.Seed("src/huawei", fmt.Sprintf(`{"access_key_id":%q,"access_key_secret":%q}`, acct.AK, acct.SK))
	app := gh.App()
	p.secrets(app.PrivateKeyPEM)
	smEmu.Seed("src/github", app.PrivateKeyPEM)
	gh.AddRepo(ghRepo)

	dir, err := os.MkdirTemp("", "regmint-demo-rotate-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	dockerConfig := filepath.Join(dir, "docker", "config.json")

	doc := fmt.Sprintf(`refresh-margin: %[10]s
github: {app-id: %[11]d, installation-id: %[12]d, private-key-secret: src/github, base-url: %[14]q}
credential-sources:
  tencent: {secret: src/tencent}
  huawei: {secret: src/huawei}
targets:
  - name: tcr-temp
    provider: tcr
    region: %[1]s
    instance-id: %[2]s
    api-endpoint: %[3]q
    credentials: {source: tencent}
    destinations: [{store: secretsmanager}, {store: github, repository: %[13]s, ref: TCR, docker-config: true}]
  - name: tcr-long
    provider: tcr
    region: %[1]s
    instance-id: %[4]s
    token-type: longterm
    rotate-every: %[5]s
    api-endpoint: %[3]q
    credentials: {source: tencent}
    destinations: [{store: secretsmanager}, {store: file}]
  - {name: swr-ent, provider: swr-enterprise, region: %[6]s, instance-id: %[7]s, api-endpoint: %[8]q, iam-endpoint: %[9]q, credentials: {source: huawei}}
`, tcrRegion, tcrTemp.ID, tc.URL, tcrLong.ID, demoRotateEvery, swrRegion, swrInst.ID, hw.SWRURL, hw.IAMURL, demoRefreshMargin,
		app.ID, app.InstallationID, ghRepo, gh.URL)

	// The engine's clock: real time plus an offset the demo moves forward.
	// The emulators keep real time (their signature checks refuse requests
	// signed more than a few minutes off their clock), so moving the
	// engine's clock alone is what makes stored tokens look older.
	var offset atomic.Int64
	clock := func() time.Time { return time.Now().Add(time.Duration(offset.Load())) }
	eng, err := buildRotation(doc, smEmu, dockerConfig, clock)
	if err != nil {
		return err
	}

	p.f("")
	p.f("Scheduled rotation function (functions/rotate), its engine run in-process and wired as the function wires it:")
	p.f("  Secrets Manager emulated at %s (cloud keys read from source secrets src/tencent, src/huawei;", smEmu.URL)
	p.f("  credentials written under regmint/), a docker config.json in a temp dir for the build host, and")
	p.f("  GitHub emulated at %s, written as GitHub App %d (installation %d) whose private key", gh.URL, app.ID, app.InstallationID)
	p.f("  is read from the source secret src/github.")
	p.f("  targets: tcr-temp (TCR temporary, also to the Actions secrets of repository %s, ref TCR, docker-config on),", ghRepo)
	p.f("           tcr-long (TCR long-term, rotate-every %s, also to the config.json),", human(demoRotateEvery))
	p.f("           swr-ent (SWR Enterprise temporary); temporary tokens live 1h, refresh-margin %s", human(demoRefreshMargin))
	runs := []struct {
		title   string
		advance time.Duration
	}{
		{"run 1, first invocation: every target minted", 0},
		{"run 2, right after: nothing minted, all fresh", 0},
		{"run 3, the engine's clock " + human(demoRotateEvery) + " on: temporary tokens within the refresh margin, tcr-long at rotate-every", demoRotateEvery},
		{"run 4, another " + human(demoRotateEvery) + " on: all refreshed again, and tcr-long's token two generations back revoked", demoRotateEvery},
	}
	for i, r := range runs {
		offset.Add(int64(r.advance))
		p.f("  %s", r.title)
		if i >= 2 {
			ahead := human(time.Duration(offset.Load()))
			p.f("    (only the engine's clock moves: the emulated clouds keep real time, as their signature checks")
			p.f("    refuse clocks minutes apart; so by the engine's clock, now %s ahead, a token the clouds mint", ahead)
			p.f("    now shows %s less than its 1h, and its expiry reads the same as the one it replaces)", ahead)
		}
		rep := eng.Run(ctx)
		var b bytes.Buffer
		if err := rep.WriteText(&b); err != nil {
			return err
		}
		for _, l := range strings.Split(strings.TrimRight(b.String(), "\n"), "\n") {
			p.f("    | %s", l)
		}
		if err := rep.Err(); err != nil {
			return fmt.Errorf("rotation run %d: %w", i+1, err)
		}
	}
	live := tc.LongTermTokens(tcrLong.ID)
	ids := make([]string, len(live))
	for i, t := range live {
		ids[i] = t.ID
	}
	p.f("  TCR now holds %d live long-term tokens for instance %s: %s (the current and the previous one)",
		len(live), tcrLong.ID, strings.Join(ids, ", "))
	if len(live) > 2 {
		return fmt.Errorf("%d live long-term tokens after rotation, want at most 2", len(live))
	}

	p.f("  what a consumer reads:")
	for _, name := range []string{"tcr-temp", "tcr-long", "swr-ent"} {
		s, ok := smEmu.Secret("regmint/" + name)
		if !ok {
			return fmt.Errorf("no secret regmint/%s; secrets: %v", name, smEmu.SecretNames())
		}
		cur, ok := s.Current()
		prev, _ := s.Previous()
		if !ok {
			return fmt.Errorf("secret regmint/%s has no AWSCURRENT version", name)
		}
		p.f("    secret regmint/%-8s %d versions (one per credential minted), AWSCURRENT %s, AWSPREVIOUS %s", name, len(s.Versions), cur.ID, prev.ID)
		if name != "tcr-long" {
			continue
		}
		shape, err := valueShape([]byte(cur.Value))
		if err != nil {
			return fmt.Errorf("secret regmint/%s: %w", name, err)
		}
		p.f("      value (a docker config.json and a flat record; values not shown): %s", shape)
		var first struct {
			Registry string `json:"registry"`
			Username string `json:"username"`
			Password string `json:"password"`
			TokenID  string `json:"token_id"`
		}
		if err := json.Unmarshal([]byte(s.Versions[0].Value), &first); err != nil {
			return fmt.Errorf("secret regmint/%s: %w", name, err)
		}
		ver := core.Verifier{}.Verify(ctx, core.Credential{Registry: first.Registry, Username: first.Username, Password: first.Password})
		p.f("      its first version's token %s, revoked in run 4: login with it now: %s", first.TokenID, ver.Result)
		if ver.Result != core.VerifyBad {
			return fmt.Errorf("the registry still accepts the revoked token %s: %s", first.TokenID, ver)
		}
	}
	data, err := os.ReadFile(dockerConfig)
	if err != nil {
		return err
	}
	logins, err := dockerLogins(ctx, data)
	if err != nil {
		return fmt.Errorf("%s: %w", dockerConfig, err)
	}
	p.f("    %s (file store), registries:", dockerConfig)
	for _, l := range logins {
		p.f("      %s", l)
	}
	return showGitHub(p, gh, smEmu, tc.Secrets())
}

// buildRotation wires the engine as functions/rotate's build does: the
// Secrets Manager client from the environment Lambda gives (region, keys,
// endpoint override), the store under the config's name prefix, the same
// client reading source secrets, the file store, and providers.New.
func buildRotation(doc string, smEmu *smtest.Server, dockerConfig string, clock func() time.Time) (*rotation.Engine, error) {
	cfg, err := config.Parse([]byte(doc), stores.Kinds())
	if err != nil {
		return nil, err
	}
	k := smEmu.Key()
	env := map[string]string{
		"AWS_REGION":               smEmu.Region,
		"AWS_ACCESS_KEY_ID":        k.AccessKeyID,
		"AWS_SECRET_ACCESS_KEY":    k.SecretAccessKey,
		"AWS_SESSION_TOKEN":        k.SessionToken,
		secretsmanager.EnvEndpoint: smEmu.URL,
	}
	getenv := func(name string) string { return env[name] }
	ac, err := secretsmanager.ConfigFromEnv(getenv)
	if err != nil {
		return nil, err
	}
	client, err := secretsmanager.NewClient(ac, getenv)
	if err != nil {
		return nil, err
	}
	reader := secretsmanager.Reader{API: client}
	opts, err := stores.Open(context.Background(), &stores.Process{
		Config: cfg, Getenv: getenv, DockerConfig: dockerConfig, Secrets: reader,
		SecretsManager: func() (secretsmanager.API, error) { return client, nil },
	})
	if err != nil {
		return nil, err
	}
	factory := func(t core.Target) (core.Issuer, error) { return providers.New(t, core.Env{Getenv: getenv}) }
	return rotation.New(cfg, factory, append(opts, rotation.WithSecrets(reader), rotation.WithClock(clock))...)
}

// valueShape renders a secret value's keys, sorted, with the docker
// auths' hosts and their keys: the shape, no value.
func valueShape(data []byte) (string, error) {
	var v map[string]json.RawMessage
	if err := json.Unmarshal(data, &v); err != nil {
		return "", err
	}
	var auths map[string]map[string]json.RawMessage
	if err := json.Unmarshal(v["auths"], &auths); err != nil {
		return "", fmt.Errorf("auths: %w", err)
	}
	delete(v, "auths")
	keys := sortedKeys(v)
	var hosts []string
	for h, a := range auths {
		hosts = append(hosts, h+" -> {"+strings.Join(sortedKeys(a), ", ")+"}")
	}
	sort.Strings(hosts)
	return "auths {" + strings.Join(hosts, "; ") + "}, " + strings.Join(keys, ", "), nil
}

// dockerLogins lists a docker config.json's logins: host, user, the
// password's length (never the password) and a login with it.
func dockerLogins(ctx context.Context, data []byte) ([]string, error) {
	var cf struct {
		Auths map[string]struct {
			Username string `json:"username"`
			Password string `json:"password"`
			Auth     string `json:"auth"`
		} `json:"auths"`
	}
	if err := json.Unmarshal(data, &cf); err != nil {
		return nil, err
	}
	var out []string
	for host, a := range cf.Auths {
		ver := core.Verifier{}.Verify(ctx, core.Credential{Registry: host, Username: a.Username, Password: a.Password})
		if ver.Result != core.VerifyGood {
			return nil, fmt.Errorf("the registry refuses the login for %s: %s", host, ver)
		}
		out = append(out, fmt.Sprintf("%s  user %s  password %s  auth %s  login: %s", host, a.Username, hidden(a.Password), hidden(a.Auth), ver.Result))
	}
	sort.Strings(out)
	return out, nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// smSecrets returns the emulated Secrets Manager's secrets for the leak
// check: its access key, and every stored value's passwords, docker auth
// strings and access key secrets.
func smSecrets(s *smtest.Server) []string {
	out := s.Key().Secrets()
	for _, name := range s.SecretNames() {
		sec, _ := s.Secret(name)
		for _, v := range sec.Versions {
			var val struct {
				Password        string `json:"password"`
				AccessKeySecret string `json:"access_key_secret"`
				Auths           map[string]struct {
					Auth     string `json:"auth"`
					Password string `json:"password"`
				} `json:"auths"`
			}
			if json.Unmarshal([]byte(v.Value), &val) == nil {
				out = append(out, val.Password, val.AccessKeySecret)
				for _, a := range val.Auths {
					out = append(out, a.Auth, a.Password)
				}
			}
		}
	}
	return out
}
